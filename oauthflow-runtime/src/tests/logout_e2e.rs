//! The rest of a login's life (issue 9 §3) against the real oidc-provider, and what it will not
//! do at the fault peer: userinfo (OIDC Core §5.3, `sub` checked), revocation (RFC 7009, R29:
//! refresh token first, 200 is success, 5xx retryable), RP-initiated logout.

use serde_json::json;

use super::common::{Client, callback, confidential, dev_confidential, dev_login};
use crate::kind::{Flow, Kind};
use crate::spec::ClientSpec;
use crate::{Error, TokenSet};
use oauthflow_devserver::fault::Reply;
use oauthflow_devserver::{DevProvider, clients, jwt};

/// A web app that signs users in (`openid`) with refresh tokens and no audience: oidc-provider
/// answers userinfo only for access tokens issued without a resource.
static PORTAL: ClientSpec = ClientSpec::new("Portal", Kind::Web, Flow::AuthorizationCode, "PORTAL")
    .scopes(&["openid", "email"])
    .redirect_uri("http://127.0.0.1:8080/callback")
    .refresh_tokens();

async fn signed_in(provider: &DevProvider) -> (Client, TokenSet) {
    let portal = dev_confidential(&PORTAL, provider, clients::WEB);
    let (url, pending) = portal.authorize_url(None).await.unwrap();
    let tokens = portal
        .exchange_code(pending, &dev_login(provider, &url).await)
        .await
        .unwrap();
    assert!(tokens.refresh_token().is_some());
    (portal, tokens)
}

#[tokio::test]
async fn userinfo_revoke_and_logout_at_the_real_server() {
    let provider = DevProvider::start().await.unwrap();
    let (portal, tokens) = signed_in(&provider).await;

    let info = portal.userinfo(&tokens).await.unwrap();
    assert_eq!(info.subject(), tokens.id_token_claims().unwrap().subject());
    assert!(info.claim("email").is_some(), "the `email` scope's claims");
    assert!(
        !format!("{info:?}").contains('@'),
        "Debug shows claim names, not values"
    );

    // RP-initiated logout: the server accepts the hint and the registered redirect URI.
    let (url, state) = portal
        .end_session_url(&tokens, Some("http://127.0.0.1:8080/signed-out"))
        .await
        .unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["id_token_hint"], tokens.id_token().unwrap());
    assert_eq!(query["client_id"], clients::WEB.id);
    assert_eq!(query["state"], state);
    assert!(state.len() >= 32);
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "a logout confirmation page, not an error"
    );
    let (unregistered, _) = portal
        .end_session_url(&tokens, Some("http://127.0.0.1:8080/elsewhere"))
        .await
        .unwrap();
    assert_eq!(reqwest::get(unregistered).await.unwrap().status(), 400);

    // Revocation (R29): afterwards the grant is gone — refresh and userinfo are refused.
    portal.revoke(&tokens).await.unwrap();
    let refused = portal.refresh(&tokens).await.unwrap_err();
    assert_eq!(refused.oauth_code(), Some("invalid_grant"));
    let refused = portal.userinfo(&tokens).await.unwrap_err();
    assert_eq!(refused.oauth_code(), Some("invalid_token"), "{refused}");
    // Revoking again is still success (RFC 7009 §2.2: unknown tokens are fine).
    portal.revoke(&tokens).await.unwrap();
    // The ID token hint in the logout URL is the raw, validated token.
    assert_eq!(
        jwt::payload(tokens.id_token().unwrap())["sub"],
        tokens.id_token_claims().unwrap().subject()
    );
}

/// A fault peer with userinfo and revocation endpoints, and a `web` client of it signed in
/// with tokens `at-1`/`rt-1` (no ID token: userinfo is refused before any request).
async fn at_the_peer() -> (oauthflow_devserver::fault::FaultPeer, Client, TokenSet) {
    let peer = super::common::peer_with(|doc| {
        doc["revocation_endpoint"] = json!(format!("{}/revoke", doc["issuer"].as_str().unwrap()));
    })
    .await;
    peer.on(
        "/token",
        Reply::json(
            200,
            json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-1"}),
        ),
    );
    let client = confidential(&super::common::WEB, &peer, "web-secret");
    let (_, pending) = client
        .authorize_url(Some(super::common::ORDERS))
        .await
        .unwrap();
    let tokens = client
        .exchange_code(
            pending.clone(),
            &callback(pending.state(), "c", &peer.base()),
        )
        .await
        .unwrap();
    (peer, client, tokens)
}

#[tokio::test]
async fn revocation_sends_the_refresh_token_first_authenticated_and_maps_answers() {
    let (peer, client, tokens) = at_the_peer().await;
    peer.on("/revoke", Reply::new(200, "text/plain", ""));
    client.revoke(&tokens).await.unwrap();
    let sent = peer.requests_to("/revoke");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].param("token").as_deref(), Some("rt-1"));
    assert_eq!(
        sent[0].param("token_type_hint").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(sent[1].param("token").as_deref(), Some("at-1"));
    assert_eq!(
        sent[1].param("token_type_hint").as_deref(),
        Some("access_token")
    );
    assert!(
        sent[0]
            .header("authorization")
            .is_some_and(|h| h.starts_with("Basic "))
    );

    // 503: typed and retryable; the access token is not tried before the refresh token went.
    peer.on(
        "/revoke",
        Reply::json(503, json!({})).header("Retry-After", "3"),
    );
    let error = client.revoke(&tokens).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::HttpStatus {
                status: 503,
                retry_after: Some(3),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_transient());
    assert_eq!(peer.requests_to("/revoke").len(), 3);

    // A refusal is the server's error, typed; an access token the server cannot revoke is fine
    // once the refresh token (the grant) is revoked.
    peer.script(
        "/revoke",
        vec![
            Reply::new(200, "text/plain", ""),
            Reply::json(400, json!({"error": "unsupported_token_type"})),
        ],
    );
    client.revoke(&tokens).await.unwrap();
    peer.on(
        "/revoke",
        Reply::json(401, json!({"error": "invalid_client"})),
    );
    let error = client.revoke(&tokens).await.unwrap_err();
    assert_eq!(error.oauth_code(), Some("invalid_client"));
    assert!(!error.is_transient());
}

#[tokio::test]
async fn userinfo_and_logout_refuse_what_cannot_be_checked() {
    let (_peer, client, tokens) = at_the_peer().await;
    // No ID token in these tokens (no `openid`): refused before any request.
    let error = client.userinfo(&tokens).await.unwrap_err();
    assert!(error.to_string().contains("openid"), "{error}");
    let error = client.end_session_url(&tokens, None).await.unwrap_err();
    assert!(
        error.to_string().contains("end_session_endpoint"),
        "{error}"
    );
    let error = client
        .end_session_url(&tokens, Some("http://app.example.com/bye"))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("post_logout_redirect_uri"),
        "{error}"
    );
}
