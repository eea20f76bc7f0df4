//! Typed errors. No `Display` here ever contains a secret, token, code, state, nonce or a URL
//! with its query.

use crate::tokens::TokenSet;
use std::fmt;

/// A problem with the client's configuration, found before (or instead of) a flow step.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable that `from_env` needs is not set (or not valid UTF-8).
    #[error("environment variable `{name}` is not set: {hint}")]
    MissingEnv {
        /// The variable's name.
        name: String,
        /// What to put there.
        hint: &'static str,
    },
    /// An environment variable read by `Settings::from_env` has a value that cannot be used.
    /// The value itself is never shown (it may be a secret, or close to one).
    #[error("environment variable `{name}` is not usable: {reason}")]
    InvalidEnv {
        /// The variable's name.
        name: String,
        /// What is wrong and what to write instead.
        reason: String,
    },
    /// No issuer in the attribute, the settings or the environment, for a client that needs one:
    /// it validates ID tokens, or its explicit endpoints do not cover its flow.
    #[error(
        "no issuer configured: write `issuer = \"https://...\"` in the attribute, call `Settings::issuer`, or set `{env}` (a client that validates no ID token may instead be given every endpoint its flow calls, e.g. `Settings::token_endpoint`)"
    )]
    MissingIssuer {
        /// The environment variable `from_env` reads the issuer from.
        env: String,
    },
    /// A URL (issuer, endpoint, redirect URI) is malformed or not allowed.
    #[error("`{what}` is not usable: {reason}")]
    InvalidUrl {
        /// Which setting or metadata field.
        what: &'static str,
        /// What is wrong and what to write instead.
        reason: String,
    },
    /// The discovered metadata names a different issuer than the one configured (RFC 8414 §3.3).
    #[error(
        "the authorization server's metadata names issuer `{found}`, but `{expected}` is configured; they must be equal character for character (RFC 8414 §3.3) — fix the configured issuer"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer in the metadata.
        found: String,
    },
    /// The metadata lacks something this flow needs, or could not be fetched or parsed.
    #[error("discovery failed: {reason}")]
    Discovery {
        /// What went wrong.
        reason: String,
    },
    /// A required setting is missing or invalid.
    #[error("invalid settings: {reason}")]
    Invalid {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The `private_key_jwt` key (`ClientKey::from_pem`, `ClientKey::from_jwk`,
    /// `<PREFIX>_CLIENT_KEY`) cannot be used. Never contains key material.
    #[error("the client key is not usable: {reason}")]
    InvalidKey {
        /// What is wrong and what to give instead.
        reason: String,
    },
}

/// An OAuth 2.0 error code (RFC 6749 §5.2, §4.1.2.1; RFC 8628 §3.5), e.g. `invalid_grant`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OAuthErrorCode(String);

impl OAuthErrorCode {
    /// Builds a code; anything outside the RFC 6749 error-code characters is replaced by `?`
    /// and it is cut at 64 characters, because the value comes from the network.
    pub fn new(code: &str) -> Self {
        OAuthErrorCode(
            code.chars()
                .take(64)
                .map(|c| {
                    if (' '..='~').contains(&c) && c != '"' && c != '\\' {
                        c
                    } else {
                        '?'
                    }
                })
                .collect(),
        )
    }

    /// The code as sent (within the RFC 6749 characters), e.g. `"invalid_grant"`. Unlike
    /// `Display`, it may contain `<`, `>`, `&` or `'`: escape it before rendering it in a page.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether asking again (later) may succeed: `temporarily_unavailable`, `slow_down`, ...
    pub fn is_transient(&self) -> bool {
        matches!(
            self.0.as_str(),
            "temporarily_unavailable" | "server_error" | "slow_down"
        )
    }
}

impl fmt::Debug for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl OAuthErrorCode {
    /// Whether the code looks like a code (ASCII letters, digits, `_`, `.`, `-`): only then is
    /// it shown by `Display`.
    fn looks_like_a_code(&self) -> bool {
        !self.0.is_empty()
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    }
}

/// The code when it looks like one; otherwise a neutral placeholder. RFC 6749 §4.1.2.1 lets a
/// code carry `<`, `>`, `&` and `'`, and the value comes from the network: an app that renders
/// `error.to_string()` in a page must not get markup. [`OAuthErrorCode::as_str`] keeps the
/// value as sent.
impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.looks_like_a_code() {
            f.write_str(&self.0)
        } else {
            f.write_str("(an error code with unexpected characters)")
        }
    }
}

