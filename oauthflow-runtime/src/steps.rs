//! Why a step is missing: the compile error a user gets for calling a step that the client's
//! flow does not have.
//!
//! A generated client has exactly its flow's steps. For every other step, `#[oauth_client]`
//! also generates a hidden method of the same name and shape whose `where` clause requires one
//! of the traits below. None of them is implemented for anything, so a call fails to compile,
//! and `#[diagnostic::on_unimplemented]` turns rustc's "no method named …" into a message that
//! says which decision of the tree excludes the step, or which argument enables it. The traits'
//! lifetime parameter keeps the bound from being checked where the method is defined (a bound
//! that names no generic parameter would fail there, for every client).
//!
//! The method bodies call the trait's `unreachable`: since no impl exists, that code can never
//! run.

use oauth2::AccessToken;
use url::Url;

use crate::claims::IdTokenClaims;
use crate::device_authorization::DeviceAuthorization;
use crate::error::Error;
use crate::pending::PendingAuthorization;
use crate::tokens::TokenSet;

/// What a missing step's hidden method returns: the real step's result, never produced.
pub type Missing<T> = std::future::Ready<Result<T, Error>>;

/// Declares one "missing step" trait with its message.
macro_rules! missing_step {
    ($(#[$doc:meta])* $name:ident -> $output:ty, message = $message:literal, note = $note:literal) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(
            message = $message,
            label = "not a step of this client's flow",
            note = $note,
            note = "`{Self}::DECISION` says which decision of the tree chose this client's grant, and why"
        )]
        pub trait $name<'a> {
            /// What the missing step would return. Never called: no type implements the trait.
            ///
            /// # Errors
            ///
            /// None can occur: there is no implementation.
            fn unreachable(&self) -> Result<$output, Error>;
        }
    };
}

missing_step!(
    /// `access_token` on a client that signs users in.
    NoAccessToken -> AccessToken,
    message = "`access_token` is not a step of `{Self}`: only client credentials (kind = \"machine\") keeps a cache of access tokens",
    note = "a client that signs users in gets its access token in the `TokenSet` its flow returns (`exchange_code`, `password_token`, `poll_device`, `refresh`): `tokens.access_token()`"
);

missing_step!(
    /// `authorize_url` on a client whose flow sends no user to the authorization endpoint.
    NoAuthorizeUrl -> (Url, PendingAuthorization),
    message = "`authorize_url` is not a step of `{Self}`: its flow sends no user to the authorization endpoint",
    note = "`authorize_url` is a step of kind = \"web\", \"spa\" and \"native\" (authorization code + PKCE) and of an ID-token-only `spa` (`access_token = false`)"
);

missing_step!(
    /// `authorize_url_with` on a client whose flow has no authorization-code request.
    NoAuthorizeUrlWith -> (Url, PendingAuthorization),
    message = "`authorize_url_with` is not a step of `{Self}`: only the authorization code flow takes per-login options",
    note = "`authorize_url_with(audience, &AuthorizeOptions)` is a step of kind = \"web\", \"spa\" and \"native\" (authorization code + PKCE)"
);

missing_step!(
    /// `exchange_code` on a client whose flow redeems no authorization code.
    NoExchangeCode -> TokenSet,
    message = "`exchange_code` is not a step of `{Self}`: its flow redeems no authorization code",
    note = "`exchange_code` is a step of kind = \"web\", \"spa\" and \"native\" (authorization code + PKCE); an ID-token-only `spa` (`access_token = false`) checks its form post with `verify_form_post`"
);

missing_step!(
    /// `login_via_loopback` on a client that is not `native`.
    NoLoginViaLoopback -> TokenSet,
    message = "`login_via_loopback` is not a step of `{Self}`: only kind = \"native\" receives its redirect on a loopback listener (RFC 8252 §7.3)",
    note = "a web app or a single-page app receives the callback at its own `redirect_uri`: send the user to `authorize_url`, then call `exchange_code` with the callback"
);

missing_step!(
    /// `verify_form_post` on a client that is not an ID-token-only `spa`.
    NoVerifyFormPost -> IdTokenClaims,
    message = "`verify_form_post` is not a step of `{Self}`: only kind = \"spa\" with `access_token = false` (implicit with form post) receives a form post",
    note = "a client of the authorization code flow checks its callback with `exchange_code`"
);

