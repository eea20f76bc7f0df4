//! The per-audience access-token cache of the client-credentials flow (R27): serve a cached
//! token while it is outside the refresh margin, one request in flight per key however many
//! callers wait (a `tokio::sync::Mutex` per key, checked again after acquiring it), keep serving
//! a still-valid token when renewing it fails transiently.
//!
//! Small on purpose: a full token manager (lock-free hot path, refresh-ahead in the background,
//! retries) can replace it behind [`TokenCache::get_or_fetch`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use oauth2::AccessToken;

use crate::error::Error;

/// One cached token.
#[derive(Clone)]
pub(crate) struct Cached {
    /// The token.
    pub(crate) token: AccessToken,
    /// When it was received.
    pub(crate) received_at: SystemTime,
    /// When it stops being valid (its expiry, or receipt plus a default lifetime).
    pub(crate) valid_until: SystemTime,
}

impl Cached {
    /// Whether the token should be renewed at `now`: it is within `margin` of its end. The margin
    /// is capped at half the token's lifetime, so a short-lived token (lifetime below twice the
    /// margin) is still served from the cache for half its life instead of never.
    pub(crate) fn needs_renewal(&self, now: SystemTime, margin: Duration) -> bool {
        let lifetime = self
            .valid_until
            .duration_since(self.received_at)
            .unwrap_or(Duration::ZERO);
        let margin = margin.min(lifetime / 2);
        match self.valid_until.checked_sub(margin) {
            Some(renew_at) => now >= renew_at,
            None => true,
        }
    }

    /// Whether the token is still valid at all at `now`.
    pub(crate) fn is_valid(&self, now: SystemTime) -> bool {
        now < self.valid_until
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// Cached tokens by key (the audience; one cache per client, so issuer, client and scopes are
/// fixed).
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl TokenCache {
    /// The cached token for `key` when fresh; otherwise runs `fetch` (once, for all waiting
    /// callers) and caches its result.
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        key: &str,
        margin: Duration,
        now: impl Fn() -> SystemTime,
        fetch: F,
    ) -> Result<AccessToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Cached, Error>>,
    {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            slots.entry(key.to_owned()).or_default().clone()
        };
        let mut guard = slot.lock().await;
        if let Some(cached) = guard.as_ref()
            && !cached.needs_renewal(now(), margin)
        {
            return Ok(cached.token.clone());
        }
        match fetch().await {
            Ok(fresh) => {
                let token = fresh.token.clone();
                *guard = Some(fresh);
                Ok(token)
            }
            Err(error) => match guard.as_ref() {
                Some(old) if error.is_transient() && old.is_valid(now()) => {
                    tracing::warn!(error = %error, "oauthflow: renewing a cached access token failed; serving the still-valid one");
                    Ok(old.token.clone())
                }
                _ => Err(error),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    fn cached(name: &str, lifetime: u64) -> Cached {
        Cached {
            token: AccessToken::new(name.into()),
            received_at: T0,
            valid_until: T0 + Duration::from_secs(lifetime),
        }
    }

    /// R39: a token expiring in 30 s with a 60 s margin is renewed.
    #[test]
    fn renewal_with_fake_clock() {
        let c = cached("a", 3600);
        let margin = Duration::from_secs(60);
        assert!(!c.needs_renewal(T0, margin));
        assert!(!c.needs_renewal(T0 + Duration::from_secs(3539), margin));
        assert!(c.needs_renewal(T0 + Duration::from_secs(3570), margin));
        assert!(c.needs_renewal(T0 + Duration::from_secs(4000), margin));
        // A 60 s token with a 60 s margin is still served for 30 s.
        let short = cached("b", 60);
        assert!(!short.needs_renewal(T0 + Duration::from_secs(10), margin));
        assert!(short.needs_renewal(T0 + Duration::from_secs(31), margin));
    }

    #[tokio::test]
    async fn one_fetch_for_many_callers_and_per_key() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            let key = if i % 2 == 0 { "orders" } else { "billing" };
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(
                        key,
                        Duration::from_secs(60),
                        SystemTime::now,
                        || async move {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok(Cached {
                                token: AccessToken::new(format!("token-{key}")),
                                received_at: SystemTime::now(),
                                valid_until: SystemTime::now() + Duration::from_secs(3600),
                            })
                        },
                    )
                    .await
                    .map(|t| (key, t.secret().clone()))
            }));
        }
        for task in tasks {
            let (key, token) = task.await.unwrap().unwrap();
            assert_eq!(token, format!("token-{key}"));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn transient_failure_serves_the_still_valid_token() {
        let cache = TokenCache::default();
        let margin = Duration::from_secs(60);
        let first = cache
            .get_or_fetch("k", margin, || T0, || async { Ok(cached("old", 100)) })
            .await
            .unwrap();
        assert_eq!(first.secret(), "old");
        // 80 s later: inside the margin, still valid; the renewal fails transiently.
        let later = || T0 + Duration::from_secs(80);
        let token = cache
            .get_or_fetch("k", margin, later, || async {
                Err(Error::Timeout { endpoint: "token" })
            })
            .await
            .unwrap();
        assert_eq!(token.secret(), "old");
        // A terminal error is returned.
        let err = cache
            .get_or_fetch("k", margin, later, || async {
                Err(Error::HttpStatus {
                    endpoint: "token",
                    status: 401,
                    retry_after: None,
                })
            })
            .await;
        assert!(err.is_err());
        // Past expiry, a transient failure is returned too.
        let expired = || T0 + Duration::from_secs(101);
        assert!(
            cache
                .get_or_fetch("k", margin, expired, || async {
                    Err(Error::Timeout { endpoint: "token" })
                })
                .await
                .is_err()
        );
    }
}
