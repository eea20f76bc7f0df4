//! The client every generated struct wraps. Generated code calls exactly one method here per
//! step; the flow logic lives in the flow modules.

use std::fmt;
use std::sync::Arc;

use oauth2::AccessToken;
use secrecy::SecretString;
use url::Url;

use crate::claims::IdTokenClaims;
use crate::device_authorization::DeviceAuthorization;
use crate::error::{ConfigError, Error};
use crate::pending::PendingAuthorization;
use crate::settings::{ClientType, Settings};
use crate::spec::ClientSpec;
use crate::tokens::TokenSet;

/// The shared state behind a generated client. Cheap to clone: clones share one HTTP client,
/// one discovery cache and one token cache.
#[doc(hidden)]
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    spec: &'static ClientSpec,
    client_id: String,
}

fn not_yet(step: &str) -> Error {
    Error::Config(ConfigError::Invalid {
        reason: format!("`{step}` is not implemented by this runtime yet"),
    })
}

impl Client {
    /// Builds the client from its compile-time spec and run-time settings; checks the issuer,
    /// endpoints and redirect URI. Makes no network request (discovery is lazy).
    pub fn new<S: ClientType>(
        spec: &'static ClientSpec,
        settings: Settings<S>,
    ) -> Result<Self, ConfigError> {
        Ok(Client {
            inner: Arc::new(Inner {
                spec,
                client_id: settings.client_id,
            }),
        })
    }

    /// Reads `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET` (confidential kinds) and
    /// `<PREFIX>_ISSUER` (when the attribute has no issuer), then calls [`Client::new`].
    pub fn from_env<S: ClientType>(spec: &'static ClientSpec) -> Result<Self, ConfigError> {
        let _ = spec;
        Err(ConfigError::Invalid {
            reason: "from_env is not implemented yet".into(),
        })
    }

    /// The compile-time spec.
    pub fn spec(&self) -> &'static ClientSpec {
        self.inner.spec
    }

    /// Client credentials: a cached, single-flight access token for `audience`.
    pub async fn client_credentials_token(
        &self,
        audience: Option<&'static str>,
    ) -> Result<AccessToken, Error> {
        let _ = audience;
        Err(not_yet("access_token"))
    }

    /// Authorization code (+PKCE) or implicit form post: the URL to send the user to.
    pub async fn authorize_url(
        &self,
        audience: Option<&'static str>,
    ) -> Result<(Url, PendingAuthorization), Error> {
        let _ = audience;
        Err(not_yet("authorize_url"))
    }

    /// Authorization code: checks the callback and redeems the code.
    pub async fn exchange_code(
        &self,
        pending: PendingAuthorization,
        callback: &str,
    ) -> Result<TokenSet, Error> {
        let _ = (pending, callback);
        Err(not_yet("exchange_code"))
    }

    /// Refresh (single-flight per refresh token).
    pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, Error> {
        let _ = tokens;
        Err(not_yet("refresh"))
    }

    /// Native: loopback redirect login (RFC 8252 §7.3).
    pub async fn login_via_loopback(
        &self,
        audience: Option<&'static str>,
        open: impl FnOnce(&Url),
    ) -> Result<TokenSet, Error> {
        let _ = (audience, open);
        Err(not_yet("login_via_loopback"))
    }

    /// Implicit with form post: validates the posted ID token.
    pub async fn verify_form_post(
        &self,
        pending: PendingAuthorization,
        form_body: &str,
    ) -> Result<IdTokenClaims, Error> {
        let _ = (pending, form_body);
        Err(not_yet("verify_form_post"))
    }

    /// Password grant (RFC 6749 §4.3), never retried.
    pub async fn password_token(
        &self,
        username: &str,
        password: &SecretString,
        audience: Option<&'static str>,
    ) -> Result<TokenSet, Error> {
        let _ = (username, password, audience);
        Err(not_yet("password_token"))
    }

    /// Device authorization request (RFC 8628 §3.1).
    pub async fn device_authorization(
        &self,
        audience: Option<&'static str>,
    ) -> Result<DeviceAuthorization, Error> {
        let _ = audience;
        Err(not_yet("device_authorization"))
    }

    /// Polls the token endpoint for a device authorization (RFC 8628 §3.4, §3.5).
    pub async fn poll_device(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenSet, Error> {
        let _ = authorization;
        Err(not_yet("poll_device"))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(self.inner.spec.struct_name)
            .field("kind", &self.inner.spec.kind)
            .field("flow", &self.inner.spec.flow)
            .field("client_id", &self.inner.client_id)
            .finish_non_exhaustive()
    }
}
