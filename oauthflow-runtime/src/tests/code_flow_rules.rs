//! Authorization code flow against the fault peer: the authorization URL (R7, R8, R10, R11),
//! the callback checks that run before any network call (R14–R18), one redemption (R19), and
//! refresh (R25). Test names follow the rules and the OpenID conformance modules they mirror.

use super::common;

use std::time::Duration;

use crate::{Error, PendingAuthorization};
use base64::Engine as _;
use common::Client;
use common::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::json;
use sha2::{Digest, Sha256};

async fn web(peer: &FaultPeer) -> Client {
    confidential(&WEB, peer, "web-secret")
}

/// A fault peer whose token endpoint answers [`tokens_reply`], a `web` client of it, and a
/// pending authorization for `ORDERS`.
async fn web_pending() -> (FaultPeer, Client, PendingAuthorization) {
    let peer = peer().await;
    peer.on("/token", tokens_reply());
    let client = web(&peer).await;
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    (peer, client, pending)
}

fn tokens_reply() -> Reply {
    Reply::json(
        200,
        json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-1", "scope": "read:orders offline_access"}),
    )
}

#[tokio::test]
async fn r8_r10_authorization_url_and_token_request() {
    let peer = peer().await;
    peer.on("/token", tokens_reply());
    let client = web(&peer).await;
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert!(url.as_str().starts_with(&peer.url("/auth?")));
    assert_eq!(query_param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        query_param(&url, "client_id").as_deref(),
        Some("the-client")
    );
    assert_eq!(
        query_param(&url, "redirect_uri").as_deref(),
        Some("http://127.0.0.1:8080/callback")
    );
    assert_eq!(
        query_param(&url, "scope").as_deref(),
        Some("read:orders offline_access")
    );
    assert_eq!(
        query_param(&url, "prompt"),
        None,
        "no prompt unless the app asks (`offline_access` does not force `consent`)"
    );
    assert_eq!(query_param(&url, "resource").as_deref(), Some(ORDERS));
    assert_eq!(
        query_param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_param(&url, "nonce"),
        None,
        "no nonce without `openid`"
    );
    assert_eq!(query_param(&url, "state").as_deref(), Some(pending.state()));
    assert_eq!(pending.issuer(), peer.base());
    assert_eq!(pending.audience(), Some(ORDERS));

    let cb = callback(pending.state(), "the-code", &peer.base());
    let tokens = client.exchange_code(pending, &cb).await.unwrap();
    assert_eq!(tokens.access_token().secret(), "at-1");
    assert_eq!(tokens.refresh_token().unwrap().secret(), "rt-1");
    assert_eq!(tokens.audience(), Some(ORDERS));
    assert_eq!(tokens.scopes(), ["read:orders", "offline_access"]);
    assert!(tokens.expires_at().is_some());

    let requests = peer.requests_to("/token");
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.param("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(r.param("code").as_deref(), Some("the-code"));
    // R10: verbatim.
    assert_eq!(
        r.param("redirect_uri").as_deref(),
        Some("http://127.0.0.1:8080/callback")
    );
    assert_eq!(r.param("resource").as_deref(), Some(ORDERS));
    // R8: the challenge is BASE64URL(SHA256(verifier)), the verifier 43 unreserved characters.
    let verifier = r.param("code_verifier").unwrap();
    assert_eq!(verifier.len(), 43);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(query_param(&url, "code_challenge").unwrap(), challenge);
    assert!(r.header("authorization").unwrap().starts_with("Basic "));
}

/// R10: a redirect URI with a trailing slash or a query is sent exactly as configured.
#[tokio::test]
async fn r10_redirect_uri_sent_verbatim() {
    let peer = peer().await;
    peer.on("/token", tokens_reply());
    let configured = "http://127.0.0.1:8080/callback/?tenant=a%20b";
    let client = Client::new(&WEB, peer_settings(&peer, "s").redirect_uri(configured)).unwrap();
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(
        query_param(&url, "redirect_uri").as_deref(),
        Some(configured)
    );
    let cb = format!(
        "{configured}&code=c&state={}&iss={}",
        pending.state(),
        peer.base()
    );
    client.exchange_code(pending, &cb).await.unwrap();
    assert_eq!(
        peer.requests_to("/token")[0]
            .param("redirect_uri")
            .as_deref(),
        Some(configured)
    );
}

/// R7: fresh, distinct, ≥ 128-bit states (and verifiers).
#[tokio::test]
async fn r7_state_fresh_per_request() {
    let peer = peer().await;
    let client = web(&peer).await;
    let mut states = std::collections::HashSet::new();
    let mut challenges = std::collections::HashSet::new();
    for _ in 0..1000 {
        let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(pending.state())
            .unwrap();
        assert!(decoded.len() >= 16);
        assert!(states.insert(pending.state().to_owned()));
        assert!(challenges.insert(query_param(&url, "code_challenge").unwrap()));
    }
    assert_eq!(
        peer.requests_to("/.well-known/openid-configuration").len(),
        1
    );
}

/// FAPI2 `…-ensure-authorization-response-with-invalid-state-fails`, `…-invalid-missing-state-fails`.
#[tokio::test]
async fn r15_wrong_state_makes_no_token_request() {
    let (peer, client, pending) = web_pending().await;
    let wrong = format!("{}x", pending.state());
    let short = &pending.state()[..10];
    for cb in [
        callback(&wrong, "c", &peer.base()),
        callback(short, "c", &peer.base()),
        format!("code=c&iss={}", peer.base()),
        format!("code=c&state=&iss={}", peer.base()),
        "error=access_denied".to_owned(),
    ] {
        let err = client
            .exchange_code(pending.clone(), &cb)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::StateMismatch), "{cb}: {err:?}");
    }
    assert_eq!(peer.requests_to("/token").len(), 0);
}

