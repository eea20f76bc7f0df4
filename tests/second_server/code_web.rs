//! `kind = "web"`: authorization code + PKCE for a confidential client at DOT — sign-in and
//! consent, RFC 9207 `iss`, the ID token validated through discovery + JWKS, refresh with
//! rotation, and the typed errors of a wrong secret and of a denied consent.

use oauthflow::{ClientSecret, Error, Settings, oauth_client};

use crate::browser::{Browser, Consent};
use crate::launcher::clients::WEB;
use crate::support::{confidential, dot, jwt_claims};

#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    scopes = ["openid", "profile", "read"],
    refresh_tokens = true,
)]
struct Portal;

fn query(url: &oauthflow::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn sign_in_id_token_and_refresh() {
    let dot = dot().await;
    let portal = Portal::new(confidential(dot, WEB)).unwrap();
    let (url, pending) = portal.authorize_url().await.unwrap();
    assert_eq!(
        query(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );

    let callback = Browser::new("alice").authorize(&url, Consent::Allow).await;
    assert_eq!(callback.path(), "/callback");
    // RFC 9207, with DOT's COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS.
    assert_eq!(query(&callback, "iss").as_deref(), Some(dot.issuer()));

    let tokens = portal
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap();
    let id = jwt_claims(tokens.id_token().expect("an ID token (openid)"));
    assert_eq!(id["iss"], dot.issuer());
    assert_eq!(id["aud"], WEB.0);
    assert!(
        tokens.refresh_token().is_some(),
        "DOT issues refresh tokens"
    );
    assert!(tokens.expires_at().is_some());

    let refreshed = portal.refresh(&tokens).await.unwrap();
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    let (old, new) = (
        tokens.refresh_token().unwrap().secret(),
        refreshed
            .refresh_token()
            .expect("a rotated refresh token")
            .secret(),
    );
    assert_ne!(old, new, "DOT rotates refresh tokens");
    // A second refresh with the rotated token works.
    portal.refresh(&refreshed).await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_at_the_token_endpoint() {
    let dot = dot().await;
    let settings = Settings::confidential(WEB.0, ClientSecret::new("not-the-secret".into()))
        .issuer(dot.issuer());
    let portal = Portal::new(settings).unwrap();
    let (url, pending) = portal.authorize_url().await.unwrap();
    let callback = Browser::new("bob").authorize(&url, Consent::Allow).await;
    let error = portal
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::OAuth { endpoint: "token", code, .. } if code.as_str() == "invalid_client"),
        "{error:?}"
    );
}

/// DOT sends the denial as `error=access_denied&state=...` **without `iss`**, although its
/// metadata announces `authorization_response_iss_parameter_supported` (RFC 9207 §2 puts `iss`
/// in error responses too). oauthflow refuses any response without `iss` from such a server
/// (RFC 9207 §2.4) before reading `error`: the app gets `MissingIssuer`, not `access_denied`
/// (the code is in it, unverified, for diagnostics). With
/// `Settings::accept_error_response_without_iss` the app gets DOT's `access_denied`.
#[tokio::test]
async fn denied_consent_without_iss_is_missing_issuer() {
    let dot = dot().await;
    let portal = Portal::new(confidential(dot, WEB)).unwrap();
    let (url, pending) = portal.authorize_url().await.unwrap();
    let callback = Browser::new("bob").authorize(&url, Consent::Deny).await;
    assert_eq!(query(&callback, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        query(&callback, "iss"),
        None,
        "DOT now sends `iss` on errors: update the README's compatibility table"
    );
    let error = portal
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap_err();
    match &error {
        Error::MissingIssuer {
            unverified_error: Some(code),
        } => assert_eq!(code.as_str(), "access_denied"),
        other => panic!("{other:?}"),
    }

    // The same denial, accepted by name: DOT's error, typed.
    let lenient = Portal::new(confidential(dot, WEB).accept_error_response_without_iss()).unwrap();
    let (url, pending) = lenient.authorize_url().await.unwrap();
    let callback = Browser::new("bob").authorize(&url, Consent::Deny).await;
    assert_eq!(query(&callback, "iss"), None);
    let error = lenient
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::OAuth {
                endpoint: "authorization",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.oauth_code(), Some("access_denied"));

    // A successful sign-in still needs (and gets) `iss` with the setting on.
    let (url, pending) = lenient.authorize_url().await.unwrap();
    let callback = Browser::new("bob").authorize(&url, Consent::Allow).await;
    assert_eq!(query(&callback, "iss").as_deref(), Some(dot.issuer()));
    lenient
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap();
}

#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    scopes = ["read"],
    audience_param = "resource",
    audiences = ["https://api.example.com/orders"],
)]
struct OrdersPortal;

/// RFC 8707 on the code flow: `resource` on the authorization and the token request; DOT binds
/// the access token to it (introspection's `aud`).
#[tokio::test]
async fn resource_indicator_on_the_code_flow() {
    let dot = dot().await;
    let portal = OrdersPortal::new(confidential(dot, WEB)).unwrap();
    let (url, pending) = portal
        .authorize_url(OrdersPortalAudience::Orders)
        .await
        .unwrap();
    assert_eq!(
        query(&url, "resource").as_deref(),
        Some(OrdersPortalAudience::Orders.as_str())
    );
    let callback = Browser::new("ivan").authorize(&url, Consent::Allow).await;
    let tokens = portal
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap();
    let info = crate::support::introspect(dot, tokens.access_token().secret()).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(
        info["aud"],
        serde_json::json!([OrdersPortalAudience::Orders.as_str()]),
        "{info}"
    );
}
