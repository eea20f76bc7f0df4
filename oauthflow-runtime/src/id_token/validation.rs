//! What an ID token must match ([`IdTokenValidation`]): issuer, client, secret, the `alg`
//! allow-list, the clock and its leeway.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use openidconnect::ClientSecret;
use openidconnect::core::CoreJwsSigningAlgorithm;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::tenant_issuer::TenantIssuer;

use super::invalid;

/// Clock skew tolerated on `exp`, `iat` and `nbf` (oidc-provider's default tolerance is 15 s).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// The asymmetric algorithms accepted when nothing narrower is configured.
const ASYMMETRIC_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The MAC algorithms, accepted only when the client has a secret (OIDC Core §10.1).
const SYMMETRIC_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::HmacSha256,
    CoreJwsSigningAlgorithm::HmacSha384,
    CoreJwsSigningAlgorithm::HmacSha512,
];

/// What an ID token must match: the issuer, this client, its secret (if confidential), the
/// allowed algorithms, the clock and its leeway. The expected nonce is passed to
/// [`verify`](fn@super::verify) separately because it changes per login.
#[derive(Clone)]
pub struct IdTokenValidation<'a> {
    pub(super) issuer: &'a str,
    pub(super) client_id: &'a str,
    pub(super) client_secret: Option<&'a ClientSecret>,
    signing_algs: Option<Vec<String>>,
    pub(super) leeway: Duration,
    pub(super) now: Option<SystemTime>,
    /// Audiences besides this client that an `aud` may list (a provider quirk, named in the
    /// settings); empty: `aud` must name this client only.
    pub(super) other_audiences: &'a [String],
    /// A multi-tenant issuer template (a provider quirk, accepted at discovery): `iss` is then
    /// the template with the token's own `tid`.
    tenant_issuer: Option<&'a TenantIssuer>,
}

impl<'a> IdTokenValidation<'a> {
    /// Expects `iss` equal to `issuer` (character for character, as configured and as in the
    /// discovered metadata) and `aud` containing `client_id`.
    pub fn new(issuer: &'a str, client_id: &'a str) -> Self {
        IdTokenValidation {
            issuer,
            client_id,
            client_secret: None,
            signing_algs: None,
            leeway: DEFAULT_LEEWAY,
            now: None,
            other_audiences: &[],
            tenant_issuer: None,
        }
    }

    /// With a multi-tenant issuer template (from the metadata, accepted by name): the expected
    /// `iss` of a token is the template with the token's `tid` (see `tenant_issuer.rs`).
    pub(crate) fn tenant_issuer(mut self, template: Option<&'a TenantIssuer>) -> Self {
        self.tenant_issuer = template;
        self
    }

