//! ID tokens through `Client`: the code flow with `openid` validates the token endpoint's ID
//! token in full before returning any token (R22) — against the real oidc-provider and against a
//! fault peer that signs with the wrong key — and a refreshed ID token must describe the same
//! authentication as the original (R26, OIDC Core §12.2; OIDF `oidcc-client-test-refresh-token*`).

use super::common;
use super::id_token_support;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::spec::ClientSpec;
use crate::{Confidential, Error, Settings, TokenSet};
use common::Client;
use common::{
    WEB, confidential, dev_confidential, dev_login, peer, peer_settings, query_param, redeem,
};
use id_token_support::{k1_jwks, rejected, rsa1, rsa2, sign_k1, sign_rs256, unsigned};
use oauthflow_devserver::fault::{FaultPeer, Reply};
use oauthflow_devserver::jwt::payload;
use oauthflow_devserver::{DevProvider, clients, users};
use openidconnect::core::CoreRsaPrivateSigningKey;
use serde_json::{Value, json};

/// A `web` client asking for an ID token (no audiences: one login, one token set).
static WEB_OIDC: ClientSpec = ClientSpec {
    struct_name: "WebLogin",
    scopes: &["openid", "email"],
    audiences: &[],
    ..WEB
};

/// The same client without `openid`.
static WEB_PLAIN: ClientSpec = ClientSpec {
    scopes: &["email"],
    ..WEB_OIDC
};

// ---------------------------------------------------------------------------------------------
// Against oidc-provider.

#[tokio::test]
async fn client_code_flow_openid_e2e() {
    let provider = DevProvider::start().await.expect("provider");
    let client = dev_confidential(&WEB_OIDC, &provider, clients::WEB);
    let (url, pending) = client.authorize_url(None).await.unwrap();
    let nonce = query_param(&url, "nonce").expect("openid: the request carries a nonce (R9)");
    let callback = dev_login(&provider, &url).await;
    let tokens = client
        .exchange_code(pending, &callback)
        .await
        .expect("tokens with a valid ID token");
    let id_token = payload(tokens.id_token().expect("openid: the ID token is returned"));
    assert_eq!(id_token["sub"], users::ALICE);
    assert_eq!(id_token["iss"], provider.issuer());
    assert_eq!(id_token["aud"], clients::WEB.id);
    assert_eq!(id_token["nonce"], nonce);

    // R26 with the real server: the refreshed ID token (if any) describes the same login.
    // Within the same second the refreshed ID token would be byte-identical (same claims,
    // deterministic RS256): wait for a new `iat`.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refreshed = client.refresh(&tokens).await.expect("refresh");
    assert_ne!(
        refreshed.id_token(),
        tokens.id_token(),
        "oidc-provider issues a new ID token on refresh (openid)"
    );
    let again = payload(refreshed.id_token().expect("a new ID token"));
    assert!(again["iat"].as_u64() > id_token["iat"].as_u64());
    assert_eq!(again["sub"], users::ALICE);
    assert_eq!(again["iss"], provider.issuer());
    assert_eq!(again["aud"], clients::WEB.id);
}

// ---------------------------------------------------------------------------------------------
// Against a fault peer: the ID token is signed by the test, with the key the test chooses.

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Valid claims for the fault peer's client `the-client`.
fn id_claims(peer: &FaultPeer, nonce: Option<&str>) -> Value {
    let now = now();
    let mut claims = json!({
        "iss": peer.base(),
        "sub": "alice",
        "aud": "the-client",
        "exp": now + 600,
        "iat": now - 5,
        "auth_time": now - 60,
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    claims
}

fn token_reply(access_token: &str, refresh_token: &str, id_token: Option<String>) -> Reply {
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "refresh_token": refresh_token,
    });
    if let Some(id_token) = id_token {
        body["id_token"] = json!(id_token);
    }
    Reply::json(200, body)
}

