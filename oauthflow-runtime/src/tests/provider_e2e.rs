//! End to end against the real oidc-provider (9.13.3, pinned in `oauthflow-devserver/provider`), started on
//! 127.0.0.1 by `oauthflow_devserver::DevProvider` and driven without a browser.

use super::common;

use crate::spec::ClientSpec;
use crate::{ClientSecret, Error, SecretString, Settings, TokenSet, Url};
use common::Client;
use common::{
    BILLING, MACHINE, MACHINE_AUDIENCE_PARAM, ORDERS, SPA, TRUSTED, WEB, dev_confidential,
    dev_confidential_settings, dev_login, dev_public,
};
use oauthflow_devserver::{DevProvider, clients, jwt, users};
use serde_json::Value;

fn spa(provider: &DevProvider) -> Client {
    dev_public(&SPA, provider, clients::SPA)
}

/// The `aud` of a JWT access token (the test reads it; the runtime never does).
fn aud(jwt: &str) -> Value {
    jwt::payload(jwt)["aud"].clone()
}

async fn web_tokens(provider: &DevProvider, client: &Client, audience: &'static str) -> TokenSet {
    let (url, pending) = client.authorize_url(Some(audience)).await.unwrap();
    let callback = dev_login(provider, &url).await;
    client.exchange_code(pending, &callback).await.unwrap()
}

/// R11 + R27: one JWT per audience, each with its own `aud`; the second call is served from the
/// cache (the provider's grant counter does not move).
#[tokio::test]
async fn e2e_client_credentials_two_audiences_resource_param() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&MACHINE, &provider, clients::MACHINE);
    let orders = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    let billing = client
        .client_credentials_token(Some(BILLING))
        .await
        .unwrap();
    assert_ne!(orders.secret(), billing.secret());
    assert_eq!(aud(orders.secret()), ORDERS);
    assert_eq!(aud(billing.secret()), BILLING);
    assert_eq!(
        jwt::payload(orders.secret())["client_id"],
        clients::MACHINE.id
    );
    let count = provider.grant_count().await.unwrap();
    assert_eq!(count, 2);
    let again = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(again.secret(), orders.secret());
    assert_eq!(
        provider.grant_count().await.unwrap(),
        count,
        "served from the cache"
    );
}

#[tokio::test]
async fn e2e_client_credentials_audience_param() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&MACHINE_AUDIENCE_PARAM, &provider, clients::MACHINE);
    let orders = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    let billing = client
        .client_credentials_token(Some(BILLING))
        .await
        .unwrap();
    assert_eq!(aud(orders.secret()), ORDERS);
    assert_eq!(aud(billing.secret()), BILLING);
}

