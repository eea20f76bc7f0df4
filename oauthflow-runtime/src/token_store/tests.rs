//! The cross-instance single flight on the in-memory store (no network): instances sharing a
//! store make one fetch, share a failure, survive a dead lock holder and a failing store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::shared::{Codec, SharedStore};
use super::{InMemoryTokenStore, StoreError, StoreFuture, TokenStore};
use crate::error::Error;

/// The in-memory store with a short lock expiry, or one whose every operation fails.
struct TestStore {
    inner: InMemoryTokenStore,
    broken: bool,
}

impl TokenStore for TestStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        if self.broken {
            return Box::pin(async { Err(StoreError::new("down")) });
        }
        self.inner.load(key)
    }
    fn save<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, ()> {
        self.inner.save(key, value, ttl)
    }
    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
        expiry: Duration,
    ) -> StoreFuture<'a, bool> {
        self.inner.try_lock(key, holder, expiry)
    }
    fn unlock<'a>(&'a self, key: &'a str, holder: &'a str) -> StoreFuture<'a, ()> {
        self.inner.unlock(key, holder)
    }
    fn lock_expiry(&self) -> Duration {
        Duration::from_millis(300)
    }
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(5)
    }
}

fn store(broken: bool) -> (InMemoryTokenStore, Arc<dyn TokenStore>) {
    let inner = InMemoryTokenStore::new();
    let store = TestStore {
        inner: inner.clone(),
        broken,
    };
    (inner, Arc::new(store))
}

fn codec() -> Codec<String> {
    Codec {
        encode: Box::new(|v: &String| Some((v.clone().into_bytes(), Duration::from_secs(60)))),
        decode: Box::new(|b: &[u8]| String::from_utf8(b.to_vec()).ok()),
    }
}

/// `instances` instances (each its own holder) run the flight for one key at once; the fetch
/// counts itself, takes 50 ms and returns `result`.
async fn race(
    store: &Arc<dyn TokenStore>,
    instances: usize,
    result: Result<&'static str, ()>,
) -> (usize, Vec<Result<String, Error>>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..instances)
        .map(|_| {
            let shared = SharedStore::new(store.clone(), "https://as.example/", "client");
            let fetches = fetches.clone();
            tokio::spawn(async move {
                let key = shared.audience_key(Some("api"));
                shared
                    .single_flight(&key, &codec(), || async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        result
                            .map(str::to_owned)
                            .map_err(|()| Error::Timeout { endpoint: "token" })
                    })
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    (fetches.load(Ordering::SeqCst), outcomes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_a_store_fetch_once() {
    let (_, store) = store(false);
    let (fetches, outcomes) = race(&store, 4, Ok("t")).await;
    assert_eq!(fetches, 1);
    assert!(outcomes.iter().all(|o| o.as_deref().ok() == Some("t")));
    // Later instances read it without fetching.
    assert_eq!(race(&store, 2, Ok("u")).await.0, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_is_shared_with_the_waiters_not_repeated() {
    let (_, store) = store(false);
    let (fetches, outcomes) = race(&store, 4, Err(())).await;
    assert_eq!(
        fetches, 1,
        "the waiters did not send the failed request again"
    );
    assert!(outcomes.iter().all(Result::is_err));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_holder_blocks_at_most_its_lock_expiry() {
    let (inner, store) = store(false);
    let shared = SharedStore::new(store.clone(), "https://as.example/", "client");
    let key = shared.audience_key(Some("api"));
    // Someone took the lock and died.
    assert!(
        inner
            .try_lock(&format!("{key}:lock"), "dead", Duration::from_millis(300))
            .await
            .unwrap()
    );
    let started = Instant::now();
    let (fetches, outcomes) = race(&store, 3, Ok("t")).await;
    assert_eq!(fetches, 1);
    assert!(outcomes.iter().all(|o| o.as_deref().ok() == Some("t")));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_serves_every_instance_locally() {
    let (_, store) = store(true);
    let (fetches, outcomes) = race(&store, 3, Ok("t")).await;
    assert_eq!(fetches, 3, "each instance fetched on its own");
    assert!(outcomes.iter().all(|o| o.as_deref().ok() == Some("t")));
}

#[test]
fn keys_are_namespaced_by_server_and_client_and_hold_no_audience_or_token() {
    let (_, store) = store(false);
    let a = SharedStore::new(store.clone(), "https://as.example/", "client");
    let b = SharedStore::new(store.clone(), "https://as.example/", "other");
    let c = SharedStore::new(store, "https://other.example/", "client");
    let key = a.audience_key(Some("https://api.example.com/orders"));
    assert!(!key.contains("api.example.com") && !key.contains("client"));
    assert_ne!(key, b.audience_key(Some("https://api.example.com/orders")));
    assert_ne!(key, c.audience_key(Some("https://api.example.com/orders")));
    assert_ne!(key, a.audience_key(None));
    assert_eq!(
        key,
        SharedStore::new(a_store(), "https://as.example/", "client")
            .audience_key(Some("https://api.example.com/orders"))
    );
}

fn a_store() -> Arc<dyn TokenStore> {
    Arc::new(InMemoryTokenStore::new())
}
