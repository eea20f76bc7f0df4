//! Printing the steps of `oauthflow try`: values that are secrets (codes, `state`, tokens) are
//! never shown, unless `--show-tokens` asks for the tokens.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use oauthflow_runtime::{IdTokenClaims, TokenSet, Url};
use serde_json::{Map, Value};

/// One step: a short label and what happened. A closed stdout (`| head`) is not an error.
pub fn step(label: &str, text: impl AsRef<str>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{label:<10} {}", text.as_ref());
}

/// `scheme://host:port/path?name=…&name=…`: the names of the parameters, not their values.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let mut text = shown.to_string();
    if let Some(query) = url.query() {
        text.push('?');
        text.push_str(&redact_query(query));
    }
    text
}

/// `name=…&name=…` for an urlencoded string.
pub fn redact_query(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| format!("{name}=…"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The payload of a JWT, unverified (the client reads what it was given; the API verifies
/// access tokens). `None` for an opaque token.
pub fn jwt_claims(jwt: &str) -> Option<Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// `in 600 s` / `600 s ago`.
pub fn relative(at: SystemTime) -> String {
    match at.duration_since(SystemTime::now()) {
        Ok(ahead) => format!("in {} s", ahead.as_secs()),
        Err(past) => format!("{} s ago", past.duration().as_secs()),
    }
}

fn claim_text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    Some(match claims.get(name)? {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    })
}

/// The claims that matter of an access token, or `opaque`.
pub fn describe_access_token(token: &str) -> String {
    let Some(claims) = jwt_claims(token) else {
        return format!(
            "opaque ({} characters; only the API can read it)",
            token.len()
        );
    };
    let mut parts = vec!["JWT".to_owned()];
    for name in ["iss", "sub", "aud", "client_id", "scope"] {
        if let Some(value) = claim_text(&claims, name) {
            parts.push(format!("{name}={value}"));
        }
    }
    if let Some(exp) = claims.get("exp").and_then(Value::as_u64) {
        parts.push(format!(
            "exp {}",
            relative(UNIX_EPOCH + Duration::from_secs(exp))
        ));
    }
    parts.join(" ")
}

/// Prints what a token response carried, then the summary; the tokens themselves only with
/// `show_tokens`.
pub fn tokens(tokens: &TokenSet, show_tokens: bool) {
    step(
        "access",
        describe_access_token(tokens.access_token().secret()),
    );
    step(
        "expires",
        tokens
            .expires_at()
            .map_or("not said (expires_in absent)".to_owned(), relative),
    );
    step(
        "scopes",
        if tokens.scopes().is_empty() {
            "(as requested: the server did not list them)".to_owned()
        } else {
            tokens.scopes().join(" ")
        },
    );
    if let Some(audience) = tokens.audience() {
        step("audience", audience);
    }
    step(
        "refresh",
        if tokens.refresh_token().is_some() {
            "a refresh token was issued"
        } else {
            "no refresh token"
        },
    );
    match tokens.id_token_claims() {
        Some(claims) => id_token(claims),
        None => step("id token", "none"),
    }
    if show_tokens {
        step("token", tokens.access_token().secret());
        if let Some(refresh) = tokens.refresh_token() {
            step("refresh", refresh.secret());
        }
        if let Some(id) = tokens.id_token() {
            step("id token", id);
        }
    }
}

/// Prints validated ID-token claims.
pub fn id_token(claims: &IdTokenClaims) {
    step(
        "id token",
        format!(
            "validated: iss={} sub={} aud={} exp {}",
            claims.issuer(),
            claims.subject(),
            claims.audiences().join(" "),
            relative(claims.expires_at())
        ),
    );
}
