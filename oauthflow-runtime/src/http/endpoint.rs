//! The one request/response path of every back-channel endpoint (token, discovery, JWKS, device
//! authorization): build the request, send it under one timeout, refuse redirects, read the body
//! up to the endpoint's cap, and map transport errors without URL and with sanitized text.
//!
//! Interpreting the status is left to the caller (a token endpoint's 400 carries an OAuth error
//! body, a JWKS 400 does not); [`HttpResponse::status_error`] gives the common error.

use std::time::Duration;

use url::Url;

use crate::error::{Error, sanitize_description};
use crate::limits::{
    MAX_DEVICE_AUTHORIZATION_BYTES, MAX_DISCOVERY_BYTES, MAX_JWKS_BYTES,
    MAX_PUSHED_AUTHORIZATION_BYTES, MAX_REVOCATION_BYTES, MAX_TOKEN_RESPONSE_BYTES,
    MAX_USERINFO_BYTES,
};

use super::form::Form;

/// A back-channel endpoint: its name (in errors and logs) and the largest body read from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The name errors carry (`Error::Transport { endpoint, .. }`).
    pub(crate) name: &'static str,
    /// Largest response body read.
    pub(crate) max_body: usize,
}

impl Endpoint {
    /// The token endpoint (RFC 6749 §3.2).
    pub(crate) const TOKEN: Endpoint = Endpoint {
        name: "token",
        max_body: MAX_TOKEN_RESPONSE_BYTES,
    };
    /// The discovery document (RFC 8414 §3, OIDC Discovery §4).
    pub(crate) const DISCOVERY: Endpoint = Endpoint {
        name: "discovery",
        max_body: MAX_DISCOVERY_BYTES,
    };
    /// The issuer's `jwks_uri`.
    pub(crate) const JWKS: Endpoint = Endpoint {
        name: "jwks",
        max_body: MAX_JWKS_BYTES,
    };
    /// The pushed authorization request endpoint (RFC 9126).
    pub(crate) const PUSHED_AUTHORIZATION: Endpoint = Endpoint {
        name: "pushed authorization request",
        max_body: MAX_PUSHED_AUTHORIZATION_BYTES,
    };
    /// The revocation endpoint (RFC 7009).
    pub(crate) const REVOCATION: Endpoint = Endpoint {
        name: "revocation",
        max_body: MAX_REVOCATION_BYTES,
    };
    /// The userinfo endpoint (OIDC Core §5.3).
    pub(crate) const USERINFO: Endpoint = Endpoint {
        name: "userinfo",
        max_body: MAX_USERINFO_BYTES,
    };
    /// The device authorization endpoint (RFC 8628 §3.1).
    pub(crate) const DEVICE_AUTHORIZATION: Endpoint = Endpoint {
        name: "device_authorization",
        max_body: MAX_DEVICE_AUTHORIZATION_BYTES,
    };
}

/// One request to an [`Endpoint`]: a `GET`, or a `POST` of a [`Form`]. Not `Debug`: its URL
/// may carry a query and its form carries secrets.
pub(crate) struct Request<'a> {
    endpoint: Endpoint,
    url: &'a Url,
    form: Option<&'a Form>,
    accept: &'static str,
    /// An access token sent as `Authorization: Bearer` (RFC 6750 §2.1), e.g. to userinfo, or
    /// as `Authorization: DPoP` when the request carries a proof.
    bearer: Option<&'a str>,
    /// A DPoP proof (RFC 9449 §4), sent as the `DPoP` header.
    dpop: Option<reqwest::header::HeaderValue>,
}

impl<'a> Request<'a> {
    /// `GET url` with `Accept: application/json`.
    pub(crate) fn get(endpoint: Endpoint, url: &'a Url) -> Self {
        Request {
            endpoint,
            url,
            form: None,
            accept: "application/json",
            bearer: None,
            dpop: None,
        }
    }

    /// Sends `access_token` as `Authorization: Bearer` (a `GET` to a protected endpoint).
    pub(crate) fn bearer(mut self, access_token: &'a str) -> Self {
        self.bearer = Some(access_token);
        self
    }

    /// Sends `proof` as the `DPoP` header; an access token then goes as `Authorization: DPoP`
    /// (RFC 9449 §7.1).
    pub(crate) fn dpop(mut self, proof: Option<reqwest::header::HeaderValue>) -> Self {
        self.dpop = proof;
        self
    }

    /// `POST url` with the form as body (and its `Authorization` header, if any). Never retried
    /// here: callers decide.
    pub(crate) fn post_form(endpoint: Endpoint, url: &'a Url, form: &'a Form) -> Self {
        Request {
            form: Some(form),
            ..Self::get(endpoint, url)
        }
    }

