//! R35: secrets and tokens never appear in `Debug`, `Display`, errors or `tracing` output (captured
//! at TRACE, including reqwest's and hyper's events), nor do URLs with their query.

use super::common;

use std::time::Duration;

use crate::{ClientSecret, Error, SecretString, Settings};
use common::Client;
use common::*;
use oauthflow_devserver::fault::Reply;
use serde_json::json;

const CLIENT_SECRET: &str = "cs-SECRET-a1";
const ACCESS_TOKEN: &str = "at-SECRET-b2";
const REFRESH_TOKEN: &str = "rt-SECRET-c3";
const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJTRUNSRVQtZDQifQ.c2lnLVNFQ1JFVC1kNA";
const PASSWORD: &str = "pw-SECRET-e5";
const CODE: &str = "code-SECRET-f6";
const QUERY_SECRET: &str = "q-SECRET-g7";

#[tokio::test]
async fn r35_no_secret_in_debug_display_or_logs() {
    let logs = capture_logs();
    // The `log` bridge is installed: a `log` record reaches the captured output.
    log::warn!("log-bridge-marker-7c1");
    assert!(
        logs.text().contains("log-bridge-marker-7c1"),
        "`log` records are captured"
    );
    let mut shown: Vec<String> = Vec::new();
    let mut secrets: Vec<String> = [
        CLIENT_SECRET,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        ID_TOKEN,
        PASSWORD,
        CODE,
        QUERY_SECRET,
    ]
    .map(str::to_owned)
    .to_vec();

    // Client credentials, happy and failing.
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            Reply::json(200, json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600, "refresh_token": REFRESH_TOKEN})),
            Reply::json(400, json!({"error": "invalid_client"})),
        ],
    );
    let machine = confidential(&MACHINE, &peer, CLIENT_SECRET);
    let token = machine
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap();
    shown.push(format!("{token:?}"));
    shown.push(format!("{machine:?}"));
    let err = machine
        .client_credentials_token(Some(BILLING))
        .await
        .unwrap_err();
    shown.push(format!("{err} {err:?}"));

    // Code flow with refresh; the state, verifier and nonce come from the requests.
    let peer = peer_with(|_| {}).await;
    peer.script(
        "/token",
        vec![
            Reply::json(200, json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600, "refresh_token": REFRESH_TOKEN, "id_token": ID_TOKEN})),
            Reply::json(400, json!({"error": "invalid_grant"})),
        ],
    );
    let settings =
        Settings::confidential("web", ClientSecret::new(CLIENT_SECRET.into())).issuer(peer.base());
    shown.push(format!("{settings:?}"));
    let web = Client::new(&WEB, settings).unwrap();
    let (url, pending) = web.authorize_url(Some(ORDERS)).await.unwrap();
    secrets.push(pending.state().to_owned());
    shown.push(format!("{pending:?}"));
    let wrong = web
        .exchange_code(pending.clone(), &callback("forged", CODE, &peer.base()))
        .await
        .unwrap_err();
    shown.push(format!("{wrong} {wrong:?}"));
    let bad_iss = web
        .exchange_code(
            pending.clone(),
            &callback(pending.state(), CODE, "https://evil.example"),
        )
        .await
        .unwrap_err();
    shown.push(format!("{bad_iss} {bad_iss:?}"));
    let tokens = redeem(&web, &pending, CODE, &peer).await.unwrap();
    secrets.push(
        peer.requests_to("/token")[0]
            .param("code_verifier")
            .unwrap(),
    );
    shown.push(format!("{tokens:?}"));
    let refreshed = web.refresh(&tokens).await.unwrap_err();
    shown.push(format!("{refreshed} {refreshed:?}"));
    assert!(
        url.as_str().contains(pending.state()),
        "sanity: the state is in the front-channel URL"
    );

    // Password grant, failing after the request was sent, and a timeout.
    let peer = peer_with(|_| {}).await;
    peer.script(
        "/token",
        vec![
            Reply::json(400, json!({"error": "invalid_grant"})),
            Reply::stall(),
        ],
    );
    let trusted = Client::new(
        &TRUSTED,
        peer_settings(&peer, CLIENT_SECRET).request_timeout(Duration::from_millis(200)),
    )
    .unwrap();
    let password = SecretString::from(PASSWORD.to_owned());
    shown.push(format!("{password:?}"));
    for _ in 0..2 {
        let err = trusted
            .password_token("alice", &password, Some(ORDERS))
            .await
            .unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }

    // A transport error on an endpoint whose URL has a query.
    let peer = peer_with(|m| {
        m["token_endpoint"] = json!(format!(
            "{}?tenant={QUERY_SECRET}",
            m["token_endpoint"].as_str().unwrap()
        ));
    })
    .await;
    peer.on("/token", Reply::close());
    let machine = confidential(&MACHINE, &peer, CLIENT_SECRET);
    let err = machine
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    shown.push(format!("{err} {err:?}"));

    let logs = logs.text();
    assert!(
        logs.contains("oauthflow"),
        "the subscriber captured our events"
    );
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "`{secret}` in the logs");
        for text in &shown {
            assert!(!text.contains(secret.as_str()), "`{secret}` in `{text}`");
        }
    }
    // The password never reached the logs in any encoding either.
    assert!(!logs.contains("pw-SECRET"));
}

/// R25: a public client that gets its refresh token back unchanged warns.
#[tokio::test]
async fn r25_public_client_non_rotation_warning() {
    let logs = capture_logs();
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            Reply::json(200, json!({"access_token": "a1", "token_type": "bearer", "expires_in": 60, "refresh_token": "same-rt"})),
            Reply::json(200, json!({"access_token": "a2", "token_type": "bearer", "expires_in": 60, "refresh_token": "same-rt"})),
        ],
    );
    let client = public(&SPA, &peer);
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let cb = callback(pending.state(), "c", &peer.base());
    let tokens = client.exchange_code(pending, &cb).await.unwrap();
    let refreshed = client.refresh(&tokens).await.unwrap();
    assert_eq!(refreshed.access_token().secret(), "a2");
    assert!(
        logs.text().contains("not rotating refresh tokens"),
        "warning logged"
    );
}
