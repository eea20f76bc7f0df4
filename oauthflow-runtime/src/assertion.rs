//! The client assertion of `private_key_jwt` (RFC 7523 §2.2, §3), built once per request.
//!
//! Claims (R30): `iss` = `sub` = the client id; `aud` = the issuer identifier as one string
//! (draft-ietf-oauth-rfc7523bis: not the token endpoint URL and not an array, the audience
//! injection fix that FAPI 2.0 also requires); a random 128-bit `jti`, so a server that
//! remembers them refuses a replay; `iat` now and `exp` one minute later.
//!
//! The JWS compact form (RFC 7515 §7.1) is `base64url(header).base64url(claims).
//! base64url(signature)`; the signature comes from the [`ClientKey`], local or held elsewhere.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::client_key::ClientKey;
use crate::error::Error;
use crate::jws;

/// `client_assertion_type` for a JWT (RFC 7523 §2.2).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: long enough for one request, short enough that a leaked
/// one is soon useless (RFC 7523 §3 item 4).
pub(crate) const LIFETIME: Duration = Duration::from_secs(60);

/// A signed client assertion for one request to an endpoint of `issuer`.
pub(crate) async fn client_assertion(
    key: &ClientKey,
    client_id: &str,
    issuer: &str,
    now: SystemTime,
) -> Result<String, Error> {
    let iat = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut header = json!({ "alg": key.algorithm(), "typ": "JWT" });
    if let Some(kid) = key.key_id() {
        header["kid"] = json!(kid);
    }
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": issuer,
        "jti": jws::unique_id(),
        "iat": iat,
        "exp": iat + LIFETIME.as_secs(),
    });
    let signing_input = jws::signing_input(&header, &claims);
    let signature =
        key.sign(signing_input.as_bytes())
            .await
            .map_err(|e| Error::ClientAssertion {
                reason: crate::error::sanitize_description(&e.to_string()),
            })?;
    Ok(jws::compact(signing_input, &signature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::Value;

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn claims_signature_and_unique_jti() {
        let pem = crate::client_key::generated_p256_pem();
        let key = ClientKey::from_pem(&pem).unwrap().with_key_id("k1");
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let a = client_assertion(&key, "job", "https://as.example/", now)
            .await
            .unwrap();
        let b = client_assertion(&key, "job", "https://as.example/", now)
            .await
            .unwrap();
        let parts: Vec<&str> = a.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], "k1");
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "job");
        assert_eq!(claims["sub"], "job");
        assert_eq!(claims["aud"], Value::String("https://as.example/".into()));
        assert_eq!(claims["iat"], 1_800_000_000u64);
        assert_eq!(claims["exp"], 1_800_000_060u64);
        let other = decode(b.split('.').nth(1).unwrap());
        assert_ne!(claims["jti"], other["jti"], "a fresh jti per assertion");
        // The signature verifies with the key's public half.
        let public = key_public(&pem);
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public)
            .verify(
                signed.as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
            )
            .expect("a valid ES256 signature");
    }

    fn key_public(pem: &str) -> Vec<u8> {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        use rustls_pki_types::PrivatePkcs8KeyDer;
        use rustls_pki_types::pem::PemObject;
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).unwrap();
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.secret_pkcs8_der())
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec()
    }
}