/// A fault peer as issuer whose JWKS holds test key `k1`, and a `web` client of it.
async fn setup(spec: &'static ClientSpec) -> (FaultPeer, Client) {
    let peer = peer().await;
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let client = confidential(spec, &peer, "web-secret");
    (peer, client)
}

/// Logs in; the token endpoint answers with `id_token(nonce)` (and, for a later refresh, the
/// replies in `then`).
async fn login_with(
    peer: &FaultPeer,
    client: &Client,
    id_token: impl FnOnce(&str) -> String,
    then: Vec<Reply>,
) -> Result<TokenSet, Error> {
    let (url, pending) = client.authorize_url(None).await.unwrap();
    let nonce = query_param(&url, "nonce").expect("a nonce");
    let mut replies = vec![token_reply("at-1", "rt-1", Some(id_token(&nonce)))];
    replies.extend(then);
    peer.script("/token", replies);
    redeem(client, &pending, "code-1", peer).await
}

/// [`login_with`] an ID token for the login's nonce, signed with `key` under `kid`.
async fn login_signed(
    peer: &FaultPeer,
    client: &Client,
    key: &CoreRsaPrivateSigningKey,
    kid: &str,
) -> Result<TokenSet, Error> {
    let id_token = |nonce: &str| sign_rs256(&id_claims(peer, Some(nonce)), key, Some(kid));
    login_with(peer, client, id_token, vec![]).await
}

/// OIDF `oidcc-client-test` (positive control) and `oidcc-client-test-invalid-sig-rs256`: the
/// same response signed with a key that is not the issuer's is refused, and no token is
/// returned.
#[tokio::test]
async fn oidcc_client_test_invalid_sig_rs256_through_client() {
    let (peer, client) = setup(&WEB_OIDC).await;
    let tokens = login_signed(&peer, &client, &rsa1(), "k1")
        .await
        .expect("a correctly signed ID token passes");
    assert!(tokens.id_token().is_some());

    // The wrong key under the right `kid`.
    let result = login_signed(&peer, &client, &rsa2(), "k1").await;
    rejected(result, "signature");
    // The wrong key under its own, unknown `kid`: one JWKS refetch, then refused.
    let result = login_signed(&peer, &client, &rsa2(), "k2").await;
    assert!(
        matches!(
            result.as_ref().map_err(Error::check_failed),
            Err(Error::IdTokenInvalid { .. })
        ),
        "{result:?}"
    );
    // `alg: none`.
    let result = login_with(
        &peer,
        &client,
        |nonce| unsigned(&id_claims(&peer, Some(nonce))),
        vec![],
    )
    .await;
    assert!(
        matches!(
            result.as_ref().map_err(Error::check_failed),
            Err(Error::IdTokenInvalid { .. })
        ),
        "{result:?}"
    );
    // The JWKS was fetched once, then refetched once for the unknown `kid`.
    assert_eq!(peer.requests_to("/jwks").len(), 2);
}

/// OIDF `oidcc-client-test-nonce-invalid` through `Client`: a missing or different nonce fails
/// closed.
#[tokio::test]
async fn oidcc_client_test_nonce_invalid_through_client() {
    let (peer, client) = setup(&WEB_OIDC).await;
    for nonce in [None, Some("another-login's-nonce")] {
        let result = login_with(
            &peer,
            &client,
            |_| sign_k1(&id_claims(&peer, nonce)),
            vec![],
        )
        .await;
        rejected(result, "nonce");
    }
    // An ID token is required when `openid` was asked for.
    let (url, pending) = client.authorize_url(None).await.unwrap();
    assert!(query_param(&url, "nonce").is_some());
    peer.on("/token", token_reply("at-1", "rt-1", None));
    let result = redeem(&client, &pending, "code-1", &peer).await;
    assert!(
        matches!(
            result.as_ref().map_err(Error::check_failed),
            Err(Error::IdTokenInvalid { .. })
        ),
        "{result:?}"
    );
}

