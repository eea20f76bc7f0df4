//! The cross-instance single flight on a [`TokenStore`]: read the shared result; else take the
//! key's lock and fetch, or wait (bounded poll) for the holder's result. Any store failure sends
//! the call down the local path (availability first).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{StoreError, TokenStore};
use crate::error::Error;
use crate::token_manager::{CacheConfig, Fetched};
use crate::token_source::BearerToken;
use crate::tokens::TokenSet;

/// How long a failed request's waiters (instances polling for its result) get its failure
/// instead of sending it again: long enough for every poller to see it.
const FAILURE_SHARED_FOR: Duration = Duration::from_secs(1);

/// A client's view of its token store: the store, the client's namespace in it, and this
/// instance's name as a lock holder.
#[derive(Clone)]
pub(crate) struct SharedStore {
    store: Arc<dyn TokenStore>,
    /// `oauthflow:v1:<hash of issuer and client id>`: two clients never read each other's keys.
    namespace: String,
    /// Random per client instance: only the holder releases its lock.
    holder: String,
}

/// Turns a value into the bytes to store and their time to live; `None`: nothing worth sharing.
pub(crate) type Encode<T> = Box<dyn Fn(&T) -> Option<(Vec<u8>, Duration)> + Send + Sync>;
/// Reads a value back, if the bytes hold one that is still usable (a miss otherwise).
pub(crate) type Decode<T> = Box<dyn Fn(&[u8]) -> Option<T> + Send + Sync>;

/// How a shared value is written and read back.
pub(crate) struct Codec<T> {
    pub(crate) encode: Encode<T>,
    pub(crate) decode: Decode<T>,
}

impl SharedStore {
    /// `issuer` (or, without one, the token endpoint) and `client_id` name the namespace.
    pub(crate) fn new(store: Arc<dyn TokenStore>, server: &str, client_id: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(server.as_bytes());
        hash.update([0]);
        hash.update(client_id.as_bytes());
        SharedStore {
            store,
            namespace: format!("oauthflow:v1:{}", &hex(&hash.finalize())[..32]),
            holder: oauth2::CsrfToken::new_random().secret().clone(),
        }
    }

    /// The key of a client-credentials token for `audience` (hashed: keys stay short and plain).
    pub(crate) fn audience_key(&self, audience: Option<&str>) -> String {
        match audience {
            Some(audience) => format!(
                "{}:cc:{}",
                self.namespace,
                &hex(&Sha256::digest(audience.as_bytes()))[..32]
            ),
            None => format!("{}:cc:-", self.namespace),
        }
    }

    /// The key of a refresh result, by the SHA-256 of the refresh token presented.
    pub(crate) fn refresh_key(&self, refresh_token_hash: &[u8; 32]) -> String {
        format!("{}:rt:{}", self.namespace, hex(refresh_token_hash))
    }

    /// The shared value under `key`, else the outcome of `fetch` — run by this instance when it
    /// gets the key's lock (and then shared), or read once the lock's holder has shared it. When
    /// the store fails, `fetch` runs locally.
    pub(crate) async fn single_flight<T, F, Fut>(
        &self,
        key: &str,
        codec: &Codec<T>,
        fetch: F,
    ) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let lock = format!("{key}:lock");
        match self.read(key, codec).await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(error) => return local(error, "read", fetch).await,
        }
        let expiry = self.store.lock_expiry();
        // Past this, a waiter stops waiting and fetches itself: the lock expires by then even
        // if its holder died, so only a store that lost its lock's expiry gets here.
        let give_up = Instant::now() + expiry * 2;
        loop {
            match self.store.try_lock(&lock, &self.holder, expiry).await {
                Err(error) => return local(error, "lock", fetch).await,
                Ok(true) => return self.fetch_and_share(key, &lock, codec, fetch).await,
                Ok(false) => {}
            }
            tokio::time::sleep(self.store.poll_interval()).await;
            match self.read(key, codec).await {
                Ok(Some(value)) => {
                    tracing::debug!(
                        target: "oauthflow::token_store",
                        "another instance fetched: its result is shared"
                    );
                    return Ok(value);
                }
                Ok(None) => {}
                Err(error) => return local(error, "read", fetch).await,
            }
            if Instant::now() >= give_up {
                tracing::warn!(
                    target: "oauthflow::token_store",
                    "the token store's lock outlived its expiry: fetching locally"
                );
                return fetch().await;
            }
        }
    }

    /// Holding the lock: look once more (the holder before may have shared since our first
    /// read), fetch, share, release.
    async fn fetch_and_share<T, F, Fut>(
        &self,
        key: &str,
        lock: &str,
        codec: &Codec<T>,
        fetch: F,
    ) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let failed = format!("{key}:failed");
        let outcome = match self.read(key, codec).await {
            Ok(Some(value)) => Ok(value),
            // The instance before us just failed this request: its waiters share the failure
            // (as in process) instead of sending it again at once — for a refresh whose answer
            // was lost, again would be a replay of the refresh token.
            Ok(None) if matches!(self.store.load(&failed).await, Ok(Some(_))) => {
                Err(Error::Transport {
                    endpoint: "token",
                    reason: "another instance sharing the token store sent this request just now, and it failed".into(),
                    // It went out from there: whatever it changed at the server stays changed.
                    request_sent: true,
                })
            }
            Ok(None) => fetch().await,
            Err(error) => {
                warn_unavailable(&error, "read");
                fetch().await
            }
        };
        let shared = match &outcome {
            Ok(value) => (codec.encode)(value).map(|(bytes, ttl)| (key, bytes, ttl)),
            Err(_) => Some((failed.as_str(), vec![1], FAILURE_SHARED_FOR)),
        };
        if let Some((key, bytes, ttl)) = shared
            && let Err(error) = self.store.save(key, &bytes, ttl).await
        {
            warn_unavailable(&error, "save");
        }
        if let Err(error) = self.store.unlock(lock, &self.holder).await {
            // It expires on its own.
            warn_unavailable(&error, "unlock");
        }
        outcome
    }

    async fn read<T>(&self, key: &str, codec: &Codec<T>) -> Result<Option<T>, StoreError> {
        Ok(self
            .store
            .load(key)
            .await?
            .and_then(|bytes| (codec.decode)(&bytes)))
    }
}

