//! Unit tests of the manager as a whole; the clock is a `ManualClock` or Tokio's paused one.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use oauth2::AccessToken;
use tokio::sync::Semaphore;

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

#[tokio::test]
async fn margin_sign_refreshes_thirty_seconds_before_expiry_but_not_ten_minutes_before() {
    let clock = Arc::new(ManualClock::new());
    let m = manager_with(clock.clone(), CacheConfig::default()); // 60 s margin
    let (fetches, fetch) =
        counted(|n| async move { ok(if n == 0 { "first" } else { "second" }, Some(3600)) });
    let t = m.get(&"a", fetch.clone()).await.unwrap();
    assert_eq!(t.access_token().secret(), "first");

    clock.advance(secs(3600 - 600)); // expires in 10 min: no refresh
    let t = m.get(&"a", fetch.clone()).await.unwrap();
    settle().await;
    assert_eq!(t.access_token().secret(), "first");
    assert_eq!(fetches.load(SeqCst), 1, "refreshed 10 min before expiry");

    clock.advance(secs(600 - 30)); // expires in 30 s: inside the 60 s margin
    let t = m.get(&"a", fetch.clone()).await.unwrap();
    assert_eq!(
        t.access_token().secret(),
        "first",
        "the valid token is served"
    );
    settle().await;
    assert_eq!(fetches.load(SeqCst), 2, "no refresh 30 s before expiry");
    let t = m.get(&"a", fetch).await.unwrap();
    assert_eq!(t.access_token().secret(), "second");
}

#[tokio::test]
async fn a_short_lived_token_is_not_always_in_the_margin() {
    let clock = Arc::new(ManualClock::new());
    let m = manager_with(clock.clone(), CacheConfig::default());
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetch = {
        let fetches = fetches.clone();
        move || {
            fetches.fetch_add(1, SeqCst);
            async { ok("short", Some(30)) }
        }
    };
    m.get(&"a", fetch.clone()).await.unwrap();
    clock.advance(secs(10));
    m.get(&"a", fetch).await.unwrap();
    settle().await;
    assert_eq!(
        fetches.load(SeqCst),
        1,
        "a 30 s token was refreshed after 10 s"
    );
    clock.advance(secs(6)); // 14 s left: in the 15 s (half-lifetime) margin
    assert!(m.get_fresh(&"a").is_none());
}

