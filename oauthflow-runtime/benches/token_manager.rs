//! Token manager benchmarks (see `README.md` beside this file for the figures).
//!
//! 1. `cached_get`: a warm key through the manager vs a `tokio::sync::Mutex<HashMap>` cache
//!    and vs one real client-credentials HTTP request to a local peer.
//! 2. `fetch_count`: how many fetches 10,000 calls from 100 concurrent tasks cause (printed).
//! 3. `contention`: the hot path with 2 threads hammering one key vs 1 thread (per call).
//!
//! `cargo bench -p oauthflow-runtime --features bench-internals --bench token_manager -- --warm-up-time 1 --measurement-time 3`
//!
//! The manager is crate-internal: the `bench-internals` feature exposes it as
//! `oauthflow_runtime::bench_internals` (the bench requires that feature).

use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use oauthflow_devserver::fault::{FaultPeer, Reply};
use oauthflow_runtime::AccessToken;
use oauthflow_runtime::bench_internals::{
    CacheConfig, Clock, Fetched, ManualClock, SystemClock, TokenManager, paired, per_call,
};

type Key = (Option<&'static str>, &'static str);
const KEY: Key = (Some("https://api.example.com"), "read write");

fn fetched() -> Fetched {
    Fetched::new(
        AccessToken::new("bench-token".into()),
        Some(Duration::from_secs(3600)),
    )
}

/// Polls a future that must complete without waiting (a warm cache hit).
fn ready_now<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a warm get waited"),
    }
}

fn warm_manager(rt: &tokio::runtime::Runtime) -> Arc<TokenManager<Key>> {
    let m = Arc::new(TokenManager::new(
        CacheConfig::default(),
        Arc::new(SystemClock),
    ));
    rt.block_on(m.get(&KEY, || async { Ok(fetched()) }))
        .unwrap();
    m
}

/// The obvious cache a manager replaces: one async mutex around a map.
struct MutexCache {
    map: tokio::sync::Mutex<HashMap<Key, Arc<(AccessToken, Instant)>>>,
}

impl MutexCache {
    fn warm() -> Self {
        let mut map = HashMap::new();
        map.insert(
            KEY,
            Arc::new((
                AccessToken::new("bench-token".into()),
                Instant::now() + Duration::from_secs(3600),
            )),
        );
        MutexCache {
            map: tokio::sync::Mutex::new(map),
        }
    }

    async fn get(&self, key: &Key) -> Option<Arc<(AccessToken, Instant)>> {
        let map = self.map.lock().await;
        map.get(key)
            .filter(|entry| Instant::now() + Duration::from_secs(60) < entry.1)
            .cloned()
    }
}

async fn http_client_credentials(http: &reqwest::Client, url: &str) -> AccessToken {
    let body: serde_json::Value = http
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&audience=api")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    AccessToken::new(body["access_token"].as_str().unwrap().to_owned())
}

fn cached_get(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let m = warm_manager(&rt);
    let baseline = MutexCache::warm();
    let mut group = c.benchmark_group("cached_get");
    group.bench_function("manager_get_fresh", |b| {
        b.iter(|| black_box(m.get_fresh(black_box(&KEY)).unwrap()))
    });
    group.bench_function("manager_get", |b| {
        b.iter(|| black_box(ready_now(m.get(black_box(&KEY), || async { Ok(fetched()) })).unwrap()))
    });
    // A token in its refresh margin while its refresh is in flight (the fetch never ends):
    // served without waiting. A cache that holds its lock during the fetch would make this
    // caller wait for the whole token request (see `baseline_http_client_credentials`).
    let margin_clock = Arc::new(ManualClock::new());
    let in_margin: Arc<TokenManager<Key>> = Arc::new(TokenManager::new(
        CacheConfig::default(),
        margin_clock.clone(),
    ));
    rt.block_on(async {
        in_margin
            .get(&KEY, || async { Ok(fetched()) })
            .await
            .unwrap();
        margin_clock.advance(Duration::from_secs(3600 - 30));
        in_margin
            .get(&KEY, || async {
                std::future::pending::<()>().await;
                Ok(fetched())
            })
            .await
            .unwrap();
    });
    group.bench_function("manager_get_in_margin_refresh_in_flight", |b| {
        b.iter(|| {
            black_box(
                ready_now(in_margin.get(black_box(&KEY), || async { Ok(fetched()) })).unwrap(),
            )
        })
    });
    // For scale: what reading the clock alone costs (the hot path reads it once).
    group.bench_function("component_instant_now", |b| {
        b.iter(|| black_box(Instant::now()))
    });
    group.bench_function("baseline_tokio_mutex_hashmap", |b| {
        b.iter(|| black_box(ready_now(baseline.get(black_box(&KEY))).unwrap()))
    });
    paired(
        "manager_get / baseline_tokio_mutex_hashmap",
        || {
            per_call(200_000, || {
                black_box(ready_now(m.get(black_box(&KEY), || async { Ok(fetched()) })).unwrap());
            })
        },
        || {
            per_call(200_000, || {
                black_box(ready_now(baseline.get(black_box(&KEY))).unwrap());
            })
        },
    );
    let peer = rt.block_on(FaultPeer::start()).unwrap();
    peer.on(
        "/token",
        Reply::json(
            200,
            serde_json::json!({"access_token": "bench-token", "token_type": "Bearer", "expires_in": 3600}),
        ),
    );
    let http = reqwest::Client::new();
    let url = peer.url("/token");
    group.bench_function("baseline_http_client_credentials", |b| {
        b.iter(|| black_box(rt.block_on(http_client_credentials(&http, &url))))
    });
    group.finish();
}

