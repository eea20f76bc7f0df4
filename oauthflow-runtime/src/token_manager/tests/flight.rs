//! One fetch per key in flight: sharing, failures, panics, stalls, retries, and what the
//! manager reports through `tracing`.

use super::*;

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
