//! What a token endpoint issued, as handed to the application.

use std::fmt;
use std::time::SystemTime;

use oauth2::{AccessToken, RefreshToken};
use serde::{Deserialize, Serialize};

use crate::claims::IdTokenClaims;

/// The tokens one successful token response carried.
///
/// `Debug` never shows a token. It is `Serialize + Deserialize` so a web app can keep it in its
/// server-side session store.
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenSet {
    pub(crate) access_token: AccessToken,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) id_token: Option<String>,
    /// The claims of `id_token`, set only once it passed validation (absent in sessions stored
    /// by an older version: `serde(default)`).
    #[serde(default)]
    pub(crate) id_token_claims: Option<IdTokenClaims>,
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) audience: Option<String>,
    pub(crate) scopes: Vec<String>,
    /// The access token is DPoP-bound (`token_type=DPoP`): sent as `Authorization: DPoP` with a
    /// proof of the client's key (absent in sessions stored by an older version: bearer).
    #[serde(default)]
    pub(crate) dpop_bound: bool,
}

impl TokenSet {
    /// The access token (`.secret()` gives the string to send as `Authorization: Bearer`).
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// Whether the access token is DPoP-bound (`sender_constraint = "dpop"`): send it as
    /// `Authorization: DPoP <token>` with a proof from the client's
    /// [`Dpop`](crate::dpop::Dpop), never as a bearer token.
    pub fn is_dpop_bound(&self) -> bool {
        self.dpop_bound
    }

    /// The refresh token, if one was issued (or kept from before a refresh that returned none).
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The raw ID token (a JWT), already validated, if the response had one.
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_deref()
    }

    /// The validated claims of [`id_token`](Self::id_token): who signed in, when, at which
    /// issuer — no JWT decoding in the app. After a refresh whose response had no ID token,
    /// the original's.
    ///
    /// ```
    /// # fn show(tokens: &oauthflow_runtime::TokenSet) {
    /// if let Some(claims) = tokens.id_token_claims() {
    ///     println!("signed in: {} at {}", claims.subject(), claims.issuer());
    ///     let email = claims.claim("email").and_then(|v| v.as_str());
    /// #   let _ = email;
    /// }
    /// # }
    /// ```
    pub fn id_token_claims(&self) -> Option<&IdTokenClaims> {
        self.id_token_claims.as_ref()
    }

    /// Records that `id_token` passed validation with these claims.
    pub(crate) fn validated(mut self, claims: IdTokenClaims) -> Self {
        self.id_token_claims = Some(claims);
        self
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
            .field("id_token_claims", &self.id_token_claims)
            .field("expires_at", &self.expires_at)
            .field("audience", &self.audience)
            .field("scopes", &self.scopes)
            .finish()
    }
}
