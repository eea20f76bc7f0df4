//! ID token validation against a fault-injecting JWKS endpoint, one test per OpenID Foundation
//! conformance-suite RP module (Basic RP, Form-Post Implicit RP) and FAPI 2.0 client module
//! that concerns the ID token (SECURITY-RULES R22, R23, R24).

use super::id_token_support;

use std::time::Duration;

use crate::Error;
use crate::id_token::{IdTokenValidation, JwksCache, verify};
use id_token_support::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use openidconnect::ClientSecret;
use openidconnect::core::CoreJwsSigningAlgorithm;
use serde_json::{Value, json};

struct Op {
    peer: FaultPeer,
    jwks: JwksCache,
}

impl Op {
    async fn serving(keys: Value) -> Op {
        let peer = FaultPeer::start().await.expect("peer");
        peer.on("/jwks", Reply::json(200, keys));
        let jwks = JwksCache::new(peer.url("/jwks"));
        Op { peer, jwks }
    }

    /// The usual issuer: one RSA key `k1`.
    async fn standard() -> Op {
        Op::serving(k1_jwks()).await
    }

    async fn verify(&self, token: &str) -> Result<crate::IdTokenClaims, Error> {
        self.verify_with(token, validation(), Some(NONCE)).await
    }

    async fn verify_with(
        &self,
        token: &str,
        validation: IdTokenValidation<'_>,
        nonce: Option<&str>,
    ) -> Result<crate::IdTokenClaims, Error> {
        verify(token, &validation, nonce, &self.jwks, &http()).await
    }

    /// Signs `claims` with the issuer's key `k1`; the token must be rejected for `needle`.
    async fn rejects(&self, claims: &Value, needle: &str) -> String {
        rejected(self.verify(&sign_k1(claims)).await, needle)
    }

    fn jwks_fetches(&self) -> usize {
        self.peer.requests_to("/jwks").len()
    }
}

fn validation() -> IdTokenValidation<'static> {
    IdTokenValidation::new(ISSUER, CLIENT_ID).now(now())
}

fn with(claim: &str, value: Value) -> Value {
    let mut claims = claims();
    claims[claim] = value;
    claims
}

fn without(claim: &str) -> Value {
    let mut claims = claims();
    claims.as_object_mut().unwrap().remove(claim);
    claims
}

#[tokio::test]
async fn oidcc_client_test() {
    let op = Op::standard().await;
    let verified = op.verify(&sign_k1(&claims())).await.expect("valid token");
    assert_eq!(verified.subject(), "248289761001");
    assert_eq!(verified.issuer(), ISSUER);
    assert_eq!(verified.audiences(), [CLIENT_ID.to_owned()]);
    assert_eq!(verified.nonce(), Some(NONCE));
    assert_eq!(secs(verified.expires_at()), secs(now()) + 600);
    assert_eq!(secs(verified.issued_at()), secs(now()) - 60);
    assert_eq!(verified.claim("email"), Some(&json!("alice@example.test")));
    assert_eq!(
        verified.claim("sub"),
        None,
        "registered claims have accessors"
    );
    assert_eq!(op.jwks_fetches(), 1);
    // The keys are cached: a second login makes no request.
    op.verify(&sign_k1(&claims()))
        .await
        .expect("second valid token");
    assert_eq!(op.jwks_fetches(), 1);
}

#[tokio::test]
async fn oidcc_client_test_idtoken_sig_rs256() {
    let op = Op::standard().await;
    op.verify(&sign_k1(&claims()))
        .await
        .expect("RS256 accepted");
}

#[tokio::test]
async fn eddsa_signed_token_is_accepted() {
    let op = Op::serving(jwks(vec![jwk(&ed25519(), Some("ed"))])).await;
    let token = sign_raw(
        &json!({"alg": "EdDSA", "kid": "ed"}),
        &claims().to_string(),
        &ed25519(),
        CoreJwsSigningAlgorithm::EdDsa,
    );
    op.verify(&token).await.expect("EdDSA accepted");
}

#[tokio::test]
async fn oidcc_client_test_invalid_iss() {
    let op = Op::standard().await;
    op.rejects(&with("iss", json!("https://evil.example.test")), "`iss`")
        .await;
    // One character off (a trailing slash) is another issuer.
    op.rejects(&with("iss", json!(format!("{ISSUER}/"))), "`iss`")
        .await;
}

