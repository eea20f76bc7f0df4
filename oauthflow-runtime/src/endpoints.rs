//! The authorization server's endpoints by name, and the one place where the set a client uses
//! is resolved: discovered metadata, overridden by the attribute's explicit endpoints, overridden
//! by the settings' (the most specific source wins, endpoint by endpoint).
//!
//! Explicit endpoints replace discovery for what they cover: when they cover every endpoint the
//! flow calls ([`oauthflow_core::endpoints_for`]), nothing is fetched; otherwise the issuer's
//! metadata supplies the rest ([`Endpoints::over`], applied by `discovery.rs` to each fetched
//! document).

use url::Url;

use crate::error::ConfigError;
use crate::spec::ClientSpec;
use crate::urls::check_endpoint;

/// One endpoint of the authorization server.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EndpointName {
    /// `authorization_endpoint` (RFC 6749 §3.1).
    Authorization,
    /// `token_endpoint` (RFC 6749 §3.2).
    Token,
    /// `device_authorization_endpoint` (RFC 8628 §3.1).
    DeviceAuthorization,
    /// `jwks_uri`: the keys that sign ID tokens.
    Jwks,
    /// `revocation_endpoint` (RFC 7009).
    Revocation,
    /// `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0).
    EndSession,
    /// `userinfo_endpoint` (OIDC Core §5.3).
    Userinfo,
}

impl EndpointName {
    /// Every endpoint, in the order of [`Endpoints`]' slots.
    pub(crate) const ALL: [EndpointName; 7] = [
        EndpointName::Authorization,
        EndpointName::Token,
        EndpointName::DeviceAuthorization,
        EndpointName::Jwks,
        EndpointName::Revocation,
        EndpointName::EndSession,
        EndpointName::Userinfo,
    ];

    /// The metadata field (RFC 8414 §2, OpenID Connect Discovery §3), which is also the name of
    /// the attribute argument and of the `Settings` method.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            EndpointName::Authorization => "authorization_endpoint",
            EndpointName::Token => "token_endpoint",
            EndpointName::DeviceAuthorization => "device_authorization_endpoint",
            EndpointName::Jwks => "jwks_uri",
            EndpointName::Revocation => "revocation_endpoint",
            EndpointName::EndSession => "end_session_endpoint",
            EndpointName::Userinfo => "userinfo_endpoint",
        }
    }

    /// The environment variable's suffix: `<PREFIX>_` followed by this.
    pub(crate) const fn env_suffix(self) -> &'static str {
        match self {
            EndpointName::Authorization => "AUTHORIZATION_ENDPOINT",
            EndpointName::Token => "TOKEN_ENDPOINT",
            EndpointName::DeviceAuthorization => "DEVICE_AUTHORIZATION_ENDPOINT",
            EndpointName::Jwks => "JWKS_URI",
            EndpointName::Revocation => "REVOCATION_ENDPOINT",
            EndpointName::EndSession => "END_SESSION_ENDPOINT",
            EndpointName::Userinfo => "USERINFO_ENDPOINT",
        }
    }

    /// How a refused value of the discovered metadata is named in the error.
    pub(crate) const fn metadata_label(self) -> &'static str {
        match self {
            EndpointName::Authorization => "authorization_endpoint (metadata)",
            EndpointName::Token => "token_endpoint (metadata)",
            EndpointName::DeviceAuthorization => "device_authorization_endpoint (metadata)",
            EndpointName::Jwks => "jwks_uri (metadata)",
            EndpointName::Revocation => "revocation_endpoint (metadata)",
            EndpointName::EndSession => "end_session_endpoint (metadata)",
            EndpointName::Userinfo => "userinfo_endpoint (metadata)",
        }
    }

    /// Whether some flow uses this endpoint for its steps; the others (revocation, end session,
    /// userinfo) are kept for the steps built on top of a login, whatever the flow.
    const fn is_flow_endpoint(self) -> bool {
        matches!(
            self,
            EndpointName::Authorization
                | EndpointName::Token
                | EndpointName::DeviceAuthorization
                | EndpointName::Jwks
        )
    }

    fn from_metadata_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == name)
    }

    const fn slot(self) -> usize {
        self as usize
    }
}

