//! The authorization response (the redirect back to the client), parsed strictly and checked
//! without any network call: duplicates rejected (R14), `state` compared in constant time first
//! (R15), `iss` checked against the issuer the request went to (R16, R17), `error=` turned into a
//! typed, sanitized error (R18).

use std::fmt;

use url::Url;

use crate::error::{Error, OAuthErrorCode, sanitize_description};
use crate::quirks::{Quirk, Quirks};
use crate::secret_eq::secrets_equal;

/// The parameters of an authorization response that oauthflow reads; others are ignored
/// (OAuth 2.1 §4.1.2).
#[derive(Default)]
pub(crate) struct Callback {
    pub(crate) code: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) iss: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("state", &self.state.as_ref().map(|_| "[redacted]"))
            .field("iss", &self.iss)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

const KNOWN: [&str; 6] = [
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
];

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidCallback {
        reason: reason.into(),
    }
}

/// Parses the callback: the full redirect URL, or its query string with or without the `?`.
pub(crate) fn parse(callback: &str) -> Result<Callback, Error> {
    let callback = callback.trim();
    let query: String = match Url::parse(callback) {
        Ok(url) => url
            .query()
            .ok_or_else(|| invalid("the callback URL has no query string"))?
            .to_owned(),
        Err(_) => {
            let q = callback.strip_prefix('?').unwrap_or(callback);
            q.split('#').next().unwrap_or_default().to_owned()
        }
    };
    let mut out = Callback::default();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let Some(known) = KNOWN.iter().find(|k| **k == name) else {
            continue;
        };
        if seen.contains(known) {
            return Err(invalid(format!(
                "the parameter `{known}` appears more than once (RFC 6749 §3.1)"
            )));
        }
        seen.push(known);
        let value = (!value.is_empty()).then(|| value.into_owned());
        match *known {
            "code" => out.code = value,
            "state" => out.state = value,
            "iss" => out.iss = value,
            "error" => out.error = value,
            "error_description" => out.error_description = value,
            _ => {}
        }
    }
    if out.code.is_some() && out.error.is_some() {
        return Err(invalid("the callback has both `code` and `error`"));
    }
    Ok(out)
}

/// R15: `state` present and equal to the pending one.
pub(crate) fn check_state(callback: &Callback, expected: &str) -> Result<(), Error> {
    match &callback.state {
        Some(state) if secrets_equal(state, expected) => Ok(()),
        _ => Err(Error::StateMismatch),
    }
}

/// R16: `iss` equal to the issuer the request was sent to; required when the server announces
/// `authorization_response_iss_parameter_supported`. Applies to error responses too, unless the
/// settings accept [`Quirk::ErrorResponseWithoutIss`]: then an *error* response without `iss`
/// passes (and becomes the server's `Error::OAuth` in [`into_code`]); a response with a code
/// never does — the mix-up defence is about redeeming codes. A sent `iss` is always compared.
///
/// A refused error response keeps its `error` code, unverified, in
/// `Error::MissingIssuer::unverified_error` for diagnostics.
///
/// `expected` is `None` for a client with no issuer (explicit endpoints, no ID token): an `iss`
/// is then neither required nor compared — there is nothing to compare it with, and such a
/// server announces nothing — and the mix-up defence rests on a redirect URI of its own per
/// authorization server (RFC 9700 §4.4.2). The debug log says an `iss` went unchecked.
pub(crate) fn check_issuer(
    callback: &Callback,
    expected: Option<&str>,
    required: bool,
    quirks: Quirks,
) -> Result<(), Error> {
    let Some(expected) = expected else {
        if callback.iss.is_some() {
            tracing::debug!(
                "oauthflow: the callback has an `iss`, but no issuer is configured to compare it with (RFC 9207): not checked"
            );
        }
        return Ok(());
    };
    match &callback.iss {
        Some(iss) if iss == expected => Ok(()),
        Some(iss) => Err(Error::IssuerMismatch {
            expected: expected.to_owned(),
            found: sanitize_description(iss),
        }),
        None if !required => Ok(()),
        None => match &callback.error {
            Some(_) if quirks.accept(Quirk::ErrorResponseWithoutIss) => Ok(()),
            error => Err(Error::MissingIssuer {
                unverified_error: error.as_deref().map(OAuthErrorCode::new),
            }),
        },
    }
}

