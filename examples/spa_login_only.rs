//! `kind = "spa"`, `access_token = false` → OpenID Connect implicit with form post: login only.
//!
//! When a browser app only needs to know who the user is (no API to call), the decision tree
//! allows the implicit flow with `response_type=id_token` and `response_mode=form_post`: no
//! access token at all, and the ID token arrives in a form POST to a server endpoint, not in a
//! URL fragment. The endpoint must validate it — signature from the issuer's keys, `iss`, `aud`,
//! `exp`, `nonce` — which is what `verify_form_post` does before it returns the claims.
//!
//! This example is that endpoint: a small axum app served over **https on loopback** (the
//! redirect URI of this flow must be https, OIDC Core §3.2.2.1; the certificate is self-signed
//! and made at start) with three routes:
//!
//! - `/` a page with a sign-in link;
//! - `/login` keeps the pending login (state, nonce) **on the server, keyed by its `state`**,
//!   and redirects to the authorization server;
//! - `POST /callback` receives the browser's form post, takes the pending login whose `state`
//!   the body carries (one use), validates the ID token and shows who signed in — or that the
//!   sign-in was cancelled.
//!
//! Why not a cookie, as `web_server` does: the POST is sent by the authorization server's
//! page, another site, and browsers send a `SameSite=Lax` (or `Strict`) cookie on a cross-site
//! request only for a top-level `GET`; on this `POST` it is left out (Chromium reports it as
//! `SameSite=Lax` / schemeful same-site blocked), so a pending login kept in such a cookie is
//! simply not there when the ID token arrives. `SameSite=None` would be sent, but it needs
//! `Secure` and lets every site's requests carry the cookie. The `state` the POST carries is
//! unguessable and single-use, so it both finds the pending login and proves the response
//! belongs to it.
//!
//! With the embedded default the app listens on 127.0.0.1 on an ephemeral port registered at the
//! provider, and this process plays the browser by plain HTTP: GET `/login`, the provider's
//! login and consent pages, and the POST of its auto-submitting form to the app. The tour stops
//! it there; run on its own it then keeps serving for your browser (which warns about the
//! self-signed certificate) until Ctrl-C. `tests/browser.rs` runs the same app in headless
//! Chromium.
//!
//! ```sh
//! cargo run --example spa_login_only        # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant: register a client allowed to use the implicit grant with
//! `response_type=id_token` and the redirect URI `https://127.0.0.1:8443/callback`, then run
//!
//! ```sh
//! LOGIN_PAGE_ISSUER=https://tenant.example.com/ LOGIN_PAGE_CLIENT_ID=... \
//! cargo run --example spa_login_only
//! ```
//!
//! and open <https://127.0.0.1:8443/> (accept the self-signed certificate).

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use oauthflow::{PendingAuthorization, oauth_client};
use tokio::sync::Notify;

use crate::support::https::{SelfSigned, TlsListener};
use crate::support::page::{escape_html, page, sign_in_failed};
use crate::support::{FORM_POST_CLIENT, Target, say, show_authorize_url, show_id_token_claims};

/// A login-only page: who is the user? No API access.
#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "https://127.0.0.1:8443/callback",
    scopes = ["openid", "profile"],
)]
pub struct LoginPage;

/// How long a pending login waits for its form post.
const PENDING_TTL: Duration = Duration::from_secs(600);
/// At most this many logins pending at once: `/login` is unauthenticated, so the store is
/// bounded (the oldest goes first).
const MAX_PENDING: usize = 1000;

/// The logins between `/login` and the form post, on the server, keyed by their `state` (see
/// the module documentation for why not in a cookie).
#[derive(Clone, Default)]
struct PendingLogins(Arc<Mutex<HashMap<String, (PendingAuthorization, Instant)>>>);

