//! # oauthflow
//!
//! Choose the right OAuth 2.0 flow at compile time. Annotate a unit struct with
//! [`oauth_client`]; the macro walks the "which OAuth 2.0 flow?" decision tree, rejects what
//! the tree or current OAuth security practice forbids as compile errors, and turns the struct
//! into a typed client whose methods are exactly the steps of the chosen flow.
//!
//! ```no_run
//! use oauthflow::oauth_client;
//!
//! #[oauth_client(
//!     kind = "machine",
//!     issuer = "https://tenant.example.com/",
//!     audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
//! )]
//! pub struct ImportJob;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let job = ImportJob::from_env()?; // IMPORT_JOB_CLIENT_ID, IMPORT_JOB_CLIENT_SECRET
//! let token = job.access_token(ImportJobAudience::Orders).await?;
//! # let _ = token; Ok(()) }
//! ```

#[doc = include_str!("../docs/oauth_client.md")]
pub use oauthflow_macros::oauth_client;
pub use oauthflow_runtime::{
    AccessToken, AssertionSigner, AudienceParam, AuthorizeOptions, BearerToken, ClientKey,
    ClientSecret, ClientType, Confidential, ConfigError, DeviceAuthorization, Dpop, DpopKey, Error,
    Flow, IdTokenClaims, Kind, OAuthErrorCode, PendingAuthorization, PrivateKeyJwt, Prompt, Public,
    RefreshToken, SecretString, Settings, SignFuture, SignerError, TokenSet, TokenSource, Url,
    UserInfo, check_form_post_request,
};

/// The HTTP client crate whose `reqwest::Client` [`Settings::http_client`] takes — the current
/// major (0.13), re-exported so an app can name exactly that version:
/// `oauthflow::reqwest::Client::builder()`.
pub use oauthflow_runtime::reqwest;

/// DPoP (RFC 9449): sender-constrained tokens of clients with `sender_constraint = "dpop"` —
/// [`Dpop`] makes the proofs a request to an API needs.
pub use oauthflow_runtime::dpop;

/// HTTP integrations that send a [`TokenSource`]'s access token: features `reqwest-middleware`
/// and `tower`.
#[cfg(any(feature = "reqwest-middleware", feature = "tower"))]
pub use oauthflow_runtime::integrations;

/// Token stores shared by several instances of a client ([`Settings::token_store`]):
/// `InMemoryTokenStore`, and `RedisTokenStore` with feature `redis`.
pub use oauthflow_runtime::TokenStore;
pub use oauthflow_runtime::token_store;
#[cfg(feature = "redis")]
pub use oauthflow_runtime::token_store::{RedisTokenStore, TokenStoreKey};

/// What generated code calls. Not part of the public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use oauthflow_runtime::__private::*;
}

/// The configuration reference, `docs/configuration.md` (every setting and environment
/// variable), compiled here only so that its examples are doctests that stay true.
#[cfg(doctest)]
#[doc = include_str!("../docs/configuration.md")]
struct ConfigurationDocs;