/// 10,000 calls from 100 tasks; returns (elapsed, fetches).
fn ten_thousand_calls(
    rt: &tokio::runtime::Runtime,
    clock: Arc<dyn Clock>,
    tick: Option<Arc<ManualClock>>,
    expires_in: u64,
) -> (Duration, usize) {
    let m = Arc::new(TokenManager::<Key>::new(CacheConfig::default(), clock));
    let fetches = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (m, fetches, tick) = (m.clone(), fetches.clone(), tick.clone());
                tokio::spawn(async move {
                    for _ in 0..100 {
                        if let Some(clock) = &tick {
                            // 10,000 calls × 360 ms = one simulated hour.
                            clock.advance(Duration::from_millis(360));
                        }
                        let fetches = fetches.clone();
                        let fetch = move || {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            async move {
                                tokio::time::sleep(Duration::from_millis(1)).await;
                                Ok(Fetched::new(
                                    AccessToken::new("t".into()),
                                    Some(Duration::from_secs(expires_in)),
                                ))
                            }
                        };
                        black_box(m.get(&KEY, fetch).await.unwrap());
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    (started.elapsed(), fetches.load(Ordering::SeqCst))
}

fn fetch_count(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (_, cold) = ten_thousand_calls(&rt, Arc::new(SystemClock), None, 3600);
    println!("fetch_count: 10,000 calls from 100 tasks, cold, 1 h token: {cold} fetch(es)");
    let clock = Arc::new(ManualClock::new());
    let (_, hour) = ten_thousand_calls(&rt, clock.clone(), Some(clock), 300);
    println!(
        "fetch_count: 10,000 calls from 100 tasks over a simulated hour, 5 min tokens (60 s margin): \
         {hour} fetches = {:.2} per lifetime (ideal 300/240 = 1.25)",
        hour as f64 / 12.0
    );
    c.bench_function("fetch_count/10k_calls_100_tasks", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| ten_thousand_calls(&rt, Arc::new(SystemClock), None, 3600).0)
                .sum()
        })
    });
}

/// Per-call time of `threads` threads each calling `call` `iters` times at once.
fn hammer(threads: usize, iters: u64, call: Arc<dyn Fn() + Send + Sync>) -> Duration {
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (start, call) = (start.clone(), call.clone());
            std::thread::spawn(move || {
                start.wait();
                let t = Instant::now();
                for _ in 0..iters {
                    call();
                }
                t.elapsed()
            })
        })
        .collect();
    let total: Duration = handles.into_iter().map(|h| h.join().unwrap()).sum();
    total / threads as u32
}

fn contention(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let m = warm_manager(&rt);
    let baseline = Arc::new(std::sync::Mutex::new(HashMap::from([(
        KEY,
        Arc::new((
            AccessToken::new("bench-token".into()),
            Instant::now() + Duration::from_secs(3600),
        )),
    )])));
    let mut group = c.benchmark_group("contention");
    for threads in [1, 2] {
        let manager_call: Arc<dyn Fn() + Send + Sync> = {
            let m = m.clone();
            Arc::new(move || {
                black_box(m.get_fresh(black_box(&KEY)).unwrap());
            })
        };
        group.bench_function(format!("manager_get_fresh_{threads}_threads"), |b| {
            b.iter_custom(|iters| hammer(threads, iters, manager_call.clone()))
        });
        let baseline_call: Arc<dyn Fn() + Send + Sync> = {
            let baseline = baseline.clone();
            Arc::new(move || {
                let map = baseline.lock().unwrap();
                let entry = map.get(black_box(&KEY)).unwrap();
                assert!(Instant::now() + Duration::from_secs(60) < entry.1);
                black_box(entry.clone());
            })
        };
        group.bench_function(
            format!("baseline_std_mutex_hashmap_{threads}_threads"),
            |b| b.iter_custom(|iters| hammer(threads, iters, baseline_call.clone())),
        );
    }
    group.finish();
    let manager_call: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        black_box(m.get_fresh(black_box(&KEY)).unwrap());
    });
    let baseline_call: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        let map = baseline.lock().unwrap();
        let entry = map.get(black_box(&KEY)).unwrap();
        assert!(Instant::now() + Duration::from_secs(60) < entry.1);
        black_box(entry.clone());
    });
    paired(
        "2 threads: manager_get_fresh / baseline_std_mutex_hashmap",
        || hammer(2, 100_000, manager_call.clone()).as_nanos() as f64 / 1e5,
        || hammer(2, 100_000, baseline_call.clone()).as_nanos() as f64 / 1e5,
    );
    paired(
        "manager_get_fresh: 2 threads / 1 thread",
        || hammer(2, 100_000, manager_call.clone()).as_nanos() as f64 / 1e5,
        || hammer(1, 100_000, manager_call.clone()).as_nanos() as f64 / 1e5,
    );
}

criterion_group!(benches, cached_get, fetch_count, contention);
criterion_main!(benches);
