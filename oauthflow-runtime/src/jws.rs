//! The JWS compact serialization (RFC 7515 §7.1) of the JWTs this crate signs itself: the
//! `private_key_jwt` client assertion and the DPoP proof. `base64url(header).base64url(claims)`
//! is the signing input; the signature, in JWS form, is appended after one more dot.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// `base64url(header) . base64url(claims)`: what is signed.
pub(crate) fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// The compact JWS: the signing input, a dot, the base64url signature.
pub(crate) fn compact(signing_input: String, signature: &[u8]) -> String {
    let mut jws = signing_input;
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut jws);
    jws
}

/// 128 random bits, base64url: a `jti` that no other JWT of this process or any other shares.
pub(crate) fn unique_id() -> String {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random generator");
    URL_SAFE_NO_PAD.encode(bytes)
}
