//! HTTP integrations that send a [`TokenSource`]'s token to an API: a
//! [`reqwest-middleware`](reqwest_middleware) middleware (feature `reqwest-middleware`) and a
//! [`tower`] layer (feature `tower`). Both do the same two things, defined once here:
//!
//! - add `Authorization: Bearer <token>` (RFC 6750 §2.1) for the configured audience, unless
//!   the request already carries an `Authorization` header;
//! - when the API answers `401` with a `Bearer` challenge whose `error` is `invalid_token`
//!   (RFC 6750 §3.1: expired, revoked, malformed), drop that token from the cache and send the
//!   request **once** more with a new token. Any other answer — including a second `401` —
//!   goes back to the caller as it came.

use std::fmt;

use http::{HeaderMap, StatusCode, header};

use crate::token_source::{BearerToken, TokenSource};

#[cfg(feature = "reqwest-middleware")]
pub mod reqwest_middleware;
#[cfg(feature = "tower")]
pub mod tower;

/// A token source and the audience whose tokens an integration sends: what both integrations
/// hold.
#[derive(Clone)]
pub(crate) struct Bearer<T: TokenSource> {
    pub(crate) source: T,
    pub(crate) audience: T::Audience,
}

impl<T: TokenSource> Bearer<T> {
    /// Whether the request should get a token: it has no `Authorization` header of its own.
    pub(crate) fn applies_to(headers: &HeaderMap) -> bool {
        !headers.contains_key(header::AUTHORIZATION)
    }

    /// Sets the `Authorization` header from `token`.
    pub(crate) fn authorize(headers: &mut HeaderMap, token: &BearerToken) {
        headers.insert(header::AUTHORIZATION, token.authorization().clone());
    }

    /// After a response: whether the API refused `token` as invalid; if so, the token is
    /// dropped from the cache and the caller retries once.
    pub(crate) fn refused(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        token: &BearerToken,
    ) -> bool {
        let refused = status == StatusCode::UNAUTHORIZED && asks_for_a_new_token(headers);
        if refused {
            tracing::debug!(audience = ?self.audience, "the API refused the access token (invalid_token): fetching a new one");
            self.source.discard_token(self.audience, token);
        }
        refused
    }
}

impl<T: TokenSource> fmt::Debug for Bearer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bearer")
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// Whether a `WWW-Authenticate` header of the response holds a `Bearer` challenge with
/// `error="invalid_token"` (RFC 6750 §3, auth-param syntax of RFC 9110 §11.2). A bare `401`, or
/// `insufficient_scope`, is not fixed by a new token, so it is not retried.
pub(crate) fn asks_for_a_new_token(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(bearer_invalid_token)
}

/// One `WWW-Authenticate` value: challenges (`scheme param=value, …`), possibly several.
fn bearer_invalid_token(value: &str) -> bool {
    let mut in_bearer = false;
    for item in split_outside_quotes(value) {
        let item = item.trim();
        // A new challenge starts with a scheme token followed by a space (or stands alone).
        let (scheme, rest) = match item.split_once(' ') {
            Some((first, rest)) if !first.contains('=') => (Some(first), rest.trim()),
            None if !item.contains('=') => (Some(item), ""),
            _ => (None, item),
        };
        if let Some(scheme) = scheme {
            in_bearer = scheme.eq_ignore_ascii_case("Bearer");
        }
        if in_bearer
            && let Some((name, value)) = rest.split_once('=')
            && name.trim().eq_ignore_ascii_case("error")
            && value.trim().trim_matches('"') == "invalid_token"
        {
            return true;
        }
    }
    false
}

/// Splits at commas that are not inside a quoted string.
fn split_outside_quotes(value: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut escaped = false;
    value.split(move |c| {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => return true,
            _ => {}
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(header::WWW_AUTHENTICATE, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_a_bearer_invalid_token_challenge_asks_for_a_new_token() {
        for (values, expected) in [
            (
                &[
                    r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
                ][..],
                true,
            ),
            (&["Bearer error=invalid_token"][..], true),
            (&[r#"bearer ERROR="invalid_token""#][..], true),
            (
                &[r#"Basic realm="x", Bearer error="invalid_token""#][..],
                true,
            ),
            (
                &[r#"Basic realm="x""#, r#"Bearer error="invalid_token""#][..],
                true,
            ),
            (&[r#"Bearer realm="a, error=\"invalid_token\"""#][..], false),
            (&[r#"Bearer error="insufficient_scope""#][..], false),
            (&[r#"Bearer realm="example""#][..], false),
            (&[r#"DPoP error="invalid_token""#][..], false),
            (&[r#"Basic error="invalid_token""#][..], false),
            (&[][..], false),
        ] {
            assert_eq!(
                asks_for_a_new_token(&headers(values)),
                expected,
                "{values:?}"
            );
        }
    }
}
