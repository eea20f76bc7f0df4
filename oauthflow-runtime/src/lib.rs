//! The protocol runtime of oauthflow: every flow the `#[oauth_client]` macro can choose, on top
//! of the `oauth2` and `openidconnect` crates.
//!
//! Use it through the `oauthflow` facade crate; generated clients call it through
//! `oauthflow::__private`.

mod authorization_code;
mod callback;
mod claims;
mod client;
mod client_auth;
mod client_credentials;
mod context;
mod device_authorization;
mod discovery;
mod env;
mod error;
mod http;
mod kind;
mod password;
mod pending;
mod refresh;
mod settings;
mod single_flight;
mod spec;
mod token_cache;
mod token_response;
mod tokens;
mod urls;

pub use claims::IdTokenClaims;
pub use device_authorization::DeviceAuthorization;
pub use error::{ConfigError, Error, OAuthErrorCode};
pub use kind::{AudienceParam, Flow, Kind};
pub use oauth2::{AccessToken, ClientSecret, RefreshToken};
pub use pending::PendingAuthorization;
pub use secrecy::SecretString;
pub use settings::{ClientType, Confidential, Public, Settings};
pub use tokens::TokenSet;
pub use url::Url;

/// What generated code calls. Not part of the public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use crate::client::Client;
    pub use crate::spec::ClientSpec;
}
