//! Token endpoint responses (RFC 6749 §5.1, §5.2) parsed and validated into a [`TokenSet`]
//! (rule R21): `token_type` compared case-insensitively and only `Bearer` accepted (only `DPoP`
//! for a client with `sender_constraint = "dpop"`),
//! `expires_in` a non-negative JSON integer (absent: a bounded default lifetime for caching),
//! unknown fields ignored, OAuth error responses typed, HTML or other non-JSON answers typed,
//! nothing printed from the body but sanitized error codes and descriptions. Two deviations
//! are accepted only when the settings name them (`crate::quirks`): `expires_in` as a string
//! of digits, `scope` as an array of strings.

use std::time::{Duration, SystemTime};

use oauth2::{AccessToken, RefreshToken};
use serde_json::{Map, Value};

use crate::error::{Error, OAuthErrorCode, sanitize_description};
use crate::http::HttpResponse;
use crate::quirks::{Quirk, Quirks};
use crate::tokens::TokenSet;

/// How long a token without `expires_in` is cached (and treated as valid by the cache).
pub(crate) const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Longest lifetime believed from `expires_in` (beyond it, the cache re-asks anyway).
const MAX_TTL: Duration = Duration::from_secs(400 * 24 * 3600);

/// A validated token response.
#[derive(Debug)]
pub(crate) struct Received {
    /// What goes to the application.
    pub(crate) tokens: TokenSet,
    /// When the access token is no longer served from a cache: `expires_at`, or receipt plus
    /// [`DEFAULT_TTL`] when the server named no lifetime.
    pub(crate) valid_until: SystemTime,
    /// When it was received.
    pub(crate) received_at: SystemTime,
}

/// What the request asked for, to fill in what the response leaves out.
pub(crate) struct Requested<'a> {
    /// The audience the token was asked for.
    pub(crate) audience: Option<&'a str>,
    /// The scopes asked for (used when the response has no `scope`, RFC 6749 §5.1).
    pub(crate) scopes: &'a [String],
}

/// Parses a token endpoint response.
pub(crate) fn parse(
    endpoint: &'static str,
    response: &HttpResponse,
    requested: &Requested<'_>,
    expected: TokenType,
    quirks: Quirks,
    now: SystemTime,
) -> Result<Received, Error> {
    let invalid = |reason: String| Error::InvalidResponse { endpoint, reason };
    let json: Option<Map<String, Value>> = if response.is_html() {
        None
    } else {
        serde_json::from_slice(&response.body).ok()
    };
    let success = (200..300).contains(&response.status);
    let has_token = json
        .as_ref()
        .is_some_and(|j| j.contains_key("access_token"));
    if let Some(error) = json.as_ref().and_then(|j| oauth_error(endpoint, j))
        && (!success || !has_token)
    {
        tracing::debug!(
            endpoint,
            status = response.status,
            code = error.oauth_code().unwrap_or(""),
            "oauthflow: OAuth error response"
        );
        return Err(error);
    }
    if !success {
        return Err(Error::HttpStatus {
            endpoint,
            status: response.status,
            retry_after: response.retry_after,
        });
    }
    let Some(json) = json else {
        return Err(invalid(if response.is_html() {
            "an HTML page instead of a JSON token response".into()
        } else {
            "the body is not a JSON object".into()
        }));
    };

    let access_token = match json.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(invalid("no `access_token`".into()));
        }
        Some(_) => return Err(invalid("`access_token` is not a string".into())),
    };
    // A bearer token where a DPoP-bound one was asked for is refused after the tokens are
    // taken: a refresh response's rotated refresh token must not be lost (see the end).
    let mut unbound = None;
    match json.get("token_type") {
        Some(Value::String(t)) if t.eq_ignore_ascii_case(expected.as_str()) => {}
        Some(Value::String(t))
            if expected == TokenType::Dpop && t.eq_ignore_ascii_case("bearer") =>
        {
            unbound = Some(invalid(
                "the server issued a bearer token although the request carried a DPoP proof (RFC 9449 §5): it is not bound to the client's key, and this client sends only DPoP-bound tokens".into(),
            ));
        }
        Some(Value::String(t)) => {
            return Err(invalid(format!(
                "token type `{}` is not supported (only `{}`); an access token of a type the client does not understand must not be used (RFC 6749 §7.1)",
                sanitize_description(&t.chars().take(32).collect::<String>()),
                expected.as_str()
            )));
        }
        None | Some(Value::Null) => return Err(invalid("no `token_type`".into())),
        Some(_) => return Err(invalid("`token_type` is not a string".into())),
    }
    let expires_in = match json.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(seconds(n.as_u64()).map_err(invalid)?),
        // Digits only: no sign, fraction or spaces, which `u64::from_str` would partly allow.
        Some(Value::String(s))
            if !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit())
                && quirks.accept(Quirk::ExpiresInAsString) =>
        {
            // More digits than a u64 holds: a lifetime beyond any cap, capped like a number.
            Some(seconds(Some(s.parse().unwrap_or(u64::MAX))).map_err(invalid)?)
        }
        Some(Value::String(_)) => {
            return Err(invalid(
                "`expires_in` is a string; RFC 6749 §5.1 requires a JSON number of seconds (`Settings::accept_expires_in_as_string` accepts a string of digits)".into(),
            ));
        }
        Some(_) => return Err(invalid("`expires_in` is not a number".into())),
    };
    let optional_string = |name: &str| match json.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("`{name}` is not a string"))),
    };
    let refresh_token = optional_string("refresh_token")?;
    let id_token = optional_string("id_token")?;
    let scopes = match json.get("scope") {
        Some(Value::Array(items)) => match scope_array(items, quirks).map_err(invalid)? {
            // Like an empty string: the scopes asked for (RFC 6749 §5.1).
            tokens if tokens.is_empty() => requested.scopes.to_vec(),
            tokens => tokens,
        },
        _ => match optional_string("scope")? {
            Some(scope) => scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None => requested.scopes.to_vec(),
        },
    };
    let expires_at = expires_in.and_then(|d| now.checked_add(d));
    // `now` is the current time (tests: the epoch); 300 s more cannot overflow `SystemTime`.
    let valid_until = expires_at.unwrap_or_else(|| now + DEFAULT_TTL);
    let tokens = TokenSet {
        access_token: AccessToken::new(access_token),
        refresh_token: refresh_token.map(RefreshToken::new),
        id_token,
        id_token_claims: None,
        expires_at,
        audience: requested.audience.map(str::to_owned),
        scopes,
        dpop_bound: expected == TokenType::Dpop,
    };
    if let Some(error) = unbound {
        return Err(error.after_tokens_issued(tokens));
    }
    Ok(Received {
        tokens,
        valid_until,
        received_at: now,
    })
}

