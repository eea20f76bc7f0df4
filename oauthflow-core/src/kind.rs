//! The application kinds, the grants they select, and the decision tree between them.

/// The application type a client declares with `kind = "..."`.
///
/// Each kind is one answer of the "which OAuth 2.0 flow?" decision tree; [`decide`] turns it
/// into a [`Flow`].
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::Kind;
///
/// assert_eq!(Kind::Machine.as_str(), "machine");
/// assert_eq!(Kind::parse("native"), Some(Kind::Native));
/// assert!(Kind::Web.is_confidential() && !Kind::Spa.is_confidential());
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
    /// Every kind, in the order the decision tree asks about them.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// use oauthflow::Kind;
    ///
    /// assert_eq!(Kind::ALL.len(), 6);
    /// assert_eq!(Kind::ALL[0], Kind::Machine);
    /// ```
    pub const ALL: [Kind; 6] = [
        Kind::Machine,
        Kind::Web,
        Kind::Trusted,
        Kind::Spa,
        Kind::Native,
        Kind::Device,
    ];

    /// The value written in `kind = "..."`.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// assert_eq!(oauthflow::Kind::Device.as_str(), "device");
    /// ```
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

    /// Parses the value written in `kind = "..."` (exactly, lowercase); `None` for anything else.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// use oauthflow::Kind;
    ///
    /// assert_eq!(Kind::parse("spa"), Some(Kind::Spa));
    /// assert_eq!(Kind::parse("SPA"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The variant name, as generated code spells it (`oauthflow::Kind::Machine`).
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// assert_eq!(oauthflow::Kind::Spa.variant(), "Spa");
    /// ```
    pub const fn variant(self) -> &'static str {
        match self {
            Kind::Machine => "Machine",
            Kind::Web => "Web",
            Kind::Spa => "Spa",
            Kind::Native => "Native",
            Kind::Trusted => "Trusted",
            Kind::Device => "Device",
        }
    }

    /// Whether this kind is a confidential client (it authenticates with a secret).
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// use oauthflow::Kind;
    ///
    /// assert!(Kind::Trusted.is_confidential());
    /// assert!(!Kind::Device.is_confidential());
    /// ```
    pub const fn is_confidential(self) -> bool {
        matches!(self, Kind::Machine | Kind::Web | Kind::Trusted)
    }
}

/// The OAuth 2.0 grant (flow) the decision tree chose.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::Flow;
///
/// assert_eq!(Flow::DeviceCode.as_str(), "device code (RFC 8628)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    /// A short human-readable name of the grant, as run-time messages and `Debug` output show
    /// it.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// use oauthflow::Flow;
    ///
    /// assert_eq!(
    ///     Flow::AuthorizationCodePkce.as_str(),
    ///     "authorization code + PKCE (public client)"
    /// );
    /// ```
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

    /// The variant name, as generated code spells it (`oauthflow::Flow::DeviceCode`).
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// assert_eq!(oauthflow::Flow::ImplicitFormPost.variant(), "ImplicitFormPost");
    /// ```
    pub const fn variant(self) -> &'static str {
        match self {
            Flow::ClientCredentials => "ClientCredentials",
            Flow::AuthorizationCode => "AuthorizationCode",
            Flow::AuthorizationCodePkce => "AuthorizationCodePkce",
            Flow::Password => "Password",
            Flow::ImplicitFormPost => "ImplicitFormPost",
            Flow::DeviceCode => "DeviceCode",
        }
    }

    /// The grant as a phrase for compile-time messages ("kind = \"web\" chose …"): both
    /// authorization-code variants read the same there, since the kind is named beside it.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// use oauthflow::Flow;
    ///
    /// assert_eq!(Flow::AuthorizationCode.describe(), Flow::AuthorizationCodePkce.describe());
    /// assert_eq!(Flow::Password.describe(), "the password grant");
    /// ```
    pub const fn describe(self) -> &'static str {
        match self {
            Flow::ClientCredentials => "client credentials",
            Flow::AuthorizationCode | Flow::AuthorizationCodePkce => "authorization code with PKCE",
            Flow::Password => "the password grant",
            Flow::ImplicitFormPost => "implicit with form post",
            Flow::DeviceCode => "the device authorization grant",
        }
    }
}

/// Which request parameter carries an audience.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::AudienceParam;
///
/// assert_eq!(AudienceParam::default(), AudienceParam::Audience);
/// assert_eq!(AudienceParam::Resource.as_str(), "resource");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum AudienceParam {
    /// `audience=` (Auth0 style). The default.
    #[default]
    Audience,
    /// `resource=` (RFC 8707 resource indicators).
    Resource,
}

impl AudienceParam {
    /// The request parameter name, also the value written in `audience_param = "..."`.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// assert_eq!(oauthflow::AudienceParam::Audience.as_str(), "audience");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            AudienceParam::Audience => "audience",
            AudienceParam::Resource => "resource",
        }
    }

    /// The variant name, as generated code spells it (`oauthflow::AudienceParam::Resource`).
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// assert_eq!(oauthflow::AudienceParam::Resource.variant(), "Resource");
    /// ```
    pub const fn variant(self) -> &'static str {
        match self {
            AudienceParam::Audience => "Audience",
            AudienceParam::Resource => "Resource",
        }
    }
}

