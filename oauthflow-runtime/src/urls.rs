//! URL rules shared by configuration checks and discovered metadata: `https` everywhere, except
//! an `http` loopback IP literal for local development (never `localhost`), and the redirect
//! URI rules of the compile-time policy (rules 9 and 10 of the design).
//!
//! The verdicts are `oauthflow-core`'s, the same the attribute's compile-time rules use, so a
//! value refused in source is refused from the environment too; this module only words them
//! as [`ConfigError::InvalidUrl`] and parses an accepted value with `url`.

use oauthflow_core::{
    EndpointProblem, RedirectProblem, endpoint_verdict, issuer_verdict, redirect_verdict,
};
use url::Url;

use crate::error::ConfigError;
use crate::kind::Kind;

fn invalid(what: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidUrl {
        what,
        reason: reason.into(),
    }
}

/// Parses a value the verdict accepted. The core's splitter refuses whatever `url` could read
/// differently, so this fails only where `url` is the stricter one (an invalid `xn--` label).
fn parse(what: &'static str, value: &str) -> Result<Url, ConfigError> {
    Url::parse(value).map_err(|e| invalid(what, format!("not an absolute URL ({e})")))
}

fn endpoint_reason(problem: EndpointProblem) -> String {
    match problem {
        EndpointProblem::Malformed(e) => format!("not an absolute URL ({e})"),
        EndpointProblem::Localhost => "`localhost` is not accepted, it may resolve elsewhere (RFC 8252 §8.3): use the loopback IP literal `127.0.0.1` (or `[::1]`) for local development, https otherwise".into(),
        EndpointProblem::NotHttps { scheme } if scheme == "http" || scheme == "https" => "it must use https (plain http is accepted only on a loopback IP literal such as 127.0.0.1, for local development)".into(),
        EndpointProblem::NotHttps { scheme } => format!("scheme `{scheme}` is not allowed; use https"),
        EndpointProblem::Userinfo => "it carries user info (`user:pass@`); credentials never go in a URL".into(),
        EndpointProblem::Fragment => "it has a fragment (`#...`); remove it".into(),
        EndpointProblem::Query => "an issuer has no query (`?...`, RFC 8414 §2); remove it".into(),
    }
}

/// Checks a back-channel endpoint (from the attribute, the environment or metadata): `https`, or
/// `http` on a loopback IP literal; no fragment, no user info (RFC 9700 §2.6, OAuth 2.1 §1.5).
pub(crate) fn check_endpoint(what: &'static str, value: &str) -> Result<Url, ConfigError> {
    endpoint_verdict(value).map_err(|p| invalid(what, endpoint_reason(p)))?;
    parse(what, value)
}

/// Checks an issuer identifier (RFC 8414 §2): an endpoint URL that also has no query. Returns the
/// string unchanged: issuers are compared character for character (RFC 8414 §3.3), so it is
/// never normalized (parsing would add a trailing `/`).
pub(crate) fn check_issuer(value: &str) -> Result<String, ConfigError> {
    const WHAT: &str = "issuer";
    issuer_verdict(value).map_err(|p| invalid(WHAT, endpoint_reason(p)))?;
    // Discovery builds its well-known URLs with `url`: it must read the issuer too.
    parse(WHAT, value)?;
    Ok(value.to_owned())
}

fn redirect_reason(problem: RedirectProblem) -> String {
    match problem {
        RedirectProblem::BlockedScheme(scheme) => format!("scheme `{scheme}` is never a redirect target"),
        RedirectProblem::Malformed(e) => format!("not an absolute URL ({e})"),
        RedirectProblem::Fragment => "a redirect URI has no fragment (RFC 6749 §3.1.2)".into(),
        RedirectProblem::Userinfo => "a redirect URI carries no user info".into(),
        RedirectProblem::ResponseParam(p) => format!("its query already has `{p}`, which the authorization response adds; remove it"),
        RedirectProblem::Localhost => "`localhost` is not accepted: use the loopback IP literal `127.0.0.1` (RFC 8252 §8.3)".into(),
        RedirectProblem::FormPostNotHttps => "the form-post (ID token) redirect must be https, even on loopback (OIDC Core §3.2.2.1)".into(),
        RedirectProblem::NativeLoopbackPort => "a native loopback redirect has no port: the runtime binds an ephemeral one (RFC 8252 §7.3)".into(),
        RedirectProblem::NativeHttpNotLoopback
        | RedirectProblem::NativePrivateScheme(_)
        | RedirectProblem::NativeSchemeAuthority => "a native redirect is `http://127.0.0.1/path` (no port), a reverse-DNS private-use scheme such as `com.example.app:/cb`, or https (RFC 8252 §7)".into(),
        RedirectProblem::PlainHttp | RedirectProblem::NotHttps => "it must be https (http only on a loopback IP literal such as 127.0.0.1)".into(),
    }
}

