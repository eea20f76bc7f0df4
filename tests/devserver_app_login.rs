//! How to test your app's own login route with `oauthflow-devserver` (issue 9 §4).
//!
//! The app under test is a tiny axum app with `/login`, `/callback` and `/me`, built on a
//! generated `kind = "web"` client, as an app would be. The test starts the real test provider,
//! registers the app's redirect URI as a client, starts the app on 127.0.0.1:0, and then plays
//! the browser: GET `/login`, hand the redirect to the provider's login driver (which signs in
//! and consents by plain HTTP and returns the redirect back to the app without following it),
//! GET that callback from the app with the app's session cookie, and check what the app did.
//!
//! Copy this file into your project with `oauthflow-devserver` as a dev-dependency; replace
//! `app()` with your own router.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use oauthflow::{ClientSecret, PendingAuthorization, Settings, oauth_client};
use oauthflow_devserver::{DevBrowser, DevOptions, DevProvider};
use serde_json::{Value, json};
use url::Url;

// ---------------------------------------------------------------------------------------
// The app under test
// ---------------------------------------------------------------------------------------

/// The shop's login. The redirect URI here is the production default; the test overrides it
/// with `Settings::redirect_uri` for the port it binds.
#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    scopes = ["openid", "profile"],
)]
pub struct Shop;

#[derive(Default)]
struct Session {
    pending: Option<PendingAuthorization>,
    user: Option<String>,
}

#[derive(Clone)]
struct App {
    shop: Shop,
    sessions: Arc<Mutex<HashMap<String, Session>>>,
}

const COOKIE_NAME: &str = "shop_session";

impl App {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
}

fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The `sub` of an ID token that `exchange_code` has already validated (signature, `iss`,
/// `aud`, `exp`, `nonce`); here it is only read.
fn subject(id_token: &str) -> Option<String> {
    let payload = id_token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims["sub"].as_str().map(str::to_owned)
}

async fn login(State(app): State<App>) -> Response {
    let (url, pending) = match app.shop.authorize_url().await {
        Ok(step) => step,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let Ok(id) = new_session_id() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    app.sessions().insert(
        id.clone(),
        Session {
            pending: Some(pending),
            user: None,
        },
    );
    let cookie = format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax");
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, url.to_string()), (SET_COOKIE, cookie)],
    )
        .into_response()
}

async fn callback(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(id) = session_id(&headers) else {
        return (StatusCode::BAD_REQUEST, "no session").into_response();
    };
    let pending = app.sessions().get_mut(&id).and_then(|s| s.pending.take());
    let Some(pending) = pending else {
        return (StatusCode::BAD_REQUEST, "no pending login").into_response();
    };
    let tokens = match app
        .shop
        .exchange_code(pending, query.as_deref().unwrap_or_default())
        .await
    {
        Ok(tokens) => tokens,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("login failed: {e}")).into_response(),
    };
    let Some(user) = tokens.id_token().and_then(subject) else {
        return (StatusCode::BAD_GATEWAY, "no ID token").into_response();
    };
    if let Some(session) = app.sessions().get_mut(&id) {
        session.user = Some(user);
    }
    (StatusCode::SEE_OTHER, [(LOCATION, "/me")]).into_response()
}

async fn me(State(app): State<App>, headers: HeaderMap) -> Response {
    let user = session_id(&headers).and_then(|id| app.sessions().get(&id)?.user.clone());
    match user {
        Some(user) => (
            [(CONTENT_TYPE, "application/json")],
            json!({ "user": user }).to_string(),
        )
            .into_response(),
        None => (StatusCode::UNAUTHORIZED, "not signed in").into_response(),
    }
}

fn app(shop: Shop) -> Router {
    let state = App {
        shop,
        sessions: Arc::default(),
    };
    Router::new()
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/me", get(me))
        .with_state(state)
}

// ---------------------------------------------------------------------------------------
// The test harness: the provider, the app on an ephemeral port, and a "browser"
// ---------------------------------------------------------------------------------------

const CLIENT_ID: &str = "shop";
const CLIENT_SECRET: &str = "shop-secret";

/// The app under test, serving, and the HTTP client that plays the browser (it follows no
/// redirect by itself, so the test sees each one).
struct Harness {
    base: String,
    http: reqwest::Client,
}

