//! The token store on Redis: the `redis` crate's tokio connection manager (it reconnects on its
//! own), every value sealed ([`TokenStoreKey`]), every operation bounded by a timeout.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::sealed::TokenStoreKey;
use super::{StoreError, StoreFuture, TokenStore};
use crate::error::ConfigError;

/// The environment variable with the Redis URL read by [`RedisTokenStore::from_env`].
pub const REDIS_URL_ENV: &str = "OAUTHFLOW_REDIS_URL";
/// The environment variable with the base64 [`TokenStoreKey`] read by
/// [`RedisTokenStore::from_env`].
pub const TOKEN_STORE_KEY_ENV: &str = "OAUTHFLOW_TOKEN_STORE_KEY";

/// Releases a lock only for its holder (compare and delete, atomically in Redis).
const UNLOCK: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/// A [`TokenStore`] on Redis, for a fleet of instances of one client (feature `redis`).
///
/// - Values are sealed with ChaCha20-Poly1305 under a [`TokenStoreKey`] that every instance
///   shares, bound to their Redis key: nothing in Redis contains token text, and a value
///   that does not open (corrupt, another key) reads as a miss.
/// - Each value lives as long as what it holds (the token's remaining lifetime, the refresh
///   grace window); locks are `SET NX PX` with [`lock_expiry`](RedisTokenStoreBuilder::lock_expiry),
///   released by their holder only.
/// - Each operation is bounded by [`operation_timeout`](RedisTokenStoreBuilder::operation_timeout);
///   a failed one is counted ([`failures`](Self::failures)), logged as a warning, and the call is
///   served by the local path. The connection is made on first use and remade after a failure:
///   no restart is needed when Redis comes back.
///
/// Cloning is cheap and clones share one connection and one failure counter.
///
/// ```no_run
/// use oauthflow_runtime::token_store::{RedisTokenStore, TokenStoreKey};
/// use oauthflow_runtime::{ClientSecret, Settings};
///
/// let key = TokenStoreKey::from_base64(&std::env::var("OAUTHFLOW_TOKEN_STORE_KEY").unwrap())?;
/// let store = RedisTokenStore::new("redis://127.0.0.1:6379/", key)?;
/// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
///     .token_store(store.clone());
/// # let _ = settings;
/// # Ok::<(), oauthflow_runtime::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct RedisTokenStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    connection: tokio::sync::OnceCell<ConnectionManager>,
    key: TokenStoreKey,
    operation_timeout: Duration,
    lock_expiry: Duration,
    poll_interval: Duration,
    failures: AtomicU64,
    unlock: redis::Script,
}

/// Builds a [`RedisTokenStore`]: [`RedisTokenStore::builder`].
#[must_use]
pub struct RedisTokenStoreBuilder {
    url: String,
    key: TokenStoreKey,
    operation_timeout: Duration,
    lock_expiry: Duration,
    poll_interval: Duration,
}

impl RedisTokenStore {
    /// A store on the Redis at `url` (`redis://[:password@]host:port[/db]`, or `rediss://`
    /// is not supported: this build has no TLS for Redis) with the default timeouts. No
    /// connection is made yet.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when `url` is not a Redis URL (the message never repeats it: it
    /// may hold a password).
    pub fn new(url: &str, key: TokenStoreKey) -> Result<Self, ConfigError> {
        Self::builder(url, key).build()
    }

    /// A builder for a store on `url` with `key`, to change the timeouts.
    pub fn builder(url: &str, key: TokenStoreKey) -> RedisTokenStoreBuilder {
        RedisTokenStoreBuilder {
            url: url.to_owned(),
            key,
            operation_timeout: Duration::from_millis(250),
            lock_expiry: Duration::from_secs(10),
            poll_interval: Duration::from_millis(25),
        }
    }

    /// A store from the environment: the URL in `OAUTHFLOW_REDIS_URL`, the key (32 bytes,
    /// base64) in `OAUTHFLOW_TOKEN_STORE_KEY`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when either is missing or invalid.
    pub fn from_env() -> Result<Self, ConfigError> {
        let read = |name: &str| {
            std::env::var(name).map_err(|_| ConfigError::Invalid {
                reason: format!("`{name}` is not set (the shared token store needs it)"),
            })
        };
        let key = TokenStoreKey::from_base64(&read(TOKEN_STORE_KEY_ENV)?)?;
        Self::new(&read(REDIS_URL_ENV)?, key)
    }

    /// How many Redis operations failed or timed out since the store was built — each one made
    /// a call take the local path. A counter for metrics (monotonic, shared by clones).
    pub fn failures(&self) -> u64 {
        self.inner.failures.load(Ordering::Relaxed)
    }

