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

#[oauth_client(
    kind = "trusted",
    redirect_unavailable = "a test of the password grant against a second server",
    scopes = ["openid", "read"],
    refresh_tokens = true,
)]
struct OidcKiosk;

/// DOT's password grant is plain OAuth (oauthlib's, not OpenID): no ID token even with
/// `openid`; its refresh grant is OpenID-aware and sends one. oauthflow requires none from the
/// password grant, and validates the refreshed one in full (signature, `iss`, `aud`, `exp`) —
/// with no original ID token to compare `sub` and `auth_time` with.
#[tokio::test]
async fn password_with_openid_gets_an_id_token_only_on_refresh() {
    let dot = dot().await;
    let kiosk = OidcKiosk::new(confidential(dot, TRUSTED)).unwrap();
    let tokens = kiosk
        .password_token("ivan", &SecretString::from(PASSWORD.to_owned()))
        .await
        .unwrap();
    assert!(tokens.id_token().is_none(), "DOT sends no ID token here");
    let refreshed = kiosk.refresh(&tokens).await.unwrap();
    let id = crate::support::jwt_claims(refreshed.id_token().expect("an ID token on refresh"));
    assert_eq!(id["iss"], dot.issuer());
    assert_eq!(id["aud"], TRUSTED.0);
}

/// `Settings::omit_offline_access()`: for servers that refuse `offline_access` as unknown (DOT
/// does unless it is registered in `SCOPES`, as `tests/django` does) and issue refresh tokens
/// without it. The request then asks for `read` only, and DOT still issues a refresh token that
/// works.
#[tokio::test]
async fn refresh_tokens_without_offline_access_by_name() {
    let dot = dot().await;
    let strict = Kiosk::new(confidential(dot, TRUSTED)).unwrap();
    let tokens = strict
        .password_token("frank", &SecretString::from(PASSWORD.to_owned()))
        .await
        .unwrap();
    let info = introspect(dot, tokens.access_token().secret()).await;
    assert_eq!(info["scope"], "read offline_access", "{info}");

    let lenient = Kiosk::new(confidential(dot, TRUSTED).omit_offline_access()).unwrap();
    let tokens = lenient
        .password_token("frank", &SecretString::from(PASSWORD.to_owned()))
        .await
        .unwrap();
    let info = introspect(dot, tokens.access_token().secret()).await;
    assert_eq!(info["scope"], "read", "{info}");
    assert_eq!(tokens.scopes(), ["read"]);
    let refreshed = lenient
        .refresh(&tokens)
        .await
        .expect("a refresh token without offline_access");
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );
}