/// Without `openid` no nonce is sent, and an ID token the server sends anyway is not handed out
/// unchecked.
#[tokio::test]
async fn unrequested_id_token_is_dropped() {
    let (peer, client) = setup(&WEB_PLAIN).await;
    let (url, pending) = client.authorize_url(None).await.unwrap();
    assert_eq!(query_param(&url, "nonce"), None);
    peer.on(
        "/token",
        token_reply(
            "at-1",
            "rt-1",
            Some(sign_rs256(&id_claims(&peer, None), &rsa2(), Some("k9"))),
        ),
    );
    let tokens = redeem(&client, &pending, "code-1", &peer).await.unwrap();
    assert_eq!(tokens.id_token(), None);
    assert!(peer.requests_to("/jwks").is_empty());
}

// ---------------------------------------------------------------------------------------------
// R26: refreshed ID tokens (OIDC Core §12.2).

/// Logs in with a valid ID token, then refreshes; the refresh response's ID token has the
/// original claims edited by `edit`.
async fn refresh_with(edit: impl FnOnce(&mut Value)) -> (Result<TokenSet, Error>, TokenSet) {
    refresh_with_settings(|s| s, edit).await
}

/// [`refresh_with`] for a client whose settings `settings` refines (e.g. a provider quirk).
async fn refresh_with_settings(
    settings: impl FnOnce(Settings<Confidential>) -> Settings<Confidential>,
    edit: impl FnOnce(&mut Value),
) -> (Result<TokenSet, Error>, TokenSet) {
    let peer = peer().await;
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let client = Client::new(&WEB_OIDC, settings(peer_settings(&peer, "web-secret")))
        .expect("valid settings");
    // Both tokens start from the same claims (same `iat`), the refreshed one without a nonce.
    let original = id_claims(&peer, None);
    let mut refreshed = original.clone();
    edit(&mut refreshed);
    let refreshed = sign_k1(&refreshed);
    let original = login_with(
        &peer,
        &client,
        |nonce| {
            let mut original = original;
            original["nonce"] = json!(nonce);
            sign_k1(&original)
        },
        vec![token_reply("at-2", "rt-2", Some(refreshed))],
    )
    .await
    .expect("the login succeeds");
    let result = client.refresh(&original).await;
    assert_eq!(
        peer.requests_to("/token").len(),
        2,
        "one code exchange, one refresh"
    );
    (result, original)
}

fn assert_refused(result: Result<TokenSet, Error>, claim: &str) {
    rejected(result, &format!("`{claim}`"));
}

/// OIDF `oidcc-client-test-refresh-token`: same `iss`, `sub`, `aud` → accepted, new tokens.
#[tokio::test]
async fn oidcc_client_test_refresh_token() {
    let (result, original) = refresh_with(|_| {}).await;
    let tokens = result.expect("a refresh with the same authentication");
    assert_eq!(tokens.access_token().secret(), "at-2");
    assert_eq!(tokens.refresh_token().unwrap().secret(), "rt-2");
    assert_ne!(tokens.id_token(), original.id_token());
    assert!(tokens.id_token().is_some());
    // The validated claims travel with the tokens: the refreshed set has its own.
    let claims = tokens
        .id_token_claims()
        .expect("the refreshed ID token's claims");
    let before = original.id_token_claims().expect("the original's claims");
    assert_eq!(claims.subject(), before.subject());
    assert_eq!(claims.auth_time(), before.auth_time());
    assert!(claims.auth_time().is_some());
    assert!(
        claims.claim("auth_time").is_none(),
        "typed, not among the other claims"
    );
}

/// OIDF `oidcc-client-test-refresh-token-invalid-issuer`.
#[tokio::test]
async fn oidcc_client_test_refresh_token_invalid_issuer() {
    let (result, _) = refresh_with(|claims| claims["iss"] = json!("https://evil.example")).await;
    assert_refused(result, "iss");
}

