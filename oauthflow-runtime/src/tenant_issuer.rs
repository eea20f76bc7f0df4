//! Multi-tenant issuers (a provider quirk, `Settings::accept_tenant_issuer`): Microsoft Entra
//! ID's `…/common/v2.0` (also `organizations`, `consumers`) publishes metadata whose `issuer`
//! is a template, `https://login.microsoftonline.com/{tenantid}/v2.0`, and each ID token names
//! its own tenant's issuer, with the tenant in its `tid` claim.
//!
//! Strict oauthflow refuses both (RFC 8414 §3.3 and OIDC Discovery §4.3: the metadata's issuer
//! must equal the configured one; OIDC Core §3.1.3.7 step 2: `iss` must equal it). With the
//! quirk, the template is accepted only when the configured issuer *is* the template with one
//! tenant segment in place of `{tenantid}`, and an ID token's `iss` must then equal the
//! template with the token's own `tid` in that place — exactly, like any other issuer. Which
//! tenants an app accepts stays the app's decision: the validated claims carry `tid`.

use std::fmt;

/// The placeholder Entra ID writes in a multi-tenant issuer.
const PLACEHOLDER: &str = "{tenantid}";

/// A multi-tenant issuer template, split around its one `{tenantid}`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TenantIssuer {
    prefix: String,
    suffix: String,
}

impl TenantIssuer {
    /// The template `published` in the metadata, if it has exactly one `{tenantid}` and the
    /// `configured` issuer is that template with one tenant segment (`common`, a tenant ID or
    /// domain) in its place.
    pub(crate) fn matching(published: &str, configured: &str) -> Option<Self> {
        let (prefix, suffix) = published.split_once(PLACEHOLDER)?;
        if suffix.contains(PLACEHOLDER) {
            return None;
        }
        let segment = configured.strip_prefix(prefix)?.strip_suffix(suffix)?;
        is_tenant_segment(segment).then(|| TenantIssuer {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// The issuer of a token of tenant `tid`, or `None` when `tid` is not a tenant segment
    /// (which could otherwise splice a path into the issuer).
    pub(crate) fn for_tenant(&self, tid: &str) -> Option<String> {
        is_tenant_segment(tid).then(|| format!("{}{tid}{}", self.prefix, self.suffix))
    }
}

impl fmt::Debug for TenantIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TenantIssuer({}{PLACEHOLDER}{})",
            self.prefix, self.suffix
        )
    }
}

/// One path segment naming a tenant: a GUID, `common`, or a domain — letters, digits, `-`, `.`
/// (not only dots), at most 64 characters.
fn is_tenant_segment(segment: &str) -> bool {
    (1..=64).contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && segment.bytes().any(|b| b != b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";

    #[test]
    fn the_configured_issuer_must_be_the_template_with_a_tenant() {
        for configured in [
            "https://login.microsoftonline.com/common/v2.0",
            "https://login.microsoftonline.com/organizations/v2.0",
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
        ] {
            assert!(
                TenantIssuer::matching(TEMPLATE, configured).is_some(),
                "{configured}"
            );
        }
        for configured in [
            "https://login.microsoftonline.com/common/v2.0/",
            "https://login.microsoftonline.com/a/b/v2.0",
            "https://login.microsoftonline.com//v2.0",
            "https://login.microsoftonline.com/../v2.0",
            "https://evil.example/common/v2.0",
            "https://login.microsoftonline.com/common",
        ] {
            assert!(
                TenantIssuer::matching(TEMPLATE, configured).is_none(),
                "{configured}"
            );
        }
        // Not a template, or two placeholders.
        let configured = "https://login.microsoftonline.com/common/v2.0";
        assert!(TenantIssuer::matching(configured, configured).is_none());
        assert!(
            TenantIssuer::matching("https://x/{tenantid}/{tenantid}", "https://x/a/a").is_none()
        );
    }

    #[test]
    fn a_token_issuer_is_the_template_with_its_own_tid() {
        let template =
            TenantIssuer::matching(TEMPLATE, "https://login.microsoftonline.com/common/v2.0")
                .unwrap();
        assert_eq!(
            template
                .for_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47")
                .as_deref(),
            Some("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0")
        );
        for tid in ["", "a/b", "..", "x?y", "a#b", &"a".repeat(65)] {
            assert_eq!(template.for_tenant(tid), None, "{tid}");
        }
    }
}
