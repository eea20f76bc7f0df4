//! The protocol runtime of oauthflow: every flow the `#[oauth_client]` macro can choose, on top
//! of the `oauth2` and `openidconnect` crates.
//!
//! Use it through the `oauthflow` facade crate; generated clients call it through
//! `oauthflow::__private`.
//!
//! # What it enforces at run time
//!
//! - **Configuration** (checked by the client's `new`, no network): the issuer and every
//!   endpoint are `https` — or `http` on a loopback IP literal such as `127.0.0.1`, never
//!   `localhost` — without fragment (an issuer also without query); redirect URIs follow the
//!   attribute's rules; an issuer is configured unless explicit endpoints cover the flow and it
//!   validates no ID token; no endpoint the flow never calls. [`Settings::from_env`] reads
//!   every setting from `<PREFIX>_…` variables; a bad value names its variable, never its value.
//! - **Start-up** (`discover()`, optional): metadata, endpoints and keys fetched and checked
//!   now, so a wrong issuer fails at boot.
//! - **Discovery** (lazy, once, cached): the metadata's `issuer` must equal the configured one
//!   character for character (RFC 8414 §3.3); every endpoint in it must pass the same transport
//!   rule; a server listing PKCE methods without `S256` is refused (RFC 9700 §4.7.1).
//! - **Back channel**: HTTP redirects are never followed (RFC 9700 §4.12) — also with a
//!   `reqwest::Client` supplied in the settings, which is probed once and refused if it follows
//!   them; every request has a timeout; response bodies are capped per endpoint (all caps and
//!   timeouts are in one place, `limits.rs`); errors never carry a URL; exactly one client
//!   authentication method per request (HTTP Basic with form-urlencoded credentials by default).
//! - **Authorization code**: `state` (256 random bits) and PKCE S256 on every request; the
//!   callback is parsed strictly (duplicate parameters refused), `state` is compared in constant
//!   time before any network call, `iss` is checked (RFC 9207) and required when the server
//!   announces it (on an error response only until `Settings::accept_error_response_without_iss`), the code is redeemed only at the issuer the request went to, `error=`
//!   answers become typed errors with sanitized text, and the code is redeemed once, never
//!   retried.
//! - **ID tokens** (code flow with `openid`, implicit form post, and refresh, password and
//!   device responses that carry one): validated in full before any token of the response is
//!   returned — signature with the issuer's `jwks_uri` keys only (refetched once, rate limited,
//!   for an unknown `kid`), an `alg` allow-list without `none` (HS\* only for confidential
//!   clients), `iss` equal to the issuer, `aud` this client and no other, `azp`, `exp`, `iat`,
//!   claim types checked strictly, and the `nonce` required and equal whenever the request sent
//!   one (always with `openid` in the code flow and in form post). A refreshed ID token must
//!   keep the original's `iss`, `sub`, `aud` and `auth_time` (OIDC Core §12.2; a changed
//!   `auth_time` only with `Settings::accept_changed_auth_time_on_refresh`). An ID token in
//!   a response to a client without `openid` is dropped, never returned unchecked.
//! - **Implicit form post**: `response_type=id_token`, `response_mode=form_post`; the posted body
//!   is parsed strictly and its `state` compared in constant time before any network call.
//!   Keep the pending authorization in a server-side store keyed by its `state`: the browser's
//!   cross-site POST carries no `SameSite=Lax` cookie.
//! - **Device flow** (RFC 8628): polling at `interval` (5 s by default), `slow_down` adds 5 s,
//!   transient failures back off, no poll after `expires_in`; the audience is sent again as
//!   `resource` when polling.
//! - **Native loopback login** (RFC 8252): the listener binds the loopback IP literal on an
//!   ephemeral port for one response only, checks the exact path, `Host` and `state`, answers
//!   anything else with 404, and closes when done or after the configured timeout.
//! - **Token responses**: `token_type` must be `Bearer` (any case); `expires_in` must be a JSON
//!   integer (a token without it is cached for 5 minutes at most; a string of digits only with
//!   `Settings::accept_expires_in_as_string`, and `scope` as an array only with
//!   `Settings::accept_scope_as_array`); OAuth errors are typed
//!   ([`Error::OAuth`] with [`Error::oauth_code`]), HTML pages and other non-JSON answers too.
//! - **Caching and refresh**: client-credentials tokens are cached per audience and renewed
//!   ahead of expiry with one request in flight per audience; refreshes are single-flight per
//!   refresh token, keep the old refresh token when none comes back, and share their result
//!   with late callers for a short while so a rotated refresh token is never replayed. With
//!   `Settings::token_store` the instances of a fleet share both (see [`token_store`]).
//! - **Secrets** never appear in `Debug`, `Display`, errors or `tracing` events.
//!
//! Every rule is numbered (`R1`–`R39`, and the macro's `C1`–`C18`); `docs/security.md` in the
//! repository says, for each, its source, the code that enforces it and the test that proves it.
//!
//! # Module map
//!
//! A value walks one pipeline: a generated client calls its **flow handle**, the flow module
//! builds the request, the **one HTTP path** sends it, and the response is parsed and validated
//! before anything is returned.
//!
//! | layer | modules | job |
//! |---|---|---|
//! | entry | `flows` | one handle per grant (`ClientCredentialsFlow`, `CodeFlow`, `NativeFlow`, `FormPostFlow`, `PasswordFlow`, `DeviceFlow`): a generated client has exactly its flow's steps |
//! | entry | `steps` | the traits behind the compile error for a step a flow lacks |
//! | entry | `spec`, `settings`, `env`, `kind`, `quirks` | the compile-time spec (`const fn` builders), run-time settings, `Settings::from_env`, the provider deviations accepted by name (`Settings::accept_…`, `<PREFIX>_QUIRKS`); `Kind`/`Flow` come from `oauthflow-core` |
//! | entry | `startup` | `discover()`: what the first step would fetch and check, at start-up |
//! | shared state | `context` | what a client and its clones share: identity, HTTP client, discovery, JWKS and token caches; audience checks; one token request |
//! | flows | `client_credentials`, `authorization_code`, `implicit`, `password`, `device_code`, `refresh` | the steps of each grant (`refresh` also the session helper `refresh_if_needed`) |
//! | a login's life | `revocation`, `userinfo`, `logout`, `authorize_options` | RFC 7009 revocation, userinfo (OIDC Core §5.3, `sub` checked), the RP-initiated logout URL, per-login authorization options (`max_age` checked) |
//! | calling APIs | `token_source`, `integrations/{reqwest_middleware,tower}` | `TokenSource` and the shared `BearerToken`; the HTTP integrations (features `reqwest-middleware`, `tower`): header added, one retry on `invalid_token` |
//! | flow building blocks | `callback`, `form_post`, `loopback`, `device`, `pending`, `client_auth` | strict callback parsing, the form-post response, the RFC 8252 listener, RFC 8628 polling, the pending authorization, client authentication |
//! | validation | `token_response`, `id_token/{validation,payload,verify,jwks}`, `claims`, `tokens`, `device_authorization` | token responses, ID tokens (claims typed before parsing, signature, JWKS cache), what is handed to the application |
//! | transport | `http/{endpoint,form,probe}`, `discovery`, `endpoints`, `urls` | the one request path (caps, timeout, no redirects, sanitised errors), metadata, the resolved endpoint set (discovered, overridden by the attribute's, overridden by the settings'), URL rules (verdicts from `oauthflow-core`) |
//! | caching | `token_manager/…`, `single_flight` | the per-audience token cache (lock-free reads, refresh-ahead, retries) and the one single-flight mechanism (work in its own task: a cancelled caller never cancels nor repeats a request) |
//! | caching | `token_store/{shared,memory,redis,sealed}` | several instances, one token: the `TokenStore` trait, the cross-instance single flight (lock with expiry, bounded poll, local path when the store fails), `InMemoryTokenStore`, `RedisTokenStore` and its sealing (feature `redis`) |
//! | leaves | `clock`, `limits`, `secret_eq`, `error` | the one clock (with a coarse `fast_ticks` for the cache's hot path), every cap and timeout, the one constant-time compare, typed errors |
//! | tools | `inspect` | what `oauthflow inspect` reads: metadata and keys fetched and checked as a client's discovery does; not public API |
//! | test support | `fuzz_internals` (feature `fuzzing`), `bench_internals` (feature `bench-internals`) | what `fuzz/` and the benches drive; not public API |

