//! `kind = "web"` → authorization code + PKCE for a confidential client: an axum web app.
//!
//! A regular web app runs on a server that can keep a secret, so it is a confidential client
//! (always with PKCE S256 too). The app has five routes:
//!
//! - `/login` creates a session (a random id in an `HttpOnly` cookie; the session data stays in
//!   memory on the server), keeps the `PendingAuthorization` in it and redirects to the
//!   authorization server;
//! - `/callback` takes the pending authorization out of the session, redeems the code and keeps
//!   the tokens in the session (never in the cookie); when the user cancelled at the
//!   authorization server (`access_denied`) it says so, and any other failure as a failure;
//! - `/me` shows the signed-in user (the validated ID token's claims) and what the access token is
//!   for (never the token), refreshing the session first when it is about to expire;
//! - `/refresh` exchanges the refresh token for new tokens;
//! - `/logout` revokes the tokens, forgets the session and sends the browser to the provider's
//!   end-session endpoint, which comes back to `/signed-out` — a page of this app, which keeps
//!   serving: the user can sign in again.
//!
//! `/me` and `/refresh` answer a browser (`Accept: text/html`) with a page and anything else
//! with JSON. `tests/browser.rs` drives these routes in headless Chromium.
//!
//! With the embedded default, the app listens on 127.0.0.1 on an ephemeral port (the provider
//! registers an extra client with exactly that redirect URI, and `Settings::redirect_uri`
//! overrides the attribute's) and drives itself like a browser would: GET /login, the
//! provider's login and consent pages, the callback, /me, /refresh, /logout — printing each
//! step. The tour stops it there; run on its own, it then keeps serving for your browser
//! (sign in with any login and password at the embedded provider) until Ctrl-C.
//!
//! ```sh
//! cargo run --example web_server            # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant: register a regular web application with the redirect URI
//! `http://127.0.0.1:8080/callback` and the API `https://api.example.com/orders`, then run
//!
//! ```sh
//! PORTAL_ISSUER=https://tenant.example.com/ PORTAL_CLIENT_ID=... PORTAL_CLIENT_SECRET=... \
//! cargo run --example web_server
//! ```
//!
//! and open <http://127.0.0.1:8080/login> in your browser; the app serves until Ctrl-C.

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oauthflow::{PendingAuthorization, TokenSet, oauth_client};
use serde_json::json;
use tokio::sync::Notify;

use crate::support::page::{escape_html, page, sign_in_failed};
use crate::support::{Target, WEB_SERVER_CLIENT, say, show_authorize_url, show_callback};

/// The customer portal, a server-side web app.
#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    audiences = ["https://api.example.com/orders"],
    scopes = ["openid", "profile", "read:orders"],
    refresh_tokens = true,
)]
pub struct Portal;

/// What the server keeps per browser session.
#[derive(Default)]
struct Session {
    /// Between `/login` and `/callback`: state, PKCE verifier, nonce.
    pending: Option<PendingAuthorization>,
    /// After `/callback`.
    tokens: Option<TokenSet>,
}

/// The app's state: the client (cheap to clone, shares its caches) and the session store.
#[derive(Clone)]
struct App {
    portal: Portal,
    /// Where the app is served, ending in `/` (for `/signed-out`).
    base: String,
    /// The `state` of each logout redirect on its way through the authorization server.
    logout_states: Arc<Mutex<HashSet<String>>>,
    sessions: Arc<Mutex<HashMap<String, Session>>>,
}

const COOKIE_NAME: &str = "portal_session";

impl App {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session id from the `Cookie` header.
fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
}

/// 256 random bits, hex.
fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

fn fail(status: StatusCode, why: impl std::fmt::Display) -> Response {
    say("app", format!("-> {status}: {why}"));
    (status, why.to_string()).into_response()
}

/// Whether the caller is a browser asking for a page (`Accept: text/html`) rather than a
/// program asking for JSON.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The signed-in page of `/me` and `/refresh`: who, and what the tokens are for.
fn summary_page(summary: &serde_json::Value, note: &str) -> Response {
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => escape_html(s),
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| escape_html(item.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" "),
        other => escape_html(&other.to_string()),
    };
    let token = &summary["access_token"];
    let body = format!(
        "<p>Signed in as <b id=\"name\">{name}</b> (<code id=\"user\">{user}</code>). {note}</p>\
         <table><tr><td>access token for</td><td id=\"aud\">{aud}</td></tr>\
         <tr><td>scopes</td><td>{scope}</td></tr>\
         <tr><td>expires (Unix time)</td><td id=\"exp\">{exp}</td></tr>\
         <tr><td>refresh token</td><td>{refresh}</td></tr></table>\
         <nav><a href=\"/refresh\">Refresh the tokens</a><a href=\"/logout\">Log out</a></nav>",
        name = text(&summary["name"]),
        user = text(&summary["user"]),
        aud = text(&token["aud"]),
        scope = text(&token["scope"]),
        exp = text(&token["exp"]),
        refresh = if summary["refresh_token"] == true {
            "yes"
        } else {
            "no"
        },
    );
    page(StatusCode::OK, "Customer portal", &body)
}

