//! Implicit with form post against the real oidc-provider (`spa-login-client`): the provider's
//! auto-submitting form is captured and its body handed to `form_post::verify` (R22, R34).

use super::id_token_support;

use std::collections::HashMap;

use crate::Error;
use crate::form_post;
use crate::id_token::{IdTokenValidation, JwksCache};
use id_token_support::{http, rejected};
use oauthflow_devserver::{DevProvider, clients, users};

#[tokio::test]
async fn form_post_login_against_oidc_provider() {
    let provider = DevProvider::start().await.expect("provider");
    let issuer = provider.issuer().to_owned();
    let client = clients::SPA_LOGIN;
    let redirect = client.redirect_uri.unwrap();
    let jwks = JwksCache::new(provider.jwks_uri().as_str());
    let http = http();

    let (url, pending) = form_post::authorize_url(
        provider.authorization_endpoint().as_str(),
        &issuer,
        client.id,
        redirect,
        &["email"],
    )
    .unwrap();
    let (action, body) = provider.login_form_post(&url).await.expect("form post");
    assert_eq!(action.as_str(), redirect);
    let posted: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert!(posted.contains_key("id_token"), "{:?}", posted.keys());
    form_post::check_request("POST", Some("application/x-www-form-urlencoded"), None).unwrap();

    let validation = IdTokenValidation::new(&issuer, client.id);
    let claims = form_post::verify(&body, pending.clone(), &validation, &jwks, &http)
        .await
        .expect("valid ID token from oidc-provider");
    assert_eq!(claims.subject(), users::ALICE);
    assert_eq!(claims.issuer(), issuer);
    assert_eq!(claims.audiences(), [client.id.to_owned()]);
    assert_eq!(
        claims.claim("email").and_then(|v| v.as_str()),
        Some(users::ALICE_EMAIL)
    );

    // Replaying the same response for another login (other state and nonce) fails on state.
    let (_, other_pending) = form_post::authorize_url(
        provider.authorization_endpoint().as_str(),
        &issuer,
        client.id,
        redirect,
        &[],
    )
    .unwrap();
    let replay = form_post::verify(&body, other_pending.clone(), &validation, &jwks, &http).await;
    assert!(matches!(replay, Err(Error::StateMismatch)), "{replay:?}");
    // Even with the state swapped in, the nonce binds the ID token to its own login.
    let swapped = format!(
        "id_token={}&state={}",
        posted["id_token"],
        other_pending.state()
    );
    let replay = form_post::verify(&swapped, other_pending, &validation, &jwks, &http).await;
    rejected(replay, "nonce");
    // Another client does not accept the token (its `aud` is spa-login-client).
    let (_, pending_for_other) = form_post::authorize_url(
        provider.authorization_endpoint().as_str(),
        &issuer,
        clients::SPA.id,
        redirect,
        &[],
    )
    .unwrap();
    let body = format!(
        "id_token={}&state={}",
        posted["id_token"],
        pending_for_other.state()
    );
    let wrong_client = IdTokenValidation::new(&issuer, clients::SPA.id);
    let result = form_post::verify(&body, pending_for_other, &wrong_client, &jwks, &http).await;
    assert!(
        matches!(result, Err(Error::IdTokenInvalid { .. })),
        "{result:?}"
    );
    let _ = pending;
}
