//! OpenID Connect implicit flow for an ID token only (`response_type=id_token`), answered with
//! the Form Post Response Mode (`response_mode=form_post`): the authorization server's page
//! auto-submits an HTML form that POSTs `id_token` and `state` to the redirect URI.
//!
//! # How the client calls it
//!
//! Crate-internal, so not a doctest: `form_post::tests::doc_example` compiles this code.
//!
//! ```ignore
//! # async fn demo(http: &reqwest::Client, posted_body: &str) -> Result<(), crate::Error> {
//! use crate::form_post;
//! use crate::id_token::{IdTokenValidation, JwksCache};
//!
//! // `authorize_url()`: discovery's `authorization_endpoint`, the configured issuer, client ID,
//! // redirect URI (https, also on loopback: OIDC Core §3.2.2.1) and scopes.
//! let (url, pending) = form_post::authorize_url(
//!     "https://tenant.example.com/authorize",
//!     "https://tenant.example.com/",
//!     "spa-login-client",
//!     "https://app.example.com/callback",
//!     &["openid", "email"],
//! )?;
//! // ... the user agent goes to `url`; the app keeps `pending` keyed by `pending.state()` ...
//!
//! // `verify_form_post(pending, body)`: the JWKS cache of the issuer (discovery's `jwks_uri`).
//! let jwks = JwksCache::new("https://tenant.example.com/jwks");
//! let validation = IdTokenValidation::new("https://tenant.example.com/", "spa-login-client");
//! let claims = form_post::verify(posted_body, pending, &validation, &jwks, http).await?;
//! # let _ = (url, claims); Ok(()) }
//! ```
//!
//! # The SameSite cookie caveat (R34)
//!
//! The browser delivers the response as a **cross-site top-level POST** from the authorization
//! server's origin. Such a request carries no `SameSite=Lax` or `SameSite=Strict` cookie, so a
//! session cookie of that kind does not identify the pending login at the callback. Keep the
//! [`PendingAuthorization`] in a server-side store keyed by its
//! [`state`](PendingAuthorization::state) (look it up with the posted `state`, then remove it), or
//! use a dedicated `SameSite=None; Secure; HttpOnly` cookie for it. The `state` is still compared
//! again here, in constant time, before anything else of the response is used.
//!
//! The callback handler should also call [`check_request`] with the request's method,
//! `Content-Type` and query: the response is accepted only as an
//! `application/x-www-form-urlencoded` POST body, never from a query string.

use std::collections::HashMap;

use oauth2::CsrfToken;
use openidconnect::Nonce;
use url::Url;

use crate::claims::IdTokenClaims;
use crate::error::{ConfigError, Error, OAuthErrorCode, sanitize_description};
use crate::id_token::{IdTokenValidation, JwksCache};
use crate::kind::Flow;
use crate::limits::MAX_FORM_BODY_BYTES;
use crate::pending::PendingAuthorization;
use crate::quirks::{Quirk, Quirks};
use crate::secret_eq::secrets_equal;

/// Random octets in `state` and `nonce` (256 bits, base64url-encoded).
const RANDOM_OCTETS: u32 = 32;

/// Parameters that, in a query string, mean the authorization response leaked into the URL.
const RESPONSE_PARAMS: &[&str] = &["id_token", "state", "error", "code", "access_token"];

/// Builds the implicit-flow authorization URL: `response_type=id_token`,
/// `response_mode=form_post`, `scope` (always with `openid`), a fresh `state` and `nonce`
/// (256 random bits each), `redirect_uri` and `client_id`.
///
/// `authorization_endpoint` must be an absolute URL without fragment (its own query parameters
/// are kept); `redirect_uri` must be `https` (OIDC Core §3.2.2.1) and is sent verbatim.
pub fn authorize_url(
    authorization_endpoint: &str,
    issuer: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
) -> Result<(Url, PendingAuthorization), Error> {
    let mut url = Url::parse(authorization_endpoint).map_err(|_| ConfigError::InvalidUrl {
        what: "authorization_endpoint",
        reason: "not an absolute URL".into(),
    })?;
    if url.fragment().is_some() {
        return Err(ConfigError::InvalidUrl {
            what: "authorization_endpoint",
            reason: "it must not have a fragment".into(),
        }
        .into());
    }
    let redirect = Url::parse(redirect_uri).map_err(|_| ConfigError::InvalidUrl {
        what: "redirect_uri",
        reason: "not an absolute URL".into(),
    })?;
    if redirect.scheme() != "https" || redirect.fragment().is_some() {
        return Err(ConfigError::InvalidUrl {
            what: "redirect_uri",
            reason: "an ID-token-only (implicit, form post) redirect must be https without fragment, even on loopback (OIDC Core §3.2.2.1)".into(),
        }
        .into());
    }

    let mut scope: Vec<&str> = vec!["openid"];
    for s in scopes {
        if !s.is_empty() && !scope.contains(s) {
            scope.push(s);
        }
    }
    let state = CsrfToken::new_random_len(RANDOM_OCTETS).secret().clone();
    let nonce = Nonce::new_random_len(RANDOM_OCTETS).secret().clone();
    url.query_pairs_mut()
        .append_pair("response_type", "id_token")
        .append_pair("response_mode", "form_post")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scope.join(" "))
        .append_pair("state", &state)
        .append_pair("nonce", &nonce);
    let pending = PendingAuthorization {
        flow: Flow::ImplicitFormPost,
        issuer: issuer.to_owned(),
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        audience: None,
        state,
        nonce: Some(nonce),
        pkce_verifier: None,
        max_age: None,
    };
    Ok((url, pending))
}

