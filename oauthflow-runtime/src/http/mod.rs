//! The back-channel HTTP layer: one `reqwest::Client`, redirects never followed (RFC 9700
//! §4.12), a timeout per request, a cap on response bodies per endpoint, and errors that never
//! carry a URL (RUSTSEC-2024-0358).
//!
//! Every endpoint's request goes through one path, [`send`] (in `endpoint.rs`, like oauth2-rs'
//! `endpoint.rs`): the token and discovery requests through [`Http`], the JWKS and device
//! requests with the `reqwest::Client` that [`Http::checked_client`] hands out (or one a test
//! supplies). Caps and the default timeout are in [`crate::limits`].
//!
//! A client supplied through `Settings::http_client` cannot be inspected: reqwest gives no way to
//! read (or change) a built client's redirect policy. So before its first request, such a client
//! is probed once (`probe.rs`); a client that follows redirects (or cannot be probed, e.g.
//! because it sends everything through a proxy) is refused with a [`ConfigError`] and receives
//! no back-channel request at all (a failed probe is tried again at the next request; a passed one
//! is not repeated). The probe's limit: it sees what the client does with a redirect from
//! `127.0.0.1`, so a custom policy that follows redirects except from loopback passes it — such a
//! policy is the user's own choice to undo the rule. The default client is built with
//! `reqwest::redirect::Policy::none()`. In both cases any 3xx answer becomes
//! [`Error::RedirectRefused`].

mod endpoint;
mod form;
mod probe;

use std::time::Duration;

use tokio::sync::OnceCell;
use url::Url;

use crate::error::{ConfigError, Error};

pub(crate) use endpoint::{Endpoint, HttpResponse, Request, send};
pub(crate) use form::Form;

/// The HTTP client of one oauthflow client (shared by its clones).
pub(crate) struct Http {
    client: reqwest::Client,
    timeout: Duration,
    /// `Some` for a user-supplied client: set once its redirect probe has passed. A failed probe
    /// is not kept: it may have failed for a passing reason (the probe listener could not bind),
    /// and a client that really follows redirects fails again at the next attempt.
    probe: Option<OnceCell<()>>,
}

impl Http {
    /// Uses `user` if given (probed before first use), else builds the default client.
    pub(crate) fn new(
        user: Option<reqwest::Client>,
        timeout: Duration,
    ) -> Result<Self, ConfigError> {
        if timeout.is_zero() {
            return Err(ConfigError::Invalid {
                reason: "the request timeout must be greater than zero".into(),
            });
        }
        match user {
            Some(client) => Ok(Http {
                client,
                timeout,
                probe: Some(OnceCell::new()),
            }),
            None => {
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("oauthflow/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| ConfigError::Invalid {
                        reason: format!("could not build the HTTP client: {}", e.without_url()),
                    })?;
                Ok(Http {
                    client,
                    timeout,
                    probe: None,
                })
            }
        }
    }

    /// `GET url` with `Accept: application/json`.
    pub(crate) async fn get(&self, endpoint: Endpoint, url: &Url) -> Result<HttpResponse, Error> {
        self.send(Request::get(endpoint, url)).await
    }

    /// Sends `request` on the checked client with this client's timeout.
    pub(crate) async fn send(&self, request: Request<'_>) -> Result<HttpResponse, Error> {
        self.ensure_no_redirects().await?;
        send(&self.client, request, Some(self.timeout)).await
    }

    /// The underlying `reqwest::Client`, for modules whose public building blocks take one (the
    /// JWKS cache, the device grant) and pass it to [`send`]: a user-supplied client is probed
    /// first (and refused if it follows redirects), so whatever is sent through it is never
    /// redirected.
    pub(crate) async fn checked_client(&self) -> Result<&reqwest::Client, Error> {
        self.ensure_no_redirects().await?;
        Ok(&self.client)
    }

    async fn ensure_no_redirects(&self) -> Result<(), Error> {
        if let Some(probe) = &self.probe {
            probe
                .get_or_try_init(|| probe::probe_no_redirects(&self.client))
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A failed probe is not kept: the next request probes again (a client whose policy follows
    /// redirects during its first probe only is refused once, then accepted), and a passed
    /// probe is not repeated.
    #[tokio::test]
    async fn a_failed_probe_is_tried_again_and_a_passed_one_is_kept() {
        let redirects_seen = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&redirects_seen);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                // The first probe sends two requests (POST, GET): follow only the very first.
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .build()
            .unwrap();
        let http = Http::new(Some(client), Duration::from_secs(5)).unwrap();
        assert!(
            matches!(http.checked_client().await, Err(Error::Config(_))),
            "the first probe sees a followed redirect"
        );
        let before_second = redirects_seen.load(Ordering::SeqCst);
        http.checked_client()
            .await
            .expect("probed again, and passes");
        assert!(
            redirects_seen.load(Ordering::SeqCst) > before_second,
            "it probed again"
        );
        let after_pass = redirects_seen.load(Ordering::SeqCst);
        http.checked_client().await.expect("still accepted");
        assert_eq!(
            redirects_seen.load(Ordering::SeqCst),
            after_pass,
            "not probed again"
        );
    }
}
