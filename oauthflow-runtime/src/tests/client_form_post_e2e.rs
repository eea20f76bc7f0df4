//! `Client` end to end for implicit with form post (`spa` with `access_token = false`) against
//! the real oidc-provider (`spa-login-client`): `authorize_url` → the provider's auto-submitting
//! form → `verify_form_post` (R22, R34).

use super::common;
use super::id_token_support;

use std::collections::HashMap;

use crate::spec::ClientSpec;
use crate::{Error, Flow, Kind, Settings};
use common::Client;
use common::{dev_public, query_param};
use id_token_support::rejected;
use oauthflow_devserver::{DevProvider, clients, users};

// No issuer or endpoints in the spec: discovery at the configured issuer.
static SPA_LOGIN: ClientSpec =
    ClientSpec::new("SpaLogin", Kind::Spa, Flow::ImplicitFormPost, "SPA_LOGIN")
        .scopes(&["openid", "email"])
        .redirect_uri("https://127.0.0.1/callback");

fn form(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn encode(params: &HashMap<String, String>) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

#[tokio::test]
async fn client_form_post_e2e() {
    let provider = DevProvider::start().await.expect("provider");
    let client = dev_public(&SPA_LOGIN, &provider, clients::SPA_LOGIN);

    let (url, pending) = client.authorize_url(None).await.unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "id_token");
    assert_eq!(query["response_mode"], "form_post");
    let nonce = query["nonce"].clone();

    let (action, body) = provider.login_form_post(&url).await.expect("form post");
    assert_eq!(action.as_str(), SPA_LOGIN.redirect_uri.unwrap());
    assert!(form(&body).contains_key("id_token"));

    let claims = client
        .verify_form_post(pending.clone(), &body)
        .await
        .expect("a valid ID token from oidc-provider");
    assert_eq!(claims.subject(), users::ALICE);
    assert_eq!(claims.issuer(), provider.issuer());
    assert!(
        claims
            .audiences()
            .iter()
            .any(|a| a == clients::SPA_LOGIN.id),
        "{:?}",
        claims.audiences()
    );
    assert_eq!(claims.nonce(), Some(nonce.as_str()));
    assert_eq!(
        claims.claim("email").and_then(|v| v.as_str()),
        Some(users::ALICE_EMAIL)
    );

    // The same body with a tampered state is refused before anything else.
    let mut tampered = form(&body);
    tampered.insert("state".into(), format!("{}x", pending.state()));
    let result = client
        .verify_form_post(pending.clone(), &encode(&tampered))
        .await;
    assert!(matches!(result, Err(Error::StateMismatch)), "{result:?}");
    tampered.remove("state");
    let result = client
        .verify_form_post(pending.clone(), &encode(&tampered))
        .await;
    assert!(matches!(result, Err(Error::StateMismatch)), "{result:?}");

    // Another login's pending authorization (other state and nonce) does not accept it either:
    // the state binds the response, and with the state swapped in, the nonce binds the token.
    let (_, other) = client.authorize_url(None).await.unwrap();
    let result = client.verify_form_post(other.clone(), &body).await;
    assert!(matches!(result, Err(Error::StateMismatch)), "{result:?}");
    let mut swapped = form(&body);
    swapped.insert("state".into(), other.state().to_owned());
    rejected(
        client.verify_form_post(other, &encode(&swapped)).await,
        "nonce",
    );
}

/// A pending authorization of another client is refused (R17).
#[tokio::test]
async fn client_form_post_refuses_foreign_pending() {
    let provider = DevProvider::start().await.expect("provider");
    let client = dev_public(&SPA_LOGIN, &provider, clients::SPA_LOGIN);
    let other = Client::new(
        &SPA_LOGIN,
        Settings::public("another-spa").issuer(provider.issuer()),
    )
    .unwrap();
    let (url, pending) = other.authorize_url(None).await.unwrap();
    let body = format!(
        "id_token=x.y.z&state={}",
        query_param(&url, "state").unwrap()
    );
    let result = client.verify_form_post(pending, &body).await;
    assert!(
        matches!(result, Err(Error::PendingMismatch { .. })),
        "{result:?}"
    );
    // The implicit flow takes no audience: its handle's `authorize_url` has no such parameter.
}

/// RFC 9207 §2.4 on the form post: oidc-provider announces `iss`, so an error response without
/// it is refused, and with it the server's error comes through; a response with an ID token
/// needs no `iss` parameter (oidc-provider sends none there: `client_form_post_e2e` above).
#[tokio::test]
async fn form_post_error_without_announced_iss_is_refused() {
    let provider = DevProvider::start().await.expect("provider");
    let client = dev_public(&SPA_LOGIN, &provider, clients::SPA_LOGIN);
    let (_, pending) = client.authorize_url(None).await.unwrap();
    let state = pending.state().to_owned();
    let without_iss = format!("error=access_denied&state={state}");
    let result = client.verify_form_post(pending.clone(), &without_iss).await;
    assert!(
        matches!(result, Err(Error::MissingIssuer { .. })),
        "{result:?}"
    );
    let with_iss = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", "access_denied")
        .append_pair("state", &state)
        .append_pair("iss", provider.issuer())
        .finish();
    let result = client.verify_form_post(pending, &with_iss).await;
    assert_eq!(
        result.as_ref().err().and_then(Error::oauth_code),
        Some("access_denied"),
        "{result:?}"
    );
}
