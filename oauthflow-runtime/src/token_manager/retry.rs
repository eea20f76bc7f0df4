//! Retries of transient fetch failures: jittered exponential backoff that honours
//! `Retry-After`, bounded in attempts and time. Time and sleeps are the manager's [`Clock`]'s
//! (pausable or hand-moved in tests).

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use crate::clock::Clock;
use crate::error::Error;

use super::config::RetryPolicy;
use super::entry::Fetched;

/// A successful fetch and when its request was sent (to anchor the expiry).
pub(crate) struct Sent<V> {
    pub(crate) fetched: Fetched<V>,
    pub(crate) at: Instant,
    pub(crate) at_wall: SystemTime,
}

/// Calls `fetch` until it succeeds, fails terminally, or the policy's budget is spent.
pub(crate) async fn fetch_with_retry<V, F, Fut>(
    fetch: &F,
    policy: &RetryPolicy,
    clock: &dyn Clock,
    name: &'static str,
) -> Result<Sent<V>, Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Fetched<V>, Error>>,
{
    let started = clock.now();
    let mut attempt: u32 = 1;
    loop {
        let at = clock.now();
        let at_wall = clock.wall();
        let result = match tokio::time::timeout(policy.attempt_timeout, fetch()).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout { endpoint: "token" }),
        };
        let error = match result {
            Ok(fetched) => {
                return Ok(Sent {
                    fetched,
                    at,
                    at_wall,
                });
            }
            Err(error) => error,
        };
        if !is_retryable(policy, &error) {
            tracing::debug!(cache = name, attempt, error = %error, "token fetch failure not retried");
            return Err(error);
        }
        if attempt >= policy.max_attempts.max(1) {
            tracing::debug!(cache = name, attempt, error = %error, "token fetch attempts exhausted");
            return Err(error);
        }
        let delay = delay_before_retry(policy, attempt, &error);
        // Saturating: `delay` carries the server's `Retry-After`, up to `u64::MAX` seconds.
        let elapsed = clock.now().saturating_duration_since(started);
        if elapsed.saturating_add(delay) > policy.max_elapsed {
            tracing::debug!(
                cache = name,
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %error,
                "token fetch retry budget exhausted"
            );
            return Err(error);
        }
        tracing::info!(
            cache = name,
            attempt,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %error,
            "transient token fetch failure; retrying"
        );
        clock.sleep(delay).await;
        attempt += 1;
    }
}

/// Transient, and — unless the policy allows it — certainly not processed by the server.
fn is_retryable(policy: &RetryPolicy, error: &Error) -> bool {
    error.is_transient()
        && (policy.retry_ambiguous
            || !matches!(error, Error::Transport { .. } | Error::Timeout { .. }))
}

/// The wait before retry number `attempt` (1 = first retry): the jittered backoff, or the
/// server's `Retry-After` when that is longer.
pub(crate) fn delay_before_retry(policy: &RetryPolicy, attempt: u32, error: &Error) -> Duration {
    let backoff = jittered(backoff(policy, attempt));
    match retry_after(error) {
        Some(after) => after.max(backoff),
        None => backoff,
    }
}

/// `initial × 2^(attempt-1)`, capped at `max_backoff`.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let factor = 1u32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX);
    policy
        .initial_backoff
        .checked_mul(factor)
        .unwrap_or(policy.max_backoff)
        .min(policy.max_backoff)
}

/// "Equal jitter": uniformly in `[d/2, d]`, so synchronized clients spread out but never
/// retry sooner than half the backoff.
fn jittered(d: Duration) -> Duration {
    let half = d / 2;
    half + half.mul_f64(unit_random())
}

/// `Retry-After` (seconds) carried by an HTTP status error.
fn retry_after(error: &Error) -> Option<Duration> {
    match error {
        Error::HttpStatus {
            retry_after: Some(secs),
            ..
        } => Some(Duration::from_secs(*secs)),
        _ => None,
    }
}

/// A number in `[0, 1)` from std's randomly keyed SipHash (no RNG crate needed for jitter).
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bits = RandomState::new().hash_one(n) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jitter_stays_in_its_band() {
        let policy = RetryPolicy::default();
        assert_eq!(backoff(&policy, 1), Duration::from_millis(200));
        assert_eq!(backoff(&policy, 2), Duration::from_millis(400));
        assert_eq!(backoff(&policy, 40), policy.max_backoff);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100 {
            let d = jittered(Duration::from_millis(1000));
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1000));
            seen.insert(d);
        }
        assert!(seen.len() > 50, "jitter is not random: {seen:?}");
    }

    #[test]
    fn ambiguous_failures_are_retried_only_when_allowed() {
        let transport = Error::Transport {
            endpoint: "token",
            reason: "connection reset".into(),
            request_sent: true,
        };
        let unavailable = Error::HttpStatus {
            endpoint: "token",
            status: 503,
            retry_after: None,
        };
        let mut policy = RetryPolicy::default();
        assert!(is_retryable(&policy, &transport));
        assert!(is_retryable(&policy, &unavailable));
        policy.retry_ambiguous = false;
        assert!(!is_retryable(&policy, &transport));
        assert!(!is_retryable(
            &policy,
            &Error::Timeout { endpoint: "token" }
        ));
        assert!(is_retryable(&policy, &unavailable));
    }

    #[test]
    fn retry_after_wins_when_longer_than_the_backoff() {
        let policy = RetryPolicy::default();
        let e = Error::HttpStatus {
            endpoint: "token",
            status: 503,
            retry_after: Some(2),
        };
        assert_eq!(delay_before_retry(&policy, 1, &e), Duration::from_secs(2));
        let e = Error::HttpStatus {
            endpoint: "token",
            status: 503,
            retry_after: None,
        };
        assert!(delay_before_retry(&policy, 1, &e) <= Duration::from_millis(200));
    }

    /// `Retry-After: 18446744073709551615` (u64::MAX seconds) from a token endpoint, after a
    /// first retry that already took a second or more, used to overflow `elapsed + delay` and
    /// panic the fetch task; now the retry budget simply ends.
    #[tokio::test(start_paused = true)]
    async fn huge_retry_after_ends_the_retries_without_overflow() {
        let calls = AtomicU64::new(0);
        let fetch = || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Err::<Fetched<&'static str>, _>(Error::HttpStatus {
                    endpoint: "token",
                    status: 503,
                    retry_after: Some(if n == 0 { 2 } else { u64::MAX }),
                })
            }
        };
        let clock = crate::clock::TokioClock::new();
        let err = fetch_with_retry(&fetch, &RetryPolicy::default(), &clock, "test")
            .await
            .err()
            .expect("an error");
        assert!(
            matches!(err, Error::HttpStatus { status: 503, .. }),
            "{err:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
