//! The device authorization grant (RFC 8628): ask for a device code and a user code, show them,
//! then poll the token endpoint until the user approves, refuses, or the code expires.
//!
//! # How the client calls it
//!
//! Crate-internal, so not a doctest: `device::tests::doc_example` compiles this code.
//!
//! ```ignore
//! # async fn demo(http: &reqwest::Client) -> Result<(), crate::Error> {
//! use crate::AudienceParam;
//! use crate::device::DeviceGrant;
//!
//! // Discovery's `device_authorization_endpoint` and `token_endpoint` (or the attribute's),
//! // the client ID, the spec's scopes (plus `offline_access` with `refresh_tokens = true`), and
//! // the audience with the spec's `audience_param`.
//! let grant = DeviceGrant::new(
//!     http,
//!     "device-client",
//!     "https://tenant.example.com/device/auth",
//!     "https://tenant.example.com/token",
//! )
//! .scopes(&["openid", "offline_access"])
//! .audience(AudienceParam::Resource, "https://api.example.com/orders");
//! let authorization = grant.start().await?; // `device_authorization(audience)`
//! println!("go to {} and type {}", authorization.verification_uri(), authorization.user_code());
//! // `poll_device(&authorization)`: pass the issuer's ID token validation when `openid` was
//! // asked for; without it an ID token in the response is dropped, never returned unchecked.
//! let tokens = grant.poll(&authorization, None).await?;
//! # let _ = tokens; Ok(()) }
//! ```
//!
//! Polling follows RFC 8628 §3.5 (R28): wait `interval` (5 s when the server names none) before
//! every request; `authorization_pending` → keep polling; `slow_down` → 5 s more for this and
//! every later request; `access_denied` → [`Error::OAuth`]; `expired_token` →
//! [`Error::DeviceCodeExpired`]; no request is sent at or after `expires_in`
//! ([`Error::DeviceCodeExpired`]); connection failures, timeouts, 5xx and 429 double the interval
//! (exponential back-off, at most 5 minutes, at least `Retry-After`) and polling goes on.
//! With `audience_param = "resource"` the `resource` is sent on both requests (RFC 8707 §2);
//! the Auth0-style `audience` only on the device authorization request.

use std::fmt;
use std::time::{Duration, SystemTime};

use oauth2::DeviceCode;
use serde_json::{Map, Value};

use crate::clock::{Clock, TokioClock};
use crate::device_authorization::DeviceAuthorization;
use crate::dpop::Dpop;
use crate::error::{ConfigError, Error};
use crate::http::{Endpoint, Form, HttpResponse, Request};
use crate::id_token::{IdTokenValidation, JwksCache};
use crate::kind::AudienceParam;
use crate::limits::DEFAULT_REQUEST_TIMEOUT;
use crate::quirks::Quirks;
use crate::token_response::{self, Requested};
use crate::tokens::TokenSet;

/// Polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// What `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The longest interval exponential back-off grows to.
pub const MAX_BACKOFF_INTERVAL: Duration = Duration::from_secs(300);

/// Longest device code lifetime believed (RFC 8628 suggests minutes; longer is cut to a day).
pub const MAX_EXPIRES_IN: u64 = 24 * 3600;

/// Longest polling interval a server may ask for (seconds).
pub const MAX_INTERVAL_SECS: u64 = 3600;

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// One client's device grant: its endpoints, client ID, scopes and audience. Cheap to build per
/// call; borrows everything.
#[derive(Clone)]
pub struct DeviceGrant<'a> {
    http: &'a reqwest::Client,
    client_id: &'a str,
    device_authorization_endpoint: &'a str,
    token_endpoint: &'a str,
    scopes: Vec<&'a str>,
    audience: Option<(AudienceParam, &'a str)>,
    request_timeout: Option<Duration>,
    /// Provider deviations the token responses may show (the client's `Settings::accept_…`).
    quirks: Quirks,
    /// The client's DPoP state (`sender_constraint = "dpop"`): token polls carry proofs.
    dpop: Option<&'a Dpop>,
}

