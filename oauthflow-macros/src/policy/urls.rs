//! Rules 9–10: the transport of every endpoint, and redirect URIs.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rule 9 (C14): the authorization server is reached over TLS.
// ---------------------------------------------------------------------------------------------

/// Rule 9: `issuer` and endpoints are https without fragment (issuer also without query);
/// `http` only on a loopback IP literal; never `localhost`.
pub(super) fn rule_09_transport(cx: &mut Ctxt, input: &Input) {
    let mut urls = vec![("issuer", input.issuer.as_ref())];
    urls.extend(input.endpoints());
    for (name, arg) in urls {
        let Some(arg) = arg else { continue };
        if let Some(message) = transport_problem(name, &arg.value) {
            cx.err("C14", arg.span, message);
        }
    }
}

/// What is wrong with an authorization-server URL, if anything (rule 9).
pub fn transport_problem(name: &str, value: &str) -> Option<String> {
    let example = if name == "issuer" {
        "https://tenant.example.com/"
    } else {
        "https://tenant.example.com/oauth/token"
    };
    let verdict = if name == "issuer" {
        issuer_verdict(value)
    } else {
        endpoint_verdict(value)
    };
    Some(match verdict.err()? {
        EndpointProblem::Malformed(why) => {
            format!("`{name}` is not a valid absolute URL: {why} — e.g. \"{example}\"")
        }
        EndpointProblem::Localhost => format!(
            "`{name}` uses `localhost`, which may not resolve to loopback (RFC 8252 §8.3) — for local development write the loopback IP literal, e.g. \"http://127.0.0.1:<port>\""
        ),
        EndpointProblem::NotHttps { .. } => format!(
            "`{name}` must be an https URL (OAuth 2.1 §1.5); plain http is accepted only on a loopback IP literal for local development — e.g. \"{example}\""
        ),
        EndpointProblem::Userinfo => format!(
            "`{name}` cannot carry userinfo (`user@`): credentials never go in source — remove it"
        ),
        EndpointProblem::Fragment => {
            format!("`{name}` cannot carry a fragment (RFC 8414 §2, RFC 6749 §3.1) — remove `#...`")
        }
        EndpointProblem::Query => format!(
            "`issuer` must have no query or fragment (RFC 8414 §2, OpenID Discovery §3) — e.g. \"{example}\""
        ),
    })
}

// ---------------------------------------------------------------------------------------------
// Rule 10 (C8b, C12a–d, C13a–c): redirect URIs.
// ---------------------------------------------------------------------------------------------

/// Rule 10: the shape of `redirect_uri` for the kind.
pub(super) fn rule_10_redirect(
    cx: &mut Ctxt,
    input: &Input,
    kind: Option<Kind>,
    flow: Option<Flow>,
) {
    let Some(arg) = &input.redirect_uri else {
        return;
    };
    // Kinds that never redirect already got their error from rules 4, 7 and 8.
    if matches!(kind, Some(Kind::Machine | Kind::Trusted | Kind::Device)) {
        return;
    }
    if let Some((rule, message)) = redirect_problem(&arg.value, kind, flow) {
        cx.err(rule, arg.span, message);
    }
}

/// What is wrong with a redirect URI for this kind and flow, if anything (rule 10).
pub fn redirect_problem(
    value: &str,
    kind: Option<Kind>,
    flow: Option<Flow>,
) -> Option<(&'static str, String)> {
    let form_post = flow == Some(Flow::ImplicitFormPost);
    let problem = redirect_verdict(kind, form_post, value).err()?;
    let (rule, message) = match problem {
        RedirectProblem::BlockedScheme(scheme) => (
            "C13a",
            format!(
                "a `{scheme}:` redirect URI would run or read content in the browser instead of reaching the app (RFC 6749 §3.1.2) — use an https URL"
            ),
        ),
        RedirectProblem::Malformed(why) => (
            "C13a",
            format!(
                "`redirect_uri` is not a valid absolute URI: {why} (RFC 6749 §3.1.2) — e.g. \"https://app.example.com/callback\""
            ),
        ),
        RedirectProblem::Fragment => (
            "C13a",
            "a redirect URI cannot carry a fragment (RFC 6749 §3.1.2) — remove `#...`".into(),
        ),
        RedirectProblem::Userinfo => ("C13a", "a redirect URI cannot carry userinfo (`user@`), a phishing shape (RFC 3986 §7.6) — remove it".into()),
        RedirectProblem::ResponseParam(param) => (
            "C13b",
            format!(
                "the redirect URI already carries `{param}=`; the authorization response adds its own and parameters must not repeat (RFC 6749 §3.1) — remove it from `redirect_uri`"
            ),
        ),
        RedirectProblem::Localhost => {
            let example = if kind == Some(Kind::Native) {
                "http://127.0.0.1/callback"
            } else {
                "http://127.0.0.1:<port>/callback"
            };
            (
                "C12a",
                format!(
                    "use the loopback IP literal, not `localhost`, which may not resolve to loopback (RFC 8252 §8.3): `{example}` or the `[::1]` form"
                ),
            )
        }
        RedirectProblem::FormPostNotHttps => ("C8b", "an ID-token-only (implicit form post) redirect must be https, even on loopback (OIDC Core §3.2.2.1) — e.g. \"https://app.example.com/callback\"".into()),
        RedirectProblem::NativeHttpNotLoopback => ("C12b", "a native app's http redirect must be loopback (`http://127.0.0.1/callback`); anything else must be https or a private-use scheme (RFC 8252 §7)".into()),
        RedirectProblem::NativeLoopbackPort => ("C12d", "the loopback port is chosen at run time and the server must accept any port (RFC 8252 §7.3) — write `http://127.0.0.1/callback` without a port".into()),
        RedirectProblem::NativePrivateScheme(scheme) => (
            "C12c",
            format!(
                "private-use scheme `{scheme}` is not a domain you control in reverse order — use e.g. `com.example.app:/oauth2redirect` (RFC 8252 §7.1)"
            ),
        ),
        RedirectProblem::NativeSchemeAuthority => (
            "C12c",
            format!(
                "a private-use scheme redirect has a single slash after the scheme (RFC 8252 §7.1) — write `{}`",
                value.replacen("://", ":/", 1)
            ),
        ),
        RedirectProblem::PlainHttp => ("C13c", "redirect URIs must be https; plain http is accepted only on a loopback IP literal for local development (RFC 9700 §2.6) — e.g. \"https://app.example.com/callback\"".into()),
        RedirectProblem::NotHttps => {
            let what = kind.map_or("this client", Kind::as_str);
            (
                "C13c",
                format!(
                    "kind = \"{what}\" needs an https redirect URI; private-use schemes are for kind = \"native\" (RFC 8252 §7.1) — e.g. \"https://app.example.com/callback\""
                ),
            )
        }
    };
    Some((rule, message))
}
