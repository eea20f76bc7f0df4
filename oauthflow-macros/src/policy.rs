//! The decision tree and the compile-time rules (DESIGN §1 and §3; SECURITY-RULES C1–C17).
//!
//! Pure: takes the typed [`Input`], returns the accepted [`Client`] or every broken rule as a
//! [`Diag`]. One small function per rule, named after its DESIGN §3 number; the C-number of
//! SECURITY-RULES §1 is in each message (`[C5]`) and in [`Diag::rule`], and documented in
//! `docs/oauth_client.md`.

use proc_macro2::Span;

use oauthflow_core::{
    EndpointProblem, OIDC_SCOPES, RedirectProblem, ScopeProblem, USER_SCOPES, decide,
    endpoint_verdict, issuer_verdict, redirect_verdict,
};

use crate::ast::{Arg, Audience, AudienceParam, Client, Flow, Input, Kind, Str};
use crate::diag::{Ctxt, Diag};
use crate::names;
use crate::uri::Uri;

/// The six kinds, as written in the attribute, for messages.
const KINDS: &str = r#""machine", "web", "spa", "native", "trusted" or "device""#;

/// The `DECISION` text: which question of the tree chose this grant, and why.
pub fn decision_text(kind: Kind, flow: Flow, refresh_tokens: bool, reason: Option<&str>) -> String {
    match (kind, flow) {
        (Kind::Machine, _) => "kind = \"machine\": the party that needs access is a machine that is its own resource owner, so the decision tree chose client credentials (RFC 6749 §4.4): no user and no redirect, one cached access token per audience.".into(),
        (Kind::Web, _) => {
            let mut s = String::from("kind = \"web\": a regular web app executing on a server is a confidential client, so the decision tree chose the authorization code grant, always with PKCE S256 (RFC 9700 §2.1.1, OAuth 2.1 §4.1.1).");
            if refresh_tokens {
                s.push_str(" Refresh tokens stay on the server.");
            }
            s
        }
        (Kind::Trusted, _) => format!(
            "kind = \"trusted\": the client is trusted with user credentials and redirect-based flows are impossible{}, so the decision tree chose the password grant, which RFC 9700 §2.4 says MUST NOT be used and OAuth 2.1 removes; move to kind = \"native\" or \"device\" as soon as a browser or a second screen is available.",
            reason.map(|r| format!(" ({:?})", r.trim())).unwrap_or_default()
        ),
        (Kind::Spa, Flow::ImplicitFormPost) => "kind = \"spa\" with access_token = false: the app only signs the user in, so the decision tree chose implicit with form post (an ID token only, OIDC Core §3.2.2.1), which Auth0 places for login-only use cases; the response is an HTML form POST, so a server endpoint must receive it.".into(),
        (Kind::Spa, _) => {
            let mut s = String::from("kind = \"spa\": a single-page app running in a browser is a public client, so the decision tree chose the authorization code grant with PKCE S256 (RFC 9700 §2.1.1); if the app has a server, prefer kind = \"web\" (a backend for frontend, OAuth 2.0 for Browser-Based Apps §6.1).");
            if refresh_tokens {
                s.push_str(" Refresh tokens in a browser are safe only if the authorization server rotates them (RFC 9700 §4.14.2).");
            }
            s
        }
        (Kind::Native, _) => "kind = \"native\": a native or mobile app is a public client, so the decision tree chose the authorization code grant with PKCE S256 through the system browser, with a loopback or private-use scheme redirect (RFC 8252), never an embedded web view (RFC 8252 §8.12).".into(),
        (Kind::Device, _) => "kind = \"device\": an input-constrained device or a CLI without a browser cannot receive a redirect, so the device authorization grant was chosen (RFC 8628, beyond the Auth0 tree): the user approves on a second screen by entering the code the device shows. Always display that user code, also next to a complete verification link or QR code, so the user can spot a phishing attempt (RFC 8628 §3.3.1, §5.4).".into(),
    }
}

/// Runs the decision tree and every rule; all broken rules are returned together.
#[cfg(test)]
pub fn check(input: &Input) -> Result<Client, Vec<Diag>> {
    let mut cx = Ctxt::default();
    match check_all(input, &mut cx) {
        Some(client) if cx.len() == 0 => Ok(client),
        _ => Err(cx.into_sorted()),
    }
}

