//! `kind = "machine"` → client credentials: a scheduled importer that calls two APIs.
//!
//! There is no user: the job is its own resource owner, so the decision tree picks the client
//! credentials grant. With two `audiences` the macro generates `ImportJobAudience { Orders,
//! Billing }` and the client keeps one cached access token per audience. The example fetches
//! both tokens, shows that they differ (each carries its own `aud`), then asks again and shows
//! that the second call is served from the cache: the same token, and the provider's count of
//! token requests did not move.
//!
//! ```sh
//! cargo run --example machine_cron          # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant (Auth0 style `audience` parameter; the API identifiers must exist
//! there):
//!
//! ```sh
//! IMPORT_JOB_ISSUER=https://tenant.example.com/ \
//! IMPORT_JOB_CLIENT_ID=... IMPORT_JOB_CLIENT_SECRET=... \
//! cargo run --example machine_cron
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_access_token};

/// The nightly import job.
#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
    scopes = ["read:orders", "read:billing"],
)]
pub struct ImportJob;

/// The job's run: two tokens, then the cache. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "machine_cron",
        ImportJob::KIND,
        ImportJob::FLOW,
        ImportJob::DECISION,
    );
    let job = target.client(clients::MACHINE, ImportJob::new, ImportJob::from_env)?;
    // The provider's count of successful token requests (only known for the embedded one).
    let grants = async || match target.embedded_provider() {
        Some(embedded) => embedded.provider().grant_count().await.map(Some),
        None => Ok(None),
    };
    let before = grants().await?;

    let orders = job.access_token(ImportJobAudience::Orders).await?;
    show_access_token("orders", orders.secret());
    let billing = job.access_token(ImportJobAudience::Billing).await?;
    show_access_token("billing", billing.secret());
    let differ = orders.secret() != billing.secret();
    say(
        "compare",
        format!("orders token != billing token: {differ}"),
    );

    // The next run of the job, a little later: both tokens come from the cache.
    let after_first = grants().await?;
    let orders_again = job.access_token(ImportJobAudience::Orders).await?;
    let billing_again = job.access_token(ImportJobAudience::Billing).await?;
    let cached =
        orders_again.secret() == orders.secret() && billing_again.secret() == billing.secret();
    let after_second = grants().await?;
    say(
        "again",
        format!("same tokens as the first calls (served from the cache): {cached}"),
    );
    let summary = match (before, after_first, after_second) {
        (Some(before), Some(first), Some(second)) => {
            say(
                "grants",
                format!(
                    "provider's token requests: {before} before, {first} after the first two calls, {second} after the second two"
                ),
            );
            if first - before != 2 || second != first {
                return Err(format!(
                    "expected 2 token requests then none, saw {} then {}",
                    first - before,
                    second - first
                )
                .into());
            }
            format!(
                "2 tokens, 2 audiences; 2nd calls cached (grants +0, was +{})",
                first - before
            )
        }
        _ => "2 tokens, 2 audiences; 2nd calls cached".to_owned(),
    };
    if !differ || !cached {
        return Err("the tokens of the two audiences are equal, or the cache was not used".into());
    }
    Ok(summary)
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("IMPORT_JOB").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