/// Cuts an attacker-controlled text (e.g. `error_description`) to printable ASCII and 200
/// characters so it can be shown without HTML or terminal injection (RFC 6749 §4.1.2.1).
pub fn sanitize_description(text: &str) -> String {
    const MAX: usize = 200;
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '<' | '>' | '&' | '"' | '\'' | '`' => '?',
            c if c.is_ascii() => c,
            _ => '?',
        })
        .take(MAX)
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// Why a flow step failed.
///
/// `Clone`, so that callers sharing one request (a single-flight refresh) all get the error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is wrong (see [`ConfigError`]).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The authorization server answered with an OAuth error (RFC 6749 §5.2 / §4.1.2.1).
    #[error("the authorization server refused the {endpoint} request: {code}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    OAuth {
        /// Which endpoint (`token`, `authorization`, `device_authorization`).
        endpoint: &'static str,
        /// The RFC 6749 error code.
        code: OAuthErrorCode,
        /// `error_description`, sanitized and cut (attacker-controlled text).
        description: Option<String>,
    },
    /// The callback's `state` is missing or does not match the pending authorization (CSRF).
    #[error(
        "the callback's `state` does not match the pending authorization: possible CSRF or a stale login — start a new authorization"
    )]
    StateMismatch,
    /// The callback's `iss` names another authorization server (RFC 9207 mix-up defence).
    #[error(
        "the callback's `iss` is `{found}` but the authorization was sent to `{expected}` (RFC 9207): the code was not redeemed"
    )]
    IssuerMismatch {
        /// The issuer the authorization request went to.
        expected: String,
        /// The `iss` in the callback (sanitized).
        found: String,
    },
    /// The authorization response lacks `iss` although the server announced it would send it
    /// (RFC 9207 §2.4); no code was redeemed. For an error response from a server that omits
    /// `iss` only there (Django OAuth Toolkit), `Settings::accept_error_response_without_iss`
    /// reports the server's [`Error::OAuth`] instead.
    #[error(
        "the authorization response has no `iss` although the authorization server announces `authorization_response_iss_parameter_supported` (RFC 9207 §2.4): not accepted, no code was redeemed"
    )]
    MissingIssuer {
        /// The `error` code the response carried, if it was an error response — **unverified**:
        /// without `iss` nothing says which server sent it (it may be another server's, or an
        /// attacker's, RFC 9207 §2), so it is for diagnostics and logs, never for decisions
        /// such as "the user declined". Sanitized like [`Error::OAuth`]'s code and not shown by
        /// `Display`.
        unverified_error: Option<OAuthErrorCode>,
    },
    /// The client assertion of `private_key_jwt` could not be signed: the
    /// [`AssertionSigner`](crate::AssertionSigner) (a KMS, an HSM) failed. Nothing was sent.
    #[error("could not sign the client assertion: {reason}")]
    ClientAssertion {
        /// The signer's error, sanitized.
        reason: String,
    },
    /// A DPoP proof (RFC 9449 §4) could not be made: the request URL cannot be a proof's
    /// `htu` (not absolute, no host), or the key failed to sign. Nothing was sent.
    #[error("could not make a DPoP proof: {reason}")]
    DpopProof {
        /// What was wrong.
        reason: String,
    },
    /// The callback is malformed (duplicate parameters, no code, both code and error, ...).
    #[error("invalid callback: {reason}")]
    InvalidCallback {
        /// What is wrong.
        reason: String,
    },
    /// The ID token failed validation; no token from this response is used.
    #[error("the ID token is invalid: {reason}")]
    IdTokenInvalid {
        /// Which check failed.
        reason: String,
    },
    /// A response from the authorization server is malformed (bad JSON, wrong types, too big).
    #[error("invalid response from the {endpoint} endpoint: {reason}")]
    InvalidResponse {
        /// Which endpoint.
        endpoint: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The server answered with an HTTP redirect on a back-channel request; it was not followed
    /// (RFC 9700 §4.12).
    #[error(
        "the {endpoint} endpoint answered with HTTP {status} redirect, which oauthflow never follows on back-channel requests (RFC 9700 §4.12)"
    )]
    RedirectRefused {
        /// Which endpoint.
        endpoint: &'static str,
        /// The HTTP status (`0` when the HTTP client followed the redirect on its own, so the
        /// redirect's status is unknown).
        status: u16,
    },
    /// The server answered with an HTTP error that is not an OAuth error response.
    #[error("the {endpoint} endpoint answered HTTP {status}")]
    HttpStatus {
        /// Which endpoint.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, when the server sent one (seconds).
        retry_after: Option<u64>,
    },
    /// The request could not be sent or the answer not read (connection refused, TLS, a
    /// connection closed before the answer, ...).
    #[error("could not reach the {endpoint} endpoint: {reason}")]
    Transport {
        /// Which endpoint.
        endpoint: &'static str,
        /// What failed (never includes the URL's query).
        reason: String,
        /// Whether the request may have reached the server: `false` only when no connection
        /// was made (refused, DNS, TLS handshake), so the server cannot have acted on it. When
        /// `true`, a request that changes state (a refresh that rotates the refresh token) may
        /// have taken effect — `refresh` reports it as [`Error::RefreshUnanswered`].
        request_sent: bool,
    },
    /// The request took longer than the configured timeout.
    #[error("the {endpoint} request timed out")]
    Timeout {
        /// Which endpoint.
        endpoint: &'static str,
    },
    /// The device code expired before the user approved it (RFC 8628 `expired_token`).
    #[error(
        "the device code expired before the user approved it (RFC 8628 §3.5): start a new device authorization"
    )]
    DeviceCodeExpired,
    /// The pending authorization does not belong to this client (other issuer, flow or redirect).
    #[error("the pending authorization was created by another client or issuer: {reason}")]
    PendingMismatch {
        /// What differs.
        reason: String,
    },
    /// The token set has no refresh token: start a new authorization.
    #[error("no refresh token: {reason}")]
    NoRefreshToken {
        /// Why.
        reason: &'static str,
    },
    /// The loopback listener (native apps) failed or timed out waiting for the browser.
    #[error("the loopback redirect listener failed: {reason}")]
    Loopback {
        /// What happened.
        reason: String,
    },
    /// A refresh request was sent but its answer was lost (`cause`: a timeout, a connection
    /// closed after the request went out, or the refresh task stopped). The server
    /// may have processed it and rotated the refresh token, whose successor would then be lost:
    /// do not send the same refresh token again blindly — servers that enforce rotation revoke
    /// the whole grant on reuse. Retry at most once, and treat `invalid_grant` as "sign in
    /// again". Never retried by oauthflow ([`Error::is_transient`] is `false`).
    #[error(
        "the refresh request was sent and its answer was lost ({cause}): the server may have rotated the refresh token — do not resend it blindly; if the next refresh fails with invalid_grant, sign the user in again"
    )]
    RefreshUnanswered {
        /// What happened (a timeout).
        #[source]
        cause: Box<Error>,
    },
    /// The token request succeeded — the server has issued new tokens and, on a refresh, may
    /// have rotated the refresh token — but a check that follows failed (`cause`: mostly the ID
    /// token, or the issuer's keys could not be fetched to check it).
    ///
    /// The step fails, strictly: nothing of the response counts as validated. But what the
    /// server committed is never lost: `tokens` are the new tokens **without the ID token**
    /// (withheld, never handed out unchecked), and, after a refresh, with the refresh token to
    /// use from now on (the old one may be dead). Take them with [`Error::committed_tokens`] or
    /// [`Error::into_committed_tokens`]:
    ///
    /// ```
    /// use oauthflow_runtime::{Error, TokenSet};
    ///
    /// /// What to keep after a refresh (or any step that ends in a token request).
    /// fn keep_what_was_issued(result: Result<TokenSet, Error>) -> Result<TokenSet, Error> {
    ///     result.or_else(|error| {
    ///         if error.committed_tokens().is_some() {
    ///             eprintln!("new tokens kept, ID token withheld: {}", error.check_failed());
    ///         }
    ///         error.into_committed_tokens()
    ///     })
    /// }
    /// # let _ = keep_what_was_issued;
    /// ```
    ///
    /// Never repeat the request with the old refresh token. After a code exchange, the tokens
    /// belong to an authentication that could not be verified: do not sign anyone in with them.
    #[error(
        "the {endpoint} request succeeded but its response failed a later check: {cause}; the new tokens are kept in this error without the ID token (`Error::committed_tokens`)"
    )]
    CommittedButUnverified {
        /// Which request (`token`).
        endpoint: &'static str,
        /// The check that failed.
        #[source]
        cause: Box<Error>,
        /// What the server issued, the ID token withheld.
        tokens: Box<TokenSet>,
    },
}