impl PendingLogins {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (PendingAuthorization, Instant)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, pending: PendingAuthorization) {
        let mut logins = self.lock();
        logins.retain(|_, (_, since)| since.elapsed() < PENDING_TTL);
        if logins.len() >= MAX_PENDING
            && let Some(oldest) = logins
                .iter()
                .min_by_key(|(_, (_, since))| *since)
                .map(|(state, _)| state.clone())
        {
            logins.remove(&oldest);
        }
        logins.insert(pending.state().to_owned(), (pending, Instant::now()));
    }

    /// The pending login of `state`, removed (one use), if it has not expired.
    fn take(&self, state: &str) -> Option<PendingAuthorization> {
        let (pending, since) = self.lock().remove(state)?;
        (since.elapsed() < PENDING_TTL).then_some(pending)
    }
}

#[derive(Clone)]
struct App {
    page: LoginPage,
    pending: PendingLogins,
}

async fn home() -> Response {
    page(
        StatusCode::OK,
        "Login page",
        "<p>Who are you? This page asks the authorization server for an ID token only.</p>\
         <p><a href=\"/login\">Sign in</a></p>",
    )
}

async fn login(State(app): State<App>) -> Response {
    let (url, pending) = match app.page.authorize_url().await {
        Ok(step) => step,
        Err(e) => {
            return page(
                StatusCode::BAD_GATEWAY,
                "Sign-in failed",
                &escape_html(&e.to_string()),
            );
        }
    };
    app.pending.insert(pending);
    say(
        "app",
        "/login: pending login kept on the server under its state; 303 to the authorization server",
    );
    (StatusCode::SEE_OTHER, [(LOCATION, url.to_string())]).into_response()
}

/// The redirect URI: the browser's cross-site form post.
async fn callback(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    let again = "<p><a href=\"/login\">Sign in again</a></p>";
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if let Err(e) = oauthflow::check_form_post_request("POST", content_type, query.as_deref()) {
        say("app", format!("/callback: refused ({e})"));
        return page(StatusCode::BAD_REQUEST, "Sign-in failed", again);
    }
    let state = url::form_urlencoded::parse(body.as_bytes())
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned());
    let Some(pending) = state.and_then(|state| app.pending.take(&state)) else {
        say("app", "/callback: no pending login for this state");
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            &format!("<p>This sign-in was not started here, or it expired.</p>{again}"),
        );
    };
    match app.page.verify_form_post(pending, &body).await {
        Ok(claims) => {
            say(
                "app",
                "/callback: pending login found by its state; ID token validated",
            );
            show_id_token_claims("id token", &claims);
            let name = claims.claim("name").and_then(|n| n.as_str()).unwrap_or("-");
            page(
                StatusCode::OK,
                "Signed in",
                &format!(
                    "<p>Signed in as <b>{}</b> (<code>{}</code>), from a validated ID token; \
                     no access token was issued.</p>",
                    escape_html(name),
                    escape_html(claims.subject())
                ),
            )
        }
        Err(e) => {
            say(
                "app",
                format!("/callback: no sign-in ({e}); the page says what happened"),
            );
            sign_in_failed(&e)
        }
    }
}

/// The app's routes for `page`. `run` serves them over https, and so do the browser tests.
pub fn router(page: LoginPage) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", post(callback))
        .with_state(App {
            page,
            pending: PendingLogins::default(),
        })
}

/// Serves `router(page)` over https with `cert` on `listener` until `stop` is notified.
pub async fn serve_https(
    listener: tokio::net::TcpListener,
    cert: &SelfSigned,
    page: LoginPage,
    stop: Arc<Notify>,
) -> support::Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    let listener = TlsListener::new(listener, cert)?;
    Ok(tokio::spawn(
        axum::serve(listener, router(page))
            .with_graceful_shutdown(async move { stop.notified().await })
            .into_future(),
    ))
}

