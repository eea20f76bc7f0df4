//! The application kinds of the decision tree and the grants they select.

/// The application type a client declares with `kind = "..."`.
///
/// Each kind is one answer of the "which OAuth 2.0 flow?" decision tree.
///
/// ```
/// use oauthflow_runtime::Kind;
/// assert_eq!(Kind::Machine.as_str(), "machine");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Kind {
    /// A machine that is its own resource owner (a cron job, a daemon).
    Machine,
    /// A regular web app executing on a server (a confidential client).
    Web,
    /// A single-page app running in a browser (a public client).
    Spa,
    /// A native or mobile app (a public client, RFC 8252).
    Native,
    /// A client absolutely trusted with user credentials where redirects are impossible.
    Trusted,
    /// An input-constrained device or a CLI without a browser (RFC 8628).
    Device,
}

impl Kind {
    /// The value written in `kind = "..."`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Machine => "machine",
            Kind::Web => "web",
            Kind::Spa => "spa",
            Kind::Native => "native",
            Kind::Trusted => "trusted",
            Kind::Device => "device",
        }
    }

    /// Whether this kind is a confidential client (it authenticates with a secret).
    pub const fn is_confidential(self) -> bool {
        matches!(self, Kind::Machine | Kind::Web | Kind::Trusted)
    }
}

/// The OAuth 2.0 grant (flow) the decision tree chose.
///
/// ```
/// use oauthflow_runtime::Flow;
/// assert_eq!(Flow::DeviceCode.as_str(), "device code (RFC 8628)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub enum Flow {
    /// Client credentials (RFC 6749 §4.4).
    ClientCredentials,
    /// Authorization code for a confidential client, always with PKCE S256.
    AuthorizationCode,
    /// Authorization code with PKCE S256 for a public client.
    AuthorizationCodePkce,
    /// Resource owner password credentials (RFC 6749 §4.3).
    Password,
    /// OpenID Connect implicit with `response_type=id_token` and `response_mode=form_post`.
    ImplicitFormPost,
    /// Device authorization grant (RFC 8628).
    DeviceCode,
}

impl Flow {
    /// A short human-readable name of the grant.
    pub const fn as_str(self) -> &'static str {
        match self {
            Flow::ClientCredentials => "client credentials",
            Flow::AuthorizationCode => "authorization code + PKCE (confidential client)",
            Flow::AuthorizationCodePkce => "authorization code + PKCE (public client)",
            Flow::Password => "resource owner password credentials",
            Flow::ImplicitFormPost => "implicit with form post (ID token only)",
            Flow::DeviceCode => "device code (RFC 8628)",
        }
    }
}

/// Which request parameter carries an audience.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum AudienceParam {
    /// `audience=` (Auth0 style). The default.
    #[default]
    Audience,
    /// `resource=` (RFC 8707 resource indicators).
    Resource,
}

impl AudienceParam {
    /// The request parameter name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AudienceParam::Audience => "audience",
            AudienceParam::Resource => "resource",
        }
    }
}
