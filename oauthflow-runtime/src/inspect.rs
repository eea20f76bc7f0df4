//! What `oauthflow inspect` reads, fetched and checked by the same code a client's discovery
//! runs: the issuer's metadata (exact issuer, https endpoints, no redirects, capped body — R1,
//! R2, R3) and its signing keys (the JWKS parser ID-token validation uses). Not part of the
//! public API: no stability promise.

use serde_json::Value;
use url::Url;

use crate::discovery::fetch_document;
use crate::error::{ConfigError, Error};
use crate::http::Http;
use crate::id_token::JwksCache;
use crate::limits::DEFAULT_REQUEST_TIMEOUT;
use crate::urls::check_issuer;

/// An issuer's metadata document that passed every check a client's discovery makes.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The well-known URL it was found at.
    pub url: Url,
    /// The document as sent, for the fields the runtime does not read itself (grant types,
    /// response modes, PAR, DPoP, ...).
    pub document: serde_json::Map<String, Value>,
}

/// Fetches the metadata of `issuer` the way a client does: the issuer must be https (or http
/// on a loopback IP literal) without query or fragment, the document's `issuer` must equal it
/// character for character, and every endpoint in it must pass the transport rule.
///
/// # Errors
///
/// The error a client's first step would give for this issuer.
pub async fn metadata(issuer: &str) -> Result<Discovered, Error> {
    let issuer = check_issuer(issuer)?;
    let http = Http::new(None, DEFAULT_REQUEST_TIMEOUT)?;
    // Strict, as a client without provider quirks would see it.
    let fetched = fetch_document(&issuer, &http, crate::quirks::Quirks::NONE).await?;
    let document = match serde_json::from_slice(&fetched.body) {
        Ok(Value::Object(document)) => document,
        // `fetch_document` parsed it as an object already.
        _ => {
            return Err(Error::Config(ConfigError::Discovery {
                reason: "the metadata is not a JSON object".into(),
            }));
        }
    };
    Ok(Discovered {
        url: fetched.url,
        document,
    })
}

/// One key of a JWKS as the runtime parsed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySummary {
    /// `kid`, if any.
    pub kid: Option<String>,
    /// `kty` (`RSA`, `EC`, `OKP`, `oct`).
    pub kty: String,
    /// `alg`, if any.
    pub alg: Option<String>,
    /// `use`, if any.
    pub key_use: Option<String>,
}

impl KeySummary {
    /// Whether ID tokens signed with this key can pass validation: a signing key (no `use`, or
    /// `sig`) of an asymmetric type whose `alg`, if given, is on the default allow-list (HS*
    /// keys are never published in a JWKS a public client could use).
    pub fn usable_for_id_tokens(&self) -> bool {
        matches!(self.kty.as_str(), "RSA" | "EC" | "OKP")
            && self.key_use.as_deref().is_none_or(|u| u == "sig")
            && self
                .alg
                .as_deref()
                .is_none_or(|alg| id_token_alg_accepted(alg, false))
    }
}

/// Fetches `jwks_uri` (no redirects, capped body) and parses it with the parser ID-token
/// validation uses.
///
/// # Errors
///
/// Unreachable, a non-success status, or not a JSON Web Key Set.
pub async fn keys(jwks_uri: &Url) -> Result<Vec<KeySummary>, Error> {
    let http = Http::new(None, DEFAULT_REQUEST_TIMEOUT)?;
    let client = http.checked_client().await?;
    let (set, _) = JwksCache::new(jwks_uri.as_str()).current(client).await?;
    Ok(set
        .keys()
        .iter()
        .map(|key| {
            let fields = serde_json::to_value(key).unwrap_or(Value::Null);
            let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
            KeySummary {
                kid: text("kid"),
                kty: text("kty").unwrap_or_default(),
                alg: text("alg"),
                key_use: text("use"),
            }
        })
        .collect())
}

/// Whether the runtime accepts ID tokens signed with `alg` (never `none`; HS* only for a
/// `confidential` client).
pub fn id_token_alg_accepted(alg: &str, confidential: bool) -> bool {
    crate::id_token::alg_accepted(alg, confidential)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kty: &str, alg: Option<&str>, key_use: Option<&str>) -> KeySummary {
        KeySummary {
            kid: None,
            kty: kty.into(),
            alg: alg.map(Into::into),
            key_use: key_use.map(Into::into),
        }
    }

    #[test]
    fn usable_keys_sign_with_an_accepted_algorithm() {
        assert!(key("RSA", Some("RS256"), Some("sig")).usable_for_id_tokens());
        assert!(key("EC", None, None).usable_for_id_tokens());
        assert!(!key("RSA", Some("RS256"), Some("enc")).usable_for_id_tokens());
        assert!(!key("oct", Some("HS256"), None).usable_for_id_tokens());
        assert!(!key("RSA", Some("none"), None).usable_for_id_tokens());
        assert!(!key("RSA", Some("RSA-OAEP"), None).usable_for_id_tokens());
    }

    #[test]
    fn id_token_algorithms_follow_the_allow_list() {
        assert!(id_token_alg_accepted("RS256", false));
        assert!(!id_token_alg_accepted("none", true));
        assert!(!id_token_alg_accepted("HS256", false));
        assert!(id_token_alg_accepted("HS256", true));
    }

    #[tokio::test]
    async fn the_issuer_rules_apply_before_any_request() {
        for issuer in [
            "http://example.com",
            "https://as.example.com/?q=1",
            "http://localhost:1",
        ] {
            assert!(matches!(
                metadata(issuer).await,
                Err(Error::Config(ConfigError::InvalidUrl { .. }))
            ));
        }
    }
}
