//! The URL, redirect and scope verdicts: which values are refused, and the first reason why.
//!
//! Each verdict returns a small problem enum and no text: the macro words it as a compile error
//! with its rule number, the runtime as a `ConfigError`. The order of the checks is part of the
//! verdict (a value with several problems reports the first), so both sides name the same one.

use crate::kind::{Flow, Kind};
use crate::uri::{Uri, UriError};

/// Schemes that are never a redirect target: they run or read content in the browser instead of
/// reaching the app (RFC 6749 §3.1.2, RFC 9700 §4.1).
pub const BLOCKED_SCHEMES: [&str; 5] = ["javascript", "data", "file", "vbscript", "blob"];

/// Query parameters an authorization response adds itself (RFC 6749 §4.1.2, RFC 9207, OIDC
/// Core §3.2.2.5); a redirect URI that already carries one would be ambiguous.
pub const RESPONSE_PARAMS: [&str; 5] = ["code", "state", "iss", "error", "id_token"];

/// Scopes that only make sense with an end user (OIDC Core §5.4, §11).
pub const USER_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
];

/// Scopes an ID-token-only login (implicit form post) may request (OIDC Core §3.2.2.1, §5.4).
pub const OIDC_SCOPES: [&str; 5] = ["openid", "profile", "email", "address", "phone"];

/// The endpoints a flow calls, by their metadata names (RFC 8414 §2): `token_endpoint` and the
/// like. `jwks_uri` is among them where an ID token must be validated: the implicit form post
/// always, the other user-facing flows when `openid` is requested (`openid` is `true`).
///
/// The macro uses it for the completeness of the attribute's explicit endpoints (rule 13), the
/// runtime to decide whether explicit endpoints make discovery unnecessary.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{Flow, endpoints_for};
///
/// assert_eq!(endpoints_for(Flow::ClientCredentials, false), ["token_endpoint"]);
/// assert_eq!(
///     endpoints_for(Flow::AuthorizationCode, true),
///     ["authorization_endpoint", "token_endpoint", "jwks_uri"]
/// );
/// ```
pub fn endpoints_for(flow: Flow, openid: bool) -> Vec<&'static str> {
    let mut needed = match flow {
        Flow::ClientCredentials | Flow::Password => vec!["token_endpoint"],
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce => {
            vec!["authorization_endpoint", "token_endpoint"]
        }
        Flow::ImplicitFormPost => vec!["authorization_endpoint", "jwks_uri"],
        Flow::DeviceCode => vec!["device_authorization_endpoint", "token_endpoint"],
    };
    if validates_id_tokens(flow, openid) && !needed.contains(&"jwks_uri") {
        needed.push("jwks_uri");
    }
    needed
}

/// Whether a client of this flow validates ID tokens: the implicit form post always, the other
/// flows with an end user when `openid` is requested (client credentials has no user, so no ID
/// token). Such a client needs the issuer (the ID token's `iss`) and its keys (`jwks_uri`).
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{Flow, validates_id_tokens};
///
/// assert!(validates_id_tokens(Flow::ImplicitFormPost, false));
/// assert!(validates_id_tokens(Flow::DeviceCode, true));
/// assert!(!validates_id_tokens(Flow::ClientCredentials, true));
/// ```
pub const fn validates_id_tokens(flow: Flow, openid: bool) -> bool {
    match flow {
        Flow::ImplicitFormPost => true,
        Flow::ClientCredentials => false,
        _ => openid,
    }
}

/// Why an authorization-server URL (an endpoint, `jwks_uri`, or an issuer) is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EndpointProblem {
    /// Not an absolute URI.
    Malformed(UriError),
    /// The host is `localhost` or under `.localhost`, which may not resolve to loopback
    /// (RFC 8252 §8.3); any scheme.
    Localhost,
    /// Neither `https://host` nor `http://` on a loopback IP literal (OAuth 2.1 §1.5). The
    /// scheme, lowercased, says which: `http`, `https` without a host, or another one.
    NotHttps {
        /// The scheme as written, lowercased.
        scheme: String,
    },
    /// `user:pass@` in the authority: credentials never go in a URL.
    Userinfo,
    /// A fragment, even an empty `#` (RFC 8414 §2, RFC 6749 §3.1).
    Fragment,
    /// An issuer with a query, even an empty `?` (RFC 8414 §2). Endpoints may have one.
    Query,
}

