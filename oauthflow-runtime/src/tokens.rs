//! What a token endpoint issued, as handed to the application.

use std::fmt;
use std::time::SystemTime;

use oauth2::{AccessToken, RefreshToken};
use serde::{Deserialize, Serialize};

/// The tokens one successful token response carried.
///
/// `Debug` never shows a token. It is `Serialize + Deserialize` so a web app can keep it in its
/// server-side session store.
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenSet {
    pub(crate) access_token: AccessToken,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) id_token: Option<String>,
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) audience: Option<String>,
    pub(crate) scopes: Vec<String>,
}

impl TokenSet {
    /// The access token (`.secret()` gives the string to send as `Authorization: Bearer`).
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The refresh token, if one was issued (or kept from before a refresh that returned none).
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The raw ID token (a JWT), already validated, if the response had one.
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_deref()
    }

    /// When the access token expires (absolute, computed on receipt), if the server said.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The audience (or resource) this access token was requested for.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// The granted scopes (the response's `scope`, or the requested ones when it was absent).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("expires_at", &self.expires_at)
            .field("audience", &self.audience)
            .field("scopes", &self.scopes)
            .finish()
    }
}