/// Runs the decision tree and every rule, recording each broken rule in `cx`, and returns the
/// client the tree chose also when only other rules failed: expanding it next to the errors
/// keeps the user's calls to its methods free of follow-up errors. `None` when the kind itself
/// is missing or unknown.
pub fn check_all(input: &Input, cx: &mut Ctxt) -> Option<Client> {
    let kind = rule_01_kind(cx, input);
    rule_01_values(cx, input);
    let access_token = input.access_token.as_ref().is_none_or(|a| a.value);
    let flow = kind.map(|k| decide(k, access_token));
    rule_02_secrets(cx, input, kind);
    rule_03_grant_arguments(cx, input, kind, flow);
    if let (Some(kind), Some(flow)) = (kind, flow) {
        rule_04_machine(cx, input, kind);
        rule_05_redirect_required(cx, input, kind, flow);
        rule_06_id_token_only(cx, input, kind, flow);
        rule_07_trusted(cx, input, kind);
        rule_08_device(cx, input, kind);
    }
    rule_09_transport(cx, input);
    rule_10_redirect(cx, input, kind, flow);
    let audiences = rule_11_audiences(cx, input, flow);
    rule_12_scopes(cx, input, kind);
    if let (Some(kind), Some(flow)) = (kind, flow) {
        rule_13_endpoints(cx, input, kind, flow);
    }
    let (Some(kind), Some(flow)) = (kind, flow) else {
        return None;
    };
    let value = |a: &Option<Arg<String>>| a.as_ref().map(|a| a.value.clone());
    // A flow without refresh tokens never gets the `refresh` step, also when the attribute
    // asked for it (rule 4 or 6 reported that): the expansion next to the errors stays valid.
    let refresh_tokens = input.refresh_tokens.as_ref().is_some_and(|a| a.value)
        && !matches!(flow, Flow::ClientCredentials | Flow::ImplicitFormPost);
    let redirect_unavailable = value(&input.redirect_unavailable);
    let client = Client {
        struct_name: input.name.value.clone(),
        kind,
        flow,
        issuer: value(&input.issuer),
        authorization_endpoint: value(&input.authorization_endpoint),
        token_endpoint: value(&input.token_endpoint),
        device_authorization_endpoint: value(&input.device_authorization_endpoint),
        jwks_uri: value(&input.jwks_uri),
        audiences,
        audience_param: match input.audience_param.as_ref().map(|a| a.value.as_str()) {
            Some("resource") => AudienceParam::Resource,
            _ => AudienceParam::Audience,
        },
        scopes: input
            .scopes
            .as_ref()
            .map(|s| s.value.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default(),
        redirect_uri: value(&input.redirect_uri),
        refresh_tokens,
        decision: decision_text(kind, flow, refresh_tokens, redirect_unavailable.as_deref()),
        env_prefix: value(&input.env_prefix)
            .unwrap_or_else(|| names::env_prefix(&input.name.value)),
    };
    Some(client)
}

/// The span of an argument's value, or of the struct name when the argument is absent.
fn value_span<T>(arg: Option<&Arg<T>>, input: &Input) -> Span {
    arg.map_or(input.name.span, |a| a.span)
}

// ---------------------------------------------------------------------------------------------
// Rule 1 (C1): `kind` is present and one of the six; values have the right shape.
// Unknown and duplicate arguments are reported while reading them (attr.rs), also as C1.
// ---------------------------------------------------------------------------------------------

/// Rule 1: `kind` missing or unknown (with a did-you-mean).
fn rule_01_kind(cx: &mut Ctxt, input: &Input) -> Option<Kind> {
    let Some(kind) = &input.kind else {
        if input.unreadable("kind") {
            return None;
        }
        let (span, end) = input.args;
        cx.push(
            Diag::new(
                "C1",
                span,
                format!(
                    "`#[oauth_client]` needs `kind`: say what this client is — kind = {KINDS} (the decision tree picks the grant from it)"
                ),
            )
            .to(end),
        );
        return None;
    };
    if let Some(k) = Kind::parse(&kind.value) {
        return Some(k);
    }
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let hint = match names::did_you_mean(&kind.value, &names) {
        Some(s) => format!("did you mean kind = \"{s}\"?"),
        None => match kind_alias(&kind.value) {
            Some((s, why)) => format!("{why} is kind = \"{s}\""),
            None => format!("write one of {KINDS}"),
        },
    };
    cx.err(
        "C1",
        kind.span,
        format!("unknown kind `{}`: {hint}", kind.value),
    );
    None
}

/// Words people use for an application type, and the kind that answers them.
fn kind_alias(word: &str) -> Option<(&'static str, &'static str)> {
    let word = word.to_ascii_lowercase();
    Some(match word.as_str() {
        "mobile" | "desktop" | "ios" | "android" | "app" => ("native", "a native or mobile app"),
        "cli" | "tv" | "iot" | "console" | "input-constrained" => {
            ("device", "a CLI or device without a browser")
        }
        "server" | "backend" | "bff" | "webapp" | "web-app" | "regular" => {
            ("web", "a web app executing on a server")
        }
        "m2m" | "service" | "daemon" | "cron" | "backend-service" | "client-credentials" => {
            ("machine", "a machine that is its own resource owner")
        }
        "browser" | "single-page" | "javascript" | "frontend" => {
            ("spa", "a single-page app in a browser")
        }
        "password" | "ropc" | "first-party" => (
            "trusted",
            "a client trusted with user passwords (discouraged)",
        ),
        _ => return None,
    })
}

/// Rule 1: values with a fixed vocabulary (`audience_param`, `env_prefix`).
fn rule_01_values(cx: &mut Ctxt, input: &Input) {
    if let Some(p) = &input.audience_param
        && !matches!(p.value.as_str(), "audience" | "resource")
    {
        let hint = match names::did_you_mean(&p.value, &["audience", "resource"]) {
            Some(s) => format!("did you mean \"{s}\"? "),
            None => String::new(),
        };
        cx.err(
            "C1",
            p.span,
            format!(
                "unknown audience_param `{}`: {hint}write \"audience\" (Auth0 style, the default) or \"resource\" (RFC 8707)",
                p.value
            ),
        );
    }
    if let Some(p) = &input.env_prefix
        && !names::is_env_prefix(&p.value)
    {
        cx.err(
            "C1",
            p.span,
            format!(
                "`env_prefix` must be SCREAMING_SNAKE_CASE (A-Z, 0-9, `_`, starting with a letter, not ending in `_`), e.g. \"{}\"; `from_env` appends `_CLIENT_ID`",
                names::env_prefix(&input.name.value)
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 2 (C3, C4): no secret in source.
// ---------------------------------------------------------------------------------------------

/// Whether a refused key names a secret (`client_secret`, `api_key`, `password`, …).
pub fn is_secret_key(key: &str) -> bool {
    const EXACT: [&str; 9] = [
        "secret",
        "password",
        "passwd",
        "client_assertion",
        "credentials",
        "client_credentials",
        "token",
        "bearer_token",
        "jwk",
    ];
    let key = key.to_ascii_lowercase();
    EXACT.contains(&key.as_str())
        || key.contains("secret")
        || key.contains("password")
        || key.contains("private_key")
        || key.ends_with("_key")
        || key == "apikey"
}

/// Rule 2: a secret written in the attribute.
fn rule_02_secrets(cx: &mut Ctxt, input: &Input, kind: Option<Kind>) {
    let prefix = input
        .env_prefix
        .as_ref()
        .map_or_else(|| names::env_prefix(&input.name.value), |p| p.value.clone());
    for refused in input.refused.iter().filter(|r| is_secret_key(&r.key.value)) {
        let key = &refused.key.value;
        let message = match kind {
            Some(k @ (Kind::Spa | Kind::Native | Kind::Device)) => (
                "C4",
                format!(
                    "kind = \"{}\" is a public client: code shipped to users cannot keep a secret (RFC 8252 §8.5, OAuth 2.0 for Browser-Based Apps §6.3.3.1) — remove `{key}`; PKCE protects the code instead",
                    k.as_str()
                ),
            ),
            Some(Kind::Trusted) if key.contains("password") => (
                "C3",
                format!(
                    "`{key}`: the user's password is never written in source (RFC 6819 §4.1.1) — pass it at run time to `password_token(username, &password)`"
                ),
            ),
            _ => (
                "C3",
                format!(
                    "`{key}` would compile a secret into the binary and into git (RFC 6819 §4.1.1) — pass it at run time: `Settings::confidential(id, ClientSecret::new(..))` or `{prefix}_CLIENT_SECRET` with `from_env()`"
                ),
            ),
        };
        cx.err(message.0, refused.key.span, message.1);
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 3 (C2a–C2d, C4): the grant, PKCE and response knobs follow from `kind`.
// ---------------------------------------------------------------------------------------------

/// Keys that try to choose what `kind` decides.
pub const GRANT_KEYS: [&str; 10] = [
    "grant",
    "grant_type",
    "flow",
    "response_type",
    "response_mode",
    "pkce",
    "code_challenge_method",
    "implicit",
    "client_auth",
    "token_endpoint_auth_method",
];

/// Rule 3: `grant`, `flow`, `response_type`, `response_mode`, `pkce`, `code_challenge_method`.
fn rule_03_grant_arguments(cx: &mut Ctxt, input: &Input, kind: Option<Kind>, flow: Option<Flow>) {
    let chose = match (kind, flow) {
        (Some(k), Some(f)) => format!(" (kind = \"{}\" chose {})", k.as_str(), f.describe()),
        _ => String::new(),
    };
    for refused in &input.refused {
        let key = refused.key.value.as_str();
        let asks_for_token = refused.value.as_deref().is_some_and(|v| {
            v.split([' ', ',', '+'])
                .any(|w| w.eq_ignore_ascii_case("token") || w.eq_ignore_ascii_case("implicit"))
        });
        let (rule, message) = match key {
            "pkce" => (
                "C2a",
                "`pkce` cannot be turned off or configured: every authorization-code client sends an S256 code challenge (RFC 9700 §2.1.1, OAuth 2.1 §4.1.1) — remove `pkce`".to_owned(),
            ),
            "code_challenge_method" => (
                "C2b",
                "only S256 is used: `plain` puts the PKCE verifier in the front channel (RFC 9700 §2.1.1) — remove `code_challenge_method`".to_owned(),
            ),
            "implicit" => (
                "C2c",
                "the implicit grant returns access tokens in the redirect URL and is not offered (RFC 9700 §2.1.2; removed in OAuth 2.1) — remove `implicit` and use kind = \"spa\" (authorization code + PKCE)".to_owned(),
            ),
            "grant" | "grant_type" | "flow" | "response_type" if asks_for_token => (
                "C2c",
                format!(
                    "the implicit grant returns access tokens in the redirect URL and is not offered (RFC 9700 §2.1.2; removed in OAuth 2.1) — remove `{key}` and use kind = \"spa\" (authorization code + PKCE)"
                ),
            ),
            "grant" | "grant_type" | "flow" | "response_type" => (
                "C2d",
                format!(
                    "the grant follows from `kind`{chose} — remove `{key}`; if the choice is wrong, change `kind` (an ID-token-only login is kind = \"spa\", access_token = false)"
                ),
            ),
            "response_mode" => (
                "C2d",
                format!(
                    "the response mode follows from `kind`{chose}: form_post is used exactly for kind = \"spa\", access_token = false (OAuth 2.0 Form Post Response Mode) — remove `response_mode`"
                ),
            ),
            "client_auth" | "token_endpoint_auth_method" => (
                "C4",
                format!(
                    "client authentication follows from `kind`{chose}: confidential kinds use the secret given at run time, public kinds (spa, native, device) have none (OAuth 2.1 §2.1) — remove `{key}`"
                ),
            ),
            _ => continue,
        };
        cx.err(rule, refused.key.span, message);
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 4 (C5): `machine` has no end user.
// ---------------------------------------------------------------------------------------------

/// Rule 4: no `redirect_uri`, `refresh_tokens`, `access_token`, `redirect_unavailable` nor
/// user scopes on `machine`.
fn rule_04_machine(cx: &mut Ctxt, input: &Input, kind: Kind) {
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
fn rule_05_redirect_required(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
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
fn rule_06_id_token_only(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
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
fn rule_07_trusted(cx: &mut Ctxt, input: &Input, kind: Kind) {
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
fn rule_08_device(cx: &mut Ctxt, input: &Input, kind: Kind) {
    if kind == Kind::Device
        && let Some(r) = &input.redirect_uri
    {
        cx.err("C11", r.key, "kind = \"device\" never redirects: the user types a code on another device (RFC 8628 §3.3) — remove `redirect_uri`");
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 9 (C14): the authorization server is reached over TLS.
// ---------------------------------------------------------------------------------------------

/// Rule 9: `issuer` and endpoints are https without fragment (issuer also without query);
/// `http` only on a loopback IP literal; never `localhost`.
fn rule_09_transport(cx: &mut Ctxt, input: &Input) {
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
fn rule_10_redirect(cx: &mut Ctxt, input: &Input, kind: Option<Kind>, flow: Option<Flow>) {
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

// ---------------------------------------------------------------------------------------------
// Rule 11 (C16a, C16b): audiences.
// ---------------------------------------------------------------------------------------------

/// Rule 11: not empty, no duplicates, distinct names; RFC 8707 shape with `resource`.
fn rule_11_audiences(cx: &mut Ctxt, input: &Input, flow: Option<Flow>) -> Vec<Audience> {
    let Some(list) = &input.audiences else {
        if let Some(p) = &input.audience_param {
            cx.err("C16a", p.key, "`audience_param` only applies with `audiences` — remove it, or add `audiences = [\"https://api.example.com/orders\"]`");
        }
        return Vec::new();
    };
    if flow == Some(Flow::ImplicitFormPost) {
        // Rule 6 (C8a) already refused the whole list.
        return Vec::new();
    }
    if list.value.is_empty() {
        cx.err("C16a", list.key, "`audiences` is empty — list at least one API identifier, e.g. `audiences = [\"https://api.example.com/orders\"]`, or remove `audiences`");
    }
    let resource = input
        .audience_param
        .as_ref()
        .is_some_and(|p| p.value == "resource");
    let mut out: Vec<(Audience, &Str)> = Vec::new();
    for entry in &list.value {
        let uri = &entry.uri;
        if uri.value.trim().is_empty() {
            cx.err("C16a", uri.span, "empty audience — write the API identifier, e.g. \"https://api.example.com/orders\"");
            continue;
        }
        if out.iter().any(|(a, _)| a.uri == uri.value) {
            cx.err("C16a", uri.span, format!("audience `{}` is listed twice; each audience gets one access token — remove this one", uri.value));
            continue;
        }
        if resource {
            let ok = Uri::parse(&uri.value).is_ok_and(|u| u.fragment.is_none());
            if !ok {
                cx.err("C16b", uri.span, format!("with audience_param = \"resource\" each audience must be an absolute URI without a fragment (RFC 8707 §2): `{}` → e.g. \"https://api.example.com/orders\"", uri.value));
            }
        }
        let (variant, span) = match &entry.name {
            Some(name) => (names::upper_camel(&name.value), name.span),
            None => (
                names::audience_variant(&uri.value).unwrap_or_default(),
                uri.span,
            ),
        };
        if !names::is_variant_name(&variant) {
            let message = match &entry.name {
                Some(name) => format!(
                    "audience name `{}` is not a usable enum variant name — write an UpperCamelCase name such as `Orders`",
                    name.value
                ),
                None => format!(
                    "cannot derive an enum variant name from audience `{}` — name it: `audiences(Orders = \"{}\")`",
                    uri.value, uri.value
                ),
            };
            cx.err("C16a", span, message);
            continue;
        }
        if let Some((other, _)) = out.iter().find(|(a, _)| a.variant == variant) {
            cx.err("C16a", span, format!("audiences `{}` and `{}` both map to the variant name `{variant}` — name them: `audiences({variant} = \"{}\", Other{variant} = \"{}\")`", other.uri, uri.value, other.uri, uri.value));
            continue;
        }
        out.push((
            Audience {
                variant,
                uri: uri.value.clone(),
            },
            uri,
        ));
    }
    out.into_iter().map(|(a, _)| a).collect()
}

// ---------------------------------------------------------------------------------------------
// Rule 12 (C17): scopes.
// ---------------------------------------------------------------------------------------------

/// Rule 12: no empty, duplicate or malformed scope; `offline_access` comes from
/// `refresh_tokens = true`.
fn rule_12_scopes(cx: &mut Ctxt, input: &Input, kind: Option<Kind>) {
    let Some(scopes) = &input.scopes else {
        return;
    };
    if scopes.value.is_empty() {
        cx.err(
            "C17",
            scopes.key,
            "`scopes` is empty — list at least one scope, or remove `scopes`",
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for scope in &scopes.value {
        let s = scope.value.as_str();
        if let Some(problem) = scope_problem(s) {
            cx.err("C17", scope.span, problem);
        } else if seen.contains(&s) {
            cx.err(
                "C17",
                scope.span,
                format!("scope `{s}` is listed twice — remove this one"),
            );
        } else if s == "offline_access" && kind != Some(Kind::Machine) {
            // On `machine`, rule 4 explains it.
            cx.err("C17", scope.span, "scope `offline_access` comes from `refresh_tokens = true`, not by hand — remove it and write `refresh_tokens = true`");
        }
        seen.push(s);
    }
}

/// What is wrong with one scope token, if anything (RFC 6749 §3.3:
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`).
pub fn scope_problem(scope: &str) -> Option<String> {
    Some(match oauthflow_core::scope_problem(scope)? {
        ScopeProblem::Empty => "empty scope — remove it".into(),
        ScopeProblem::Space => format!(
            "scope `{scope}` contains a space; scopes are space-separated tokens (RFC 6749 §3.3) — write one entry per scope"
        ),
        ScopeProblem::Character(bad) => {
            let shown = if bad.is_control() {
                bad.escape_default().to_string()
            } else {
                bad.to_string()
            };
            format!(
                "scope `{}` contains `{shown}`, outside the characters RFC 6749 §3.3 allows (printable ASCII except `\"` and `\\`) — remove it",
                if scope.chars().any(char::is_control) {
                    scope.escape_default().to_string()
                } else {
                    scope.to_owned()
                },
            )
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Rule 13 (C15, C8c): explicit endpoints are complete for the flow, and only those it calls.
// ---------------------------------------------------------------------------------------------

/// The endpoints a flow calls: (required, optional) names. `jwks_uri` is required where an ID
/// token must be validated: form post always, other user flows when `openid` is requested.
pub fn endpoints_for(flow: Flow, openid: bool) -> Vec<&'static str> {
    let mut needed = match flow {
        Flow::ClientCredentials | Flow::Password => vec!["token_endpoint"],
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce => {
            vec!["authorization_endpoint", "token_endpoint"]
        }
        Flow::ImplicitFormPost => vec!["authorization_endpoint", "jwks_uri"],
        Flow::DeviceCode => vec!["device_authorization_endpoint", "token_endpoint"],
    };
    if openid && flow != Flow::ClientCredentials && !needed.contains(&"jwks_uri") {
        needed.push("jwks_uri");
    }
    needed
}

/// Rule 13: explicit endpoints — complete for the flow, none it never calls.
fn rule_13_endpoints(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
    let given: Vec<(&str, &Arg<String>)> = input
        .endpoints()
        .into_iter()
        .filter_map(|(n, a)| a.map(|a| (n, a)))
        .collect();
    let Some((_, first)) = given.first() else {
        return;
    };
    let openid = input
        .scopes
        .as_ref()
        .is_some_and(|s| s.value.iter().any(|s| s.value == "openid"));
    let needed = endpoints_for(flow, openid);
    let what = format!("kind = \"{}\" ({})", kind.as_str(), flow.describe());
    for (name, arg) in &given {
        if needed.contains(name) {
            continue;
        }
        let message = if *name == "jwks_uri" {
            format!(
                "`jwks_uri` only serves to validate ID tokens, and {what} validates none without the `openid` scope — remove `jwks_uri`, or add \"openid\" to `scopes`"
            )
        } else {
            format!("`{name}` is never called by {what} — remove `{name}`")
        };
        cx.err("C15", arg.key, message);
    }
    for name in needed {
        if given.iter().any(|(n, _)| *n == name) || input.unreadable(name) {
            continue;
        }
        let (rule, message) = match (name, flow) {
            ("jwks_uri", Flow::ImplicitFormPost) => ("C8c", "validating the ID token of an implicit form post needs the issuer's keys: with explicit endpoints add `jwks_uri` (OIDC Core §3.1.3.7), or remove the endpoints and use `issuer` alone for discovery".to_owned()),
            ("jwks_uri", _) => ("C15", "the `openid` scope means an ID token to validate: with explicit endpoints add `jwks_uri` (OIDC Core §3.1.3.7), or remove the endpoints and use `issuer` alone for discovery".to_owned()),
            _ => ("C15", format!("{what} with explicit endpoints also needs `{name}` — add it, or remove the endpoints and use `issuer` alone for discovery (RFC 8414)")),
        };
        cx.err(rule, first.key, message);
    }
}

#[cfg(test)]
mod tests;