/// At most one value per endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoints<T>([Option<T>; 7]);

impl<T> Default for Endpoints<T> {
    fn default() -> Self {
        Endpoints([None, None, None, None, None, None, None])
    }
}

impl<T> Endpoints<T> {
    /// The value of `name`, if any.
    pub(crate) fn get(&self, name: EndpointName) -> Option<&T> {
        self.0[name.slot()].as_ref()
    }

    /// Sets (or, with `None`, clears) `name`.
    pub(crate) fn set(&mut self, name: EndpointName, value: Option<T>) {
        self.0[name.slot()] = value;
    }

    /// These endpoints, with `fallback`'s for the ones not set here: the more specific source
    /// (`self`) wins, endpoint by endpoint.
    pub(crate) fn over(self, fallback: Endpoints<T>) -> Endpoints<T> {
        let mut merged = fallback;
        for (slot, value) in self.0.into_iter().enumerate() {
            if value.is_some() {
                merged.0[slot] = value;
            }
        }
        merged
    }

    /// The endpoints that are set, with their names.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (EndpointName, &T)> {
        EndpointName::ALL
            .into_iter()
            .filter_map(|name| self.get(name).map(|value| (name, value)))
    }
}

impl<T: AsRef<str>> Endpoints<T> {
    /// Each value checked with the rules of the attribute's endpoints (`https`, or `http` on a
    /// loopback IP literal; no fragment, no user info — the verdict of `oauthflow-core`).
    pub(crate) fn checked(&self) -> Result<Endpoints<Url>, ConfigError> {
        let mut checked = Endpoints::default();
        for (name, value) in self.iter() {
            checked.set(name, Some(check_endpoint(name.as_str(), value.as_ref())?));
        }
        Ok(checked)
    }
}

/// The attribute's explicit endpoints.
pub(crate) fn from_spec(spec: &ClientSpec) -> Endpoints<String> {
    let mut endpoints = Endpoints::default();
    for (name, value) in [
        (EndpointName::Authorization, spec.authorization_endpoint),
        (EndpointName::Token, spec.token_endpoint),
        (
            EndpointName::DeviceAuthorization,
            spec.device_authorization_endpoint,
        ),
        (EndpointName::Jwks, spec.jwks_uri),
    ] {
        endpoints.set(name, value.map(str::to_owned));
    }
    endpoints
}

/// The endpoints the client's flow calls (with `jwks_uri` where it validates ID tokens).
pub(crate) fn needed(spec: &ClientSpec) -> impl Iterator<Item = EndpointName> {
    oauthflow_core::endpoints_for(spec.flow, spec.wants_openid())
        .into_iter()
        .filter_map(EndpointName::from_metadata_name)
}

/// Refuses an explicit endpoint the flow never calls, as rule 13 (C15) does for the attribute:
/// it is a configuration mistake (a variable meant for another client), not something to ignore.
pub(crate) fn refuse_unused<T>(
    spec: &ClientSpec,
    explicit: &Endpoints<T>,
) -> Result<(), ConfigError> {
    let needed: Vec<EndpointName> = needed(spec).collect();
    match explicit
        .iter()
        .map(|(name, _)| name)
        .find(|name| name.is_flow_endpoint() && !needed.contains(name))
    {
        Some(EndpointName::Jwks) => Err(ConfigError::Invalid {
            reason: format!(
                "`jwks_uri` only serves to validate ID tokens, and this `{}` client validates none (no `openid` scope): remove it",
                spec.kind.as_str()
            ),
        }),
        Some(name) => Err(ConfigError::Invalid {
            reason: format!(
                "`{}` is never called by a `{}` client ({}): remove it",
                name.as_str(),
                spec.kind.as_str(),
                spec.flow.describe()
            ),
        }),
        None => Ok(()),
    }
}

