//! Issue 12, end to end: several "replicas" of a client — separate clients, each with its own
//! in-process cache and its own Redis connection — share one real `redis-server` (started here
//! on 127.0.0.1 with a random port) and the local oidc-provider. Token requests are counted by
//! the server (`GET /__test/grants`), never by the clients.
//!
//! Needs Debian's `redis-server` (`apt-get install -y redis-server`; `.ci/run` installs it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use oauthflow::token_store::RedisTokenStore;
use oauthflow::{ClientSecret, Settings, TokenSet, TokenStoreKey, oauth_client};
use oauthflow_devserver::{DevOptions, DevProvider, DevRedis, GrantStats, clients, resources};

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
)]
struct Importer;

#[oauth_client(
    kind = "spa",
    redirect_uri = "http://127.0.0.1:5173/callback",
    audiences = ["https://api.example.com/orders"],
    scopes = ["openid", "read:orders"],
    refresh_tokens = true,
)]
struct Dashboard;

const REPLICAS: usize = 4;
const CALLERS: usize = 1_000;
/// Short, so the test of a dead lock holder is quick.
const LOCK_EXPIRY: Duration = Duration::from_secs(2);

async fn redis() -> DevRedis {
    DevRedis::start().await.expect(
        "redis-server is needed by these tests: `apt-get install -y redis-server` (or set OAUTHFLOW_REDIS_SERVER)",
    )
}

/// One replica's connection to the shared Redis (each replica has its own).
fn store(redis: &DevRedis, key: &TokenStoreKey) -> RedisTokenStore {
    RedisTokenStore::builder(&redis.url(), key.clone())
        .lock_expiry(LOCK_EXPIRY)
        .build()
        .unwrap()
}

fn importer(provider: &DevProvider, store: RedisTokenStore) -> Importer {
    let secret = ClientSecret::new(clients::MACHINE.secret.unwrap().into());
    Importer::new(
        Settings::confidential(clients::MACHINE.id, secret)
            .issuer(provider.issuer())
            .token_store(store),
    )
    .unwrap()
}

async fn provider() -> DevProvider {
    DevProvider::start_with(DevOptions::new().client_credentials_ttl(Duration::from_secs(60)))
        .await
        .unwrap()
}

/// Token requests per audience at the server, and that none failed.
fn per_audience(stats: &GrantStats) -> (u64, u64) {
    assert_eq!(stats.errors, 0, "failed token requests: {stats:?}");
    (
        stats.for_resource(resources::ORDERS),
        stats.for_resource(resources::BILLING),
    )
}

/// `CALLERS` concurrent callers spread over `replicas` and both audiences, released together.
/// Returns every token handed out, per audience (orders, billing).
async fn callers(replicas: &[Importer]) -> (Vec<String>, Vec<String>) {
    let start = Arc::new(tokio::sync::Barrier::new(CALLERS));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|i| {
            let client = replicas[i % replicas.len()].clone();
            let audience = ImporterAudience::ALL[(i / replicas.len()) % 2];
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                (audience, client.access_token(audience).await)
            })
        })
        .collect();
    let (mut orders, mut billing) = (Vec::new(), Vec::new());
    for task in tasks {
        let (audience, token) = task.await.unwrap();
        let token = token.unwrap().secret().clone();
        match audience {
            ImporterAudience::Orders => orders.push(token),
            ImporterAudience::Billing => billing.push(token),
        }
    }
    (orders, billing)
}

fn all_same(tokens: &[String]) -> bool {
    tokens.windows(2).all(|w| w[0] == w[1])
}

/// Four replicas, 1,000 concurrent cold callers over two audiences: exactly one token request
/// per audience reaches the server, and every replica hands out the same token per audience.
/// What Redis holds is sealed: no value or key contains token text or an audience.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_replicas_thousand_callers_two_audiences_two_token_requests() {
    let (provider, redis) = (provider().await, redis().await);
    let key = TokenStoreKey::generate();
    let replicas: Vec<_> = (0..REPLICAS)
        .map(|_| importer(&provider, store(&redis, &key)))
        .collect();
    let (orders, billing) = callers(&replicas).await;
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (1, 1));
    assert!(
        all_same(&orders) && all_same(&billing),
        "one token per audience"
    );
    assert_ne!(orders[0], billing[0]);

    let keys = redis.keys("*").await.unwrap();
    assert_eq!(
        keys.len(),
        2,
        "two shared tokens, the locks released: {keys:?}"
    );
    for key in &keys {
        assert!(!key.contains("api.example.com") && !key.contains(clients::MACHINE.id));
        let value = redis.command(&["GET", key]).await.unwrap().unwrap();
        for token in [&orders[0], &billing[0]] {
            // Not the token, nor any part of it (its JWT header, payload or signature).
            for part in token.split('.') {
                assert!(
                    !value.windows(part.len()).any(|w| w == part.as_bytes()),
                    "a token's text is in Redis"
                );
            }
        }
        let ttl: u64 = String::from_utf8(redis.command(&["PTTL", key]).await.unwrap().unwrap())
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            ttl > 50_000 && ttl <= 60_000,
            "TTL = remaining lifetime: {ttl} ms"
        );
    }
}