/// R27: 100 concurrent callers, one token request per audience.
#[tokio::test]
async fn e2e_client_credentials_single_flight() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&MACHINE, &provider, clients::MACHINE);
    let mut tasks = Vec::new();
    for i in 0..100 {
        let client = client.clone();
        let audience = if i % 2 == 0 { ORDERS } else { BILLING };
        tasks.push(tokio::spawn(async move {
            client.client_credentials_token(Some(audience)).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(provider.grant_count().await.unwrap(), 2);
}

/// R6: Basic with form-urlencoded credentials (secret `a:b%c+d`), and `client_secret_post`.
#[tokio::test]
async fn e2e_r6_client_authentication_methods() {
    let provider = DevProvider::start().await.unwrap();
    let special = dev_confidential(&MACHINE, &provider, clients::MACHINE_SPECIAL);
    let token = special
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap();
    assert_eq!(
        jwt::payload(token.secret())["client_id"],
        clients::MACHINE_SPECIAL.id
    );
    let post = Client::new(
        &MACHINE,
        dev_confidential_settings(&provider, clients::MACHINE_POST).client_secret_post(),
    )
    .unwrap();
    post.client_credentials_token(Some(BILLING)).await.unwrap();
    // A wrong secret is a typed, terminal error.
    let wrong = Client::new(
        &MACHINE,
        Settings::confidential(clients::MACHINE.id, ClientSecret::new("wrong".into()))
            .issuer(provider.issuer()),
    )
    .unwrap();
    let err = wrong
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_client"), "{err:?}");
}

/// The web (confidential) code flow and refresh; replaying the same callback is `invalid_grant`
/// (R19) — and the provider then revokes every token of that code, which is why the code
/// exchange is never retried.
#[tokio::test]
async fn e2e_web_code_flow_and_replayed_callback() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&WEB, &provider, clients::WEB);
    let (url, pending) = client.authorize_url(Some(BILLING)).await.unwrap();
    let callback = dev_login(&provider, &url).await;
    assert!(
        callback.contains("iss="),
        "oidc-provider sends iss (RFC 9207)"
    );
    let tokens = client
        .exchange_code(pending.clone(), &callback)
        .await
        .unwrap();
    assert_eq!(aud(tokens.access_token().secret()), BILLING);
    assert_eq!(tokens.audience(), Some(BILLING));
    assert!(tokens.refresh_token().is_some(), "offline_access granted");
    assert!(tokens.expires_at().is_some());

    // Refresh: a new access token for the same audience.
    let refreshed = client.refresh(&tokens).await.unwrap();
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    assert_eq!(aud(refreshed.access_token().secret()), BILLING);
    assert!(refreshed.refresh_token().is_some());

    // Replay: refused, nothing issued, and the grant of the code is revoked.
    let before = provider.grant_count().await.unwrap();
    let err = client.exchange_code(pending, &callback).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err:?}");
    assert_eq!(provider.grant_count().await.unwrap(), before);
    let other = dev_confidential(&WEB, &provider, clients::WEB);
    let err = other.refresh(&refreshed).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err:?}");
}

/// The public SPA code flow with refresh: the refresh token rotates; the old one replayed by
/// another client instance is `invalid_grant`, and the grant is revoked (the newest refresh token
/// dies too) — which is why refreshes are single-flight and late callers share the result.
#[tokio::test]
async fn e2e_spa_code_flow_refresh_rotation() {
    let provider = DevProvider::start().await.unwrap();
    let client = spa(&provider);
    let first = web_tokens(&provider, &client, ORDERS).await;
    assert_eq!(aud(first.access_token().secret()), ORDERS);
    let rt1 = first
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone();

    let second = client.refresh(&first).await.unwrap();
    assert_ne!(
        second.access_token().secret(),
        first.access_token().secret()
    );
    assert_eq!(aud(second.access_token().secret()), ORDERS);
    let rt2 = second.refresh_token().unwrap().secret().clone();
    assert_ne!(rt2, rt1, "public clients get rotated refresh tokens");

    // A late caller of the same client with the old tokens shares the finished refresh.
    let count = provider.grant_count().await.unwrap();
    let late = client.refresh(&first).await.unwrap();
    assert_eq!(late.access_token().secret(), second.access_token().secret());
    assert_eq!(provider.grant_count().await.unwrap(), count);

    // Another instance replays the old refresh token: rejected, and the grant is revoked.
    let other = spa(&provider);
    let err = other.refresh(&first).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err:?}");
    let err = client.refresh(&second).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err:?}");
}

/// R25: 50 concurrent refreshes of one token set make one token request.
#[tokio::test]
async fn e2e_concurrent_refresh_single_request() {
    let provider = DevProvider::start().await.unwrap();
    let client = spa(&provider);
    let first = web_tokens(&provider, &client, ORDERS).await;
    let before = provider.grant_count().await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (client, first) = (client.clone(), first.clone());
        tasks.push(tokio::spawn(async move { client.refresh(&first).await }));
    }
    let mut access = std::collections::HashSet::new();
    for t in tasks {
        access.insert(t.await.unwrap().unwrap().access_token().secret().clone());
    }
    assert_eq!(access.len(), 1, "all callers got the same tokens");
    assert_eq!(provider.grant_count().await.unwrap() - before, 1);
}

/// R38: the password grant with alice; a wrong password is `invalid_grant`.
#[tokio::test]
async fn e2e_password_grant() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&TRUSTED, &provider, clients::TRUSTED);
    let password = SecretString::from(users::ALICE_PASSWORD.to_owned());
    let tokens = client
        .password_token(users::ALICE, &password, Some(ORDERS))
        .await
        .unwrap();
    assert_eq!(aud(tokens.access_token().secret()), ORDERS);
    assert_eq!(
        jwt::payload(tokens.access_token().secret())["sub"],
        users::ALICE
    );
    let wrong = SecretString::from("looking-glass".to_owned());
    let err = client
        .password_token(users::ALICE, &wrong, Some(ORDERS))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OAuth { .. }), "{err:?}");
    assert_eq!(err.oauth_code(), Some("invalid_grant"));
}

