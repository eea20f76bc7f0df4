//! Every failure in the library's words: the typed error's own text (what went wrong), and one
//! line of what to check.

use oauthflow_runtime::{ConfigError, Error};

/// `error: …` and `check: …`, for stderr.
pub fn explain(error: &Error) -> String {
    format!("error: {error}\ncheck: {}", what_to_check(error))
}

/// What to look at for this error.
pub fn what_to_check(error: &Error) -> String {
    match error {
        Error::Config(config) => match config {
            ConfigError::IssuerMismatch { found, .. } => format!(
                "use the issuer exactly as the server writes it: `{found}` (a trailing slash counts)"
            ),
            ConfigError::InvalidUrl { .. } => "URLs must be https, or http on a loopback IP literal such as 127.0.0.1 (never `localhost`)".into(),
            ConfigError::Discovery { .. } => "the issuer URL (its metadata lives under /.well-known/), and whether the server offers what this flow needs: run `oauthflow inspect <issuer>`".into(),
            ConfigError::MissingEnv { .. } | ConfigError::InvalidEnv { .. } => {
                "the environment variable named above".into()
            }
            _ => "the value named above".into(),
        },
        Error::OAuth { code, .. } => match code.as_str() {
            "invalid_client" => "the client id and secret, and that the client's token endpoint auth method at the server is client_secret_basic or client_secret_post (none for public clients)".into(),
            "unauthorized_client" | "unsupported_grant_type" => "that this grant type is enabled for the client at the server".into(),
            "invalid_request" => "the client's registration: grant types, redirect URIs and auth method must match what this kind sends".into(),
            "invalid_scope" => "the --scope values: the server must know them and allow them to this client".into(),
            "invalid_target" => "the --audience values: each must be a resource (API) registered at the server, one per token".into(),
            "invalid_grant" => "the credentials or code: wrong, expired or already used".into(),
            "access_denied" => "the user declined (or the server refused) the authorization".into(),
            _ => "the server's error_description above".into(),
        },
        Error::StateMismatch => "that the callback belongs to this login (open only the URL printed by this run)".into(),
        Error::IssuerMismatch { .. } | Error::MissingIssuer { .. } => {
            "that the callback came from this issuer (RFC 9207 mix-up defence)".into()
        }
        Error::InvalidCallback { .. } => "the callback URL: paste it whole, as the browser shows it".into(),
        Error::IdTokenInvalid { .. } => "the machine's clock, the issuer's keys (`oauthflow inspect`), and the client id".into(),
        Error::InvalidResponse { .. } => "that the URL is an OAuth server's endpoint, not a web page or proxy".into(),
        Error::RedirectRefused { .. } => "use the final URL: oauthflow never follows redirects on back-channel requests".into(),
        Error::HttpStatus { status, .. } if *status >= 500 => "the server's health: it failed on its side".into(),
        Error::HttpStatus { .. } => "the URL and the client's registration".into(),
        Error::Transport { .. } => "that the server is running and reachable at that address (DNS, proxy, TLS)".into(),
        Error::Timeout { .. } => "the server's load and the network; it did not answer within 30 s".into(),
        Error::DeviceCodeExpired => "approve the code sooner: run `oauthflow try device` again".into(),
        Error::Loopback { .. } => "that the browser reached the printed 127.0.0.1 address before the timeout".into(),
        Error::CommittedButUnverified { cause, .. } => what_to_check(cause),
        _ => "the message above".into(),
    }
}
