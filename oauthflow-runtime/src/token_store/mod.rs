//! Token stores: where several instances of one client (the replicas of a service) share their
//! tokens and take turns at the token endpoint.
//!
//! By default a client has no token store: each instance keeps its own in-process cache and
//! single flight, exactly as without this module. With [`Settings::token_store`](crate::Settings::token_store)
//! the instances that share a store also share:
//! - **client-credentials tokens** — per audience, one instance fetches while the others wait
//!   for its result (a lock with an expiry in the store, and a bounded poll), then read it: one
//!   token request per audience per token lifetime for the whole fleet;
//! - **refresh results** — per refresh token (its SHA-256), one instance refreshes, and for
//!   30 s (the grace window) an instance still presenting the old refresh token gets the new
//!   tokens instead of replaying it (a replay makes rotation-enforcing servers revoke the
//!   grant, RFC 9700 §4.14.2).
//!
//! The warm path never leaves the process: the store is consulted only on a miss, when a token
//! enters its refresh margin, and at refresh time.
//!
//! Availability first: when the store fails (unreachable, slow, a corrupt entry), the caller is
//! served by the local path — its own token request, still single-flight within the process —
//! with a warning in the log (`target: "oauthflow::token_store"`). A lock holder that dies
//! blocks the others at most until its lock expires ([`TokenStore::lock_expiry`]).
//!
//! Stores:
//! - [`InMemoryTokenStore`] — shares between clients of one process (and serves the tests);
//! - `RedisTokenStore` (feature `redis`) — on Redis, entries sealed with ChaCha20-Poly1305.

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod sealed;
pub(crate) mod shared;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use memory::InMemoryTokenStore;
#[cfg(feature = "redis")]
pub use redis::{REDIS_URL_ENV, RedisTokenStore, RedisTokenStoreBuilder, TOKEN_STORE_KEY_ENV};
#[cfg(feature = "redis")]
pub use sealed::TokenStoreKey;

/// The future a [`TokenStore`] operation returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Storage shared by several instances of a client: values with a time to live, and locks with
/// an expiry.
///
/// The runtime builds every key (namespaced by issuer and client id, so two clients never read
/// each other's entries) and never puts a token in one. **Values are secrets** (serialized
/// tokens): a store whose data leaves the process must encrypt them, bound to their key, as
/// `RedisTokenStore` does, and must never log them.
///
/// An error makes the runtime take the local path for that call (its own token request); a
/// value that cannot be read back (corrupt, sealed under another key) should be reported as
/// absent (`Ok(None)`).
///
/// ```
/// use oauthflow_runtime::token_store::{InMemoryTokenStore, TokenStore};
/// use std::time::Duration;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = InMemoryTokenStore::new();
/// assert!(store.try_lock("k:lock", "me", Duration::from_secs(5)).await.unwrap());
/// assert!(!store.try_lock("k:lock", "you", Duration::from_secs(5)).await.unwrap());
/// store.save("k", b"value", Duration::from_secs(60)).await.unwrap();
/// store.unlock("k:lock", "me").await.unwrap();
/// assert_eq!(store.load("k").await.unwrap().as_deref(), Some(&b"value"[..]));
/// # });
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// The value stored under `key`, if any and not expired.
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>>;

    /// Stores `value` under `key` for `ttl` (replacing any value).
    fn save<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, ()>;

    /// Takes the lock `key` for `holder` until `expiry` passes, if nobody holds it; returns
    /// whether it was taken.
    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
        expiry: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Releases the lock `key` if `holder` still holds it (a lock that expired and was taken by
    /// another holder is left alone).
    fn unlock<'a>(&'a self, key: &'a str, holder: &'a str) -> StoreFuture<'a, ()>;

    /// How long a lock lives when its holder never releases it (it died): the longest the other
    /// instances wait for it before one of them fetches. Longer than a token request normally
    /// takes; default 10 s.
    fn lock_expiry(&self) -> Duration {
        Duration::from_secs(10)
    }

    /// How often an instance waiting for another's fetch looks for its result; default 25 ms.
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(25)
    }
}

/// Why a [`TokenStore`] operation failed: the runtime then serves the call from the local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    reason: String,
}

impl StoreError {
    /// An error saying what failed (never a key's or a value's content).
    pub fn new(reason: impl Into<String>) -> Self {
        StoreError {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token store: {}", self.reason)
    }
}

impl std::error::Error for StoreError {}