impl<'a> DeviceGrant<'a> {
    /// A public client's device grant at these endpoints (no redirect is ever followed).
    pub fn new(
        http: &'a reqwest::Client,
        client_id: &'a str,
        device_authorization_endpoint: &'a str,
        token_endpoint: &'a str,
    ) -> Self {
        DeviceGrant {
            http,
            client_id,
            device_authorization_endpoint,
            token_endpoint,
            scopes: Vec::new(),
            audience: None,
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            quirks: Quirks::NONE,
            dpop: None,
        }
    }

    /// The scopes to ask for (sent space-separated; empty ones and repeats are dropped).
    pub fn scopes(mut self, scopes: &[&'a str]) -> Self {
        self.scopes.clear();
        for scope in scopes {
            if !scope.is_empty() && !self.scopes.contains(scope) {
                self.scopes.push(scope);
            }
        }
        self
    }

    /// The audience (or RFC 8707 resource) the access token is for.
    pub fn audience(mut self, param: AudienceParam, value: &'a str) -> Self {
        self.audience = Some((param, value));
        self
    }

    /// Timeout of each HTTP request (default 30 s; `None`: only the HTTP client's own).
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The provider deviations accepted in token responses (the client's settings).
    pub(crate) fn quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// DPoP-bound tokens (RFC 9449 §5): every token poll carries a fresh proof, a
    /// `use_dpop_nonce` answer is followed by one more poll with the nonce at once, and the
    /// answer must be `token_type=DPoP`.
    pub(crate) fn dpop(mut self, dpop: Option<&'a Dpop>) -> Self {
        self.dpop = dpop;
        self
    }

    /// Sends the device authorization request (RFC 8628 §3.1) and returns what to show the
    /// user.
    pub async fn start(&self) -> Result<DeviceAuthorization, Error> {
        self.start_with_clock(&TokioClock::new()).await
    }

    /// [`start`](Self::start) with an explicit clock (its wall time anchors `expires_at`).
    pub async fn start_with_clock(&self, clock: &dyn Clock) -> Result<DeviceAuthorization, Error> {
        let mut form = Form::default();
        form.param("client_id", self.client_id);
        if !self.scopes.is_empty() {
            form.param("scope", self.scopes.join(" "));
        }
        if let Some((param, value)) = self.audience {
            form.param(param.as_str(), value);
        }
        let response = self
            .post(
                Endpoint::DEVICE_AUTHORIZATION,
                "device_authorization_endpoint",
                self.device_authorization_endpoint,
                &form,
                None,
            )
            .await?;
        read_authorization(
            &response,
            clock.wall(),
            self.audience.map(|(_, value)| value),
        )
    }

    /// Polls the token endpoint (RFC 8628 §3.4, §3.5) until the user approves, refuses, or the
    /// code expires. An ID token in the response is validated with `id_token` (no nonce: the
    /// device flow sends none); without it the ID token is dropped.
    pub async fn poll(
        &self,
        authorization: &DeviceAuthorization,
        id_token: Option<(&IdTokenValidation<'_>, &JwksCache)>,
    ) -> Result<TokenSet, Error> {
        self.poll_with_clock(authorization, id_token, &TokioClock::new())
            .await
    }

    /// [`poll`](Self::poll) with an explicit clock: its wall time is compared with `expires_at`,
    /// and it sleeps between polls.
    pub async fn poll_with_clock(
        &self,
        authorization: &DeviceAuthorization,
        id_token: Option<(&IdTokenValidation<'_>, &JwksCache)>,
        clock: &dyn Clock,
    ) -> Result<TokenSet, Error> {
        let mut interval = authorization.interval.max(Duration::from_secs(1));
        loop {
            let next_poll = clock.wall().checked_add(interval);
            if next_poll.is_none_or(|at| at >= authorization.expires_at) {
                return Err(Error::DeviceCodeExpired);
            }
            clock.sleep(interval).await;
            match self.poll_once(authorization).await {
                Poll::Tokens(response) => {
                    return self
                        .token_set(response, authorization, id_token, clock.wall())
                        .await;
                }
                Poll::Pending => {}
                // No overflow: the loop ends above as soon as `now + interval` passes
                // `expires_at`, so `interval` stays below `expires_at - now` (a `SystemTime`
                // span), far from `Duration::MAX`, before `+ 5 s` or `* 2`.
                Poll::SlowDown => interval += SLOW_DOWN_STEP,
                Poll::Backoff { retry_after } => {
                    interval = (interval * 2)
                        .min(MAX_BACKOFF_INTERVAL)
                        .max(retry_after.unwrap_or_default());
                    tracing::debug!(
                        ?interval,
                        "device token poll failed transiently; backing off"
                    );
                }
                Poll::Failed(error) => return Err(error),
            }
        }
    }

    async fn poll_once(&self, authorization: &DeviceAuthorization) -> Poll {
        const ENDPOINT: &str = Endpoint::TOKEN.name;
        let mut form = Form::default();
        form.param("grant_type", GRANT_TYPE)
            .param("device_code", authorization.device_code.secret().as_str())
            .param("client_id", self.client_id);
        if let (Some((AudienceParam::Resource, _)), Some(resource)) =
            (self.audience, &authorization.audience)
        {
            form.param("resource", resource.as_str());
        }
        let response = match self.post_token_poll(&form).await {
            Ok(answer) => answer,
            Err(e @ (Error::Transport { .. } | Error::Timeout { .. })) => {
                tracing::debug!(error = %e, "device token poll: transport failure");
                return Poll::Backoff { retry_after: None };
            }
            Err(Error::HttpStatus {
                status,
                retry_after,
                ..
            }) if status >= 500 || status == 429 => {
                return Poll::Backoff {
                    retry_after: retry_after.map(Duration::from_secs),
                };
            }
            Err(e) => return Poll::Failed(e),
        };
        if response.is_success() {
            return Poll::Tokens(response);
        }
        match error_response(ENDPOINT, &response.body) {
            Some(Error::OAuth { code, .. }) if code.as_str() == "authorization_pending" => {
                Poll::Pending
            }
            Some(Error::OAuth { code, .. }) if code.as_str() == "slow_down" => Poll::SlowDown,
            Some(Error::OAuth { code, .. }) if code.as_str() == "expired_token" => {
                Poll::Failed(Error::DeviceCodeExpired)
            }
            Some(Error::OAuth { code, .. }) if code.as_str() == "temporarily_unavailable" => {
                Poll::Backoff { retry_after: None }
            }
            Some(error) => Poll::Failed(error),
            None => Poll::Failed(Error::HttpStatus {
                endpoint: ENDPOINT,
                status: response.status,
                retry_after: None,
            }),
        }
    }

    async fn token_set(
        &self,
        response: HttpResponse,
        authorization: &DeviceAuthorization,
        id_token: Option<(&IdTokenValidation<'_>, &JwksCache)>,
        now: SystemTime,
    ) -> Result<TokenSet, Error> {
        let scopes: Vec<String> = self.scopes.iter().map(|s| (*s).to_owned()).collect();
        let requested = Requested {
            audience: authorization.audience.as_deref(),
            scopes: &scopes,
        };
        let mut tokens = token_response::parse(
            "token",
            &response,
            &requested,
            if self.dpop.is_some() {
                token_response::TokenType::Dpop
            } else {
                token_response::TokenType::Bearer
            },
            self.quirks,
            now,
        )?
        .tokens;
        tokens.id_token = match (tokens.id_token.take(), id_token) {
            (Some(raw), Some((validation, jwks))) => {
                // The device code is spent: a failed check keeps what was issued in the error.
                match crate::id_token::verify(&raw, validation, None, jwks, self.http).await {
                    Ok(claims) => tokens = tokens.validated(claims),
                    Err(error) => return Err(error.after_tokens_issued(tokens)),
                }
                Some(raw)
            }
            (Some(_), None) => {
                tracing::debug!("dropping an ID token that the caller did not ask to validate");
                None
            }
            (None, _) => None,
        };
        Ok(tokens)
    }

    /// One token poll: with DPoP, a proof per request and — when the server asks for a nonce —
    /// one more request with it (RFC 9449 §8), so that a nonce never costs a polling interval.
    async fn post_token_poll(&self, form: &Form) -> Result<HttpResponse, Error> {
        let Some(dpop) = self.dpop else {
            return self
                .post(
                    Endpoint::TOKEN,
                    "token_endpoint",
                    self.token_endpoint,
                    form,
                    None,
                )
                .await;
        };
        let url = absolute(self.token_endpoint, "token_endpoint")?;
        dpop.send_with_nonce_retry("POST", &url, None, |proof| {
            self.post(
                Endpoint::TOKEN,
                "token_endpoint",
                self.token_endpoint,
                form,
                Some(proof),
            )
        })
        .await
    }

    /// POSTs `form` to `url` through the one back-channel path. OAuth error bodies come with 400
    /// (or 401 for client authentication) and are handed back to be read; any other non-2xx
    /// answer is [`Error::HttpStatus`].
    async fn post(
        &self,
        endpoint: Endpoint,
        what: &'static str,
        url: &str,
        form: &Form,
        dpop_proof: Option<http::HeaderValue>,
    ) -> Result<HttpResponse, Error> {
        let url = absolute(url, what)?;
        let request = Request::post_form(endpoint, &url, form).dpop(dpop_proof);
        let response = crate::http::send(self.http, request, self.request_timeout).await?;
        match response.status {
            200..=299 | 400 | 401 => Ok(response),
            _ => Err(response.status_error(endpoint.name)),
        }
    }
}

impl fmt::Debug for DeviceGrant<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceGrant")
            .field("client_id", &self.client_id)
            .field(
                "device_authorization_endpoint",
                &self.device_authorization_endpoint,
            )
            .field("token_endpoint", &self.token_endpoint)
            .field("scopes", &self.scopes)
            .field("audience", &self.audience)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

enum Poll {
    Tokens(HttpResponse),
    Pending,
    SlowDown,
    Backoff { retry_after: Option<Duration> },
    Failed(Error),
}

/// An RFC 6749 §5.2 error body, if `body` is one.
/// Reads a device authorization response (RFC 8628 §3.2) received at `issued_at` (wall clock):
/// the codes, the verification URIs (http(s) only), `expires_in` and `interval`, each checked.
pub(crate) fn read_authorization(
    response: &HttpResponse,
    issued_at: SystemTime,
    audience: Option<&str>,
) -> Result<DeviceAuthorization, Error> {
    const ENDPOINT: &str = Endpoint::DEVICE_AUTHORIZATION.name;
    if !response.is_success() {
        return Err(
            error_response(ENDPOINT, &response.body).unwrap_or(Error::HttpStatus {
                endpoint: ENDPOINT,
                status: response.status,
                retry_after: None,
            }),
        );
    }
    let object = json_object(ENDPOINT, &response.body)?;
    let text = |name: &str, required: bool| -> Result<Option<String>, Error> {
        match object.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            None if !required => Ok(None),
            _ => Err(bad(
                ENDPOINT,
                &format!("`{name}` is missing or not a non-empty string"),
            )),
        }
    };
    let device_code = text("device_code", true)?.unwrap_or_default();
    let user_code = text("user_code", true)?.unwrap_or_default();
    if user_code.len() > 128 || user_code.chars().any(char::is_control) {
        return Err(bad(ENDPOINT, "`user_code` is not a short printable code"));
    }
    let verification_uri = text("verification_uri", true)?.unwrap_or_default();
    check_web_url(ENDPOINT, "verification_uri", &verification_uri)?;
    let verification_uri_complete = text("verification_uri_complete", false)?;
    if let Some(complete) = &verification_uri_complete {
        check_web_url(ENDPOINT, "verification_uri_complete", complete)?;
    }
    let expires_in = match object.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64().filter(|s| *s > 0).map(|s| s.min(MAX_EXPIRES_IN)),
        _ => None,
    }
    .ok_or_else(|| {
        bad(
            ENDPOINT,
            "`expires_in` is missing or not a positive integer",
        )
    })?;
    let interval = match object.get("interval") {
        None => DEFAULT_INTERVAL,
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|s| Duration::from_secs(s.clamp(1, MAX_INTERVAL_SECS)))
            .ok_or_else(|| bad(ENDPOINT, "`interval` is not a non-negative integer"))?,
        Some(_) => return Err(bad(ENDPOINT, "`interval` is not a number")),
    };
    Ok(DeviceAuthorization {
        device_code: DeviceCode::new(device_code),
        user_code,
        verification_uri,
        verification_uri_complete,
        expires_at: issued_at
            .checked_add(Duration::from_secs(expires_in))
            .ok_or_else(|| bad(ENDPOINT, "`expires_in` is out of range"))?,
        interval,
        audience: audience.map(str::to_owned),
    })
}

fn error_response(endpoint: &'static str, body: &[u8]) -> Option<Error> {
    let object: Map<String, Value> = serde_json::from_slice(body).ok()?;
    token_response::oauth_error(endpoint, &object)
}

fn json_object(endpoint: &'static str, body: &[u8]) -> Result<Map<String, Value>, Error> {
    serde_json::from_slice(body).map_err(|_| bad(endpoint, "the body is not a JSON object"))
}

fn check_web_url(endpoint: &'static str, name: &str, value: &str) -> Result<(), Error> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(()),
        _ => Err(bad(endpoint, &format!("`{name}` is not an http(s) URL"))),
    }
}

fn bad(endpoint: &'static str, reason: &str) -> Error {
    Error::InvalidResponse {
        endpoint,
        reason: reason.to_owned(),
    }
}

/// `url` parsed; an error naming `what`, never echoing the URL (it may carry a query).
fn absolute(url: &str, what: &'static str) -> Result<url::Url, Error> {
    url::Url::parse(url).map_err(|_| {
        Error::Config(ConfigError::InvalidUrl {
            what,
            reason: "not an absolute URL".into(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_recognized_and_sanitized() {
        let body = br#"{"error":"access_denied","error_description":"<b>no</b>"}"#;
        match error_response("token", body) {
            Some(Error::OAuth {
                code, description, ..
            }) => {
                assert_eq!(code.as_str(), "access_denied");
                assert!(!description.unwrap().contains('<'));
            }
            other => panic!("{other:?}"),
        }
        assert!(error_response("token", b"<html>").is_none());
        assert!(error_response("token", b"{\"error\":1}").is_none());
    }

    /// The example in the module documentation: compiled, not run.
    #[allow(dead_code)]
    async fn doc_example(http: &reqwest::Client) -> Result<(), crate::Error> {
        use crate::AudienceParam;
        use crate::device::DeviceGrant;

        let grant = DeviceGrant::new(
            http,
            "device-client",
            "https://tenant.example.com/device/auth",
            "https://tenant.example.com/token",
        )
        .scopes(&["openid", "offline_access"])
        .audience(AudienceParam::Resource, "https://api.example.com/orders");
        let authorization = grant.start().await?;
        println!(
            "go to {} and type {}",
            authorization.verification_uri(),
            authorization.user_code()
        );
        let tokens = grant.poll(&authorization, None).await?;
        let _ = tokens;
        Ok(())
    }
}
