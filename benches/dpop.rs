//! What DPoP (RFC 9449, `sender_constraint = "dpop"`) costs, as ratios to the bearer path in the
//! same run, against the local oidc-provider (`oauthflow-devserver/provider`, on 127.0.0.1):
//!
//! 1. per API call: the warm `TokenSource::bearer_token` and the headers of one request —
//!    `Authorization: Bearer` alone, vs `Authorization: DPoP` and a fresh proof (an ES256
//!    signature, `ath` = SHA-256 of the token);
//! 2. per token request: one client-credentials request to the server, without and with a
//!    proof (the client signs it, the server verifies it and binds the token).
//!
//! `cargo bench --bench dpop -- --warm-up-time 1 --measurement-time 3`
//!
//! Besides criterion's reports it prints `paired` lines: the two sides alternate in 21 batches,
//! and the median of the per-batch ratios is robust to the neighbours' load.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, header};
use oauthflow::{ClientSecret, Settings, TokenSource, Url, oauth_client};
use oauthflow_devserver::{DevProvider, clients};
use oauthflow_runtime::bench_internals::{paired, per_call};
use tokio::runtime::Runtime;

/// Bearer tokens.
#[oauth_client(kind = "machine", audiences = ["https://api.example.com/orders"])]
struct Plain;

/// The same client with DPoP-bound tokens.
#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders"],
    sender_constraint = "dpop",
)]
struct Bound;

fn settings(provider: &DevProvider) -> Settings<oauthflow::Confidential> {
    let secret = ClientSecret::new(clients::MACHINE.secret.unwrap().into());
    Settings::confidential(clients::MACHINE.id, secret).issuer(provider.issuer())
}

/// Polls a warm call once: it completes at once, or the bench is wrong.
fn ready_now<F: Future>(fut: F) -> F::Output {
    match pin!(fut).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a warm bearer_token waited"),
    }
}

/// The headers of one API request with a `source`'s token, as the integrations make them.
fn api_call_headers<T: TokenSource>(source: &T, audience: T::Audience, url: &Url) -> HeaderMap {
    let token = ready_now(source.bearer_token(audience)).unwrap();
    let mut headers = HeaderMap::new();
    if let Some(dpop) = source.dpop() {
        headers.insert(
            "dpop",
            dpop.proof("GET", url, Some(token.secret())).unwrap(),
        );
    }
    headers.insert(header::AUTHORIZATION, token.authorization().clone());
    headers
}

fn api_calls(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let provider = rt.block_on(DevProvider::start()).unwrap();
    let plain = Plain::new(settings(&provider)).unwrap();
    let bound = Bound::new(settings(&provider)).unwrap();
    rt.block_on(plain.bearer_token(PlainAudience::Orders))
        .unwrap();
    rt.block_on(bound.bearer_token(BoundAudience::Orders))
        .unwrap();
    let url = Url::parse("https://api.example.com/orders?page=2").unwrap();
    let mut group = c.benchmark_group("dpop");
    group.bench_function("api_call_headers_bearer", |b| {
        b.iter(|| black_box(api_call_headers(&plain, PlainAudience::Orders, &url)));
    });
    group.bench_function("api_call_headers_dpop", |b| {
        b.iter(|| black_box(api_call_headers(&bound, BoundAudience::Orders, &url)));
    });
    group.finish();
    paired(
        "api call headers: dpop / bearer",
        || {
            per_call(2_000, || {
                drop(black_box(api_call_headers(
                    &bound,
                    BoundAudience::Orders,
                    &url,
                )))
            })
        },
        || {
            per_call(2_000, || {
                drop(black_box(api_call_headers(
                    &plain,
                    PlainAudience::Orders,
                    &url,
                )))
            })
        },
    );
}

fn token_requests(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let provider = rt.block_on(DevProvider::start()).unwrap();
    let plain = Plain::new(settings(&provider)).unwrap();
    let bound = Bound::new(settings(&provider)).unwrap();
    // One token request each: forget the cached token, then ask.
    let plain_request = || {
        let token = rt
            .block_on(plain.bearer_token(PlainAudience::Orders))
            .unwrap();
        plain.discard_token(PlainAudience::Orders, &token);
    };
    let bound_request = || {
        let token = rt
            .block_on(bound.bearer_token(BoundAudience::Orders))
            .unwrap();
        assert!(token.is_dpop());
        bound.discard_token(BoundAudience::Orders, &token);
    };
    let mut group = c.benchmark_group("dpop");
    group.bench_function("token_request_bearer", |b| b.iter(plain_request));
    group.bench_function("token_request_dpop", |b| b.iter(bound_request));
    group.finish();
    paired(
        "token request: dpop / bearer",
        || per_call(20, bound_request),
        || per_call(20, plain_request),
    );
}

criterion_group!(benches, api_calls, token_requests);
criterion_main!(benches);
