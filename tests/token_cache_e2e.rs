//! Issue 4, end to end: the token cache of a **macro-generated** client-credentials client
//! against the real oidc-provider (`oauthflow-devserver/provider`, started on 127.0.0.1 by
//! `oauthflow_devserver::DevProvider`). Token requests are counted by the server
//! (`GET /__test/grants`, per resource), never by the client.
//!
//! No assertion here depends on timing. "Served without waiting" is checked structurally: the
//! call's future is polled exactly once, with a no-op waker, and must be ready then — it cannot
//! have waited for a network round trip.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use base64::Engine as _;
use oauthflow::{AccessToken, ClientSecret, Settings, oauth_client};
use oauthflow_devserver::{DevOptions, DevProvider, GrantStats, clients, resources};

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
)]
struct Importer;

fn importer(provider: &DevProvider) -> Importer {
    let secret = ClientSecret::new(clients::MACHINE.secret.unwrap().into());
    Importer::new(Settings::confidential(clients::MACHINE.id, secret).issuer(provider.issuer()))
        .unwrap()
}

/// The `aud` claim of a JWT access token (the test decodes it; the client never does).
fn aud(token: &AccessToken) -> String {
    let payload = token
        .secret()
        .split('.')
        .nth(1)
        .expect("a JWT access token");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    claims["aud"].as_str().expect("a single `aud`").to_owned()
}

/// Polls `fut` once with a waker that does nothing: `Some` only if it completed without waiting.
fn first_poll<F: Future>(fut: F) -> Option<F::Output> {
    match pin!(fut).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

/// Token requests the server has answered, per audience, and that nothing else happened.
fn per_audience(stats: &GrantStats) -> (u64, u64) {
    assert_eq!(stats.errors, 0, "failed token requests: {stats:?}");
    assert_eq!(
        stats.total,
        stats.for_resource(resources::ORDERS) + stats.for_resource(resources::BILLING),
        "only audience-bound token requests: {stats:?}"
    );
    (
        stats.for_resource(resources::ORDERS),
        stats.for_resource(resources::BILLING),
    )
}

const CALLERS: usize = 1_000;

fn audience_of(i: usize) -> ImporterAudience {
    ImporterAudience::ALL[i % ImporterAudience::ALL.len()]
}

/// 1,000 concurrent cold callers (500 per audience), each on its own task with its own clone
/// of the client, released together: exactly one token request per audience reaches the
/// server, and every caller gets a JWT whose `aud` is the audience it asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_cold_callers_two_audiences_two_token_requests() {
    let provider =
        DevProvider::start_with(DevOptions::new().client_credentials_ttl(Duration::from_secs(60)))
            .await
            .unwrap();
    let client = importer(&provider);
    let start = Arc::new(tokio::sync::Barrier::new(CALLERS));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|i| {
            let (client, start) = (client.clone(), start.clone());
            let audience = audience_of(i);
            tokio::spawn(async move {
                start.wait().await;
                (audience, client.access_token(audience).await)
            })
        })
        .collect();
    let mut seen: Vec<(ImporterAudience, String)> = Vec::new();
    for task in tasks {
        let (audience, token) = task.await.unwrap();
        let token = token.unwrap();
        assert_eq!(aud(&token), audience.as_str());
        match seen.iter().find(|(a, _)| *a == audience) {
            Some((_, first)) => assert_eq!(token.secret(), first, "one token per audience"),
            None => seen.push((audience, token.secret().clone())),
        }
    }
    assert_eq!(seen.len(), 2);
    assert_eq!(
        per_audience(&provider.grant_stats().await.unwrap()),
        (1, 1),
        "exactly one token request per audience"
    );
}

/// Refresh-ahead through the generated client: 8 s tokens, so the refresh margin is 4 s (the
/// 60 s default, capped at half the lifetime). Once the tokens are inside the margin, 1,000
/// concurrent calls are all served on their first poll (none waits for the network) while
/// exactly one more token request per audience reaches the server; then the new tokens are
/// served, with the right `aud`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_serves_without_waiting_one_request_per_audience() {
    const TTL: Duration = Duration::from_secs(8);
    let provider = DevProvider::start_with(DevOptions::new().client_credentials_ttl(TTL))
        .await
        .unwrap();
    let client = importer(&provider);
    let (orders, billing) = tokio::join!(
        client.access_token(ImporterAudience::Orders),
        client.access_token(ImporterAudience::Billing),
    );
    // The client stamped both tokens before this instant, so both are inside their margin
    // (lifetime − 4 s) after `received + 4.5 s`, and still valid until at least 8 s after the
    // requests began.
    let received = Instant::now();
    let old = [orders.unwrap(), billing.unwrap()];
    assert_eq!(aud(&old[0]), resources::ORDERS);
    assert_eq!(aud(&old[1]), resources::BILLING);
    assert_eq!(per_audience(&provider.grant_stats().await.unwrap()), (1, 1));

    tokio::time::sleep_until((received + TTL / 2 + Duration::from_millis(500)).into()).await;

    let tasks: Vec<_> = (0..CALLERS)
        .map(|i| {
            let client = client.clone();
            let audience = audience_of(i);
            tokio::spawn(async move { (audience, first_poll(client.access_token(audience))) })
        })
        .collect();
    let mut served_old = 0;
    for task in tasks {
        let (audience, served) = task.await.unwrap();
        let token = served
            .expect("served on the first poll, without waiting for the refresh")
            .unwrap();
        assert_eq!(aud(&token), audience.as_str());
        if old.iter().any(|t| t.secret() == token.secret()) {
            served_old += 1;
        }
    }
    assert!(
        served_old > 0,
        "the callers that started the refresh got the cached token"
    );

    // The refreshes run in the background: wait (bounded) until both new tokens are served.
    let mut renewed = Vec::new();
    for audience in ImporterAudience::ALL {
        let old = &old[usize::from(*audience == ImporterAudience::Billing)];
        let mut token = None;
        for _ in 0..500 {
            let t = client.access_token(*audience).await.unwrap();
            if t.secret() != old.secret() {
                token = Some(t);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let token = token.expect("the background refresh landed");
        assert_eq!(aud(&token), audience.as_str());
        renewed.push(token);
    }
    assert_eq!(
        per_audience(&provider.grant_stats().await.unwrap()),
        (2, 2),
        "exactly one more token request per audience"
    );
    // And the new tokens are the cached ones now.
    for (audience, token) in ImporterAudience::ALL.iter().zip(&renewed) {
        let again = first_poll(client.access_token(*audience)).expect("a warm hit");
        assert_eq!(again.unwrap().secret(), token.secret());
    }
}