/// Checks a back-channel URL: an endpoint or `jwks_uri`, from the attribute, the environment or
/// discovered metadata. `https`, or `http` on a loopback IP literal (`127.0.0.0/8`, `[::1]`) for
/// local development; never `localhost`; no userinfo, no fragment.
///
/// # Errors
///
/// The first [`EndpointProblem`], in the order of the variants.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{EndpointProblem, endpoint_verdict};
///
/// assert_eq!(endpoint_verdict("https://as.example.com/token?x=1"), Ok(()));
/// assert_eq!(endpoint_verdict("http://127.0.0.1:8080/token"), Ok(()));
/// assert_eq!(endpoint_verdict("https://localhost/token"), Err(EndpointProblem::Localhost));
/// assert_eq!(endpoint_verdict("https://as.example.com/#"), Err(EndpointProblem::Fragment));
/// ```
pub fn endpoint_verdict(value: &str) -> Result<(), EndpointProblem> {
    endpoint(value).map(drop)
}

/// Checks an issuer identifier (RFC 8414 §2): an endpoint URL ([`endpoint_verdict`]) that also
/// has no query.
///
/// # Errors
///
/// The first [`EndpointProblem`], in the order of the variants.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{EndpointProblem, issuer_verdict};
///
/// assert_eq!(issuer_verdict("https://tenant.example.com/"), Ok(()));
/// assert_eq!(issuer_verdict("https://tenant.example.com/?"), Err(EndpointProblem::Query));
/// ```
pub fn issuer_verdict(value: &str) -> Result<(), EndpointProblem> {
    if endpoint(value)?.query.is_some() {
        return Err(EndpointProblem::Query);
    }
    Ok(())
}

fn endpoint(value: &str) -> Result<Uri, EndpointProblem> {
    let uri = Uri::parse(value).map_err(EndpointProblem::Malformed)?;
    if uri.is_localhost() {
        return Err(EndpointProblem::Localhost);
    }
    let tls = uri.scheme == "https" && uri.authority.is_some();
    let dev = uri.scheme == "http" && uri.is_loopback_ip();
    if !tls && !dev {
        return Err(EndpointProblem::NotHttps { scheme: uri.scheme });
    }
    if uri.has_userinfo() {
        return Err(EndpointProblem::Userinfo);
    }
    if uri.fragment.is_some() {
        return Err(EndpointProblem::Fragment);
    }
    Ok(uri)
}

