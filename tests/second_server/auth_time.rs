//! The deviation issue 13 starts from, seen at DOT: its ID tokens carry the user's *latest*
//! sign-in (Django's `last_login`, of any session) as `auth_time`, also in refresh responses.
//! Once the user has signed in anywhere else, a refresh's ID token names another authentication
//! than the original (OIDC Core §12.2 wants the same `auth_time`): oauthflow refuses that ID
//! token, strictly, but keeps what DOT committed — the new access token and the rotated refresh
//! token — in `Error::CommittedButUnverified`. With
//! `Settings::accept_changed_auth_time_on_refresh` the refreshed ID token is accepted, with
//! the new `auth_time`.

use std::time::Duration;

use oauthflow::{Error, oauth_client};

use crate::browser::{Browser, Consent};
use crate::launcher::clients::WEB;
use crate::support::{confidential, dot, jwt_claims};

#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    scopes = ["openid"],
    refresh_tokens = true,
)]
struct Portal;

#[tokio::test]
async fn a_sign_in_elsewhere_changes_auth_time_in_refresh_id_tokens() {
    let dot = dot().await;
    let portal = Portal::new(confidential(dot, WEB)).unwrap();
    let (url, pending) = portal.authorize_url().await.unwrap();
    let callback = Browser::new("heidi").authorize(&url, Consent::Allow).await;
    let tokens = portal
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap();
    let auth_time = jwt_claims(tokens.id_token().unwrap())["auth_time"].clone();
    assert!(auth_time.is_number(), "DOT sends auth_time");

    // `auth_time` has whole seconds: sign in again in another session a second later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (url, _elsewhere) = portal.authorize_url().await.unwrap();
    Browser::new("heidi").authorize(&url, Consent::Allow).await;

    let error = portal.refresh(&tokens).await.unwrap_err();
    match error.check_failed() {
        Error::IdTokenInvalid { reason } => assert!(reason.contains("auth_time"), "{reason}"),
        other => panic!("expected the auth_time check, got {other:?}"),
    }
    let kept = error
        .into_committed_tokens()
        .expect("the committed tokens are kept");
    assert!(kept.id_token().is_none(), "the ID token is withheld");
    let rotated = kept.refresh_token().expect("the rotated refresh token");
    assert_ne!(rotated.secret(), tokens.refresh_token().unwrap().secret());

    // The kept refresh token is the live one: refreshing with it works at DOT. The kept set has
    // no ID token to compare with, so the next refreshed ID token is validated on its own.
    let next = portal.refresh(&kept).await.unwrap();
    assert!(next.id_token().is_some());
}

/// The same deviation, accepted by name: the refresh succeeds and its ID token carries DOT's new
/// `auth_time` (every other OIDC Core §12.2 check passed).
#[tokio::test]
async fn a_changed_auth_time_is_accepted_by_name() {
    let dot = dot().await;
    let portal = Portal::new(confidential(dot, WEB).accept_changed_auth_time_on_refresh()).unwrap();
    let (url, pending) = portal.authorize_url().await.unwrap();
    let callback = Browser::new("judy").authorize(&url, Consent::Allow).await;
    let tokens = portal
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap();
    let before = tokens.id_token_claims().unwrap().auth_time().unwrap();

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (url, _elsewhere) = portal.authorize_url().await.unwrap();
    Browser::new("judy").authorize(&url, Consent::Allow).await;

    let refreshed = portal.refresh(&tokens).await.expect("accepted by name");
    let after = refreshed.id_token_claims().unwrap().auth_time().unwrap();
    assert!(
        after > before,
        "DOT changed `auth_time`: {before:?} -> {after:?}"
    );
    assert_eq!(
        refreshed.id_token_claims().unwrap().subject(),
        tokens.id_token_claims().unwrap().subject()
    );
}
