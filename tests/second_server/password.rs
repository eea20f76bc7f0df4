//! `kind = "trusted"`: the resource owner password credentials grant (RFC 6749 §4.3) at DOT.

use oauthflow::{Error, SecretString, oauth_client};

use crate::launcher::clients::{PASSWORD, TRUSTED};
use crate::support::{confidential, dot, introspect};

#[oauth_client(
    kind = "trusted",
    redirect_unavailable = "a test of the password grant against a second server",
    scopes = ["read"],
    refresh_tokens = true,
)]
struct Kiosk;

#[tokio::test]
async fn password_token_and_refresh() {
    let dot = dot().await;
    let kiosk = Kiosk::new(confidential(dot, TRUSTED)).unwrap();
    let tokens = kiosk
        .password_token("frank", &SecretString::from(PASSWORD.to_owned()))
        .await
        .unwrap();
    let info = introspect(dot, tokens.access_token().secret()).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["username"], "frank", "{info}");
    let refreshed = kiosk.refresh(&tokens).await.unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );
}

#[tokio::test]
async fn a_wrong_password_is_invalid_grant() {
    let dot = dot().await;
    let kiosk = Kiosk::new(confidential(dot, TRUSTED)).unwrap();
    let error = kiosk
        .password_token("frank", &SecretString::from("not-the-password".to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::OAuth { endpoint: "token", code, .. } if code.as_str() == "invalid_grant"),
        "{error:?}"
    );
}
