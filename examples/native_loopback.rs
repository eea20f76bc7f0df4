//! `kind = "native"` → authorization code + PKCE for a public native app, with a loopback
//! redirect (RFC 8252).
//!
//! A CLI or desktop app cannot keep a secret either, so it is a public client with PKCE S256.
//! Its redirect URI is `http://127.0.0.1/callback` *without a port*: `login_via_loopback` binds
//! 127.0.0.1 on a free port (RFC 8252 §7.3), calls `open` with the authorization URL — an app
//! opens the system browser there, never an embedded web view — waits for the one callback,
//! answers the browser with a small page and redeems the code.
//!
//! With the embedded default there is no browser: the `open` closure starts a task that signs in
//! at the provider by plain HTTP (as alice) and delivers the resulting callback URL to the
//! loopback listener with a plain HTTP GET — exactly what the browser would do.
//!
//! ```sh
//! cargo run --example native_loopback       # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant: register a native app (public client, PKCE) with the redirect URI
//! `http://127.0.0.1/callback` (any port) and the API `https://api.example.com/orders`, then
//!
//! ```sh
//! NOTES_CLI_ISSUER=https://tenant.example.com/ NOTES_CLI_CLIENT_ID=... \
//! cargo run --example native_loopback
//! ```
//!
//! opens your browser with `xdg-open` / `open` (or prints the URL) and waits for you to sign in.

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use std::sync::Arc;

use oauthflow::{Url, oauth_client};
use oauthflow_devserver::clients;
use tokio::sync::oneshot;

use crate::support::{Embedded, Target, say, show_authorize_url, show_callback, show_tokens};

/// A note-taking CLI that syncs with the orders API.
#[oauth_client(
    kind = "native",
    redirect_uri = "http://127.0.0.1/callback",
    audiences = ["https://api.example.com/orders"],
    scopes = ["openid", "read:orders"],
    refresh_tokens = true,
)]
pub struct NotesCli;

/// The browser's part, for the embedded default: sign in, then GET the callback URL, which
/// points at the loopback listener `login_via_loopback` is waiting on.
async fn sign_in_and_deliver(embedded: Arc<Embedded>, url: Url) -> support::Result<()> {
    let callback = embedded.provider().login(&url).await?;
    show_callback(callback.as_str());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?;
    let page = http.get(callback).send().await?;
    say(
        "browser",
        format!("GET the loopback callback -> {}", page.status()),
    );
    Ok(())
}

/// One loopback login. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "native_loopback",
        NotesCli::KIND,
        NotesCli::FLOW,
        NotesCli::DECISION,
    );
    let cli = target.client(clients::NATIVE, NotesCli::new, NotesCli::from_env)?;

    // If the embedded sign-in fails, stop waiting for a callback that will never come.
    let (failed_tx, failed_rx) = oneshot::channel::<String>();
    let open = |url: &Url| {
        show_authorize_url(url);
        match target.embedded_provider() {
            Some(embedded) => {
                say(
                    "browser",
                    "embedded default: no browser is opened; a task signs in by plain HTTP and GETs the callback on the loopback listener",
                );
                let (embedded, url) = (embedded.clone(), url.clone());
                tokio::spawn(async move {
                    if let Err(e) = sign_in_and_deliver(embedded, url).await {
                        let _ = failed_tx.send(e.to_string());
                    }
                });
            }
            None => support::open_browser(url),
        }
    };
    say(
        "waiting",
        "login_via_loopback: listening on 127.0.0.1 (ephemeral port) for the callback",
    );
    let tokens = tokio::select! {
        tokens = cli.login_via_loopback(NotesCliAudience::Orders, open) => tokens?,
        Ok(failed) = failed_rx => return Err(format!("signing in failed: {failed}").into()),
    };
    show_tokens("tokens", &tokens);
    Ok(format!(
        "loopback login token aud={}",
        support::jwt_audience(tokens.access_token().secret())
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("NOTES_CLI").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