/// A fifth replica takes both audiences' locks, then dies (its runtime is shut down while its
/// token requests hang on a peer that never answers). The four others wait at most the lock
/// expiry, then one of them fetches per audience: still exactly one request per audience at
/// the server, and nobody waited much longer than the lock expiry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_dying_with_the_lock_delays_the_others_at_most_its_expiry() {
    let (provider, redis) = (provider().await, redis().await);
    let key = TokenStoreKey::generate();
    let stall = oauthflow_devserver::fault::FaultPeer::start()
        .await
        .unwrap();
    stall.on("/token", oauthflow_devserver::fault::Reply::stall());

    let doomed = {
        let secret = ClientSecret::new(clients::MACHINE.secret.unwrap().into());
        Importer::new(
            Settings::confidential(clients::MACHINE.id, secret)
                .issuer(provider.issuer())
                .token_endpoint(stall.url("/token"))
                .token_store(store(&redis, &key)),
        )
        .unwrap()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for audience in ImporterAudience::ALL {
        let doomed = doomed.clone();
        runtime.spawn(async move { doomed.access_token(*audience).await });
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while redis.keys("*:lock").await.unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "the doomed replica never locked");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Killed while holding both locks: nothing of it runs any more, nothing releases them.
    runtime.shutdown_background();
    let killed_at = Instant::now();

    let replicas: Vec<_> = (0..REPLICAS)
        .map(|_| importer(&provider, store(&redis, &key)))
        .collect();
    let (orders, billing) = callers(&replicas).await;
    let waited = killed_at.elapsed();
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (1, 1));
    assert!(all_same(&orders) && all_same(&billing));
    assert!(
        waited < LOCK_EXPIRY + Duration::from_secs(2),
        "waited {waited:?}, lock expiry {LOCK_EXPIRY:?}"
    );
}

/// Redis stopped mid-run: new replicas (fresh caches, the same store connection) keep getting
/// tokens from the local path, nothing panics, the failures are counted. Redis back on the same
/// port: the same store reconnects by itself and sharing resumes (one request per audience for
/// a whole new set of replicas).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_serves_locally_and_sharing_resumes_when_it_is_back() {
    let (provider, mut redis) = (provider().await, redis().await);
    let key = TokenStoreKey::generate();
    let shared = store(&redis, &key);
    let replicas: Vec<_> = (0..REPLICAS)
        .map(|_| importer(&provider, shared.clone()))
        .collect();
    callers(&replicas).await;
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (1, 1));

    redis.stop().await;
    let during: Vec<_> = (0..2)
        .map(|_| importer(&provider, shared.clone()))
        .collect();
    let (orders, billing) = callers(&during).await;
    assert!(
        !orders.is_empty() && !billing.is_empty(),
        "callers kept getting tokens"
    );
    // Each replica fetched on its own (one per audience), single flight still within each.
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (3, 3));
    assert!(shared.failures() > 0, "the outage is counted");

    redis.restart().await.unwrap();
    let after: Vec<_> = (0..REPLICAS)
        .map(|_| importer(&provider, shared.clone()))
        .collect();
    let (orders, billing) = callers(&after).await;
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (4, 4));
    assert!(all_same(&orders) && all_same(&billing), "sharing resumed");
}

/// Redis answering nothing (every client paused): the call is served by the local path within
/// the store's operation timeout (250 ms per operation), not after Redis wakes up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_redis_serves_locally_within_the_operation_timeout() {
    let (provider, redis) = (provider().await, redis().await);
    let shared = store(&redis, &TokenStoreKey::generate());
    let replica = importer(&provider, shared.clone());
    redis
        .command(&["CLIENT", "PAUSE", "5000", "ALL"])
        .await
        .unwrap();
    let started = Instant::now();
    replica
        .access_token(ImporterAudience::Orders)
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "served after {took:?}");
    assert!(shared.failures() >= 1);
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (1, 0));
}

