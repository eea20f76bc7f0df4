//! The token manager: a per-key access-token cache with single-flight fetch, refresh-ahead,
//! and retries of transient failures.
//!
//! It knows nothing about HTTP: every [`TokenManager::get`] carries the async `fetch` that
//! obtains a new token, and the manager decides whether and when to call it.
//!
//! **Only for client credentials and refresh.** Never put an authorization-code exchange or
//! a password grant behind it: those must run exactly once, are never retried, and are not
//! shared between callers. The caller decides which requests go through the manager.
//!
//! How it stays fast and correct:
//! - The hot path ([`TokenManager::get_fresh`], and the start of [`TokenManager::get`]) loads
//!   the key map and the key's token through `arc-swap`, compares `Instant`s and clones one
//!   `Arc`: no lock, no allocation. The map is copy-on-write, and while it is small (keys are
//!   few: audiences) a lookup compares keys instead of hashing them.
//! - The warm path of `TokenSource::bearer_token` goes further
//!   ([`TokenManager::get_fresh_thread_copy`]): each thread keeps its own copy of the token,
//!   labelled with the slot's generation (changed by every write), so a warm call is one
//!   atomic load, a coarse clock reading and the hand-out of a reference to that copy — no
//!   write to shared memory at all, and usually no reference count either: a token dropped on
//!   the thread gives its reference back for the next call.
//! - A miss or an expired token starts one fetch per key in its own task (the runtime's one
//!   single-flight mechanism, [`crate::single_flight`]); everyone else awaits that fetch's
//!   outcome, bounded by [`CacheConfig::get_timeout`]. A caller that gives up or is dropped
//!   never cancels the fetch for the others.
//! - A token in its refresh margin is handed out while one background task refreshes it.
//!   If that refresh fails, the still-valid token stays in use.
//!
//! # Wiring into `Client`
//!
//! Client credentials — one manager per client in its `Context`, keyed by audience (plus
//! scopes if they vary), with [`CacheConfig::client_credentials`]. The fetch may hold an
//! `Arc<Context>`: the manager keeps a fetch only while its task runs, so there is no lasting
//! cycle. Run discovery before `get`, so its failures surface at once instead of being
//! retried as part of the token fetch:
//!
//! ```text
//! if let Some(token) = ctx.token_manager.get_fresh(&audience) {   // lock-free hot path
//!     return Ok(token.value().clone());
//! }
//! let metadata = ctx.metadata().await?;
//! let fetch_ctx = ctx.clone();                                      // Arc<Context>
//! let token = ctx.token_manager.get(&audience, move || {
//!     let (ctx, metadata) = (fetch_ctx.clone(), metadata.clone());
//!     async move {
//!         let received = client_credentials_request(&ctx, &metadata, audience).await?;
//!         let lifetime = received.valid_until.duration_since(received.received_at).ok();
//!         Ok(Fetched::new(received.tokens.access_token, lifetime))
//!     }
//! }).await?;
//! ```
//!
//! Refresh — a `TokenManager<[u8; 32], TokenSet>` keyed by the SHA-256 of the refresh token,
//! with [`CacheConfig::refresh`]`(share_window)`: concurrent refreshes of one refresh token
//! share one request, and for `share_window` a caller still holding the rotated refresh token
//! gets the new set instead of replaying it. Call [`TokenManager::purge_expired`] now and then,
//! since refresh tokens are unbounded keys. (`Client::refresh` gets the same guarantees from the
//! same single-flight mechanism directly: `single_flight::Flights` keyed by the refresh token's
//! hash, keeping a success for 30 s.)

mod config;
mod entry;
mod fetch_task;
mod key_map;
mod published;
mod retry;
mod slot;
mod thread_copies;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use oauth2::AccessToken;

use crate::clock::Clock;
use crate::error::{ConfigError, Error};
use crate::single_flight::{self, FlightAbandoned};

pub use config::CacheConfig;
pub use entry::{CachedToken, Fetched};

use entry::Freshness;
use fetch_task::run_flight;
use key_map::KeyMap;
use slot::Slot;

pub(crate) use thread_copies::{ThreadCopies, ThreadCopy, recycle};

