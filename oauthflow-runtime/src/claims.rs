//! The validated claims of an ID token.

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The claims of an ID token that passed every check (signature, `alg`, `iss`, `aud`, `azp`,
/// `exp`, `iat`, `nonce`).
#[derive(Clone, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) audiences: Vec<String>,
    pub(crate) expires_at: SystemTime,
    pub(crate) issued_at: SystemTime,
    /// `auth_time` (absent in claims stored by an older version: `serde(default)`).
    #[serde(default)]
    pub(crate) auth_time: Option<SystemTime>,
    pub(crate) nonce: Option<String>,
    pub(crate) other: serde_json::Map<String, serde_json::Value>,
}

impl IdTokenClaims {
    /// `sub`: the end user's identifier at the issuer.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// `iss`: the issuer (equal to the configured one).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `aud`: the audiences (the client ID among them).
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// `exp`.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// `iat`.
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }

    /// `auth_time`: when the user last authenticated at the issuer, if the ID token says.
    pub fn auth_time(&self) -> Option<SystemTime> {
        self.auth_time
    }

    /// `nonce` (equal to the one the client sent).
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// Any other claim, e.g. `claim("email")`.
    pub fn claim(&self, name: &str) -> Option<&serde_json::Value> {
        self.other.get(name)
    }
}

impl fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenClaims")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("expires_at", &self.expires_at)
            .field("issued_at", &self.issued_at)
            .field("auth_time", &self.auth_time)
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}
