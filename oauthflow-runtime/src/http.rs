//! The back-channel HTTP layer: one `reqwest::Client`, redirects never followed (RFC 9700
//! §4.12), a timeout per request, a cap on response bodies, and errors that never carry a URL
//! (RUSTSEC-2024-0358).
//!
//! A client supplied through `Settings::http_client` cannot be inspected: reqwest gives no way to
//! read (or change) a built client's redirect policy, and a client built with the default policy
//! follows up to ten redirects *before* oauthflow sees the response — a 307 would forward the
//! form body (code, PKCE verifier, password) to the redirect target. So before its first
//! request, such a client is probed once against a throw-away listener on `127.0.0.1` that
//! answers with redirects; a client that follows them (or cannot be probed, e.g. because it sends
//! everything through a proxy) is refused with a [`ConfigError`] and receives no
//! back-channel request at all. The default client is built with
//! `reqwest::redirect::Policy::none()`. In both cases any 3xx answer becomes
//! [`Error::RedirectRefused`].

use std::fmt;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::OnceCell;
use url::Url;

use crate::error::{ConfigError, Error};

/// Largest response body read from an authorization server (token responses, metadata, JWKS are
/// a few KiB).
pub(crate) const MAX_BODY: usize = 1 << 20;

/// How long the one-time redirect probe of a user-supplied client may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A response read completely (up to [`MAX_BODY`]).
pub(crate) struct HttpResponse {
    /// The HTTP status code.
    pub(crate) status: u16,
    /// The `Content-Type` header, if any.
    pub(crate) content_type: Option<String>,
    /// `Retry-After` in seconds, if sent as a number.
    pub(crate) retry_after: Option<u64>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl HttpResponse {
    /// Whether the body is declared as HTML (a proxy's or server's error page).
    pub(crate) fn is_html(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/html"))
    }
}

/// An `application/x-www-form-urlencoded` request body plus an optional `Authorization` header.
/// Never printed: it carries secrets.
#[derive(Default)]
pub(crate) struct Form {
    params: Vec<(&'static str, String)>,
    authorization: Option<String>,
}

impl Form {
    /// Adds a parameter (repeated names are kept, e.g. several `resource`).
    pub(crate) fn param(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.params.push((name, value.into()));
        self
    }

    /// Sets the `Authorization` header.
    pub(crate) fn authorization(&mut self, value: String) -> &mut Self {
        self.authorization = Some(value);
        self
    }

    /// The encoded body.
    pub(crate) fn encode(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.params.iter().map(|(k, v)| (*k, v.as_str())))
            .finish()
    }

    /// The `Authorization` header, if any.
    pub(crate) fn authorization_header(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// The names of the parameters (for tests and tracing; never the values).
    #[cfg(test)]
    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.params.iter().map(|(k, _)| *k).collect()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field(
                "params",
                &self.params.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            )
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// The HTTP client of one oauthflow client (shared by its clones).
pub(crate) struct Http {
    client: reqwest::Client,
    timeout: Duration,
    /// `Some` for a user-supplied client: the (cached) result of the redirect probe.
    probe: Option<OnceCell<Result<(), ConfigError>>>,
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
    pub(crate) async fn get(
        &self,
        endpoint: &'static str,
        url: &Url,
    ) -> Result<HttpResponse, Error> {
        let request = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        self.send(endpoint, url, request).await
    }

    /// `POST url` with the form as body. Never retried.
    pub(crate) async fn post_form(
        &self,
        endpoint: &'static str,
        url: &Url,
        form: &Form,
    ) -> Result<HttpResponse, Error> {
        let mut request = self
            .client
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form.encode());
        if let Some(auth) = form.authorization_header() {
            request = request.header(reqwest::header::AUTHORIZATION, auth);
        }
        self.send(endpoint, url, request).await
    }

    /// The underlying `reqwest::Client`, for modules that send requests themselves (ID-token
    /// JWKS, device flow): a user-supplied client is probed first (and refused if it follows
    /// redirects), so whatever is sent through it is never redirected. Callers must still treat
    /// a 3xx answer as [`Error::RedirectRefused`].
    pub(crate) async fn checked_client(&self) -> Result<&reqwest::Client, Error> {
        self.ensure_no_redirects().await?;
        Ok(&self.client)
    }

    async fn ensure_no_redirects(&self) -> Result<(), Error> {
        if let Some(probe) = &self.probe {
            probe
                .get_or_init(|| probe_no_redirects(&self.client))
                .await
                .clone()?;
        }
        Ok(())
    }

    async fn send(
        &self,
        endpoint: &'static str,
        url: &Url,
        request: reqwest::RequestBuilder,
    ) -> Result<HttpResponse, Error> {
        self.ensure_no_redirects().await?;
        let exchange = async {
            let response = request.send().await.map_err(|e| map_reqwest(endpoint, e))?;
            let status = response.status().as_u16();
            tracing::debug!(endpoint, status, "oauthflow: back-channel response");
            if (300..400).contains(&status) || response.url() != url {
                tracing::warn!(
                    endpoint,
                    status,
                    "oauthflow: refused a redirect on a back-channel request"
                );
                return Err(Error::RedirectRefused { endpoint, status });
            }
            let header = |name: reqwest::header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type = header(reqwest::header::CONTENT_TYPE);
            let retry_after =
                header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok());
            let body = read_capped(endpoint, response).await?;
            Ok(HttpResponse {
                status,
                content_type,
                retry_after,
                body,
            })
        };
        tracing::debug!(endpoint, "oauthflow: back-channel request");
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    endpoint,
                    timeout_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                    "oauthflow: back-channel request timed out"
                );
                Err(Error::Timeout { endpoint })
            }
        }
    }
}