/// R17: two providers; B's code (with `iss` = B) delivered for A's authorization is rejected,
/// and A's pending authorization is refused by B's client; neither server issues a token.
#[tokio::test]
async fn e2e_r17_mix_up_two_providers() {
    let a = DevProvider::start().await.unwrap();
    let b = DevProvider::start().await.unwrap();
    let client_a = dev_confidential(&WEB, &a, clients::WEB);
    let client_b = dev_confidential(&WEB, &b, clients::WEB);
    let (_, pending_a) = client_a.authorize_url(Some(ORDERS)).await.unwrap();
    let (url_b, _pending_b) = client_b.authorize_url(Some(ORDERS)).await.unwrap();
    let callback_b: Url = b.login(&url_b).await.unwrap();
    // The attacker's server reflects A's state.
    let mut forged = callback_b.clone();
    let pairs: Vec<(String, String)> = callback_b
        .query_pairs()
        .map(|(k, v)| {
            if k == "state" {
                (k.into_owned(), pending_a.state().to_owned())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let err = client_a
        .exchange_code(pending_a.clone(), forged.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err:?}");
    let err = client_b
        .exchange_code(pending_a, forged.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PendingMismatch { .. }), "{err:?}");
    assert_eq!(a.grant_count().await.unwrap(), 0);
    assert_eq!(b.grant_count().await.unwrap(), 0);
}

/// R16: the provider announces `iss`; a real callback with `iss` removed is refused unredeemed.
#[tokio::test]
async fn e2e_r16_callback_without_iss() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&WEB, &provider, clients::WEB);
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let callback: Url = provider.login(&url).await.unwrap();
    let mut stripped = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .filter(|(k, _)| k != "iss")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    stripped.query_pairs_mut().clear().extend_pairs(pairs);
    let err = client
        .exchange_code(pending.clone(), stripped.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingIssuer { .. }), "{err:?}");
    assert_eq!(provider.grant_count().await.unwrap(), 0);
    // The untouched callback still works: nothing was redeemed.
    client
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap();
}

/// R10: the redirect URI is sent verbatim — one with an added trailing slash is not the
/// registered one, and the provider refuses it.
#[tokio::test]
async fn e2e_r10_redirect_uri_verbatim() {
    let provider = DevProvider::start().await.unwrap();
    let client = Client::new(
        &WEB,
        dev_confidential_settings(&provider, clients::WEB)
            .redirect_uri("http://127.0.0.1:8080/callback/"),
    )
    .unwrap();
    let (url, _) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let outcome = provider.login(&url).await;
    let err = outcome.expect_err("the provider must refuse an unregistered redirect URI");
    let shown = err.to_string();
    assert!(shown.contains("redirect_uri"), "{shown}");
}

/// With `openid`, the code flow sends a nonce and returns an ID token, validated (signature,
/// `iss`, `aud`, `exp`, `iat`, `nonce`) before any token is handed out.
#[tokio::test]
async fn e2e_web_code_flow_with_openid() {
    static WEB_OPENID: ClientSpec = ClientSpec {
        scopes: &["openid", "read:orders"],
        ..WEB
    };
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&WEB_OPENID, &provider, clients::WEB);
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert!(url.query_pairs().any(|(k, _)| k == "nonce"));
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    let id_token = tokens.id_token().expect("an ID token");
    let raw = jwt::payload(id_token);
    assert_eq!(raw["aud"], clients::WEB.id);
    assert_eq!(aud(tokens.access_token().secret()), ORDERS);
    // The same claims, validated and typed, with no JWT decoding by the app.
    let claims = tokens.id_token_claims().expect("validated claims");
    assert_eq!(claims.subject(), raw["sub"]);
    assert_eq!(claims.issuer(), provider.issuer());
    assert_eq!(claims.audiences(), [clients::WEB.id]);
    let secs =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(Some(secs(claims.expires_at())), raw["exp"].as_u64());
    assert_eq!(claims.auth_time().map(secs), raw["auth_time"].as_u64());
    assert_eq!(claims.nonce(), raw["nonce"].as_str());
    // Kept in a session (serde) and back.
    let stored: TokenSet = serde_json::from_str(&serde_json::to_string(&tokens).unwrap()).unwrap();
    assert_eq!(
        stored.id_token_claims().unwrap().subject(),
        claims.subject()
    );
}

