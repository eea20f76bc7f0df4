//! The state kept between sending the user to the authorization server and the callback.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::kind::Flow;

/// What a client remembers between the redirect and the callback: issuer, redirect URI,
/// audience, `state`, `nonce` and the PKCE verifier.
///
/// Keep it in the user's session (it is `Serialize + Deserialize`) and hand it back, by value,
/// to `exchange_code` or `verify_form_post`: it can be used once. `Debug` redacts the values
/// that must stay secret.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingAuthorization {
    pub(crate) flow: Flow,
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) audience: Option<String>,
    pub(crate) state: String,
    pub(crate) nonce: Option<String>,
    pub(crate) pkce_verifier: Option<String>,
    /// The `max_age` the request asked for, checked against the ID token's `auth_time`
    /// (absent in pending authorizations stored by an older version: `serde(default)`).
    #[serde(default)]
    pub(crate) max_age: Option<u64>,
}

impl PendingAuthorization {
    /// The issuer the authorization request was sent to; empty for a client configured with
    /// explicit endpoints and no issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The redirect URI the authorization request named.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The audience asked for, if any.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// The `state` value, e.g. to key a server-side store of pending form-post logins
    /// (a cross-site form POST carries no `SameSite=Lax` cookie).
    pub fn state(&self) -> &str {
        &self.state
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("flow", &self.flow)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("audience", &self.audience)
            .field("state", &"[redacted]")
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field(
                "pkce_verifier",
                &self.pkce_verifier.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}