/// Binds the app's port first (its redirect URI must be registered with the provider), then
/// builds the provider options, then the app's client for `issuer`.
async fn bind_app() -> (tokio::net::TcpListener, String, DevOptions) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://{}/callback", listener.local_addr().unwrap());
    let options = DevOptions::new().client(json!({
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "client_secret_basic",
    }));
    (listener, redirect_uri, options)
}

fn serve_app(listener: tokio::net::TcpListener, redirect_uri: &str, issuer: &str) -> Harness {
    let base = format!("http://{}", listener.local_addr().unwrap());
    let secret = ClientSecret::new(CLIENT_SECRET.into());
    let shop = Shop::new(
        Settings::confidential(CLIENT_ID, secret)
            .issuer(issuer)
            .redirect_uri(redirect_uri),
    )
    .unwrap();
    tokio::spawn(axum::serve(listener, app(shop)).into_future());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Harness { base, http }
}

impl Harness {
    /// GET `/login`: the app's session cookie and the authorization URL it redirects to.
    async fn start_login(&self) -> (String, Url) {
        let resp = self
            .http
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let cookie = resp.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let authorize = Url::parse(resp.headers()[LOCATION].to_str().unwrap()).unwrap();
        (cookie, authorize)
    }

    /// GET `url` from the app with the session cookie (if any).
    async fn get(&self, url: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(url);
        if let Some(cookie) = cookie {
            req = req.header(COOKIE, cookie);
        }
        req.send().await.unwrap()
    }
}

#[tokio::test]
async fn login_through_the_apps_own_routes() {
    let (listener, redirect_uri, options) = bind_app().await;
    let provider = DevProvider::start_with(options).await.unwrap();
    let app = serve_app(listener, &redirect_uri, provider.issuer());

    // Not signed in yet.
    let resp = app.get(&format!("{}/me", app.base), None).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // /login redirects to the provider, the driver signs in as carol and consents, and
    // returns the redirect back to the app's /callback, unrequested.
    let (cookie, authorize) = app.start_login().await;
    assert!(
        authorize.as_str().starts_with(provider.issuer()),
        "{authorize}"
    );
    let callback = provider
        .browser()
        .with_user("carol", "any password")
        .login(&authorize)
        .await
        .unwrap();
    assert!(
        callback.as_str().starts_with(&format!("{redirect_uri}?")),
        "{callback}"
    );

    // The app redeems the code and signs carol in.
    let resp = app.get(callback.as_str(), Some(&cookie)).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    let me: Value = app
        .get(&format!("{}/me", app.base), Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me, json!({ "user": "carol" }));

    // The pending login was used once: replaying the callback is refused.
    let replay = app.get(callback.as_str(), Some(&cookie)).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);

    // One successful token request: the app's code redemption.
    assert_eq!(
        provider.grant_stats().await.unwrap().for_client(CLIENT_ID),
        1
    );
}

#[tokio::test]
async fn a_declined_login_is_refused_by_the_app() {
    let (listener, redirect_uri, options) = bind_app().await;
    let provider = DevProvider::start_with(options).await.unwrap();
    let app = serve_app(listener, &redirect_uri, provider.issuer());

    let (cookie, authorize) = app.start_login().await;
    let callback = provider.browser().deny(&authorize).await.unwrap();
    let resp = app.get(callback.as_str(), Some(&cookie)).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("access_denied"));
    let resp = app.get(&format!("{}/me", app.base), Some(&cookie)).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

/// An app whose configuration names a fixed issuer (`http://127.0.0.1:PORT`), and a driver
/// that knows only that issuer — what a test does against a provider started elsewhere
/// (`cargo run -p oauthflow-devserver --example serve -- --port PORT`).
#[tokio::test]
async fn fixed_issuer_and_a_driver_that_only_knows_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let issuer = format!("http://127.0.0.1:{port}");
    let (listener, redirect_uri, options) = bind_app().await;
    let _provider = DevProvider::start_with(options.port(port)).await.unwrap();
    let app = serve_app(listener, &redirect_uri, &issuer);

    let (cookie, authorize) = app.start_login().await;
    let callback = DevBrowser::connect(&issuer)
        .unwrap()
        .with_user("dave", "x")
        .login(&authorize)
        .await
        .unwrap();
    let resp = app.get(callback.as_str(), Some(&cookie)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let me: Value = app
        .get(&format!("{}/me", app.base), Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me, json!({ "user": "dave" }));
}
