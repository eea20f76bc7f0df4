//! One handle per grant: the field a generated client wraps.
//!
//! Each handle has the steps of its grant and nothing else, so the generated struct's private
//! field cannot reach a step its flow does not have (not even from inside the defining module),
//! and no step checks the flow at run time. All handles share one [`Context`] behind an `Arc`:
//! clones share the HTTP client, the discovery cache and the token caches.
//!
//! | grant (`Flow`) | handle | steps |
//! |---|---|---|
//! | client credentials | [`ClientCredentialsFlow`] | `access_token` |
//! | authorization code (`web`, `spa`) | [`CodeFlow`] | `authorize_url`, `exchange_code` |
//! | authorization code (`native`) | [`NativeFlow`] | the same, and `login_via_loopback` |
//! | implicit with form post | [`FormPostFlow`] | `authorize_url`, `verify_form_post` |
//! | password | [`PasswordFlow`] | `password_token` |
//! | device code | [`DeviceFlow`] | `device_authorization`, `poll_device` |
//!
//! Every handle also has `discover` (metadata and keys fetched and checked at start-up).
//!
//! The handles of grants that can return a refresh token take a marker, [`Refresh`] or
//! [`NoRefresh`]; only `…<Refresh>` has `refresh` (the attribute's `refresh_tokens = true`).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use oauth2::AccessToken;
use secrecy::SecretString;
use url::Url;

use crate::authorize_options::AuthorizeOptions;
use crate::claims::IdTokenClaims;
use crate::context::Context;
use crate::device_authorization::DeviceAuthorization;
use crate::error::{ConfigError, Error};
use crate::kind::{Flow, Kind};
use crate::pending::PendingAuthorization;
use crate::settings::{ClientType, Settings};
use crate::spec::ClientSpec;
use crate::token_source::BearerToken;
use crate::tokens::TokenSet;
use crate::userinfo::UserInfo;

mod sealed {
    use std::sync::Arc;

    use crate::context::Context;

    pub trait Sealed {}

    /// Wraps a checked context (sealed: only this module builds handles).
    pub trait FromContext {
        fn from_context(ctx: Arc<Context>) -> Self;
    }
}

/// Whether a handle has the `refresh` step: [`Refresh`] or [`NoRefresh`].
pub trait RefreshMode: sealed::Sealed + Send + Sync + 'static {
    /// The attribute's `refresh_tokens` value this marker stands for.
    const ENABLED: bool;
}

/// The client asks for refresh tokens (`refresh_tokens = true`): its handle has `refresh`.
#[derive(Clone, Copy, Debug)]
pub struct Refresh;

/// The client asks for no refresh token: its handle has no `refresh`.
#[derive(Clone, Copy, Debug)]
pub struct NoRefresh;

impl sealed::Sealed for Refresh {}
impl sealed::Sealed for NoRefresh {}
impl RefreshMode for Refresh {
    const ENABLED: bool = true;
}
impl RefreshMode for NoRefresh {
    const ENABLED: bool = false;
}

/// A flow handle: built from a spec whose grant (and kind) it serves.
pub trait FlowHandle: sealed::FromContext + Sized {
    /// The grants this handle serves.
    const FLOWS: &'static [Flow];
    /// The kinds this handle serves.
    const KINDS: &'static [Kind];
    /// Whether the handle has `refresh`.
    const REFRESH: bool;
}

/// Builds the handle `H` from its compile-time spec and run-time settings: checks the issuer,
/// endpoints and redirect URI. Makes no network request (discovery is lazy).
///
/// Checks: the settings' type matches the kind (public or confidential); the client id is not
/// empty; explicit endpoints (the settings' override the attribute's) are `https` (or `http` on
/// a loopback IP literal) and called by the flow; an issuer is configured (the settings' one
/// overrides the attribute's) unless the explicit endpoints cover the flow and it validates no
/// ID token, and is `https` (or `http` on a loopback IP literal) without query or fragment;
/// redirect-based flows have a redirect URI (the settings' one overrides the attribute's) that
/// passes the attribute's rules.
///
/// # Errors
///
/// A [`ConfigError`] naming the setting that is wrong.
pub fn new<H: FlowHandle, S: ClientType>(
    spec: &'static ClientSpec,
    settings: Settings<S>,
) -> Result<H, ConfigError> {
    // Generated code always pairs a spec with its handle; this guards hand-written misuse.
    if !H::FLOWS.contains(&spec.flow)
        || !H::KINDS.contains(&spec.kind)
        || H::REFRESH != spec.refresh_tokens
    {
        return Err(ConfigError::Invalid {
            reason: format!(
                "this handle does not serve a `{}` client using {}{}",
                spec.kind.as_str(),
                spec.flow.as_str(),
                if spec.refresh_tokens {
                    " with refresh tokens"
                } else {
                    ""
                }
            ),
        });
    }
    Ok(sealed::FromContext::from_context(Arc::new(Context::new(
        spec, settings,
    )?)))
}

