//! `Client::login_via_loopback` end to end against the real oidc-provider (`native-client`,
//! R32): the `open` closure plays the system browser — it first sends a forged callback and a
//! DNS-rebinding `Host` (both refused while the listener keeps waiting), then signs in on the
//! provider and follows the redirect to the loopback listener — and the code is redeemed.

use super::common;

use std::time::Duration;

use crate::spec::ClientSpec;
use crate::{AudienceParam, ConfigError, Error, Flow, Kind, Settings, Url};
use common::Client;
use common::{dev_public, dev_public_settings, query_param, raw_http};
use oauthflow_devserver::{DevProvider, clients, jwt, users};
use tokio::net::TcpStream;

// No issuer or endpoints in the spec: discovery at the configured issuer.
static NATIVE: ClientSpec = ClientSpec::new(
    "DesktopApp",
    Kind::Native,
    Flow::AuthorizationCodePkce,
    "DESKTOP_APP",
)
.audience_param(AudienceParam::Resource)
.scopes(&["openid"])
.redirect_uri("http://127.0.0.1/callback")
.refresh_tokens();

fn param(url: &Url, name: &str) -> String {
    query_param(url, name).unwrap_or_else(|| panic!("no `{name}` in {url}"))
}

#[tokio::test]
async fn client_loopback_e2e() {
    let provider = DevProvider::start().await.expect("provider");
    let client = dev_public(&NATIVE, &provider, clients::NATIVE);

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
                let (forged, _) = raw_http(
                    port,
                    &format!(
                        "GET /callback?code=evil&state=wrong HTTP/1.1\r\nHost: {host}\r\n\r\n"
                    ),
                )
                .await;
                let (rebound, _) = raw_http(
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
    let claims = jwt::payload(id_token);
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
        dev_public_settings(&provider, clients::NATIVE)
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

/// Only `native` clients have a loopback login: the native handle refuses any other kind (and
/// other clients have no `login_via_loopback`, `tests/ui/fail/16-steps`).
#[tokio::test]
async fn loopback_login_is_native_only() {
    use crate::flows::{NativeFlow, NoRefresh, new};
    static SPA: ClientSpec = ClientSpec {
        struct_name: "SpaApp",
        kind: Kind::Spa,
        redirect_uri: Some("http://127.0.0.1:5173/callback"),
        ..NATIVE
    };
    let client: Result<NativeFlow<NoRefresh>, _> = new(
        &SPA,
        Settings::public(clients::SPA.id).issuer("http://127.0.0.1:9"),
    );
    assert!(
        matches!(client, Err(ConfigError::Invalid { .. })),
        "{client:?}"
    );
}
