//! Reading the payload of a JWT, for tests: no signature check, no claim validation.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The payload (claims) of a compact JWS such as the provider's JWT access tokens and ID
/// tokens, decoded but **not verified** — for asserting on `aud`, `sub`, `nonce` and the like
/// in tests; never use it to trust a token.
///
/// # Panics
///
/// If `jwt` does not have three dot-separated parts, or its payload is not base64url-encoded
/// JSON (an opaque access token, for example).
///
/// ```
/// use oauthflow_devserver::jwt;
///
/// // {"alg":"none"} . {"aud":"https://api.example.com/orders","sub":"alice"} . (no signature)
/// let token = "eyJhbGciOiJub25lIn0.\
///     eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbS9vcmRlcnMiLCJzdWIiOiJhbGljZSJ9.";
/// let claims = jwt::payload(token);
/// assert_eq!(claims["aud"], "https://api.example.com/orders");
/// assert_eq!(claims["sub"], "alice");
/// ```
#[track_caller]
pub fn payload(jwt: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {jwt}");
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[1])
        .unwrap_or_else(|e| panic!("the JWT payload is not base64url ({e}): {jwt}"));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the JWT payload is not JSON ({e}): {jwt}"))
}