    /// Replaces the `Accept` header.
    pub(crate) fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }

    /// What a `tracing` event may say about the request (R35): the method, the URL without
    /// query, fragment or user info, the form's parameter names (never values), and whether the
    /// client authenticates with HTTP Basic.
    fn described(&self) -> (&'static str, String, String, bool) {
        let mut url = self.url.clone();
        url.set_query(None);
        url.set_fragment(None);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        match self.form {
            None => ("GET", url.to_string(), String::new(), false),
            Some(form) => (
                "POST",
                url.to_string(),
                form.names().join(","),
                form.authorization_header().is_some(),
            ),
        }
    }

    fn build(&self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let builder = match self.form {
            None => client.get(self.url.clone()),
            Some(form) => {
                let builder = client
                    .post(self.url.clone())
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(form.encode());
                match form.authorization_header() {
                    Some(auth) => builder.header(reqwest::header::AUTHORIZATION, auth),
                    None => builder,
                }
            }
        };
        let builder = match &self.dpop {
            Some(proof) => builder.header("dpop", proof.clone()),
            None => builder,
        };
        let scheme = if self.dpop.is_some() {
            "DPoP"
        } else {
            "Bearer"
        };
        let builder = match self.bearer {
            Some(token) => {
                match reqwest::header::HeaderValue::try_from(format!("{scheme} {token}")) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        builder.header(reqwest::header::AUTHORIZATION, value)
                    }
                    // Not a valid header value: sent without it, the server answers 401.
                    Err(_) => builder,
                }
            }
            None => builder,
        };
        builder.header(reqwest::header::ACCEPT, self.accept)
    }
}

/// A response read completely (up to its endpoint's cap).
pub(crate) struct HttpResponse {
    /// The HTTP status code.
    pub(crate) status: u16,
    /// The `Content-Type` header, if any.
    pub(crate) content_type: Option<String>,
    /// `Retry-After` in seconds, if sent as a number.
    pub(crate) retry_after: Option<u64>,
    /// The `DPoP-Nonce` header (RFC 9449 §8), if any.
    pub(crate) dpop_nonce: Option<String>,
    /// A `WWW-Authenticate: DPoP error="use_dpop_nonce"` challenge came with it (RFC 9449 §9).
    pub(crate) use_dpop_nonce_challenge: bool,
    /// How long the answer may be kept, from `Cache-Control`: `max-age` in seconds, `0` for
    /// `no-store` or `no-cache`; `None` when it says neither.
    pub(crate) max_age: Option<u64>,
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

    /// Whether the status is 2xx.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// [`Error::HttpStatus`] for this response's status and `Retry-After`.
    pub(crate) fn status_error(&self, endpoint: &'static str) -> Error {
        Error::HttpStatus {
            endpoint,
            status: self.status,
            retry_after: self.retry_after,
        }
    }
}

/// Sends `request` through `client` and reads the answer, all within `timeout` (`None`: only the
/// client's own). The one back-channel path: every endpoint goes through it.
///
/// # Errors
/// [`Error::RedirectRefused`] for a 3xx answer, or when `client` followed a redirect itself
/// (`status` 0 then: the redirect's own status is not known); [`Error::Timeout`];
/// [`Error::Transport`] (sanitized, never with the URL); [`Error::InvalidResponse`] when a
/// successful answer's body is larger than the endpoint's cap — an error status with an oversized
/// body is reported as [`Error::HttpStatus`], which says more.
pub(crate) async fn send(
    client: &reqwest::Client,
    request: Request<'_>,
    timeout: Option<Duration>,
) -> Result<HttpResponse, Error> {
    let endpoint = request.endpoint.name;
    let exchange = exchange(client, &request);
    // Described only for a subscriber that wants it: no allocation otherwise.
    if tracing::enabled!(tracing::Level::DEBUG) {
        let (method, url, params, basic_auth) = request.described();
        tracing::debug!(
            endpoint,
            method,
            url,
            params,
            basic_auth,
            "oauthflow: back-channel request"
        );
    }
    let Some(timeout) = timeout else {
        return exchange.await;
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(
                endpoint,
                timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                "oauthflow: back-channel request timed out"
            );
            Err(Error::Timeout { endpoint })
        }
    }
}