    /// Runs one Redis operation within the operation timeout; a failure is counted.
    async fn run<T, F, Fut>(&self, operation: &'static str, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let inner = &self.inner;
        let attempt = async {
            let connection = inner
                .connection
                .get_or_try_init(|| async {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(inner.operation_timeout))
                        .set_response_timeout(Some(inner.operation_timeout))
                        .set_number_of_retries(2)
                        .set_max_delay(Duration::from_secs(1));
                    ConnectionManager::new_lazy_with_config(inner.client.clone(), config)
                })
                .await
                .map_err(|error| describe(operation, &error))?;
            op(connection.clone())
                .await
                .map_err(|error| describe(operation, &error))
        };
        let outcome = match tokio::time::timeout(inner.operation_timeout, attempt).await {
            Ok(outcome) => outcome,
            Err(_) => Err(StoreError::new(format!(
                "redis {operation} timed out after {} ms",
                inner.operation_timeout.as_millis()
            ))),
        };
        if outcome.is_err() {
            inner.failures.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }
}

/// What failed, by kind: never the command's arguments (keys, sealed values, lock holders).
fn describe(operation: &'static str, error: &redis::RedisError) -> StoreError {
    StoreError::new(format!("redis {operation} failed ({:?})", error.kind()))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl RedisTokenStoreBuilder {
    /// The longest one Redis operation may take (default 250 ms); past it the call takes the
    /// local path. Keep it well below the client's request timeout.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// How long a lock lives if its holder dies before releasing it (default 10 s): the longest
    /// the other instances wait before one of them fetches. Keep it above the time a token
    /// request takes: a request still running when its lock expires may be sent a second time
    /// by another instance (for a refresh, that is a replay of the refresh token).
    pub fn lock_expiry(mut self, expiry: Duration) -> Self {
        self.lock_expiry = expiry;
        self
    }

    /// How often a waiting instance looks for the holder's result (default 25 ms).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The store.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for a URL that is not a Redis URL, or a zero duration.
    pub fn build(self) -> Result<RedisTokenStore, ConfigError> {
        let invalid = |reason: &str| ConfigError::Invalid {
            reason: reason.to_owned(),
        };
        if self.operation_timeout.is_zero()
            || self.lock_expiry.is_zero()
            || self.poll_interval.is_zero()
        {
            return Err(invalid(
                "the token store's operation timeout, lock expiry and poll interval must be greater than zero",
            ));
        }
        let client = redis::Client::open(self.url.as_str()).map_err(|_| {
            invalid("the token store's Redis URL is not a `redis://host:port[/db]` URL")
        })?;
        Ok(RedisTokenStore {
            inner: Arc::new(Inner {
                client,
                connection: tokio::sync::OnceCell::new(),
                key: self.key,
                operation_timeout: self.operation_timeout,
                lock_expiry: self.lock_expiry,
                poll_interval: self.poll_interval,
                failures: AtomicU64::new(0),
                unlock: redis::Script::new(UNLOCK),
            }),
        })
    }
}

impl TokenStore for RedisTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let sealed: Option<Vec<u8>> = self
                .run("GET", |mut con| async move {
                    redis::cmd("GET").arg(key).query_async(&mut con).await
                })
                .await?;
            Ok(sealed.and_then(|sealed| {
                let opened = self.inner.key.open(key, &sealed);
                if opened.is_none() {
                    tracing::warn!(
                        target: "oauthflow::token_store",
                        "a token store entry does not open (corrupt, or sealed with another key): read as a miss"
                    );
                }
                opened
            }))
        })
    }

    fn save<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let sealed = self
                .inner
                .key
                .seal(key, value)
                .ok_or_else(|| StoreError::new("sealing the value failed"))?;
            self.run("SET", |mut con| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(sealed)
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async::<()>(&mut con)
                    .await
            })
            .await
        })
    }

    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
        expiry: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let set: Option<String> = self
                .run("SET NX", |mut con| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(holder)
                        .arg("NX")
                        .arg("PX")
                        .arg(millis(expiry))
                        .query_async(&mut con)
                        .await
                })
                .await?;
            Ok(set.is_some())
        })
    }

    fn unlock<'a>(&'a self, key: &'a str, holder: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.run("unlock", |mut con| async move {
                self.inner
                    .unlock
                    .key(key)
                    .arg(holder)
                    .invoke_async::<i64>(&mut con)
                    .await
                    .map(drop)
            })
            .await
        })
    }

    fn lock_expiry(&self) -> Duration {
        self.inner.lock_expiry
    }

    fn poll_interval(&self) -> Duration {
        self.inner.poll_interval
    }
}

impl fmt::Debug for RedisTokenStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the URL: it may hold a password.
        f.debug_struct("RedisTokenStoreBuilder")
            .field("operation_timeout", &self.operation_timeout)
            .field("lock_expiry", &self.lock_expiry)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the URL (it may hold a password) nor the key.
        f.debug_struct("RedisTokenStore")
            .field("operation_timeout", &self.inner.operation_timeout)
            .field("lock_expiry", &self.inner.lock_expiry)
            .field("failures", &self.failures())
            .finish_non_exhaustive()
    }
}
