//! Configuration that fits deployments (issue 9 §2): endpoints set at run time, clients without
//! an issuer, `discover()` at start-up, and settings from the environment — against the real
//! oidc-provider where a server's behaviour matters, and the fault peer where the test must see
//! that nothing was fetched.

use std::sync::Arc;

use super::common;

use crate::context::Context;
use crate::endpoints::EndpointName;
use crate::spec::ClientSpec;
use crate::{
    AudienceParam, ClientSecret, Confidential, ConfigError, Error, Flow, Kind, Public, Settings,
};
use common::{Client, MACHINE, ORDERS, WEB, bearer, dev_login, peer, peer_with};
use oauthflow_devserver::fault::Reply;
use oauthflow_devserver::{DevProvider, clients, jwt};
use serde_json::json;

/// A `machine` client whose attribute names an issuer and endpoints that do not exist; the
/// settings' endpoint must win, and the attribute's issuer must never be contacted.
static MACHINE_WITH_ATTRIBUTE_ENDPOINTS: ClientSpec = ClientSpec::new(
    "ImportJob",
    Kind::Machine,
    Flow::ClientCredentials,
    "IMPORT_JOB",
)
.issuer("https://as.example.invalid")
.token_endpoint("https://as.example.invalid/oauth/token")
.audiences(&[ORDERS])
.audience_param(AudienceParam::Resource);

/// A `web` client that asks for an ID token (so it needs an issuer and its keys).
static WEB_OPENID: ClientSpec =
    ClientSpec::new("WebApp", Kind::Web, Flow::AuthorizationCode, "WEB_APP")
        .scopes(&["openid"])
        .redirect_uri("http://127.0.0.1:8080/callback");

static FORM_POST: ClientSpec =
    ClientSpec::new("LoginPage", Kind::Spa, Flow::ImplicitFormPost, "LOGIN_PAGE")
        .scopes(&["openid"])
        .redirect_uri("https://127.0.0.1/callback");

static DEVICE: ClientSpec = ClientSpec::new("TvApp", Kind::Device, Flow::DeviceCode, "TV_APP");

fn machine_settings() -> Settings<Confidential> {
    let secret = clients::MACHINE.secret.expect("a confidential client");
    Settings::confidential(clients::MACHINE.id, ClientSecret::new(secret.into()))
}

fn web_settings() -> Settings<Confidential> {
    let secret = clients::WEB.secret.expect("a confidential client");
    Settings::confidential(clients::WEB.id, ClientSecret::new(secret.into()))
}

fn config_error(result: Result<Client, ConfigError>) -> ConfigError {
    result.expect_err("a configuration error")
}

/// A `machine` client with only a run-time `token_endpoint` and no issuer gets a token from
/// the real server.
#[tokio::test]
async fn machine_with_a_run_time_token_endpoint_and_no_issuer_gets_a_token() {
    let provider = DevProvider::start().await.unwrap();
    let client = Client::new(
        &MACHINE,
        machine_settings().token_endpoint(provider.token_endpoint().as_str()),
    )
    .expect("no issuer is needed");
    client
        .discover()
        .await
        .expect("nothing to fetch, nothing fails");
    let token = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(jwt::payload(token.secret())["aud"], ORDERS);
    assert_eq!(provider.grant_count().await.unwrap(), 1);
}

/// The same against the fault peer: no discovery request at all, from `discover()` or the
/// token request.
#[tokio::test]
async fn explicit_endpoints_covering_the_flow_fetch_no_metadata() {
    let peer = peer().await;
    peer.on("/token", bearer("at-1", 3600));
    let client = Client::new(
        &MACHINE,
        Settings::confidential("the-client", ClientSecret::new("s".into()))
            .token_endpoint(peer.url("/token")),
    )
    .unwrap();
    client.discover().await.unwrap();
    assert!(peer.requests().is_empty(), "discover() fetched something");
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert!(
        peer.requests_to("/.well-known/openid-configuration")
            .is_empty()
    );
    assert_eq!(peer.requests_to("/token").len(), 1);
}

