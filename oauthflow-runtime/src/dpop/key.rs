//! The DPoP key of a client instance: EC P-256 (`ES256`) or Ed25519 (`EdDSA`), in this process,
//! never serialized (rule R31). Its public half travels in every proof's `jwk` header; its
//! RFC 7638 thumbprint is what the server binds tokens to (`cnf.jkt`, RFC 9449 §6).

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::client_key::LocalKey;
use crate::error::ConfigError;

/// A DPoP private key: generated per client instance (the default), or read from a PEM with
/// [`from_pem`](Self::from_pem) when the same key must outlive a restart (a server that binds
/// refresh tokens to it, RFC 9449 §5).
///
/// Cheap to clone (shared). `Debug` shows the algorithm and the thumbprint — never key
/// material — and the key cannot be serialized.
///
/// ```
/// use oauthflow_runtime::dpop::DpopKey;
///
/// let key = DpopKey::generate()?;
/// assert_eq!(key.algorithm(), "ES256");
/// assert_eq!(key.thumbprint().len(), 43); // base64url of a SHA-256
/// assert!(format!("{key:?}").starts_with("DpopKey"));
/// # Ok::<(), oauthflow_runtime::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct DpopKey {
    inner: Arc<Inner>,
}

struct Inner {
    key: LocalKey,
    /// The public JWK (`kty`, `crv`, `x`, `y`), as the proof header's `jwk`.
    public_jwk: Value,
    /// RFC 7638 thumbprint of `public_jwk`.
    thumbprint: String,
}

impl DpopKey {
    /// A new EC P-256 key (`ES256`), the algorithm every DPoP server supports.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKey`] if the system's random generator fails.
    pub fn generate() -> Result<DpopKey, ConfigError> {
        DpopKey::from_local(LocalKey::generate_p256()?)
    }

    /// Reads a P-256 or Ed25519 private key from PEM (PKCS#8 `BEGIN PRIVATE KEY`, or SEC 1
    /// `BEGIN EC PRIVATE KEY`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKey`] for anything else (RSA keys too: DPoP proofs are signed on
    /// every request, and EC or Ed25519 signatures are small and fast); never with key material
    /// in the message.
    pub fn from_pem(pem: &str) -> Result<DpopKey, ConfigError> {
        DpopKey::from_local(LocalKey::from_pem(pem)?)
    }

    fn from_local(key: LocalKey) -> Result<DpopKey, ConfigError> {
        let Some(public_jwk) = key.public_jwk() else {
            return Err(ConfigError::InvalidKey {
                reason: "a DPoP key must be EC P-256 or Ed25519 (not RSA)".into(),
            });
        };
        let thumbprint = thumbprint(&public_jwk);
        Ok(DpopKey {
            inner: Arc::new(Inner {
                key,
                public_jwk,
                thumbprint,
            }),
        })
    }

    /// The JWS algorithm of the proofs: `ES256` or `EdDSA`.
    pub fn algorithm(&self) -> &'static str {
        self.inner.key.algorithm()
    }

    /// The key's JWK SHA-256 thumbprint (RFC 7638), base64url: the `jkt` a server binds tokens
    /// to (`cnf.jkt` in a JWT access token, `dpop_jkt` in an authorization request).
    pub fn thumbprint(&self) -> &str {
        &self.inner.thumbprint
    }

    /// The public JWK, for the proof header.
    pub(crate) fn public_jwk(&self) -> &Value {
        &self.inner.public_jwk
    }

    /// Signs a proof's signing input.
    pub(crate) fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, crate::SignerError> {
        self.inner.key.sign_now(signing_input)
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &self.algorithm())
            .field("jkt", &self.thumbprint())
            .finish()
    }
}

/// RFC 7638 §3: SHA-256 of the required members, in lexicographic order, without whitespace.
pub(crate) fn thumbprint(jwk: &Value) -> String {
    let required: &[&str] = if jwk["kty"] == "EC" {
        &["crv", "kty", "x", "y"]
    } else {
        &["crv", "kty", "x"]
    };
    // serde_json's `Map` is a BTreeMap (no `preserve_order` feature): keys come out sorted.
    let members: serde_json::Map<String, Value> = required
        .iter()
        .map(|name| ((*name).to_owned(), jwk[*name].clone()))
        .collect();
    URL_SAFE_NO_PAD.encode(Sha256::digest(Value::Object(members).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The public key of RFC 9449's proof example (§4.1) and the `jkt` its §6.1 binds tokens to.
    #[test]
    fn thumbprint_of_rfc_9449_example_key() {
        let jwk = json!({
            "kty": "EC",
            "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
            "crv": "P-256"
        });
        assert_eq!(
            thumbprint(&jwk),
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        );
    }

    #[test]
    fn rsa_keys_are_refused_and_debug_shows_no_key() {
        let err = DpopKey::from_pem("not a pem").unwrap_err();
        assert!(matches!(err, ConfigError::InvalidKey { .. }));
        let key = DpopKey::generate().unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains("ES256") && shown.contains(key.thumbprint()));
        assert_ne!(
            DpopKey::generate().unwrap().thumbprint(),
            key.thumbprint(),
            "a new key per client instance"
        );
    }

    #[test]
    fn a_pem_key_keeps_its_thumbprint() {
        let pem = crate::client_key::generated_p256_pem();
        let a = DpopKey::from_pem(&pem).unwrap();
        let b = DpopKey::from_pem(&pem).unwrap();
        assert_eq!(a.thumbprint(), b.thumbprint());
        assert_eq!(a.public_jwk()["crv"], "P-256");
    }
}