/// OIDF `oidcc-client-test-refresh-token-invalid-sub`: a valid, correctly signed ID token for
/// another user.
#[tokio::test]
async fn oidcc_client_test_refresh_token_invalid_sub() {
    let (result, _) = refresh_with(|claims| claims["sub"] = json!("mallory")).await;
    assert_refused(result, "sub");
}

/// `auth_time` must still be the original authentication's — and a provider that (wrongly)
/// sends a new one after rotating the refresh token loses nothing: the error keeps the new
/// tokens (the ID token withheld), and the next refresh sends the new refresh token.
#[tokio::test]
async fn refresh_token_changed_auth_time_is_refused() {
    let (result, original) = refresh_with(|claims| claims["auth_time"] = json!(now() - 1)).await;
    let kept = result
        .as_ref()
        .err()
        .and_then(Error::committed_tokens)
        .cloned()
        .expect("the error keeps what the server issued");
    assert_refused(result, "auth_time");
    assert_eq!(kept.access_token().secret(), "at-2");
    assert_eq!(
        kept.refresh_token().unwrap().secret(),
        "rt-2",
        "the rotated refresh token"
    );
    assert!(
        kept.id_token().is_none() && kept.id_token_claims().is_none(),
        "the unverified ID token is withheld, and its claims"
    );
    assert!(original.id_token().is_some());
}

/// The quirk `Settings::accept_changed_auth_time_on_refresh` (Django OAuth Toolkit): a changed
/// `auth_time` is accepted and is the refreshed claims' — and only that check is relaxed.
#[tokio::test]
async fn refresh_token_changed_auth_time_accepted_by_name() {
    let new_auth_time = now() - 1;
    let lenient = Settings::accept_changed_auth_time_on_refresh;
    let (result, original) =
        refresh_with_settings(lenient, |claims| claims["auth_time"] = json!(new_auth_time)).await;
    let tokens = result.expect("a changed `auth_time` accepted by name");
    assert_eq!(tokens.refresh_token().unwrap().secret(), "rt-2");
    let claims = tokens.id_token_claims().expect("the refreshed claims");
    assert_eq!(
        claims.auth_time(),
        Some(UNIX_EPOCH + std::time::Duration::from_secs(new_auth_time))
    );
    assert_ne!(
        claims.auth_time(),
        original.id_token_claims().unwrap().auth_time()
    );
    // Every other §12.2 check still holds, also when `auth_time` changes with it.
    let changed = |claim: &'static str, value: Value| {
        move |claims: &mut Value| {
            claims["auth_time"] = json!(new_auth_time);
            claims[claim] = value;
        }
    };
    for (claim, value) in [
        ("iss", json!("https://evil.example")),
        ("sub", json!("mallory")),
        ("aud", json!(["the-client", "another-client"])),
        ("iat", json!(now() - 3600)),
        ("nonce", json!("another-nonce")),
    ] {
        let (result, _) = refresh_with_settings(lenient, changed(claim, value)).await;
        rejected(result, claim);
    }
}

/// Nothing lost, end to end at the fault peer: after a refresh whose ID token fails, the kept
/// tokens refresh again with the rotated refresh token (never the old one).
#[tokio::test]
async fn committed_refresh_token_is_used_by_the_next_refresh() {
    let (peer, client) = setup(&WEB_OIDC).await;
    let mut bad = id_claims(&peer, None);
    bad["sub"] = json!("mallory");
    let original = login_with(
        &peer,
        &client,
        |nonce| sign_k1(&id_claims(&peer, Some(nonce))),
        vec![
            token_reply("at-2", "rt-2", Some(sign_k1(&bad))),
            token_reply("at-3", "rt-3", None),
        ],
    )
    .await
    .expect("the login succeeds");
    let error = client.refresh(&original).await.expect_err("`sub` differs");
    assert!(!error.is_transient(), "never retry a committed refresh");
    // A late caller still holding the old refresh token gets the same committed tokens, without
    // replaying `rt-1`.
    let late = client
        .refresh(&original)
        .await
        .expect_err("the shared outcome");
    assert_eq!(
        late.committed_tokens()
            .and_then(TokenSet::refresh_token)
            .map(|t| t.secret().as_str()),
        Some("rt-2")
    );
    assert_eq!(
        peer.requests_to("/token").len(),
        2,
        "one exchange, one refresh"
    );
    let kept = error.into_committed_tokens().expect("the committed tokens");
    let next = client
        .refresh(&kept)
        .await
        .expect("the kept refresh token works");
    assert_eq!(next.refresh_token().unwrap().secret(), "rt-3");
    let bodies: Vec<String> = peer
        .requests_to("/token")
        .iter()
        .map(|r| r.body.clone())
        .collect();
    assert!(bodies[1].contains("refresh_token=rt-1"), "{bodies:?}");
    assert!(bodies[2].contains("refresh_token=rt-2"), "{bodies:?}");
}