/// The app, serving in a task until `stop` is notified.
struct Serving {
    base: String,
    cert: SelfSigned,
    stop: Arc<Notify>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds (the embedded provider's pre-registered port, or 127.0.0.1:8443), makes the
/// certificate and starts serving.
async fn start(target: &Target) -> support::Result<Serving> {
    support::header(
        "spa_login_only",
        LoginPage::KIND,
        LoginPage::FLOW,
        LoginPage::DECISION,
    );
    let (listener, redirect_uri) = match target.embedded_provider() {
        Some(embedded) => (
            embedded
                .take_form_post_listener()
                .ok_or("the form post app's port was already used")?,
            Some(embedded.form_post_redirect_uri().to_owned()),
        ),
        None => (std::net::TcpListener::bind("127.0.0.1:8443")?, None),
    };
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;
    let page = target.client(
        FORM_POST_CLIENT,
        // The embedded provider registered this client for the port bound above.
        |settings| match &redirect_uri {
            Some(uri) => LoginPage::new(settings.redirect_uri(uri.as_str())),
            None => LoginPage::new(settings),
        },
        LoginPage::from_env,
    )?;
    let cert = SelfSigned::for_ip(addr.ip())?;
    let stop = Arc::new(Notify::new());
    let server = serve_https(listener, &cert, page, stop.clone()).await?;
    let base = format!("https://{addr}/");
    say(
        "listening",
        format!("{base} (https, a self-signed certificate made now)"),
    );
    Ok(Serving {
        base,
        cert,
        stop,
        server,
    })
}

impl Serving {
    /// Stops accepting, lets the requests in flight finish, and waits for the server task.
    async fn stop(self) -> support::Result<()> {
        self.stop.notify_one();
        self.server.await??;
        Ok(())
    }
}

/// The browser's part, for the embedded default, by plain HTTP: GET `/login`, sign in at the
/// provider, and POST its form to the app exactly as its auto-submitting page would.
async fn drive(
    serving: &Serving,
    provider: &oauthflow_devserver::DevProvider,
) -> support::Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_only([reqwest::Certificate::from_der(serving.cert.cert_der())?])
        .no_proxy()
        .build()?;
    let resp = http.get(format!("{}login", serving.base)).send().await?;
    let authorize = resp
        .headers()
        .get(LOCATION)
        .ok_or("/login did not redirect")?
        .to_str()?;
    let authorize = oauthflow::Url::parse(authorize)?;
    show_authorize_url(&authorize);
    say(
        "user",
        "embedded default: signing in as alice and consenting by plain HTTP",
    );
    let (action, body) = provider.login_form_post(&authorize).await?;
    say(
        "form post",
        format!(
            "POST {} with {} (cross-site: no SameSite=Lax cookie would come along)",
            support::redact_url(&action),
            support::redact_query(&body)
        ),
    );
    let resp = http
        .post(action)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let status = resp.status();
    let text = resp.text().await?;
    if status != StatusCode::OK || !text.contains("Signed in as") {
        return Err(format!("the app answered the form post with {status}: {text}").into());
    }
    say("browser", format!("POST /callback -> {status}: signed in"));
    Ok("the app's https endpoint received the POST and validated the ID token".to_owned())
}

/// Waits for Ctrl-C while the app serves a real browser.
async fn serve_browser(base: &str) -> support::Result<()> {
    say(
        "open",
        format!(
            "{base} in your browser (it warns about the self-signed certificate); Ctrl-C quits"
        ),
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The tour's run: with the embedded provider, drives the app like a browser and stops it;
/// against a real tenant, serves your browser until Ctrl-C. Returns a summary.
#[allow(dead_code)] // the browser tests include this file for `router` only
pub async fn run(target: &Target) -> support::Result<String> {
    let serving = start(target).await?;
    let summary = match target.embedded_provider() {
        Some(embedded) => drive(&serving, embedded.provider()).await,
        None => serve_browser(&serving.base)
            .await
            .map(|()| "served a real browser until Ctrl-C".to_owned()),
    };
    serving.stop().await?;
    summary
}

/// On its own, the app keeps serving after the scripted run, until Ctrl-C.
#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("LOGIN_PAGE").await?;
    let serving = start(&target).await?;
    if let Some(embedded) = target.embedded_provider() {
        let outcome = drive(&serving, embedded.provider()).await?;
        say("scripted", outcome);
        say(
            "",
            "still serving: the embedded provider accepts any login and password",
        );
    }
    serve_browser(&serving.base).await?;
    serving.stop().await
}
