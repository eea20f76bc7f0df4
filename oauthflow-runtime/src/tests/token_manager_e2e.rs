//! The token manager against the real oidc-provider (`oauthflow_devserver::DevProvider`): its
//! fetch is a client-credentials request sent with reqwest, and the provider's own grant
//! counters say how many token requests reached it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::clock::SystemClock;
use crate::token_manager::{CacheConfig, Fetched, TokenManager};
use crate::{AccessToken, Error, OAuthErrorCode};
use oauthflow_devserver::{DevOptions, DevProvider, clients, resources};

/// One client-credentials request for `resource` (RFC 8707) as `machine-client`.
async fn client_credentials(
    http: reqwest::Client,
    token_endpoint: String,
    resource: &'static str,
) -> Result<Fetched, Error> {
    let response = http
        .post(token_endpoint)
        .basic_auth(clients::MACHINE.id, clients::MACHINE.secret)
        .form(&[("grant_type", "client_credentials"), ("resource", resource)])
        .send()
        .await
        .map_err(|e| Error::Transport {
            endpoint: "token",
            reason: e.to_string(),
            request_sent: !e.is_connect(),
        })?;
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if let Some(code) = body["error"].as_str() {
        return Err(Error::OAuth {
            endpoint: "token",
            code: OAuthErrorCode::new(code),
            description: None,
        });
    }
    match body["access_token"].as_str() {
        Some(token) if status == 200 => Ok(Fetched::new(
            AccessToken::new(token.to_owned()),
            body["expires_in"].as_u64().map(Duration::from_secs),
        )),
        _ => Err(Error::HttpStatus {
            endpoint: "token",
            status,
            retry_after: None,
        }),
    }
}

type Manager = TokenManager<&'static str>;

async fn get(
    m: Arc<Manager>,
    http: reqwest::Client,
    endpoint: String,
    resource: &'static str,
) -> Result<String, Error> {
    let fetch = move || client_credentials(http.clone(), endpoint.clone(), resource);
    let token = m.get(&resource, fetch).await?;
    Ok(token.access_token().secret().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_cold_callers_for_two_audiences_make_two_token_requests() {
    let provider = DevProvider::start().await.unwrap();
    let endpoint = provider.token_endpoint().to_string();
    let http = reqwest::Client::new();
    let m = Arc::new(Manager::new(
        CacheConfig::client_credentials(),
        Arc::new(SystemClock),
    ));
    let start = Arc::new(tokio::sync::Barrier::new(1000));
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let resource = resources::ALL[i % 2];
            let call = get(m.clone(), http.clone(), endpoint.clone(), resource);
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                (resource, call.await.unwrap())
            })
        })
        .collect();
    let mut tokens: HashMap<&str, Vec<String>> = HashMap::new();
    for task in tasks {
        let (resource, token) = task.await.unwrap();
        tokens.entry(resource).or_default().push(token);
    }
    let stats = provider.grant_stats().await.unwrap();
    assert_eq!(stats.total, 2, "token requests at the provider: {stats:?}");
    assert_eq!(stats.for_resource(resources::ORDERS), 1);
    assert_eq!(stats.for_resource(resources::BILLING), 1);
    for (resource, got) in &tokens {
        assert_eq!(got.len(), 500);
        assert!(
            got.iter().all(|t| *t == got[0]),
            "{resource}: tokens differ"
        );
    }
    assert_ne!(tokens[resources::ORDERS][0], tokens[resources::BILLING][0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_lived_token_is_refreshed_ahead_while_callers_keep_the_old_one() {
    let provider =
        DevProvider::start_with(DevOptions::new().client_credentials_ttl(Duration::from_secs(4)))
            .await
            .unwrap();
    let endpoint = provider.token_endpoint().to_string();
    let http = reqwest::Client::new();
    let m = Arc::new(Manager::new(
        CacheConfig::client_credentials(), // margin: min(60 s, half of 4 s) = 2 s
        Arc::new(SystemClock),
    ));
    let call = || get(m.clone(), http.clone(), endpoint.clone(), resources::ORDERS);
    let first = call().await.unwrap();
    assert_eq!(call().await.unwrap(), first);
    assert_eq!(provider.grant_count().await.unwrap(), 1);

    tokio::time::sleep(Duration::from_millis(2300)).await; // inside the margin, still valid
    let t = Instant::now();
    assert_eq!(call().await.unwrap(), first, "the valid token is served");
    assert!(
        t.elapsed() < Duration::from_millis(50),
        "the caller waited for the refresh"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let renewed = loop {
        let token = call().await.unwrap();
        if token != first {
            break token;
        }
        assert!(Instant::now() < deadline, "never refreshed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_ne!(renewed, first);
    assert_eq!(provider.grant_count().await.unwrap(), 2);
}
