//! `kind = "machine"`, `client_auth = "private_key_jwt"`: client credentials where the client
//! proves who it is with a signed assertion (RFC 7523) instead of a shared secret.
//!
//! The server keeps only the public key, so nothing it stores (or leaks) lets anyone act as
//! the client — the method RFC 9700 §2.5 recommends and FAPI 2.0 requires. The generated
//! `new` takes `Settings::private_key_jwt(client_id, ClientKey)`: a secret does not compile.
//! Each token request carries a fresh assertion: `iss` = `sub` = the client id, `aud` = the
//! issuer, a unique `jti`, one minute of validity.
//!
//! ```sh
//! cargo run --example machine_key          # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant, with the client registered for `private_key_jwt` and the public key
//! (its JWKS or `jwks_uri`) known there:
//!
//! ```sh
//! KEY_JOB_ISSUER=https://tenant.example.com/ KEY_JOB_CLIENT_ID=... \
//! KEY_JOB_CLIENT_KEY_FILE=client-key.pem \
//! cargo run --example machine_key
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_access_token};

/// A job that signs its client assertions with an EC P-256 key.
#[oauth_client(
    kind = "machine",
    client_auth = "private_key_jwt",
    audiences = ["https://api.example.com/orders"],
    audience_param = "resource",
    scopes = ["read:orders"],
)]
pub struct KeyJob;

/// Checks the server's metadata at start-up, then gets a token. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header("machine_key", KeyJob::KIND, KeyJob::FLOW, KeyJob::DECISION);
    let job = target.client(clients::MACHINE_KEY, KeyJob::new, KeyJob::from_env)?;
    // Fails here, before any token request, if the server does not list private_key_jwt.
    job.discover().await?;
    say("discover", "the token endpoint accepts private_key_jwt");
    let token = job.access_token(KeyJobAudience::Orders).await?;
    show_access_token("orders", token.secret());
    Ok("1 token, client authenticated by a signed assertion (no secret)".to_owned())
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("KEY_JOB").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