mod assertion;
mod authorization_code;
mod authorize_options;
mod callback;
mod claims;
mod client_auth;
mod client_credentials;
mod client_key;
mod clock;
mod context;
mod device;
mod device_authorization;
mod device_code;
mod discovery;
pub mod dpop;
mod endpoints;
mod env;
mod error;
mod flows;
mod form_post;
mod http;
mod id_token;
mod implicit;
#[doc(hidden)]
pub mod inspect;
#[cfg(any(feature = "reqwest-middleware", feature = "tower"))]
pub mod integrations;
mod jws;
mod kind;
mod limits;
mod logout;
mod loopback;
mod par;
mod password;
mod pending;
mod quirks;
mod refresh;
mod revocation;
mod secret_eq;
mod settings;
mod single_flight;
mod spec;
mod startup;
mod steps;
mod tenant_issuer;
mod token_manager;
mod token_response;
mod token_source;
pub mod token_store;
mod tokens;
mod urls;
mod userinfo;
mod www_authenticate;

#[cfg(test)]
mod tests;

pub use authorize_options::{AuthorizeOptions, Prompt};
pub use claims::IdTokenClaims;
pub use client_key::{AssertionSigner, ClientKey, SignFuture, SignerError};
pub use device_authorization::DeviceAuthorization;
pub use dpop::{Dpop, DpopKey};
pub use error::{ConfigError, Error, OAuthErrorCode};
pub use form_post::check_request as check_form_post_request;
pub use kind::{AudienceParam, Flow, Kind};
pub use oauth2::{AccessToken, ClientSecret, RefreshToken};
pub use pending::PendingAuthorization;
/// The HTTP client crate `Settings::http_client` takes (its current major, 0.13).
pub use reqwest;
pub use secrecy::SecretString;
pub use settings::{ClientType, Confidential, PrivateKeyJwt, Public, Settings};
pub use token_source::{BearerToken, TokenSource};
pub use token_store::TokenStore;
pub use tokens::TokenSet;
pub use url::Url;
pub use userinfo::UserInfo;

