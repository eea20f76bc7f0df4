//! A service calling a protected API with a `machine` client through the HTTP middleware — no
//! token plumbing left to write.
//!
//! The client is an `oauthflow::TokenSource`; `BearerMiddleware` (feature `reqwest-middleware`)
//! puts its cached token on every request for the orders API and, when the API refuses a token
//! as `invalid_token` (here: the API revokes every token it has seen, as after a key rotation),
//! fetches a new one and sends the request once more. The app code is two `send()` calls.
//!
//! The API is a small resource server on 127.0.0.1 (`support/protected_api.rs`) that accepts
//! JWT access tokens whose `aud` is `https://api.example.com/orders`.
//!
//! ```sh
//! cargo run --example machine_api           # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant (its tokens must be JWTs for that audience):
//!
//! ```sh
//! ORDERS_SYNC_ISSUER=https://tenant.example.com/ \
//! ORDERS_SYNC_CLIENT_ID=... ORDERS_SYNC_CLIENT_SECRET=... \
//! cargo run --example machine_api
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::integrations::reqwest_middleware::BearerMiddleware;
use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::protected_api::ProtectedApi;
use crate::support::{Target, say};

/// The orders synchronisation service.
#[oauth_client(kind = "machine", audiences = ["https://api.example.com/orders"])]
pub struct OrdersSync;

/// Two calls to the API, the second after the API refused the first token. Returns a summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "machine_api",
        OrdersSync::KIND,
        OrdersSync::FLOW,
        OrdersSync::DECISION,
    );
    let sync = target.client(clients::MACHINE, OrdersSync::new, OrdersSync::from_env)?;
    let api = ProtectedApi::start(OrdersSyncAudience::Orders.as_str()).await?;
    let orders_api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(BearerMiddleware::new(sync, OrdersSyncAudience::Orders))
        .build();

    let first = orders_api.get(api.url()).send().await?;
    say(
        "GET /orders",
        format!("{} {}", first.status(), first.text().await?),
    );

    api.revoke_seen_tokens();
    say(
        "api",
        "revoked every token it has seen (as after a key rotation)",
    );
    let second = orders_api.get(api.url()).send().await?;
    let status = second.status();
    say("GET /orders", format!("{status} {}", second.text().await?));

    let statuses: Vec<u16> = api.seen().iter().map(|s| s.status).collect();
    say(
        "api saw",
        format!("{statuses:?} (the middleware retried once with a new token)"),
    );
    if statuses != [200, 401, 200] {
        return Err(
            format!("expected the API to answer 200, 401, 200; it answered {statuses:?}").into(),
        );
    }
    Ok("API called through the middleware; a refused token replaced once".to_owned())
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("ORDERS_SYNC").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