/// Checks the HTTP request that carried the form post, before its body is read: the method must
/// be `POST`, the `Content-Type` `application/x-www-form-urlencoded` (parameters such as
/// `charset` allowed), and the query must not carry any response parameter (`id_token`, `state`,
/// `error`, `code`, `access_token`): a response in the URL leaks into logs, history and
/// `Referer`, and is refused (R34).
///
/// Call it in the handler of the redirect URI of an ID-token-only client (`kind = "spa"`,
/// `access_token = false`) before `verify_form_post`, with the request's method, its
/// `Content-Type` header and its query string:
///
/// ```
/// use oauthflow_runtime::check_form_post_request;
///
/// assert!(check_form_post_request("POST", Some("application/x-www-form-urlencoded"), None).is_ok());
/// // A response in the URL (GET, or a query with `id_token`) is refused.
/// assert!(check_form_post_request("GET", None, Some("id_token=eyJ&state=s")).is_err());
/// assert!(check_form_post_request("POST", Some("application/json"), None).is_err());
/// ```
///
/// # Errors
///
/// [`Error::InvalidCallback`] saying which of the three checks failed.
pub fn check_request(
    method: &str,
    content_type: Option<&str>,
    query: Option<&str>,
) -> Result<(), Error> {
    if let Some(query) = query {
        let leaked = url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .any(|(name, _)| RESPONSE_PARAMS.contains(&name.as_ref()));
        if leaked {
            return Err(callback(
                "the authorization response arrived in the query string; only a form post body is accepted (response_mode=form_post)",
            ));
        }
    }
    if method != "POST" {
        return Err(callback(
            "the form post callback must be an HTTP POST (response_mode=form_post)",
        ));
    }
    let media_type = content_type
        .and_then(|ct| ct.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(callback(
            "the form post callback must have Content-Type application/x-www-form-urlencoded",
        ));
    }
    Ok(())
}

/// Checks a form post response and validates its ID token (nonce from `pending`).
///
/// Order: `pending` belongs to this client (flow, issuer, client ID — else
/// [`Error::PendingMismatch`]); the body is a strict `x-www-form-urlencoded` form (no duplicate
/// parameter; empty values count as absent — else [`Error::InvalidCallback`]); `state` present
/// and equal, compared in constant time, **before anything else** ([`Error::StateMismatch`]);
/// `iss`, if sent, equal to the issuer (RFC 9207, [`Error::IssuerMismatch`]); an `error` becomes
/// [`Error::OAuth`] with a sanitized description; then the `id_token` is validated in full
/// ([`crate::id_token::verify`]), its `nonce` required and equal to the one sent.
pub async fn verify(
    form_body: &str,
    pending: PendingAuthorization,
    validation: &IdTokenValidation<'_>,
    jwks: &JwksCache,
    http: &reqwest::Client,
) -> Result<IdTokenClaims, Error> {
    if pending.flow != Flow::ImplicitFormPost {
        return Err(mismatch(
            "it was not created for the implicit form post flow",
        ));
    }
    if pending.issuer != validation.issuer() {
        return Err(mismatch("it was sent to another issuer"));
    }
    if pending.client_id != validation.client_id() {
        return Err(mismatch("it was created for another client ID"));
    }
    let Some(nonce) = pending.nonce.as_deref() else {
        return Err(mismatch("it has no nonce"));
    };

    let params = parse_form(form_body)?;
    match params.get("state") {
        Some(state) if secrets_equal(state, &pending.state) => {}
        _ => return Err(Error::StateMismatch),
    }
    if let Some(iss) = params.get("iss")
        && *iss != pending.issuer
    {
        return Err(Error::IssuerMismatch {
            expected: pending.issuer.clone(),
            found: sanitize_description(iss),
        });
    }
    if let Some(code) = params.get("error") {
        if params.contains_key("id_token") {
            return Err(callback("the response has both `error` and `id_token`"));
        }
        return Err(Error::OAuth {
            endpoint: "authorization",
            code: OAuthErrorCode::new(code),
            description: params
                .get("error_description")
                .map(|d| sanitize_description(d)),
        });
    }
    for unexpected in ["code", "access_token"] {
        if params.contains_key(unexpected) {
            return Err(callback(&format!(
                "the response carries `{unexpected}` although only an ID token was requested (response_type=id_token)"
            )));
        }
    }
    let Some(id_token) = params.get("id_token") else {
        return Err(callback("the response has no `id_token`"));
    };
    crate::id_token::verify(id_token, validation, Some(nonce), jwks, http).await
}

