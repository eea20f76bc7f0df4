//! Shared by the ID token, form post and device tests: fixed test-only signing keys (generated
//! once with `openssl genrsa -traditional 2048` / `openssl genpkey -algorithm ed25519`; they
//! sign nothing but test tokens) and a hand-rolled JWS signer, so a test can sign any payload,
//! including malformed ones, with any header.

#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Error;
use base64::Engine as _;
use openidconnect::core::{
    CoreEdDsaPrivateSigningKey, CoreHmacKey, CoreJsonWebKey, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://op.example.test";
pub const CLIENT_ID: &str = "rp-client";
pub const NONCE: &str = "n-0S6_WzA2Mj-test-nonce";

fn rsa(pem: &str, kid: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into())))
        .unwrap_or_else(|e| panic!("test key {kid}: {e}"))
}

/// Test RSA key 1 (`kid` `k1`: the issuer's usual key).
pub fn rsa1() -> CoreRsaPrivateSigningKey {
    rsa(include_str!("rsa1.pem"), "k1")
}

/// Test RSA key 2 (`kid` `k2`).
pub fn rsa2() -> CoreRsaPrivateSigningKey {
    rsa(include_str!("rsa2.pem"), "k2")
}

/// Test RSA key 3 (`kid` `k3`).
pub fn rsa3() -> CoreRsaPrivateSigningKey {
    rsa(include_str!("rsa3.pem"), "k3")
}

pub fn ed25519() -> CoreEdDsaPrivateSigningKey {
    CoreEdDsaPrivateSigningKey::from_ed25519_pem(
        include_str!("ed25519.pem"),
        Some(JsonWebKeyId::new("ed".into())),
    )
    .expect("test ed25519 key")
}

pub fn hmac(secret: &str) -> CoreHmacKey {
    CoreHmacKey::new(secret.as_bytes().to_vec())
}

/// The public JWK of a signing key, with its `kid` replaced (`None`: no `kid` member).
pub fn jwk(
    key: &impl PrivateSigningKey<VerificationKey = CoreJsonWebKey>,
    kid: Option<&str>,
) -> Value {
    let mut jwk = serde_json::to_value(key.as_verification_key()).expect("jwk");
    let object = jwk.as_object_mut().expect("jwk object");
    object.remove("kid");
    if let Some(kid) = kid {
        object.insert("kid".into(), json!(kid));
    }
    jwk
}

pub fn jwks(keys: Vec<Value>) -> Value {
    json!({ "keys": keys })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs `payload` (serialized as given) under `header` with `key` and `alg`.
pub fn sign_raw(
    header: &Value,
    payload: &str,
    key: &impl PrivateSigningKey<VerificationKey = CoreJsonWebKey>,
    alg: CoreJwsSigningAlgorithm,
) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.as_bytes())
    );
    let signature = key.sign(&alg, input.as_bytes()).expect("sign");
    format!("{input}.{}", b64(&signature))
}

/// Signs `payload` with RS256 under `{"alg":"RS256","kid":kid}`.
pub fn sign_rs256(payload: &Value, key: &CoreRsaPrivateSigningKey, kid: Option<&str>) -> String {
    let mut header = json!({"alg": "RS256", "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    sign_raw(
        &header,
        &payload.to_string(),
        key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    )
}

/// The issuer's usual key set: test key 1 under `kid` `k1`.
pub fn k1_jwks() -> Value {
    jwks(vec![jwk(&rsa1(), Some("k1"))])
}

/// Signs `payload` as the issuer's usual key does: RS256 with test key 1 under `kid` `k1`.
pub fn sign_k1(payload: &Value) -> String {
    sign_rs256(payload, &rsa1(), Some("k1"))
}

/// `alg: none` with an empty signature.
pub fn unsigned(payload: &Value) -> String {
    format!(
        "{}.{}.",
        b64(json!({"alg": "none"}).to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    )
}

/// A fixed "now" for the tests (2026-01-01T00:00:00Z).
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

pub fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).expect("after epoch").as_secs()
}

/// Valid claims as of [`now`]: issued a minute ago, expiring in ten minutes.
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT_ID,
        "exp": secs(now()) + 600,
        "iat": secs(now()) - 60,
        "nonce": NONCE,
        "email": "alice@example.test"
    })
}

/// Asserts that `result` is [`Error::IdTokenInvalid`] — directly, or as the failed check of
/// [`Error::CommittedButUnverified`] after a successful token request — with a reason
/// containing `needle`, and returns the reason.
#[track_caller]
pub fn rejected<T: std::fmt::Debug>(result: Result<T, Error>, needle: &str) -> String {
    match result.as_ref().map_err(Error::check_failed) {
        Err(Error::IdTokenInvalid { reason }) => {
            assert!(
                reason.contains(needle),
                "expected a reason containing {needle:?}, got {reason:?}"
            );
            reason.clone()
        }
        other => panic!("expected IdTokenInvalid ({needle}), got {other:?}"),
    }
}

/// An HTTP client as oauthflow builds it: no redirects followed.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
