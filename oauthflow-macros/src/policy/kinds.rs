//! Rules 4–8: what each kind may and must say.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rule 4 (C5): `machine` has no end user.
// ---------------------------------------------------------------------------------------------

/// Rule 4: no `redirect_uri`, `refresh_tokens`, `access_token`, `redirect_unavailable` nor
/// user scopes on `machine`.
pub(super) fn rule_04_machine(cx: &mut Ctxt, input: &Input, kind: Kind) {
    if kind != Kind::Machine {
        return;
    }
    if let Some(a) = &input.redirect_uri {
        cx.err("C5", a.key, "`redirect_uri` is not allowed with kind = \"machine\": client credentials has no end user and never redirects (RFC 6749 §4.4) — remove `redirect_uri`");
    }
    if let Some(a) = &input.refresh_tokens {
        cx.err("C5", a.key, "`refresh_tokens` is not allowed with kind = \"machine\": client credentials issues no refresh token (RFC 6749 §4.4.3); oauthflow fetches a new access token before the cached one expires — remove `refresh_tokens`");
    }
    if let Some(a) = &input.access_token {
        cx.err("C5", a.key, "`access_token` is not allowed with kind = \"machine\": it only applies to kind = \"spa\", and a machine client always gets an access token — remove `access_token`");
    }
    if let Some(a) = &input.redirect_unavailable {
        cx.err("C5", a.key, "`redirect_unavailable` is not allowed with kind = \"machine\": it justifies kind = \"trusted\", and client credentials never redirects — remove `redirect_unavailable`");
    }
    for scope in input.scopes.iter().flat_map(|s| &s.value) {
        match scope.value.as_str() {
            "offline_access" => cx.err("C5", scope.span, "scope `offline_access` asks for a refresh token, which client credentials never issues (RFC 6749 §4.4.3) — remove it from `scopes`"),
            s if USER_SCOPES.contains(&s) => cx.err("C5", scope.span, format!("scope `{s}` is about a signed-in person, and kind = \"machine\" has none (OIDC Core §3, RFC 6749 §4.4) — remove it from `scopes`")),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 5 (C6, C7): `web` and `spa` need `redirect_uri`.
// ---------------------------------------------------------------------------------------------

/// Rule 5: a missing `redirect_uri` on `web` and `spa`.
pub(super) fn rule_05_redirect_required(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
    if input.redirect_uri.is_some() || input.unreadable("redirect_uri") {
        return;
    }
    let span = value_span(input.kind.as_ref(), input);
    match (kind, flow) {
        (Kind::Web, _) => cx.err("C6", span, "kind = \"web\" receives the authorization response on the server and needs `redirect_uri` (RFC 6749 §3.1.2) — add `redirect_uri = \"https://<host>/callback\"`"),
        (Kind::Spa, Flow::ImplicitFormPost) => cx.err("C7", span, "kind = \"spa\" with access_token = false needs `redirect_uri`: the server endpoint that receives the form post (OAuth 2.0 Form Post Response Mode) — add `redirect_uri = \"https://<host>/callback\"`"),
        (Kind::Spa, _) => cx.err("C7", span, "kind = \"spa\" needs `redirect_uri`: the page that receives `?code=` (OAuth 2.0 for Browser-Based Apps §6.3.2.1) — add `redirect_uri = \"https://<app>/callback\"`"),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 6 (C8a, C9): `access_token = false` returns an ID token only; `access_token` is for spa.
// (C8b, the https redirect, is in rule 10; C8c, `jwks_uri`, in rule 13.)
// ---------------------------------------------------------------------------------------------

/// Rule 6: implicit form post has no access token; `access_token` only on `spa`.
pub(super) fn rule_06_id_token_only(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
    if let Some(a) = &input.access_token
        && !matches!(kind, Kind::Spa | Kind::Machine)
    {
        cx.err("C9", a.key, format!("`access_token` only applies to kind = \"spa\" (where `false` selects an ID-token-only login); kind = \"{}\" always gets an access token — remove `access_token`", kind.as_str()));
    }
    if flow != Flow::ImplicitFormPost {
        return;
    }
    const WHY: &str = "`access_token = false` selects implicit with form post, which returns only an ID token (OIDC Core §3.2.2.1)";
    if let Some(a) = &input.audiences {
        cx.err("C8a", a.key, format!("{WHY}: there is no access token for `audiences` — remove `audiences`, or drop `access_token = false` to use code + PKCE"));
    }
    if let Some(a) = &input.refresh_tokens {
        cx.err("C8a", a.key, format!("{WHY}: there is no refresh token — remove `refresh_tokens`, or drop `access_token = false` to use code + PKCE"));
    }
    for scope in input.scopes.iter().flat_map(|s| &s.value) {
        if !OIDC_SCOPES.contains(&scope.value.as_str()) && !scope.value.is_empty() {
            cx.err("C8a", scope.span, format!("scope `{}` needs an access token, but {WHY} — keep only openid, profile, email, address, phone, or drop `access_token = false`", scope.value));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 7 (C10a, C10b): `trusted` needs a written reason and never redirects.
// ---------------------------------------------------------------------------------------------

/// Rule 7: `redirect_unavailable` required on `trusted`, refused elsewhere.
pub(super) fn rule_07_trusted(cx: &mut Ctxt, input: &Input, kind: Kind) {
    match (kind, &input.redirect_unavailable) {
        (Kind::Trusted, None) if !input.unreadable("redirect_unavailable") => cx.err("C10a", value_span(input.kind.as_ref(), input), "kind = \"trusted\" uses the password grant, which RFC 9700 §2.4 says MUST NOT be used and OAuth 2.1 removes; the decision tree allows it only when no redirect-based flow can work — add `redirect_unavailable = \"<why no browser redirect is possible>\"`, or use kind = \"native\" (system browser) or \"device\" (second screen)"),
        (Kind::Trusted, Some(r)) if r.value.trim().is_empty() => cx.err("C10a", r.span, "`redirect_unavailable` is empty: write why no redirect-based flow can work, the audit trail for using the password grant (RFC 9700 §2.4) — or use kind = \"native\" or \"device\""),
        (Kind::Trusted | Kind::Machine, _) => {}
        (_, Some(r)) => cx.err("C10b", r.key, format!("`redirect_unavailable` only applies to kind = \"trusted\", where it justifies the password grant; kind = \"{}\" does not use that grant — remove `redirect_unavailable`", kind.as_str())),
        (_, None) => {}
    }
    if kind == Kind::Trusted
        && let Some(r) = &input.redirect_uri
    {
        cx.err("C10b", r.key, "`redirect_uri` is never used by the password grant: kind = \"trusted\" never redirects — remove `redirect_uri`");
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 8 (C11): `device` never redirects.
// ---------------------------------------------------------------------------------------------

/// Rule 8: no `redirect_uri` on `device`.
pub(super) fn rule_08_device(cx: &mut Ctxt, input: &Input, kind: Kind) {
    if kind == Kind::Device
        && let Some(r) = &input.redirect_uri
    {
        cx.err("C11", r.key, "kind = \"device\" never redirects: the user types a code on another device (RFC 8628 §3.3) — remove `redirect_uri`");
    }
}