#[tokio::test]
async fn oidcc_client_test_invalid_aud() {
    let op = Op::standard().await;
    op.rejects(&with("aud", json!("some-other-client")), "`aud`")
        .await;
}

#[tokio::test]
async fn oidcc_client_test_missing_aud() {
    let op = Op::standard().await;
    op.rejects(&without("aud"), "`aud` claim is missing").await;
}

#[tokio::test]
async fn oidcc_client_test_missing_sub() {
    let op = Op::standard().await;
    op.rejects(&without("sub"), "`sub` claim is missing").await;
    op.rejects(&with("sub", json!("")), "`sub` claim is empty")
        .await;
}

#[tokio::test]
async fn oidcc_client_test_missing_iat() {
    let op = Op::standard().await;
    op.rejects(&without("iat"), "`iat` claim is missing").await;
}

#[tokio::test]
async fn oidcc_client_test_idtoken_sig_none() {
    let op = Op::standard().await;
    rejected(op.verify(&unsigned(&claims())).await, "unsigned");
    assert_eq!(op.jwks_fetches(), 0, "rejected before any key is fetched");
}

#[tokio::test]
async fn fapi2_client_test_invalid_null_alg() {
    let op = Op::standard().await;
    // `alg: none`, but with a (meaningless) signature part.
    let token = format!("{}sig", unsigned(&claims()));
    rejected(op.verify(&token).await, "unsigned");
}

#[tokio::test]
async fn fapi2_client_test_invalid_alternate_alg() {
    let op = Op::standard().await;
    // Registered for PS256 only; the token is RS256.
    let token = sign_k1(&claims());
    rejected(
        op.verify_with(&token, validation().signing_algs(&["PS256"]), Some(NONCE))
            .await,
        "not allowed",
    );
}

#[tokio::test]
async fn oidcc_client_test_invalid_sig_rs256() {
    let op = Op::standard().await;
    // Signed by another key, but naming the issuer's key.
    let token = sign_rs256(&claims(), &rsa2(), Some("k1"));
    rejected(op.verify(&token).await, "signature does not verify");
    // A valid token whose payload was altered after signing.
    let valid = sign_k1(&claims());
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let forged = sign_k1(&with("sub", json!("mallory")));
    parts[1] = forged.split('.').nth(1).unwrap().to_owned();
    rejected(
        op.verify(&parts.join(".")).await,
        "signature does not verify",
    );
}

#[tokio::test]
async fn oidcc_client_test_invalid_sig_hs256() {
    let op = Op::standard().await;
    let header = json!({"alg": "HS256"});
    // A public client never accepts a MAC: its "secret" is public.
    let token = sign_raw(
        &header,
        &claims().to_string(),
        &hmac("guessable"),
        CoreJwsSigningAlgorithm::HmacSha256,
    );
    rejected(op.verify(&token).await, "public client");
    // A confidential client rejects a MAC made with another secret.
    let secret = ClientSecret::new("the-real-client-secret".into());
    rejected(
        op.verify_with(
            &token,
            validation().client_secret(Some(&secret)),
            Some(NONCE),
        )
        .await,
        "signature does not verify",
    );
}

#[tokio::test]
async fn hs256_is_accepted_with_the_client_secret() {
    let op = Op::standard().await;
    let secret = ClientSecret::new("the-real-client-secret".into());
    let token = sign_raw(
        &json!({"alg": "HS256"}),
        &claims().to_string(),
        &hmac("the-real-client-secret"),
        CoreJwsSigningAlgorithm::HmacSha256,
    );
    op.verify_with(
        &token,
        validation().client_secret(Some(&secret)),
        Some(NONCE),
    )
    .await
    .expect("HS256 with the client secret");
}

#[tokio::test]
async fn oidcc_client_test_nonce_invalid() {
    let op = Op::standard().await;
    let token = sign_k1(&with("nonce", json!("another-login")));
    let reason = rejected(op.verify(&token).await, "nonce mismatch");
    assert!(!reason.contains(NONCE) && !reason.contains("another-login"));
}

#[tokio::test]
async fn fapi2_client_test_invalid_missing_nonce() {
    let op = Op::standard().await;
    op.rejects(&without("nonce"), "missing nonce").await;
}

#[tokio::test]
async fn no_nonce_expected_when_none_was_sent() {
    let op = Op::standard().await;
    let token = sign_k1(&without("nonce"));
    op.verify_with(&token, validation(), None)
        .await
        .expect("no nonce sent, none required");
}