/// The first check of [`verify`] on its own, for callers that must not touch the network
/// before it (R15): the body parses strictly and its `state` equals the pending one (constant
/// time).
pub(crate) fn check_state(form_body: &str, pending: &PendingAuthorization) -> Result<(), Error> {
    let params = parse_form(form_body)?;
    match params.get("state") {
        Some(state) if secrets_equal(state, &pending.state) => Ok(()),
        _ => Err(Error::StateMismatch),
    }
}

/// RFC 9207 §2.4: a server that announces `authorization_response_iss_parameter_supported` sends
/// `iss` in its authorization responses; an **error** response without it is refused
/// ([`Error::MissingIssuer`], its `error` code kept unverified), as in the code flow — unless
/// the settings accept [`Quirk::ErrorResponseWithoutIss`], which lets [`verify`] report the
/// server's error. A response that carries an ID token needs no `iss` parameter — servers omit
/// it there (oidc-provider does), since the ID token's own `iss`, checked against the issuer
/// the request went to, identifies the server. Whether a sent `iss` is the right one is checked
/// by [`verify`].
pub(crate) fn require_iss(form_body: &str, quirks: Quirks) -> Result<(), Error> {
    let params = parse_form(form_body)?;
    if params.contains_key("iss") || params.contains_key("id_token") {
        return Ok(());
    }
    match params.get("error") {
        Some(_) if quirks.accept(Quirk::ErrorResponseWithoutIss) => Ok(()),
        error => Err(Error::MissingIssuer {
            unverified_error: error.map(|code| OAuthErrorCode::new(code)),
        }),
    }
}

/// Parses an `application/x-www-form-urlencoded` body strictly: duplicates are errors, empty
/// values are absent, a URL or query string is refused.
fn parse_form(body: &str) -> Result<HashMap<String, String>, Error> {
    if body.len() > MAX_FORM_BODY_BYTES {
        return Err(callback("the form body is larger than 128 KiB"));
    }
    let body = body.trim_end_matches(['\r', '\n']);
    let first_name = body.split(['&', '=']).next().unwrap_or_default();
    if body.starts_with('?') || first_name.contains("://") || first_name.contains('?') {
        return Err(callback(
            "expected the POSTed form body, got a URL or query string (the response must arrive by form post)",
        ));
    }
    let mut params = HashMap::new();
    // Names seen, empty values included: `state=&state=x` is a duplicate too.
    let mut seen = std::collections::HashSet::new();
    for (name, value) in url::form_urlencoded::parse(body.as_bytes()) {
        let fresh = seen.insert(name.clone());
        if fresh && value.is_empty() {
            continue;
        }
        if !fresh
            || params
                .insert(name.to_string(), value.into_owned())
                .is_some()
        {
            return Err(callback(&format!(
                "the parameter `{}` appears more than once",
                sanitize_description(&name)
            )));
        }
    }
    Ok(params)
}

fn callback(reason: &str) -> Error {
    Error::InvalidCallback {
        reason: reason.to_owned(),
    }
}

