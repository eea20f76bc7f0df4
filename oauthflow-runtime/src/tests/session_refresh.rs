//! The session helper `refresh_if_needed` (issue 9 §3): a web app hands it the session's
//! tokens on every request; it refreshes only inside the refresh margin, in place, one request
//! for concurrent callers of one session.

use serde_json::json;

use super::common::{Client, ORDERS, WEB, confidential, peer, redeem};
use crate::TokenSet;
use oauthflow_devserver::fault::{FaultPeer, Reply};

fn tokens(access_token: &str, refresh_token: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in,
               "refresh_token": refresh_token, "scope": "read:orders offline_access"}),
    )
}

/// Logs in at a fault peer whose token endpoint answers `replies` in turn.
async fn login(replies: Vec<Reply>) -> (FaultPeer, Client, TokenSet) {
    let peer = peer().await;
    peer.script("/token", replies);
    let client = confidential(&WEB, &peer, "web-secret");
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let tokens = redeem(&client, &pending, "code-1", &peer).await.unwrap();
    (peer, client, tokens)
}

#[tokio::test]
async fn fresh_tokens_are_left_alone() {
    let (peer, client, mut session) = login(vec![tokens("at-1", "rt-1", 3600)]).await;
    assert!(!client.refresh_if_needed(&mut session).await.unwrap());
    assert_eq!(session.access_token().secret(), "at-1");
    assert_eq!(
        peer.requests_to("/token").len(),
        1,
        "only the code exchange"
    );
}

#[tokio::test]
async fn expiring_tokens_are_refreshed_in_place_once_for_concurrent_requests() {
    // 30 s left: inside the default 60 s margin.
    let (peer, client, session) = login(vec![
        tokens("at-1", "rt-1", 30),
        tokens("at-2", "rt-2", 3600).delay(std::time::Duration::from_millis(200)),
    ])
    .await;
    let (mut a, mut b) = (session.clone(), session);
    let (ra, rb) = tokio::join!(
        client.refresh_if_needed(&mut a),
        client.refresh_if_needed(&mut b)
    );
    assert!(ra.unwrap() && rb.unwrap());
    for s in [&a, &b] {
        assert_eq!(s.access_token().secret(), "at-2");
        assert_eq!(s.refresh_token().unwrap().secret(), "rt-2");
    }
    let token_requests = peer.requests_to("/token");
    assert_eq!(token_requests.len(), 2, "the code exchange and one refresh");
    assert_eq!(
        token_requests[1].param("refresh_token").as_deref(),
        Some("rt-1")
    );
    assert!(
        !client.refresh_if_needed(&mut a).await.unwrap(),
        "fresh now"
    );
}

#[tokio::test]
async fn a_refused_refresh_leaves_the_session_and_says_sign_in_again() {
    let (_peer, client, mut session) = login(vec![
        tokens("at-1", "rt-1", 30),
        Reply::json(400, json!({"error": "invalid_grant"})),
    ])
    .await;
    let error = client.refresh_if_needed(&mut session).await.unwrap_err();
    assert_eq!(error.oauth_code(), Some("invalid_grant"));
    assert_eq!(session.access_token().secret(), "at-1", "unchanged");
}