/// [`new`] with [`Settings::from_env`] under the attribute's prefix: `<PREFIX>_CLIENT_ID`,
/// `<PREFIX>_CLIENT_SECRET` (confidential kinds), `<PREFIX>_ISSUER` (overrides the attribute's,
/// like [`Settings::issuer`]), the redirect URI, endpoints and timeouts. Empty variables count as
/// unset.
///
/// # Errors
///
/// A [`ConfigError`] naming the missing or unusable variable, or the setting that is wrong.
pub fn from_env<H: FlowHandle, S: ClientType>(spec: &'static ClientSpec) -> Result<H, ConfigError> {
    new(spec, Settings::<S>::from_env(spec.env_prefix)?)
}

/// Declares a handle type over the shared context, with `Clone`, a `Debug` that shows no secret,
/// and its [`FlowHandle`] impl.
macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, flows: $flows:expr, kinds: $kinds:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            ctx: Arc<Context>,
        }

        impl sealed::FromContext for $name {
            fn from_context(ctx: Arc<Context>) -> Self {
                $name { ctx }
            }
        }

        impl FlowHandle for $name {
            const FLOWS: &'static [Flow] = $flows;
            const KINDS: &'static [Kind] = $kinds;
            const REFRESH: bool = false;
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.ctx, f)
            }
        }

        impl $name {
            /// Fetches and checks the metadata now (and the issuer's keys where ID tokens are
            /// validated), so that a wrong issuer or endpoint fails at start-up rather than at
            /// the first user's login. Steps call it lazily anyway; calling it is optional.
            ///
            /// # Errors
            ///
            /// What the first step would have met: discovery, network and configuration
            /// failures (a wrong issuer is [`ConfigError::IssuerMismatch`]).
            pub async fn discover(&self) -> Result<(), Error> {
                crate::startup::discover(&self.ctx).await
            }

            /// The client instance's DPoP key and nonces, with `sender_constraint = "dpop"`.
            pub fn dpop(&self) -> Option<&crate::dpop::Dpop> {
                self.ctx.dpop.as_ref()
            }
        }
    };
    ($(#[$doc:meta])* $name:ident<R>, flows: $flows:expr, kinds: $kinds:expr) => {
        $(#[$doc])*
        pub struct $name<R: RefreshMode> {
            ctx: Arc<Context>,
            refresh: PhantomData<R>,
        }

        // By hand: a derive would require `R: Clone`.
        impl<R: RefreshMode> Clone for $name<R> {
            fn clone(&self) -> Self {
                $name {
                    ctx: Arc::clone(&self.ctx),
                    refresh: PhantomData,
                }
            }
        }

        impl<R: RefreshMode> sealed::FromContext for $name<R> {
            fn from_context(ctx: Arc<Context>) -> Self {
                $name {
                    ctx,
                    refresh: PhantomData,
                }
            }
        }

        impl<R: RefreshMode> FlowHandle for $name<R> {
            const FLOWS: &'static [Flow] = $flows;
            const KINDS: &'static [Kind] = $kinds;
            const REFRESH: bool = R::ENABLED;
        }

        impl<R: RefreshMode> fmt::Debug for $name<R> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.ctx, f)
            }
        }

        impl<R: RefreshMode> $name<R> {
            /// Fetches and checks the metadata now (and the issuer's keys where ID tokens are
            /// validated), so that a wrong issuer or endpoint fails at start-up rather than at
            /// the first user's login. Steps call it lazily anyway; calling it is optional.
            ///
            /// # Errors
            ///
            /// What the first step would have met: discovery, network and configuration
            /// failures (a wrong issuer is [`ConfigError::IssuerMismatch`]).
            pub async fn discover(&self) -> Result<(), Error> {
                crate::startup::discover(&self.ctx).await
            }

            /// The client instance's DPoP key and nonces, with `sender_constraint = "dpop"`.
            pub fn dpop(&self) -> Option<&crate::dpop::Dpop> {
                self.ctx.dpop.as_ref()
            }
        }

        impl $name<Refresh> {
            /// Refresh (RFC 6749 §6), single-flight per refresh token; keeps the refresh token
            /// when none comes back. A refreshed ID token is validated in full and must have the
            /// original's `iss`, `sub` and `aud` (OIDC Core §12.2).
            ///
            /// # Errors
            ///
            /// [`Error::NoRefreshToken`] when `tokens` has none; `invalid_grant` when the user
            /// must sign in again; network and validation failures.
            pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, Error> {
                crate::refresh::refresh(&self.ctx, tokens).await
            }

            /// The session helper: refreshes `tokens` in place when the access token expires
            /// within `Settings::refresh_margin`; `true` when it did (save the session then).
            /// Concurrent requests of one session share one refresh. On
            /// [`Error::CommittedButUnverified`] the committed tokens are already in `tokens`.
            ///
            /// # Errors
            ///
            /// As [`refresh`](Self::refresh).
            pub async fn refresh_if_needed(&self, tokens: &mut TokenSet) -> Result<bool, Error> {
                crate::refresh::refresh_if_needed(&self.ctx, tokens).await
            }
        }
    };
}