async fn exchange(client: &reqwest::Client, request: &Request<'_>) -> Result<HttpResponse, Error> {
    let endpoint = request.endpoint.name;
    let response = request
        .build(client)
        .send()
        .await
        .map_err(|e| map_reqwest(endpoint, e))?;
    let status = response.status().as_u16();
    tracing::debug!(endpoint, status, "oauthflow: back-channel response");
    let followed = response.url() != request.url;
    if (300..400).contains(&status) || followed {
        tracing::warn!(
            endpoint,
            status,
            "oauthflow: refused a redirect on a back-channel request"
        );
        return Err(Error::RedirectRefused {
            endpoint,
            status: if followed { 0 } else { status },
        });
    }
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok());
    let max_age = header(reqwest::header::CACHE_CONTROL).and_then(|v| max_age(&v));
    let dpop_nonce = header(reqwest::header::HeaderName::from_static("dpop-nonce"));
    let use_dpop_nonce_challenge =
        crate::www_authenticate::has_error(response.headers(), "DPoP", "use_dpop_nonce");
    let mut answer = HttpResponse {
        status,
        content_type,
        retry_after,
        dpop_nonce,
        use_dpop_nonce_challenge,
        max_age,
        body: Vec::new(),
    };
    match read_capped(request.endpoint, response).await? {
        Some(body) => answer.body = body,
        None if answer.is_success() => {
            return Err(Error::InvalidResponse {
                endpoint,
                reason: format!(
                    "the response body is larger than {} bytes",
                    request.endpoint.max_body
                ),
            });
        }
        None => return Err(answer.status_error(endpoint)),
    }
    Ok(answer)
}

/// The body, or `None` when it is larger than the endpoint's cap (nothing more is read then).
async fn read_capped(
    endpoint: Endpoint,
    mut response: reqwest::Response,
) -> Result<Option<Vec<u8>>, Error> {
    let cap = endpoint.max_body;
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| map_reqwest(endpoint.name, e))?
    {
        if body.len() + chunk.len() > cap {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// Maps a reqwest error to a typed error that never contains the URL (which may carry a query)
/// and whose text is sanitized (it may quote what a server or proxy sent).
/// `max-age` of a `Cache-Control` value (RFC 9111 §5.2.2.1); `no-store` and `no-cache` count as
/// `0` whatever else is said.
fn max_age(cache_control: &str) -> Option<u64> {
    let mut max_age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "no-store" | "no-cache" => return Some(0),
            "max-age" => max_age = value.trim().trim_matches('"').parse().ok().or(max_age),
            _ => {}
        }
    }
    max_age
}

fn map_reqwest(endpoint: &'static str, error: reqwest::Error) -> Error {
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
    Error::Transport {
        endpoint,
        reason: sanitize_description(&reason),
        // Only a failed connection proves the server never saw the request.
        request_sent: !error.is_connect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_request_carries_no_value() {
        let url =
            Url::parse("https://user:pw-s3cret@as.example.com/token?key=k3y-s3cret#frag").unwrap();
        let (method, shown, params, _) = Request::get(Endpoint::TOKEN, &url).described();
        assert_eq!(
            (method, shown.as_str()),
            ("GET", "https://as.example.com/token")
        );
        assert!(params.is_empty());
        let mut form = Form::default();
        form.param("grant_type", "client_credentials")
            .param("client_secret", "f0rm-s3cret")
            .authorization("Basic b64-s3cret".into());
        let (method, shown, params, basic) =
            Request::post_form(Endpoint::TOKEN, &url, &form).described();
        assert_eq!(method, "POST");
        assert_eq!(params, "grant_type,client_secret");
        assert!(basic);
        assert!(!format!("{shown}{params}").contains("s3cret"));
    }

    #[test]
    fn cache_control_max_age() {
        assert_eq!(max_age("max-age=300"), Some(300));
        assert_eq!(max_age("public, Max-Age=\"60\", must-revalidate"), Some(60));
        assert_eq!(max_age("max-age=300, no-cache"), Some(0));
        assert_eq!(max_age("no-store"), Some(0));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=-1"), None);
        assert_eq!(max_age("max-age=99999999999999999999999"), None);
    }

    #[test]
    fn status_error_carries_retry_after() {
        let response = HttpResponse {
            status: 503,
            content_type: None,
            retry_after: Some(7),
            dpop_nonce: None,
            use_dpop_nonce_challenge: false,
            max_age: None,
            body: Vec::new(),
        };
        assert!(!response.is_success());
        assert!(matches!(
            response.status_error("jwks"),
            Error::HttpStatus {
                endpoint: "jwks",
                status: 503,
                retry_after: Some(7)
            }
        ));
    }

    #[tokio::test]
    async fn transport_errors_carry_no_url() {
        // A port nothing listens on: bind one, then close it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = Url::parse(&format!("http://127.0.0.1:{port}/token?secret=s3cret")).unwrap();
        let err = send(
            &reqwest::Client::new(),
            Request::get(Endpoint::TOKEN, &url),
            Some(Duration::from_secs(5)),
        )
        .await
        .err()
        .expect("nothing listens there");
        assert!(
            matches!(
                err,
                Error::Transport {
                    endpoint: "token",
                    request_sent: false,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
