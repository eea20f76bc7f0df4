//! Single flight for refresh requests (R25): concurrent refreshes with the same refresh token
//! share one token request. A successful result is also kept for a short grace period, so a
//! caller that arrives just after the flight finished — still holding the old refresh token —
//! gets the new tokens instead of replaying a rotated refresh token (which makes oidc-provider,
//! Auth0 and others revoke the whole grant).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::error::Error;
use crate::tokens::TokenSet;

/// How long a finished refresh is shared with late callers.
const GRACE: Duration = Duration::from_secs(30);

type Flight = Arc<OnceCell<Result<TokenSet, Error>>>;

struct Entry {
    flight: Flight,
    finished: Option<Instant>,
}

/// In-flight and just-finished refreshes, keyed by the SHA-256 of the refresh token (the token
/// itself is not kept as a key).
#[derive(Default)]
pub(crate) struct RefreshFlights {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

impl RefreshFlights {
    /// Runs `refresh` for `refresh_token`, or joins the flight already running (or just
    /// finished) for it.
    pub(crate) async fn run<F, Fut>(
        &self,
        refresh_token: &str,
        refresh: F,
    ) -> Result<TokenSet, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenSet, Error>>,
    {
        let key: [u8; 32] = Sha256::digest(refresh_token.as_bytes()).into();
        let flight = {
            let mut entries = self.lock();
            entries.retain(|_, e| e.finished.is_none_or(|t| t.elapsed() < GRACE));
            entries
                .entry(key)
                .or_insert_with(|| Entry {
                    flight: Arc::new(OnceCell::new()),
                    finished: None,
                })
                .flight
                .clone()
        };
        let result = flight.get_or_init(refresh).await.clone();
        let mut entries = self.lock();
        if let Some(entry) = entries.get_mut(&key)
            && Arc::ptr_eq(&entry.flight, &flight)
        {
            if result.is_ok() {
                entry.finished.get_or_insert_with(Instant::now);
            } else {
                // Errors are not shared with later callers: a transient failure may be retried.
                entries.remove(&key);
            }
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth2::AccessToken;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn tokens(at: &str) -> TokenSet {
        TokenSet {
            access_token: AccessToken::new(at.into()),
            refresh_token: None,
            id_token: None,
            expires_at: None,
            audience: None,
            scopes: Vec::new(),
        }
    }

    #[tokio::test]
    async fn concurrent_and_late_callers_share_one_request() {
        let flights = Arc::new(RefreshFlights::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (flights, calls) = (flights.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                flights
                    .run("rt-1", || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(tokens("new"))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().access_token().secret(), "new");
        }
        let late = flights
            .run("rt-1", || async { Ok(tokens("second")) })
            .await
            .unwrap();
        assert_eq!(late.access_token().secret(), "new");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let other = flights
            .run("rt-2", || async { Ok(tokens("other")) })
            .await
            .unwrap();
        assert_eq!(other.access_token().secret(), "other");
    }

    #[tokio::test]
    async fn errors_are_not_kept() {
        let flights = RefreshFlights::default();
        let err = flights
            .run("rt", || async { Err(Error::Timeout { endpoint: "token" }) })
            .await;
        assert!(err.is_err());
        let ok = flights
            .run("rt", || async { Ok(tokens("ok")) })
            .await
            .unwrap();
        assert_eq!(ok.access_token().secret(), "ok");
    }
}