async fn read_capped(
    endpoint: &'static str,
    mut response: reqwest::Response,
) -> Result<Vec<u8>, Error> {
    let too_big = || Error::InvalidResponse {
        endpoint,
        reason: format!("the response body is larger than {MAX_BODY} bytes"),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| map_reqwest(endpoint, e))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Maps a reqwest error to a typed error that never contains the URL (which may carry a query).
pub(crate) fn map_reqwest(endpoint: &'static str, error: reqwest::Error) -> Error {
    let error = error.without_url();
    if error.is_timeout() {
        return Error::Timeout { endpoint };
    }
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    Error::Transport { endpoint, reason }
}

fn refuse(reason: String) -> ConfigError {
    ConfigError::Invalid {
        reason: format!(
            "the reqwest::Client passed to `Settings::http_client` {reason}; oauthflow never follows redirects on back-channel requests (RFC 9700 §4.12) — build it with `.redirect(reqwest::redirect::Policy::none())`, or leave the HTTP client to oauthflow"
        ),
    }
}

/// Sends two requests (POST answered 307, GET answered 302) through `client` to a listener on
/// `127.0.0.1`; `Ok` only if the client hands both redirects back unfollowed.
async fn probe_no_redirects(client: &reqwest::Client) -> Result<(), ConfigError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| {
            refuse(format!(
                "could not be checked (binding a probe listener failed: {e})"
            ))
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| refuse(format!("could not be checked ({e})")))?
        .port();
    let followed = Arc::new(AtomicUsize::new(0));
    let counter = followed.clone();
    let server = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let response = if head.starts_with("POST /probe-post ") {
                    format!(
                        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{port}/followed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                } else if head.starts_with("GET /probe-get ") {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/followed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                } else {
                    counter.fetch_add(1, Ordering::SeqCst);
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
                };
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    let probe = async {
        let post = client
            .post(format!("http://127.0.0.1:{port}/probe-post"))
            .body("probe=1")
            .send()
            .await?;
        let get = client
            .get(format!("http://127.0.0.1:{port}/probe-get"))
            .send()
            .await?;
        Ok::<_, reqwest::Error>((post.status().as_u16(), get.status().as_u16()))
    };
    let outcome = tokio::time::timeout(PROBE_TIMEOUT, probe).await;
    server.abort();
    match outcome {
        Ok(Ok((307, 302))) if followed.load(Ordering::SeqCst) == 0 => Ok(()),
        Ok(Ok(_)) => Err(refuse("follows HTTP redirects".into())),
        Ok(Err(e)) => Err(refuse(format!(
            "could not be checked for redirect following (a request to a probe on 127.0.0.1 failed: {})",
            e.without_url()
        ))),
        Err(_) => Err(refuse(
            "could not be checked for redirect following (the probe on 127.0.0.1 timed out)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_debug_shows_names_only() {
        let mut form = Form::default();
        form.param("client_secret", "s3cret")
            .authorization("Basic abc".into());
        let debug = format!("{form:?}");
        assert!(debug.contains("client_secret"));
        assert!(!debug.contains("s3cret"));
        assert!(!debug.contains("abc"));
        assert_eq!(form.encode(), "client_secret=s3cret");
    }

    #[tokio::test]
    async fn probe_accepts_policy_none_and_refuses_default() {
        let none = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        assert!(probe_no_redirects(&none).await.is_ok());
        let default = reqwest::Client::new();
        let err = probe_no_redirects(&default).await.unwrap_err();
        assert!(err.to_string().contains("follows HTTP redirects"), "{err}");
        let limited = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(1))
            .build()
            .unwrap();
        assert!(probe_no_redirects(&limited).await.is_err());
    }
}