/// Why a redirect URI is refused. The kind-independent problems come first; then the problems
/// of the form-post redirect, of a native app's redirect, and of every other kind's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RedirectProblem {
    /// A scheme of [`BLOCKED_SCHEMES`] (checked before parsing: `file:///x` has no host, and
    /// the scheme is the real problem).
    BlockedScheme(&'static str),
    /// Not an absolute URI.
    Malformed(UriError),
    /// A fragment, even an empty `#` (RFC 6749 §3.1.2).
    Fragment,
    /// `user:pass@` in the authority, a phishing shape (RFC 3986 §7.6).
    Userinfo,
    /// The query already has a parameter of [`RESPONSE_PARAMS`] (RFC 6749 §3.1).
    ResponseParam(&'static str),
    /// The host is `localhost` or under `.localhost` (RFC 8252 §8.3); any scheme.
    Localhost,
    /// The implicit form-post redirect is not `https://host`, even on loopback
    /// (OIDC Core §3.2.2.1).
    FormPostNotHttps,
    /// A native app's `http` redirect off a loopback IP literal (RFC 8252 §7.3).
    NativeHttpNotLoopback,
    /// A native app's loopback redirect with a port: the runtime binds an ephemeral one
    /// (RFC 8252 §7.3). Also the scheme's default port, written out.
    NativeLoopbackPort,
    /// A native app's private-use scheme that is not a reverse domain name (no `.`,
    /// RFC 8252 §7.1); the scheme, lowercased.
    NativePrivateScheme(String),
    /// A native app's private-use scheme followed by `//` (RFC 8252 §7.1: one slash).
    NativeSchemeAuthority,
    /// Plain `http` off a loopback IP literal, for a kind other than native (RFC 9700 §2.6).
    PlainHttp,
    /// Neither `https://host` nor loopback `http` (a private-use scheme, say) for a kind
    /// other than native.
    NotHttps,
}

/// Checks a redirect URI for a kind. `kind` is `None` when the attribute's kind is unknown (the
/// macro still checks what every kind shares); `form_post` is the implicit form-post flow
/// (`kind = "spa"`, `access_token = false`), whose redirect must be `https` even on loopback.
///
/// Accepted: `https://host/...` for every kind; `http://<loopback IP literal>/...` (with a
/// port, except for a native app, without); for a native app, a reverse-domain private-use
/// scheme with one slash (`com.example.app:/cb`).
///
/// # Errors
///
/// The first [`RedirectProblem`], in the order of the variants.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{Kind, RedirectProblem, redirect_verdict};
///
/// let native = Some(Kind::Native);
/// assert_eq!(redirect_verdict(native, false, "http://127.0.0.1/callback"), Ok(()));
/// assert_eq!(redirect_verdict(native, false, "com.example.app:/cb"), Ok(()));
/// assert_eq!(
///     redirect_verdict(native, false, "http://127.0.0.1:8080/callback"),
///     Err(RedirectProblem::NativeLoopbackPort)
/// );
/// assert_eq!(
///     redirect_verdict(Some(Kind::Spa), true, "http://127.0.0.1:5173/cb"),
///     Err(RedirectProblem::FormPostNotHttps)
/// );
/// ```
pub fn redirect_verdict(
    kind: Option<Kind>,
    form_post: bool,
    value: &str,
) -> Result<(), RedirectProblem> {
    let scheme = value.split_once(':').map_or("", |(s, _)| s);
    if let Some(blocked) = BLOCKED_SCHEMES
        .into_iter()
        .find(|b| b.eq_ignore_ascii_case(scheme))
    {
        return Err(RedirectProblem::BlockedScheme(blocked));
    }
    let uri = Uri::parse(value).map_err(RedirectProblem::Malformed)?;
    if uri.fragment.is_some() {
        return Err(RedirectProblem::Fragment);
    }
    if uri.has_userinfo() {
        return Err(RedirectProblem::Userinfo);
    }
    // The first such key as written, so the message names what the user sees first.
    let param = uri
        .query_keys()
        .into_iter()
        .find_map(|k| RESPONSE_PARAMS.into_iter().find(|p| *p == k));
    if let Some(param) = param {
        return Err(RedirectProblem::ResponseParam(param));
    }
    if uri.is_localhost() {
        return Err(RedirectProblem::Localhost);
    }
    let https = uri.scheme == "https" && uri.authority.is_some();
    let http = uri.scheme == "http";
    if form_post {
        return if https {
            Ok(())
        } else {
            Err(RedirectProblem::FormPostNotHttps)
        };
    }
    if https {
        return Ok(());
    }
    if kind == Some(Kind::Native) {
        return native_redirect(uri, http);
    }
    match (http, uri.is_loopback_ip()) {
        (true, true) => Ok(()),
        (true, false) => Err(RedirectProblem::PlainHttp),
        (false, _) => Err(RedirectProblem::NotHttps),
    }
}

/// The native-app part of [`redirect_verdict`], for a URI that is not `https://host`.
fn native_redirect(uri: Uri, http: bool) -> Result<(), RedirectProblem> {
    if http {
        if !uri.is_loopback_ip() {
            return Err(RedirectProblem::NativeHttpNotLoopback);
        }
        if uri.port().is_some() {
            return Err(RedirectProblem::NativeLoopbackPort);
        }
        return Ok(());
    }
    if !uri.scheme.contains('.') {
        return Err(RedirectProblem::NativePrivateScheme(uri.scheme));
    }
    if uri.authority.is_some() {
        return Err(RedirectProblem::NativeSchemeAuthority);
    }
    Ok(())
}

/// Why a scope token is refused (RFC 6749 §3.3:
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeProblem {
    /// The scope is empty.
    Empty,
    /// The scope contains a space: scopes are space-separated tokens, one per entry.
    Space,
    /// The first character outside printable ASCII without `"` and `\`.
    Character(char),
}

/// Checks one scope token; `None` when it is a valid RFC 6749 §3.3 `scope-token`.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{ScopeProblem, scope_problem};
///
/// assert_eq!(scope_problem("read:orders"), None);
/// assert_eq!(scope_problem("read orders"), Some(ScopeProblem::Space));
/// assert_eq!(scope_problem("a\"b"), Some(ScopeProblem::Character('"')));
/// ```
pub fn scope_problem(scope: &str) -> Option<ScopeProblem> {
    if scope.is_empty() {
        return Some(ScopeProblem::Empty);
    }
    if scope.contains(' ') {
        return Some(ScopeProblem::Space);
    }
    scope
        .chars()
        .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E'))
        .map(ScopeProblem::Character)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_problems_in_order() {
        use EndpointProblem::*;
        let rows = [
            ("", Malformed(UriError::Empty)),
            (" https://as.example.com", Malformed(UriError::Whitespace)),
            ("not a url", Malformed(UriError::Whitespace)),
            ("as.example.com/token", Malformed(UriError::NoScheme)),
            ("http://localhost:8080/token", Localhost),
            ("https://localhost/token", Localhost),
            ("https://app.localhost/token", Localhost),
            ("https://LOCALHOST./token", Localhost),
            (
                "http://as.example.com/token",
                NotHttps {
                    scheme: "http".into(),
                },
            ),
            (
                "http://10.0.0.1/token",
                NotHttps {
                    scheme: "http".into(),
                },
            ),
            (
                "ftp://as.example.com/",
                NotHttps {
                    scheme: "ftp".into(),
                },
            ),
            (
                "https:/as.example.com/token",
                NotHttps {
                    scheme: "https".into(),
                },
            ),
            ("https://user:pw@as.example.com/token", Userinfo),
            ("https://@as.example.com/token", Userinfo),
            ("https://as.example.com/token#frag", Fragment),
            ("https://as.example.com/token#", Fragment),
        ];
        for (value, problem) in rows {
            assert_eq!(endpoint_verdict(value), Err(problem), "{value:?}");
        }
        assert_eq!(issuer_verdict("https://a.example/?x=1#y"), Err(Fragment));
        assert_eq!(issuer_verdict("https://a.example/?tenant=1"), Err(Query));
        assert_eq!(endpoint_verdict("https://a.example/?tenant=1"), Ok(()));
    }

    #[test]
    fn redirect_problems_in_order() {
        use Kind::*;
        use RedirectProblem::*;
        let rows = [
            (
                Some(Web),
                false,
                "JavaScript:alert(1)",
                BlockedScheme("javascript"),
            ),
            (
                Some(Native),
                false,
                "file:///tmp/cb.html",
                BlockedScheme("file"),
            ),
            (
                Some(Spa),
                false,
                "blob:https://app.example.com/x",
                BlockedScheme("blob"),
            ),
            (Some(Web), false, "/callback", Malformed(UriError::NoScheme)),
            (Some(Web), false, "https://a.example/cb#", Fragment),
            (Some(Web), false, "https://evil@a.example/cb", Userinfo),
            (
                Some(Web),
                false,
                "https://a.example/cb?x=1&%73tate=1",
                ResponseParam("state"),
            ),
            (
                Some(Web),
                false,
                "https://a.example/cb?iss&code=1",
                ResponseParam("iss"),
            ),
            (Some(Native), false, "http://localhost/cb", Localhost),
            (Some(Spa), true, "https://app.localhost/cb", Localhost),
            (Some(Spa), true, "http://127.0.0.1/cb", FormPostNotHttps),
            (Some(Spa), true, "com.example.app:/cb", FormPostNotHttps),
            (
                Some(Native),
                false,
                "http://app.example.com/cb",
                NativeHttpNotLoopback,
            ),
            (
                Some(Native),
                false,
                "http://127.0.0.1:80/cb",
                NativeLoopbackPort,
            ),
            (
                Some(Native),
                false,
                "MyApp:/cb",
                NativePrivateScheme("myapp".into()),
            ),
            (
                Some(Native),
                false,
                "https:/cb",
                NativePrivateScheme("https".into()),
            ),
            (
                Some(Native),
                false,
                "com.example.app://cb",
                NativeSchemeAuthority,
            ),
            (Some(Web), false, "http://app.example.com/cb", PlainHttp),
            (None, false, "http://app.example.com/cb", PlainHttp),
            (Some(Spa), false, "com.example.app:/cb", NotHttps),
        ];
        for (kind, form_post, value, problem) in rows {
            assert_eq!(
                redirect_verdict(kind, form_post, value),
                Err(problem),
                "{kind:?} {value:?}"
            );
        }
        assert_eq!(
            redirect_verdict(None, false, "http://[::1]:5173/cb"),
            Ok(())
        );
    }

    #[test]
    fn scope_tokens() {
        assert_eq!(scope_problem(""), Some(ScopeProblem::Empty));
        assert_eq!(scope_problem("a b"), Some(ScopeProblem::Space));
        assert_eq!(scope_problem("a\\b"), Some(ScopeProblem::Character('\\')));
        assert_eq!(
            scope_problem("a\u{7f}"),
            Some(ScopeProblem::Character('\u{7f}'))
        );
        assert_eq!(
            scope_problem("aufträge"),
            Some(ScopeProblem::Character('ä'))
        );
        assert_eq!(scope_problem("!#[]~"), None);
    }

    #[test]
    fn scope_lists() {
        // An ID-token-only login may ask for every user scope except a refresh token.
        assert!(OIDC_SCOPES.iter().all(|s| USER_SCOPES.contains(s)));
        assert_eq!(USER_SCOPES.len(), OIDC_SCOPES.len() + 1);
        assert!(!OIDC_SCOPES.contains(&"offline_access"));
    }
}