/// R15: the state check comes before any network call — even before discovery.
#[tokio::test]
async fn r15_state_checked_before_discovery() {
    let peer = peer().await;
    let first = web(&peer).await;
    let (_, pending) = first.authorize_url(Some(ORDERS)).await.unwrap();
    // A fresh client (e.g. after a restart) has no metadata yet.
    let restarted = web(&peer).await;
    let before = peer.requests().len();
    let err = restarted
        .exchange_code(pending, &callback("forged", "c", &peer.base()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::StateMismatch));
    assert_eq!(peer.requests().len(), before, "no request at all");
}

/// R14: duplicates and code+error are rejected without a token request.
#[tokio::test]
async fn r14_strict_callback_parsing_makes_no_token_request() {
    let (peer, client, pending) = web_pending().await;
    let s = pending.state().to_owned();
    let iss = peer.base();
    for cb in [
        format!("code=a&code=b&state={s}&iss={iss}"),
        format!("code=a&state={s}&state={s}&iss={iss}"),
        format!("code=a&error=x&state={s}&iss={iss}"),
        format!("state={s}&iss={iss}"),
    ] {
        let err = client
            .exchange_code(pending.clone(), &cb)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidCallback { .. }),
            "{cb}: {err:?}"
        );
    }
    assert_eq!(peer.requests_to("/token").len(), 0);
    // Unknown parameters are ignored.
    let cb = format!("?code=a&state={s}&iss={iss}&session_state=xyz&foo=1&foo=2");
    client.exchange_code(pending, &cb).await.unwrap();
}

/// FAPI2 `…-invalid-authorization-response-iss`.
#[tokio::test]
async fn r16_invalid_authorization_response_iss() {
    let (peer, client, pending) = web_pending().await;
    for iss in [
        format!("{}/", peer.base()),
        "https://evil.example".to_owned(),
    ] {
        let err = client
            .exchange_code(pending.clone(), &callback(pending.state(), "c", &iss))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::IssuerMismatch { .. }),
            "{iss}: {err:?}"
        );
    }
    // Also on error responses.
    let cb = format!(
        "error=access_denied&state={}&iss=https%3A%2F%2Fevil.example",
        pending.state()
    );
    assert!(matches!(
        client.exchange_code(pending, &cb).await,
        Err(Error::IssuerMismatch { .. })
    ));
    assert_eq!(peer.requests_to("/token").len(), 0);
}

/// FAPI2 `…-remove-authorization-response-iss`: the metadata announces `iss`, the callback lacks it.
#[tokio::test]
async fn r16_remove_authorization_response_iss() {
    let (peer, client, pending) = web_pending().await;
    let cb = format!("code=c&state={}", pending.state());
    assert!(matches!(
        client.exchange_code(pending, &cb).await,
        Err(Error::MissingIssuer { .. })
    ));
    assert_eq!(peer.requests_to("/token").len(), 0);

    // A server that does not announce it may omit it.
    let quiet =
        peer_with(|m| m["authorization_response_iss_parameter_supported"] = json!(false)).await;
    quiet.on("/token", tokens_reply());
    let client = web(&quiet).await;
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let cb = format!("code=c&state={}", pending.state());
    client.exchange_code(pending, &cb).await.unwrap();
}

