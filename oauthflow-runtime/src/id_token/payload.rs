//! The raw payload: the compact JWS's shape and every claim's JSON type checked before any
//! library parsing ([`precheck`]), and the payload of an already validated token.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::limits::MAX_ID_TOKEN_BYTES;

use super::{IdTokenValidation, invalid};

/// Checks the compact JWS and the raw claim types before any library parsing, so that a claim
/// of the wrong JSON type is an error and never "absent" (R23), and returns the payload.
pub(super) fn precheck(
    raw: &str,
    validation: &IdTokenValidation<'_>,
    nonce_expected: bool,
    now: SystemTime,
) -> Result<Map<String, Value>, Error> {
    if raw.is_empty() || raw.len() > MAX_ID_TOKEN_BYTES {
        return Err(invalid("empty or larger than 64 KiB"));
    }
    let mut parts = raw.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "not a compact JWS (three base64url parts); encrypted ID tokens are not supported",
        ));
    };
    let header = decode_object(header).map_err(|why| invalid(&format!("JOSE header: {why}")))?;
    let payload = decode_object(payload).map_err(|why| invalid(&format!("payload: {why}")))?;

    match header.get("alg") {
        Some(Value::String(alg)) if alg.eq_ignore_ascii_case("none") => {
            return Err(invalid(
                "the token is unsigned (`alg: none`), which is never accepted",
            ));
        }
        Some(Value::String(alg)) if alg.starts_with("HS") && validation.client_secret.is_none() => {
            return Err(invalid(
                "HS* (shared-secret) signatures are never accepted by a public client: anyone can compute them",
            ));
        }
        Some(Value::String(_)) => {}
        _ => return Err(invalid("the JOSE header has no string `alg`")),
    }
    if !matches!(header.get("kid"), None | Some(Value::String(_))) {
        return Err(invalid("the JOSE header's `kid` is not a string"));
    }

    let string = |name: &str, required: bool| -> Result<Option<&str>, Error> {
        match payload.get(name) {
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            None if !required => Ok(None),
            None => Err(invalid(&format!("the `{name}` claim is missing"))),
            Some(_) => Err(invalid(&format!("the `{name}` claim is not a string"))),
        }
    };
    let number = |name: &str, required: bool| -> Result<Option<f64>, Error> {
        match payload.get(name) {
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Some)
                .ok_or_else(|| invalid(&format!("the `{name}` claim is out of range"))),
            None if !required => Ok(None),
            None => Err(invalid(&format!("the `{name}` claim is missing"))),
            Some(_) => Err(invalid(&format!(
                "the `{name}` claim is not a number (NumericDate)"
            ))),
        }
    };

    let iss = string("iss", true)?.unwrap_or_default();
    let expected = validation.expected_issuer(&payload)?;
    if iss != expected {
        return Err(invalid(&format!(
            "`iss` is not the issuer `{expected}` (it must be equal character for character)"
        )));
    }
    if string("sub", true)?.is_none_or(str::is_empty) {
        return Err(invalid("the `sub` claim is empty"));
    }
    match payload.get("aud") {
        Some(Value::String(_)) => {}
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_string) => {}
        None => return Err(invalid("the `aud` claim is missing")),
        Some(_) => {
            return Err(invalid(
                "the `aud` claim is neither a string nor a non-empty array of strings",
            ));
        }
    }
    number("exp", true)?;
    number("iat", true)?;
    number("auth_time", false)?;
    if let Some(nbf) = number("nbf", false)? {
        let now_secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        if nbf > now_secs + validation.leeway.as_secs_f64() {
            return Err(invalid("the token is not valid yet (`nbf`)"));
        }
    }
    let nonce = string("nonce", false)?;
    if nonce_expected && nonce.is_none() {
        return Err(invalid(
            "missing nonce claim: the token does not answer this login's authorization request (possible replay)",
        ));
    }
    string("azp", false)?;
    string("acr", false)?;
    string("at_hash", false)?;
    string("c_hash", false)?;
    if !matches!(payload.get("amr"), None | Some(Value::Array(_))) {
        return Err(invalid("the `amr` claim is not an array"));
    }
    Ok(payload)
}

/// The payload of an ID token that was validated before (e.g. the original one of a token set
/// being refreshed), decoded without checking anything again.
pub(crate) fn validated_payload(raw: &str) -> Result<Map<String, Value>, Error> {
    let mut parts = raw.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(payload), Some(_), None) => decode_object(payload)
            .map_err(|why| invalid(&format!("the original ID token's payload: {why}"))),
        _ => Err(invalid(
            "the original ID token is not a compact JWS (three base64url parts)",
        )),
    }
}

fn decode_object(part: &str) -> Result<Map<String, Value>, &'static str> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| "not base64url without padding")?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let map = de
        .deserialize_map(StrictObject)
        .map_err(|_| "not a JSON object, or a member name appears twice")?;
    de.end()
        .map_err(|_| "trailing data after the JSON object")?;
    Ok(map)
}

/// A JSON object whose top-level member names are unique (a duplicated claim is ambiguous: one
/// parser may read the first, another the last).
struct StrictObject;

