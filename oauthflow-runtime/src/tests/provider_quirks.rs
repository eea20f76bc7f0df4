//! Provider quirks (issue 13 §3) against the fault peer: each deviation refused by default,
//! accepted only with the setting that names it, with one debug event naming the quirk, and
//! nothing else relaxed. (A changed `auth_time` on refresh is in `client_id_token`, beside the
//! other §12.2 checks.)

use super::common;

use std::time::{Duration, SystemTime};

use crate::{ClientSecret, Error, Settings};
use common::Client;
use common::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::{Value, json};

/// A `web` client of `peer` (which announces `authorization_response_iss_parameter_supported`)
/// with `quirks` applied to its settings.
fn web_with(
    peer: &FaultPeer,
    quirks: impl FnOnce(Settings<crate::Confidential>) -> Settings<crate::Confidential>,
) -> Client {
    let settings = Settings::confidential("the-client", ClientSecret::new("web-secret".into()))
        .issuer(peer.base());
    Client::new(&WEB, quirks(settings)).expect("valid settings")
}

/// Runs `body` with a thread-local subscriber (the tests are current-thread runtimes) and
/// returns what it logged.
async fn logged<T>(body: impl std::future::Future<Output = T>) -> (T, String) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let out = body.await;
    (out, captured.text())
}

/// Django OAuth Toolkit's denied consent: `error` and `state`, no `iss`.
#[tokio::test]
async fn error_response_without_iss_only_by_name() {
    let peer = peer().await;
    peer.on("/token", bearer("at", 3600));
    let strict = web_with(&peer, |s| s);
    let (_, pending) = strict.authorize_url(Some(ORDERS)).await.unwrap();
    let denied = format!("error=access_denied&state={}", pending.state());
    match strict.exchange_code(pending, &denied).await {
        // Strict: refused, the unverified code kept for diagnostics only.
        Err(Error::MissingIssuer {
            unverified_error: Some(code),
        }) => assert_eq!(code.as_str(), "access_denied"),
        other => panic!("{other:?}"),
    }

    let lenient = web_with(&peer, Settings::accept_error_response_without_iss);
    let (_, pending) = lenient.authorize_url(Some(ORDERS)).await.unwrap();
    let denied = format!(
        "error=access_denied&error_description=The+user+declined&state={}",
        pending.state()
    );
    let (result, logs) = logged(lenient.exchange_code(pending.clone(), &denied)).await;
    let error = result.unwrap_err();
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
    assert!(logs.contains("error_response_without_iss"), "{logs}");

    // A code without `iss` is never redeemed, with the quirk too (the mix-up defence).
    let code = format!("code=c&state={}", pending.state());
    assert!(matches!(
        lenient.exchange_code(pending.clone(), &code).await,
        Err(Error::MissingIssuer {
            unverified_error: None
        })
    ));
    // `state` is still checked first, and a wrong `iss` is still a mismatch.
    let forged = "error=access_denied&state=not-the-state";
    assert!(matches!(
        lenient.exchange_code(pending.clone(), forged).await,
        Err(Error::StateMismatch)
    ));
    let other = format!(
        "error=access_denied&state={}&iss=https%3A%2F%2Fevil.example",
        pending.state()
    );
    assert!(matches!(
        lenient.exchange_code(pending, &other).await,
        Err(Error::IssuerMismatch { .. })
    ));
    assert_eq!(peer.requests_to("/token").len(), 0);
}

/// A token response with `expires_in` as a string and `scope` as an array.
fn deviant_tokens(expires_in: Value, scope: Value) -> Reply {
    Reply::json(
        200,
        json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": expires_in,
            "refresh_token": "rt-1", "scope": scope}),
    )
}

/// Redeems a code at a peer whose token endpoint answers `reply`, with `quirks`.
async fn exchange(
    reply: Reply,
    quirks: impl FnOnce(Settings<crate::Confidential>) -> Settings<crate::Confidential>,
) -> (Result<crate::TokenSet, Error>, String) {
    let peer = peer().await;
    peer.on("/token", reply);
    let client = web_with(&peer, quirks);
    let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    logged(redeem(&client, &pending, "code-1", &peer)).await
}

