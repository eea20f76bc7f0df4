//! End-to-end benchmarks of a **macro-generated** client-credentials client against the local
//! oidc-provider (`oauthflow-devserver/provider`, on 127.0.0.1). See `README.md` beside this file for the
//! figures; the token manager alone is measured in `oauthflow-runtime/benches/`.
//!
//! 1. `cached`: a warm `Importer::access_token(ImporterAudience::Orders)` (and the shared token of
//!    `TokenSource::bearer_token`) vs a naive `oauth2`
//!    client-credentials request (`BasicClient`, `resource=`) to the same server.
//! 2. `token_requests`: how many token requests 10,000 calls from 100 concurrent tasks make,
//!    counted by the server (printed); and over several real token lifetimes.
//! 3. `contention`: the warm call with 2 threads hammering the same audience vs 1 thread.
//! 4. `shared_store` (issue 12; needs `redis-server`, skipped without): the warm call of a
//!    client with a `RedisTokenStore` vs one without (same run; the warm path never leaves the
//!    process), and the token requests of a fleet of 4 replicas on one Redis over several real
//!    token lifetimes (target: one per audience per lifetime).
//!
//! `cargo bench --bench access_token -- --warm-up-time 1 --measurement-time 3`
//!
//! Besides criterion's reports it prints `paired` lines (the two sides alternate in 21 batches;
//! the median of the per-batch ratios is robust to the neighbours' load on a shared machine)
//! and `token_requests` lines.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret as OAuth2Secret, TokenResponse as _, TokenUrl};
use oauthflow::{
    ClientSecret, RedisTokenStore, Settings, TokenSource as _, TokenStoreKey, oauth_client,
};
use oauthflow_devserver::{DevOptions, DevProvider, DevRedis, clients, resources};
use oauthflow_runtime::bench_internals::{paired, per_call};
use tokio::runtime::Runtime;

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
)]
struct Importer;

fn importer(
    provider: &DevProvider,
    settings: impl FnOnce(Settings<oauthflow::Confidential>) -> Settings<oauthflow::Confidential>,
) -> Importer {
    let secret = ClientSecret::new(clients::MACHINE.secret.unwrap().into());
    Importer::new(settings(
        Settings::confidential(clients::MACHINE.id, secret).issuer(provider.issuer()),
    ))
    .unwrap()
}

/// The minimal executor of the warm path: polls the call once with a no-op waker. A warm call
/// completes on its first poll; anything else would be a cache miss and panics.
fn ready_now<F: Future>(fut: F) -> F::Output {
    match pin!(fut).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a warm access_token waited"),
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A provider whose client-credentials tokens live `ttl`.
fn provider(rt: &Runtime, ttl: Duration) -> DevProvider {
    rt.block_on(DevProvider::start_with(
        DevOptions::new().client_credentials_ttl(ttl),
    ))
    .unwrap()
}

/// Token requests the server answered for (orders, billing) since the last call; resets.
fn take_requests(rt: &Runtime, provider: &DevProvider) -> (u64, u64) {
    let stats = rt.block_on(provider.reset_grant_stats()).unwrap();
    assert_eq!(stats.errors, 0, "{stats:?}");
    (
        stats.for_resource(resources::ORDERS),
        stats.for_resource(resources::BILLING),
    )
}

/// The naive way: `oauth2`'s `BasicClient`, one token request per call, no cache.
struct Naive {
    client: BasicClient<
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >,
    http: reqwest::Client,
}

impl Naive {
    fn new(provider: &DevProvider) -> Self {
        let client = BasicClient::new(ClientId::new(clients::MACHINE.id.into()))
            .set_client_secret(OAuth2Secret::new(clients::MACHINE.secret.unwrap().into()))
            .set_token_uri(TokenUrl::new(provider.token_endpoint().to_string()).unwrap());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Naive { client, http }
    }

    async fn access_token(&self) -> oauth2::AccessToken {
        self.client
            .exchange_client_credentials()
            .add_extra_param("resource", resources::ORDERS)
            .request_async(&|request| send(&self.http, request))
            .await
            .unwrap()
            .access_token()
            .clone()
    }
}

/// `oauth2`'s async HTTP hook on the current reqwest (the crate's own `reqwest` feature pins an
/// older major): the request and response converted, nothing else.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let response = http.execute(request.try_into()?).await?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(answer
        .body(body)
        .expect("a status and headers taken from a valid response"))
}

