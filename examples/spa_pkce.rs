//! `kind = "spa"` → authorization code + PKCE for a public client (a single-page app).
//!
//! A browser app cannot keep a secret, so it is a public client (`Settings::public(id)`: no
//! secret to give, none to forget) and the code is bound to a PKCE S256 verifier. The example
//! builds the authorization URL, lets the user sign in, redeems the code from the callback with
//! the verifier, prints the access token's claims, and refreshes once: a public client's
//! refresh token is rotated on every use (RFC 9700 §4.14.2), and the example checks it was.
//!
//! ```sh
//! cargo run --example spa_pkce              # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant: register a SPA (public client, PKCE) with the redirect URI
//! `http://127.0.0.1:5173/callback` and the API `https://api.example.com/orders`, then run
//!
//! ```sh
//! DASHBOARD_ISSUER=https://tenant.example.com/ DASHBOARD_CLIENT_ID=... \
//! cargo run --example spa_pkce
//! ```
//!
//! It opens your browser (or prints the URL); after signing in, the browser lands on the
//! redirect URI (nothing listens there): paste that URL from the address bar.

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_authorize_url, show_callback, show_tokens};

/// The dashboard, a single-page app that reads orders.
#[oauth_client(
    kind = "spa",
    redirect_uri = "http://127.0.0.1:5173/callback",
    audiences = ["https://api.example.com/orders"],
    scopes = ["openid", "read:orders"],
    refresh_tokens = true,
)]
pub struct Dashboard;

/// Sign in, redeem the code, refresh once. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "spa_pkce",
        Dashboard::KIND,
        Dashboard::FLOW,
        Dashboard::DECISION,
    );
    let app = target.client(clients::SPA, Dashboard::new, Dashboard::from_env)?;

    // Step 1: where to send the user; `pending` (state, PKCE verifier, nonce) stays with the app.
    let (url, pending) = app.authorize_url(DashboardAudience::Orders).await?;
    show_authorize_url(&url);
    let callback = target.sign_in(&url).await?;
    show_callback(&callback);

    // Step 2: check the callback and redeem the code with the PKCE verifier.
    let tokens = app.exchange_code(pending, &callback).await?;
    show_tokens("tokens", &tokens);

    // A public client's refresh token is single-use: the server rotates it.
    let refreshed = app.refresh(&tokens).await?;
    show_tokens("refreshed", &refreshed);
    let rotated = match (tokens.refresh_token(), refreshed.refresh_token()) {
        (Some(old), Some(new)) => old.secret() != new.secret(),
        _ => false,
    };
    say(
        "rotation",
        format!("the refresh token was rotated: {rotated}"),
    );
    Ok(format!(
        "code+PKCE token aud={}; refresh rotated: {rotated}",
        support::jwt_audience(refreshed.access_token().secret())
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("DASHBOARD").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
