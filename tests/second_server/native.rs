//! `kind = "native"`: authorization code + PKCE through `login_via_loopback` (RFC 8252 §7.3: DOT
//! accepts the ephemeral port on its registered `http://127.0.0.1/callback`).

use oauthflow::oauth_client;

use crate::browser::{Browser, Consent};
use crate::launcher::clients::NATIVE;
use crate::support::{dot, jwt_claims, public};

#[oauth_client(
    kind = "native",
    redirect_uri = "http://127.0.0.1/callback",
    scopes = ["openid", "read"],
    refresh_tokens = true,
)]
struct NotesCli;

#[tokio::test]
async fn loopback_login_and_refresh() {
    let dot = dot().await;
    let cli = NotesCli::new(public(dot, NATIVE)).unwrap();
    let mut browser = None;
    let tokens = cli
        .login_via_loopback(|url| {
            // The "system browser": signs in, consents, and delivers the response to the port
            // oauthflow bound.
            let url = url.clone();
            browser = Some(tokio::spawn(async move {
                let browser = Browser::new("dave");
                let callback = browser.authorize(&url, Consent::Allow).await;
                assert_eq!(callback.host_str(), Some("127.0.0.1"));
                assert!(callback.port().is_some(), "the bound port");
                browser.get(&callback).await.status
            }));
        })
        .await
        .unwrap();
    let page = browser.expect("the URL was opened").await.unwrap();
    assert!(page.is_success(), "the loopback page: {page}");
    assert_eq!(jwt_claims(tokens.id_token().unwrap())["aud"], NATIVE);
    let refreshed = cli.refresh(&tokens).await.unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );
}