/// The decision tree: the grant a kind gets, asked in the tree's order. `access_token` is the
/// attribute's `access_token` (default `true`); only `spa` reads it.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{Flow, Kind, decide};
///
/// assert_eq!(decide(Kind::Machine, true), Flow::ClientCredentials);
/// assert_eq!(decide(Kind::Spa, false), Flow::ImplicitFormPost);
/// ```
pub const fn decide(kind: Kind, access_token: bool) -> Flow {
    match kind {
        // Is the party that needs access a machine, its own resource owner?
        Kind::Machine => Flow::ClientCredentials,
        // Is the client a regular web app executing on a server? (always PKCE S256)
        Kind::Web => Flow::AuthorizationCode,
        // Absolutely trusted with user credentials, and redirects impossible?
        Kind::Trusted => Flow::Password,
        // A single-page app: code + PKCE, or an ID token only with form post.
        Kind::Spa if access_token => Flow::AuthorizationCodePkce,
        Kind::Spa => Flow::ImplicitFormPost,
        // A native or mobile app (RFC 8252).
        Kind::Native => Flow::AuthorizationCodePkce,
        // An input-constrained device or a CLI without a browser (RFC 8628; beyond the tree).
        Kind::Device => Flow::DeviceCode,
    }
}

/// The `DECISION` text of a generated client (and the reason `oauthflow decide` prints): which
/// question of the tree chose this grant, and why. `reason` is `trusted`'s written
/// `redirect_unavailable`.
///
/// ```
/// use oauthflow_core::{Flow, Kind, decision_text};
///
/// let text = decision_text(Kind::Machine, Flow::ClientCredentials, false, None);
/// assert!(text.starts_with("kind = \"machine\""));
/// ```
pub fn decision_text(kind: Kind, flow: Flow, refresh_tokens: bool, reason: Option<&str>) -> String {
    match (kind, flow) {
        (Kind::Machine, _) => "kind = \"machine\": the party that needs access is a machine that is its own resource owner, so the decision tree chose client credentials (RFC 6749 §4.4): no user and no redirect, one cached access token per audience.".into(),
        (Kind::Web, _) => {
            let mut s = String::from("kind = \"web\": a regular web app executing on a server is a confidential client, so the decision tree chose the authorization code grant, always with PKCE S256 (RFC 9700 §2.1.1, OAuth 2.1 §4.1.1).");
            if refresh_tokens {
                s.push_str(" Refresh tokens stay on the server.");
            }
            s
        }
        (Kind::Trusted, _) => format!(
            "kind = \"trusted\": the client is trusted with user credentials and redirect-based flows are impossible{}, so the decision tree chose the password grant, which RFC 9700 §2.4 says MUST NOT be used and OAuth 2.1 removes; move to kind = \"native\" or \"device\" as soon as a browser or a second screen is available.",
            reason.map(|r| format!(" ({:?})", r.trim())).unwrap_or_default()
        ),
        (Kind::Spa, Flow::ImplicitFormPost) => "kind = \"spa\" with access_token = false: the app only signs the user in, so the decision tree chose implicit with form post (an ID token only, OIDC Core §3.2.2.1), which Auth0 places for login-only use cases; the response is an HTML form POST, so a server endpoint must receive it.".into(),
        (Kind::Spa, _) => {
            let mut s = String::from("kind = \"spa\": a single-page app running in a browser is a public client, so the decision tree chose the authorization code grant with PKCE S256 (RFC 9700 §2.1.1); if the app has a server, prefer kind = \"web\" (a backend for frontend, OAuth 2.0 for Browser-Based Apps §6.1).");
            if refresh_tokens {
                s.push_str(" Refresh tokens in a browser are safe only if the authorization server rotates them (RFC 9700 §4.14.2).");
            }
            s
        }
        (Kind::Native, _) => "kind = \"native\": a native or mobile app is a public client, so the decision tree chose the authorization code grant with PKCE S256 through the system browser, with a loopback or private-use scheme redirect (RFC 8252), never an embedded web view (RFC 8252 §8.12).".into(),
        (Kind::Device, _) => "kind = \"device\": an input-constrained device or a CLI without a browser cannot receive a redirect, so the device authorization grant was chosen (RFC 8628, beyond the Auth0 tree): the user approves on a second screen by entering the code the device shows. Always display that user code, also next to a complete verification link or QR code, so the user can spot a phishing attempt (RFC 8628 §3.3.1, §5.4).".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_tree() {
        let rows = [
            (Kind::Machine, true, Flow::ClientCredentials),
            (Kind::Web, true, Flow::AuthorizationCode),
            (Kind::Trusted, true, Flow::Password),
            (Kind::Spa, true, Flow::AuthorizationCodePkce),
            (Kind::Spa, false, Flow::ImplicitFormPost),
            (Kind::Native, true, Flow::AuthorizationCodePkce),
            (Kind::Device, true, Flow::DeviceCode),
        ];
        for (kind, access_token, flow) in rows {
            assert_eq!(decide(kind, access_token), flow, "{kind:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert_eq!(format!("{kind:?}"), kind.variant());
        }
        assert_eq!(Kind::parse(""), None);
        assert_eq!(Kind::parse("Machine"), None);
        for flow in Kind::ALL.map(|k| decide(k, true)) {
            assert_eq!(format!("{flow:?}"), flow.variant());
        }
        assert_eq!(format!("{:?}", Flow::ImplicitFormPost), "ImplicitFormPost");
        for param in [AudienceParam::Audience, AudienceParam::Resource] {
            assert_eq!(format!("{param:?}"), param.variant());
        }
    }
}