/// The `token_type` a client accepts (R21): `Bearer`, or `DPoP` for a client with
/// `sender_constraint = "dpop"` (RFC 9449 §5) — compared case-insensitively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenType {
    /// `Bearer` (RFC 6750).
    Bearer,
    /// `DPoP` (RFC 9449).
    Dpop,
}

impl TokenType {
    /// The name in a token response.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            TokenType::Bearer => "Bearer",
            TokenType::Dpop => "DPoP",
        }
    }
}

/// A lifetime in seconds, capped at [`MAX_TTL`]; `None` (not a non-negative integer) is an error.
fn seconds(secs: Option<u64>) -> Result<Duration, String> {
    secs.map(|secs| Duration::from_secs(secs).min(MAX_TTL))
        .ok_or_else(|| "`expires_in` is not a non-negative whole number of seconds".into())
}

/// `scope` as a JSON array (only with [`Quirk::ScopeAsArray`]): each element one scope token, a
/// non-empty string without spaces (RFC 6749 §3.3's `scope-token`).
fn scope_array(items: &[Value], quirks: Quirks) -> Result<Vec<String>, String> {
    let tokens: Option<Vec<String>> = items
        .iter()
        .map(|item| match item {
            Value::String(s) if !s.is_empty() && !s.contains(' ') => Some(s.clone()),
            _ => None,
        })
        .collect();
    match tokens {
        Some(tokens) if quirks.accept(Quirk::ScopeAsArray) => Ok(tokens),
        Some(_) => Err(
            "`scope` is an array; RFC 6749 §5.1 requires a space-separated string (`Settings::accept_scope_as_array` accepts an array of strings)".into(),
        ),
        None => Err("`scope` is an array with an element that is not a scope string".into()),
    }
}