/// A `web` client (no `openid`) with run-time authorization and token endpoints and no issuer
/// completes a login and a refresh against the real server. The server's callback carries an
/// `iss`, which this client has nothing to compare with: it is not checked (documented).
#[tokio::test]
async fn web_login_with_run_time_endpoints_and_no_issuer() {
    let provider = DevProvider::start().await.unwrap();
    let client = Client::new(
        &WEB,
        web_settings()
            .authorization_endpoint(provider.authorization_endpoint().as_str())
            .token_endpoint(provider.token_endpoint().as_str()),
    )
    .expect("no issuer is needed");
    client.discover().await.unwrap();
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    assert!(
        url.as_str()
            .starts_with(provider.authorization_endpoint().as_str())
    );
    assert_eq!(pending.issuer(), "", "no issuer to remember");
    let callback = dev_login(&provider, &url).await;
    assert!(
        callback.contains("iss="),
        "the server sends `iss`: {callback}"
    );
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    assert_eq!(jwt::payload(tokens.access_token().secret())["aud"], ORDERS);
    assert!(tokens.id_token().is_none());
    let refreshed = client.refresh(&tokens).await.unwrap();
    assert_eq!(
        jwt::payload(refreshed.access_token().secret())["aud"],
        ORDERS
    );
}

/// A wrong issuer fails at `discover()`, before any user logs in; the right one passes, and
/// for a client that validates ID tokens `discover()` also fetches the keys.
#[tokio::test]
async fn wrong_issuer_fails_at_discover() {
    let provider = DevProvider::start().await.unwrap();
    // One character off (a trailing slash): the metadata names another issuer (RFC 8414 §3.3).
    let wrong = Client::new(
        &WEB_OPENID,
        web_settings().issuer(format!("{}/", provider.issuer())),
    )
    .expect("nothing is fetched by new");
    let error = wrong.discover().await.expect_err("a wrong issuer");
    assert!(
        matches!(error, Error::Config(ConfigError::IssuerMismatch { .. })),
        "{error:?}"
    );
    // An issuer with nothing behind it.
    let nowhere = Client::new(
        &WEB_OPENID,
        web_settings().issuer(format!("{}/tenant-b", provider.issuer())),
    )
    .unwrap();
    let error = nowhere.discover().await.expect_err("no metadata there");
    assert!(
        matches!(error, Error::Config(ConfigError::Discovery { .. })),
        "{error:?}"
    );
    let right = Client::new(&WEB_OPENID, web_settings().issuer(provider.issuer())).unwrap();
    right.discover().await.unwrap();
}

/// `discover()` fetches the metadata once and, where ID tokens are validated, the keys once;
/// the first step then fetches neither again.
#[tokio::test]
async fn discover_fetches_metadata_and_keys_once() {
    let peer = peer().await;
    peer.on("/jwks", Reply::json(200, json!({"keys": []})));
    let client = Client::new(
        &WEB_OPENID,
        Settings::confidential("the-client", ClientSecret::new("s".into())).issuer(peer.base()),
    )
    .unwrap();
    client.discover().await.unwrap();
    assert_eq!(
        peer.requests_to("/.well-known/openid-configuration").len(),
        1
    );
    assert_eq!(peer.requests_to("/jwks").len(), 1);
    client.authorize_url(None).await.unwrap();
    assert_eq!(peer.requests().len(), 2, "served from the caches");
    // Unreachable keys fail at start-up too.
    let peer = peer_with(|_| {}).await;
    peer.on("/jwks", Reply::json(500, json!({})));
    let client = Client::new(
        &WEB_OPENID,
        Settings::confidential("the-client", ClientSecret::new("s".into())).issuer(peer.base()),
    )
    .unwrap();
    assert!(client.discover().await.is_err());
}

/// Metadata that omits an endpoint the flow needs fails at `discover()`, naming it; the
/// settings can supply it, on top of what is discovered.
#[tokio::test]
async fn settings_supply_what_the_metadata_omits() {
    let peer = peer_with(|doc| {
        doc.as_object_mut().unwrap().remove("token_endpoint");
    })
    .await;
    peer.on("/oauth/token", bearer("at-1", 3600));
    let settings = || Settings::confidential("the-client", ClientSecret::new("s".into()));
    let incomplete = Client::new(&MACHINE, settings().issuer(peer.base())).unwrap();
    let error = incomplete.discover().await.expect_err("no token endpoint");
    assert!(error.to_string().contains("token_endpoint"), "{error}");
    let completed = Client::new(
        &MACHINE,
        settings()
            .issuer(peer.base())
            .token_endpoint(peer.url("/oauth/token")),
    )
    .unwrap();
    completed.discover().await.unwrap();
    completed
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap();
    assert_eq!(peer.requests_to("/oauth/token").len(), 1);
}

