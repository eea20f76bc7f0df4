//! What the macro knows at compile time about one client, handed to the runtime.

use crate::kind::{AudienceParam, Flow, Kind};

/// The compile-time description of a client, emitted by `#[oauth_client]` as a `static`.
///
/// Generated code builds it; users never need to.
#[doc(hidden)]
#[derive(Debug)]
pub struct ClientSpec {
    /// The annotated struct's name (for `Debug` and error messages).
    pub struct_name: &'static str,
    /// The declared kind.
    pub kind: Kind,
    /// The grant the decision tree chose.
    pub flow: Flow,
    /// `issuer = "..."`, if written in the attribute.
    pub issuer: Option<&'static str>,
    /// `authorization_endpoint = "..."`.
    pub authorization_endpoint: Option<&'static str>,
    /// `token_endpoint = "..."`.
    pub token_endpoint: Option<&'static str>,
    /// `device_authorization_endpoint = "..."`.
    pub device_authorization_endpoint: Option<&'static str>,
    /// `jwks_uri = "..."`.
    pub jwks_uri: Option<&'static str>,
    /// The audience URIs, in declaration order (empty: no audiences).
    pub audiences: &'static [&'static str],
    /// Which parameter carries the audience.
    pub audience_param: AudienceParam,
    /// Requested scopes, as written (without `offline_access`, which follows `refresh_tokens`).
    pub scopes: &'static [&'static str],
    /// `redirect_uri = "..."`.
    pub redirect_uri: Option<&'static str>,
    /// `refresh_tokens = true`.
    pub refresh_tokens: bool,
    /// The `from_env` prefix, e.g. `IMPORT_JOB`.
    pub env_prefix: &'static str,
}
