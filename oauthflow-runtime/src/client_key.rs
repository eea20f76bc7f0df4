//! The client's private key for `private_key_jwt` (RFC 7523 §2.2): read from a PEM or a JWK, or
//! held elsewhere (a KMS or an HSM) behind [`AssertionSigner`].
//!
//! Keys and signatures are aws-lc-rs, already in the tree as rustls' crypto provider: its
//! ECDSA, Ed25519 and RSA code is constant-time, so the `rsa` crate's Marvin timing issue
//! (RUSTSEC-2023-0071) does not apply to the keys read here. EC P-256 (`ES256`) and Ed25519
//! (`EdDSA`) are preferred: small keys, fast signatures, and the algorithms FAPI 2.0 allows
//! besides `PS256`, which an RSA key signs with (2048 bits at least).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PSS_SHA256, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject as _;

use crate::error::ConfigError;

/// The smallest RSA modulus accepted, in bytes (2048 bits; FAPI 2.0 §5.4.1 asks for 2048).
const MIN_RSA_MODULUS: usize = 256;

/// What went wrong while signing with a key held elsewhere; shown without key material.
#[derive(Debug)]
pub struct SignerError(Box<dyn std::error::Error + Send + Sync>);

impl SignerError {
    /// Wraps the signer's own error (a KMS error, a closed HSM session).
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SignerError(error.into())
    }
}

impl fmt::Display for SignerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SignerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// The future [`AssertionSigner::sign`] returns.
pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, SignerError>> + Send + 'a>>;

/// A private key held elsewhere (a cloud KMS, an HSM, a signing service) that signs client
/// assertions. oauthflow builds the JWS signing input (`base64url(header).base64url(claims)`,
/// RFC 7515 §5.1) and asks for its signature; the key never enters the process.
///
/// The signature is in JWS form: for `ES256` the 64-byte `R || S` (RFC 7518 §3.4), not DER;
/// for `EdDSA` the 64-byte Ed25519 signature; for `PS256`/`RS256` the RSA signature.
///
/// ```
/// use oauthflow_runtime::{AssertionSigner, ClientKey, SignFuture, SignerError};
///
/// /// A key in a KMS, called over the network.
/// struct Kms { key_name: String }
///
/// impl AssertionSigner for Kms {
///     fn algorithm(&self) -> &str { "ES256" }
///     fn key_id(&self) -> Option<&str> { Some(&self.key_name) }
///     fn sign<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a> {
///         Box::pin(async move {
///             // e.g. kms.sign(&self.key_name, "ECDSA_SHA_256", signing_input).await,
///             // then convert the DER signature to R || S.
///             let _ = signing_input;
///             Err(SignerError::new("not connected in this example"))
///         })
///     }
/// }
///
/// let key = ClientKey::from_signer(Kms { key_name: "client-2026".into() });
/// assert!(format!("{key:?}").contains("ES256"));
/// ```
pub trait AssertionSigner: Send + Sync + 'static {
    /// The JWS `alg` (RFC 7518 §3.1), e.g. `"ES256"`, `"EdDSA"`, `"PS256"`. Never `none` or an
    /// HMAC algorithm: a client assertion is signed with a private key.
    fn algorithm(&self) -> &str;

    /// The `kid` the server knows the public key by, if any.
    fn key_id(&self) -> Option<&str>;

    /// Signs the JWS signing input.
    fn sign<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a>;
}

