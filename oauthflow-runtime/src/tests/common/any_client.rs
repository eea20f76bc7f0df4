//! A client of any flow, for tests that build clients from hand-written specs.
//!
//! Generated clients wrap the one flow handle of their grant (`__private::CodeFlow`, …), so a
//! step their flow lacks does not even exist. These tests drive many specs through the same
//! helpers; [`Client`] builds the handle the macro would choose for a spec and forwards each
//! step to it. Calling a step the spec's flow does not have is a bug in the test: it panics.
#![allow(dead_code)]

use crate::flows::{
    ClientCredentialsFlow, CodeFlow, DeviceFlow, FormPostFlow, NativeFlow, NoRefresh, PasswordFlow,
    Refresh, from_env, new,
};
use crate::spec::ClientSpec;
use crate::{
    AccessToken, ClientType, ConfigError, DeviceAuthorization, Error, Flow, IdTokenClaims, Kind,
    PendingAuthorization, SecretString, Settings, TokenSet, Url,
};

/// The handle of one spec.
#[derive(Clone, Debug)]
pub enum Client {
    Machine(ClientCredentialsFlow),
    Code(CodeFlow<NoRefresh>),
    CodeRefresh(CodeFlow<Refresh>),
    Native(NativeFlow<NoRefresh>),
    NativeRefresh(NativeFlow<Refresh>),
    FormPost(FormPostFlow),
    Password(PasswordFlow<NoRefresh>),
    PasswordRefresh(PasswordFlow<Refresh>),
    Device(DeviceFlow<NoRefresh>),
    DeviceRefresh(DeviceFlow<Refresh>),
}

/// Builds the handle for `spec` with `build` (the runtime's `new` or `from_env`).
macro_rules! build {
    ($spec:expr, $build:expr) => {{
        let spec: &'static ClientSpec = $spec;
        Ok(match (spec.flow, spec.kind, spec.refresh_tokens) {
            (Flow::ClientCredentials, ..) => Client::Machine($build?),
            (Flow::ImplicitFormPost, ..) => Client::FormPost($build?),
            (Flow::AuthorizationCodePkce, Kind::Native, false) => Client::Native($build?),
            (Flow::AuthorizationCodePkce, Kind::Native, true) => Client::NativeRefresh($build?),
            (Flow::AuthorizationCode | Flow::AuthorizationCodePkce, _, false) => {
                Client::Code($build?)
            }
            (Flow::AuthorizationCode | Flow::AuthorizationCodePkce, _, true) => {
                Client::CodeRefresh($build?)
            }
            (Flow::Password, _, false) => Client::Password($build?),
            (Flow::Password, _, true) => Client::PasswordRefresh($build?),
            (Flow::DeviceCode, _, false) => Client::Device($build?),
            (Flow::DeviceCode, _, true) => Client::DeviceRefresh($build?),
        })
    }};
}

/// Calls `$step` on whichever handle has it; panics for a handle without it.
macro_rules! forward {
    ($self:ident, $handle:ident => $call:expr, [$($variant:ident),+]) => {
        match $self {
            $(Client::$variant($handle) => $call.await,)+
            other => panic!("`{}` is not a step of {other:?}", stringify!($call)),
        }
    };
}

impl Client {
    /// Builds the handle for `spec` from `settings`.
    pub fn new<S: ClientType>(
        spec: &'static ClientSpec,
        settings: Settings<S>,
    ) -> Result<Self, ConfigError> {
        build!(spec, new(spec, settings))
    }

    /// Builds the handle for `spec` from the environment.
    pub fn from_env<S: ClientType>(spec: &'static ClientSpec) -> Result<Self, ConfigError> {
        build!(spec, from_env::<_, S>(spec))
    }

    /// `discover`, which every handle has.
    pub async fn discover(&self) -> Result<(), Error> {
        match self {
            Client::Machine(h) => h.discover().await,
            Client::Code(h) => h.discover().await,
            Client::CodeRefresh(h) => h.discover().await,
            Client::Native(h) => h.discover().await,
            Client::NativeRefresh(h) => h.discover().await,
            Client::FormPost(h) => h.discover().await,
            Client::Password(h) => h.discover().await,
            Client::PasswordRefresh(h) => h.discover().await,
            Client::Device(h) => h.discover().await,
            Client::DeviceRefresh(h) => h.discover().await,
        }
    }