fn mismatch(reason: &str) -> Error {
    Error::PendingMismatch {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9207 §2.4 in the form post, and the quirk `error_response_without_iss`: only an
    /// *error* body without `iss` passes with it; the refused one keeps its code, unverified.
    #[test]
    fn require_iss_and_the_error_response_quirk() {
        let lenient = Quirks::NONE.with(Quirk::ErrorResponseWithoutIss);
        let denied = "error=access_denied&state=s";
        match require_iss(denied, Quirks::NONE) {
            Err(Error::MissingIssuer {
                unverified_error: Some(code),
            }) => assert_eq!(code.as_str(), "access_denied"),
            other => panic!("{other:?}"),
        }
        assert!(require_iss(denied, lenient).is_ok());
        for quirks in [Quirks::NONE, lenient] {
            assert!(matches!(
                require_iss("state=s", quirks),
                Err(Error::MissingIssuer {
                    unverified_error: None
                })
            ));
            assert!(require_iss("state=s&id_token=a.b.c", quirks).is_ok());
            assert!(require_iss("error=x&state=s&iss=https%3A%2F%2Fop.example", quirks).is_ok());
        }
    }

    #[test]
    fn authorize_url_carries_the_implicit_form_post_parameters() {
        let (url, pending) = authorize_url(
            "https://op.example/authorize?tenant=a",
            "https://op.example",
            "spa",
            "https://127.0.0.1/callback",
            &["email", "openid"],
        )
        .unwrap();
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["tenant"], "a");
        assert_eq!(q["response_type"], "id_token");
        assert_eq!(q["response_mode"], "form_post");
        assert_eq!(q["client_id"], "spa");
        assert_eq!(q["redirect_uri"], "https://127.0.0.1/callback");
        assert_eq!(q["scope"], "openid email");
        assert_eq!(q["state"], pending.state);
        assert_eq!(Some(q["nonce"].as_str()), pending.nonce.as_deref());
        assert!(q["state"].len() >= 43 && q["nonce"].len() >= 43);
        assert_ne!(q["state"], q["nonce"]);
        assert_eq!(pending.flow, Flow::ImplicitFormPost);
        let shown = format!("{pending:?}");
        assert!(!shown.contains(&q["state"]) && !shown.contains(&q["nonce"]));
    }

    #[test]
    fn authorize_url_refuses_http_redirects_and_fragments() {
        for (endpoint, redirect) in [
            ("https://op.example/authorize", "http://127.0.0.1/callback"),
            ("https://op.example/authorize", "https://app.example/cb#x"),
            ("https://op.example/authorize#f", "https://app.example/cb"),
            ("not a url", "https://app.example/cb"),
        ] {
            assert!(
                matches!(
                    authorize_url(endpoint, "https://op.example", "c", redirect, &[]),
                    Err(Error::Config(ConfigError::InvalidUrl { .. }))
                ),
                "{endpoint} {redirect}"
            );
        }
    }

    #[test]
    fn states_are_fresh() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let (_, p) =
                authorize_url("https://op/a", "https://op", "c", "https://r/cb", &[]).unwrap();
            assert!(seen.insert(p.state));
        }
    }

    #[test]
    fn check_request_accepts_only_form_posts() {
        assert!(check_request("POST", Some("application/x-www-form-urlencoded"), None).is_ok());
        assert!(
            check_request(
                "POST",
                Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
                Some("")
            )
            .is_ok()
        );
        assert!(
            check_request(
                "POST",
                Some("application/x-www-form-urlencoded"),
                Some("lang=en")
            )
            .is_ok()
        );
        assert!(check_request("GET", Some("application/x-www-form-urlencoded"), None).is_err());
        assert!(check_request("POST", Some("application/json"), None).is_err());
        assert!(check_request("POST", None, None).is_err());
        let leaked = check_request("GET", None, Some("id_token=eyJ&state=s")).unwrap_err();
        assert!(leaked.to_string().contains("query string"), "{leaked}");
        assert!(
            check_request(
                "POST",
                Some("application/x-www-form-urlencoded"),
                Some("?state=s")
            )
            .is_err()
        );
    }

    #[test]
    fn parse_form_is_strict() {
        for body in [
            "state=&state=s",
            "state=s&state=",
            "id_token=&id_token=a.b.c",
        ] {
            assert!(parse_form(body).is_err(), "{body}");
        }
        let ok = parse_form("id_token=a.b.c&state=s&empty=&x=1\r\n").unwrap();
        assert_eq!(ok["state"], "s");
        assert!(!ok.contains_key("empty"));
        for bad in [
            "state=a&state=b",
            "id_token=x&id_token=y&state=s",
            "?id_token=x&state=s",
            "https://app.example/cb?id_token=x&state=s",
            "/cb?id_token=x&state=s",
        ] {
            assert!(
                matches!(parse_form(bad), Err(Error::InvalidCallback { .. })),
                "{bad}"
            );
        }
        assert!(parse_form(&"a".repeat(MAX_FORM_BODY_BYTES + 1)).is_err());
    }

    /// The example in the module documentation: compiled, not run.
    #[allow(dead_code)]
    async fn doc_example(http: &reqwest::Client, posted_body: &str) -> Result<(), crate::Error> {
        use crate::form_post;
        use crate::id_token::{IdTokenValidation, JwksCache};

        let (url, pending) = form_post::authorize_url(
            "https://tenant.example.com/authorize",
            "https://tenant.example.com/",
            "spa-login-client",
            "https://app.example.com/callback",
            &["openid", "email"],
        )?;
        let jwks = JwksCache::new("https://tenant.example.com/jwks");
        let validation = IdTokenValidation::new("https://tenant.example.com/", "spa-login-client");
        let claims = form_post::verify(posted_body, pending, &validation, &jwks, http).await?;
        let _ = (url, claims);
        Ok(())
    }
}