/// A `nonce` in a refreshed ID token must be the original one.
#[tokio::test]
async fn refresh_token_other_nonce_is_refused() {
    let (result, _) = refresh_with(|claims| claims["nonce"] = json!("not-the-login-nonce")).await;
    assert_refused(result, "nonce");
}

/// The `aud` as an array with the same single value is the same audience.
#[tokio::test]
async fn refresh_token_same_aud_as_array_is_accepted() {
    let (result, _) = refresh_with(|claims| claims["aud"] = json!(["the-client"])).await;
    result.expect("the same audience");
}

/// `iat` must be the new token's issue time, not older than the original's.
#[tokio::test]
async fn refresh_token_older_iat_is_refused() {
    let (result, _) = refresh_with(|claims| {
        claims["iat"] = json!(claims["iat"].as_u64().unwrap() - 100);
    })
    .await;
    assert_refused(result, "iat");
}

/// A refreshed ID token is validated like any other (here: signed with a key that is not the
/// issuer's), and no token of that response is returned.
#[tokio::test]
async fn refresh_token_invalid_signature_is_refused() {
    let (peer, client) = setup(&WEB_OIDC).await;
    let refreshed = sign_rs256(&id_claims(&peer, None), &rsa2(), Some("k1"));
    let original = login_with(
        &peer,
        &client,
        |nonce| sign_k1(&id_claims(&peer, Some(nonce))),
        vec![token_reply("at-2", "rt-2", Some(refreshed))],
    )
    .await
    .unwrap();
    let result = client.refresh(&original).await;
    assert!(
        matches!(
            result.as_ref().map_err(Error::check_failed),
            Err(Error::IdTokenInvalid { .. })
        ),
        "{result:?}"
    );
}

/// OIDC Core §3.1.3.7 step 11: with `max_age` (from `AuthorizeOptions`), the ID token must
/// carry an `auth_time` no older than it; otherwise the login fails — and what the server
/// issued for the spent code is kept in the error, the ID token withheld.
#[tokio::test]
async fn max_age_is_checked_against_auth_time() {
    let (peer, client) = setup(&WEB_OIDC).await;
    let options = crate::AuthorizeOptions::new().max_age(std::time::Duration::from_secs(300));
    for (auth_time, accepted) in [
        (Some(now() - 60), true),
        (Some(now() - 1_000), false),
        (None, false),
    ] {
        let (url, pending) = client.authorize_url_with(None, &options).await.unwrap();
        assert_eq!(query_param(&url, "max_age").as_deref(), Some("300"));
        let nonce = query_param(&url, "nonce").expect("a nonce");
        let mut claims = id_claims(&peer, Some(&nonce));
        match auth_time {
            Some(at) => claims["auth_time"] = json!(at),
            None => drop(claims.as_object_mut().unwrap().remove("auth_time")),
        }
        let id_token = sign_rs256(&claims, &rsa1(), Some("k1"));
        peer.script("/token", vec![token_reply("at-1", "rt-1", Some(id_token))]);
        let result = redeem(&client, &pending, "code-1", &peer).await;
        match result {
            Ok(tokens) => {
                assert!(accepted, "{auth_time:?} must be refused");
                let claims = tokens.id_token_claims().unwrap();
                assert!(claims.auth_time().is_some());
            }
            Err(error) => {
                assert!(!accepted, "{auth_time:?}: {error}");
                assert!(
                    matches!(error.check_failed(), Error::IdTokenInvalid { reason } if reason.contains("max_age") || reason.contains("auth_time")),
                    "{error}"
                );
                let kept = error
                    .committed_tokens()
                    .expect("the issued tokens are kept");
                assert!(kept.id_token().is_none() && kept.id_token_claims().is_none());
            }
        }
    }
}

