//! What the coverage-guided fuzz targets in `fuzz/` drive (feature `fuzzing`, off by default):
//! every parser that takes network or callback input, fed raw bytes, with the follow-up checks
//! a real caller would run on what it accepts. Not part of the public API.

use std::time::SystemTime;

use crate::kind::Flow;
use crate::pending::PendingAuthorization;
use crate::quirks::{Quirk, Quirks};
use crate::token_response::Requested;

/// The first byte chooses the provider quirks accepted (strict or lenient paths); the rest is
/// the input.
fn split_quirks(data: &[u8]) -> (Quirks, &[u8]) {
    match data.split_first() {
        Some((first, rest)) => {
            let quirks = Quirk::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| first & (1 << i) != 0)
                .fold(Quirks::NONE, |quirks, (_, quirk)| quirks.with(*quirk));
            (quirks, rest)
        }
        None => (Quirks::NONE, data),
    }
}

/// A callback URL or query string: parse, check `state`, take the code.
pub fn callback(data: &[u8]) {
    let (quirks, data) = split_quirks(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = crate::callback::parse(text) {
        let _ = crate::callback::check_state(&parsed, "fuzz-state");
        let _ = crate::callback::check_issuer(&parsed, Some("https://as.example"), true, quirks);
        let _ = crate::callback::into_code(parsed);
    }
}

/// A form-post body (implicit with form post): the strict parser behind the `state` and `iss`
/// checks.
pub fn form_post(data: &[u8]) {
    let (quirks, data) = split_quirks(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pending = PendingAuthorization {
        flow: Flow::ImplicitFormPost,
        issuer: "https://as.example".into(),
        client_id: "fuzz".into(),
        redirect_uri: "https://app.example/cb".into(),
        audience: None,
        state: "fuzz-state".into(),
        nonce: Some("fuzz-nonce".into()),
        pkce_verifier: None,
        max_age: None,
    };
    let _ = crate::form_post::check_state(text, &pending);
    let _ = crate::form_post::require_iss(text, quirks);
}

/// A token-endpoint response body, with a status taken from the first two bytes.
pub fn token_response(data: &[u8]) {
    let (quirks, data) = split_quirks(data);
    let (status, body) = match data {
        [a, b, rest @ ..] => (100 + (u16::from_le_bytes([*a, *b]) % 500), rest),
        _ => (200, data),
    };
    let response = crate::http::HttpResponse {
        status,
        content_type: Some("application/json".into()),
        retry_after: None,
        dpop_nonce: None,
        use_dpop_nonce_challenge: false,
        max_age: None,
        body: body.to_vec(),
    };
    let scopes = vec!["read".to_owned()];
    let requested = Requested {
        audience: Some("https://api.example/orders"),
        scopes: &scopes,
    };
    if let Ok(received) = crate::token_response::parse(
        "token",
        &response,
        &requested,
        crate::token_response::TokenType::Bearer,
        quirks,
        SystemTime::now(),
    ) {
        let _ =
            crate::token_source::BearerToken::new(received.tokens.access_token().secret().clone());
    }
}

/// A discovery document for the issuer `https://as.example/common/v2.0` (so that the
/// multi-tenant template path runs when the quirk byte accepts it).
pub fn metadata(data: &[u8]) {
    let (quirks, data) = split_quirks(data);
    let _ =
        crate::discovery::Metadata::from_document("https://as.example/common/v2.0", data, quirks);
}

/// An HTTP answer: the status from the first two bytes, whether it says JSON or JWT from the
/// third, the rest the body.
fn answer(data: &[u8]) -> crate::http::HttpResponse {
    let (status, content_type, body) = match data {
        [a, b, c, rest @ ..] => (
            100 + (u16::from_le_bytes([*a, *b]) % 500),
            if c & 1 == 0 {
                "application/json"
            } else {
                "application/jwt"
            },
            rest,
        ),
        _ => (200, "application/json", data),
    };
    crate::http::HttpResponse {
        status,
        content_type: Some(content_type.into()),
        retry_after: None,
        dpop_nonce: None,
        use_dpop_nonce_challenge: false,
        max_age: None,
        body: body.to_vec(),
    }
}

/// A device authorization response (RFC 8628 §3.2).
pub fn device_authorization(data: &[u8]) {
    let response = answer(data);
    if let Ok(authorization) =
        crate::device::read_authorization(&response, SystemTime::now(), Some("https://api.example"))
    {
        let _ = (authorization.user_code(), authorization.verification_uri());
    }
}

/// A JWKS document, then an RS256 ID token checked against whatever keys it holds (the keys
/// reach the signature code).
pub fn jwks(data: &[u8]) {
    let Ok(keys) = crate::id_token::parse_key_set(data) else {
        return;
    };
    let validation = crate::id_token::IdTokenValidation::new("https://as.example", "fuzz");
    let _ = crate::id_token::verify_with_keys(
        crate::id_token::FORGED_RS256_ID_TOKEN,
        &validation,
        keys,
    );
}

/// A userinfo answer for the user `alice`.
pub fn userinfo(data: &[u8]) {
    let _ = crate::userinfo::read_userinfo(&answer(data), "alice");
}

/// A compact JWS as an ID token: the pre-check before any signature check.
pub fn id_token(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::id_token::validated_payload(text);
    }
}