/// The client's private key for `private_key_jwt`: `Settings::private_key_jwt(client_id, key)`.
///
/// Cheap to clone (the key is shared); `Debug` shows the algorithm and the `kid`, never key
/// material, and the key cannot be serialized.
///
/// ```
/// use oauthflow_runtime::ClientKey;
///
/// let jwk = r#"{"kty":"EC","crv":"P-256","kid":"client-1",
///   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
///   "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#;
/// let key = ClientKey::from_jwk(jwk)?;
/// assert_eq!(key.algorithm(), "ES256");
/// assert_eq!(key.key_id(), Some("client-1"));
/// assert!(!format!("{key:?}").contains("jpsQ"));
/// # Ok::<(), oauthflow_runtime::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ClientKey {
    signer: Arc<dyn AssertionSigner>,
    key_id: Option<String>,
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl ClientKey {
    /// Reads a private key from PEM: PKCS#8 (`BEGIN PRIVATE KEY`: EC P-256, Ed25519 or RSA),
    /// SEC 1 (`BEGIN EC PRIVATE KEY`, P-256) or PKCS#1 (`BEGIN RSA PRIVATE KEY`). EC P-256 signs
    /// `ES256`, Ed25519 `EdDSA`, RSA (2048 bits or more) `PS256`. The assertion carries no `kid`
    /// unless [`with_key_id`](Self::with_key_id) sets one.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKey`] when the text is not a PEM private key of a supported type;
    /// the message never contains key material.
    pub fn from_pem(pem: &str) -> Result<ClientKey, ConfigError> {
        Ok(ClientKey::local(LocalKey::from_pem(pem)?, None))
    }

    /// Reads a private key from a JWK (RFC 7517): `kty` `EC` with `crv` `P-256` (`d`, `x`,
    /// `y`) or `OKP` with `crv` `Ed25519` (`d`, `x`). Its `kid`, if any, goes into the
    /// assertion's header; an `alg` other than the key's own is refused. RSA keys are read from
    /// PEM only.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKey`] when the JSON is not a private JWK of a supported type, or
    /// its public and private parts do not match; never with key material in the message.
    pub fn from_jwk(json: &str) -> Result<ClientKey, ConfigError> {
        #[derive(serde::Deserialize)]
        struct Jwk {
            kty: String,
            crv: Option<String>,
            kid: Option<String>,
            alg: Option<String>,
            d: Option<String>,
            x: Option<String>,
            y: Option<String>,
        }
        let jwk: Jwk = serde_json::from_str(json)
            .map_err(|_| invalid_key("not a JSON Web Key (a JSON object with `kty`)"))?;
        let part = |name: &'static str, value: &Option<String>| {
            let value = value.as_deref().ok_or_else(|| {
                invalid_key(format!("the JWK has no `{name}` (a private key needs it)"))
            })?;
            URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| invalid_key(format!("the JWK's `{name}` is not base64url")))
        };
        let key = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("EC", Some("P-256")) => {
                let mut public = vec![0x04];
                public.extend(part("x", &jwk.x)?);
                public.extend(part("y", &jwk.y)?);
                LocalKey::Ec(
                    EcdsaKeyPair::from_private_key_and_public_key(
                        &ECDSA_P256_SHA256_FIXED_SIGNING,
                        &part("d", &jwk.d)?,
                        &public,
                    )
                    .map_err(|_| invalid_key("the JWK's `d` does not match its `x` and `y`"))?,
                )
            }
            ("OKP", Some("Ed25519")) => LocalKey::Ed25519(
                Ed25519KeyPair::from_seed_and_public_key(&part("d", &jwk.d)?, &part("x", &jwk.x)?)
                    .map_err(|_| invalid_key("the JWK's `d` does not match its `x`"))?,
            ),
            ("RSA", _) => {
                return Err(invalid_key(
                    "RSA keys are read from PEM (`ClientKey::from_pem`); prefer an EC P-256 or Ed25519 key",
                ));
            }
            (kty, crv) => {
                return Err(invalid_key(format!(
                    "unsupported key type `{}`{}: use `EC` with `P-256`, or `OKP` with `Ed25519`",
                    crate::error::sanitize_description(kty),
                    crv.map(|c| format!(" with curve `{}`", crate::error::sanitize_description(c)))
                        .unwrap_or_default()
                )));
            }
        };
        if let Some(alg) = &jwk.alg
            && alg != key.algorithm()
        {
            return Err(invalid_key(format!(
                "the JWK says `alg` `{}`, but the key signs `{}`",
                crate::error::sanitize_description(alg),
                key.algorithm()
            )));
        }
        Ok(ClientKey::local(key, jwk.kid))
    }

    /// A key held elsewhere (KMS, HSM): see [`AssertionSigner`].
    pub fn from_signer(signer: impl AssertionSigner) -> ClientKey {
        ClientKey {
            signer: Arc::new(signer),
            key_id: None,
        }
    }

    /// Sets the `kid` of the assertion's header: the id under which the server has the public
    /// key (its registered `jwks` or `jwks_uri`). Servers that match `kid` strictly need it.
    #[must_use]
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// The JWS algorithm the key signs with (`ES256`, `EdDSA`, `PS256`, or the signer's).
    pub fn algorithm(&self) -> &str {
        self.signer.algorithm()
    }

    /// The `kid` the assertion carries, if any.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref().or_else(|| self.signer.key_id())
    }

    /// Signs `signing_input` (used by [`crate::assertion`]).
    pub(crate) async fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.signer.sign(signing_input).await
    }

    fn local(key: LocalKey, key_id: Option<String>) -> ClientKey {
        ClientKey {
            signer: Arc::new(key),
            key_id,
        }
    }
}

/// A private key in this process (a `private_key_jwt` key, or a DPoP key).
pub(crate) enum LocalKey {
    /// EC P-256: `ES256`.
    Ec(EcdsaKeyPair),
    /// Ed25519: `EdDSA`.
    Ed25519(Ed25519KeyPair),
    /// RSA, 2048 bits or more: `PS256`.
    Rsa(RsaKeyPair),
}

