//! Several instances, one token: four replicas of a `machine` client share one Redis
//! (`oauthflow::RedisTokenStore`, feature `redis`), so the whole fleet makes one token request
//! per audience instead of one per replica.
//!
//! Each replica is a separate client with its own in-process cache and its own Redis
//! connection, as four processes would have. 200 concurrent callers spread over them ask for
//! tokens for two audiences; the provider counts the token requests: two. The values in Redis
//! are sealed (ChaCha20-Poly1305) under a key every replica shares.
//!
//! ```sh
//! cargo run --example fleet       # starts redis-server on a free loopback port if it can
//! ```
//!
//! Redis: `OAUTHFLOW_REDIS_URL` and `OAUTHFLOW_TOKEN_STORE_KEY` (32 bytes, base64) when set;
//! otherwise a throwaway `redis-server` (Debian: `apt-get install -y redis-server`). Without
//! either, the example says so and skips. It always uses the embedded oidc-provider, whose
//! count of token requests it checks.

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use std::sync::Arc;

use oauthflow::{ConfigError, RedisTokenStore, TokenStoreKey, oauth_client};
use oauthflow_devserver::{DevRedis, clients};

use crate::support::{Target, say, show_access_token};

/// One replica of the importer service.
#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
    scopes = ["read:orders", "read:billing"],
)]
pub struct FleetImporter;

const REPLICAS: usize = 4;
const CALLERS: usize = 200;

/// Where the fleet's Redis is: given by the environment, or started here.
enum Redis {
    Given { url: String, key: TokenStoreKey },
    Started(DevRedis),
}

async fn redis() -> support::Result<Option<Redis>> {
    if let Ok(url) = std::env::var(oauthflow::token_store::REDIS_URL_ENV) {
        let key = std::env::var(oauthflow::token_store::TOKEN_STORE_KEY_ENV).map_err(|_| {
            format!(
                "{} is set but {} is not",
                oauthflow::token_store::REDIS_URL_ENV,
                oauthflow::token_store::TOKEN_STORE_KEY_ENV
            )
        })?;
        return Ok(Some(Redis::Given {
            url,
            key: TokenStoreKey::from_base64(&key)?,
        }));
    }
    if !DevRedis::available() {
        return Ok(None);
    }
    Ok(Some(Redis::Started(DevRedis::start().await?)))
}

/// Four replicas, one Redis, 200 callers: one token request per audience. Returns a one-line
/// summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "fleet",
        FleetImporter::KIND,
        FleetImporter::FLOW,
        FleetImporter::DECISION,
    );
    let Some(embedded) = target.embedded_provider() else {
        return Err("the fleet example runs against the embedded provider only".into());
    };
    let (url, key, _started) = match redis().await? {
        Some(Redis::Given { url, key }) => {
            say("redis", "from OAUTHFLOW_REDIS_URL");
            (url, key, None)
        }
        Some(Redis::Started(redis)) => {
            say("redis", format!("redis-server started at {}", redis.url()));
            (redis.url(), TokenStoreKey::generate(), Some(redis))
        }
        None => {
            say(
                "redis",
                "redis-server is not available (apt-get install -y redis-server, or set OAUTHFLOW_REDIS_URL): skipped",
            );
            return Ok("skipped: no redis-server".into());
        }
    };

    let mut replicas = Vec::new();
    for _ in 0..REPLICAS {
        // Each replica its own connection, like a separate process; one key for the fleet.
        let store = RedisTokenStore::new(&url, key.clone())?;
        replicas.push(target.client(
            clients::MACHINE,
            |settings| FleetImporter::new(settings.token_store(store)),
            || {
                Err(ConfigError::Invalid {
                    reason: "the fleet example runs against the embedded provider only".into(),
                })
            },
        )?);
    }
    let grants = || embedded.provider().grant_count();
    let before = grants().await?;

    let start = Arc::new(tokio::sync::Barrier::new(CALLERS));
    let mut tasks = Vec::new();
    for i in 0..CALLERS {
        let replica = replicas[i % REPLICAS].clone();
        let audience = FleetImporterAudience::ALL[(i / REPLICAS) % 2];
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            replica.access_token(audience).await
        }));
    }
    let mut tokens = std::collections::BTreeSet::new();
    for task in tasks {
        tokens.insert(task.await??.secret().clone());
    }
    for (i, token) in tokens.iter().enumerate() {
        show_access_token(&format!("token {}", i + 1), token);
    }
    let requests = grants().await? - before;
    say(
        "fleet",
        format!(
            "{REPLICAS} replicas, {CALLERS} concurrent callers, 2 audiences: {} distinct tokens, {requests} token requests at the provider",
            tokens.len()
        ),
    );
    if requests != 2 || tokens.len() != 2 {
        return Err(format!(
            "expected one token request and one token per audience, got {requests} requests and {} tokens",
            tokens.len()
        )
        .into());
    }
    Ok(format!(
        "{REPLICAS} replicas on one Redis: {requests} token requests for {CALLERS} callers"
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    // Always the embedded provider: its count of token requests is the point.
    let target = Target::embedded().await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