/// Availability first: the store failed, so this call is served by its own request.
async fn local<T, F, Fut>(error: StoreError, operation: &'static str, fetch: F) -> Result<T, Error>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    warn_unavailable(&error, operation);
    fetch().await
}

fn warn_unavailable(error: &StoreError, operation: &'static str) {
    tracing::warn!(
        target: "oauthflow::token_store",
        operation,
        %error,
        "token store unavailable: serving from the local path"
    );
}

impl fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedStore")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A client-credentials token as shared: its text and its wall-clock expiry (instances compare
/// wall clocks, their monotonic clocks have nothing in common).
#[derive(Serialize, Deserialize)]
struct SharedAccessToken {
    token: String,
    /// DPoP-bound (every instance then signs with the same, supplied, DPoP key).
    #[serde(default)]
    dpop: bool,
    expires_at_ms: u64,
    lifetime_ms: u64,
}

/// Client-credentials tokens: shared for their remaining lifetime; read back only while
/// outside the refresh margin (a token in its margin is what the reader is replacing).
pub(crate) fn access_token_codec(config: &CacheConfig) -> Codec<Fetched<BearerToken>> {
    let (default_lifetime, max_lifetime) = (config.default_lifetime, config.max_lifetime);
    let margins = config.clone();
    Codec {
        encode: Box::new(move |fetched: &Fetched<BearerToken>| {
            let lifetime = fetched
                .expires_in
                .unwrap_or(default_lifetime)
                .min(max_lifetime);
            let expires_at = SystemTime::now().checked_add(lifetime)?;
            let shared = SharedAccessToken {
                token: fetched.value.secret().to_owned(),
                dpop: fetched.value.is_dpop(),
                expires_at_ms: unix_ms(expires_at),
                lifetime_ms: u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX),
            };
            Some((serde_json::to_vec(&shared).ok()?, lifetime))
        }),
        decode: Box::new(move |bytes: &[u8]| {
            let shared: SharedAccessToken = serde_json::from_slice(bytes).ok()?;
            let remaining = Duration::from_millis(
                shared
                    .expires_at_ms
                    .checked_sub(unix_ms(SystemTime::now()))?,
            );
            let lifetime = Duration::from_millis(shared.lifetime_ms);
            if remaining <= margins.margin_for(lifetime) {
                return None;
            }
            let token = if shared.dpop {
                BearerToken::new_dpop(shared.token)
            } else {
                BearerToken::new(shared.token)
            };
            Some(Fetched::new(token.ok()?, Some(remaining)))
        }),
    }
}

/// A refresh result as shared: the new tokens, and whether they failed a check after the
/// server issued them (then they travel as [`Error::CommittedButUnverified`], like in process).
#[derive(Serialize, Deserialize)]
struct SharedRefresh {
    tokens: TokenSet,
    unverified: bool,
}

/// Refresh results: shared for `window` (the grace window), for callers presenting the old
/// refresh token.
pub(crate) fn refresh_codec(window: Duration) -> Codec<Result<TokenSet, Error>> {
    Codec {
        encode: Box::new(move |outcome: &Result<TokenSet, Error>| {
            let shared = match outcome {
                Ok(tokens) => SharedRefresh {
                    tokens: tokens.clone(),
                    unverified: false,
                },
                Err(error) => SharedRefresh {
                    tokens: error.committed_tokens()?.clone(),
                    unverified: true,
                },
            };
            Some((serde_json::to_vec(&shared).ok()?, window))
        }),
        decode: Box::new(|bytes: &[u8]| {
            let shared: SharedRefresh = serde_json::from_slice(bytes).ok()?;
            Some(if shared.unverified {
                Err(Error::CommittedButUnverified {
                    endpoint: "token",
                    cause: Box::new(Error::IdTokenInvalid {
                        reason: "another instance sharing the token store refreshed these tokens and refused its response's ID token".into(),
                    }),
                    tokens: Box::new(shared.tokens),
                })
            } else {
                Ok(shared.tokens)
            })
        }),
    }
}