/// An RFC 6749 §5.2 error object, if `json` is one.
pub(crate) fn oauth_error(endpoint: &'static str, json: &Map<String, Value>) -> Option<Error> {
    let code = json.get("error")?.as_str()?;
    let description = json
        .get("error_description")
        .and_then(Value::as_str)
        .map(sanitize_description);
    Some(Error::OAuth {
        endpoint,
        code: OAuthErrorCode::new(code),
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse {
            status,
            content_type: Some(content_type.into()),
            retry_after: None,
            dpop_nonce: None,
            use_dpop_nonce_challenge: false,
            max_age: None,
            body: body.into(),
        }
    }

    fn parse_json(status: u16, value: Value) -> Result<Received, Error> {
        parse_json_with(Quirks::default(), status, value)
    }

    fn parse_json_with(quirks: Quirks, status: u16, value: Value) -> Result<Received, Error> {
        let scopes = vec!["read".to_owned()];
        let requested = Requested {
            audience: Some("https://api.example.com/orders"),
            scopes: &scopes,
        };
        parse(
            "token",
            &response(status, "application/json", value.to_string()),
            &requested,
            TokenType::Bearer,
            quirks,
            SystemTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn token_type_is_case_insensitive_bearer_only() {
        for t in ["bearer", "Bearer", "BEARER", "BeArEr"] {
            assert!(
                parse_json(
                    200,
                    json!({"access_token": "at", "token_type": t, "expires_in": 60})
                )
                .is_ok(),
                "{t}"
            );
        }
        for t in [
            json!("mac"),
            json!("DPoP"),
            json!("N_A"),
            json!(""),
            json!(1),
        ] {
            let err = parse_json(200, json!({"access_token": "at", "token_type": t})).unwrap_err();
            assert!(matches!(err, Error::InvalidResponse { .. }), "{t}: {err:?}");
        }
        assert!(parse_json(200, json!({"access_token": "at"})).is_err());
    }

    #[test]
    fn expires_in_must_be_a_non_negative_integer() {
        let ok = parse_json(
            200,
            json!({"access_token": "at", "token_type": "bearer", "expires_in": 3600}),
        )
        .unwrap();
        assert_eq!(
            ok.tokens.expires_at,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(3600))
        );
        for bad in [
            json!("3600"),
            json!(-1),
            json!(1.5),
            json!(true),
            json!([60]),
        ] {
            let err = parse_json(
                200,
                json!({"access_token": "at", "token_type": "bearer", "expires_in": bad}),
            )
            .unwrap_err();
            assert!(matches!(err, Error::InvalidResponse { .. }), "{bad}");
        }
    }

    /// Quirk `expires_in_as_string`: digits only, and only by name.
    #[test]
    fn expires_in_as_a_string_only_with_the_quirk() {
        let lenient = Quirks::default().with(Quirk::ExpiresInAsString);
        let body =
            |e: Value| json!({"access_token": "at", "token_type": "bearer", "expires_in": e});
        let strict = parse_json(200, body(json!("3600"))).unwrap_err();
        assert!(
            strict.to_string().contains("accept_expires_in_as_string"),
            "{strict}"
        );
        let r = parse_json_with(lenient, 200, body(json!("3600"))).unwrap();
        assert_eq!(
            r.tokens.expires_at,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(3600))
        );
        let r = parse_json_with(lenient, 200, body(json!("99999999999999999999999"))).unwrap();
        assert_eq!(r.tokens.expires_at, Some(SystemTime::UNIX_EPOCH + MAX_TTL));
        for bad in ["", "-1", "+60", "1.5", " 60", "60 ", "1e3", "sixty", "0x10"] {
            let err = parse_json_with(lenient, 200, body(json!(bad))).unwrap_err();
            assert!(matches!(err, Error::InvalidResponse { .. }), "{bad:?}");
        }
        // A number is still a number with the quirk on.
        assert!(parse_json_with(lenient, 200, body(json!(60))).is_ok());
    }

    /// Quirk `scope_as_array`: an array of scope strings, only by name.
    #[test]
    fn scope_as_an_array_only_with_the_quirk() {
        let lenient = Quirks::default().with(Quirk::ScopeAsArray);
        let body = |s: Value| json!({"access_token": "at", "token_type": "bearer", "scope": s});
        let strict = parse_json(200, body(json!(["a", "b"]))).unwrap_err();
        assert!(
            matches!(strict, Error::InvalidResponse { .. }),
            "{strict:?}"
        );
        assert!(
            strict.to_string().contains("accept_scope_as_array"),
            "{strict}"
        );
        let r = parse_json_with(lenient, 200, body(json!(["a", "b"]))).unwrap();
        assert_eq!(r.tokens.scopes, ["a", "b"]);
        let r = parse_json_with(lenient, 200, body(json!([]))).unwrap();
        assert_eq!(r.tokens.scopes, ["read"], "empty: the requested scopes");
        for bad in [
            json!(["a", 1]),
            json!(["a b"]),
            json!([""]),
            json!([null]),
            json!([["a"]]),
        ] {
            let err = parse_json_with(lenient, 200, body(bad.clone())).unwrap_err();
            assert!(matches!(err, Error::InvalidResponse { .. }), "{bad}");
        }
        // A string is still read as a string with the quirk on.
        let r = parse_json_with(lenient, 200, body(json!("x y"))).unwrap();
        assert_eq!(r.tokens.scopes, ["x", "y"]);
    }

    #[test]
    fn huge_expires_in_is_capped_without_overflow() {
        let r = parse_json(
            200,
            json!({"access_token": "at", "token_type": "bearer", "expires_in": u64::MAX}),
        )
        .unwrap();
        assert_eq!(r.tokens.expires_at, Some(SystemTime::UNIX_EPOCH + MAX_TTL));
        let r = parse_json(
            200,
            json!({"access_token": "at", "token_type": "bearer", "expires_in": 0}),
        )
        .unwrap();
        assert_eq!(r.valid_until, SystemTime::UNIX_EPOCH);
    }

    #[test]
    fn missing_expires_in_gets_a_bounded_cache_lifetime() {
        let r = parse_json(200, json!({"access_token": "at", "token_type": "bearer"})).unwrap();
        assert_eq!(r.tokens.expires_at, None);
        assert_eq!(r.valid_until, SystemTime::UNIX_EPOCH + DEFAULT_TTL);
    }

    #[test]
    fn fields_and_defaults() {
        let r = parse_json(200, json!({"access_token": "at", "token_type": "bearer", "refresh_token": "rt", "id_token": "a.b.c", "scope": "a  b", "unknown": {"x": 1}})).unwrap();
        assert_eq!(r.tokens.refresh_token.unwrap().secret(), "rt");
        assert_eq!(r.tokens.id_token.as_deref(), Some("a.b.c"));
        assert_eq!(r.tokens.scopes, ["a", "b"]);
        assert_eq!(
            r.tokens.audience.as_deref(),
            Some("https://api.example.com/orders")
        );
        let r = parse_json(200, json!({"access_token": "at", "token_type": "bearer"})).unwrap();
        assert_eq!(r.tokens.scopes, ["read"]);
        assert!(
            parse_json(
                200,
                json!({"access_token": "at", "token_type": "bearer", "refresh_token": 5})
            )
            .is_err()
        );
        assert!(parse_json(200, json!({"access_token": "", "token_type": "bearer"})).is_err());
        assert!(parse_json(200, json!({"access_token": 7, "token_type": "bearer"})).is_err());
    }

    #[test]
    fn oauth_errors_are_typed_and_sanitized() {
        let err = parse_json(
            400,
            json!({"error": "invalid_grant", "error_description": "<script>alert(1)</script>"}),
        )
        .unwrap_err();
        match &err {
            Error::OAuth {
                code, description, ..
            } => {
                assert_eq!(code.as_str(), "invalid_grant");
                assert!(!description.as_deref().unwrap().contains('<'));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.oauth_code(), Some("invalid_grant"));
        let err = parse_json(200, json!({"error": "invalid_request"})).unwrap_err();
        assert_eq!(err.oauth_code(), Some("invalid_request"));
    }

    #[test]
    fn non_json_answers_are_typed() {
        let requested = Requested {
            audience: None,
            scopes: &[],
        };
        let html = response(500, "text/html", "<html><body>Bad gateway</body></html>");
        let err = parse(
            "token",
            &html,
            &requested,
            TokenType::Bearer,
            Quirks::default(),
            SystemTime::UNIX_EPOCH,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::HttpStatus { status: 500, .. }),
            "{err:?}"
        );
        let html = response(200, "text/html", "<html>login</html>");
        let err = parse(
            "token",
            &html,
            &requested,
            TokenType::Bearer,
            Quirks::default(),
            SystemTime::UNIX_EPOCH,
        )
        .unwrap_err();
        assert!(err.to_string().contains("HTML"), "{err}");
        for body in [&b"{"[..], b"[]", b"null", b"\xff\xfe"] {
            let r = response(200, "application/json", body);
            assert!(matches!(
                parse(
                    "token",
                    &r,
                    &requested,
                    TokenType::Bearer,
                    Quirks::default(),
                    SystemTime::UNIX_EPOCH
                ),
                Err(Error::InvalidResponse { .. })
            ));
        }
        let r = response(503, "application/json", "{}");
        assert!(matches!(
            parse(
                "token",
                &r,
                &requested,
                TokenType::Bearer,
                Quirks::default(),
                SystemTime::UNIX_EPOCH
            ),
            Err(Error::HttpStatus { status: 503, .. })
        ));
    }
}
