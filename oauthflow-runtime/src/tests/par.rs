//! Pushed authorization requests (R12, RFC 9126): end to end against oidc-provider (with
//! `par = true`, and when the metadata requires them), and typed errors at a fault peer.

use oauthflow_devserver::{DevOptions, DevProvider, clients, jwt};
use serde_json::json;

use super::common::{
    self, Client, ORDERS, SPA, WEB, dev_confidential, dev_login, dev_public, query_param,
};
use crate::spec::ClientSpec;
use crate::{ConfigError, Error, Url};

static WEB_PAR: ClientSpec = ClientSpec { par: true, ..WEB };

/// The names of the query parameters of `url`.
fn query_names(url: &Url) -> Vec<String> {
    url.query_pairs().map(|(k, _)| k.into_owned()).collect()
}

/// The browser gets `client_id` and `request_uri` only; the code flow (and refresh) then works
/// as usual. The push is authenticated like a token request (client_secret_basic here).
#[tokio::test]
async fn e2e_par_true_pushes_the_request() {
    let provider = DevProvider::start().await.unwrap();
    let client = dev_confidential(&WEB_PAR, &provider, clients::WEB);
    client.discover().await.unwrap();
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    assert_eq!(
        query_param(&url, "client_id").as_deref(),
        Some(clients::WEB.id)
    );
    assert!(
        query_param(&url, "request_uri")
            .unwrap()
            .starts_with("urn:ietf:params:oauth:request_uri:")
    );
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    assert_eq!(jwt::payload(tokens.access_token().secret())["aud"], ORDERS);
    client.refresh(&tokens).await.unwrap();
}

/// PAR with private_key_jwt: the push and the code exchange each carry their own assertion
/// (the server refuses a replayed `jti`).
#[tokio::test]
async fn e2e_par_with_private_key_jwt() {
    static WEB_PAR_KEY: ClientSpec = ClientSpec {
        client_auth: Some(crate::client_auth::AuthMethod::PrivateKeyJwt),
        ..WEB_PAR
    };
    let (key, jwk) = crate::client_key::generated_p256("par-key");
    let provider = DevProvider::start_with(
        DevOptions::new().client(super::private_key_jwt::registration("key-web", &jwk, true)),
    )
    .await
    .unwrap();
    let client = Client::new(
        &WEB_PAR_KEY,
        crate::Settings::private_key_jwt("key-web", key).issuer(provider.issuer()),
    )
    .unwrap();
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    assert_eq!(
        jwt::payload(tokens.access_token().secret())["client_id"],
        "key-web"
    );
}

/// R12: a server whose metadata requires PAR gets pushed requests from a client without
/// `par = true` — here a public one, which authenticates with its `client_id` only.
#[tokio::test]
async fn e2e_metadata_requiring_par_is_followed() {
    let provider = DevProvider::start_with(DevOptions::new().config(
        "features",
        json!({ "pushedAuthorizationRequests": { "requirePushedAuthorizationRequests": true } }),
    ))
    .await
    .unwrap();
    let client = dev_public(&SPA, &provider, clients::SPA);
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    assert_eq!(jwt::payload(tokens.access_token().secret())["aud"], ORDERS);
}

/// Typed, early: `par = true` and a server without a PAR endpoint fails `discover()`.
#[tokio::test]
async fn par_without_an_endpoint_fails_discover() {
    let peer = common::peer().await;
    let client = common::confidential(&WEB_PAR, &peer, "s");
    let err = client.discover().await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(ConfigError::Discovery { reason })
            if reason.contains("pushed_authorization_request_endpoint")),
        "{err:?}"
    );
    let err = client.authorize_url(Some(ORDERS)).await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::Discovery { .. })),
        "{err:?}"
    );
}

/// The peer's PAR endpoint: its OAuth error is typed; a malformed answer is refused; a good one
/// gives the URL; the pushed form carries the request (not `client_id` twice).
#[tokio::test]
async fn par_answers_at_the_peer() {
    let peer = common::peer_with(|m| {
        m["pushed_authorization_request_endpoint"] =
            json!(m["issuer"].as_str().unwrap().to_owned() + "/par");
    })
    .await;
    peer.script(
        "/par",
        vec![
            oauthflow_devserver::fault::Reply::json(
                400,
                json!({ "error": "invalid_request", "error_description": "bad scope" }),
            ),
            oauthflow_devserver::fault::Reply::json(201, json!({ "request_uri": "" })),
            oauthflow_devserver::fault::Reply::json(
                201,
                json!({ "request_uri": "urn:ietf:params:oauth:request_uri:abc", "expires_in": 60 }),
            ),
        ],
    );
    let client = common::confidential(&WEB_PAR, &peer, "s");
    let err = client.authorize_url(Some(ORDERS)).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_request"), "{err}");
    let err = client.authorize_url(Some(ORDERS)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    let (url, _) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(
        query_param(&url, "request_uri").as_deref(),
        Some("urn:ietf:params:oauth:request_uri:abc")
    );
    let pushed = peer.requests_to("/par");
    let last = pushed.last().unwrap();
    assert!(last.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(last.param("client_id").as_deref(), Some("the-client"));
    assert_eq!(
        url::form_urlencoded::parse(last.body.as_bytes())
            .filter(|(k, _)| k == "client_id")
            .count(),
        1,
        "client_id once"
    );
    assert_eq!(last.param("response_type").as_deref(), Some("code"));
    assert_eq!(last.param("code_challenge_method").as_deref(), Some("S256"));
    assert!(last.param("state").is_some());
}
