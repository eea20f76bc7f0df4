//! Several resource servers (`audiences = [...]`) → one authorization and one token per API.
//!
//! The last question of the decision tree: an app that calls several APIs gets one access token
//! per audience, each requested on its own (one `/authorize` per audience for the
//! user-facing flows), so no token is valid at an API it was not meant for. The macro
//! generates `BackofficeAudience { Orders, Billing }` and every step takes one of them.
//!
//! This back-office web app (`kind = "web"`) authorizes twice — once for the orders API, once
//! for the billing API — and gets two tokens whose `aud` differ.
//!
//! ```sh
//! cargo run --example multi_api             # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant: register a regular web application with the redirect URI
//! `http://127.0.0.1:8080/callback` and both APIs, then run
//!
//! ```sh
//! BACKOFFICE_ISSUER=https://tenant.example.com/ BACKOFFICE_CLIENT_ID=... \
//! BACKOFFICE_CLIENT_SECRET=... cargo run --example multi_api
//! ```
//!
//! and paste each callback URL from the browser's address bar (nothing listens there).

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_authorize_url, show_callback, show_tokens};

/// The back office: reads orders and invoices.
#[oauth_client(
    kind = "web",
    redirect_uri = "http://127.0.0.1:8080/callback",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
    scopes = ["openid", "read:orders", "read:billing"],
)]
pub struct Backoffice;

/// One authorization per audience. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "multi_api",
        Backoffice::KIND,
        Backoffice::FLOW,
        Backoffice::DECISION,
    );
    let app = target.client(clients::WEB, Backoffice::new, Backoffice::from_env)?;
    let mut audiences = Vec::new();
    for &audience in BackofficeAudience::ALL {
        say("audience", format!("{audience:?} = {}", audience.as_str()));
        let (url, pending) = app.authorize_url(audience).await?;
        show_authorize_url(&url);
        let callback = target.sign_in(&url).await?;
        show_callback(&callback);
        let tokens = app.exchange_code(pending, &callback).await?;
        show_tokens("tokens", &tokens);
        audiences.push(support::jwt_audience(tokens.access_token().secret()));
    }
    let distinct = audiences.windows(2).all(|pair| pair[0] != pair[1]);
    say(
        "compare",
        format!("one token per API, each with its own aud: {distinct}"),
    );
    if !distinct {
        return Err(format!("expected different audiences, got {audiences:?}").into());
    }
    Ok(format!("2 authorizations, aud {}", audiences.join(" + ")))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("BACKOFFICE").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