#[tokio::test]
async fn oidcc_client_test_kid_absent_single_jwks() {
    let op = Op::serving(jwks(vec![jwk(&rsa1(), None)])).await;
    let token = sign_rs256(&claims(), &rsa1(), None);
    op.verify(&token).await.expect("the only key is used");
}

#[tokio::test]
async fn oidcc_client_test_kid_absent_multiple_jwks() {
    // Two RSA keys, no `kid` anywhere: each key of the issuer is tried; only a real signature
    // by one of them is accepted.
    let op = Op::serving(jwks(vec![jwk(&rsa2(), None), jwk(&rsa1(), None)])).await;
    let token = sign_rs256(&claims(), &rsa1(), None);
    op.verify(&token).await.expect("the verifying key is found");
    let forged = sign_rs256(&claims(), &rsa1(), None);
    let op = Op::serving(jwks(vec![jwk(&rsa2(), None), jwk(&rsa3(), None)])).await;
    rejected(op.verify(&forged).await, "signature does not verify");
}

#[tokio::test]
async fn fapi2_client_test_invalid_expired_exp() {
    let op = Op::standard().await;
    op.rejects(&with("exp", json!(secs(now()) - 120)), "expired")
        .await;
    // Within the leeway (30 s by default) it still counts.
    let token = sign_k1(&with("exp", json!(secs(now()) - 10)));
    op.verify(&token).await.expect("within the leeway");
    rejected(
        op.verify_with(&token, validation().leeway(Duration::ZERO), Some(NONCE))
            .await,
        "expired",
    );
}

#[tokio::test]
async fn fapi2_client_test_invalid_missing_exp() {
    let op = Op::standard().await;
    op.rejects(&without("exp"), "`exp` claim is missing").await;
}

#[tokio::test]
async fn iat_in_the_future_is_rejected() {
    let op = Op::standard().await;
    op.rejects(
        &with("iat", json!(secs(now()) + 300)),
        "`iat` is in the future",
    )
    .await;
}

#[tokio::test]
async fn fapi2_client_test_invalid_secondary_aud() {
    let op = Op::standard().await;
    op.rejects(
        &with("aud", json!([CLIENT_ID, "https://untrusted.example.test"])),
        "`aud`",
    )
    .await;
}

#[tokio::test]
async fn fapi2_client_test_valid_aud_as_array() {
    let op = Op::standard().await;
    let token = sign_k1(&with("aud", json!([CLIENT_ID])));
    let claims = op.verify(&token).await.expect("aud as an array");
    assert_eq!(claims.audiences(), [CLIENT_ID.to_owned()]);
}

#[tokio::test]
async fn azp_must_be_this_client() {
    let op = Op::standard().await;
    op.rejects(&with("azp", json!("another-client")), "`azp`")
        .await;
    let token = sign_k1(&with("azp", json!(CLIENT_ID)));
    op.verify(&token).await.expect("azp = client_id");
}

