//! `kind = "machine"`, `sender_constraint = "dpop"`: client credentials whose access tokens are
//! bound to a key only this client instance holds (DPoP, RFC 9449) — a token that leaks from a
//! log or a compromised API is useless to whoever took it.
//!
//! The client generates an EC P-256 key when it is built (never written anywhere); every
//! token request carries a fresh proof signed with it, and the server binds the token to the
//! key's thumbprint (`cnf.jkt`). The HTTP middleware then sends `Authorization: DPoP <token>`
//! with a new proof per request (method, URL, the token's hash), and when the API asks for a
//! nonce (`use_dpop_nonce`) sends the request once more with it. The same token sent as a plain
//! bearer token is refused.
//!
//! The API is a small resource server on 127.0.0.1 (`support/protected_api.rs`) that checks
//! DPoP proofs against the token's `cnf.jkt` and demands nonces.
//!
//! ```sh
//! cargo run --example machine_dpop         # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant (DPoP enabled, JWT access tokens for that audience):
//!
//! ```sh
//! BOUND_JOB_ISSUER=https://tenant.example.com/ \
//! BOUND_JOB_CLIENT_ID=... BOUND_JOB_CLIENT_SECRET=... \
//! cargo run --example machine_dpop
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::integrations::reqwest_middleware::BearerMiddleware;
use oauthflow::{TokenSource, oauth_client};
use oauthflow_devserver::clients;

use crate::support::protected_api::ProtectedApi;
use crate::support::{Target, say, show_access_token};

/// A job whose access tokens are bound to its own key.
#[oauth_client(
    kind = "machine",
    sender_constraint = "dpop",
    audiences = ["https://api.example.com/orders"],
)]
pub struct BoundJob;

/// A bound token through the middleware (with the API's nonce), then the same token as a
/// bearer token. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "machine_dpop",
        BoundJob::KIND,
        BoundJob::FLOW,
        BoundJob::DECISION,
    );
    let job = target.client(clients::MACHINE, BoundJob::new, BoundJob::from_env)?;
    // Fails here if the server's metadata lists no DPoP algorithm (or not ES256).
    job.discover().await?;
    let dpop = job.dpop().ok_or("a DPoP client has a DPoP key")?;
    say("dpop key", format!("{:?}", dpop.key()));

    let token = job.bearer_token(BoundJobAudience::Orders).await?;
    show_access_token("orders", token.secret());
    let bound_to = support::jwt_claims(token.secret())
        .and_then(|c| c.get("cnf")?.get("jkt")?.as_str().map(str::to_owned));
    if bound_to.as_deref() != Some(dpop.key().thumbprint()) {
        return Err("the token is not bound to the client's key (cnf.jkt)".into());
    }
    say("bound", "cnf.jkt is this instance's key thumbprint");

    let api = ProtectedApi::start(BoundJobAudience::Orders.as_str()).await?;
    api.require_dpop_nonce();
    let orders_api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(BearerMiddleware::new(job.clone(), BoundJobAudience::Orders))
        .build();
    let response = orders_api.get(api.url()).send().await?;
    say(
        "GET /orders",
        format!("{} {}", response.status(), response.text().await?),
    );
    let statuses: Vec<u16> = api.seen().iter().map(|s| s.status).collect();
    say(
        "api saw",
        format!("{statuses:?} (asked for a nonce; the middleware sent it once more)"),
    );
    if statuses != [401, 200] {
        return Err(
            format!("expected the API to answer 401, 200; it answered {statuses:?}").into(),
        );
    }

    let stolen = reqwest::Client::new()
        .get(api.url())
        .bearer_auth(token.secret())
        .send()
        .await?;
    say(
        "as bearer",
        format!(
            "{} (the same token without a proof of the key)",
            stolen.status()
        ),
    );
    if stolen.status() != 401 {
        return Err("the API accepted a bound token without its proof".into());
    }
    Ok(
        "1 DPoP-bound token; a proof per API call, nonce retried once; refused as bearer"
            .to_owned(),
    )
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("BOUND_JOB").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
