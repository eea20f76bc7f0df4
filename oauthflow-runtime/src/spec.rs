//! What the macro knows at compile time about one client, handed to the runtime.

use crate::client_auth::AuthMethod;
use crate::kind::{AudienceParam, Flow, Kind};

/// The compile-time description of a client, emitted by `#[oauth_client]` as a `static`.
///
/// Generated code builds it with [`ClientSpec::new`] and one `const fn` setter per argument the
/// attribute wrote, so an expansion lists only what the attribute said and a new field is one
/// setter here. Users never need it.
///
/// ```
/// use oauthflow_runtime::__private::ClientSpec;
/// use oauthflow_runtime::{AudienceParam, Flow, Kind};
///
/// static SPEC: ClientSpec = ClientSpec::new("ImportJob", Kind::Machine, Flow::ClientCredentials, "IMPORT_JOB")
///     .issuer("https://tenant.example.com/")
///     .audiences(&["https://api.example.com/orders"])
///     .audience_param(AudienceParam::Resource);
/// assert_eq!(SPEC.audiences, ["https://api.example.com/orders"]);
/// assert!(SPEC.redirect_uri.is_none());
/// ```
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
    /// `client_auth = "..."`: the one method used; `None` chooses a secret method from the
    /// metadata.
    pub(crate) client_auth: Option<AuthMethod>,
    /// `par = true` (or `profile = "fapi2"` on `web`): push every authorization request.
    pub par: bool,
    /// `sender_constraint = "dpop"` (or `profile = "fapi2"`): DPoP-bound tokens (RFC 9449).
    pub dpop: bool,
    /// `profile = "fapi2"`: what the FAPI 2.0 Security Profile asks of the client at run time
    /// beyond the arguments it implies — ID tokens signed PS256, ES256 or EdDSA only (§5.4.1),
    /// and a server that sends `iss` in authorization responses (RFC 9207; §5.3.2.2, §5.3.3).
    pub fapi2: bool,
}

impl ClientSpec {
    /// A client with only what every attribute determines: the struct, its kind, the grant the
    /// tree chose and the `from_env` prefix. Everything else is absent or default.
    pub const fn new(
        struct_name: &'static str,
        kind: Kind,
        flow: Flow,
        env_prefix: &'static str,
    ) -> Self {
        ClientSpec {
            struct_name,
            kind,
            flow,
            issuer: None,
            authorization_endpoint: None,
            token_endpoint: None,
            device_authorization_endpoint: None,
            jwks_uri: None,
            audiences: &[],
            audience_param: AudienceParam::Audience,
            scopes: &[],
            redirect_uri: None,
            refresh_tokens: false,
            env_prefix,
            client_auth: None,
            par: false,
            dpop: false,
            fapi2: false,
        }
    }

    /// `issuer = "..."`.
    #[must_use]
    pub const fn issuer(mut self, issuer: &'static str) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// `authorization_endpoint = "..."`.
    #[must_use]
    pub const fn authorization_endpoint(mut self, uri: &'static str) -> Self {
        self.authorization_endpoint = Some(uri);
        self
    }

    /// `token_endpoint = "..."`.
    #[must_use]
    pub const fn token_endpoint(mut self, uri: &'static str) -> Self {
        self.token_endpoint = Some(uri);
        self
    }

    /// `device_authorization_endpoint = "..."`.
    #[must_use]
    pub const fn device_authorization_endpoint(mut self, uri: &'static str) -> Self {
        self.device_authorization_endpoint = Some(uri);
        self
    }

    /// `jwks_uri = "..."`.
    #[must_use]
    pub const fn jwks_uri(mut self, uri: &'static str) -> Self {
        self.jwks_uri = Some(uri);
        self
    }

    /// `audiences = [...]`, in declaration order.
    #[must_use]
    pub const fn audiences(mut self, audiences: &'static [&'static str]) -> Self {
        self.audiences = audiences;
        self
    }

    /// `audience_param = "..."`.
    #[must_use]
    pub const fn audience_param(mut self, param: AudienceParam) -> Self {
        self.audience_param = param;
        self
    }

    /// `scopes = [...]`, as written.
    #[must_use]
    pub const fn scopes(mut self, scopes: &'static [&'static str]) -> Self {
        self.scopes = scopes;
        self
    }

    /// `redirect_uri = "..."`.
    #[must_use]
    pub const fn redirect_uri(mut self, uri: &'static str) -> Self {
        self.redirect_uri = Some(uri);
        self
    }

    /// `refresh_tokens = true`.
    #[must_use]
    pub const fn refresh_tokens(mut self) -> Self {
        self.refresh_tokens = true;
        self
    }

    /// `client_auth = "client_secret_basic"`.
    #[must_use]
    pub const fn client_secret_basic(mut self) -> Self {
        self.client_auth = Some(AuthMethod::Basic);
        self
    }

    /// `profile = "fapi2"` (the macro also sets what it implies: `dpop`, `private_key_jwt`,
    /// and `par` for `web`).
    #[must_use]
    pub const fn fapi2(mut self) -> Self {
        self.fapi2 = true;
        self
    }

    /// `sender_constraint = "dpop"` (RFC 9449).
    #[must_use]
    pub const fn dpop(mut self) -> Self {
        self.dpop = true;
        self
    }

    /// `par = true` (RFC 9126).
    #[must_use]
    pub const fn par(mut self) -> Self {
        self.par = true;
        self
    }

    /// `client_auth = "private_key_jwt"` (also implied by `profile = "fapi2"`).
    #[must_use]
    pub const fn private_key_jwt(mut self) -> Self {
        self.client_auth = Some(AuthMethod::PrivateKeyJwt);
        self
    }

    /// `client_auth = "client_secret_post"`.
    #[must_use]
    pub const fn client_secret_post(mut self) -> Self {
        self.client_auth = Some(AuthMethod::Post);
        self
    }

    /// Whether the client asks for an ID token (`openid` among the scopes).
    pub(crate) fn wants_openid(&self) -> bool {
        self.scopes.contains(&"openid")
    }

    /// Whether the client validates ID tokens (and so needs an issuer and its keys).
    pub(crate) fn validates_id_tokens(&self) -> bool {
        oauthflow_core::validates_id_tokens(self.flow, self.wants_openid())
    }
}