/// What `benches/token_manager.rs` drives: benches see only the public API, so the
/// `bench-internals` feature (off by default) exposes the token manager and the clocks — and
/// the paired measurement every bench of the workspace prints.
/// Not part of the public API: no stability promise.
#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod bench_internals {
    pub use crate::bench_paired::{paired, per_call};
    pub use crate::clock::{Clock, ManualClock, SystemClock};
    pub use crate::token_manager::{CacheConfig, Fetched, TokenManager};
}

#[cfg(feature = "bench-internals")]
mod bench_paired;

/// The parsers the fuzz targets in `fuzz/` drive (feature `fuzzing`). Not part of the public
/// API: no stability promise.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_internals;

/// Only what generated code names: the spec, the flow handles with `new` / `from_env`, and the
/// `steps` traits behind the compile error for a missing step. Not part of the public API: no
/// stability promise. The crate's own tests use the internal modules (`src/tests/`).
#[doc(hidden)]
pub mod __private {
    pub use crate::flows::{
        ClientCredentialsFlow, CodeFlow, DeviceFlow, FlowHandle, FormPostFlow, NativeFlow,
        NoRefresh, PasswordFlow, Refresh, RefreshMode, from_env, new,
    };
    pub use crate::spec::ClientSpec;

    /// Why a step is missing: the traits behind the compile error for a step the flow lacks.
    pub mod steps {
        pub use crate::steps::*;
    }
}