fn json_response(value: &serde_json::Value) -> Response {
    ([(CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

/// What `/me` and `/refresh` show: the validated ID token's claims and what the tokens are for
/// — never a token, and no JWT decoded by the app (`TokenSet::id_token_claims`).
fn token_summary(tokens: &TokenSet) -> serde_json::Value {
    let id = tokens.id_token_claims();
    let seconds = |at: std::time::SystemTime| {
        at.duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .ok()
    };
    json!({
        "user": id.map(|c| c.subject()),
        "name": id.and_then(|c| c.claim("name")),
        "access_token": {
            "aud": tokens.audience(),
            "scope": tokens.scopes(),
            "exp": tokens.expires_at().and_then(seconds),
        },
        "refresh_token": tokens.refresh_token().is_some(),
    })
}

async fn login(State(app): State<App>) -> Response {
    let (url, pending) = match app.portal.authorize_url(PortalAudience::Orders).await {
        Ok(step) => step,
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    let id = match new_session_id() {
        Ok(id) => id,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    app.sessions().insert(
        id.clone(),
        Session {
            pending: Some(pending),
            tokens: None,
        },
    );
    say(
        "app",
        "/login: new session, pending authorization kept in it; 303 to the authorization server",
    );
    // `SameSite=Lax`: the cookie comes back on the top-level redirect from the authorization
    // server. Add `Secure` when the app is served over https (this one is http on loopback).
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
        return fail(StatusCode::BAD_REQUEST, "no session: start at /login");
    };
    // One use: the pending authorization leaves the session whatever happens next.
    let pending = app.sessions().get_mut(&id).and_then(|s| s.pending.take());
    let Some(pending) = pending else {
        return fail(
            StatusCode::BAD_REQUEST,
            "no pending authorization: start at /login",
        );
    };
    let tokens = match app
        .portal
        .exchange_code(pending, query.as_deref().unwrap_or_default())
        .await
    {
        Ok(tokens) => tokens,
        Err(e) => {
            say(
                "app",
                format!("/callback: no session ({e}); the page says what happened"),
            );
            return sign_in_failed(&e);
        }
    };
    if let Some(session) = app.sessions().get_mut(&id) {
        session.tokens = Some(tokens);
    }
    say(
        "app",
        "/callback: state and iss checked, code redeemed with the PKCE verifier; tokens kept in the session; 303 to /me",
    );
    redirect("/me")
}

/// The tokens of the caller's session, if signed in.
fn session_tokens(app: &App, headers: &HeaderMap) -> Option<TokenSet> {
    let id = session_id(headers)?;
    app.sessions().get(&id)?.tokens.clone()
}

async fn me(State(app): State<App>, headers: HeaderMap) -> Response {
    let (Some(id), Some(mut tokens)) = (session_id(&headers), session_tokens(&app, &headers))
    else {
        return fail(StatusCode::UNAUTHORIZED, "not signed in: start at /login");
    };
    // The session helper: refreshed in place only inside the refresh margin (one request for
    // concurrent requests of the session); what a refresh committed is in `tokens` even when
    // it returns an error.
    let outcome = app.portal.refresh_if_needed(&mut tokens).await;
    let changed = outcome.as_ref().is_ok_and(|refreshed| *refreshed) || outcome.is_err();
    if changed && let Some(session) = app.sessions().get_mut(&id) {
        session.tokens = Some(tokens.clone());
    }
    match outcome {
        Ok(_) if wants_html(&headers) => summary_page(&token_summary(&tokens), ""),
        Ok(_) => json_response(&token_summary(&tokens)),
        Err(e) => fail(StatusCode::UNAUTHORIZED, format!("sign in again: {e}")),
    }
}

async fn refresh(State(app): State<App>, headers: HeaderMap) -> Response {
    let (Some(id), Some(tokens)) = (session_id(&headers), session_tokens(&app, &headers)) else {
        return fail(StatusCode::UNAUTHORIZED, "not signed in: start at /login");
    };
    let refreshed = match app.portal.refresh(&tokens).await {
        Ok(refreshed) => refreshed,
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    say(
        "app",
        "/refresh: refresh token exchanged; new tokens kept in the session",
    );
    let summary = token_summary(&refreshed);
    if let Some(session) = app.sessions().get_mut(&id) {
        session.tokens = Some(refreshed);
    }
    if wants_html(&headers) {
        return summary_page(&summary, "The tokens were just refreshed.");
    }
    json_response(&summary)
}

/// Logout: revoke the session's tokens (RFC 7009), forget the session, and send the browser to
/// the authorization server to end its session there (RP-Initiated Logout), which sends it back
/// to `/signed-out` with the `state` kept here.
async fn logout(State(app): State<App>, headers: HeaderMap) -> Response {
    let session = session_id(&headers).and_then(|id| app.sessions().remove(&id));
    let cookie = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut to = "/signed-out".to_owned();
    if let Some(tokens) = session.and_then(|s| s.tokens) {
        if let Err(e) = app.portal.revoke(&tokens).await {
            say(
                "app",
                format!("/logout: revocation failed ({e}); the session is forgotten anyway"),
            );
        }
        let signed_out = format!("{}signed-out", app.base);
        match app.portal.end_session_url(&tokens, Some(&signed_out)).await {
            Ok((url, state)) => {
                app.logout_states
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(state);
                to = url.to_string();
            }
            Err(e) => say("app", format!("/logout: no end-session URL ({e})")),
        }
    }
    say(
        "app",
        "/logout: tokens revoked, session forgotten, cookie cleared; 303 to the end-session endpoint",
    );
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, to), (SET_COOKIE, cookie)],
    )
        .into_response()
}

/// Where the authorization server sends the browser after logout: a page of this app (which
/// keeps serving), with the `state` checked when the server sends one back.
async fn signed_out(State(app): State<App>, RawQuery(query): RawQuery) -> Response {
    let state = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(state) = state {
        let known = app
            .logout_states
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&state);
        if !known {
            return fail(StatusCode::BAD_REQUEST, "logout state mismatch");
        }
    }
    say("app", "/signed-out: back from the provider's logout");
    page(
        StatusCode::OK,
        "Signed out",
        "<p>You are signed out of the portal and of the authorization server.</p>\
         <p><a href=\"/login\">Sign in again</a></p>",
    )
}

async fn home() -> Response {
    page(
        StatusCode::OK,
        "Customer portal",
        "<p>Sign in to see your orders' access.</p>\
         <nav><a href=\"/login\">Sign in</a><a href=\"/me\">Who am I?</a></nav>",
    )
}

/// The app's routes for `portal`, served at `base` (`http://HOST:PORT/`, for the post-logout
/// redirect URI `{base}signed-out`). `run` serves them, and so do the browser tests.
pub fn router(portal: Portal, base: &str) -> Router {
    let app = App {
        portal,
        base: base.to_owned(),
        logout_states: Arc::default(),
        sessions: Arc::default(),
    };
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/me", get(me))
        .route("/refresh", get(refresh))
        .route("/logout", get(logout))
        .route("/signed-out", get(signed_out))
        .with_state(app)
}

/// The app, serving in a task until `stop` is notified.
struct Serving {
    addr: std::net::SocketAddr,
    stop: Arc<Notify>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Serving {
    /// Stops accepting, lets the requests in flight finish, and waits for the server task.
    async fn stop(self) -> support::Result<()> {
        self.stop.notify_one();
        self.server.await??;
        Ok(())
    }
}

/// Binds (the embedded provider's pre-registered port, or 127.0.0.1:8080) and starts serving.
async fn start(target: &Target) -> support::Result<Serving> {
    support::header("web_server", Portal::KIND, Portal::FLOW, Portal::DECISION);
    let (listener, redirect_uri) = match target.embedded_provider() {
        Some(embedded) => {
            let listener = embedded
                .take_web_server_listener()
                .ok_or("the web server's port was already used")?;
            (
                listener,
                Some(embedded.web_server_redirect_uri().to_owned()),
            )
        }
        None => (std::net::TcpListener::bind("127.0.0.1:8080")?, None),
    };
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;

    let portal = target.client(
        WEB_SERVER_CLIENT,
        // The embedded provider registered this client for the port bound above.
        |settings| match &redirect_uri {
            Some(uri) => Portal::new(settings.redirect_uri(uri.as_str())),
            None => Portal::new(settings),
        },
        Portal::from_env,
    )?;
    let stop = Arc::new(Notify::new());
    let stopped = stop.clone();
    let server = tokio::spawn(
        axum::serve(listener, router(portal, &format!("http://{addr}/")))
            .with_graceful_shutdown(async move { stopped.notified().await })
            .into_future(),
    );
    say("listening", format!("http://{addr}/"));
    Ok(Serving { addr, stop, server })
}

/// The tour's run: with the embedded provider, drives the app like a browser and stops it;
/// against a real tenant, serves your browser until Ctrl-C. Returns a summary.
#[allow(dead_code)] // the browser tests include this file for `router` only
pub async fn run(target: &Target) -> support::Result<String> {
    let serving = start(target).await?;
    let summary = match target.embedded_provider() {
        Some(embedded) => drive(&format!("http://{}", serving.addr), embedded.provider()).await,
        None => serve_browser(serving.addr)
            .await
            .map(|()| "served a real browser until Ctrl-C".to_owned()),
    };
    serving.stop().await?;
    summary
}

/// Waits for Ctrl-C while the app serves a real browser.
async fn serve_browser(addr: std::net::SocketAddr) -> support::Result<()> {
    say(
        "open",
        format!("http://{addr}/login in your browser; Ctrl-C quits"),
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The browser's part, for the embedded default: follows the app's redirects by hand, keeps the
/// session cookie, and lets the provider's login driver sign in as alice.
async fn drive(base: &str, provider: &oauthflow_devserver::DevProvider) -> support::Result<String> {
    say(
        "browser",
        "embedded default: this process plays the browser (no redirects followed automatically)",
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?;
    let location = |resp: &reqwest::Response| -> support::Result<String> {
        Ok(resp
            .headers()
            .get(LOCATION)
            .ok_or("a redirect without Location")?
            .to_str()?
            .to_owned())
    };

    // GET /login: a session cookie and a redirect to the authorization server.
    let resp = http.get(format!("{base}/login")).send().await?;
    let cookie = resp
        .headers()
        .get(SET_COOKIE)
        .ok_or("/login set no cookie")?
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let authorize = oauthflow::Url::parse(&location(&resp)?)?;
    say(
        "browser",
        format!("GET /login -> {} with a session cookie", resp.status()),
    );
    show_authorize_url(&authorize);

    // The provider's login and consent pages; its final redirect goes back to the app.
    say(
        "user",
        "embedded default: signing in as alice and consenting by plain HTTP",
    );
    let callback = provider.login(&authorize).await?;
    show_callback(callback.as_str());
    let resp = http.get(callback).header(COOKIE, &cookie).send().await?;
    say(
        "browser",
        format!("GET /callback -> {} to {}", resp.status(), location(&resp)?),
    );
    if resp.status() != StatusCode::SEE_OTHER {
        return Err(format!(
            "/callback answered {}: {}",
            resp.status(),
            resp.text().await?
        )
        .into());
    }

    let me: serde_json::Value = get_json(&http, &format!("{base}/me"), &cookie).await?;
    say("browser", format!("GET /me -> {me}"));
    let refreshed: serde_json::Value = get_json(&http, &format!("{base}/refresh"), &cookie).await?;
    say("browser", format!("GET /refresh -> {refreshed}"));

    let resp = http
        .get(format!("{base}/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await?;
    let end_session = location(&resp)?;
    say(
        "browser",
        format!(
            "GET /logout -> {} to the provider's end-session endpoint",
            resp.status()
        ),
    );
    let page = http.get(&end_session).send().await?;
    say(
        "browser",
        format!(
            "GET end-session URL -> {} (the provider asks to confirm the logout)",
            page.status()
        ),
    );
    if !page.status().is_success() || !end_session.starts_with(provider.issuer()) {
        return Err(format!("the end-session URL answered {}", page.status()).into());
    }
    Ok(format!(
        "login, callback, /me (user {}), /refresh, /logout",
        me["user"].as_str().unwrap_or("-")
    ))
}

async fn get_json(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
) -> support::Result<serde_json::Value> {
    let resp = http.get(url).header(COOKIE, cookie).send().await?;
    if !resp.status().is_success() {
        return Err(format!("{url} answered {}: {}", resp.status(), resp.text().await?).into());
    }
    Ok(resp.json().await?)
}

/// On its own, the app keeps serving after the scripted run: a browser can sign in, refresh and
/// log out until Ctrl-C.
#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("PORTAL").await?;
    let serving = start(&target).await?;
    if let Some(embedded) = target.embedded_provider() {
        let outcome = drive(&format!("http://{}", serving.addr), embedded.provider()).await?;
        say("scripted", outcome);
        say(
            "",
            "still serving: the embedded provider accepts any login and password",
        );
    }
    serve_browser(serving.addr).await?;
    serving.stop().await
}
