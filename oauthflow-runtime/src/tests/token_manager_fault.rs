//! The token manager over real HTTP against the fault-injecting peer: the fetch closure POSTs
//! a client-credentials request with reqwest, the way the runtime's client does.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::clock::SystemClock;
use crate::token_manager::{CacheConfig, CachedToken, Fetched, TokenManager};
use crate::{AccessToken, Error, OAuthErrorCode};
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::json;

/// A minimal client-credentials request: status → `Error` the way the runtime maps it.
async fn post_token(http: reqwest::Client, url: String) -> Result<Fetched, Error> {
    let transport = |e: reqwest::Error| Error::Transport {
        endpoint: "token",
        reason: e.to_string(),
        request_sent: !e.is_connect(),
    };
    let response = http
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&audience=api")
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if let Some(code) = body.get("error").and_then(|c| c.as_str()) {
        return Err(Error::OAuth {
            endpoint: "token",
            code: OAuthErrorCode::new(code),
            description: None,
        });
    }
    if status != 200 {
        return Err(Error::HttpStatus {
            endpoint: "token",
            status,
            retry_after,
        });
    }
    let token = body["access_token"]
        .as_str()
        .ok_or(Error::InvalidResponse {
            endpoint: "token",
            reason: "no access_token".into(),
        })?;
    Ok(Fetched::new(
        AccessToken::new(token.to_owned()),
        body["expires_in"].as_u64().map(Duration::from_secs),
    ))
}

fn fetcher(
    peer: &FaultPeer,
    sent: Arc<Mutex<Vec<Instant>>>,
) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<Fetched, Error>> + Send>>
+ Send
+ Sync
+ 'static {
    let http = reqwest::Client::new();
    let url = peer.url("/token");
    move || {
        sent.lock().unwrap().push(Instant::now());
        Box::pin(post_token(http.clone(), url.clone()))
    }
}

fn manager(config: CacheConfig) -> Arc<TokenManager<&'static str>> {
    Arc::new(TokenManager::new(config, Arc::new(SystemClock)))
}

/// `callers` concurrent `get`s of `"api"` from `m`, each fetching from `peer`; their results.
async fn concurrent_gets(
    m: &Arc<TokenManager<&'static str>>,
    peer: &FaultPeer,
    sent: Arc<Mutex<Vec<Instant>>>,
    callers: usize,
) -> Vec<Result<CachedToken<AccessToken>, Error>> {
    let fetch = Arc::new(fetcher(peer, sent));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (m, fetch) = (m.clone(), fetch.clone());
            tokio::spawn(async move { m.get(&"api", move || fetch()).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn ok_json() -> Reply {
    Reply::json(
        200,
        json!({"access_token": "from-peer", "token_type": "Bearer", "expires_in": 3600}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_with_retry_after_is_retried_after_the_header_over_real_http() {
    let peer = FaultPeer::start().await.unwrap();
    peer.script(
        "/token",
        vec![
            Reply::json(503, json!({"message": "maintenance"})).header("Retry-After", "1"),
            ok_json(),
        ],
    );
    let sent = Arc::new(Mutex::new(Vec::new()));
    let m = manager(CacheConfig::default());
    let t = m.get(&"api", fetcher(&peer, sent.clone())).await.unwrap();
    assert_eq!(t.access_token().secret(), "from-peer");

    let requests = peer.requests_to("/token");
    assert_eq!(requests.len(), 2, "expected exactly one retry");
    assert_eq!(
        requests[1].param("grant_type").as_deref(),
        Some("client_credentials")
    );
    let sent = sent.lock().unwrap();
    let gap = sent[1] - sent[0];
    // The default backoff before the first retry is at most 200 ms: only the header explains ≥ 1 s.
    assert!(
        gap >= Duration::from_secs(1),
        "retried after {gap:?}, before Retry-After"
    );
    // The cached token is served without another request.
    assert!(m.get_fresh(&"api").is_some());
    assert_eq!(peer.requests_to("/token").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_callers_cause_one_http_request() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on("/token", ok_json().delay(Duration::from_millis(200)));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let m = manager(CacheConfig::default());
    for result in concurrent_gets(&m, &peer, sent, 200).await {
        assert_eq!(result.unwrap().access_token().secret(), "from-peer");
    }
    assert_eq!(peer.requests_to("/token").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_client_surfaces_at_once_to_every_caller() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on(
        "/token",
        Reply::json(401, json!({"error": "invalid_client"})).delay(Duration::from_millis(100)),
    );
    let m = manager(CacheConfig::default());
    let sent = Arc::new(Mutex::new(Vec::new()));
    for result in concurrent_gets(&m, &peer, sent, 20).await {
        let err = result.unwrap_err();
        assert_eq!(err.oauth_code(), Some("invalid_client"));
    }
    assert_eq!(peer.requests_to("/token").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_token_endpoint_times_callers_out_cleanly() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on("/token", Reply::stall());
    let m = manager(CacheConfig {
        get_timeout: Duration::from_millis(500),
        ..CacheConfig::default()
    });
    let sent = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    for result in concurrent_gets(&m, &peer, sent, 50).await {
        assert!(matches!(result, Err(Error::Timeout { endpoint: "token" })));
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(500) && elapsed < Duration::from_secs(5));
    assert_eq!(peer.requests_to("/token").len(), 1);
}
