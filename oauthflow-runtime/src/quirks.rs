//! Provider quirks (issue 13 §3): known deviations from the specifications that a client accepts
//! only when its settings name them. Strict by default; nothing is accepted silently — every
//! lenient acceptance logs one `tracing::debug!` event naming the quirk (never a token value).
//!
//! The one place these live: [`Quirk`] names each deviation (its name is also the value of
//! `<PREFIX>_QUIRKS`), [`Quirks`] is the set a client accepts, kept in `Settings` and then in
//! the client's context; the parsers ask [`Quirks::accept`] when they meet the deviation.

use std::fmt;

/// One known deviation from the specifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quirk {
    /// An authorization *error* response without `iss` from a server that announces
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §2.4; Django OAuth Toolkit).
    ErrorResponseWithoutIss,
    /// A refreshed ID token whose `auth_time` differs from the original's (OIDC Core §12.2;
    /// Django OAuth Toolkit).
    ChangedAuthTimeOnRefresh,
    /// `expires_in` as a JSON string of digits (RFC 6749 §5.1 says a number).
    ExpiresInAsString,
    /// `scope` in a token response as a JSON array of strings (RFC 6749 §5.1 says a
    /// space-separated string).
    ScopeAsArray,
    /// The server refuses `offline_access` as an unknown scope but issues refresh tokens
    /// without it: oauthflow does not add it.
    OmitOfflineAccess,
    /// Metadata whose `issuer` is a multi-tenant template (`…/{tenantid}/v2.0`, Microsoft Entra
    /// ID) and ID tokens whose `iss` names their own tenant (see `tenant_issuer.rs`).
    TenantIssuer,
}

impl Quirk {
    /// Every quirk, in the order of the documentation.
    pub(crate) const ALL: [Quirk; 6] = [
        Quirk::ErrorResponseWithoutIss,
        Quirk::ChangedAuthTimeOnRefresh,
        Quirk::ExpiresInAsString,
        Quirk::ScopeAsArray,
        Quirk::OmitOfflineAccess,
        Quirk::TenantIssuer,
    ];

    /// The name in `<PREFIX>_QUIRKS` and in the debug event: the `Settings` method's name
    /// without `accept_`.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Quirk::ErrorResponseWithoutIss => "error_response_without_iss",
            Quirk::ChangedAuthTimeOnRefresh => "changed_auth_time_on_refresh",
            Quirk::ExpiresInAsString => "expires_in_as_string",
            Quirk::ScopeAsArray => "scope_as_array",
            Quirk::OmitOfflineAccess => "omit_offline_access",
            Quirk::TenantIssuer => "tenant_issuer",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The deviations a client accepts; empty (strict) by default.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Quirks(u8);

impl Quirks {
    /// No quirk: strict (the default).
    pub(crate) const NONE: Quirks = Quirks(0);

    /// This set and `quirk`.
    pub(crate) const fn with(self, quirk: Quirk) -> Self {
        Quirks(self.0 | quirk.bit())
    }

    /// Whether `quirk` is accepted, without logging (for decisions taken before the deviation
    /// is seen, such as the scopes to send).
    pub(crate) const fn allows(self, quirk: Quirk) -> bool {
        self.0 & quirk.bit() != 0
    }

    /// Call only when the response shows the deviation: whether it is accepted, and if so the
    /// one debug event that names it (so an accepted deviation is never silent).
    pub(crate) fn accept(self, quirk: Quirk) -> bool {
        let accepted = self.allows(quirk);
        if accepted {
            tracing::debug!(
                quirk = quirk.name(),
                "oauthflow: accepted a provider deviation named in the settings"
            );
        }
        accepted
    }

    /// Parses `<PREFIX>_QUIRKS`: names separated by commas (spaces around them ignored).
    /// The error names the first unknown entry's position, never its text (a mistyped secret
    /// pasted into the wrong variable must not end up in a log).
    pub(crate) fn parse_list(value: &str) -> Result<Self, String> {
        let mut quirks = Quirks::default();
        for (index, entry) in value.split(',').map(str::trim).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let quirk = Quirk::ALL
                .into_iter()
                .find(|q| q.name() == entry)
                .ok_or_else(|| {
                    format!(
                        "entry {} is not a known quirk; expected a comma-separated list of {}",
                        index + 1,
                        Quirk::ALL.map(Quirk::name).join(", ")
                    )
                })?;
            quirks = quirks.with(quirk);
        }
        Ok(quirks)
    }
}

impl fmt::Debug for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(
                Quirk::ALL
                    .into_iter()
                    .filter(|q| self.allows(*q))
                    .map(Quirk::name),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_by_default_and_each_bit_is_its_own() {
        let none = Quirks::default();
        for quirk in Quirk::ALL {
            assert!(!none.allows(quirk));
            let one = none.with(quirk);
            for other in Quirk::ALL {
                assert_eq!(one.allows(other), other == quirk, "{quirk:?} {other:?}");
            }
        }
    }

    #[test]
    fn list_parsing() {
        let all = Quirks::parse_list(
            " error_response_without_iss,changed_auth_time_on_refresh , expires_in_as_string,scope_as_array,omit_offline_access,tenant_issuer,",
        )
        .unwrap();
        assert!(Quirk::ALL.into_iter().all(|q| all.allows(q)));
        assert_eq!(Quirks::parse_list("").unwrap(), Quirks::default());
        let err = Quirks::parse_list("scope_as_array,s3cret").unwrap_err();
        assert!(err.contains("entry 2"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        // Names are exact: no case folding, no `accept_` prefix.
        assert!(Quirks::parse_list("Scope_As_Array").is_err());
        assert!(Quirks::parse_list("accept_scope_as_array").is_err());
        assert_eq!(
            format!("{:?}", Quirks::default().with(Quirk::ScopeAsArray)),
            r#"{"scope_as_array"}"#
        );
    }
}
