//! The device flow against the real oidc-provider (`device-client`): start, approve through the
//! provider's pages, poll (R28), and the ID token of the response validated (R22).

use super::id_token_support;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

use crate::clock::Clock;
use crate::device::DeviceGrant;
use crate::id_token::{IdTokenValidation, JwksCache};
use crate::{AudienceParam, Error};
use id_token_support::http;
use oauthflow_devserver::{DevProvider, clients, resources};

/// The provider's device authorization and token endpoints, as `DeviceGrant::new` takes them.
fn endpoints(provider: &DevProvider) -> (String, String) {
    (
        provider.device_authorization_endpoint().to_string(),
        provider.token_endpoint().to_string(),
    )
}

/// Real time, but sleeps a tenth of the polling interval (oidc-provider sends no `interval`, so
/// the client waits 5 s; polling faster does not make it answer `slow_down`).
struct QuickClock;

impl Clock for QuickClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration / 10))
    }
}

#[tokio::test]
async fn device_flow_against_oidc_provider() {
    let provider = DevProvider::start().await.expect("provider");
    let issuer = provider.issuer().to_owned();
    let http = http();
    let (device_endpoint, token_endpoint) = endpoints(&provider);
    let grant = DeviceGrant::new(&http, clients::DEVICE.id, &device_endpoint, &token_endpoint)
        .scopes(&["openid", "read:orders"])
        .audience(AudienceParam::Resource, resources::ORDERS);

    let authorization = grant.start().await.expect("device authorization");
    assert_eq!(
        authorization.interval(),
        Duration::from_secs(5),
        "oidc-provider sends no interval"
    );
    assert!(!authorization.user_code().is_empty());
    let complete = authorization
        .verification_uri_complete()
        .expect("verification_uri_complete")
        .to_owned();

    let jwks = JwksCache::new(provider.jwks_uri().as_str());
    let validation = IdTokenValidation::new(&issuer, clients::DEVICE.id);
    let (tokens, approved) = tokio::join!(
        grant.poll_with_clock(&authorization, Some((&validation, &jwks)), &QuickClock),
        async {
            tokio::time::sleep(Duration::from_millis(700)).await;
            provider.approve_device(&complete).await
        }
    );
    approved.expect("approved on the provider's pages");
    let tokens = tokens.expect("tokens after approval");
    assert!(!tokens.access_token().secret().is_empty());
    assert_eq!(tokens.audience(), Some(resources::ORDERS));
    assert!(tokens.id_token().is_some(), "openid: a validated ID token");
    assert!(tokens.expires_at().is_some());
    let stats = provider.grant_stats().await.unwrap();
    assert_eq!(stats.for_client(clients::DEVICE.id), 1);
    assert_eq!(
        stats.for_resource(resources::ORDERS),
        1,
        "the resource reached the token"
    );
}

#[tokio::test]
async fn denied_device_authorization_is_access_denied() {
    let provider = DevProvider::start().await.expect("provider");
    let http = http();
    let (device_endpoint, token_endpoint) = endpoints(&provider);
    let grant = DeviceGrant::new(&http, clients::DEVICE.id, &device_endpoint, &token_endpoint)
        .scopes(&["openid"]);
    let authorization = grant.start().await.expect("device authorization");
    let complete = authorization
        .verification_uri_complete()
        .unwrap()
        .to_owned();
    let browser = provider.browser();
    let (result, denied) = tokio::join!(
        grant.poll_with_clock(&authorization, None, &QuickClock),
        browser.deny_device(&complete)
    );
    denied.expect("denied on the provider's pages");
    match result {
        Err(Error::OAuth { code, .. }) => assert_eq!(code.as_str(), "access_denied"),
        other => panic!("expected access_denied, got {other:?}"),
    }
}

#[tokio::test]
async fn auth0_style_audience_on_the_device_request_only() {
    let provider = DevProvider::start().await.expect("provider");
    let http = http();
    let (device_endpoint, token_endpoint) = endpoints(&provider);
    let grant = DeviceGrant::new(&http, clients::DEVICE.id, &device_endpoint, &token_endpoint)
        .scopes(&["read:billing"])
        .audience(AudienceParam::Audience, resources::BILLING);
    let authorization = grant.start().await.expect("device authorization");
    let complete = authorization
        .verification_uri_complete()
        .unwrap()
        .to_owned();
    let (tokens, approved) = tokio::join!(
        grant.poll_with_clock(&authorization, None, &QuickClock),
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            provider.approve_device(&complete).await
        }
    );
    approved.expect("approved");
    let tokens = tokens.expect("tokens");
    assert_eq!(tokens.audience(), Some(resources::BILLING));
    assert_eq!(tokens.id_token(), None, "no openid scope, no ID token");
    let stats = provider.grant_stats().await.unwrap();
    assert_eq!(stats.for_resource(resources::BILLING), 1);
}
