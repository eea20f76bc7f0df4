//! The client every generated struct wraps. Generated code calls exactly one method here per
//! step; the flow logic lives in the flow modules.

use std::fmt;
use std::sync::Arc;

use oauth2::AccessToken;
use secrecy::SecretString;
use url::Url;

use crate::claims::IdTokenClaims;
use crate::context::Context;
use crate::device_authorization::DeviceAuthorization;
use crate::error::{ConfigError, Error};
use crate::kind::Flow;
use crate::pending::PendingAuthorization;
use crate::settings::{ClientType, Settings};
use crate::spec::ClientSpec;
use crate::tokens::TokenSet;

/// The shared state behind a generated client. Cheap to clone: clones share one HTTP client,
/// one discovery cache and one token cache.
#[doc(hidden)]
#[derive(Clone)]
pub struct Client {
    inner: Arc<Context>,
}

impl Client {
    /// Builds the client from its compile-time spec and run-time settings; checks the issuer,
    /// endpoints and redirect URI. Makes no network request (discovery is lazy).
    ///
    /// Checks: the settings' type matches the kind (public or confidential); the client id is not
    /// empty; an issuer is configured (the settings' one overrides the attribute's) and is
    /// `https` (or `http` on a loopback IP literal) without query or fragment; redirect-based
    /// flows have a redirect URI (the settings' one overrides the attribute's) that passes the
    /// attribute's rules; explicit endpoints are `https`.
    pub fn new<S: ClientType>(
        spec: &'static ClientSpec,
        settings: Settings<S>,
    ) -> Result<Self, ConfigError> {
        Ok(Client {
            inner: Arc::new(Context::new(spec, settings)?),
        })
    }

    /// Reads `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET` (confidential kinds) and
    /// `<PREFIX>_ISSUER` (required when the attribute has no issuer; when it has one, a set
    /// variable overrides it like [`Settings::issuer`]), then calls [`Client::new`]. Empty
    /// variables count as unset.
    pub fn from_env<S: ClientType>(spec: &'static ClientSpec) -> Result<Self, ConfigError> {
        Self::new(spec, crate::env::settings::<S>(spec)?)
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
        crate::client_credentials::access_token(&self.inner, audience).await
    }

    /// The URL to send the user to, and what to keep until the callback.
    ///
    /// Authorization code (+PKCE): `response_type=code`, `state`, PKCE S256, and a `nonce` when
    /// `openid` is among the scopes. Implicit form post: `response_type=id_token`,
    /// `response_mode=form_post`, `state` and `nonce` (no audience).
    pub async fn authorize_url(
        &self,
        audience: Option<&'static str>,
    ) -> Result<(Url, PendingAuthorization), Error> {
        match self.inner.spec.flow {
            Flow::ImplicitFormPost => crate::implicit::authorize_url(&self.inner, audience).await,
            _ => crate::authorization_code::authorize_url(&self.inner, audience).await,
        }
    }

    /// Authorization code: checks the callback (strict parsing, `state` in constant time before
    /// any network call, `iss`, `error=`) and redeems the code once, never retried. With
    /// `openid`, the response's ID token is validated in full (signature from the issuer's JWKS,
    /// `alg`, `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`) before any token is returned.
    pub async fn exchange_code(
        &self,
        pending: PendingAuthorization,
        callback: &str,
    ) -> Result<TokenSet, Error> {
        crate::authorization_code::exchange_code(&self.inner, pending, callback).await
    }

    /// Refresh (single-flight per refresh token); keeps the refresh token when none comes back.
    /// A refreshed ID token is validated in full and must have the original's `iss`, `sub` and
    /// `aud` (OIDC Core §12.2).
    pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, Error> {
        crate::refresh::refresh(&self.inner, tokens).await
    }

    /// Native: loopback redirect login (RFC 8252 §7.3). Binds the redirect URI's loopback IP
    /// literal on an ephemeral port, calls `open` with the authorization URL (open it in the
    /// system browser), waits up to `Settings::loopback_timeout` for the one callback whose
    /// `state` matches (anything else gets 404), closes the port and redeems the code.
    pub async fn login_via_loopback(
        &self,
        audience: Option<&'static str>,
        open: impl FnOnce(&Url),
    ) -> Result<TokenSet, Error> {
        crate::authorization_code::login_via_loopback(&self.inner, audience, open).await
    }

    /// Implicit with form post: checks the posted form body (`state` first, in constant time,
    /// before any network call; `iss` when sent; `error=`) and validates its ID token in full
    /// (signature from the issuer's JWKS, `alg`, `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`).
    ///
    /// `form_body` is the body of the `application/x-www-form-urlencoded` POST the browser sent
    /// to the redirect URI; refuse other methods and content types before calling this, and
    /// never pass a query string (a response in the URL is refused). The POST is cross-site:
    /// it carries no `SameSite=Lax`/`Strict` cookie, so find `pending` in a server-side store
    /// keyed by [`PendingAuthorization::state`] (R34).
    pub async fn verify_form_post(
        &self,
        pending: PendingAuthorization,
        form_body: &str,
    ) -> Result<IdTokenClaims, Error> {
        crate::implicit::verify_form_post(&self.inner, pending, form_body).await
    }

    /// Password grant (RFC 6749 §4.3): the password goes only into the POST body; never retried.
    pub async fn password_token(
        &self,
        username: &str,
        password: &SecretString,
        audience: Option<&'static str>,
    ) -> Result<TokenSet, Error> {
        crate::password::password_token(&self.inner, username, password, audience).await
    }

    /// Device authorization request (RFC 8628 §3.1).
    pub async fn device_authorization(
        &self,
        audience: Option<&'static str>,
    ) -> Result<DeviceAuthorization, Error> {
        crate::device_code::device_authorization(&self.inner, audience).await
    }

    /// Polls the token endpoint for a device authorization (RFC 8628 §3.4, §3.5): `interval`
    /// (5 s by default), `slow_down`, back-off on transient failures, stop at `expires_in`. With
    /// `openid`, the response's ID token is validated in full.
    pub async fn poll_device(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenSet, Error> {
        crate::device_code::poll_device(&self.inner, authorization).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(self.inner.spec.struct_name)
            .field("kind", &self.inner.spec.kind)
            .field("flow", &self.inner.spec.flow)
            .field("client_id", &self.inner.client_id)
            .field("issuer", &self.inner.issuer())
            .finish_non_exhaustive()
    }
}