/// The session helper keeps what a refresh committed: when the refreshed ID token fails, the
/// session holds the new access and (rotated) refresh token — never the dead one — and the
/// error says why.
#[tokio::test]
async fn refresh_if_needed_keeps_committed_tokens_in_the_session() {
    let peer = super::common::peer().await;
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    // A margin longer than the 300 s lifetime: the session is always due for a refresh.
    let settings = super::common::peer_settings(&peer, "web-secret")
        .refresh_margin(std::time::Duration::from_secs(600));
    let client = Client::new(&WEB_OIDC, settings).unwrap();
    let mut refreshed = id_claims(&peer, None);
    refreshed["sub"] = json!("mallory");
    let mut session = login_with(
        &peer,
        &client,
        |nonce| sign_k1(&id_claims(&peer, Some(nonce))),
        vec![token_reply("at-2", "rt-2", Some(sign_k1(&refreshed)))],
    )
    .await
    .unwrap();
    let error = client.refresh_if_needed(&mut session).await.unwrap_err();
    assert!(error.to_string().contains("`sub`"), "{error}");
    assert_eq!(session.access_token().secret(), "at-2");
    assert_eq!(session.refresh_token().unwrap().secret(), "rt-2");
    assert!(session.id_token().is_none() && session.id_token_claims().is_none());
}

