//! Expiry and margins, refresh-ahead, invalidation and purging, the lock-free hot path, and
//! refresh mode.

use super::*;

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
    assert!(
        !m.invalidate(&"a", |t| t.secret() == "another"),
        "a newer token is kept"
    );
    assert!(m.invalidate(&"a", |t| t.secret() == "t"));
    assert!(!m.invalidate(&"a", |_| true), "nothing left to drop");
    assert!(!m.invalidate(&"unknown", |_| true));
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