/// The resolved endpoint set, in one place: discovered, the settings' on top; the endpoints no
/// step calls yet (revocation, end session, userinfo) are kept there too.
#[tokio::test]
async fn resolved_endpoints_are_discovered_then_overridden() {
    let provider = DevProvider::start().await.unwrap();
    let ctx = Context::new(
        &WEB,
        web_settings()
            .issuer(provider.issuer())
            .userinfo_endpoint("https://userinfo.example.com/me")
            .end_session_endpoint("https://as.example.com/logout"),
    )
    .unwrap();
    let metadata = ctx.metadata().await.unwrap();
    let endpoint = |name| metadata.endpoints.get(name).map(|u| u.as_str().to_owned());
    assert_eq!(
        endpoint(EndpointName::Token).as_deref(),
        Some(provider.token_endpoint().as_str())
    );
    assert_eq!(
        endpoint(EndpointName::Revocation).as_deref(),
        Some(provider.revocation_endpoint().as_str()),
        "discovered"
    );
    assert_eq!(
        endpoint(EndpointName::Userinfo).as_deref(),
        Some("https://userinfo.example.com/me"),
        "the settings' wins over the discovered one"
    );
    assert_eq!(
        endpoint(EndpointName::EndSession).as_deref(),
        Some("https://as.example.com/logout")
    );
}

/// The attribute names an issuer and a token endpoint; the settings' token endpoint overrides
/// it, and the attribute's issuer is never contacted (explicit endpoints cover the flow).
#[tokio::test]
async fn settings_endpoints_override_the_attribute() {
    let provider = DevProvider::start().await.unwrap();
    let client = Client::new(
        &MACHINE_WITH_ATTRIBUTE_ENDPOINTS,
        machine_settings().token_endpoint(provider.token_endpoint().as_str()),
    )
    .unwrap();
    client.discover().await.unwrap();
    let token = client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(jwt::payload(token.secret())["aud"], ORDERS);
}

