//! Native loopback login against the real oidc-provider (`native-client`, R32): the listener
//! gets an ephemeral port, the provider redirects to it (any port is accepted on loopback),
//! forged callbacks are refused while it waits, the real one is delivered with a plain GET, and
//! the code it carries is redeemed (by hand here: the code exchange is `Client`'s job).

use super::common;

use std::collections::HashMap;
use std::time::Duration;

use crate::loopback::Listener;
use common::raw_http;
use oauth2::PkceCodeChallenge;
use oauthflow_devserver::{DevProvider, clients};
use tokio::net::TcpStream;

#[tokio::test]
async fn loopback_login_against_oidc_provider() {
    let provider = DevProvider::start().await.expect("provider");
    let client = clients::NATIVE;
    let listener = Listener::bind(client.redirect_uri.unwrap()).await.unwrap();
    let port = listener.port();
    let redirect_uri = listener.redirect_uri().to_owned();
    assert_eq!(redirect_uri, format!("http://127.0.0.1:{port}/callback"));

    let state = oauth2::CsrfToken::new_random().secret().clone();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut authorize = provider.authorization_endpoint();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", client.id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("state", &state)
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");

    let waiting = tokio::spawn(listener.wait_for_callback(&state, Duration::from_secs(30)));
    // (a) a forged callback with the wrong state, (b) a DNS-rebinding Host: both 404.
    let host = format!("127.0.0.1:{port}");
    let (forged, _) = raw_http(
        port,
        &format!("GET /callback?code=evil&state=wrong HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    )
    .await;
    assert_eq!(forged, 404);
    let (rebound, _) = raw_http(
        port,
        &format!("GET /callback?code=evil&state={state} HTTP/1.1\r\nHost: evil.test\r\n\r\n"),
    )
    .await;
    assert_eq!(rebound, 404);
    // (c) the real login on the provider, then the browser's GET to the loopback redirect.
    let location = provider.login(&authorize).await.expect("login");
    assert!(location.as_str().starts_with(&redirect_uri), "{location}");
    let page = reqwest::get(location.as_str()).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let query = waiting.await.unwrap().expect("callback");
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params["state"], state);
    assert_eq!(params["iss"], provider.issuer(), "RFC 9207 iss");
    // The listener is closed.
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());

    // Redeem the code with the same redirect URI (R10) and the PKCE verifier.
    let response: serde_json::Value = reqwest::Client::new()
        .post(provider.token_endpoint())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", params["code"].as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("client_id", client.id),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(response["access_token"].is_string(), "{response}");
}
