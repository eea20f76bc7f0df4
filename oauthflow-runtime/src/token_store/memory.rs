//! A token store in the process's memory: shares tokens between the clients of one process.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{StoreFuture, TokenStore};

/// A [`TokenStore`] in memory, shared by clones: several clients of one process built with the
/// same store share their tokens (one token request per audience between them).
///
/// Expired entries and locks are dropped when next touched. The values are kept in the clear,
/// like the clients' own caches.
///
/// ```
/// use oauthflow_runtime::token_store::InMemoryTokenStore;
/// use oauthflow_runtime::{ClientSecret, Settings};
///
/// let store = InMemoryTokenStore::new();
/// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
///     .token_store(store.clone());
/// # let _ = settings;
/// ```
#[derive(Clone, Default)]
pub struct InMemoryTokenStore {
    inner: Arc<Mutex<HashMap<String, Held>>>,
}

struct Held {
    value: Vec<u8>,
    until: Instant,
}

impl InMemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Held>, Instant) -> R) -> R {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        map.retain(|_, held| held.until > now);
        f(&mut map, now)
    }
}

fn until(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl).unwrap_or(now)
}

impl TokenStore for InMemoryTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        let value = self.with(|map, _| map.get(key).map(|held| held.value.clone()));
        Box::pin(async move { Ok(value) })
    }

    fn save<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, ()> {
        self.with(|map, now| {
            map.insert(
                key.to_owned(),
                Held {
                    value: value.to_vec(),
                    until: until(now, ttl),
                },
            )
        });
        Box::pin(async { Ok(()) })
    }

    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
        expiry: Duration,
    ) -> StoreFuture<'a, bool> {
        let taken = self.with(|map, now| {
            if map.contains_key(key) {
                return false;
            }
            map.insert(
                key.to_owned(),
                Held {
                    value: holder.as_bytes().to_vec(),
                    until: until(now, expiry),
                },
            );
            true
        });
        Box::pin(async move { Ok(taken) })
    }

    fn unlock<'a>(&'a self, key: &'a str, holder: &'a str) -> StoreFuture<'a, ()> {
        self.with(|map, _| {
            if map
                .get(key)
                .is_some_and(|held| held.value == holder.as_bytes())
            {
                map.remove(key);
            }
        });
        Box::pin(async { Ok(()) })
    }
}

impl fmt::Debug for InMemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("InMemoryTokenStore")
            .field("entries", &entries)
            .finish()
    }
}