/// R17: two authorization servers; a code is redeemed only at the issuer its pending
/// authorization was sent to.
#[tokio::test]
async fn r17_mix_up_two_issuers() {
    let a = peer().await;
    let b = peer().await;
    a.on("/token", tokens_reply());
    b.on("/token", tokens_reply());
    let client_a = web(&a).await;
    let client_b = web(&b).await;
    let (_, pending_a) = client_a.authorize_url(Some(ORDERS)).await.unwrap();
    // B's callback (iss = B) delivered for A's authorization.
    let err = client_a
        .exchange_code(
            pending_a.clone(),
            &callback(pending_a.state(), "code-from-b", &b.base()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err:?}");
    // A's pending handed to B's client.
    let err = client_b
        .exchange_code(
            pending_a.clone(),
            &callback(pending_a.state(), "code", &b.base()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PendingMismatch { .. }), "{err:?}");
    assert_eq!(a.requests_to("/token").len(), 0);
    assert_eq!(b.requests_to("/token").len(), 0);
}

/// R18: a typed, sanitized error; never the raw HTML.
#[tokio::test]
async fn r18_error_callback_is_typed_and_sanitized() {
    let peer = peer().await;
    let client = web(&peer).await;
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let cb = format!(
        "error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_uri=https%3A%2F%2Fevil.example&state={}&iss={}",
        pending.state(),
        peer.base()
    );
    let err = client.exchange_code(pending, &cb).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("access_denied"));
    let shown = err.to_string();
    assert!(
        !shown.contains("<script>") && !shown.contains("evil.example"),
        "{shown}"
    );
    assert_eq!(peer.requests_to("/token").len(), 0);
}

/// R19: the exchange stalls past the timeout → a typed timeout, exactly one request.
#[tokio::test]
async fn r19_exchange_timeout_one_request() {
    let peer = peer().await;
    peer.on("/token", Reply::stall());
    let client = Client::new(
        &WEB,
        peer_settings(&peer, "s").request_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let cb = callback(pending.state(), "c", &peer.base());
    let started = std::time::Instant::now();
    let err = client.exchange_code(pending, &cb).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(err, Error::Timeout { endpoint: "token" }),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(peer.requests_to("/token").len(), 1);
}

/// R25: the refresh token is replaced when a new one comes back and kept otherwise; the
/// audience is sent again; concurrent refreshes share one request.
#[tokio::test]
async fn r25_refresh_replaces_or_keeps_and_is_single_flight() {
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            tokens_reply(),
            Reply::json(200, json!({"access_token": "at-2", "token_type": "bearer", "expires_in": 3600, "refresh_token": "rt-2"}))
                .delay(Duration::from_millis(100)),
            Reply::json(200, json!({"access_token": "at-3", "token_type": "bearer", "expires_in": 3600})),
        ],
    );
    let client = web(&peer).await;
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let cb = callback(pending.state(), "c", &peer.base());
    let first = client.exchange_code(pending, &cb).await.unwrap();

    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (client, first) = (client.clone(), first.clone());
        tasks.push(tokio::spawn(async move {
            client.refresh(&first).await.unwrap()
        }));
    }
    let mut second = None;
    for t in tasks {
        let tokens = t.await.unwrap();
        assert_eq!(tokens.access_token().secret(), "at-2");
        assert_eq!(tokens.refresh_token().unwrap().secret(), "rt-2");
        second = Some(tokens);
    }
    let second = second.unwrap();
    let requests = peer.requests_to("/token");
    assert_eq!(requests.len(), 2, "50 concurrent refreshes, one request");
    assert_eq!(
        requests[1].param("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(requests[1].param("refresh_token").as_deref(), Some("rt-1"));
    assert_eq!(requests[1].param("resource").as_deref(), Some(ORDERS));
    assert_eq!(second.audience(), Some(ORDERS));
    assert_eq!(
        second.scopes(),
        ["read:orders", "offline_access"],
        "kept from before"
    );

    let third = client.refresh(&second).await.unwrap();
    assert_eq!(third.access_token().secret(), "at-3");
    assert_eq!(
        third.refresh_token().unwrap().secret(),
        "rt-2",
        "kept: none returned"
    );
}

#[tokio::test]
async fn r25_refresh_invalid_grant_is_typed() {
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            tokens_reply(),
            Reply::json(
                400,
                json!({"error": "invalid_grant", "error_description": "grant request is invalid"}),
            ),
        ],
    );
    let client = web(&peer).await;
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let tokens = redeem(&client, &pending, "c", &peer).await.unwrap();
    let err = client.refresh(&tokens).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"));
    assert!(!err.is_transient());
}

/// R5: a server that lists PKCE methods without S256 is refused.
#[tokio::test]
async fn r5_pkce_s256_required() {
    let peer = peer_with(|m| m["code_challenge_methods_supported"] = json!(["plain"])).await;
    let client = web(&peer).await;
    let err = client.authorize_url(Some(ORDERS)).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("S256"));
}