#[tokio::test]
async fn expires_in_as_string_only_by_name() {
    let reply = || deviant_tokens(json!("3600"), json!("read:orders"));
    let (strict, _) = exchange(reply(), |s| s).await;
    let error = strict.unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert!(
        error.to_string().contains("accept_expires_in_as_string"),
        "{error}"
    );

    let before = SystemTime::now();
    let (lenient, logs) = exchange(reply(), Settings::accept_expires_in_as_string).await;
    let tokens = lenient.expect("`expires_in` as a string accepted by name");
    let expires_at = tokens.expires_at().expect("the lifetime was read");
    assert!(expires_at >= before + Duration::from_secs(3600));
    assert!(expires_at <= SystemTime::now() + Duration::from_secs(3600));
    assert!(logs.contains("expires_in_as_string"), "{logs}");
    assert!(!logs.contains("at-1") && !logs.contains("rt-1"), "{logs}");

    // Only digits: anything else in the string is still refused.
    let (odd, _) = exchange(
        deviant_tokens(json!("3600.5"), json!("read:orders")),
        Settings::accept_expires_in_as_string,
    )
    .await;
    assert!(matches!(odd, Err(Error::InvalidResponse { .. })), "{odd:?}");
}

#[tokio::test]
async fn scope_as_array_only_by_name() {
    let reply = || deviant_tokens(json!(3600), json!(["read:orders", "offline_access"]));
    let (strict, _) = exchange(reply(), |s| s).await;
    let error = strict.unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert!(
        error.to_string().contains("accept_scope_as_array"),
        "{error}"
    );

    let (lenient, logs) = exchange(reply(), Settings::accept_scope_as_array).await;
    let tokens = lenient.expect("`scope` as an array accepted by name");
    assert_eq!(tokens.scopes(), ["read:orders", "offline_access"]);
    assert!(logs.contains("scope_as_array"), "{logs}");

    // Only strings: an array with anything else is still refused.
    let (odd, _) = exchange(
        deviant_tokens(json!(3600), json!(["read:orders", 7])),
        Settings::accept_scope_as_array,
    )
    .await;
    assert!(matches!(odd, Err(Error::InvalidResponse { .. })), "{odd:?}");
}

/// Servers that refuse `offline_access` as unknown: the setting stops oauthflow adding it, in the
/// authorization request and in what the token set records as asked for.
#[tokio::test]
async fn omit_offline_access_only_by_name() {
    let peer = peer().await;
    peer.on(
        "/token",
        Reply::json(
            200,
            json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-1"}),
        ),
    );
    let strict = web_with(&peer, |s| s);
    let (url, _) = strict.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(
        query_param(&url, "scope").as_deref(),
        Some("read:orders offline_access"),
        "strict: `refresh_tokens = true` asks for `offline_access`"
    );

    let lenient = web_with(&peer, Settings::omit_offline_access);
    let ((url, pending), logs) =
        logged(async { lenient.authorize_url(Some(ORDERS)).await.unwrap() }).await;
    assert_eq!(query_param(&url, "scope").as_deref(), Some("read:orders"));
    assert!(logs.contains("omit_offline_access"), "{logs}");
    // The server's refresh token is still taken, and refresh still works.
    let tokens = redeem(&lenient, &pending, "code-1", &peer).await.unwrap();
    assert_eq!(tokens.scopes(), ["read:orders"]);
    assert_eq!(tokens.refresh_token().unwrap().secret(), "rt-1");
    lenient
        .refresh(&tokens)
        .await
        .expect("refresh without `offline_access`");
}

/// Google: refresh tokens come from `access_type=offline` (an extra authorization parameter),
/// and `offline_access` is not a scope it knows: both by name, nothing else changes.
#[tokio::test]
async fn google_access_type_offline_instead_of_offline_access() {
    let peer = peer().await;
    let strict = web_with(&peer, |s| s);
    let (url, _) = strict.authorize_url(Some(ORDERS)).await.unwrap();
    let scopes = query_param(&url, "scope").unwrap_or_default();
    assert!(scopes.split(' ').any(|s| s == "offline_access"), "{scopes}");
    assert_eq!(query_param(&url, "access_type"), None);

    let google = web_with(&peer, Settings::omit_offline_access);
    let options = crate::AuthorizeOptions::new()
        .extra_param("access_type", "offline")
        .expect("not a parameter oauthflow sets");
    let (url, pending) = google
        .authorize_url_with(Some(ORDERS), &options)
        .await
        .unwrap();
    assert_eq!(query_param(&url, "access_type").as_deref(), Some("offline"));
    let scopes = query_param(&url, "scope").unwrap_or_default();
    assert!(
        !scopes.split(' ').any(|s| s == "offline_access"),
        "{scopes}"
    );
    assert_eq!(query_param(&url, "state").as_deref(), Some(pending.state()));
}