fn cached(c: &mut Criterion) {
    let rt = runtime();
    let provider = provider(&rt, Duration::from_secs(3600));
    let client = importer(&provider, |s| s);
    let token = rt
        .block_on(client.access_token(ImporterAudience::Orders))
        .unwrap();
    rt.block_on(client.access_token(ImporterAudience::Billing))
        .unwrap();
    println!(
        "cached: the access token is a {}-byte JWT",
        token.secret().len()
    );
    let naive = Naive::new(&provider);
    assert_eq!(
        rt.block_on(naive.access_token()).secret().len(),
        token.secret().len()
    );
    // The warm path spawns nothing, but a runtime context makes a (never expected) refresh
    // possible instead of an error.
    let _context = rt.enter();
    let current_thread = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let mut group = c.benchmark_group("cached");
    group.bench_function("generated_access_token", |b| {
        b.iter(|| {
            black_box(ready_now(
                client.access_token(black_box(ImporterAudience::Orders)),
            ))
        })
    });
    // The `TokenSource` warm path (what the HTTP integrations call): the shared token, no copy.
    group.bench_function("generated_bearer_token", |b| {
        b.iter(|| {
            black_box(ready_now(
                client.bearer_token(black_box(ImporterAudience::Orders)),
            ))
        })
    });
    group.bench_function("generated_access_token_block_on", |b| {
        b.iter(|| {
            black_box(
                current_thread.block_on(client.access_token(black_box(ImporterAudience::Orders))),
            )
        })
    });
    // For scale: the clone of the token string (699 bytes here) every call returns: an allocation.
    group.bench_function("component_access_token_clone", |b| {
        b.iter(|| black_box(black_box(&token).clone()))
    });
    group.bench_function("naive_oauth2_client_credentials", |b| {
        b.iter(|| black_box(rt.block_on(naive.access_token())))
    });
    group.finish();

    let warm = || {
        per_call(200_000, || {
            black_box(ready_now(client.access_token(black_box(ImporterAudience::Orders))).unwrap());
        })
    };
    paired(
        "naive_oauth2_client_credentials / generated_access_token",
        || {
            per_call(20, || {
                black_box(rt.block_on(naive.access_token()));
            })
        },
        warm,
    );
    paired(
        "generated_access_token / generated_bearer_token",
        warm,
        || {
            per_call(200_000, || {
                black_box(
                    ready_now(client.bearer_token(black_box(ImporterAudience::Orders))).unwrap(),
                );
            })
        },
    );
    paired(
        "generated_access_token_block_on / generated_access_token",
        || {
            per_call(200_000, || {
                black_box(
                    current_thread
                        .block_on(client.access_token(black_box(ImporterAudience::Orders)))
                        .unwrap(),
                );
            })
        },
        warm,
    );
    take_requests(&rt, &provider);
    black_box(ready_now(client.access_token(ImporterAudience::Orders)).unwrap());
    black_box(ready_now(client.access_token(ImporterAudience::Billing)).unwrap());
    assert_eq!(
        take_requests(&rt, &provider),
        (0, 0),
        "warm calls reach the server"
    );
}