impl<'de> Visitor<'de> for StrictObject {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object without duplicate member names")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom("duplicate member"));
            }
            map.insert(key, value);
        }
        Ok(map)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::time::Duration;

    use super::*;

    pub(in crate::id_token) fn b64(value: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn token(header: Value, payload: Value) -> String {
        format!("{}.{}.c2ln", b64(&header), b64(&payload))
    }

    fn good_payload() -> Value {
        serde_json::json!({
            "iss": "https://issuer.example", "sub": "alice", "aud": "client",
            "exp": 2_000_000_000u64, "iat": 1_000_000_000u64, "nonce": "n"
        })
    }

    fn check(raw: &str) -> Result<Map<String, Value>, Error> {
        let v = IdTokenValidation::new("https://issuer.example", "client");
        precheck(
            raw,
            &v,
            true,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000),
        )
    }

    fn reason(result: Result<Map<String, Value>, Error>) -> String {
        match result {
            Err(Error::IdTokenInvalid { reason }) => reason,
            other => panic!("expected IdTokenInvalid, got {other:?}"),
        }
    }

    #[test]
    fn precheck_accepts_a_well_typed_token() {
        let raw = token(serde_json::json!({"alg": "RS256"}), good_payload());
        assert!(check(&raw).is_ok());
    }

    #[test]
    fn precheck_rejects_type_confusion() {
        for (claim, value, expect) in [
            (
                "exp",
                serde_json::json!("9999999999"),
                "`exp` claim is not a number",
            ),
            (
                "iat",
                serde_json::json!(true),
                "`iat` claim is not a number",
            ),
            ("aud", serde_json::json!(5), "`aud` claim is neither"),
            ("aud", serde_json::json!([]), "`aud` claim is neither"),
            (
                "aud",
                serde_json::json!(["client", 5]),
                "`aud` claim is neither",
            ),
            ("sub", serde_json::json!(42), "`sub` claim is not a string"),
            (
                "nonce",
                serde_json::json!(1),
                "`nonce` claim is not a string",
            ),
            (
                "iss",
                serde_json::json!(["https://issuer.example"]),
                "`iss` claim is not a string",
            ),
            ("nbf", serde_json::json!("0"), "`nbf` claim is not a number"),
            ("exp", serde_json::json!(-1), "`exp` claim is out of range"),
        ] {
            let mut payload = good_payload();
            payload[claim] = value;
            let raw = token(serde_json::json!({"alg": "RS256"}), payload);
            let why = reason(check(&raw));
            assert!(why.contains(expect), "{claim}: {why}");
        }
    }

    #[test]
    fn precheck_rejects_missing_claims() {
        for claim in ["iss", "sub", "aud", "exp", "iat", "nonce"] {
            let mut payload = good_payload();
            payload.as_object_mut().unwrap().remove(claim);
            let raw = token(serde_json::json!({"alg": "RS256"}), payload);
            let why = reason(check(&raw));
            assert!(why.contains(claim), "{claim}: {why}");
        }
    }

    #[test]
    fn precheck_rejects_duplicate_claims_and_junk() {
        let header = b64(&serde_json::json!({"alg": "RS256"}));
        let dup = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            r#"{"iss":"https://issuer.example","sub":"a","aud":"client","aud":"other","exp":2000000000,"iat":1,"nonce":"n"}"#,
        );
        assert!(reason(check(&format!("{header}.{dup}.c2ln"))).contains("twice"));
        assert!(reason(check("a.b")).contains("compact JWS"));
        assert!(reason(check("a.b.c.d.e")).contains("compact JWS"));
        assert!(reason(check(&format!("{header}.!!!.c2ln"))).contains("base64url"));
        let array = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("[1,2]");
        assert!(reason(check(&format!("{header}.{array}.c2ln"))).contains("JSON object"));
        assert!(reason(check(&"a".repeat(MAX_ID_TOKEN_BYTES + 1))).contains("64 KiB"));
    }

    #[test]
    fn precheck_rejects_alg_none_and_public_hs256() {
        for alg in ["none", "NONE", "None"] {
            let raw = token(serde_json::json!({"alg": alg}), good_payload());
            assert!(reason(check(&raw)).contains("unsigned"));
        }
        let raw = token(serde_json::json!({"alg": "HS256"}), good_payload());
        assert!(reason(check(&raw)).contains("public client"));
        let raw = token(serde_json::json!({"alg": 1}), good_payload());
        assert!(reason(check(&raw)).contains("`alg`"));
    }

    #[test]
    fn precheck_checks_issuer_exactly_and_nbf() {
        let mut payload = good_payload();
        payload["iss"] = serde_json::json!("https://issuer.example/");
        let raw = token(serde_json::json!({"alg": "RS256"}), payload);
        assert!(reason(check(&raw)).contains("`iss`"));
        let mut payload = good_payload();
        payload["nbf"] = serde_json::json!(1_600_000_000u64);
        let raw = token(serde_json::json!({"alg": "RS256"}), payload);
        assert!(reason(check(&raw)).contains("`nbf`"));
    }
}