/// Checks a redirect URI with the same rules as the attribute (design §3 rules 6 and 10).
/// `form_post` is the implicit form-post flow, whose redirect must be https even on loopback.
pub(crate) fn check_redirect_uri(
    kind: Kind,
    form_post: bool,
    value: &str,
) -> Result<Url, ConfigError> {
    const WHAT: &str = "redirect_uri";
    redirect_verdict(Some(kind), form_post, value)
        .map_err(|p| invalid(WHAT, redirect_reason(p)))?;
    parse(WHAT, value)
}

/// Checks a `post_logout_redirect_uri` (RP-Initiated Logout §3): the client's own redirect-URI
/// rules — the browser comes back to it the same way.
pub(crate) fn check_post_logout_redirect_uri(kind: Kind, value: &str) -> Result<Url, ConfigError> {
    const WHAT: &str = "post_logout_redirect_uri";
    redirect_verdict(Some(kind), false, value).map_err(|p| invalid(WHAT, redirect_reason(p)))?;
    parse(WHAT, value)
}

/// Checks a redirect URI before the client's kind is known (`Settings::from_env`): refused only
/// if every kind refuses it — the native rules (private-use schemes, loopback without port) or
/// the others' (https, or http on a loopback IP literal). The client's `new` then applies its
/// kind's own rules with [`check_redirect_uri`].
pub(crate) fn check_redirect_uri_for_some_kind(value: &str) -> Result<(), ConfigError> {
    if redirect_verdict(Some(Kind::Native), false, value).is_ok() {
        return Ok(());
    }
    check_redirect_uri(Kind::Web, false, value).map(drop)
}

#[cfg(test)]
mod tests {
    use oauthflow_core::cases::{ENDPOINT_CASES, ISSUER_CASES, REDIRECT_CASES};

    use super::*;

    /// The runtime's side of the one URL table (`oauthflow_core::cases`, which the macro's
    /// policy tests also run): the same cases, through the checks configuration and discovery
    /// call, `url` parse included.
    #[test]
    fn shared_url_cases() {
        for &(kind, form_post, uri, accept) in REDIRECT_CASES {
            let result = check_redirect_uri(kind, form_post, uri);
            assert_eq!(result.is_ok(), accept, "{kind:?} {uri:?}: {result:?}");
        }
        for &(uri, accept) in ENDPOINT_CASES {
            let result = check_endpoint("token_endpoint", uri);
            assert_eq!(result.is_ok(), accept, "{uri:?}: {result:?}");
        }
        for &(uri, accept) in ISSUER_CASES {
            let result = check_issuer(uri);
            assert_eq!(result.is_ok(), accept, "{uri:?}: {result:?}");
        }
    }

    #[test]
    fn redirect_for_some_kind() {
        for uri in [
            "com.example.app:/cb",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:8080/cb",
            "https://app.example.com/cb",
        ] {
            assert!(check_redirect_uri_for_some_kind(uri).is_ok(), "{uri}");
        }
        for uri in [
            "http://app.example.com/cb",
            "https://app.example.com/cb#x",
            "javascript:alert(1)",
            "http://localhost/cb",
        ] {
            assert!(check_redirect_uri_for_some_kind(uri).is_err(), "{uri}");
        }
    }

    #[test]
    fn issuer_is_not_normalized() {
        assert_eq!(
            check_issuer("https://as.example.com").unwrap(),
            "https://as.example.com"
        );
        assert_eq!(
            check_issuer("https://as.example.com/").unwrap(),
            "https://as.example.com/"
        );
    }

    #[test]
    fn reasons_say_what_to_write() {
        let reason = |result: Result<Url, ConfigError>| match result {
            Err(ConfigError::InvalidUrl { reason, .. }) => reason,
            other => panic!("not an InvalidUrl: {other:?}"),
        };
        let ftp = reason(check_endpoint("token_endpoint", "ftp://as.example.com/"));
        assert!(ftp.contains("scheme `ftp`"), "{ftp}");
        let localhost = reason(check_endpoint("jwks_uri", "https://localhost/jwks"));
        assert!(localhost.contains("127.0.0.1"), "{localhost}");
        let blob = reason(check_redirect_uri(
            Kind::Spa,
            false,
            "BLOB:https://app.example.com/x",
        ));
        assert!(blob.contains("scheme `blob`"), "{blob}");
        let port = reason(check_redirect_uri(
            Kind::Native,
            false,
            "http://127.0.0.1:80/cb",
        ));
        assert!(port.contains("no port"), "{port}");
    }
}
