//! Rules 1–3: `kind` and the shape of values, no secret in source, no grant knobs.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rule 1 (C1): `kind` is present and one of the six; values have the right shape.
// Unknown and duplicate arguments are reported while reading them (attr.rs), also as C1.
// ---------------------------------------------------------------------------------------------

/// Rule 1: `kind` missing or unknown (with a did-you-mean).
pub(super) fn rule_01_kind(cx: &mut Ctxt, input: &Input) -> Option<Kind> {
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
pub(super) fn kind_alias(word: &str) -> Option<(&'static str, &'static str)> {
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
pub(super) fn rule_01_values(cx: &mut Ctxt, input: &Input) {
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
pub(super) fn rule_02_secrets(cx: &mut Ctxt, input: &Input, kind: Option<Kind>) {
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
pub const GRANT_KEYS: [&str; 9] = [
    "grant",
    "grant_type",
    "flow",
    "response_type",
    "response_mode",
    "pkce",
    "code_challenge_method",
    "implicit",
    "token_endpoint_auth_method",
];

/// Rule 3: `grant`, `flow`, `response_type`, `response_mode`, `pkce`, `code_challenge_method`.
pub(super) fn rule_03_grant_arguments(
    cx: &mut Ctxt,
    input: &Input,
    kind: Option<Kind>,
    flow: Option<Flow>,
) {
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
            "token_endpoint_auth_method" => (
                "C4",
                format!(
                    "`{key}` is not an argument: confidential kinds (machine, web, trusted) choose with `client_auth = \"client_secret_basic\" | \"client_secret_post\" | \"private_key_jwt\"`, public kinds (spa, native, device) have no client authentication (OAuth 2.1 §2.1){chose} — remove `{key}`"
                ),
            ),
            _ => continue,
        };
        cx.err(rule, refused.key.span, message);
    }
}