/// A per-key token cache with single-flight fetch and refresh-ahead.
///
/// `K` identifies what a token is for, e.g. `Option<&'static str>` (the audience) or
/// `(audience, scopes)`; keys are never logged. `V` is what is cached: an [`AccessToken`] by
/// default, or a whole token set.
///
/// Crate-internal, so not a doctest: the unit test
/// `token_manager::tests::doc_example_token_manager` runs this code.
///
/// ```ignore
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use crate::AccessToken;
/// use crate::clock::SystemClock;
/// use crate::token_manager::{CacheConfig, Fetched, TokenManager};
///
/// let manager: TokenManager<&'static str> =
///     TokenManager::new(CacheConfig::default(), Arc::new(SystemClock));
/// let token = manager
///     .get(&"api", || async {
///         // The real fetch POSTs to the token endpoint.
///         Ok(Fetched::new(AccessToken::new("t".into()), Some(Duration::from_secs(3600))))
///     })
///     .await
///     .unwrap();
/// assert_eq!(token.access_token().secret(), "t");
/// assert!(manager.get_fresh(&"api").is_some());
/// # });
/// ```
pub struct TokenManager<K, V = AccessToken> {
    /// The keys known when the manager was built (a client's declared audiences): their slots
    /// never move, so the hot path finds them with no atomic load at all.
    fixed: Box<[(K, Arc<Slot<V>>)]>,
    /// Copy-on-write map of the other keys: read without a lock, replaced (under `insert`) to
    /// add a key.
    slots: ArcSwap<KeyMap<K, Arc<Slot<V>>>>,
    /// Serializes writers of `slots`; never held across an `.await`.
    insert: Mutex<()>,
    config: Arc<CacheConfig>,
    clock: Arc<dyn Clock>,
}

