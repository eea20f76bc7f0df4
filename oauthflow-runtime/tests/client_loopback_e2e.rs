//! `Client::login_via_loopback` end to end against the real oidc-provider (`native-client`,
//! R32): the `open` closure plays the system browser — it first sends a forged callback and a
//! DNS-rebinding `Host` (both refused while the listener keeps waiting), then signs in on the
//! provider and follows the redirect to the loopback listener — and the code is redeemed.

use std::time::Duration;

use base64::Engine as _;
use oauthflow_devserver::{DevProvider, clients, users};
use oauthflow_runtime::__private::{Client, ClientSpec};
use oauthflow_runtime::{AudienceParam, Error, Flow, Kind, Settings, Url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

static NATIVE: ClientSpec = ClientSpec {
    struct_name: "DesktopApp",
    kind: Kind::Native,
    flow: Flow::AuthorizationCodePkce,
    issuer: None,
    authorization_endpoint: None,
    token_endpoint: None,
    device_authorization_endpoint: None,
    jwks_uri: None,
    audiences: &[],
    audience_param: AudienceParam::Resource,
    scopes: &["openid"],
    redirect_uri: Some("http://127.0.0.1/callback"),
    refresh_tokens: true,
    env_prefix: "DESKTOP_APP",
};

async fn raw_status(port: u16, request: &str) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn param(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no `{name}` in {url}"))
}

#[tokio::test]
async fn client_loopback_e2e() {
    let provider = DevProvider::start().await.expect("provider");
    let client = Client::new(
        &NATIVE,
        Settings::public(clients::NATIVE.id).issuer(provider.issuer()),
    )
    .unwrap();

    let browser = provider.browser();
    let mut user_agent = None;
    let mut opened = None;
    let tokens = client
        .login_via_loopback(None, |url| {
            opened = Some(url.clone());
            let url = url.clone();
            user_agent = Some(tokio::spawn(async move {
                let redirect_uri = Url::parse(&param(&url, "redirect_uri")).unwrap();
                let port = redirect_uri.port().expect("the bound port");
                let host = format!("127.0.0.1:{port}");
                let state = param(&url, "state");
                // (a) a forged callback with the wrong state, (b) DNS rebinding: both 404.
                let forged = raw_status(
                    port,
                    &format!(
                        "GET /callback?code=evil&state=wrong HTTP/1.1\r\nHost: {host}\r\n\r\n"
                    ),
                )
                .await;
                let rebound = raw_status(
                    port,
                    &format!(
                        "GET /callback?code=evil&state={state} HTTP/1.1\r\nHost: evil.test\r\n\r\n"
                    ),
                )
                .await;
                // (c) the real sign-in, then the browser's GET to the loopback redirect.
                let location = browser.login(&url).await.expect("login and consent");
                assert!(location.as_str().starts_with(redirect_uri.as_str()));
                let page = reqwest::get(location.as_str()).await.unwrap();
                (port, forged, rebound, page.status().as_u16())
            }));
        })
        .await
        .expect("tokens from the loopback login");
    let (port, forged, rebound, page) = user_agent.unwrap().await.unwrap();
    assert_eq!((forged, rebound, page), (404, 404, 200));

    let url = opened.unwrap();
    assert_eq!(
        param(&url, "redirect_uri"),
        format!("http://127.0.0.1:{port}/callback")
    );
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    assert!(!param(&url, "nonce").is_empty(), "openid: a nonce is sent");
    assert!(!tokens.access_token().secret().is_empty());
    assert!(tokens.refresh_token().is_some());
    let id_token = tokens.id_token().expect("openid: a validated ID token");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id_token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], users::ALICE);
    assert_eq!(claims["aud"], clients::NATIVE.id);
    assert_eq!(claims["nonce"], param(&url, "nonce"));
    // The listener is closed once the callback arrived.
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

/// Nobody comes back: the configured timeout ends the wait and closes the port.
#[tokio::test]
async fn client_loopback_times_out() {
    let provider = DevProvider::start().await.expect("provider");
    let client = Client::new(
        &NATIVE,
        Settings::public(clients::NATIVE.id)
            .issuer(provider.issuer())
            .loopback_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let mut port = None;
    let result = client
        .login_via_loopback(None, |url| {
            port = Url::parse(&param(url, "redirect_uri")).unwrap().port();
        })
        .await;
    assert!(matches!(result, Err(Error::Loopback { .. })), "{result:?}");
    assert!(
        TcpStream::connect(("127.0.0.1", port.unwrap()))
            .await
            .is_err()
    );
}

/// Only `native` clients have a loopback login.
#[tokio::test]
async fn loopback_login_is_native_only() {
    static SPA: ClientSpec = ClientSpec {
        struct_name: "SpaApp",
        kind: Kind::Spa,
        redirect_uri: Some("http://127.0.0.1:5173/callback"),
        ..NATIVE
    };
    let client = Client::new(
        &SPA,
        Settings::public(clients::SPA.id).issuer("http://127.0.0.1:9"),
    )
    .unwrap();
    let mut called = false;
    let result = client.login_via_loopback(None, |_| called = true).await;
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    assert!(!called);
}