/// The steps of the rest of a login's life, on every handle whose flow returns a user's
/// `TokenSet`: revocation (RFC 7009) and userinfo (OIDC Core §5.3).
macro_rules! session_steps {
    ($name:ident) => {
        impl<R: RefreshMode> $name<R> {
            /// Revokes the tokens of a session at logout (RFC 7009): the refresh token first
            /// (which ends the grant on most servers), then the access token. `200` counts as
            /// success, also for tokens the server no longer knows.
            ///
            /// # Errors
            ///
            /// No revocation endpoint (discovered or set); the server's refusal (typed);
            /// [`Error::HttpStatus`] on `5xx` — retryable ([`Error::is_transient`]).
            pub async fn revoke(&self, tokens: &TokenSet) -> Result<(), Error> {
                crate::revocation::revoke(&self.ctx, tokens).await
            }

            /// The signed-in user's claims from the userinfo endpoint (OIDC Core §5.3), with
            /// the access token of `tokens`; refused unless its `sub` equals the ID token's.
            ///
            /// # Errors
            ///
            /// No validated ID token in `tokens` (request `openid`); no userinfo endpoint; a
            /// refused access token (typed); a `sub` that differs.
            pub async fn userinfo(&self, tokens: &TokenSet) -> Result<UserInfo, Error> {
                crate::userinfo::userinfo(&self.ctx, tokens).await
            }
        }
    };
}

handle!(
    /// Client credentials (`machine`): cached access tokens per audience.
    ClientCredentialsFlow,
    flows: &[Flow::ClientCredentials],
    kinds: &[Kind::Machine]
);

handle!(
    /// Authorization code with PKCE for `web` (confidential) and `spa` (public) clients.
    CodeFlow<R>,
    flows: &[Flow::AuthorizationCode, Flow::AuthorizationCodePkce],
    kinds: &[Kind::Web, Kind::Spa]
);

handle!(
    /// Authorization code with PKCE for `native` clients, with the RFC 8252 loopback login.
    NativeFlow<R>,
    flows: &[Flow::AuthorizationCodePkce],
    kinds: &[Kind::Native]
);

handle!(
    /// Implicit with form post, ID token only (`spa` with `access_token = false`).
    FormPostFlow,
    flows: &[Flow::ImplicitFormPost],
    kinds: &[Kind::Spa]
);

handle!(
    /// The password grant (`trusted`).
    PasswordFlow<R>,
    flows: &[Flow::Password],
    kinds: &[Kind::Trusted]
);

handle!(
    /// The device authorization grant (`device`, RFC 8628).
    DeviceFlow<R>,
    flows: &[Flow::DeviceCode],
    kinds: &[Kind::Device]
);