#[tokio::test]
async fn missing_expires_in_gets_the_default_lifetime() {
    let clock = Arc::new(ManualClock::new());
    let config = CacheConfig {
        default_lifetime: secs(120),
        ..CacheConfig::default()
    };
    let m = manager_with(clock.clone(), config);
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetch = {
        let fetches = fetches.clone();
        move || {
            fetches.fetch_add(1, SeqCst);
            async { ok("no-expiry", None) }
        }
    };
    let t = m.get(&"a", fetch.clone()).await.unwrap();
    assert_eq!(t.lifetime(), secs(120));
    assert_eq!(t.expires_at() - clock.now(), secs(120));
    clock.advance(secs(121));
    assert!(!t.is_valid_at(clock.now()));
    m.get(&"a", fetch).await.unwrap();
    assert_eq!(
        fetches.load(SeqCst),
        2,
        "an expired default-lifetime token was reused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_on_two_keys_cause_exactly_two_fetches() {
    let m = manager_with(Arc::new(SystemClock), CacheConfig::default());
    let fetches = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(tokio::sync::Barrier::new(1000));
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let (m, fetches, start) = (m.clone(), fetches.clone(), start.clone());
        let key: &'static str = if i % 2 == 0 {
            "audience-a"
        } else {
            "audience-b"
        };
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let fetch = move || {
                fetches.fetch_add(1, SeqCst);
                async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    ok(key, Some(3600))
                }
            };
            let t = m.get(&key, fetch).await.unwrap();
            assert_eq!(t.access_token().secret(), key);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(fetches.load(SeqCst), 2);
    assert_eq!(m.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_fetch_wakes_every_waiter_with_the_error_and_the_next_call_retries() {
    let m = manager_with(Arc::new(TokioClock::new()), CacheConfig::default());
    let (fetches, fetch) = counted(|n| async move {
        tokio::time::sleep(secs(1)).await;
        if n == 0 {
            Err(oauth("invalid_client"))
        } else {
            ok("after", Some(3600))
        }
    });
    let waiters: Vec<_> = (0..100)
        .map(|_| {
            let (m, fetch) = (m.clone(), fetch.clone());
            tokio::spawn(async move { m.get(&"a", fetch).await })
        })
        .collect();
    for w in waiters {
        let err = w.await.unwrap().unwrap_err();
        assert_eq!(err.oauth_code(), Some("invalid_client"));
        assert!(!err.is_transient());
    }
    assert_eq!(
        fetches.load(SeqCst),
        1,
        "a terminal error was retried or not shared"
    );
    let t = m.get(&"a", fetch).await.unwrap();
    assert_eq!(t.access_token().secret(), "after");
    assert_eq!(fetches.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_fetch_wakes_waiters_and_the_next_call_retries() {
    let m = manager_with(Arc::new(TokioClock::new()), CacheConfig::default());
    let (fetches, fetch) = counted(|n| async move {
        tokio::time::sleep(secs(1)).await;
        assert!(n > 0, "fetch panicked (on purpose)");
        ok("after", Some(3600))
    });
    let waiters: Vec<_> = (0..10)
        .map(|_| {
            let (m, fetch) = (m.clone(), fetch.clone());
            tokio::spawn(async move { m.get(&"a", fetch).await })
        })
        .collect();
    for w in waiters {
        assert!(matches!(w.await.unwrap(), Err(Error::Transport { .. })));
    }
    assert_eq!(
        m.get(&"a", fetch).await.unwrap().access_token().secret(),
        "after"
    );
    assert_eq!(fetches.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_fetch_times_every_waiter_out_then_a_new_fetch_starts() {
    let config = CacheConfig {
        get_timeout: secs(5),
        retry: RetryPolicy {
            max_attempts: 1,
            attempt_timeout: secs(20),
            ..RetryPolicy::default()
        },
        ..CacheConfig::default()
    };
    let m = manager_with(Arc::new(TokioClock::new()), config);
    let (fetches, fetch) = counted(|n| async move {
        if n == 0 {
            std::future::pending::<()>().await;
        }
        ok("after", Some(3600))
    });
    let started = tokio::time::Instant::now();
    let waiters: Vec<_> = (0..100)
        .map(|_| {
            let (m, fetch) = (m.clone(), fetch.clone());
            tokio::spawn(async move { m.get(&"a", fetch).await })
        })
        .collect();
    for w in waiters {
        assert!(matches!(w.await.unwrap(), Err(Error::Timeout { .. })));
    }
    assert_eq!(started.elapsed(), secs(5));
    assert_eq!(
        fetches.load(SeqCst),
        1,
        "waiters started fetches of their own"
    );

    // The stalled attempt is abandoned after `attempt_timeout`; the next call fetches anew.
    tokio::time::sleep(secs(16)).await;
    let t = m.get(&"a", fetch).await.unwrap();
    assert_eq!(t.access_token().secret(), "after");
    assert_eq!(fetches.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_503_with_retry_after_2_is_retried_once_after_at_least_2_seconds() {
    let m = manager_with(Arc::new(TokioClock::new()), CacheConfig::default());
    let attempts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let fetch = {
        let attempts = attempts.clone();
        move || {
            let n = {
                let mut a = attempts.lock().unwrap();
                a.push(tokio::time::Instant::now());
                a.len()
            };
            async move {
                if n == 1 {
                    Err(status(503, Some(2)))
                } else {
                    ok("retried", Some(3600))
                }
            }
        }
    };
    let t = m.get(&"a", fetch).await.unwrap();
    assert_eq!(t.access_token().secret(), "retried");
    let attempts = attempts.lock().unwrap();
    assert_eq!(attempts.len(), 2);
    let gap = attempts[1] - attempts[0];
    assert!(gap >= secs(2), "retried after {gap:?}, before Retry-After");
    assert!(gap < secs(3), "waited {gap:?}");
}

#[tokio::test(start_paused = true)]
async fn transient_failures_stop_after_max_attempts_and_terminal_ones_at_once() {
    let mut config = CacheConfig::default();
    config.retry.max_attempts = 3;
    let m = manager_with(Arc::new(TokioClock::new()), config);
    let fetches = Arc::new(AtomicUsize::new(0));
    let always_503 = {
        let fetches = fetches.clone();
        move || {
            fetches.fetch_add(1, SeqCst);
            async { Err(status(503, None)) }
        }
    };
    let err = m.get(&"a", always_503).await.unwrap_err();
    assert!(matches!(err, Error::HttpStatus { status: 503, .. }));
    assert_eq!(fetches.load(SeqCst), 3);

    for terminal in [oauth("invalid_grant"), status(400, None)] {
        let fetches = Arc::new(AtomicUsize::new(0));
        let terminal = Arc::new(std::sync::Mutex::new(Some(terminal)));
        let fetch = {
            let fetches = fetches.clone();
            move || {
                fetches.fetch_add(1, SeqCst);
                let e = terminal.lock().unwrap().take();
                async move { Err(e.unwrap_or(Error::Timeout { endpoint: "token" })) }
            }
        };
        assert!(m.get(&"b", fetch).await.is_err());
        assert_eq!(fetches.load(SeqCst), 1, "a terminal error was retried");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_the_budget_ends_the_retries() {
    let mut config = CacheConfig::default();
    config.retry.max_elapsed = secs(10);
    let m = manager_with(Arc::new(TokioClock::new()), config);
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetch = {
        let fetches = fetches.clone();
        move || {
            fetches.fetch_add(1, SeqCst);
            async { Err(status(429, Some(3600))) }
        }
    };
    let started = tokio::time::Instant::now();
    assert!(m.get(&"a", fetch).await.is_err());
    assert_eq!(fetches.load(SeqCst), 1);
    assert!(started.elapsed() < secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_valid_token_in_use() {
    let clock = Arc::new(ManualClock::new());
    let config = CacheConfig {
        retry: RetryPolicy::none(),
        ..CacheConfig::default()
    };
    let m = manager_with(clock.clone(), config);
    let (fetches, fetch) = counted(|n| async move {
        if n == 0 {
            ok("valid", Some(3600))
        } else {
            Err(status(503, None))
        }
    });
    m.get(&"a", fetch.clone()).await.unwrap();
    clock.advance(secs(3600 - 30));
    for _ in 0..3 {
        let t = m.get(&"a", fetch.clone()).await.unwrap();
        assert_eq!(t.access_token().secret(), "valid");
        settle().await;
    }
    assert_eq!(
        fetches.load(SeqCst),
        2,
        "refresh retried without a cooldown"
    );

    clock.advance(secs(6)); // past the 5 s cooldown: one more background attempt
    assert_eq!(
        m.get(&"a", fetch.clone())
            .await
            .unwrap()
            .access_token()
            .secret(),
        "valid"
    );
    settle().await;
    assert_eq!(fetches.load(SeqCst), 3);

    clock.advance(secs(30)); // expired, and the server still fails: now it is an error
    let err = m.get(&"a", fetch).await.unwrap_err();
    assert!(matches!(err, Error::HttpStatus { status: 503, .. }));
}

#[tokio::test]
async fn callers_during_a_refresh_ahead_get_the_old_token_without_waiting() {
    let clock = Arc::new(ManualClock::new());
    let m = manager_with(clock.clone(), CacheConfig::default());
    let release = Arc::new(Semaphore::new(0));
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetch = {
        let (fetches, release) = (fetches.clone(), release.clone());
        move || {
            let n = fetches.fetch_add(1, SeqCst);
            let release = release.clone();
            async move {
                if n == 0 {
                    return ok("old", Some(3600));
                }
                let _permit = release.acquire().await.unwrap();
                ok("new", Some(3600))
            }
        }
    };
    m.get(&"a", fetch.clone()).await.unwrap();
    clock.advance(secs(3600 - 30));
    for _ in 0..50 {
        let t = ready_now(m.get(&"a", fetch.clone())).unwrap();
        assert_eq!(t.access_token().secret(), "old");
        settle().await; // the refresh task runs and blocks on `release`
    }
    assert_eq!(fetches.load(SeqCst), 2, "more than one refresh in flight");
    release.add_permits(1);
    settle().await;
    let t = ready_now(m.get(&"a", fetch)).unwrap();
    assert_eq!(t.access_token().secret(), "new");
    assert_eq!(fetches.load(SeqCst), 2);
}

#[tokio::test]
async fn without_refresh_ahead_callers_in_the_margin_wait_for_one_refresh() {
    let clock = Arc::new(ManualClock::new());
    let config = CacheConfig {
        refresh_ahead: false,
        ..CacheConfig::default()
    };
    let m = manager_with(clock.clone(), config);
    let (_, fetch) = counted(|n| async move { ok(if n == 0 { "old" } else { "new" }, Some(3600)) });
    m.get(&"a", fetch.clone()).await.unwrap();
    clock.advance(secs(3600 - 30));
    let t = m.get(&"a", fetch).await.unwrap();
    assert_eq!(t.access_token().secret(), "new");
}

#[tokio::test]
async fn without_refresh_ahead_a_failed_refresh_in_the_margin_returns_the_valid_token() {
    let clock = Arc::new(ManualClock::new());
    let config = CacheConfig {
        refresh_ahead: false,
        retry: RetryPolicy::none(),
        ..CacheConfig::default()
    };
    let m = manager_with(clock.clone(), config);
    let (fetches, fetch) = counted(|n| async move {
        if n == 0 {
            ok("valid", Some(3600))
        } else {
            Err(status(500, None))
        }
    });
    m.get(&"a", fetch.clone()).await.unwrap();
    clock.advance(secs(3600 - 30));
    let t = m.get(&"a", fetch.clone()).await.unwrap();
    assert_eq!(t.access_token().secret(), "valid");
    assert_eq!(
        fetches.load(SeqCst),
        2,
        "the caller in the margin did not refresh"
    );
    clock.advance(secs(30));
    assert!(m.get(&"a", fetch).await.is_err());
}

#[tokio::test]
async fn invalidate_forces_a_fetch_and_purge_drops_expired_keys() {
    let clock = Arc::new(ManualClock::new());
    let m = manager_with(clock.clone(), CacheConfig::default());
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetch = {
        let fetches = fetches.clone();
        move || {
            fetches.fetch_add(1, SeqCst);
            async { ok("t", Some(60)) }
        }
    };
    m.get(&"a", fetch.clone()).await.unwrap();
    assert!(m.invalidate(&"a"));
    assert!(!m.invalidate(&"a"));
    m.get(&"a", fetch.clone()).await.unwrap();
    assert_eq!(fetches.load(SeqCst), 2);
    m.get(&"b", fetch).await.unwrap();
    assert_eq!(m.purge_expired(), 0);
    clock.advance(secs(61));
    assert_eq!(m.purge_expired(), 2);
    assert!(m.is_empty());
}

#[test]
fn the_hot_path_takes_no_lock_a_fetch_holds() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let m = manager_with(Arc::new(SystemClock), CacheConfig::default());
    rt.block_on(m.get(&"a", || async { ok("t", Some(3600)) }))
        .unwrap();
    let slots = m.slots.load();
    let slot = slots.get(&"a").unwrap();
    let _flight = slot.flight.lock();
    let _writer = m.insert.lock().unwrap();
    // With the slot's flight lock and the map's writer lock held here, another thread still
    // gets the token (it would deadlock otherwise).
    let m2 = m.clone();
    let t = std::thread::spawn(move || {
        m2.get_fresh(&"a")
            .map(|t| t.access_token().secret().clone())
    })
    .join()
    .unwrap();
    assert_eq!(t.as_deref(), Some("t"));
}

#[test]
fn get_outside_a_tokio_runtime_is_a_config_error_not_a_panic() {
    let m = manager_with(Arc::new(SystemClock), CacheConfig::default());
    let result = ready_now(m.get(&"a", || async { ok("t", None) }));
    assert!(matches!(result, Err(Error::Config(_))));
}

#[tokio::test]
async fn refresh_mode_never_presents_a_refresh_token_twice_within_the_share_window() {
    let clock = Arc::new(ManualClock::new());
    let m: Arc<TokenManager<String, (String, String)>> = Arc::new(TokenManager::new(
        CacheConfig::refresh(secs(30)),
        clock.clone(),
    ));
    let (fetches, fetch) = counted(|n| async move {
        Ok(Fetched::new(
            (format!("at-{n}"), format!("rt-{n}")),
            Some(secs(3600)),
        ))
    });
    let key = "rt-old".to_owned();
    let first = m.get(&key, fetch.clone()).await.unwrap();
    // Up to the very end of the window (no margin), late holders of `rt-old` get the result.
    for _ in 0..29 {
        clock.advance(secs(1));
        let late = m.get(&key, fetch.clone()).await.unwrap();
        settle().await;
        assert!(Arc::ptr_eq(&late, &first));
    }
    assert_eq!(
        fetches.load(SeqCst),
        1,
        "the refresh token was presented twice"
    );
    clock.advance(secs(1)); // the window is over: a new refresh (the caller's choice)
    assert_eq!(m.get(&key, fetch).await.unwrap().value().0, "at-1");
    assert_eq!(fetches.load(SeqCst), 2);
}

#[tokio::test]
async fn refresh_mode_shares_one_refresh_and_hands_it_to_holders_of_the_rotated_token() {
    // V = (access token, new refresh token); K = the refresh token that was presented.
    let m: Arc<TokenManager<String, (String, String)>> = Arc::new(TokenManager::new(
        CacheConfig::refresh(secs(30)),
        Arc::new(SystemClock),
    ));
    let fetches = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (m, fetches) = (m.clone(), fetches.clone());
            tokio::spawn(async move {
                let fetch = move || {
                    fetches.fetch_add(1, SeqCst);
                    async {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(Fetched::new(
                            ("at-2".to_owned(), "rt-2".to_owned()),
                            Some(secs(600)),
                        ))
                    }
                };
                m.get(&"rt-1".to_owned(), fetch).await.unwrap()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().value().1, "rt-2");
    }
    assert_eq!(
        fetches.load(SeqCst),
        1,
        "the refresh token was redeemed twice"
    );
}

/// Collects every event's fields as text (a minimal `tracing` subscriber).
#[derive(Default, Clone)]
struct Events(Arc<std::sync::Mutex<Vec<String>>>);

impl tracing::Subscriber for Events {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut text = Text(format!("{} ", event.metadata().level()));
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn tracing_reports_hit_miss_refresh_retry_and_failure_without_token_values() {
    let events = Events::default();
    let _default = tracing::subscriber::set_default(events.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let clock = Arc::new(ManualClock::new());
        let m = manager_with(clock.clone(), CacheConfig::client_credentials());
        let fetches = Arc::new(AtomicUsize::new(0));
        let fetch = {
            let fetches = fetches.clone();
            move || {
                let n = fetches.fetch_add(1, SeqCst);
                async move {
                    match n {
                        0 => ok("SECRET-TOKEN-1", Some(3600)),
                        1 => Err(status(503, Some(1))),
                        _ => Err(oauth("invalid_client")),
                    }
                }
            }
        };
        m.get(&"a", fetch.clone()).await.unwrap(); // miss
        m.get(&"a", fetch.clone()).await.unwrap(); // hit
        clock.advance(secs(3600 - 30));
        m.get(&"a", fetch.clone()).await.unwrap(); // refresh-ahead: 503, retry, invalid_client
        tokio::time::sleep(secs(2)).await;
        settle().await;
    });
    let events = events.0.lock().unwrap();
    let all = events.join("\n");
    for needle in [
        "token cache miss",
        "token cache hit",
        "refreshing in the background",
        "retrying",
        "token refresh failed",
    ] {
        assert!(all.contains(needle), "no `{needle}` event in:\n{all}");
    }
    assert!(all.contains("cache=\"client_credentials\""), "{all}");
    assert!(
        !all.contains("SECRET-TOKEN"),
        "a token leaked into tracing:\n{all}"
    );
}

#[tokio::test]
async fn callers_in_the_margin_take_no_lock_while_the_refresh_is_in_flight() {
    let clock = Arc::new(ManualClock::new());
    let m = manager_with(clock.clone(), CacheConfig::default());
    let (fetches, fetch) = counted(|n| async move {
        if n > 0 {
            std::future::pending::<()>().await;
        }
        ok("old", Some(3600))
    });
    m.get(&"a", fetch.clone()).await.unwrap();
    clock.advance(secs(3600 - 30));
    m.get(&"a", fetch.clone()).await.unwrap(); // starts the (stalled) refresh
    settle().await;
    assert_eq!(fetches.load(SeqCst), 2);
    let slots = m.slots.load();
    let _flight = slots.get(&"a").unwrap().flight.lock();
    let m2 = m.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let token = ready_now(m2.get(&"a", fetch)).unwrap();
        let _ = tx.send(token.access_token().secret().clone());
    });
    let served = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("a caller in the margin blocked on the flight lock");
    assert_eq!(served, "old");
}

#[test]
fn the_manager_and_its_get_future_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let m: TokenManager<Option<&'static str>> =
        TokenManager::new(CacheConfig::default(), Arc::new(SystemClock));
    send_sync(&m);
    let get = m.get(&None, || async { ok("t", None) });
    send(&get);
    let sets: TokenManager<[u8; 32], crate::tokens::TokenSet> =
        TokenManager::new(CacheConfig::refresh(secs(30)), Arc::new(SystemClock));
    send_sync(&sets);
}