    /// The handle's DPoP state (`sender_constraint = "dpop"`).
    pub fn dpop(&self) -> Option<&crate::dpop::Dpop> {
        match self {
            Client::Machine(h) => h.dpop(),
            Client::Code(h) => h.dpop(),
            Client::CodeRefresh(h) => h.dpop(),
            Client::Native(h) => h.dpop(),
            Client::NativeRefresh(h) => h.dpop(),
            Client::FormPost(h) => h.dpop(),
            Client::Password(h) => h.dpop(),
            Client::PasswordRefresh(h) => h.dpop(),
            Client::Device(h) => h.dpop(),
            Client::DeviceRefresh(h) => h.dpop(),
        }
    }

    pub async fn bearer_token(
        &self,
        audience: Option<&'static str>,
    ) -> Result<crate::BearerToken, Error> {
        forward!(self, h => h.bearer_token(audience), [Machine])
    }

    pub async fn client_credentials_token(
        &self,
        audience: Option<&'static str>,
    ) -> Result<AccessToken, Error> {
        forward!(self, h => h.access_token(audience), [Machine])
    }

    pub async fn authorize_url(
        &self,
        audience: Option<&'static str>,
    ) -> Result<(Url, PendingAuthorization), Error> {
        if let Client::FormPost(handle) = self {
            assert!(audience.is_none(), "a form-post client has no audience");
            return handle.authorize_url().await;
        }
        forward!(self, h => h.authorize_url(audience),
            [Code, CodeRefresh, Native, NativeRefresh]
        )
    }

    pub async fn authorize_url_with(
        &self,
        audience: Option<&'static str>,
        options: &crate::AuthorizeOptions,
    ) -> Result<(Url, PendingAuthorization), Error> {
        forward!(self, h => h.authorize_url_with(audience, options),
            [Code, CodeRefresh, Native, NativeRefresh]
        )
    }

    pub async fn exchange_code(
        &self,
        pending: PendingAuthorization,
        callback: &str,
    ) -> Result<TokenSet, Error> {
        forward!(self, h => h.exchange_code(pending, callback),
            [Code, CodeRefresh, Native, NativeRefresh]
        )
    }

    pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, Error> {
        forward!(self, h => h.refresh(tokens),
            [CodeRefresh, NativeRefresh, PasswordRefresh, DeviceRefresh]
        )
    }

    pub async fn revoke(&self, tokens: &TokenSet) -> Result<(), Error> {
        forward!(self, h => h.revoke(tokens),
            [Code, CodeRefresh, Native, NativeRefresh, Password, PasswordRefresh, Device, DeviceRefresh]
        )
    }

    pub async fn userinfo(&self, tokens: &TokenSet) -> Result<crate::UserInfo, Error> {
        forward!(self, h => h.userinfo(tokens),
            [Code, CodeRefresh, Native, NativeRefresh, Password, PasswordRefresh, Device, DeviceRefresh]
        )
    }

    pub async fn end_session_url(
        &self,
        tokens: &TokenSet,
        post_logout_redirect_uri: Option<&str>,
    ) -> Result<(Url, String), Error> {
        forward!(self, h => h.end_session_url(tokens, post_logout_redirect_uri),
            [Code, CodeRefresh, Native, NativeRefresh]
        )
    }

    pub async fn refresh_if_needed(&self, tokens: &mut TokenSet) -> Result<bool, Error> {
        forward!(self, h => h.refresh_if_needed(tokens),
            [CodeRefresh, NativeRefresh, PasswordRefresh, DeviceRefresh]
        )
    }

    pub async fn login_via_loopback(
        &self,
        audience: Option<&'static str>,
        open: impl FnOnce(&Url),
    ) -> Result<TokenSet, Error> {
        forward!(self, h => h.login_via_loopback(audience, open),
            [Native, NativeRefresh]
        )
    }

    pub async fn verify_form_post(
        &self,
        pending: PendingAuthorization,
        form_body: &str,
    ) -> Result<IdTokenClaims, Error> {
        forward!(self, h => h.verify_form_post(pending, form_body), [FormPost])
    }

    pub async fn password_token(
        &self,
        username: &str,
        password: &SecretString,
        audience: Option<&'static str>,
    ) -> Result<TokenSet, Error> {
        forward!(self, h => h.password_token(username, password, audience),
            [Password, PasswordRefresh]
        )
    }

    pub async fn device_authorization(
        &self,
        audience: Option<&'static str>,
    ) -> Result<DeviceAuthorization, Error> {
        forward!(self, h => h.device_authorization(audience),
            [Device, DeviceRefresh]
        )
    }

    pub async fn poll_device(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenSet, Error> {
        forward!(self, h => h.poll_device(authorization), [Device, DeviceRefresh])
    }
}
