//! What end users see (issue 14): every interactive flow in a real browser — headless
//! Chromium through WebDriver (`browser_support`) — against the real oidc-provider.
//!
//! The apps are the repository's examples (included below as modules), served on 127.0.0.2
//! while the provider is on 127.0.0.1: two sites, so the browser applies its cross-site cookie
//! rules as in production. The user types into the provider's real login form and clicks its
//! real buttons; nothing is posted by hand.
//!
//! The tests run on a multi-threaded runtime: a failing test drops its browser session
//! synchronously, which needs the runtime's I/O to keep running on another thread.
//!
//! Each test saves a screenshot of every step under `target/tmp/browser-screenshots/<test>/`
//! (the README's pictures in `docs/browser/` are a few of them).
//!
//! Three of the tests guard against what the plain-HTTP tour could not see:
//! - `native_loopback_cancel_is_told_as_cancelled`: the loopback page once said
//!   "complete" for a cancelled sign-in, and kept `code`/`state`/`iss` in the address bar;
//! - `web_code_flow_login_refresh_logout_keeps_serving`: `web_server` once stopped itself on
//!   logout, leaving the browser on "can't be reached";
//! - `form_post_reaches_the_https_app_cross_site`: the form-post flow had no app that received
//!   the cross-site POST.

// Each example file declares `mod support;` for when it is built on its own; included here,
// each brings its own copy, and every example names `crate::support`, the one declared below.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/support/mod.rs"]
mod support;

#[path = "../examples/device_tv.rs"]
mod device_tv;
#[path = "../examples/native_loopback.rs"]
mod native_loopback;
#[path = "../examples/spa_login_only.rs"]
mod spa_login_only;
#[path = "../examples/web_server.rs"]
mod web_server;

mod browser_support;

use oauthflow::{ClientSecret, Settings};
use oauthflow_devserver::{DevOptions, DevProvider, clients, users};
use serde_json::json;
use tokio::sync::oneshot;

use browser_support::Browser;
use device_tv::{TvApp, TvAppAudience};
use native_loopback::{NotesCli, NotesCliAudience};
use spa_login_only::LoginPage;
use support::https::SelfSigned;
use support::{FORM_POST_CLIENT, WEB_SERVER_CLIENT};
use web_server::Portal;

/// The address the apps listen on: another site than the provider's 127.0.0.1.
const APP_HOST: &str = "127.0.0.2";

/// Signs in at the provider's real pages as alice: the login form (typed and submitted), then
/// the consent page (its button clicked). With `shots`, a screenshot of each page.
async fn sign_in(browser: &mut Browser, shots: bool) {
    browser.wait_for_text("Sign-in").await;
    browser.fill("login", users::ALICE).await;
    browser.fill("password", users::ALICE_PASSWORD).await;
    if shots {
        browser.screenshot("login").await;
    }
    browser.click("button[type=submit]").await;
    browser.wait_for_text("Continue").await;
    if shots {
        browser.screenshot("consent").await;
    }
    browser.click("button[type=submit]").await;
}

// ---------------------------------------------------------------------------------------------
// kind = "web": examples/web_server.rs