impl LocalKey {
    /// A PEM private key: PKCS#8 of any of the three types, SEC 1 (P-256) or PKCS#1 (RSA).
    pub(crate) fn from_pem(pem: &str) -> Result<LocalKey, ConfigError> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| {
            invalid_key("not a PEM private key (expected `-----BEGIN PRIVATE KEY-----`, `EC PRIVATE KEY` or `RSA PRIVATE KEY`)")
        })?;
        match &der {
            PrivateKeyDer::Pkcs8(pkcs8) => LocalKey::from_pkcs8(pkcs8.secret_pkcs8_der()),
            PrivateKeyDer::Sec1(sec1) => Ok(LocalKey::Ec(
                EcdsaKeyPair::from_private_key_der(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    sec1.secret_sec1_der(),
                )
                .map_err(|_| invalid_key("an EC private key that is not on P-256"))?,
            )),
            PrivateKeyDer::Pkcs1(pkcs1) => LocalKey::rsa(
                RsaKeyPair::from_der(pkcs1.secret_pkcs1_der())
                    .map_err(|_| invalid_key("an unreadable RSA private key"))?,
            ),
            _ => Err(invalid_key("an unsupported private key format")),
        }
    }

    /// A new EC P-256 key.
    pub(crate) fn generate_p256() -> Result<LocalKey, ConfigError> {
        EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map(LocalKey::Ec)
            .map_err(|_| invalid_key("the system random generator could not make a P-256 key"))
    }

    /// The public JWK of an EC P-256 (`kty` `EC`) or Ed25519 (`kty` `OKP`) key, with the members
    /// RFC 7638 names as required; `None` for RSA.
    pub(crate) fn public_jwk(&self) -> Option<serde_json::Value> {
        use aws_lc_rs::signature::KeyPair as _;
        match self {
            LocalKey::Ec(key) => {
                // The uncompressed point: 0x04 || x || y, 32 bytes each on P-256.
                let point = key.public_key().as_ref();
                Some(serde_json::json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                    "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
                }))
            }
            LocalKey::Ed25519(key) => Some(serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(key.public_key().as_ref()),
            })),
            LocalKey::Rsa(_) => None,
        }
    }

    /// A PKCS#8 document of any of the three types.
    fn from_pkcs8(der: &[u8]) -> Result<LocalKey, ConfigError> {
        if let Ok(ec) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der) {
            return Ok(LocalKey::Ec(ec));
        }
        if let Ok(ed) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            return Ok(LocalKey::Ed25519(ed));
        }
        if let Ok(rsa) = RsaKeyPair::from_pkcs8(der) {
            return LocalKey::rsa(rsa);
        }
        Err(invalid_key(
            "a PKCS#8 key that is neither EC P-256, Ed25519 nor RSA",
        ))
    }

    fn rsa(key: RsaKeyPair) -> Result<LocalKey, ConfigError> {
        if key.public_modulus_len() < MIN_RSA_MODULUS {
            return Err(invalid_key(
                "an RSA key shorter than 2048 bits; prefer an EC P-256 or Ed25519 key",
            ));
        }
        Ok(LocalKey::Rsa(key))
    }

    pub(crate) fn algorithm(&self) -> &'static str {
        match self {
            LocalKey::Ec(_) => "ES256",
            LocalKey::Ed25519(_) => "EdDSA",
            LocalKey::Rsa(_) => "PS256",
        }
    }

    pub(crate) fn sign_now(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let rng = SystemRandom::new();
        let failed = |_| SignerError::new("the local key could not sign");
        Ok(match self {
            LocalKey::Ec(key) => key.sign(&rng, message).map_err(failed)?.as_ref().to_vec(),
            LocalKey::Ed25519(key) => key.sign(message).as_ref().to_vec(),
            LocalKey::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PSS_SHA256, &rng, message, &mut signature)
                    .map_err(failed)?;
                signature
            }
        })
    }
}

impl AssertionSigner for LocalKey {
    fn algorithm(&self) -> &str {
        LocalKey::algorithm(self)
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn sign<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a> {
        let signature = self.sign_now(signing_input);
        Box::pin(std::future::ready(signature))
    }
}

fn invalid_key(reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidKey {
        reason: reason.into(),
    }
}

/// A fresh P-256 key as PKCS#8 PEM, for tests.
#[cfg(test)]
pub(crate) fn generated_p256_pem() -> String {
    let document =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .expect("generate a P-256 key");
    let body = base64::engine::general_purpose::STANDARD.encode(document.as_ref());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// A fresh P-256 key with `kid`, and its public JWK (to register at a test server).
#[cfg(test)]
pub(crate) fn generated_p256(kid: &str) -> (ClientKey, serde_json::Value) {
    let key = LocalKey::generate_p256().expect("a P-256 key");
    let mut jwk = key.public_jwk().expect("an EC key has a public JWK");
    jwk["kid"] = serde_json::json!(kid);
    jwk["alg"] = serde_json::json!("ES256");
    jwk["use"] = serde_json::json!("sig");
    (ClientKey::local(key, Some(kid.to_owned())), jwk)
}