impl Error {
    /// The OAuth error code, when the server sent one.
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            Error::OAuth { code, .. } => Some(code.as_str()),
            _ => None,
        }
    }

    /// The tokens the server issued before a later check failed
    /// ([`Error::CommittedButUnverified`]), the ID token withheld; `None` for any other error.
    pub fn committed_tokens(&self) -> Option<&TokenSet> {
        match self {
            Error::CommittedButUnverified { tokens, .. } => Some(tokens),
            _ => None,
        }
    }

    /// [`Error::committed_tokens`] by value; the error itself when it carries none.
    ///
    /// # Errors
    ///
    /// `self`, unchanged, when it is not [`Error::CommittedButUnverified`].
    pub fn into_committed_tokens(self) -> Result<TokenSet, Error> {
        match self {
            Error::CommittedButUnverified { tokens, .. } => Ok(*tokens),
            other => Err(other),
        }
    }

    /// The check that failed: the cause of [`Error::CommittedButUnverified`], `self` otherwise.
    pub fn check_failed(&self) -> &Error {
        match self {
            Error::CommittedButUnverified { cause, .. } => cause,
            other => other,
        }
    }

    /// Keeps `tokens` — issued by a successful token request — in the error of a check that
    /// failed after it, with their ID token withheld.
    pub(crate) fn after_tokens_issued(self, mut tokens: TokenSet) -> Error {
        tokens.id_token = None;
        tokens.id_token_claims = None;
        Error::CommittedButUnverified {
            endpoint: "token",
            cause: Box::new(self),
            tokens: Box::new(tokens),
        }
    }

    /// Whether retrying later may succeed (transport failure, timeout, 5xx, 429,
    /// `temporarily_unavailable`). `invalid_client` / `invalid_grant` are terminal.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            Error::OAuth { code, .. } => code.is_transient(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_a_code_only_when_it_looks_like_one() {
        for code in ["invalid_grant", "access_denied", "urn.example-code_1"] {
            assert_eq!(OAuthErrorCode::new(code).to_string(), code);
        }
        for code in ["<script>alert(1)</script>", "a&b", "it's", "", "with space"] {
            let parsed = OAuthErrorCode::new(code);
            let shown = parsed.to_string();
            assert!(!shown.contains(['<', '>', '&', '\'']), "{shown}");
            assert_eq!(shown, "(an error code with unexpected characters)");
            // The value as sent stays available to the app.
            assert_eq!(parsed.as_str(), code);
        }
        let error = Error::OAuth {
            endpoint: "authorization",
            code: OAuthErrorCode::new("<b>x</b>"),
            description: None,
        };
        assert!(!error.to_string().contains('<'), "{error}");
    }
}
