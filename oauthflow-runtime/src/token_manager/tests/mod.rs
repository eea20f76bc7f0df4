//! Unit tests of the manager as a whole; the clock is a `ManualClock` or Tokio's paused one.
//! `cache.rs`: expiry, margins, refresh-ahead, invalidation, the lock-free hot path, refresh
//! mode. `flight.rs`: one fetch per key, failures, panics, stalls, retries, tracing.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use oauth2::AccessToken;
use tokio::sync::Semaphore;

use super::config::RetryPolicy;
use super::*;
use crate::clock::{ManualClock, SystemClock, TokioClock};
use crate::error::OAuthErrorCode;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn token(s: &str) -> AccessToken {
    AccessToken::new(s.to_owned())
}

fn ok(s: &'static str, expires_in: Option<u64>) -> Result<Fetched, Error> {
    Ok(Fetched::new(token(s), expires_in.map(secs)))
}

fn status(code: u16, retry_after: Option<u64>) -> Error {
    Error::HttpStatus {
        endpoint: "token",
        status: code,
        retry_after,
    }
}

fn oauth(code: &str) -> Error {
    Error::OAuth {
        endpoint: "token",
        code: OAuthErrorCode::new(code),
        description: None,
    }
}

/// A fetch that counts its calls and answers the `n`-th (from 0) with `answer(n)`; returns the
/// counter and the fetch.
fn counted<Fut>(
    answer: impl Fn(usize) -> Fut + Send + Sync + Clone + 'static,
) -> (
    Arc<AtomicUsize>,
    impl Fn() -> Fut + Send + Sync + Clone + 'static,
) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    (fetches, move || answer(counter.fetch_add(1, SeqCst)))
}

fn manager_with(clock: Arc<dyn Clock>, config: CacheConfig) -> Arc<TokenManager<&'static str>> {
    Arc::new(TokenManager::new(config, clock))
}

/// Polls `fut` once: it must be ready without waiting.
fn ready_now<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the call waited"),
    }
}

/// Lets spawned tasks (background refreshes) run to completion or to their next timer.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// The example in [`TokenManager`]'s documentation.
#[tokio::test]
async fn doc_example_token_manager() {
    let manager: TokenManager<&'static str> =
        TokenManager::new(CacheConfig::default(), Arc::new(SystemClock));
    let token = manager
        .get(&"api", || async {
            // The real fetch POSTs to the token endpoint.
            Ok(Fetched::new(
                AccessToken::new("t".into()),
                Some(Duration::from_secs(3600)),
            ))
        })
        .await
        .unwrap();
    assert_eq!(token.access_token().secret(), "t");
    assert!(manager.get_fresh(&"api").is_some());
}

mod cache;
mod flight;
mod thread_copies;