missing_step!(
    /// `password_token` on a client that is not `trusted`.
    NoPasswordToken -> TokenSet,
    message = "`password_token` is not a step of `{Self}`: only kind = \"trusted\" uses the password grant",
    note = "the password grant is allowed only where no redirect is possible (RFC 9700 §2.4 says it MUST NOT be used); the other kinds never see the user's password"
);

missing_step!(
    /// `device_authorization` on a client that is not `device`.
    NoDeviceAuthorization -> DeviceAuthorization,
    message = "`device_authorization` is not a step of `{Self}`: only kind = \"device\" uses the device authorization grant (RFC 8628)",
    note = "kind = \"device\" is for input-constrained devices and CLIs without a browser; the user approves on a second screen"
);

missing_step!(
    /// `poll_device` on a client that is not `device`.
    NoPollDevice -> TokenSet,
    message = "`poll_device` is not a step of `{Self}`: only kind = \"device\" uses the device authorization grant (RFC 8628)",
    note = "kind = \"device\" is for input-constrained devices and CLIs without a browser; the user approves on a second screen"
);

missing_step!(
    /// `refresh` on a client of a refreshable flow that did not ask for refresh tokens.
    NoRefresh -> TokenSet,
    message = "`refresh` is not a step of `{Self}`: it does not ask for refresh tokens",
    note = "add `refresh_tokens = true` to `#[oauth_client(...)]` (it requests `offline_access`); `refresh(&tokens)` then exchanges the refresh token for new tokens"
);

missing_step!(
    /// `refresh_if_needed` on a client of a refreshable flow that did not ask for refresh tokens.
    NoRefreshIfNeeded -> bool,
    message = "`refresh_if_needed` is not a step of `{Self}`: it does not ask for refresh tokens",
    note = "add `refresh_tokens = true` to `#[oauth_client(...)]`; `refresh_if_needed(&mut tokens)` then keeps a session's tokens fresh"
);

missing_step!(
    /// `refresh_if_needed` on a client whose flow never returns a refresh token.
    NoRefreshIfNeededInThisFlow -> bool,
    message = "`refresh_if_needed` is not a step of `{Self}`: its flow returns no refresh token",
    note = "client credentials (kind = \"machine\") renews its cached token itself; an ID-token-only `spa` signs the user in again"
);

missing_step!(
    /// `revoke` on a client that holds no user's tokens.
    NoRevoke -> (),
    message = "`revoke` is not a step of `{Self}`: its flow returns no user's tokens to revoke at logout",
    note = "`revoke(&tokens)` is a step of the flows that sign a user in and return a `TokenSet` (kind = \"web\", \"spa\", \"native\", \"trusted\", \"device\"); a machine client's cached tokens expire on their own, and an ID-token-only `spa` holds no access token"
);

missing_step!(
    /// `userinfo` on a client that holds no user's access token.
    NoUserinfo -> crate::userinfo::UserInfo,
    message = "`userinfo` is not a step of `{Self}`: its flow returns no user's access token for the userinfo endpoint",
    note = "`userinfo(&tokens)` is a step of the flows that sign a user in and return a `TokenSet`; an ID-token-only `spa` reads the claims of its ID token (`verify_form_post`)"
);

missing_step!(
    /// `end_session_url` on a client whose users do not sign in through the browser's redirect.
    NoEndSessionUrl -> (Url, String),
    message = "`end_session_url` is not a step of `{Self}`: only the authorization code flow (kind = \"web\", \"spa\", \"native\") has a browser session at the authorization server to end",
    note = "OpenID Connect RP-Initiated Logout sends the browser to the server's end-session endpoint; for the other flows, `revoke(&tokens)` ends the grant"
);

missing_step!(
    /// `refresh` on a client whose flow never returns a refresh token.
    NoRefreshInThisFlow -> TokenSet,
    message = "`refresh` is not a step of `{Self}`: its flow returns no refresh token",
    note = "client credentials (kind = \"machine\") needs none: `access_token` renews the cached token before it expires; an ID-token-only `spa` signs the user in again"
);