impl ClientCredentialsFlow {
    /// A cached, single-flight access token for `audience` (client credentials, RFC 6749 §4.4).
    ///
    /// # Errors
    ///
    /// Discovery, network and token-endpoint failures; an audience the spec does not declare.
    pub async fn access_token(&self, audience: Option<&'static str>) -> Result<AccessToken, Error> {
        Ok(AccessToken::from(&self.bearer_token(audience).await?))
    }

    /// The same token as [`access_token`](Self::access_token), shared instead of copied: what
    /// [`TokenSource::bearer_token`](crate::TokenSource::bearer_token) of a generated client
    /// returns.
    ///
    /// # Errors
    ///
    /// As [`access_token`](Self::access_token).
    pub fn bearer_token(
        &self,
        audience: Option<&'static str>,
    ) -> impl Future<Output = Result<BearerToken, Error>> + Send + '_ {
        // The warm path runs here, before any future exists; only a miss boxes the slow path,
        // so the returned future is two words whichever way it goes, and a warm one is ready at
        // its first poll without a state machine to step through.
        match crate::client_credentials::cached(&self.ctx, audience) {
            Some(token) => crate::client_credentials::BearerTokenFuture::warm(token),
            None => crate::client_credentials::BearerTokenFuture::slow(Box::pin(
                crate::client_credentials::bearer_token(&self.ctx, audience),
            )),
        }
    }

    /// Forgets `refused` if it is still the token cached for `audience` (see
    /// [`TokenSource::discard_token`](crate::TokenSource::discard_token)).
    pub fn discard_token(&self, audience: Option<&'static str>, refused: &BearerToken) {
        crate::client_credentials::discard_token(&self.ctx, audience, refused);
    }
}

/// The two steps every code-flow handle has.
macro_rules! code_steps {
    ($name:ident) => {
        impl<R: RefreshMode> $name<R> {
            /// The URL to send the user to, and what to keep until the callback:
            /// `response_type=code`, `state`, PKCE S256, and a `nonce` when `openid` is among the
            /// scopes.
            ///
            /// # Errors
            ///
            /// Discovery failures; an audience the spec does not declare.
            pub async fn authorize_url(
                &self,
                audience: Option<&'static str>,
            ) -> Result<(Url, PendingAuthorization), Error> {
                crate::authorization_code::authorize_url(
                    &self.ctx,
                    audience,
                    &AuthorizeOptions::default(),
                )
                .await
            }

            /// [`authorize_url`](Self::authorize_url) with per-login options: `prompt`,
            /// `login_hint`, `max_age` (then checked against the ID token's `auth_time`),
            /// `acr_values`, `ui_locales`, extra parameters.
            ///
            /// # Errors
            ///
            /// As `authorize_url`.
            pub async fn authorize_url_with(
                &self,
                audience: Option<&'static str>,
                options: &AuthorizeOptions,
            ) -> Result<(Url, PendingAuthorization), Error> {
                crate::authorization_code::authorize_url(&self.ctx, audience, options).await
            }

            /// Checks the callback (strict parsing, `state` in constant time before any network
            /// call, `iss`, `error=`) and redeems the code once, never retried. With `openid`,
            /// the response's ID token is validated in full before any token is returned.
            ///
            /// # Errors
            ///
            /// A callback that fails a check, an error the server sent, a failed redemption.
            pub async fn exchange_code(
                &self,
                pending: PendingAuthorization,
                callback: &str,
            ) -> Result<TokenSet, Error> {
                crate::authorization_code::exchange_code(&self.ctx, pending, callback).await
            }
        }
    };
}

code_steps!(CodeFlow);
code_steps!(NativeFlow);
session_steps!(CodeFlow);
session_steps!(NativeFlow);
session_steps!(PasswordFlow);
session_steps!(DeviceFlow);

