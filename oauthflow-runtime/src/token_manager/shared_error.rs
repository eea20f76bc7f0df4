//! One failed fetch wakes many waiters, and [`Error`] is not `Clone`: each waiter gets an
//! equal copy, so `match`es on the variant and [`Error::is_transient`] behave the same for
//! the task that fetched and for the ones that waited.
//!
//! The matches are exhaustive on purpose: a new `Error` variant must get its arm here.

use crate::error::{ConfigError, Error};

/// An equal copy of `error` (same variant, same fields).
pub(crate) fn duplicate(error: &Error) -> Error {
    match error {
        Error::Config(config) => Error::Config(duplicate_config(config)),
        Error::OAuth {
            endpoint,
            code,
            description,
        } => Error::OAuth {
            endpoint,
            code: code.clone(),
            description: description.clone(),
        },
        Error::StateMismatch => Error::StateMismatch,
        Error::IssuerMismatch { expected, found } => Error::IssuerMismatch {
            expected: expected.clone(),
            found: found.clone(),
        },
        Error::MissingIssuer => Error::MissingIssuer,
        Error::InvalidCallback { reason } => Error::InvalidCallback {
            reason: reason.clone(),
        },
        Error::IdTokenInvalid { reason } => Error::IdTokenInvalid {
            reason: reason.clone(),
        },
        Error::InvalidResponse { endpoint, reason } => Error::InvalidResponse {
            endpoint,
            reason: reason.clone(),
        },
        Error::RedirectRefused { endpoint, status } => Error::RedirectRefused {
            endpoint,
            status: *status,
        },
        Error::HttpStatus {
            endpoint,
            status,
            retry_after,
        } => Error::HttpStatus {
            endpoint,
            status: *status,
            retry_after: *retry_after,
        },
        Error::Transport { endpoint, reason } => Error::Transport {
            endpoint,
            reason: reason.clone(),
        },
        Error::Timeout { endpoint } => Error::Timeout { endpoint },
        Error::DeviceCodeExpired => Error::DeviceCodeExpired,
        Error::PendingMismatch { reason } => Error::PendingMismatch {
            reason: reason.clone(),
        },
        Error::NoRefreshToken { reason } => Error::NoRefreshToken { reason },
        Error::Loopback { reason } => Error::Loopback {
            reason: reason.clone(),
        },
    }
}

fn duplicate_config(error: &ConfigError) -> ConfigError {
    match error {
        ConfigError::MissingEnv { name, hint } => ConfigError::MissingEnv {
            name: name.clone(),
            hint,
        },
        ConfigError::MissingIssuer { env } => ConfigError::MissingIssuer { env: env.clone() },
        ConfigError::InvalidUrl { what, reason } => ConfigError::InvalidUrl {
            what,
            reason: reason.clone(),
        },
        ConfigError::IssuerMismatch { expected, found } => ConfigError::IssuerMismatch {
            expected: expected.clone(),
            found: found.clone(),
        },
        ConfigError::Discovery { reason } => ConfigError::Discovery {
            reason: reason.clone(),
        },
        ConfigError::Invalid { reason } => ConfigError::Invalid {
            reason: reason.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::OAuthErrorCode;

    #[test]
    fn copies_keep_variant_classification_and_message() {
        let errors = [
            Error::OAuth {
                endpoint: "token",
                code: OAuthErrorCode::new("invalid_client"),
                description: Some("bad secret".into()),
            },
            Error::HttpStatus {
                endpoint: "token",
                status: 503,
                retry_after: Some(2),
            },
            Error::Config(ConfigError::Invalid {
                reason: "nope".into(),
            }),
            Error::Timeout { endpoint: "token" },
        ];
        for e in &errors {
            let copy = duplicate(e);
            assert_eq!(copy.to_string(), e.to_string());
            assert_eq!(copy.is_transient(), e.is_transient());
            assert_eq!(copy.oauth_code(), e.oauth_code());
            assert_eq!(format!("{copy:?}"), format!("{e:?}"));
        }
    }
}
