//! The protocol runtime of oauthflow: every flow the `#[oauth_client]` macro can choose, on top
//! of the `oauth2` and `openidconnect` crates.
//!
//! Use it through the `oauthflow` facade crate; generated clients call it through
//! `oauthflow::__private`.

mod claims;
mod client;
mod device_authorization;
mod error;
mod kind;
mod pending;
mod settings;
mod spec;
mod token_manager;
mod tokens;

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
    pub use crate::token_manager::{
        CacheConfig, CachedToken, Clock, Entry, Fetched, ManualClock, RetryPolicy, SystemClock,
        TokenManager, TokioClock,
    };
}