/// A public client sends its `client_id` in the body and no secret.
#[tokio::test]
async fn public_client_code_flow() {
    let peer = peer().await;
    peer.on("/token", tokens_reply());
    let client = public(&SPA, &peer);
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(
        query_param(&url, "redirect_uri").as_deref(),
        Some("http://127.0.0.1:5173/callback")
    );
    let cb = format!(
        "http://127.0.0.1:5173/callback?code=c&state={}&iss={}",
        pending.state(),
        peer.base()
    );
    client.exchange_code(pending, &cb).await.unwrap();
    let r = &peer.requests_to("/token")[0];
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.param("client_id").as_deref(), Some("the-spa"));
    assert_eq!(r.param("client_secret"), None);
}

/// `PendingAuthorization` survives a session store round trip.
#[tokio::test]
async fn pending_round_trips_through_serde() {
    let (peer, client, pending) = web_pending().await;
    let stored = serde_json::to_string(&pending).unwrap();
    let restored: PendingAuthorization = serde_json::from_str(&stored).unwrap();
    let cb = callback(restored.state(), "c", &peer.base());
    client.exchange_code(restored, &cb).await.unwrap();
}

/// R25, cancellation: a refresh whose caller is dropped after the request reached the server
/// still completes once, and a concurrent caller with the same refresh token gets its result.
/// Sending the (rotated) refresh token again would make oidc-provider or Auth0 revoke the
/// grant (RFC 9700 §4.14.2).
#[tokio::test]
async fn r25_cancelled_refresh_is_neither_cancelled_nor_repeated() {
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            tokens_reply(),
            Reply::json(200, json!({"access_token": "at-2", "token_type": "bearer", "expires_in": 3600, "refresh_token": "rt-2"}))
                .delay(Duration::from_millis(600)),
            Reply::json(400, json!({"error": "invalid_grant", "error_description": "replayed"})),
        ],
    );
    let client = web(&peer).await;
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let first = redeem(&client, &pending, "c", &peer).await.unwrap();

    let spawn_refresh = |client: &Client, tokens: &crate::TokenSet| {
        let (client, tokens) = (client.clone(), tokens.clone());
        tokio::spawn(async move { client.refresh(&tokens).await })
    };
    let cancelled = spawn_refresh(&client, &first);
    // Wait until the refresh request has reached the server (it answers 600 ms later).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while peer.requests_to("/token").len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no refresh request");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let waiting = spawn_refresh(&client, &first);
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancelled.abort();
    assert!(cancelled.await.unwrap_err().is_cancelled());

    let tokens = waiting.await.unwrap().expect("the shared refresh's tokens");
    assert_eq!(tokens.access_token().secret(), "at-2");
    assert_eq!(tokens.refresh_token().unwrap().secret(), "rt-2");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let requests = peer.requests_to("/token");
    assert_eq!(requests.len(), 2, "exactly one refresh request");
    assert_eq!(requests[1].param("refresh_token").as_deref(), Some("rt-1"));
}

/// A refresh that times out after it was sent says that the server may have rotated the refresh
/// token (never a plain, retryable timeout): exactly one refresh request, not transient.
#[tokio::test]
async fn refresh_timeout_says_the_outcome_is_unknown() {
    let peer = peer().await;
    peer.script("/token", vec![tokens_reply(), Reply::stall()]);
    let client = Client::new(
        &WEB,
        peer_settings(&peer, "web-secret").request_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let tokens = redeem(&client, &pending, "c", &peer).await.unwrap();
    let err = client.refresh(&tokens).await.unwrap_err();
    assert!(
        matches!(&err, Error::RefreshUnanswered { cause } if matches!(**cause, Error::Timeout { endpoint: "token" })),
        "{err:?}"
    );
    assert!(!err.is_transient(), "never retried as if nothing happened");
    assert!(err.to_string().contains("may have rotated"), "{err}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        peer.requests_to("/token").len(),
        2,
        "one exchange, one refresh"
    );
}

/// A connection closed after the refresh request went out is the same unknown outcome as a
/// timeout; a connection that never opened is a plain transport error, safe to retry.
#[tokio::test]
async fn refresh_with_a_lost_answer_says_the_outcome_is_unknown() {
    let peer = peer().await;
    peer.script("/token", vec![tokens_reply(), Reply::close()]);
    let client = confidential(&WEB, &peer, "web-secret");
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let tokens = redeem(&client, &pending, "c", &peer).await.unwrap();
    let err = client.refresh(&tokens).await.unwrap_err();
    assert!(
        matches!(&err, Error::RefreshUnanswered { cause } if matches!(**cause, Error::Transport { endpoint: "token", request_sent: true, .. })),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert_eq!(
        peer.requests_to("/token").len(),
        2,
        "the refresh did reach the server"
    );

    // The server gone (its port closed): nothing was sent, so nothing can have rotated.
    drop(peer);
    let err = client.refresh(&tokens).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Transport {
                endpoint: "token",
                request_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
}
