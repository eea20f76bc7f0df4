//! Property tests (proptest, stable toolchain) of the parsers that take network or callback
//! input (issue 13 §5): whatever the input, no panic, and what is accepted has the shape the
//! rest of the runtime relies on. The deterministic table-driven fuzzing lives in
//! `robustness/`; these add shrinking random inputs.

use std::time::SystemTime;

use proptest::prelude::*;

use crate::callback;
use crate::discovery::Metadata;
use crate::http::HttpResponse;
use crate::id_token::validated_payload;
use crate::token_response::{self, Requested};
use crate::token_source::BearerToken;

/// Text that looks like what arrives: URL-ish and JSON-ish characters, some non-ASCII.
fn wire_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,200}",
        "[a-z_=&?#%.:/0-9A-F\\[\\]{}\",-]{0,200}",
        any::<String>(),
    ]
}

fn response(status: u16, body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        status,
        content_type: Some("application/json".into()),
        retry_after: None,
        dpop_nonce: None,
        use_dpop_nonce_challenge: false,
        max_age: None,
        body,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any callback text: parsed or refused, never a panic; a code is handed out only with
    /// the `state` that was sent.
    #[test]
    fn callbacks_never_panic(text in wire_text()) {
        if let Ok(parsed) = callback::parse(&text) {
            let _ = callback::check_state(&parsed, "the-state");
            let _ = callback::into_code(parsed);
        }
    }

    /// A well-formed callback with any code and state values round-trips.
    #[test]
    fn well_formed_callbacks_round_trip(code in "[ -~]{1,64}", state in "[ -~]{1,64}") {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code", &code)
            .append_pair("state", &state)
            .finish();
        let parsed = callback::parse(&format!("https://app.example/cb?{query}")).unwrap();
        prop_assert!(callback::check_state(&parsed, &state).is_ok());
        let redeemed = callback::into_code(parsed).unwrap();
        prop_assert_eq!(redeemed.secret(), &code);
    }

    /// Any token-endpoint body and status: never a panic; an accepted response has a
    /// non-empty access token.
    #[test]
    fn token_responses_never_panic(status in prop_oneof![Just(200u16), Just(400), 100u16..600], body in wire_text()) {
        let scopes = vec!["read".to_owned()];
        let requested = Requested { audience: None, scopes: &scopes };
        if let Ok(received) = token_response::parse("token", &response(status, body.into_bytes()), &requested, token_response::TokenType::Bearer, crate::quirks::Quirks::NONE, SystemTime::now()) {
            prop_assert!(!received.tokens.access_token().secret().is_empty());
        }
    }

    /// Token responses built from random members: accepted exactly when the access token is a
    /// non-empty string and the type is bearer; an accepted token can go into a header only
    /// if it is a b64token, and `BearerToken` says so.
    #[test]
    fn token_response_members(token in "[ -~]{0,40}", bearer in any::<bool>(), expires in proptest::option::of(0u64..100_000)) {
        let mut body = serde_json::json!({"access_token": token, "token_type": if bearer { "Bearer" } else { "mac" }});
        if let Some(expires) = expires {
            body["expires_in"] = expires.into();
        }
        let scopes = Vec::new();
        let requested = Requested { audience: None, scopes: &scopes };
        let result = token_response::parse("token", &response(200, body.to_string().into_bytes()), &requested, token_response::TokenType::Bearer, crate::quirks::Quirks::NONE, SystemTime::now());
        prop_assert_eq!(result.is_ok(), bearer && !token.is_empty());
        let b64 = !token.trim_end_matches('=').is_empty()
            && token.trim_end_matches('=').bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
        match BearerToken::new(token.clone()) {
            Ok(header) => {
                prop_assert!(b64);
                prop_assert_eq!(header.authorization().to_str().unwrap(), format!("Bearer {token}"));
            }
            Err(_) => prop_assert!(!b64),
        }
    }

    /// Any metadata document: never a panic; a document is used only for the issuer it names.
    #[test]
    fn metadata_documents_never_panic(body in wire_text(), issuer in "https://[a-z]{1,8}\\.example(/[a-z]{0,4})?") {
        let _ = Metadata::from_document("https://as.example", body.as_bytes(), crate::quirks::Quirks::NONE);
        let doc = serde_json::json!({"issuer": issuer, "token_endpoint": format!("{issuer}/token")});
        let parsed = Metadata::from_document(
            "https://as.example",
            doc.to_string().as_bytes(),
            crate::quirks::Quirks::NONE,
        );
        prop_assert_eq!(parsed.is_ok(), issuer == "https://as.example");
    }

    /// Any device authorization answer: never a panic; what is accepted has a short printable
    /// user code and an http(s) verification URI.
    #[test]
    fn device_authorization_answers_never_panic(status in prop_oneof![Just(200u16), Just(400), 100u16..600], body in wire_text()) {
        if let Ok(authorization) = crate::device::read_authorization(&response(status, body.into_bytes()), SystemTime::now(), None) {
            prop_assert!(authorization.user_code().len() <= 128);
            prop_assert!(!authorization.user_code().chars().any(char::is_control));
            prop_assert!(authorization.verification_uri().starts_with("http"));
        }
    }

    /// Any JWKS document: never a panic, and no key of it verifies an ID token it did not sign.
    #[test]
    fn jwks_documents_never_panic(body in wire_text(), n in "[A-Za-z0-9_-]{0,120}", crv in prop_oneof![Just("P-256"), Just("Ed25519"), Just("X")]) {
        let validation = crate::id_token::IdTokenValidation::new("https://as.example", "fuzz");
        for document in [
            body,
            serde_json::json!({"keys": [{"kty": "RSA", "n": n, "e": "AQAB"}, {"kty": "EC", "crv": crv, "x": n, "y": n}, {"kty": "OKP", "crv": crv, "x": n}]}).to_string(),
        ] {
            if let Ok(keys) = crate::id_token::parse_key_set(document.as_bytes()) {
                prop_assert!(crate::id_token::verify_with_keys(crate::id_token::FORGED_RS256_ID_TOKEN, &validation, keys).is_err());
            }
        }
    }

    /// Any userinfo answer: never a panic; accepted only as a JSON object about `alice`.
    #[test]
    fn userinfo_answers_never_panic(status in prop_oneof![Just(200u16), Just(401), 100u16..600], body in wire_text(), sub in "[a-z]{0,6}") {
        let about = |sub: &str| serde_json::json!({"sub": sub, "email": "a@example.com"}).to_string();
        for body in [body, about(&sub)] {
            if let Ok(info) = crate::userinfo::read_userinfo(&response(status, body.into_bytes()), "alice") {
                prop_assert_eq!(info.subject(), "alice");
            }
        }
    }

    /// A multi-tenant issuer: whatever `tid` a token claims, the issuer it must have is the
    /// template with exactly that one segment, or none.
    #[test]
    fn tenant_issuers_take_one_segment(tid in wire_text()) {
        let template = crate::tenant_issuer::TenantIssuer::matching(
            "https://login.example/{tenantid}/v2.0",
            "https://login.example/common/v2.0",
        ).expect("the template matches");
        if let Some(issuer) = template.for_tenant(&tid) {
            prop_assert_eq!(issuer, format!("https://login.example/{tid}/v2.0"));
            prop_assert!(!tid.contains(['/', '?', '#', '%', '@']) && !tid.is_empty());
        }
    }

    /// Any compact-JWS-looking text: the ID-token payload reader never panics.
    #[test]
    fn id_token_payloads_never_panic(a in "[A-Za-z0-9_-]{0,60}", b in "[A-Za-z0-9_=-]{0,200}", c in "[A-Za-z0-9_-]{0,60}", junk in wire_text()) {
        let _ = validated_payload(&format!("{a}.{b}.{c}"));
        let _ = validated_payload(&junk);
    }
}