impl<K, V> TokenManager<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// An empty manager reading the time from `clock` ([`SystemClock`](crate::clock::SystemClock)
    /// outside tests).
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(
            dead_code,
            reason = "the client's caches know their keys (`with_keys`)"
        )
    )]
    pub fn new(config: CacheConfig, clock: Arc<dyn Clock>) -> Self {
        Self::with_keys(config, clock, [])
    }

    /// A manager whose slots for `keys` exist from the start (see `fixed`); other keys are
    /// added as they come.
    pub fn with_keys(
        config: CacheConfig,
        clock: Arc<dyn Clock>,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        TokenManager {
            fixed: keys
                .into_iter()
                .map(|key| (key, Arc::new(Slot::new())))
                .collect(),
            slots: ArcSwap::from_pointee(KeyMap::new()),
            insert: Mutex::new(()),
            config: Arc::new(config),
            clock,
        }
    }

    /// The cached token for `key` if it is outside its refresh margin — the lock-free hot
    /// path, with no fetch. `None` means: call [`get`](Self::get).
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(dead_code, reason = "only the tests and the bench call it")
    )]
    #[inline]
    pub fn get_fresh(&self, key: &K) -> Option<CachedToken<V>> {
        self.get_fresh_with(key, Arc::clone)
    }

    /// Like [`get_fresh`](Self::get_fresh), but hands the cached entry to `read` while it is
    /// borrowed instead of cloning its `Arc`: callers that only copy a value out (the access
    /// token) then write no shared reference count, so threads hammering one key do not
    /// bounce a cache line between cores.
    #[inline]
    pub fn get_fresh_with<R>(&self, key: &K, read: impl FnOnce(&CachedToken<V>) -> R) -> Option<R> {
        self.with_slot(key, |slot| {
            let entry = slot.entry.load();
            let token = entry.as_ref()?;
            if token.is_fresh_at_ticks(self.clock.fast_ticks()) {
                tracing::trace!(cache = self.config.name, "token cache hit");
                Some(read(token))
            } else {
                None
            }
        })?
    }

    /// The cached value for `key` if it is fresh, from this thread's own copy of it (see
    /// [`thread_copies`]): the warm path of `TokenSource::bearer_token`, which then writes to
    /// no memory another thread touches. Keys given to [`with_keys`](Self::with_keys) only;
    /// for the others this is [`get_fresh_with`](Self::get_fresh_with) cloning the value.
    #[inline]
    pub(crate) fn get_fresh_thread_copy(&self, key: &K) -> Option<V>
    where
        V: ThreadCopy,
    {
        let Some((_, slot)) = self.fixed.iter().find(|(k, _)| k == key) else {
            return self.get_fresh_with(key, |token| token.value().clone());
        };
        let fresh = thread_copies::fresh_copy(&slot.entry, self.clock.fast_ticks());
        if fresh.is_some() {
            tracing::trace!(cache = self.config.name, "token cache hit");
        }
        fresh
    }

    /// Runs `f` on the slot of `key`, if it has one: a fixed slot (no atomic load), else one
    /// of the key map (read while its guard is held).
    #[inline]
    fn with_slot<R>(&self, key: &K, f: impl FnOnce(&Arc<Slot<V>>) -> R) -> Option<R> {
        if let Some((_, slot)) = self.fixed.iter().find(|(k, _)| k == key) {
            return Some(f(slot));
        }
        self.slots.load().get(key).map(f)
    }

    /// A valid token for `key`: the cached one, or the outcome of the one fetch in flight for
    /// `key` (started by this call if none is), waiting at most
    /// [`CacheConfig::get_timeout`].
    ///
    /// `fetch` is only called when a fetch starts (in its own task, possibly several times
    /// when transient failures are retried). A token in its refresh margin is returned at
    /// once while a background task refreshes it. When the fetch fails but the cached token
    /// is still valid, that token is returned.
    ///
    /// # Errors
    /// The fetch's error (terminal at once; transient after the retries), each waiter
    /// getting an equal copy; [`Error::Timeout`] when `get_timeout` passes first;
    /// [`Error::Transport`] if the fetch task died; [`Error::Config`] outside a Tokio runtime.
    pub async fn get<F, Fut>(&self, key: &K, fetch: F) -> Result<CachedToken<V>, Error>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Fetched<V>, Error>> + Send + 'static,
    {
        if let Some(token) = self.peek(key) {
            return Ok(token);
        }
        self.get_slow(key, fetch).await
    }

    /// The lock-free part of `get`: a fresh token, or one in its margin while its refresh is
    /// already in flight.
    #[inline]
    fn peek(&self, key: &K) -> Option<CachedToken<V>> {
        self.with_slot(key, |slot| self.peek_slot(slot))?
    }

    fn peek_slot(&self, slot: &Slot<V>) -> Option<CachedToken<V>> {
        let entry = slot.entry.load();
        let token = entry.as_ref()?;
        let now = self.clock.now();
        if now < token.refresh_at() {
            tracing::trace!(cache = self.config.name, "token cache hit");
            return Some(Arc::clone(token));
        }
        if self.config.refresh_ahead && token.is_valid_at(now) && slot.flight.is_flying_hint() {
            tracing::trace!(
                cache = self.config.name,
                "token cache hit (refresh in flight)"
            );
            return Some(Arc::clone(token));
        }
        None
    }

    /// Forgets the token cached for `key` if `refused` says it is the one a resource server
    /// rejected (401 `invalid_token`), so the next `get` fetches. A newer token, cached since
    /// the rejected one was handed out, is kept: concurrent callers that all saw the same
    /// refusal cause one new fetch, not one each. Returns whether a token was dropped. A
    /// fetch in flight is not cancelled and its result is cached when it lands.
    pub fn invalidate(&self, key: &K, refused: impl Fn(&V) -> bool) -> bool {
        self.with_slot(key, |slot| self.invalidate_slot(slot, refused))
            .unwrap_or(false)
    }

    fn invalidate_slot(&self, slot: &Slot<V>, refused: impl Fn(&V) -> bool) -> bool {
        let current = slot.entry.load_full();
        let is_current = |seen: &Option<CachedToken<V>>| match (seen, &current) {
            (Some(seen), Some(current)) => Arc::ptr_eq(seen, current),
            _ => false,
        };
        let dropped = current.as_ref().is_some_and(|token| refused(token.value()))
            && is_current(&slot.entry.compare_and_swap(&current, None));
        if dropped {
            tracing::debug!(cache = self.config.name, "token invalidated");
        }
        dropped
    }

    /// Drops the keys whose token expired and that have no fetch in flight (for caches keyed
    /// by something unbounded, e.g. refresh tokens). Returns how many were dropped.
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(dead_code, reason = "only the tests and the bench call it")
    )]
    pub fn purge_expired(&self) -> usize {
        let _writer = self.insert.lock().unwrap_or_else(PoisonError::into_inner);
        let now = self.clock.now();
        let current = self.slots.load_full();
        let kept = current.retained(|slot| {
            slot.flight.is_flying()
                || slot
                    .entry
                    .load()
                    .as_ref()
                    .is_some_and(|token| token.is_valid_at(now))
        });
        let dropped = current.len() - kept.len();
        if dropped > 0 {
            self.slots.store(Arc::new(kept));
        }
        dropped
    }

    /// The configuration the manager was built with.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// How many keys the manager holds.
    pub fn len(&self) -> usize {
        self.fixed.len() + self.slots.load().len()
    }

    /// Whether the manager holds no key.
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(dead_code, reason = "only the tests and the bench call it")
    )]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slot for `key`, created if missing.
    fn slot(&self, key: &K) -> Arc<Slot<V>> {
        if let Some(slot) = self.with_slot(key, Arc::clone) {
            return slot;
        }
        let _writer = self.insert.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.slots.load_full();
        if let Some(slot) = current.get(key) {
            return slot.clone();
        }
        let slot = Arc::new(Slot::new());
        self.slots
            .store(Arc::new(current.with(key.clone(), slot.clone())));
        slot
    }

    async fn get_slow<F, Fut>(&self, key: &K, fetch: F) -> Result<CachedToken<V>, Error>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Fetched<V>, Error>> + Send + 'static,
    {
        let name = self.config.name;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Config(ConfigError::Invalid {
                reason: "the token manager needs a Tokio runtime".into(),
            })
        })?;
        let slot = self.slot(key);
        let now = self.clock.now();

        // Decide under the slot's flight lock (brief, no `.await`); spawn after releasing it.
        let (waiter, launch, had_token) = {
            let mut locked = slot.flight.lock();
            let current = slot.entry.load_full();
            let freshness = current.as_ref().map(|token| token.freshness(now));
            match (current, freshness) {
                // Another caller's fetch landed since the hot path looked.
                (Some(token), Some(Freshness::Fresh)) => return Ok(token),
                (Some(token), Some(Freshness::Stale)) if self.config.refresh_ahead => {
                    if locked.is_running() {
                        return Ok(token);
                    }
                    let (launch, _) = locked.begin(&slot);
                    drop(locked);
                    tracing::debug!(
                        cache = name,
                        "token in its refresh margin: refreshing in the background"
                    );
                    let work = run_flight(slot, fetch, self.config.clone(), self.clock.clone());
                    launch.spawn(&runtime, work);
                    return Ok(token);
                }
                (current, _) => match locked.running() {
                    Some(waiter) => (waiter, None, current.is_some()),
                    None => {
                        let (launch, waiter) = locked.begin(&slot);
                        (waiter, Some(launch), current.is_some())
                    }
                },
            }
        };
        match launch {
            Some(launch) => {
                tracing::debug!(cache = name, had_token, "token cache miss: fetching");
                let work = run_flight(slot.clone(), fetch, self.config.clone(), self.clock.clone());
                launch.spawn(&runtime, work);
            }
            None => tracing::trace!(
                cache = name,
                "token cache miss: joining the fetch in flight"
            ),
        }

        let waited =
            tokio::time::timeout(self.config.get_timeout, single_flight::wait(waiter)).await;
        let error = match waited {
            Ok(Ok(Ok(token))) => return Ok(token),
            Ok(Ok(Err(shared))) => Error::clone(&shared),
            Ok(Err(FlightAbandoned)) => Error::Transport {
                endpoint: "token",
                reason: "the token fetch stopped without a result (its task panicked or the runtime is shutting down)".into(),
                request_sent: true,
            },
            Err(_elapsed) => {
                tracing::debug!(
                    cache = name,
                    timeout_ms = u64::try_from(self.config.get_timeout.as_millis()).unwrap_or(u64::MAX),
                    "gave up waiting for the token fetch"
                );
                Error::Timeout { endpoint: "token" }
            }
        };
        // A token that is still valid beats an error.
        let now = self.clock.now();
        if let Some(token) = slot.entry.load_full().filter(|t| t.is_valid_at(now)) {
            return Ok(token);
        }
        Err(error)
    }
}

impl<K, V> std::fmt::Debug for TokenManager<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("keys", &(self.fixed.len() + self.slots.load().len()))
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