#[tokio::test]
async fn claim_type_confusion_fails_closed() {
    let op = Op::standard().await;
    for (claim, value, needle) in [
        ("exp", json!("9999999999"), "`exp` claim is not a number"),
        ("aud", json!(5), "`aud` claim is neither"),
        ("iat", json!("0"), "`iat` claim is not a number"),
        ("nonce", json!([NONCE]), "`nonce` claim is not a string"),
        ("azp", json!(7), "`azp` claim is not a string"),
    ] {
        op.rejects(&with(claim, value), needle).await;
    }
    // A claim given twice is ambiguous.
    let payload = format!(
        r#"{{"iss":"{ISSUER}","sub":"a","aud":"{CLIENT_ID}","aud":"other","exp":{},"iat":{},"nonce":"{NONCE}"}}"#,
        secs(now()) + 600,
        secs(now())
    );
    let token = sign_raw(
        &json!({"alg": "RS256", "kid": "k1"}),
        &payload,
        &rsa1(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    );
    rejected(op.verify(&token).await, "twice");
}

#[tokio::test]
async fn oidcc_client_test_signing_key_rotation() {
    // The issuer publishes k1, then rotates to k2.
    let peer = FaultPeer::start().await.unwrap();
    peer.script(
        "/jwks",
        vec![
            Reply::json(200, k1_jwks()),
            Reply::json(200, jwks(vec![jwk(&rsa2(), Some("k2"))])),
        ],
    );
    let cache = JwksCache::new(peer.url("/jwks"));
    let v = validation();
    verify(&sign_k1(&claims()), &v, Some(NONCE), &cache, &http())
        .await
        .expect("first login with k1");
    assert_eq!(peer.requests_to("/jwks").len(), 1);
    verify(
        &sign_rs256(&claims(), &rsa2(), Some("k2")),
        &v,
        Some(NONCE),
        &cache,
        &http(),
    )
    .await
    .expect("second login with the rotated key k2");
    assert_eq!(peer.requests_to("/jwks").len(), 2, "exactly one refetch");
    // Another unknown key right after: the refetch is rate limited, no request is made.
    let forged = sign_rs256(&claims(), &rsa1(), Some("k3"));
    rejected(
        verify(&forged, &v, Some(NONCE), &cache, &http()).await,
        "no key",
    );
    assert_eq!(peer.requests_to("/jwks").len(), 2, "rate limited");
    // k2 keeps working from the cache.
    verify(
        &sign_rs256(&claims(), &rsa2(), Some("k2")),
        &v,
        Some(NONCE),
        &cache,
        &http(),
    )
    .await
    .expect("k2 from the cache");
    assert_eq!(peer.requests_to("/jwks").len(), 2);
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_fails() {
    let op = Op::standard().await;
    let token = sign_rs256(&claims(), &rsa2(), Some("k9"));
    rejected(op.verify(&token).await, "no key");
    assert_eq!(
        op.jwks_fetches(),
        2,
        "the first fetch and exactly one refetch"
    );
}

#[tokio::test(start_paused = true)]
async fn refetch_rate_limit_expires() {
    let op = Op::standard().await;
    let cache = JwksCache::new(op.peer.url("/jwks")).min_refetch_interval(Duration::from_secs(30));
    let token = sign_rs256(&claims(), &rsa2(), Some("k9"));
    let v = validation();
    let _ = verify(&token, &v, Some(NONCE), &cache, &http()).await;
    assert_eq!(op.jwks_fetches(), 2);
    let _ = verify(&token, &v, Some(NONCE), &cache, &http()).await;
    assert_eq!(op.jwks_fetches(), 2, "within 30 s: no refetch");
    tokio::time::advance(Duration::from_secs(31)).await;
    let _ = verify(&token, &v, Some(NONCE), &cache, &http()).await;
    assert_eq!(op.jwks_fetches(), 3, "after 30 s one more refetch");
}

#[tokio::test]
async fn prefilled_cache_makes_no_request() {
    let op = Op::standard().await;
    let keys = serde_json::from_value(k1_jwks()).unwrap();
    let cache = JwksCache::with_keys(op.peer.url("/jwks"), keys);
    verify(
        &sign_k1(&claims()),
        &validation(),
        Some(NONCE),
        &cache,
        &http(),
    )
    .await
    .expect("valid");
    assert_eq!(op.jwks_fetches(), 0);
}

#[tokio::test]
async fn jwks_redirect_is_refused_and_not_followed() {
    let elsewhere = FaultPeer::start().await.unwrap();
    elsewhere.on("/jwks", Reply::json(200, k1_jwks()));
    let op = Op::standard().await;
    op.peer
        .on("/jwks", Reply::redirect(302, &elsewhere.url("/jwks")));
    let token = sign_k1(&claims());
    match op.verify(&token).await {
        Err(Error::RedirectRefused {
            endpoint: "jwks",
            status: 302,
        }) => {}
        other => panic!("expected RedirectRefused, got {other:?}"),
    }
    assert!(elsewhere.requests().is_empty());
    // With a client that follows redirects on its own, the answer is still refused.
    let v = validation();
    match verify(&token, &v, Some(NONCE), &op.jwks, &reqwest::Client::new()).await {
        Err(Error::RedirectRefused {
            endpoint: "jwks", ..
        }) => {}
        other => panic!("expected RedirectRefused, got {other:?}"),
    }
}

#[tokio::test]
async fn jwks_faults_are_typed() {
    let op = Op::standard().await;
    let token = sign_k1(&claims());
    op.peer
        .on("/jwks", Reply::raw_json(200, "{\"keys\": [ oops"));
    match op.verify(&token).await {
        Err(Error::InvalidResponse {
            endpoint: "jwks", ..
        }) => {}
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    op.peer.on(
        "/jwks",
        Reply::html(503, "<h1>down</h1>").header("Retry-After", "7"),
    );
    match op.verify(&token).await {
        Err(Error::HttpStatus {
            endpoint: "jwks",
            status: 503,
            retry_after: Some(7),
        }) => {}
        other => panic!("expected HttpStatus, got {other:?}"),
    }
    op.peer
        .on("/jwks", Reply::raw_json(200, vec![b' '; 600 * 1024]));
    match op.verify(&token).await {
        Err(Error::InvalidResponse {
            endpoint: "jwks",
            reason,
        }) => {
            assert!(reason.contains("larger"), "{reason}")
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    op.peer.on("/jwks", Reply::close());
    match op.verify(&token).await {
        Err(Error::Transport {
            endpoint: "jwks", ..
        }) => {}
        other => panic!("expected Transport, got {other:?}"),
    }
    op.peer.on("/jwks", Reply::stall());
    let cache =
        JwksCache::new(op.peer.url("/jwks")).request_timeout(Some(Duration::from_millis(300)));
    match verify(&token, &validation(), Some(NONCE), &cache, &http()).await {
        Err(Error::Timeout { endpoint: "jwks" }) => {}
        other => panic!("expected Timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn errors_never_show_the_token_or_nonce() {
    let op = Op::standard().await;
    let cases = [
        sign_k1(&with("nonce", json!("other"))),
        sign_k1(&with("iss", json!("https://evil.example.test"))),
        sign_rs256(&claims(), &rsa2(), Some("k1")),
        unsigned(&claims()),
        "garbage".to_owned(),
    ];
    for token in cases {
        let error = op.verify(&token).await.expect_err("rejected");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(&token), "{shown}");
            assert!(!shown.contains(NONCE), "{shown}");
            for part in token.split('.').filter(|p| p.len() > 8) {
                assert!(!shown.contains(part), "{shown}");
            }
        }
    }
}

#[tokio::test]
async fn embedded_jwk_jku_and_x5u_headers_are_ignored() {
    // The attacker signs with their own key and points at it from the header; only the
    // issuer's JWKS counts, and the attacker's URL is never fetched.
    let attacker = FaultPeer::start().await.unwrap();
    attacker.on(
        "/keys",
        Reply::json(200, jwks(vec![jwk(&rsa2(), Some("k1"))])),
    );
    let op = Op::standard().await;
    let header = json!({
        "alg": "RS256",
        "kid": "k1",
        "jwk": jwk(&rsa2(), Some("k1")),
        "jku": attacker.url("/keys"),
        "x5u": attacker.url("/keys"),
    });
    let token = sign_raw(
        &header,
        &claims().to_string(),
        &rsa2(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    );
    rejected(op.verify(&token).await, "signature does not verify");
    assert!(attacker.requests().is_empty());
}

/// The JWKS is kept as long as its `Cache-Control: max-age` says, then fetched again, and a key
/// the issuer no longer publishes stops being trusted: the peer serves {k1, k2}, then {k2};
/// within the max-age a k1 token still passes from the cache, after it a k1 token is refused.
#[tokio::test(start_paused = true)]
async fn a_retired_key_is_dropped_after_the_max_age() {
    let both = jwks(vec![jwk(&rsa1(), Some("k1")), jwk(&rsa2(), Some("k2"))]);
    let op = Op::serving(both).await;
    let cached =
        |keys: Value| Reply::json(200, keys).header("Cache-Control", "public, max-age=120");
    op.peer.on(
        "/jwks",
        cached(jwks(vec![
            jwk(&rsa1(), Some("k1")),
            jwk(&rsa2(), Some("k2")),
        ])),
    );
    let k1_token = sign_k1(&claims());
    op.verify(&k1_token).await.expect("k1 is published");
    // The issuer retires k1.
    op.peer
        .on("/jwks", cached(jwks(vec![jwk(&rsa2(), Some("k2"))])));
    tokio::time::advance(Duration::from_secs(60)).await;
    op.verify(&sign_k1(&claims()))
        .await
        .expect("within the max-age the cached set is used");
    assert_eq!(op.jwks_fetches(), 1);
    tokio::time::advance(Duration::from_secs(61)).await;
    rejected(op.verify(&sign_k1(&claims())).await, "no key");
    op.verify(&sign_rs256(&claims(), &rsa2(), Some("k2")))
        .await
        .expect("k2 is still published");
}