/// `new` without a network: who needs an issuer, and which endpoints are refused.
#[test]
fn issuer_and_endpoint_rules() {
    let secret = || ClientSecret::new("s".into());
    let missing_issuer = |error: ConfigError| matches!(error, ConfigError::MissingIssuer { .. });
    // No issuer and no endpoints.
    assert!(missing_issuer(config_error(Client::new(
        &MACHINE,
        Settings::confidential("c", secret())
    ))));
    // Endpoints that do not cover the flow: the rest would have to be discovered.
    assert!(missing_issuer(config_error(Client::new(
        &WEB,
        Settings::confidential("c", secret()).token_endpoint("https://as.example.com/token")
    ))));
    // ID tokens need the issuer (their `iss`) even when every endpoint is given.
    let error = config_error(Client::new(
        &WEB_OPENID,
        Settings::confidential("c", secret())
            .authorization_endpoint("https://as.example.com/auth")
            .token_endpoint("https://as.example.com/token")
            .jwks_uri("https://as.example.com/jwks"),
    ));
    assert!(missing_issuer(error.clone()), "{error:?}");
    assert!(error.to_string().contains("WEB_APP_ISSUER"), "{error}");
    assert!(missing_issuer(config_error(Client::new(
        &FORM_POST,
        Settings::<Public>::public("p")
            .authorization_endpoint("https://as.example.com/auth")
            .jwks_uri("https://as.example.com/jwks"),
    ))));
    // The same with an issuer is fine, and so is a device client with its two endpoints.
    Client::new(
        &WEB_OPENID,
        Settings::confidential("c", secret())
            .issuer("https://as.example.com")
            .authorization_endpoint("https://as.example.com/auth")
            .token_endpoint("https://as.example.com/token")
            .jwks_uri("https://as.example.com/jwks"),
    )
    .unwrap();
    Client::new(
        &DEVICE,
        Settings::public("tv")
            .device_authorization_endpoint("https://as.example.com/device")
            .token_endpoint("https://as.example.com/token"),
    )
    .unwrap();
    // An endpoint the flow never calls is a mistake, as in the attribute (C15).
    let error = config_error(Client::new(
        &MACHINE,
        Settings::confidential("c", secret())
            .token_endpoint("https://as.example.com/token")
            .device_authorization_endpoint("https://as.example.com/device"),
    ));
    assert!(
        error.to_string().contains("device_authorization_endpoint"),
        "{error}"
    );
    assert!(
        Client::new(
            &WEB,
            Settings::confidential("c", secret())
                .issuer("https://as.example.com")
                .jwks_uri("https://as.example.com/jwks"),
        )
        .is_err(),
        "jwks_uri without openid"
    );
    // Revocation, end session and userinfo are kept for every kind.
    Client::new(
        &MACHINE,
        Settings::confidential("c", secret())
            .token_endpoint("https://as.example.com/token")
            .revocation_endpoint("https://as.example.com/revoke")
            .end_session_endpoint("https://as.example.com/logout")
            .userinfo_endpoint("https://as.example.com/me"),
    )
    .unwrap();
    // Every endpoint is checked with the attribute's URL rules, and named.
    for (settings, what) in [
        (
            Settings::confidential("c", secret()).token_endpoint("http://as.example.com/token"),
            "token_endpoint",
        ),
        (
            Settings::confidential("c", secret())
                .token_endpoint("https://as.example.com/token")
                .revocation_endpoint("https://localhost/revoke"),
            "revocation_endpoint",
        ),
        (
            Settings::confidential("c", secret())
                .token_endpoint("https://as.example.com/token")
                .userinfo_endpoint("https://user:pw@as.example.com/me"),
            "userinfo_endpoint",
        ),
        (
            Settings::confidential("c", secret())
                .token_endpoint("https://as.example.com/token")
                .end_session_endpoint("https://as.example.com/logout#x"),
            "end_session_endpoint",
        ),
    ] {
        match Client::new(&MACHINE, settings) {
            Err(ConfigError::InvalidUrl { what: found, .. }) => assert_eq!(found, what),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// `Settings::from_env` (through an injected lookup, not the process environment) gives a
/// working client: a `machine` client configured by variables alone, no issuer.
#[tokio::test]
async fn settings_from_the_environment_make_a_working_client() {
    let provider = DevProvider::start().await.unwrap();
    let secret = clients::MACHINE.secret.unwrap().to_owned();
    let token_endpoint = provider.token_endpoint().to_string();
    let lookup = move |name: &str| match name {
        "IMPORT_JOB_CLIENT_ID" => Some(clients::MACHINE.id.to_owned()),
        "IMPORT_JOB_CLIENT_SECRET" => Some(secret.clone()),
        "IMPORT_JOB_TOKEN_ENDPOINT" => Some(token_endpoint.clone()),
        "IMPORT_JOB_REQUEST_TIMEOUT" => Some("5s".to_owned()),
        _ => None,
    };
    let settings = Settings::<Confidential>::from_lookup("IMPORT_JOB", lookup).unwrap();
    let client = Client::new(&MACHINE, settings).unwrap();
    client.discover().await.unwrap();
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    // The variables' values reach `new`'s kind-specific checks too: a native-only redirect
    // shape from the environment is refused for a web client.
    let lookup = |name: &str| match name {
        "WEB_APP_CLIENT_ID" => Some("c".to_owned()),
        "WEB_APP_CLIENT_SECRET" => Some("s".to_owned()),
        "WEB_APP_ISSUER" => Some("https://as.example.com".to_owned()),
        "WEB_APP_REDIRECT_URI" => Some("com.example.app:/cb".to_owned()),
        _ => None,
    };
    let settings = Settings::<Confidential>::from_lookup("WEB_APP", lookup).unwrap();
    assert!(matches!(
        Client::new(&WEB, settings),
        Err(ConfigError::InvalidUrl {
            what: "redirect_uri",
            ..
        })
    ));
}

/// Clones share what `discover()` fetched: a clone's first step makes no request.
#[tokio::test]
async fn clones_share_what_discover_fetched() {
    let peer = peer().await;
    let client = Arc::new(
        Client::new(
            &WEB,
            Settings::confidential("the-client", ClientSecret::new("s".into())).issuer(peer.base()),
        )
        .unwrap(),
    );
    client.discover().await.unwrap();
    let clone = (*client).clone();
    clone.authorize_url(Some(ORDERS)).await.unwrap();
    assert_eq!(peer.requests().len(), 1);
}

/// A `device` client with run-time device-authorization and token endpoints and no issuer:
/// its request goes to the settings' endpoint, and nothing is discovered.
#[tokio::test]
async fn device_client_with_run_time_endpoints_and_no_issuer() {
    let peer = peer().await;
    peer.on(
        "/device",
        Reply::json(
            200,
            json!({
                "device_code": "dc-1",
                "user_code": "ABCD-EFGH",
                "verification_uri": peer.url("/activate"),
                "expires_in": 600,
            }),
        ),
    );
    let client = Client::new(
        &DEVICE,
        Settings::public("tv")
            .device_authorization_endpoint(peer.url("/device"))
            .token_endpoint(peer.url("/token")),
    )
    .expect("no issuer is needed");
    client.discover().await.unwrap();
    let authorization = client.device_authorization(None).await.unwrap();
    assert_eq!(authorization.user_code(), "ABCD-EFGH");
    assert_eq!(peer.requests_to("/device").len(), 1);
    assert!(
        peer.requests_to("/.well-known/openid-configuration")
            .is_empty()
    );
}
