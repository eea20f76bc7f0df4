//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1, auth-param syntax of §11.2): whether a
//! response carries a challenge of a given scheme with a given `error` — `Bearer
//! error="invalid_token"` (RFC 6750 §3), `DPoP error="use_dpop_nonce"` (RFC 9449 §9).

use http::{HeaderMap, header};

/// Whether a `WWW-Authenticate` header holds a challenge of `scheme` (case-insensitive) whose
/// `error` parameter is `error`.
pub(crate) fn has_error(headers: &HeaderMap, scheme: &str, error: &str) -> bool {
    headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| challenge_has_error(value, scheme, error))
}

/// One `WWW-Authenticate` value: challenges (`scheme param=value, …`), possibly several.
fn challenge_has_error(value: &str, wanted_scheme: &str, wanted_error: &str) -> bool {
    let mut in_scheme = false;
    for item in split_outside_quotes(value) {
        let item = item.trim();
        // A new challenge starts with a scheme token followed by a space (or stands alone).
        let (scheme, rest) = match item.split_once(' ') {
            Some((first, rest)) if !first.contains('=') => (Some(first), rest.trim()),
            None if !item.contains('=') => (Some(item), ""),
            _ => (None, item),
        };
        if let Some(scheme) = scheme {
            in_scheme = scheme.eq_ignore_ascii_case(wanted_scheme);
        }
        if in_scheme
            && let Some((name, value)) = rest.split_once('=')
            && name.trim().eq_ignore_ascii_case("error")
            && value.trim().trim_matches('"') == wanted_error
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
    fn only_the_scheme_and_error_asked_for_match() {
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
                has_error(&headers(values), "Bearer", "invalid_token"),
                expected,
                "{values:?}"
            );
        }
    }

    #[test]
    fn dpop_challenges() {
        let nonce = headers(&[
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
        ]);
        assert!(has_error(&nonce, "DPoP", "use_dpop_nonce"));
        assert!(!has_error(&nonce, "Bearer", "use_dpop_nonce"));
        assert!(!has_error(&nonce, "DPoP", "invalid_token"));
        let both = headers(&[r#"Bearer realm="api", DPoP algs="ES256", error="invalid_token""#]);
        assert!(has_error(&both, "DPoP", "invalid_token"));
        assert!(!has_error(&both, "Bearer", "invalid_token"));
    }
}