/// OIDC Core §5.3.2: a userinfo answer about another subject than the ID token's is refused
/// (a substituted access token); the same `sub` is accepted.
#[tokio::test]
async fn userinfo_sub_must_match_the_id_token() {
    let peer = super::common::peer_with(|doc| {
        doc["userinfo_endpoint"] = json!(format!("{}/userinfo", doc["issuer"].as_str().unwrap()));
    })
    .await;
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let client = confidential(&WEB_OIDC, &peer, "web-secret");
    let tokens = login_signed(&peer, &client, &rsa1(), "k1").await.unwrap();
    peer.on(
        "/userinfo",
        Reply::json(200, json!({"sub": "alice", "email": "a@example.com"})),
    );
    let info = client.userinfo(&tokens).await.unwrap();
    assert_eq!(info.claim("email"), Some(&json!("a@example.com")));
    let sent = peer.requests_to("/userinfo");
    assert_eq!(sent[0].header("authorization"), Some("Bearer at-1"));
    peer.on("/userinfo", Reply::json(200, json!({"sub": "mallory"})));
    let error = client.userinfo(&tokens).await.unwrap_err();
    assert!(
        matches!(&error, Error::IdTokenInvalid { reason } if reason.contains("`sub`")),
        "{error}"
    );
    peer.on(
        "/userinfo",
        Reply::new(200, "application/jwt", "e30.e30.sig"),
    );
    assert!(matches!(
        client.userinfo(&tokens).await,
        Err(Error::InvalidResponse { .. })
    ));
    peer.on(
        "/userinfo",
        Reply::json(401, json!({"error": "invalid_token"}))
            .header("WWW-Authenticate", r#"Bearer error="invalid_token""#),
    );
    assert_eq!(
        client.userinfo(&tokens).await.unwrap_err().oauth_code(),
        Some("invalid_token")
    );
}

// ---------------------------------------------------------------------------------------------
// Several audiences (issue 13 §3): refused unless named, and then only with `azp` = this client.

/// Logs in through a fresh peer; the ID token's claims are edited by `edit`, the client's
/// settings refined by `settings`.
async fn login_with_claims(
    settings: impl FnOnce(Settings<Confidential>) -> Settings<Confidential>,
    edit: impl FnOnce(&mut Value),
) -> Result<TokenSet, Error> {
    let peer = peer().await;
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let client = Client::new(&WEB_OIDC, settings(peer_settings(&peer, "web-secret")))
        .expect("valid settings");
    let id_token = |nonce: &str| {
        let mut claims = id_claims(&peer, Some(nonce));
        edit(&mut claims);
        sign_k1(&claims)
    };
    login_with(&peer, &client, id_token, vec![]).await
}

fn trusting_orders(settings: Settings<Confidential>) -> Settings<Confidential> {
    settings.accept_id_token_audiences(["orders-api"])
}

fn audiences(aud: &[&str], azp: Option<&str>) -> impl FnOnce(&mut Value) {
    let (aud, azp) = (json!(aud), azp.map(|a| json!(a)));
    move |claims| {
        claims["aud"] = aud;
        if let Some(azp) = azp {
            claims["azp"] = azp;
        }
    }
}

#[tokio::test]
async fn several_audiences_only_by_name_and_only_with_azp_naming_this_client() {
    let both = ["the-client", "orders-api"];
    // Strict: another audience is untrusted, and the error says how to trust it.
    let reason = rejected(
        login_with_claims(|s| s, audiences(&both, Some("the-client"))).await,
        "untrusted audience",
    );
    assert!(reason.contains("accept_id_token_audiences"), "{reason}");

    // Named: accepted, with both audiences in the validated claims.
    let tokens = login_with_claims(trusting_orders, audiences(&both, Some("the-client")))
        .await
        .expect("a trusted second audience with azp = this client");
    let claims = tokens.id_token_claims().expect("validated claims");
    assert_eq!(claims.audiences(), ["the-client", "orders-api"]);

    // Named, but nothing says the token was issued to this client.
    rejected(
        login_with_claims(trusting_orders, audiences(&both, None)).await,
        "no `azp`",
    );
    // Named, but issued to the other audience.
    rejected(
        login_with_claims(trusting_orders, audiences(&both, Some("orders-api"))).await,
        "`azp` is present and is not this client",
    );
    // Named, plus one that is not.
    rejected(
        login_with_claims(
            trusting_orders,
            audiences(
                &["the-client", "orders-api", "billing-api"],
                Some("the-client"),
            ),
        )
        .await,
        "untrusted audience",
    );
    // This client's ID missing altogether: the trusted audience alone is not enough.
    rejected(
        login_with_claims(
            trusting_orders,
            audiences(&["orders-api"], Some("the-client")),
        )
        .await,
        "`aud` must contain this client's ID",
    );
}

#[tokio::test]
async fn id_token_audiences_are_checked_by_new() {
    let peer = peer().await;
    for (audiences, says) in [
        (vec![""], "empty"),
        (vec![" orders-api"], "whitespace"),
        (vec!["the-client"], "own ID"),
    ] {
        let settings = peer_settings(&peer, "web-secret").accept_id_token_audiences(audiences);
        match Client::new(&WEB_OIDC, settings) {
            Err(crate::ConfigError::Invalid { reason }) => {
                assert!(reason.contains(says), "{reason}")
            }
            other => panic!("{says}: {:?}", other.map(|_| ())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A multi-tenant issuer (Microsoft Entra ID's `/common/v2.0`; issue 13 §3): the metadata names
// the template `…/{tenantid}/v2.0`, each ID token its own tenant's issuer and `tid`.

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// A fault peer publishing Entra-style metadata under `/common/v2.0`, and the issuer to
/// configure (`…/common/v2.0`).
async fn tenant_peer() -> (FaultPeer, String) {
    let peer = FaultPeer::start().await.expect("fault peer");
    let mut doc = common::metadata(&peer);
    doc["issuer"] = json!(format!("{}/{{tenantid}}/v2.0", peer.base()));
    // Entra announces no RFC 9207 `iss` in authorization responses.
    doc["authorization_response_iss_parameter_supported"] = json!(false);
    peer.on(
        "/common/v2.0/.well-known/openid-configuration",
        Reply::json(200, doc),
    );
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let issuer = format!("{}/common/v2.0", peer.base());
    (peer, issuer)
}

/// Logs in with an ID token whose claims `edit` sets (`iss`, `tid`), through a client whose
/// settings `settings` refines.
async fn tenant_login(
    settings: impl FnOnce(Settings<Confidential>) -> Settings<Confidential>,
    edit: impl FnOnce(&mut Value, &str),
) -> Result<TokenSet, Error> {
    let (peer, issuer) = tenant_peer().await;
    let client = Client::new(
        &WEB_OIDC,
        settings(peer_settings(&peer, "web-secret").issuer(&issuer)),
    )
    .expect("valid settings");
    let (url, pending) = client.authorize_url(None).await?;
    let nonce = query_param(&url, "nonce").expect("a nonce");
    let mut claims = id_claims(&peer, Some(&nonce));
    edit(&mut claims, &peer.base());
    peer.script(
        "/token",
        vec![token_reply("at-1", "rt-1", Some(sign_k1(&claims)))],
    );
    let callback = format!("code=code-1&state={}", pending.state());
    client.exchange_code(pending, &callback).await
}

fn of_tenant(tid: &'static str, iss_tenant: &'static str) -> impl FnOnce(&mut Value, &str) {
    move |claims, base| {
        claims["iss"] = json!(format!("{base}/{iss_tenant}/v2.0"));
        claims["tid"] = json!(tid);
    }
}

#[tokio::test]
async fn a_tenant_issuer_template_only_by_name() {
    // Strict: the metadata's issuer is not the configured one.
    let (peer, issuer) = tenant_peer().await;
    let strict = Client::new(
        &WEB_OIDC,
        peer_settings(&peer, "web-secret").issuer(&issuer),
    )
    .expect("valid settings");
    match strict.discover().await {
        Err(Error::Config(crate::ConfigError::IssuerMismatch { expected, found })) => {
            assert_eq!(expected, issuer);
            assert!(found.ends_with("/{tenantid}/v2.0"), "{found}");
        }
        other => panic!("{other:?}"),
    }

    // Named: a token of its own tenant's issuer, with `tid`, passes; the app sees the tenant.
    let tokens = tenant_login(Settings::accept_tenant_issuer, of_tenant(TENANT, TENANT))
        .await
        .expect("a token of tenant TENANT");
    let claims = tokens.id_token_claims().expect("validated claims");
    assert!(claims.issuer().ends_with(&format!("/{TENANT}/v2.0")));
    assert_eq!(claims.claim("tid"), Some(&json!(TENANT)));
}

#[tokio::test]
async fn a_tenant_issuer_must_match_the_tokens_own_tid() {
    let named = Settings::accept_tenant_issuer;
    // `iss` of another tenant than `tid` says.
    rejected(
        tenant_login(named, of_tenant(TENANT, "another-tenant")).await,
        "`iss` is not the issuer",
    );
    // No `tid`.
    rejected(
        tenant_login(named, |claims, base| {
            claims["iss"] = json!(format!("{base}/{TENANT}/v2.0"));
        })
        .await,
        "no `tid` claim",
    );
    // A `tid` that would splice a path into the issuer.
    rejected(
        tenant_login(named, of_tenant("a/b", "a/b")).await,
        "not a tenant identifier",
    );
    // The template itself, or the configured `common` issuer, is no token issuer.
    rejected(
        tenant_login(named, of_tenant(TENANT, "{tenantid}")).await,
        "`iss` is not the issuer",
    );
    rejected(
        tenant_login(named, of_tenant(TENANT, "common")).await,
        "`iss` is not the issuer",
    );
}