/// RP-initiated logout on the handles whose users sign in through the browser.
macro_rules! logout_step {
    ($name:ident) => {
        impl<R: RefreshMode> $name<R> {
            /// The URL that ends the user's session at the authorization server (OpenID Connect
            /// RP-Initiated Logout 1.0): `id_token_hint` (the session's ID token), `client_id`,
            /// and with `post_logout_redirect_uri` (registered at the server) a fresh `state`,
            /// returned to compare when the browser comes back. Revoke the tokens first
            /// ([`revoke`](Self::revoke)), then redirect the browser here.
            ///
            /// # Errors
            ///
            /// No end-session endpoint (discovered or set); a `post_logout_redirect_uri` that
            /// fails the client's redirect-URI rules (e.g. plain `http` off loopback, a fragment).
            pub async fn end_session_url(
                &self,
                tokens: &TokenSet,
                post_logout_redirect_uri: Option<&str>,
            ) -> Result<(Url, String), Error> {
                crate::logout::end_session_url(&self.ctx, tokens, post_logout_redirect_uri).await
            }
        }
    };
}

logout_step!(CodeFlow);
logout_step!(NativeFlow);

impl<R: RefreshMode> NativeFlow<R> {
    /// Loopback redirect login (RFC 8252 §7.3): binds the redirect URI's loopback IP literal on
    /// an ephemeral port, calls `open` with the authorization URL (open it in the system
    /// browser), waits up to `Settings::loopback_timeout` for the one callback whose `state`
    /// matches (anything else gets 404), closes the port and redeems the code.
    ///
    /// # Errors
    ///
    /// The listener cannot bind, the browser never comes back in time, or the exchange fails.
    pub async fn login_via_loopback(
        &self,
        audience: Option<&'static str>,
        open: impl FnOnce(&Url),
    ) -> Result<TokenSet, Error> {
        crate::authorization_code::login_via_loopback(&self.ctx, audience, open).await
    }
}

impl FormPostFlow {
    /// The URL to send the user to: `response_type=id_token`, `response_mode=form_post`,
    /// `state` and `nonce` (no audience).
    ///
    /// # Errors
    ///
    /// Discovery failures, or metadata without a `jwks_uri`.
    pub async fn authorize_url(&self) -> Result<(Url, PendingAuthorization), Error> {
        crate::implicit::authorize_url(&self.ctx).await
    }

    /// Checks the posted form body (`state` first, in constant time, before any network call;
    /// `iss` when sent; `error=`) and validates its ID token in full.
    ///
    /// `form_body` is the body of the `application/x-www-form-urlencoded` POST the browser sent
    /// to the redirect URI; check the request first with
    /// [`check_form_post_request`](crate::check_form_post_request). The POST is cross-site: it
    /// carries no `SameSite=Lax`/`Strict`
    /// cookie, so find `pending` in a server-side store keyed by
    /// [`PendingAuthorization::state`].
    ///
    /// # Errors
    ///
    /// A body that fails a check, an error the server sent, an ID token that fails validation.
    pub async fn verify_form_post(
        &self,
        pending: PendingAuthorization,
        form_body: &str,
    ) -> Result<IdTokenClaims, Error> {
        crate::implicit::verify_form_post(&self.ctx, pending, form_body).await
    }
}

impl<R: RefreshMode> PasswordFlow<R> {
    /// The password grant (RFC 6749 §4.3): the password goes only into the POST body; never
    /// retried.
    ///
    /// # Errors
    ///
    /// An empty username, an error the server sent, network and validation failures.
    pub async fn password_token(
        &self,
        username: &str,
        password: &SecretString,
        audience: Option<&'static str>,
    ) -> Result<TokenSet, Error> {
        crate::password::password_token(&self.ctx, username, password, audience).await
    }
}

impl<R: RefreshMode> DeviceFlow<R> {
    /// The device authorization request (RFC 8628 §3.1).
    ///
    /// # Errors
    ///
    /// Discovery, network and validation failures; an audience the spec does not declare.
    pub async fn device_authorization(
        &self,
        audience: Option<&'static str>,
    ) -> Result<DeviceAuthorization, Error> {
        crate::device_code::device_authorization(&self.ctx, audience).await
    }

    /// Polls the token endpoint for a device authorization (RFC 8628 §3.4, §3.5): `interval`
    /// (5 s by default), `slow_down`, back-off on transient failures, stop at `expires_in`. With
    /// `openid`, the response's ID token is validated in full.
    ///
    /// # Errors
    ///
    /// The user denied access, the code expired, network and validation failures.
    pub async fn poll_device(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenSet, Error> {
        crate::device_code::poll_device(&self.ctx, authorization).await
    }
}