/// The provider, and `web_server`'s routes served on [`APP_HOST`] with a client registered for
/// exactly that address. Returns the provider and the app's base URL (`http://HOST:PORT/`).
async fn start_portal() -> (DevProvider, String) {
    let listener = tokio::net::TcpListener::bind((APP_HOST, 0))
        .await
        .expect("127.0.0.2 is a loopback address on Linux");
    let base = format!("http://{}/", listener.local_addr().expect("bound"));
    let redirect_uri = format!("{base}callback");
    let provider = DevProvider::start_with(DevOptions::new().client(json!({
        "client_id": WEB_SERVER_CLIENT.id,
        "client_secret": WEB_SERVER_CLIENT.secret,
        "token_endpoint_auth_method": WEB_SERVER_CLIENT.auth_method,
        "grant_types": WEB_SERVER_CLIENT.grant_types,
        "response_types": WEB_SERVER_CLIENT.response_types,
        "redirect_uris": [redirect_uri],
        "post_logout_redirect_uris": [format!("{base}signed-out")],
    })))
    .await
    .expect("the provider starts");
    let settings = Settings::confidential(
        WEB_SERVER_CLIENT.id,
        ClientSecret::new(WEB_SERVER_CLIENT.secret.unwrap_or_default().to_owned()),
    )
    .issuer(provider.issuer())
    .redirect_uri(redirect_uri);
    let portal = Portal::new(settings).expect("the portal's settings are valid");
    tokio::spawn(axum::serve(listener, web_server::router(portal, &base)).into_future());
    (provider, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_code_flow_login_refresh_logout_keeps_serving() {
    const TEST: &str = "web_code_flow";
    let Some(mut browser) = Browser::open(TEST, &[]).await else {
        return;
    };
    let (_provider, base) = start_portal().await;

    // /login → the provider's login and consent pages → /callback → /me.
    browser.goto(&format!("{base}login")).await;
    sign_in(&mut browser, true).await;
    let me = browser.wait_for_text("Signed in as").await;
    assert!(me.contains(users::ALICE_NAME), "{me}");
    assert!(me.contains("https://api.example.com/orders"), "{me}");
    assert_eq!(browser.url().await.as_str(), format!("{base}me"));
    browser.screenshot("app").await;

    // The refresh token, from the page's own link.
    browser.click_link("Refresh the tokens").await;
    let refreshed = browser
        .wait_for_text("The tokens were just refreshed")
        .await;
    assert!(refreshed.contains(users::ALICE_NAME), "{refreshed}");

    // Logout: the provider asks, the user confirms, and the app's own page comes back ...
    browser.click_link("Log out").await;
    browser.wait_for_text("sign-out").await;
    browser.screenshot("logout-confirm").await;
    browser.click("button[name=logout]").await;
    let signed_out = browser.wait_for_text("You are signed out").await;
    assert!(browser.url().await.path() == "/signed-out", "{signed_out}");
    browser.screenshot("signed-out").await;

    // ... and the app is still there: the session is gone, the user can sign in again.
    browser.goto(&format!("{base}me")).await;
    browser.wait_for_text("not signed in").await;
    browser.goto(&format!("{base}login")).await;
    browser.wait_for_text("Sign-in").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_cancel_at_login_is_told_as_cancelled() {
    const TEST: &str = "web_cancel";
    let Some(mut browser) = Browser::open(TEST, &[]).await else {
        return;
    };
    let (_provider, base) = start_portal().await;

    browser.goto(&format!("{base}login")).await;
    browser.wait_for_text("Sign-in").await;
    browser.click_link("[ Cancel ]").await;
    let page = browser.wait_for_text("Sign-in cancelled").await;
    assert!(!page.contains("Signed in as"), "{page}");
    assert_eq!(browser.url().await.path(), "/callback");
    browser.screenshot("cancelled").await;

    // Not signed in, truly.
    browser.goto(&format!("{base}me")).await;
    browser.wait_for_text("not signed in").await;
    browser.quit().await;
}

// ---------------------------------------------------------------------------------------------
// kind = "native": examples/native_loopback.rs, with this test's browser as the system browser

/// What `login_via_loopback` hands to the "system browser": the URL, through a channel.
fn open_in(tx: oneshot::Sender<oauthflow::Url>) -> impl FnOnce(&oauthflow::Url) {
    move |url| {
        let _ = tx.send(url.clone());
    }
}

/// After the loopback page's script ran: the address bar holds the bare callback path.
async fn assert_clean_loopback_url(browser: &Browser) {
    let shown = browser.url().await;
    assert_eq!(shown.host_str(), Some("127.0.0.1"), "{shown}");
    assert_eq!(shown.path(), "/callback", "{shown}");
    for name in ["code", "state", "iss", "error"] {
        assert!(
            !shown.query_pairs().any(|(k, _)| k == name),
            "the address bar still shows `{name}`: {shown}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_loopback_page_says_received_and_cleans_the_url() {
    const TEST: &str = "native_loopback";
    let Some(mut browser) = Browser::open(TEST, &[]).await else {
        return;
    };
    let provider = DevProvider::start().await.expect("the provider starts");
    let cli = NotesCli::new(Settings::public(clients::NATIVE.id).issuer(provider.issuer()))
        .expect("the CLI's settings are valid");

    let (tx, rx) = oneshot::channel();
    let login = cli.login_via_loopback(NotesCliAudience::Orders, open_in(tx));
    let user = async {
        let url = rx.await.expect("login_via_loopback opens the browser");
        browser.goto(url.as_str()).await;
        sign_in(&mut browser, false).await;
        browser.wait_for_text("Sign-in received").await
    };
    let (tokens, page) = tokio::join!(login, user);
    let tokens = tokens.expect("the loopback login gives tokens");
    assert!(tokens.refresh_token().is_some());
    assert!(
        !page.contains("cancelled") && !page.contains("failed"),
        "{page}"
    );
    assert_clean_loopback_url(&browser).await;
    browser.screenshot("loopback").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_loopback_cancel_is_told_as_cancelled() {
    const TEST: &str = "native_loopback_cancel";
    let Some(mut browser) = Browser::open(TEST, &[]).await else {
        return;
    };
    let provider = DevProvider::start().await.expect("the provider starts");
    let cli = NotesCli::new(Settings::public(clients::NATIVE.id).issuer(provider.issuer()))
        .expect("the CLI's settings are valid");

    let (tx, rx) = oneshot::channel();
    let login = cli.login_via_loopback(NotesCliAudience::Orders, open_in(tx));
    let user = async {
        let url = rx.await.expect("login_via_loopback opens the browser");
        browser.goto(url.as_str()).await;
        browser.wait_for_text("Sign-in").await;
        browser.click_link("[ Cancel ]").await;
        browser.wait_for_text("Sign-in cancelled").await
    };
    let (outcome, page) = tokio::join!(login, user);
    match outcome {
        Err(oauthflow::Error::OAuth { code, .. }) => assert_eq!(code.as_str(), "access_denied"),
        other => panic!("a cancelled loopback login must fail with access_denied: {other:?}"),
    }
    for claim in ["received", "complete", "success"] {
        assert!(!page.to_lowercase().contains(claim), "{page}");
    }
    assert_clean_loopback_url(&browser).await;
    browser.screenshot("loopback-cancelled").await;
    browser.quit().await;
}

// ---------------------------------------------------------------------------------------------
// kind = "device": examples/device_tv.rs, the user on the verification page

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_verification_page_approves_the_tv() {
    const TEST: &str = "device_verification";
    let Some(mut browser) = Browser::open(TEST, &[]).await else {
        return;
    };
    let provider = DevProvider::start().await.expect("the provider starts");
    let tv = TvApp::new(Settings::public(clients::DEVICE.id).issuer(provider.issuer()))
        .expect("the TV's settings are valid");
    let authorization = tv
        .device_authorization(TvAppAudience::Billing)
        .await
        .expect("a user code");

    let poll = tv.poll_device(&authorization);
    let user = async {
        // The phone: the complete verification URI shows the code to confirm.
        let complete = authorization
            .verification_uri_complete()
            .expect("oidc-provider sends verification_uri_complete");
        browser.goto(complete).await;
        browser.wait_for_text("Continue").await;
        browser.screenshot("device-confirm").await;
        browser.click("button[autofocus]").await;
        sign_in(&mut browser, false).await;
        browser.wait_for_text("Sign-in Success").await;
        browser.screenshot("device-done").await;
    };
    let (tokens, ()) = tokio::join!(poll, user);
    let tokens = tokens.expect("the device gets its tokens once approved");
    assert_eq!(tokens.audience(), Some("https://api.example.com/billing"));
    browser.quit().await;
}

// ---------------------------------------------------------------------------------------------
// kind = "spa", access_token = false: examples/spa_login_only.rs over https on 127.0.0.2

/// The provider, and `spa_login_only`'s app served over https on [`APP_HOST`] with a
/// certificate made now. Returns the provider, the app's base URL and the Chromium switch that
/// trusts exactly that certificate's key.
async fn start_login_page() -> (DevProvider, String, String) {
    let listener = tokio::net::TcpListener::bind((APP_HOST, 0))
        .await
        .expect("127.0.0.2 is a loopback address on Linux");
    let addr = listener.local_addr().expect("bound");
    let base = format!("https://{addr}/");
    let redirect_uri = format!("{base}callback");
    let provider = DevProvider::start_with(DevOptions::new().client(json!({
        "client_id": FORM_POST_CLIENT.id,
        "application_type": FORM_POST_CLIENT.application_type,
        "token_endpoint_auth_method": FORM_POST_CLIENT.auth_method,
        "grant_types": FORM_POST_CLIENT.grant_types,
        "response_types": FORM_POST_CLIENT.response_types,
        "redirect_uris": [redirect_uri],
    })))
    .await
    .expect("the provider starts");
    let page = LoginPage::new(
        Settings::public(FORM_POST_CLIENT.id)
            .issuer(provider.issuer())
            .redirect_uri(redirect_uri),
    )
    .expect("the login page's settings are valid");
    let cert = SelfSigned::for_ip(addr.ip()).expect("a self-signed certificate");
    // Served until the test's runtime ends.
    let stop = std::sync::Arc::new(tokio::sync::Notify::new());
    spa_login_only::serve_https(listener, &cert, page, stop)
        .await
        .expect("the https app starts");
    let trust = format!(
        "--ignore-certificate-errors-spki-list={}",
        cert.spki_sha256()
    );
    (provider, base, trust)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_post_reaches_the_https_app_cross_site() {
    const TEST: &str = "form_post";
    if browser_support::driver_or_skip(TEST).is_none() {
        return;
    }
    let (_provider, base, trust) = start_login_page().await;
    let Some(mut browser) = Browser::open(TEST, &[trust]).await else {
        return;
    };

    browser.goto(&base).await;
    browser.click_link("Sign in").await;
    sign_in(&mut browser, false).await;
    // The provider's page posts the ID token to the app (another site, over https); the app
    // finds the pending login by the posted state and validates the token.
    let signed_in = browser.wait_for_text("Signed in as").await;
    assert!(signed_in.contains(users::ALICE_NAME), "{signed_in}");
    assert!(
        signed_in.contains("no access token was issued"),
        "{signed_in}"
    );
    assert_eq!(browser.url().await.as_str(), format!("{base}callback"));
    browser.screenshot("form-post-app").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_post_cancel_is_told_as_cancelled() {
    const TEST: &str = "form_post_cancel";
    if browser_support::driver_or_skip(TEST).is_none() {
        return;
    }
    let (_provider, base, trust) = start_login_page().await;
    let Some(mut browser) = Browser::open(TEST, &[trust]).await else {
        return;
    };

    browser.goto(&format!("{base}login")).await;
    browser.wait_for_text("Sign-in").await;
    browser.click_link("[ Cancel ]").await;
    let page = browser.wait_for_text("Sign-in cancelled").await;
    assert!(!page.contains("Signed in as"), "{page}");
    browser.screenshot("form-post-cancelled").await;
    browser.quit().await;
}
