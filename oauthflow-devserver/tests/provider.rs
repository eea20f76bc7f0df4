//! The test provider on its own, with plain reqwest: discovery, client credentials with
//! resource/audience, grant counters, code flow via the login driver, PKCE, refresh and
//! rotation, the password grant, the device flow, form post, revocation, options.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauthflow_devserver::{DevError, DevOptions, DevProvider, clients, jwt, resources, users};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sends `request` and parses the answer as JSON.
async fn send_json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// GETs `url` and parses the answer as JSON (discovery documents).
async fn get_json(url: impl reqwest::IntoUrl) -> Value {
    send_json(http().get(url)).await
}

/// The claims of the JWT in `field` (`access_token`, `id_token`) of a token response.
fn claims_of(body: &Value, field: &str) -> Value {
    jwt::payload(body[field].as_str().unwrap())
}

fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// A PKCE pair (RFC 7636): a 43-character verifier and its S256 challenge.
fn pkce(seed: &str) -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(Sha256::digest(format!("verifier-{seed}")));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn token(
    p: &DevProvider,
    client: (&str, Option<&str>),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = http().post(p.token_endpoint());
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    match client.1 {
        Some(secret) => req = req.basic_auth(client.0, Some(secret)),
        None => fields.push(("client_id", client.0)),
    }
    let resp = req.form(&fields).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// `machine-client` with its secret, as `token` takes a client.
const MACHINE: (&str, Option<&str>) = (clients::MACHINE.id, clients::MACHINE.secret);

/// A client credentials request of `client` with `params` (resource, audience, scope).
async fn client_credentials(
    p: &DevProvider,
    client: (&str, Option<&str>),
    params: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend_from_slice(params);
    token(p, client, &form).await
}

/// A `password` grant request of `client` for alice with `password`, then `params`.
async fn alice_password_grant(
    p: &DevProvider,
    client: (&str, Option<&str>),
    password: &str,
    params: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", users::ALICE),
        ("password", password),
    ];
    form.extend_from_slice(params);
    token(p, client, &form).await
}

async fn device_poll(p: &DevProvider, device_code: &str) -> (u16, Value) {
    token(
        p,
        (clients::DEVICE.id, None),
        &[
            ("grant_type", clients::DEVICE_CODE_GRANT),
            ("device_code", device_code),
        ],
    )
    .await
}

fn authorize_url(p: &DevProvider, pairs: &[(&str, &str)]) -> Url {
    let mut url = p.authorization_endpoint();
    url.query_pairs_mut().extend_pairs(pairs);
    url
}

/// A code flow authorization request with an S256 `challenge`, then `extra` parameters.
fn code_authorize_url(
    p: &DevProvider,
    (client_id, redirect, scope, state): (&str, &str, &str, &str),
    challenge: &str,
    extra: &[(&str, &str)],
) -> Url {
    let mut url = authorize_url(
        p,
        &[
            ("client_id", client_id),
            ("response_type", "code"),
            ("scope", scope),
            ("redirect_uri", redirect),
            ("state", state),
        ],
    );
    url.query_pairs_mut().extend_pairs(extra).extend_pairs([
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]);
    url
}

