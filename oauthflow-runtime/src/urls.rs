//! URL rules shared by configuration checks and discovered metadata: `https` everywhere, except
//! an `http` loopback IP literal for local development (never `localhost`), and the redirect
//! URI rules of the compile-time policy (rules 9 and 10 of the design).

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::ConfigError;
use crate::kind::Kind;

/// Whether `url` names a loopback IP literal (`127.0.0.0/8` or `[::1]`). `localhost` is not one:
/// a name can be resolved elsewhere (RFC 8252 §8.3).
pub(crate) fn is_loopback_ip_literal(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    }
}

fn parse(what: &'static str, value: &str) -> Result<Url, ConfigError> {
    if value.trim() != value || value.is_empty() {
        return Err(ConfigError::InvalidUrl {
            what,
            reason: "it is empty or has surrounding whitespace".into(),
        });
    }
    Url::parse(value).map_err(|e| ConfigError::InvalidUrl {
        what,
        reason: format!("not an absolute URL ({e})"),
    })
}

/// Checks a back-channel endpoint (from the attribute, the environment or metadata): `https`, or
/// `http` on a loopback IP literal; no fragment, no user info (RFC 9700 §2.6, OAuth 2.1 §1.5).
pub(crate) fn check_endpoint(what: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = parse(what, value)?;
    check_transport(what, &url)?;
    if url.fragment().is_some() {
        return Err(ConfigError::InvalidUrl {
            what,
            reason: "it has a fragment (`#...`); remove it".into(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::InvalidUrl {
            what,
            reason: "it carries user info (`user:pass@`); credentials never go in a URL".into(),
        });
    }
    Ok(url)
}

fn check_transport(what: &'static str, url: &Url) -> Result<(), ConfigError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_ip_literal(url) => Ok(()),
        "http" if url.host_str() == Some("localhost") => Err(ConfigError::InvalidUrl {
            what,
            reason: "`http://localhost` is not accepted: use the loopback IP literal `127.0.0.1` (or `[::1]`) for local development, https otherwise".into(),
        }),
        "http" => Err(ConfigError::InvalidUrl {
            what,
            reason: "it must use https (plain http is accepted only on a loopback IP literal such as 127.0.0.1, for local development)".into(),
        }),
        other => Err(ConfigError::InvalidUrl {
            what,
            reason: format!("scheme `{other}` is not allowed; use https"),
        }),
    }
}

/// Checks an issuer identifier (RFC 8414 §2): an endpoint URL that also has no query. Returns the
/// string unchanged: issuers are compared character for character (RFC 8414 §3.3), so it is
/// never normalized (parsing would add a trailing `/`).
pub(crate) fn check_issuer(value: &str) -> Result<String, ConfigError> {
    let url = check_endpoint("issuer", value)?;
    if url.query().is_some() || value.contains('?') {
        return Err(ConfigError::InvalidUrl {
            what: "issuer",
            reason: "an issuer has no query (`?...`, RFC 8414 §2); remove it".into(),
        });
    }
    if value.contains('#') {
        return Err(ConfigError::InvalidUrl {
            what: "issuer",
            reason: "an issuer has no fragment (`#...`); remove it".into(),
        });
    }
    Ok(value.to_owned())
}

/// Parameters an authorization response adds; a redirect URI that already carries one would be
/// ambiguous.
const RESPONSE_PARAMS: [&str; 5] = ["code", "state", "iss", "error", "id_token"];

/// Checks a redirect URI with the same rules as the attribute (design §3 rules 6 and 10).
/// `form_post` is the implicit form-post flow, whose redirect must be https even on loopback.
pub(crate) fn check_redirect_uri(
    kind: Kind,
    form_post: bool,
    value: &str,
) -> Result<Url, ConfigError> {
    const WHAT: &str = "redirect_uri";
    let invalid = |reason: String| ConfigError::InvalidUrl { what: WHAT, reason };
    let url = parse(WHAT, value)?;
    if matches!(
        url.scheme(),
        "javascript" | "data" | "file" | "vbscript" | "blob"
    ) {
        return Err(invalid(format!(
            "scheme `{}` is never a redirect target",
            url.scheme()
        )));
    }
    if url.fragment().is_some() || value.contains('#') {
        return Err(invalid(
            "a redirect URI has no fragment (RFC 6749 §3.1.2)".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a redirect URI carries no user info".into()));
    }
    if let Some(p) = url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .find(|k| RESPONSE_PARAMS.contains(&k.as_str()))
    {
        return Err(invalid(format!(
            "its query already has `{p}`, which the authorization response adds; remove it"
        )));
    }
    if url.host_str() == Some("localhost") {
        return Err(invalid(
            "`localhost` is not accepted: use the loopback IP literal `127.0.0.1` (RFC 8252 §8.3)"
                .into(),
        ));
    }
    match (kind, url.scheme()) {
        (_, "https") => Ok(url),
        (Kind::Native, "http") if is_loopback_ip_literal(&url) => {
            if url.port().is_some() {
                Err(invalid(
                    "a native loopback redirect has no port: the runtime binds an ephemeral one (RFC 8252 §7.3)".into(),
                ))
            } else {
                Ok(url)
            }
        }
        (Kind::Native, scheme) if scheme != "http" && scheme.contains('.') => Ok(url),
        (Kind::Native, _) => Err(invalid(
            "a native redirect is `http://127.0.0.1/path` (no port), a reverse-DNS private-use scheme such as `com.example.app:/cb`, or https (RFC 8252 §7)".into(),
        )),
        (_, "http") if is_loopback_ip_literal(&url) && !form_post => Ok(url),
        (_, "http") if form_post => Err(invalid(
            "the form-post (ID token) redirect must be https, even on loopback (OIDC Core §3.2.2.1)".into(),
        )),
        _ => Err(invalid(
            "it must be https (http only on a loopback IP literal such as 127.0.0.1)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_https_or_loopback_literal_only() {
        for ok in [
            "https://as.example.com/token",
            "http://127.0.0.1:8080/token",
            "http://127.0.0.2/token",
            "http://[::1]:9000/token",
            "https://localhost/token",
        ] {
            assert!(check_endpoint("token_endpoint", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.test/",
            "http://localhost:8080/token",
            "http://10.0.0.1/token",
            "ftp://as.example.com/",
            "https://as.example.com/token#frag",
            "https://user:pw@as.example.com/token",
            "not a url",
            "",
            " https://as.example.com",
        ] {
            assert!(check_endpoint("token_endpoint", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn issuer_rules_and_no_normalization() {
        assert_eq!(
            check_issuer("https://as.example.com").unwrap(),
            "https://as.example.com"
        );
        assert_eq!(
            check_issuer("https://as.example.com/").unwrap(),
            "https://as.example.com/"
        );
        assert!(check_issuer("http://127.0.0.1:3000").is_ok());
        assert!(check_issuer("https://as.example.com/?tenant=1").is_err());
        assert!(check_issuer("https://as.example.com/?").is_err());
        assert!(check_issuer("https://as.example.com/#").is_err());
        assert!(check_issuer("http://auth.example.com").is_err());
        assert!(check_issuer("http://localhost:3000").is_err());
    }

    #[test]
    fn redirect_uri_rules() {
        use Kind::*;
        let ok = [
            (Web, "https://app.example.com/callback"),
            (Web, "http://127.0.0.1:8080/callback"),
            (Spa, "http://[::1]:5173/cb?x=1"),
            (Native, "http://127.0.0.1/callback"),
            (Native, "com.example.app:/oauth2redirect"),
            (Native, "https://app.example.com/cb"),
        ];
        for (kind, uri) in ok {
            assert!(
                check_redirect_uri(kind, false, uri).is_ok(),
                "{kind:?} {uri}"
            );
        }
        let bad = [
            (Web, "http://app.example.com/callback"),
            (Web, "http://localhost:8080/callback"),
            (Web, "https://app.example.com/callback#x"),
            (Web, "https://app.example.com/callback?code=1"),
            (Web, "https://app.example.com/callback?state=1"),
            (Web, "https://u:p@app.example.com/callback"),
            (Web, "javascript:alert(1)"),
            (Native, "http://127.0.0.1:8080/callback"),
            (Native, "myapp:/cb"),
            (Native, "http://localhost/callback"),
        ];
        for (kind, uri) in bad {
            assert!(
                check_redirect_uri(kind, false, uri).is_err(),
                "{kind:?} {uri}"
            );
        }
        assert!(check_redirect_uri(Spa, true, "http://127.0.0.1:5173/cb").is_err());
        assert!(check_redirect_uri(Spa, true, "https://127.0.0.1/cb").is_ok());
    }
}