/// Whether `explicit` covers every endpoint the flow calls, so that no discovery is needed.
pub(crate) fn covers_flow<T>(spec: &ClientSpec, explicit: &Endpoints<T>) -> bool {
    needed(spec).all(|name| explicit.get(name).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Flow, Kind};

    static WEB: ClientSpec = ClientSpec::new("Web", Kind::Web, Flow::AuthorizationCode, "WEB")
        .redirect_uri("https://app.example.com/cb");
    static WEB_OPENID: ClientSpec =
        ClientSpec::new("Web", Kind::Web, Flow::AuthorizationCode, "WEB")
            .scopes(&["openid"])
            .redirect_uri("https://app.example.com/cb");

    fn set(pairs: &[(EndpointName, &'static str)]) -> Endpoints<&'static str> {
        let mut e = Endpoints::default();
        for &(name, value) in pairs {
            e.set(name, Some(value));
        }
        e
    }

    #[test]
    fn names_agree_with_each_other_and_the_core() {
        for name in EndpointName::ALL {
            assert_eq!(name.env_suffix(), name.as_str().to_ascii_uppercase());
            assert!(name.metadata_label().starts_with(name.as_str()));
            assert_eq!(EndpointName::from_metadata_name(name.as_str()), Some(name));
            assert_eq!(EndpointName::ALL[name.slot()], name);
        }
        // Every name the core lists for any flow is one of ours.
        for flow in [
            Flow::ClientCredentials,
            Flow::AuthorizationCode,
            Flow::AuthorizationCodePkce,
            Flow::ImplicitFormPost,
            Flow::Password,
            Flow::DeviceCode,
        ] {
            for name in oauthflow_core::endpoints_for(flow, true) {
                assert!(EndpointName::from_metadata_name(name).is_some(), "{name}");
            }
        }
    }

    #[test]
    fn the_more_specific_source_wins_endpoint_by_endpoint() {
        let settings = set(&[(EndpointName::Token, "https://s.example/token")]);
        let attribute = set(&[
            (EndpointName::Token, "https://a.example/token"),
            (EndpointName::Authorization, "https://a.example/auth"),
        ]);
        let merged = settings.over(attribute);
        assert_eq!(
            merged.get(EndpointName::Token),
            Some(&"https://s.example/token")
        );
        assert_eq!(
            merged.get(EndpointName::Authorization),
            Some(&"https://a.example/auth")
        );
        assert_eq!(merged.get(EndpointName::Userinfo), None);
    }

    #[test]
    fn coverage_and_unused_endpoints() {
        let both = set(&[
            (EndpointName::Authorization, "https://as.example/auth"),
            (EndpointName::Token, "https://as.example/token"),
        ]);
        assert!(covers_flow(&WEB, &both));
        assert!(!covers_flow(&WEB_OPENID, &both), "openid needs jwks_uri");
        assert!(!covers_flow(
            &WEB,
            &set(&[(EndpointName::Token, "https://as.example/token")])
        ));
        let logout = set(&[
            (EndpointName::Revocation, "https://as.example/revoke"),
            (EndpointName::EndSession, "https://as.example/logout"),
            (EndpointName::Userinfo, "https://as.example/me"),
        ]);
        assert!(refuse_unused(&WEB, &logout).is_ok());
        let device = set(&[(EndpointName::DeviceAuthorization, "https://as.example/d")]);
        let err = refuse_unused(&WEB, &device).unwrap_err().to_string();
        assert!(err.contains("device_authorization_endpoint"), "{err}");
        let jwks = set(&[(EndpointName::Jwks, "https://as.example/jwks")]);
        assert!(refuse_unused(&WEB, &jwks).is_err());
        assert!(refuse_unused(&WEB_OPENID, &jwks).is_ok());
    }

    #[test]
    fn checked_with_the_attribute_rules_and_named() {
        let bad = set(&[(EndpointName::Userinfo, "http://as.example/me")]);
        match bad.checked() {
            Err(ConfigError::InvalidUrl { what, .. }) => assert_eq!(what, "userinfo_endpoint"),
            other => panic!("{other:?}"),
        }
        let ok = set(&[(EndpointName::Token, "http://127.0.0.1:9/token")]);
        assert_eq!(
            ok.checked()
                .unwrap()
                .get(EndpointName::Token)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/token"
        );
    }
}