    /// The `iss` a token with this (not yet verified) `payload` must have: the issuer, or with
    /// a tenant template, that template with the payload's `tid`.
    pub(super) fn expected_issuer(
        &self,
        payload: &Map<String, Value>,
    ) -> Result<Cow<'a, str>, Error> {
        let Some(template) = self.tenant_issuer else {
            return Ok(Cow::Borrowed(self.issuer));
        };
        let tid = match payload.get("tid") {
            Some(Value::String(tid)) => tid,
            None => {
                return Err(invalid(
                    "the issuer is a multi-tenant template and the token has no `tid` claim naming its tenant",
                ));
            }
            Some(_) => return Err(invalid("the `tid` claim is not a string")),
        };
        let issuer = template.for_tenant(tid).ok_or_else(|| {
            invalid("the `tid` claim is not a tenant identifier (letters, digits, `-`, `.`)")
        })?;
        tracing::debug!(
            quirk = "tenant_issuer",
            "oauthflow: an ID token of a multi-tenant issuer, checked against its own tenant's issuer"
        );
        Ok(Cow::Owned(issuer))
    }

    /// The same validation for the issuer `issuer` (a tenant's, from [`Self::expected_issuer`]).
    pub(super) fn with_issuer<'b>(&self, issuer: &'b str) -> IdTokenValidation<'b>
    where
        'a: 'b,
    {
        IdTokenValidation {
            issuer,
            ..self.clone()
        }
    }

    /// Also accepts these audiences in `aud` besides this client's ID; `verify` then requires
    /// `azp` to be this client whenever `aud` lists more than one audience.
    pub fn other_audiences(mut self, audiences: &'a [String]) -> Self {
        self.other_audiences = audiences;
        self
    }

    /// The client secret of a confidential client. Only with it are HS256/384/512 ID tokens
    /// accepted (the secret is the MAC key); public clients never accept them.
    pub fn client_secret(mut self, secret: Option<&'a ClientSecret>) -> Self {
        self.client_secret = secret;
        self
    }

    /// Narrows the accepted `alg` values, e.g. to the metadata's
    /// `id_token_signing_alg_values_supported` or the registered `id_token_signed_response_alg`.
    /// `none` and unknown names are dropped; the result is intersected with the safe defaults.
    pub fn signing_algs<S: AsRef<str>>(mut self, algs: &[S]) -> Self {
        self.signing_algs = Some(algs.iter().map(|a| a.as_ref().to_owned()).collect());
        self
    }

    /// Clock skew tolerated on `exp`, `iat` and `nbf` (default [`DEFAULT_LEEWAY`]).
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests call it"))]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Validates as of this time instead of the system clock (tests, replays of a log).
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests call it"))]
    pub fn now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &str {
        self.issuer
    }

    /// The expected audience (this client's ID).
    pub fn client_id(&self) -> &str {
        self.client_id
    }

    /// The accepted algorithms: the safe defaults (HS* only with a secret), narrowed to the
    /// configured ones.
    pub(super) fn allowed_algs(&self) -> Result<Vec<CoreJwsSigningAlgorithm>, Error> {
        let mut safe: Vec<CoreJwsSigningAlgorithm> = ASYMMETRIC_ALGS.to_vec();
        if self.client_secret.is_some() {
            safe.extend_from_slice(SYMMETRIC_ALGS);
        }
        let Some(wanted) = &self.signing_algs else {
            return Ok(safe);
        };
        let narrowed: Vec<CoreJwsSigningAlgorithm> = wanted
            .iter()
            .filter_map(|name| parse_alg(name))
            .filter(|alg| safe.contains(alg))
            .collect();
        if narrowed.is_empty() {
            return Err(invalid(
                "none of the configured ID token signing algorithms is acceptable (never `none`; HS* only for a confidential client)",
            ));
        }
        Ok(narrowed)
    }
}

impl fmt::Debug for IdTokenValidation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenValidation")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.map(|_| "[redacted]"))
            .field("signing_algs", &self.signing_algs)
            .field("leeway", &self.leeway)
            .field("now", &self.now)
            .field("other_audiences", &self.other_audiences)
            .field("tenant_issuer", &self.tenant_issuer)
            .finish()
    }
}

/// Whether an ID token signed with `name` can pass the default allow-list: never `none`, HS*
/// only for a `confidential` client.
pub(crate) fn alg_accepted(name: &str, confidential: bool) -> bool {
    parse_alg(name).is_some_and(|alg| {
        ASYMMETRIC_ALGS.contains(&alg) || (confidential && SYMMETRIC_ALGS.contains(&alg))
    })
}

fn parse_alg(name: &str) -> Option<CoreJwsSigningAlgorithm> {
    match serde_json::from_value::<CoreJwsSigningAlgorithm>(Value::String(name.to_owned())) {
        Ok(CoreJwsSigningAlgorithm::None) | Err(_) => None,
        Ok(alg) => Some(alg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_algs_never_include_none_and_hs_needs_a_secret() {
        let v = IdTokenValidation::new("https://i", "c");
        let algs = v.allowed_algs().unwrap();
        assert!(!algs.contains(&CoreJwsSigningAlgorithm::None));
        assert!(!algs.contains(&CoreJwsSigningAlgorithm::HmacSha256));
        let secret = ClientSecret::new("s".into());
        let v = IdTokenValidation::new("https://i", "c").client_secret(Some(&secret));
        assert!(
            v.allowed_algs()
                .unwrap()
                .contains(&CoreJwsSigningAlgorithm::HmacSha256)
        );
        let v = IdTokenValidation::new("https://i", "c").signing_algs(&["none", "HS256"]);
        assert!(v.allowed_algs().is_err());
        let v = IdTokenValidation::new("https://i", "c").signing_algs(&["ES256", "bogus"]);
        assert_eq!(
            v.allowed_algs().unwrap(),
            vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]
        );
    }

    #[test]
    fn debug_redacts_the_secret() {
        let secret = ClientSecret::new("topsecret".into());
        let v = IdTokenValidation::new("https://i", "c").client_secret(Some(&secret));
        assert!(!format!("{v:?}").contains("topsecret"));
    }
}
