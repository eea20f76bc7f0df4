//! `kind = "web"`, `par = true`: the authorization request is pushed (RFC 9126).
//!
//! `authorize_url` first POSTs the request's parameters (scope, redirect URI, PKCE challenge,
//! state, …) to the server's `pushed_authorization_request_endpoint`, authenticated with the
//! client's secret; the URL the user is sent to then carries only `client_id` and the one-time
//! `request_uri` the server answered with. Nothing of the request can be read or changed in the
//! browser, and the server has checked it before showing a page. The rest of the flow is the
//! usual code exchange.
//!
//! ```sh
//! cargo run --example web_par          # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant that offers PAR (then paste the callback URL from the address bar):
//!
//! ```sh
//! PUSHED_PORTAL_ISSUER=https://tenant.example.com/ PUSHED_PORTAL_CLIENT_ID=... \
//! PUSHED_PORTAL_CLIENT_SECRET=... PUSHED_PORTAL_REDIRECT_URI=https://... \
//! cargo run --example web_par
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_authorize_url, show_callback, show_tokens};

/// A portal whose authorization requests never travel through the browser.
#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    audiences = ["https://api.example.com/orders"],
    audience_param = "resource",
    scopes = ["read:orders"],
    par = true,
)]
pub struct PushedPortal;

/// Push, sign in, redeem the code. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "web_par",
        PushedPortal::KIND,
        PushedPortal::FLOW,
        PushedPortal::DECISION,
    );
    let portal = target.client(clients::WEB, PushedPortal::new, PushedPortal::from_env)?;
    // Fails here if the server has no pushed authorization request endpoint.
    portal.discover().await?;

    let (url, pending) = portal.authorize_url(PushedPortalAudience::Orders).await?;
    show_authorize_url(&url);
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    say(
        "query",
        format!("the browser sees only: {}", names.join(", ")),
    );
    if names != ["client_id", "request_uri"] {
        return Err(format!("expected client_id and request_uri only, got {names:?}").into());
    }
    let callback = target.sign_in(&url).await?;
    show_callback(&callback);
    let tokens = portal.exchange_code(pending, &callback).await?;
    show_tokens("tokens", &tokens);
    Ok(format!(
        "pushed request (client_id + request_uri only), token aud={}",
        support::jwt_audience(tokens.access_token().secret())
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("PUSHED_PORTAL").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