/// A replica with another store key reads the entries as misses (and fetches), and so does one
/// finding a corrupt entry; neither fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_or_a_corrupt_entry_reads_as_a_miss() {
    let (provider, redis) = (provider().await, redis().await);
    let key = TokenStoreKey::generate();
    let first = importer(&provider, store(&redis, &key));
    let token = first.access_token(ImporterAudience::Orders).await.unwrap();
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (1, 0));

    let stranger = importer(&provider, store(&redis, &TokenStoreKey::generate()));
    let other = stranger
        .access_token(ImporterAudience::Orders)
        .await
        .unwrap();
    assert_ne!(other.secret(), token.secret());
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (2, 0));

    for entry in redis.keys("*").await.unwrap() {
        redis
            .command_bytes(&[b"SET", entry.as_bytes(), b"\x01garbage-not-sealed"])
            .await
            .unwrap();
    }
    let third = importer(&provider, store(&redis, &key));
    third.access_token(ImporterAudience::Orders).await.unwrap();
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (3, 0));
}

fn dashboard(provider: &DevProvider, store: RedisTokenStore) -> Dashboard {
    Dashboard::new(
        Settings::public(clients::SPA.id)
            .issuer(provider.issuer())
            .token_store(store),
    )
    .unwrap()
}

async fn sign_in(provider: &DevProvider, client: &Dashboard) -> TokenSet {
    let (url, pending) = client
        .authorize_url(DashboardAudience::Orders)
        .await
        .unwrap();
    let callback = provider.login(&url).await.unwrap();
    client
        .exchange_code(pending, callback.as_str())
        .await
        .unwrap()
}

/// Two replicas refresh one session at once (the SPA client: oidc-provider rotates its refresh
/// tokens and revokes the grant on a replay): one refresh request, both get the same new
/// tokens; a third replica presenting the old tokens later, within the grace window, gets them
/// too; and the grant still works (the new refresh token refreshes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_refresh_one_session_with_one_request_and_the_grant_survives() {
    let (provider, redis) = (DevProvider::start().await.unwrap(), redis().await);
    let key = TokenStoreKey::generate();
    let a = dashboard(&provider, store(&redis, &key));
    let b = dashboard(&provider, store(&redis, &key));
    let session = Box::pin(sign_in(&provider, &a)).await;
    let before = provider.grant_stats().await.unwrap();

    // Each on its own task, like two processes (and off the test thread's small stack).
    let refresh = |client: &Dashboard| {
        let (client, session) = (client.clone(), session.clone());
        tokio::spawn(async move { client.refresh(&session).await })
    };
    let (from_a, from_b) = (refresh(&a), refresh(&b));
    let (from_a, from_b) = (
        from_a.await.unwrap().unwrap(),
        from_b.await.unwrap().unwrap(),
    );
    let after = provider.grant_stats().await.unwrap();
    assert_eq!(
        after.for_grant_type("refresh_token") - before.for_grant_type("refresh_token"),
        1,
        "one refresh request for two replicas: {after:?}"
    );
    assert_eq!(
        from_a.access_token().secret(),
        from_b.access_token().secret()
    );
    let (old_rt, new_rt) = (
        session.refresh_token().unwrap().secret(),
        from_a.refresh_token().unwrap().secret(),
    );
    assert_ne!(old_rt, new_rt, "rotated");
    assert_eq!(new_rt, from_b.refresh_token().unwrap().secret());

    let late = dashboard(&provider, store(&redis, &key));
    let from_late = refresh(&late).await.unwrap().unwrap();
    assert_eq!(
        from_late.access_token().secret(),
        from_a.access_token().secret()
    );
    assert_eq!(
        provider
            .grant_stats()
            .await
            .unwrap()
            .for_grant_type("refresh_token"),
        after.for_grant_type("refresh_token"),
        "the late replica did not replay the old refresh token"
    );

    // Not revoked: the rotated refresh token still refreshes.
    let rotated = from_a.clone();
    let next = tokio::spawn(async move { b.refresh(&rotated).await })
        .await
        .unwrap()
        .unwrap();
    assert_ne!(next.access_token().secret(), from_a.access_token().secret());
}