/// Per-login options reach the real server: with `max_age` oidc-provider puts `auth_time` in
/// the ID token, which `exchange_code` checks; `prompt=login` is sent as asked.
#[tokio::test]
async fn e2e_authorize_options_max_age_and_prompt() {
    static WEB_OPENID: ClientSpec = ClientSpec {
        scopes: &["openid"],
        ..WEB
    };
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&WEB_OPENID, &provider, clients::WEB);
    let options = crate::AuthorizeOptions::new()
        .prompt(crate::Prompt::Login)
        .max_age(std::time::Duration::from_secs(600))
        .login_hint(users::ALICE);
    let (url, pending) = client
        .authorize_url_with(Some(ORDERS), &options)
        .await
        .unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query.get("prompt").map(String::as_str), Some("login"));
    assert_eq!(query.get("max_age").map(String::as_str), Some("600"));
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    let claims = tokens.id_token_claims().expect("validated claims");
    assert!(
        claims.auth_time().is_some(),
        "max_age makes the server send auth_time"
    );
}

/// R27/R39: a short-lived client-credentials token (2 s) is renewed ahead of expiry once it is
/// inside the refresh margin (capped at half its lifetime): callers keep the still-valid token
/// while one background request fetches the next.
#[tokio::test]
async fn e2e_client_credentials_renewed_near_expiry() {
    let provider = DevProvider::start_with(
        oauthflow_devserver::DevOptions::new()
            .client_credentials_ttl(std::time::Duration::from_secs(2)),
    )
    .await
    .unwrap();
    let client = dev_confidential(&MACHINE, &provider, clients::MACHINE);
    let first = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    let cached = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(first.secret(), cached.secret());
    assert_eq!(provider.grant_count().await.unwrap(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let mut renewed = None;
    for _ in 0..50 {
        let token = client.client_credentials_token(Some(ORDERS)).await.unwrap();
        if token.secret() != first.secret() {
            renewed = Some(token);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(renewed.is_some(), "renewed ahead of expiry");
    assert_eq!(provider.grant_count().await.unwrap(), 2);
}

/// R8: the provider checks the PKCE verifier — a tampered one (in a tampered session) is
/// `invalid_grant`.
#[tokio::test]
async fn e2e_r8_tampered_pkce_verifier_is_rejected() {
    let provider = DevProvider::start().await.unwrap();
    let client = spa(&provider);
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let callback = dev_login(&provider, &url).await;
    let mut stored: Value = serde_json::to_value(&pending).unwrap();
    stored["pkce_verifier"] = Value::String("A".repeat(43));
    let tampered: crate::PendingAuthorization = serde_json::from_value(stored).unwrap();
    let err = client.exchange_code(tampered, &callback).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err:?}");
    assert_eq!(provider.grant_count().await.unwrap(), 0);
}

/// R3: a user-supplied client built with `Policy::none()` passes the one-time probe and is used.
#[tokio::test]
async fn e2e_user_supplied_http_client_without_redirects() {
    let provider = DevProvider::start().await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = Client::new(
        &MACHINE,
        dev_confidential_settings(&provider, clients::MACHINE).http_client(http),
    )
    .unwrap();
    let token = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(aud(token.secret()), ORDERS);
    // The same server with a default-policy client: refused before any request is sent.
    let following = Client::new(
        &MACHINE,
        dev_confidential_settings(&provider, clients::MACHINE).http_client(reqwest::Client::new()),
    )
    .unwrap();
    assert!(matches!(
        following.client_credentials_token(Some(BILLING)).await,
        Err(Error::Config(_))
    ));
    assert_eq!(provider.grant_count().await.unwrap(), 1);
}