/// Redeems `code` (authorization code grant) with the PKCE `verifier`.
async fn redeem(
    p: &DevProvider,
    client: (&str, Option<&str>),
    code: &str,
    redirect: &str,
    verifier: &str,
) -> (u16, Value) {
    token(
        p,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Uses the refresh token `rt`.
async fn refresh(p: &DevProvider, client: (&str, Option<&str>), rt: &str) -> (u16, Value) {
    token(
        p,
        client,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await
}

#[tokio::test]
async fn discovery_document() {
    let p = DevProvider::start().await.unwrap();
    assert!(p.issuer().starts_with("http://127.0.0.1:"));
    assert!(!p.issuer().ends_with('/'));
    let doc = get_json(p.discovery_url()).await;
    assert_eq!(doc["issuer"], p.issuer());
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["token_endpoint"], p.token_endpoint().as_str());
    assert_eq!(
        doc["authorization_endpoint"],
        p.authorization_endpoint().as_str()
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        p.device_authorization_endpoint().as_str()
    );
    assert_eq!(doc["revocation_endpoint"], p.revocation_endpoint().as_str());
    assert_eq!(doc["jwks_uri"], p.jwks_uri().as_str());
    let grants: Vec<&str> = doc["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for g in [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
        clients::DEVICE_CODE_GRANT,
    ] {
        assert!(grants.contains(&g), "{g} missing from {grants:?}");
    }
    // The RFC 8414 document is served too.
    let as_doc = get_json(format!(
        "{}/.well-known/oauth-authorization-server",
        p.issuer()
    ))
    .await;
    assert_eq!(as_doc["issuer"], p.issuer());
}

#[tokio::test]
async fn client_credentials_resource_gives_jwt_for_that_audience() {
    let p = DevProvider::start().await.unwrap();
    let (status, body) = client_credentials(
        &p,
        MACHINE,
        &[("resource", resources::ORDERS), ("scope", "read:orders")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "read:orders");
    assert!(body["refresh_token"].is_null());
    let claims = claims_of(&body, "access_token");
    assert_eq!(claims["aud"], resources::ORDERS);
    assert_eq!(claims["iss"], p.issuer());
    assert_eq!(claims["client_id"], clients::MACHINE.id);

    // Two resources in one request are refused (one token per audience).
    let (status, body) = client_credentials(
        &p,
        MACHINE,
        &[
            ("resource", resources::ORDERS),
            ("resource", resources::BILLING),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_target");

    // An unknown resource too.
    let (status, body) = client_credentials(
        &p,
        MACHINE,
        &[("resource", "https://api.example.com/unknown")],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_target");
}

#[tokio::test]
async fn client_credentials_audience_param_maps_to_resource() {
    let p = DevProvider::start().await.unwrap();
    let (status, body) = client_credentials(
        &p,
        MACHINE,
        &[("audience", resources::BILLING), ("scope", "read:billing")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "read:billing");
    let claims = claims_of(&body, "access_token");
    assert_eq!(claims["aud"], resources::BILLING);

    // Without resource or audience: an opaque token.
    let (status, body) = client_credentials(&p, MACHINE, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 1);
}

#[tokio::test]
async fn grant_counter_counts_successes_per_client_and_resource() {
    let p = DevProvider::start().await.unwrap();
    assert_eq!(p.grant_count().await.unwrap(), 0);
    for resource in [resources::ORDERS, resources::ORDERS, resources::BILLING] {
        let (status, _) = client_credentials(&p, MACHINE, &[("resource", resource)]).await;
        assert_eq!(status, 200);
    }
    let wrong_secret = (clients::MACHINE.id, Some("wrong"));
    let (status, _) = client_credentials(&p, wrong_secret, &[]).await;
    assert_eq!(status, 401);

    let stats = p.grant_stats().await.unwrap();
    assert_eq!(stats.total, 3);
    assert_eq!(stats.for_client(clients::MACHINE.id), 3);
    assert_eq!(stats.for_resource(resources::ORDERS), 2);
    assert_eq!(stats.for_resource(resources::BILLING), 1);
    assert_eq!(stats.for_grant_type("client_credentials"), 3);

    let before = p.reset_grant_stats().await.unwrap();
    assert_eq!(before.total, 3);
    assert_eq!(p.grant_count().await.unwrap(), 0);
}

#[tokio::test]
async fn client_secret_post_and_urlencoded_basic_credentials() {
    let p = DevProvider::start().await.unwrap();
    // client_secret_post
    let resp = http()
        .post(p.token_endpoint())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", clients::MACHINE_POST.id),
            ("client_secret", clients::MACHINE_POST.secret.unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // RFC 6749 §2.3.1: form-urlencode, then base64.
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let secret = clients::MACHINE_SPECIAL.secret.unwrap();
    let resp = http()
        .post(p.token_endpoint())
        .basic_auth(enc(clients::MACHINE_SPECIAL.id), Some(enc(secret)))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Raw special characters are refused.
    let resp = http()
        .post(p.token_endpoint())
        .basic_auth(clients::MACHINE_SPECIAL.id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
}

#[tokio::test]
async fn code_flow_login_redeem_and_refresh_for_confidential_client() {
    let p = DevProvider::start().await.unwrap();
    let (verifier, challenge) = pkce("web");
    let redirect = clients::WEB.redirect_uri.unwrap();
    let web = (clients::WEB.id, clients::WEB.secret);
    let url = code_authorize_url(
        &p,
        (
            web.0,
            redirect,
            "openid offline_access profile",
            "state-123",
        ),
        &challenge,
        &[("nonce", "nonce-123")],
    );
    let callback = p.login(&url).await.unwrap();
    assert!(callback.as_str().starts_with(redirect), "{callback}");
    assert_eq!(query(&callback, "state").as_deref(), Some("state-123"));
    assert_eq!(query(&callback, "iss").as_deref(), Some(p.issuer()));
    let code = query(&callback, "code").expect("code");

    let (status, body) = redeem(&p, web, &code, redirect, &verifier).await;
    assert_eq!(status, 200, "{body}");
    let id_token = claims_of(&body, "id_token");
    assert_eq!(id_token["sub"], users::ALICE);
    assert_eq!(id_token["nonce"], "nonce-123");
    assert_eq!(id_token["iss"], p.issuer());
    // Profile claims come from userinfo (oidc-provider's conformIdTokenClaims).
    let userinfo: Value = send_json(
        http()
            .get(format!("{}/me", p.issuer()))
            .bearer_auth(body["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(userinfo["sub"], users::ALICE);
    assert_eq!(userinfo["name"], users::ALICE_NAME);
    // offline_access without prompt=consent still gives a refresh token.
    let rt = body["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();

    // Confidential clients keep their refresh token.
    let (status, body) = refresh(&p, web, &rt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refresh_token"], rt.as_str());

    // The code is single-use, and replaying it revokes what it gave (RFC 6749 §4.1.2).
    let (status, body) = redeem(&p, web, &code, redirect, &verifier).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = refresh(&p, web, &rt).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn revoked_refresh_token_is_dead() {
    let p = DevProvider::start().await.unwrap();
    let trusted = (clients::TRUSTED.id, clients::TRUSTED.secret);
    let (status, body) = alice_password_grant(
        &p,
        trusted,
        users::ALICE_PASSWORD,
        &[("scope", "offline_access")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rt = body["refresh_token"].as_str().unwrap().to_string();
    let resp = http()
        .post(p.revocation_endpoint())
        .basic_auth(trusted.0, trusted.1)
        .form(&[("token", rt.as_str()), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = refresh(&p, trusted, &rt).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn code_flow_without_offline_access_gives_no_refresh_token() {
    let p = DevProvider::start().await.unwrap();
    let (verifier, challenge) = pkce("web-no-offline");
    let redirect = clients::WEB.redirect_uri.unwrap();
    let url = code_authorize_url(
        &p,
        (clients::WEB.id, redirect, "openid", "s"),
        &challenge,
        &[],
    );
    let callback = p.login(&url).await.unwrap();
    let code = query(&callback, "code").unwrap();
    let web = (clients::WEB.id, clients::WEB.secret);
    let (status, body) = redeem(&p, web, &code, redirect, &verifier).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_null(), "{body}");
}

#[tokio::test]
async fn public_client_pkce_resource_jwt_and_rotation() {
    let p = DevProvider::start().await.unwrap();
    let redirect = clients::SPA.redirect_uri.unwrap();

    // PKCE is required for public clients.
    let url = authorize_url(
        &p,
        &[
            ("client_id", clients::SPA.id),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", redirect),
            ("state", "s0"),
        ],
    );
    let callback = p.login(&url).await.unwrap();
    assert_eq!(
        query(&callback, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(query(&callback, "state").as_deref(), Some("s0"));
    assert_eq!(query(&callback, "iss").as_deref(), Some(p.issuer()));

    let (verifier, challenge) = pkce("spa");
    let spa = (clients::SPA.id, None);
    let url = code_authorize_url(
        &p,
        (spa.0, redirect, "openid offline_access read:orders", "s1"),
        &challenge,
        &[("resource", resources::ORDERS)],
    );
    let callback = p.login(&url).await.unwrap();
    let code = query(&callback, "code").expect("code");

    // A tampered verifier fails...
    let (status, body) = redeem(&p, spa, &code, redirect, &pkce("other").0).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");

    // ...and burns the code, so start again.
    let url = {
        let mut u = url.clone();
        u.query_pairs_mut().append_pair("prompt", "login");
        u
    };
    let callback = p.login(&url).await.unwrap();
    let code = query(&callback, "code").expect("code");
    let (status, body) = redeem(&p, spa, &code, redirect, &verifier).await;
    assert_eq!(status, 200, "{body}");
    // The resource requested at /auth gives a JWT for it, even with openid.
    let at = claims_of(&body, "access_token");
    assert_eq!(at["aud"], resources::ORDERS);
    assert_eq!(at["scope"], "read:orders");
    let rt1 = body["refresh_token"].as_str().unwrap().to_string();

    // Public clients get a rotated refresh token; the access token keeps its audience.
    let (status, body) = refresh(&p, spa, &rt1).await;
    assert_eq!(status, 200, "{body}");
    let rt2 = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert_eq!(claims_of(&body, "access_token")["aud"], resources::ORDERS);

    // Reusing the old one fails and revokes the whole grant.
    let (status, body) = refresh(&p, spa, &rt1).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = refresh(&p, spa, &rt2).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn audience_param_at_authorization_endpoint() {
    let p = DevProvider::start().await.unwrap();
    let redirect = clients::SPA.redirect_uri.unwrap();
    let (verifier, challenge) = pkce("spa-audience");
    let url = code_authorize_url(
        &p,
        (clients::SPA.id, redirect, "openid read:billing", "s"),
        &challenge,
        &[("audience", resources::BILLING)],
    );
    let callback = p.login(&url).await.unwrap();
    let code = query(&callback, "code").expect("code");
    let (status, body) = token(
        &p,
        (clients::SPA.id, None),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &verifier),
            ("audience", resources::BILLING),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let at = claims_of(&body, "access_token");
    assert_eq!(at["aud"], resources::BILLING);
    assert_eq!(at["scope"], "read:billing");
}

#[tokio::test]
async fn native_client_any_loopback_port_is_returned_not_requested() {
    let p = DevProvider::start().await.unwrap();
    // Nothing listens on this port: login must not request the final redirect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let (verifier, challenge) = pkce("native");
    let url = code_authorize_url(
        &p,
        (clients::NATIVE.id, &redirect, "openid", "n1"),
        &challenge,
        &[],
    );
    let callback = p.login(&url).await.unwrap();
    assert_eq!(callback.port(), Some(port));
    assert_eq!(callback.path(), "/callback");
    let code = query(&callback, "code").expect("code");
    let native = (clients::NATIVE.id, None);
    let (status, body) = redeem(&p, native, &code, &redirect, &verifier).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn deny_and_provider_error_pages() {
    let p = DevProvider::start().await.unwrap();
    let (_, challenge) = pkce("deny");
    let redirect = clients::WEB.redirect_uri.unwrap();
    let url = code_authorize_url(
        &p,
        (clients::WEB.id, redirect, "openid", "d"),
        &challenge,
        &[],
    );
    let callback = p.browser().deny(&url).await.unwrap();
    assert_eq!(query(&callback, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&callback, "state").as_deref(), Some("d"));
    assert_eq!(query(&callback, "iss").as_deref(), Some(p.issuer()));

    // A redirect_uri with an extra slash is not registered: the provider shows its error page.
    let url = code_authorize_url(
        &p,
        (clients::WEB.id, &format!("{redirect}/"), "openid", "d"),
        &challenge,
        &[],
    );
    match p.login(&url).await {
        Err(DevError::Provider { error, .. }) => assert_eq!(error, "invalid_redirect_uri"),
        other => panic!("expected the provider's error page, got {other:?}"),
    }
}

#[tokio::test]
async fn browser_session_is_reused() {
    let p = DevProvider::start().await.unwrap();
    let browser = p.browser();
    let (_, challenge) = pkce("sso");
    let redirect = clients::WEB.redirect_uri.unwrap();
    let url = code_authorize_url(
        &p,
        (clients::WEB.id, redirect, "openid", "a"),
        &challenge,
        &[],
    );
    assert!(query(&browser.login(&url).await.unwrap(), "code").is_some());
    // Same session: prompt=none succeeds without any page.
    let mut silent = url.clone();
    silent.query_pairs_mut().append_pair("prompt", "none");
    let callback = browser.login(&silent).await.unwrap();
    assert!(query(&callback, "code").is_some(), "{callback}");
    // A fresh browser has no session.
    let callback = p.browser().login(&silent).await.unwrap();
    assert_eq!(query(&callback, "error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn password_grant() {
    let p = DevProvider::start().await.unwrap();
    let trusted = (clients::TRUSTED.id, clients::TRUSTED.secret);
    let (status, body) = alice_password_grant(
        &p,
        trusted,
        users::ALICE_PASSWORD,
        &[
            ("scope", "openid offline_access read:orders"),
            ("resource", resources::ORDERS),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let at = claims_of(&body, "access_token");
    assert_eq!(at["aud"], resources::ORDERS);
    assert_eq!(at["sub"], users::ALICE);
    assert_eq!(claims_of(&body, "id_token")["sub"], users::ALICE);
    let rt = body["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();

    let (status, body) = refresh(&p, trusted, &rt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claims_of(&body, "access_token")["aud"], resources::ORDERS);

    // audience= works too; without offline_access there is no refresh token.
    let (status, body) = alice_password_grant(
        &p,
        trusted,
        users::ALICE_PASSWORD,
        &[("audience", resources::BILLING)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claims_of(&body, "access_token")["aud"], resources::BILLING);
    assert!(body["refresh_token"].is_null());

    let (status, body) = alice_password_grant(&p, trusted, "not-wonderland", &[]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");

    // A client not registered for the grant.
    let (status, body) = alice_password_grant(
        &p,
        (clients::WEB.id, clients::WEB.secret),
        users::ALICE_PASSWORD,
        &[],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");

    let stats = p.grant_stats().await.unwrap();
    assert_eq!(stats.for_grant_type("password"), 2);
    assert_eq!(stats.for_grant_type("refresh_token"), 1);
    assert_eq!(stats.errors, 2);
}

#[tokio::test]
async fn device_flow_approval() {
    let p = DevProvider::start().await.unwrap();
    let resp: Value = send_json(http().post(p.device_authorization_endpoint()).form(&[
        ("client_id", clients::DEVICE.id),
        ("scope", "openid offline_access read:orders"),
        ("resource", resources::ORDERS),
    ]))
    .await;
    let device_code = resp["device_code"].as_str().unwrap().to_string();
    let complete = resp["verification_uri_complete"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(resp["user_code"].is_string());

    let (status, body) = device_poll(&p, &device_code).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "authorization_pending");

    p.approve_device(&complete).await.unwrap();

    let (status, body) = device_poll(&p, &device_code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claims_of(&body, "access_token")["aud"], resources::ORDERS);
    assert!(body["refresh_token"].is_string(), "{body}");
    assert_eq!(claims_of(&body, "id_token")["sub"], users::ALICE);
}

#[tokio::test]
async fn device_flow_typed_code_and_denial() {
    let p = DevProvider::start().await.unwrap();
    let start = || async {
        let v: Value = send_json(
            http()
                .post(p.device_authorization_endpoint())
                .form(&[("client_id", clients::DEVICE.id), ("scope", "openid")]),
        )
        .await;
        v
    };

    let a = start().await;
    p.browser()
        .approve_device_with_code(
            a["verification_uri"].as_str().unwrap(),
            a["user_code"].as_str().unwrap(),
        )
        .await
        .unwrap();
    let (status, body) = device_poll(&p, a["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");

    let b = start().await;
    p.browser()
        .deny_device(b["verification_uri_complete"].as_str().unwrap())
        .await
        .unwrap();
    let (status, body) = device_poll(&p, b["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "access_denied");
}

#[tokio::test]
async fn form_post_login_returns_id_token_body() {
    let p = DevProvider::start().await.unwrap();
    let url = authorize_url(
        &p,
        &[
            ("client_id", clients::SPA_LOGIN.id),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
            ("scope", "openid email"),
            ("redirect_uri", clients::SPA_LOGIN.redirect_uri.unwrap()),
            ("state", "fp-state"),
            ("nonce", "fp-nonce"),
        ],
    );
    let (action, body) = p.login_form_post(&url).await.unwrap();
    assert_eq!(action.as_str(), clients::SPA_LOGIN.redirect_uri.unwrap());
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("state").as_deref(), Some("fp-state"));
    let claims = jwt::payload(&get("id_token").expect("id_token"));
    assert_eq!(claims["nonce"], "fp-nonce");
    assert_eq!(claims["aud"], clients::SPA_LOGIN.id);
    assert_eq!(claims["sub"], users::ALICE);
    assert_eq!(claims["iss"], p.issuer());
    // With no access token issued, the ID token carries the claims of the scopes.
    assert_eq!(claims["email"], users::ALICE_EMAIL);

    // login() refuses to hand back a form post as a redirect.
    assert!(matches!(p.login(&url).await, Err(DevError::Driver(_))));
}

#[tokio::test]
async fn options_extra_clients_and_short_ttl() {
    let p = DevProvider::start_with(
        DevOptions::new()
            .client_credentials_ttl(Duration::from_secs(2))
            .client(json!({
                "client_id": "extra-client",
                "client_secret": "extra-secret",
                "grant_types": ["client_credentials"],
                "response_types": [],
                "redirect_uris": [],
                "token_endpoint_auth_method": "client_secret_post",
            })),
    )
    .await
    .unwrap();
    let resp = http()
        .post(p.token_endpoint())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "extra-client"),
            ("client_secret", "extra-secret"),
            ("resource", resources::ORDERS),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["expires_in"], 2);
    // The default clients are still there.
    let (status, _) = client_credentials(&p, MACHINE, &[]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn no_rotation_option() {
    let p = DevProvider::start_with(DevOptions::new().rotate_refresh_token(false))
        .await
        .unwrap();
    let (verifier, challenge) = pkce("norotate");
    let redirect = clients::SPA.redirect_uri.unwrap();
    let url = code_authorize_url(
        &p,
        (clients::SPA.id, redirect, "openid offline_access", "s"),
        &challenge,
        &[],
    );
    let code = query(&p.login(&url).await.unwrap(), "code").unwrap();
    let spa = (clients::SPA.id, None);
    let (_, body) = redeem(&p, spa, &code, redirect, &verifier).await;
    let rt = body["refresh_token"].as_str().unwrap().to_string();
    let (status, body) = refresh(&p, spa, &rt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refresh_token"], rt.as_str());
}

#[tokio::test]
async fn several_providers_at_once_and_drop_stops_them() {
    let (a, b, c) = tokio::join!(
        DevProvider::start(),
        DevProvider::start(),
        DevProvider::start()
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_ne!(a.issuer(), b.issuer());
    assert_ne!(b.issuer(), c.issuer());
    for p in [&a, &b, &c] {
        assert_eq!(p.grant_count().await.unwrap(), 0);
    }
    let pid = a.pid();
    drop(a);
    // Dropping kills and reaps node (checking the pid, not the port: another test may
    // already listen on a freed port).
    #[cfg(target_os = "linux")]
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    let _ = pid;
    assert_eq!(b.grant_count().await.unwrap(), 0);
}

#[tokio::test]
async fn startup_time_is_reasonable() {
    // Warm up (node check, npm ci when needed).
    drop(DevProvider::start().await.unwrap());
    let started = std::time::Instant::now();
    let p = DevProvider::start().await.unwrap();
    let elapsed = started.elapsed();
    eprintln!("provider start-up took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert!(p.logs().iter().any(|l| l.contains("oidc-provider")));
}

#[tokio::test]
async fn pushed_authorization_requests_can_be_required() {
    let p = DevProvider::start_with(DevOptions::new().config(
        "features",
        json!({ "pushedAuthorizationRequests": { "requirePushedAuthorizationRequests": true } }),
    ))
    .await
    .unwrap();
    let doc = get_json(p.discovery_url()).await;
    assert_eq!(doc["require_pushed_authorization_requests"], true);

    let (verifier, challenge) = pkce("par");
    let redirect = clients::WEB.redirect_uri.unwrap();
    let params = [
        ("response_type", "code"),
        ("scope", "openid"),
        ("redirect_uri", redirect),
        ("state", "par-state"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("audience", resources::ORDERS),
    ];
    // A plain authorization request is refused.
    let mut plain = vec![("client_id", clients::WEB.id)];
    plain.extend_from_slice(&params);
    let callback = p.login(&authorize_url(&p, &plain)).await.unwrap();
    assert_eq!(
        query(&callback, "error").as_deref(),
        Some("invalid_request")
    );

    // Pushed first, it works (and audience= maps onto resource there too).
    let pushed: Value = send_json(
        http()
            .post(format!("{}/request", p.issuer()))
            .basic_auth(clients::WEB.id, clients::WEB.secret)
            .form(&plain),
    )
    .await;
    let request_uri = pushed["request_uri"].as_str().expect("request_uri");
    let url = authorize_url(
        &p,
        &[("client_id", clients::WEB.id), ("request_uri", request_uri)],
    );
    let callback = p.login(&url).await.unwrap();
    let code = query(&callback, "code").expect("code");
    let web = (clients::WEB.id, clients::WEB.secret);
    let (status, body) = redeem(&p, web, &code, redirect, &verifier).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claims_of(&body, "access_token")["aud"], resources::ORDERS);
}

#[tokio::test]
async fn dpop_nonce_option_starts() {
    let p = DevProvider::start_with(DevOptions {
        dpop_require_nonce: true,
        ..DevOptions::default()
    })
    .await
    .unwrap();
    let doc = get_json(p.discovery_url()).await;
    assert!(doc["dpop_signing_alg_values_supported"].is_array());
}

#[tokio::test]
async fn bad_options_are_a_typed_error() {
    let err = DevProvider::start_with(DevOptions::new().config("no_such_option", json!(1)))
        .await
        .unwrap_err();
    match err {
        DevError::Exited { log, .. } => assert!(log.contains("no_such_option"), "{log}"),
        other => panic!("expected Exited, got {other:?}"),
    }
}

#[test]
fn provider_outlives_the_runtime_that_started_it() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<DevProvider>();
    assert_send_sync::<oauthflow_devserver::DevBrowser>();

    let rt = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let first = rt();
    let p = first.block_on(DevProvider::start()).unwrap();
    first.block_on(async { assert_eq!(p.grant_count().await.unwrap(), 0) });
    drop(first);

    rt().block_on(async {
        let (status, _) = client_credentials(&p, MACHINE, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(p.grant_count().await.unwrap(), 1);
    });
}

#[tokio::test]
async fn an_invalid_client_fails_the_start_with_its_reason() {
    let err = DevProvider::start_with(DevOptions::new().client(json!({
        "client_id": "broken",
        "grant_types": ["authorization_code"],
        "redirect_uris": ["http://127.0.0.1/cb"],
    })))
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("client broken"), "{text}");
    assert!(text.contains("client_secret is mandatory"), "{text}");
}
