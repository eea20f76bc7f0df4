//! The work of one key's flight: retries the fetch and caches the token — or, when it fails
//! while the cached token is still valid, keeps that token and puts off the next background
//! attempt. The flight ([`crate::single_flight`]) runs it in its own task and publishes its
//! outcome to every waiter.

use std::future::Future;
use std::sync::Arc;

use crate::clock::Clock;
use crate::error::Error;

use super::config::CacheConfig;
use super::entry::{Entry, Fetched};
use super::retry;
use super::slot::{Outcome, Slot};

/// The fetch: retries, caches the token, and returns the outcome for every waiter.
pub(crate) async fn run_flight<V, F, Fut>(
    slot: Arc<Slot<V>>,
    fetch: F,
    config: Arc<CacheConfig>,
    clock: Arc<dyn Clock>,
) -> Outcome<V>
where
    V: Clone + Send + Sync + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Fetched<V>, Error>> + Send + 'static,
{
    let name = config.name;
    let result = retry::fetch_with_retry(&fetch, &config.retry, &*clock, name).await;
    match result {
        Ok(sent) => {
            let token = Arc::new(Entry::new(sent.fetched, sent.at, sent.at_wall, &config));
            slot.entry.store(Some(token.clone()));
            tracing::debug!(
                cache = name,
                lifetime_s = token.lifetime().as_secs(),
                "token fetched and cached"
            );
            Ok(token)
        }
        Err(error) => {
            let now = clock.now();
            match slot.entry.load_full().filter(|t| t.is_valid_at(now)) {
                Some(valid) => {
                    tracing::warn!(
                        cache = name,
                        error = %error,
                        transient = error.is_transient(),
                        "token refresh failed; the cached token is still valid and stays in use"
                    );
                    let retry_at = now
                        .checked_add(config.refresh_failure_cooldown)
                        .unwrap_or(valid.expires_at());
                    let cooled = Arc::new(valid.with_refresh_at(retry_at));
                    let _ = slot.entry.compare_and_swap(&valid, Some(cooled));
                }
                None => tracing::warn!(
                    cache = name,
                    error = %error,
                    transient = error.is_transient(),
                    "token fetch failed"
                ),
            }
            Err(Arc::new(error))
        }
    }
}