/// `tasks` concurrent tasks each make `calls` calls, alternating the two audiences, through
/// clones of `client`, sleeping `pause` between calls. Returns the elapsed time.
fn calls_from_tasks(
    rt: &Runtime,
    client: &Importer,
    tasks: usize,
    calls: usize,
    pause: Duration,
) -> Duration {
    let started = Instant::now();
    rt.block_on(async {
        let start = Arc::new(tokio::sync::Barrier::new(tasks));
        let handles: Vec<_> = (0..tasks)
            .map(|t| {
                let (client, start) = (client.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    for i in 0..calls {
                        let audience = ImporterAudience::ALL[(t + i) % 2];
                        black_box(client.access_token(audience).await.unwrap());
                        if pause.is_zero() {
                            tokio::task::yield_now().await;
                        } else {
                            tokio::time::sleep(pause).await;
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    started.elapsed()
}

fn token_requests(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let provider = provider(&rt, Duration::from_secs(3600));
    take_requests(&rt, &provider);
    let elapsed = calls_from_tasks(&rt, &importer(&provider, |s| s), 100, 100, Duration::ZERO);
    let (orders, billing) = take_requests(&rt, &provider);
    println!(
        "token_requests: 10,000 calls from 100 concurrent tasks, cold client, 1 h tokens: \
         {orders} (orders) + {billing} (billing) token requests at the server, in {elapsed:.1?}"
    );
    let mut runs = 0u64;
    c.bench_function("token_requests/10k_calls_100_tasks_cold", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    runs += 1;
                    // A new client each time: discovery and both token requests included.
                    calls_from_tasks(&rt, &importer(&provider, |s| s), 100, 100, Duration::ZERO)
                })
                .sum()
        })
    });
    let (orders, billing) = take_requests(&rt, &provider);
    println!(
        "token_requests: criterion's {runs} cold runs: {orders} (orders) + {billing} (billing) \
         token requests = {:.2} per audience per run",
        (orders + billing) as f64 / 2.0 / runs as f64
    );

    // Real lifetimes: 6 s tokens, 1 s margin (refreshed 5 s after issue), 10,000 calls from
    // 100 tasks over ≈ 12 s (120 ms apart). Refresh-ahead's ideal is one request per
    // audience per (lifetime − margin): the cold one at 0 s, then about 5 s and 10 s.
    let short =
        DevProvider::start_with(DevOptions::new().client_credentials_ttl(Duration::from_secs(6)));
    let short = rt.block_on(short).unwrap();
    let client = importer(&short, |s| s.refresh_margin(Duration::from_secs(1)));
    let elapsed = calls_from_tasks(&rt, &client, 100, 100, Duration::from_millis(120));
    let (orders, billing) = take_requests(&rt, &short);
    let ideal = 1 + (elapsed.as_secs_f64() / 5.0).floor() as u64;
    println!(
        "token_requests: 10,000 calls from 100 tasks over {elapsed:.1?} ({:.1} lifetimes of 6 s \
         tokens, 1 s margin): {orders} (orders) + {billing} (billing) token requests; ideal \
         {ideal} per audience (the cold one + one per 5 s) — ratio {:.2}",
        elapsed.as_secs_f64() / 6.0,
        (orders + billing) as f64 / 2.0 / ideal as f64,
    );
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
    let rt = runtime();
    let provider = provider(&rt, Duration::from_secs(3600));
    let client = importer(&provider, |s| s);
    rt.block_on(client.access_token(ImporterAudience::Orders))
        .unwrap();
    take_requests(&rt, &provider);
    // Each thread its own clone (clones share the cache), as tasks in an app would.
    let call = |client: &Importer| -> Arc<dyn Fn() + Send + Sync> {
        let client = client.clone();
        Arc::new(move || {
            black_box(ready_now(client.access_token(black_box(ImporterAudience::Orders))).unwrap());
        })
    };
    let mut group = c.benchmark_group("contention");
    for threads in [1, 2] {
        let call = call(&client);
        group.bench_function(format!("generated_access_token_{threads}_threads"), |b| {
            b.iter_custom(|iters| hammer(threads, iters, call.clone()))
        });
    }
    group.finish();
    let (one, two) = (call(&client), call(&client));
    paired(
        "generated_access_token: 2 threads / 1 thread (per call, per thread)",
        || hammer(2, 100_000, two.clone()).as_nanos() as f64 / 1e5,
        || hammer(1, 100_000, one.clone()).as_nanos() as f64 / 1e5,
    );
    // The `TokenSource` warm path: each thread hands out its own copy of the token, so two
    // threads share no written memory (compare with the control below, not with 1.0).
    let bearer = |client: &Importer| -> Arc<dyn Fn() + Send + Sync> {
        let client = client.clone();
        Arc::new(move || {
            black_box(ready_now(client.bearer_token(black_box(ImporterAudience::Orders))).unwrap());
        })
    };
    let (one, two) = (bearer(&client), bearer(&client));
    paired(
        "generated_bearer_token: 2 threads / 1 thread (per call, per thread)",
        || hammer(2, 100_000, two.clone()).as_nanos() as f64 / 1e5,
        || hammer(1, 100_000, one.clone()).as_nanos() as f64 / 1e5,
    );
    // The machine's own 2-vs-1 scaling, from work of a similar size that shares nothing
    // between the threads: read the clock and clone a thread-local copy of a 699-byte token.
    thread_local! {
        static OWN: oauthflow::AccessToken = oauthflow::AccessToken::new("t".repeat(699));
    }
    let control: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {
        black_box(Instant::now());
        OWN.with(|token| black_box(token.clone()));
    });
    paired(
        "control (shares nothing): 2 threads / 1 thread (per call, per thread)",
        || hammer(2, 100_000, control.clone()).as_nanos() as f64 / 1e5,
        || hammer(1, 100_000, control.clone()).as_nanos() as f64 / 1e5,
    );
    assert_eq!(
        take_requests(&rt, &provider),
        (0, 0),
        "warm calls reach the server"
    );
}

/// Issue 12: the warm path with a shared Redis store vs the in-process cache alone, and the
/// fleet-level token requests per audience per token lifetime.
fn shared_store(c: &mut Criterion) {
    if !DevRedis::available() {
        println!("shared_store: skipped, redis-server is not available");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let redis = rt.block_on(DevRedis::start()).unwrap();
    let key = TokenStoreKey::generate();
    let store = || RedisTokenStore::new(&redis.url(), key.clone()).unwrap();

    let provider = provider(&rt, Duration::from_secs(3600));
    let local = importer(&provider, |s| s);
    let shared = importer(&provider, |s| s.token_store(store()));
    for client in [&local, &shared] {
        rt.block_on(client.access_token(ImporterAudience::Orders))
            .unwrap();
    }
    let _context = rt.enter();
    let mut group = c.benchmark_group("shared_store");
    group.bench_function("warm_access_token_in_memory", |b| {
        b.iter(|| {
            black_box(ready_now(
                local.access_token(black_box(ImporterAudience::Orders)),
            ))
        })
    });
    group.bench_function("warm_access_token_redis_store", |b| {
        b.iter(|| {
            black_box(ready_now(
                shared.access_token(black_box(ImporterAudience::Orders)),
            ))
        })
    });
    group.finish();
    let warm = |client: &Importer| {
        per_call(200_000, || {
            black_box(ready_now(client.access_token(black_box(ImporterAudience::Orders))).unwrap());
        })
    };
    paired(
        "warm access_token: redis store / in-memory",
        || warm(&shared),
        || warm(&local),
    );

    // The fleet: 4 replicas (own caches, own connections) on one Redis; 6 s tokens, 1 s
    // margin; 10,000 calls from 100 tasks spread over the replicas over ≈ 12 s. The ideal is
    // the single client's: one request per audience per (lifetime − margin) for the fleet.
    let short =
        DevProvider::start_with(DevOptions::new().client_credentials_ttl(Duration::from_secs(6)));
    let short = rt.block_on(short).unwrap();
    let replicas: Vec<_> = (0..4)
        .map(|_| {
            importer(&short, |s| {
                s.refresh_margin(Duration::from_secs(1))
                    .token_store(store())
            })
        })
        .collect();
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..100)
            .map(|t| {
                let client = replicas[t % replicas.len()].clone();
                tokio::spawn(async move {
                    for i in 0..100 {
                        let audience = ImporterAudience::ALL[(t + i) % 2];
                        black_box(client.access_token(audience).await.unwrap());
                        tokio::time::sleep(Duration::from_millis(120)).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let elapsed = started.elapsed();
    let (orders, billing) = take_requests(&rt, &short);
    let ideal = 1 + (elapsed.as_secs_f64() / 5.0).floor() as u64;
    println!(
        "shared_store: a fleet of 4 replicas on one Redis, 10,000 calls from 100 tasks over \
         {elapsed:.1?} (6 s tokens, 1 s margin): {orders} (orders) + {billing} (billing) token \
         requests; ideal {ideal} per audience — ratio {:.2} (without the store: about 4)",
        (orders + billing) as f64 / 2.0 / ideal as f64,
    );
}

criterion_group!(benches, cached, token_requests, contention, shared_store);
criterion_main!(benches);