/// R18: an `error=` response as a typed error; otherwise the code.
pub(crate) fn into_code(callback: Callback) -> Result<oauth2::AuthorizationCode, Error> {
    if let Some(error) = callback.error {
        return Err(Error::OAuth {
            endpoint: "authorization",
            code: OAuthErrorCode::new(&error),
            description: callback
                .error_description
                .as_deref()
                .map(sanitize_description),
        });
    }
    callback
        .code
        .map(oauth2::AuthorizationCode::new)
        .ok_or_else(|| invalid("the callback has neither `code` nor `error`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Quirks = Quirks::NONE;

    #[test]
    fn accepted_forms() {
        for input in [
            "https://app.example.com/callback?code=c1&state=s1&iss=https%3A%2F%2Fas.example.com",
            "?code=c1&state=s1&iss=https%3A%2F%2Fas.example.com",
            "code=c1&state=s1&iss=https%3A%2F%2Fas.example.com",
            "  code=c1&state=s1&iss=https%3A%2F%2Fas.example.com&foo=1&foo=2  ",
            "com.example.app:/cb?code=c1&state=s1&iss=https://as.example.com",
        ] {
            let c = parse(input).unwrap();
            assert_eq!(c.code.as_deref(), Some("c1"), "{input}");
            assert_eq!(c.state.as_deref(), Some("s1"));
            assert_eq!(c.iss.as_deref(), Some("https://as.example.com"));
        }
    }

    /// R14: the table of the security rules.
    #[test]
    fn strict_parsing_table() {
        let cases: &[(&str, &str)] = &[
            ("code=a&code=b&state=s", "duplicate code"),
            ("code=a&state=s&state=s", "duplicate state"),
            ("code=a&state=s&iss=x&iss=x", "duplicate iss"),
            ("error=x&error=y&state=s", "duplicate error"),
            ("code=a&error=x&state=s", "code and error"),
            ("https://app.example.com/callback", "no query"),
        ];
        for (input, why) in cases {
            assert!(
                matches!(parse(input), Err(Error::InvalidCallback { .. })),
                "{why}: {input}"
            );
        }
        // Empty values count as absent; unknown parameters are ignored.
        let c = parse("code=a&state=&foo=1").unwrap();
        assert!(c.state.is_none());
        assert!(matches!(check_state(&c, "s"), Err(Error::StateMismatch)));
    }

    /// R15: missing, empty, wrong-length and wrong states.
    #[test]
    fn state_table() {
        let expected = "k3yA-0123456789abcdefghijklmnopqrstuvwxyzABCD";
        for input in [
            "code=a",
            "code=a&state=",
            "code=a&state=k3y",
            "code=a&state=k3yA-0123456789abcdefghijklmnopqrstuvwxyzABCE",
            "code=a&state=K3YA-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZABCD",
        ] {
            let c = parse(input).unwrap();
            assert!(
                matches!(check_state(&c, expected), Err(Error::StateMismatch)),
                "{input}"
            );
        }
        let c = parse(&format!("code=a&state={expected}")).unwrap();
        assert!(check_state(&c, expected).is_ok());
    }

    /// R16: `iss` compared after URL decoding, required when announced.
    #[test]
    fn issuer_table() {
        let as_ = Some("http://127.0.0.1:3000");
        let ok = parse("code=a&state=s&iss=http%3A%2F%2F127.0.0.1%3A3000").unwrap();
        assert!(check_issuer(&ok, as_, true, STRICT).is_ok());
        let slash = parse("code=a&state=s&iss=http%3A%2F%2F127.0.0.1%3A3000%2F").unwrap();
        assert!(matches!(
            check_issuer(&slash, as_, false, STRICT),
            Err(Error::IssuerMismatch { .. })
        ));
        let other = parse("code=a&state=s&iss=https%3A%2F%2Fevil.example").unwrap();
        assert!(matches!(
            check_issuer(&other, as_, false, STRICT),
            Err(Error::IssuerMismatch { .. })
        ));
        let none = parse("code=a&state=s").unwrap();
        assert!(matches!(
            check_issuer(&none, as_, true, STRICT),
            Err(Error::MissingIssuer {
                unverified_error: None
            })
        ));
        assert!(check_issuer(&none, as_, false, STRICT).is_ok());
        let err = parse("error=access_denied&state=s&iss=https%3A%2F%2Fevil.example").unwrap();
        assert!(matches!(
            check_issuer(&err, as_, false, STRICT),
            Err(Error::IssuerMismatch { .. })
        ));
        // No issuer configured: nothing to compare `iss` with, nor to require it by.
        assert!(check_issuer(&other, None, false, STRICT).is_ok());
        assert!(check_issuer(&none, None, false, STRICT).is_ok());
    }

    /// R16 and the quirk `error_response_without_iss`: an error response without `iss` from a
    /// server that announces it is `MissingIssuer` (its code kept, unverified); with the quirk
    /// it passes, and `into_code` reports the server's error. A code never passes without `iss`.
    #[test]
    fn error_response_without_iss() {
        let as_ = Some("http://127.0.0.1:3000");
        let lenient = Quirks::default().with(Quirk::ErrorResponseWithoutIss);
        let denied = parse("error=access_denied&state=s").unwrap();
        match check_issuer(&denied, as_, true, STRICT) {
            Err(Error::MissingIssuer {
                unverified_error: Some(code),
            }) => assert_eq!(code.as_str(), "access_denied"),
            other => panic!("{other:?}"),
        }
        assert!(check_issuer(&denied, as_, true, lenient).is_ok());
        let err = into_code(denied).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::OAuth {
                    endpoint: "authorization",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.oauth_code(), Some("access_denied"));
        // A successful response without `iss`: refused with or without the quirk.
        let code = parse("code=a&state=s").unwrap();
        for quirks in [STRICT, lenient] {
            assert!(matches!(
                check_issuer(&code, as_, true, quirks),
                Err(Error::MissingIssuer {
                    unverified_error: None
                })
            ));
        }
        // A wrong `iss` on an error response: still a mismatch with the quirk.
        let other = parse("error=access_denied&state=s&iss=https%3A%2F%2Fevil.example").unwrap();
        assert!(matches!(
            check_issuer(&other, as_, true, lenient),
            Err(Error::IssuerMismatch { .. })
        ));
        // The unverified code is sanitized and not shown by `Display`.
        let odd = parse("error=%3Cb%3E%0A&state=s").unwrap();
        let err = check_issuer(&odd, as_, true, STRICT).unwrap_err();
        assert!(!err.to_string().contains('<'), "{err}");
    }

    /// R18: typed, sanitized errors; state is still checked first.
    #[test]
    fn error_responses() {
        let c = parse(
            "error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=s",
        )
        .unwrap();
        assert!(check_state(&c, "s").is_ok());
        let err = into_code(c).unwrap_err();
        assert_eq!(err.oauth_code(), Some("access_denied"));
        let shown = err.to_string();
        assert!(!shown.contains('<') && !shown.contains('>'), "{shown}");
        let long = format!(
            "error=access_denied&state=s&error_description={}",
            "x".repeat(5000)
        );
        assert!(
            into_code(parse(&long).unwrap())
                .unwrap_err()
                .to_string()
                .len()
                < 400
        );
        let no_state = parse("error=access_denied").unwrap();
        assert!(matches!(
            check_state(&no_state, "s"),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            into_code(parse("state=s").unwrap()),
            Err(Error::InvalidCallback { .. })
        ));
    }

    #[test]
    fn debug_redacts_code_and_state() {
        let c = parse("code=topsecretcode&state=topsecretstate").unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("topsecret"));
    }
}
