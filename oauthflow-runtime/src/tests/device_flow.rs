//! Device authorization grant (RFC 8628) against a scripted device and token endpoint: R28.

use super::id_token_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use crate::clock::{Clock, TokioClock};
use crate::device::DeviceGrant;
use crate::id_token::{IdTokenValidation, JwksCache};
use crate::{AudienceParam, DeviceAuthorization, Error, TokenSet};
use id_token_support::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::{Value, json};

/// A clock whose sleeps return at once and move `now` forward; it records every sleep.
struct FakeClock {
    start: Instant,
    elapsed: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl FakeClock {
    fn new() -> Self {
        FakeClock {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
            sleeps: Mutex::new(Vec::new()),
        }
    }

    fn sleeps(&self) -> Vec<u64> {
        self.sleeps
            .lock()
            .unwrap()
            .iter()
            .map(Duration::as_secs)
            .collect()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap()
    }

    fn wall(&self) -> SystemTime {
        now() + *self.elapsed.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.sleeps.lock().unwrap().push(duration);
        *self.elapsed.lock().unwrap() += duration;
        Box::pin(async {})
    }
}

fn device_response(extra: Value) -> Reply {
    let mut body = json!({
        "device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
        "user_code": "WDJB-MJHT",
        "verification_uri": "https://op.example.test/device",
        "verification_uri_complete": "https://op.example.test/device?user_code=WDJB-MJHT",
        "expires_in": 1800
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            body.as_object_mut().unwrap().remove(k);
        } else {
            body[k] = v.clone();
        }
    }
    Reply::json(200, body)
}

fn pending() -> Reply {
    Reply::json(400, json!({"error": "authorization_pending"}))
}

fn slow_down() -> Reply {
    Reply::json(400, json!({"error": "slow_down"}))
}

fn tokens() -> Reply {
    Reply::json(
        200,
        json!({"access_token": "device-at", "token_type": "Bearer", "expires_in": 600,
               "refresh_token": "device-rt", "scope": "read"}),
    )
}

async fn peer() -> FaultPeer {
    let peer = FaultPeer::start().await.unwrap();
    peer.on("/device", device_response(json!({})));
    peer
}

fn grant<'a>(http: &'a reqwest::Client, urls: &'a (String, String)) -> DeviceGrant<'a> {
    DeviceGrant::new(http, "device-client", &urls.0, &urls.1).scopes(&["read", "offline_access"])
}

fn urls(peer: &FaultPeer) -> (String, String) {
    (peer.url("/device"), peer.url("/token"))
}

async fn started(grant: &DeviceGrant<'_>, clock: &FakeClock) -> DeviceAuthorization {
    grant
        .start_with_clock(clock)
        .await
        .expect("device authorization")
}

/// Starts a device authorization at `peer` (the [`grant`] of `device-client`) and polls it to
/// the end on a [`FakeClock`]; returns the outcome and the clock's sleeps (in seconds).
async fn start_and_poll(peer: &FaultPeer) -> (Result<TokenSet, Error>, Vec<u64>) {
    let http = http();
    let urls = urls(peer);
    let grant = grant(&http, &urls);
    let clock = FakeClock::new();
    let auth = started(&grant, &clock).await;
    let result = grant.poll_with_clock(&auth, None, &clock).await;
    (result, clock.sleeps())
}

#[tokio::test]
async fn device_authorization_request_and_response() {
    let peer = peer().await;
    let http = http();
    let urls = urls(&peer);
    let grant =
        grant(&http, &urls).audience(AudienceParam::Audience, "https://api.example.test/orders");
    let clock = FakeClock::new();
    let auth = started(&grant, &clock).await;
    assert_eq!(auth.user_code(), "WDJB-MJHT");
    assert_eq!(auth.verification_uri(), "https://op.example.test/device");
    assert_eq!(
        auth.verification_uri_complete(),
        Some("https://op.example.test/device?user_code=WDJB-MJHT")
    );
    assert_eq!(auth.expires_at(), now() + Duration::from_secs(1800));
    assert_eq!(
        auth.interval(),
        Duration::from_secs(5),
        "no interval: 5 s (oidc-provider sends none)"
    );
    assert_eq!(auth.audience(), Some("https://api.example.test/orders"));
    assert!(
        !format!("{auth:?}").contains("GmRhmhcxhwAzkoEqiMEg"),
        "device code redacted"
    );
    let request = &peer.requests_to("/device")[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.param("client_id").as_deref(), Some("device-client"));
    assert_eq!(
        request.param("scope").as_deref(),
        Some("read offline_access")
    );
    assert_eq!(
        request.param("audience").as_deref(),
        Some("https://api.example.test/orders")
    );
}

#[tokio::test]
async fn rfc8628_polling_honours_slow_down_for_all_later_polls() {
    // pending, slow_down, pending, token → waits of 5 (before the first poll), 5, 10, 10.
    let peer = peer().await;
    peer.script("/token", vec![pending(), slow_down(), pending(), tokens()]);
    let (result, sleeps) = start_and_poll(&peer).await;
    let tokens = result.expect("tokens");
    assert_eq!(sleeps, [5, 5, 10, 10]);
    let polls = peer.requests_to("/token");
    assert_eq!(polls.len(), 4);
    for poll in &polls {
        assert_eq!(
            poll.param("grant_type").as_deref(),
            Some("urn:ietf:params:oauth:grant-type:device_code")
        );
        assert_eq!(
            poll.param("device_code").as_deref(),
            Some("GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS")
        );
        assert_eq!(poll.param("client_id").as_deref(), Some("device-client"));
        assert_eq!(poll.param("resource"), None);
    }
    assert_eq!(tokens.access_token().secret(), "device-at");
    assert_eq!(tokens.refresh_token().unwrap().secret(), "device-rt");
    assert_eq!(tokens.scopes(), ["read".to_owned()]);
    assert_eq!(
        tokens.expires_at(),
        Some(now() + Duration::from_secs(30 + 600))
    );
    assert!(!format!("{tokens:?}").contains("device-at"));
}

#[test]
fn rfc8628_polling_gaps_under_paused_tokio_time() {
    // The peer runs on its own runtime (real time, own threads); the client runs on a paused
    // current-thread runtime, so its sleeps take no real time and tokio's clock measures them.
    let peer_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let peer = peer_runtime.block_on(peer());
    peer.script("/token", vec![pending(), slow_down(), pending(), tokens()]);
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    client_runtime.block_on(async {
        let http = http();
        let urls = urls(&peer);
        // No per-request timeout: with paused time a pending timer would auto-advance.
        let grant = grant(&http, &urls).request_timeout(None);
        let auth = grant.start().await.expect("device authorization");
        let started = tokio::time::Instant::now();
        let clock = TokioClock::new();
        grant
            .poll_with_clock(&auth, None, &clock)
            .await
            .expect("tokens");
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_secs(30), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(31), "{elapsed:?}");
    });
    assert_eq!(peer.requests_to("/token").len(), 4);
}

#[tokio::test]
async fn server_interval_is_used() {
    let peer = peer().await;
    peer.on("/device", device_response(json!({"interval": 7})));
    peer.script("/token", vec![pending(), tokens()]);
    let (result, sleeps) = start_and_poll(&peer).await;
    result.unwrap();
    assert_eq!(sleeps, [7, 7]);
}

#[tokio::test]
async fn expired_token_is_terminal() {
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            pending(),
            Reply::json(400, json!({"error": "expired_token"})),
            tokens(),
        ],
    );
    let (result, _) = start_and_poll(&peer).await;
    assert!(
        matches!(result, Err(Error::DeviceCodeExpired)),
        "{result:?}"
    );
    assert_eq!(peer.requests_to("/token").len(), 2);
}

#[tokio::test]
async fn access_denied_is_terminal() {
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            Reply::json(
                400,
                json!({"error": "access_denied", "error_description": "<i>user said no</i>"}),
            ),
            tokens(),
        ],
    );
    match start_and_poll(&peer).await.0 {
        Err(Error::OAuth {
            endpoint: "token",
            code,
            description,
        }) => {
            assert_eq!(code.as_str(), "access_denied");
            assert!(!description.unwrap().contains('<'));
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
    assert_eq!(peer.requests_to("/token").len(), 1);
}

#[tokio::test]
async fn polling_stops_at_expires_in() {
    let peer = peer().await;
    peer.on("/device", device_response(json!({"expires_in": 12})));
    peer.on("/token", pending());
    let (result, sleeps) = start_and_poll(&peer).await;
    assert!(
        matches!(result, Err(Error::DeviceCodeExpired)),
        "{result:?}"
    );
    // Polls at 5 s and 10 s; a third at 15 s would be after the 12 s expiry.
    assert_eq!(peer.requests_to("/token").len(), 2);
    assert_eq!(sleeps, [5, 5]);
}

#[tokio::test]
async fn transport_failures_and_5xx_back_off_exponentially() {
    let peer = peer().await;
    peer.script(
        "/token",
        vec![
            Reply::close(),
            Reply::html(503, "<h1>busy</h1>"),
            Reply::json(429, json!({})).header("Retry-After", "50"),
            pending(),
            tokens(),
        ],
    );
    let (result, sleeps) = start_and_poll(&peer).await;
    result.expect("tokens after back-off");
    // 5 → (closed) 10 → (503) 20 → (429, Retry-After 50) 50 → (pending) 50.
    assert_eq!(sleeps, [5, 10, 20, 50, 50]);
}

#[tokio::test]
async fn resource_is_sent_on_both_requests() {
    let peer = peer().await;
    peer.on("/token", tokens());
    let http = http();
    let urls = urls(&peer);
    let grant =
        grant(&http, &urls).audience(AudienceParam::Resource, "https://api.example.test/billing");
    let clock = FakeClock::new();
    let auth = started(&grant, &clock).await;
    let tokens = grant.poll_with_clock(&auth, None, &clock).await.unwrap();
    assert_eq!(tokens.audience(), Some("https://api.example.test/billing"));
    let resource = Some("https://api.example.test/billing".to_owned());
    assert_eq!(peer.requests_to("/device")[0].param("resource"), resource);
    assert_eq!(peer.requests_to("/token")[0].param("resource"), resource);
}

#[tokio::test]
async fn malformed_token_responses_are_typed_errors() {
    for (reply, needle) in [
        (
            Reply::json(
                200,
                json!({"access_token": "at", "token_type": "bearer", "expires_in": "3600"}),
            ),
            "expires_in",
        ),
        (
            Reply::json(200, json!({"access_token": "at", "token_type": "mac"})),
            "token type",
        ),
        (
            Reply::json(200, json!({"token_type": "bearer"})),
            "access_token",
        ),
        (Reply::raw_json(200, "{not json"), "JSON"),
    ] {
        let peer = peer().await;
        peer.on("/token", reply);
        match start_and_poll(&peer).await.0 {
            Err(Error::InvalidResponse {
                endpoint: "token",
                reason,
            }) => {
                assert!(reason.contains(needle), "{reason}")
            }
            other => panic!("expected InvalidResponse ({needle}), got {other:?}"),
        }
    }
    // A token endpoint that redirects is refused, not followed.
    let peer = peer().await;
    peer.on("/token", Reply::redirect(307, "http://127.0.0.1:9/steal"));
    let (result, _) = start_and_poll(&peer).await;
    assert!(
        matches!(result, Err(Error::RedirectRefused { status: 307, .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn malformed_device_authorization_responses_are_typed_errors() {
    for (reply, needle) in [
        (device_response(json!({"device_code": null})), "device_code"),
        (device_response(json!({"expires_in": "1800"})), "expires_in"),
        (device_response(json!({"interval": "5"})), "interval"),
        (
            device_response(json!({"verification_uri": "javascript:alert(1)"})),
            "verification_uri",
        ),
        (
            device_response(json!({"user_code": "AB\u{0007}CD"})),
            "user_code",
        ),
    ] {
        let peer = FaultPeer::start().await.unwrap();
        peer.on("/device", reply);
        let http = http();
        let urls = urls(&peer);
        let grant = grant(&http, &urls);
        match grant.start().await {
            Err(Error::InvalidResponse {
                endpoint: "device_authorization",
                reason,
            }) => {
                assert!(reason.contains(needle), "{reason}")
            }
            other => panic!("expected InvalidResponse ({needle}), got {other:?}"),
        }
    }
    let peer = FaultPeer::start().await.unwrap();
    peer.on(
        "/device",
        Reply::json(401, json!({"error": "invalid_client"})),
    );
    let http = http();
    let urls = urls(&peer);
    match grant(&http, &urls).start().await {
        Err(Error::OAuth {
            endpoint: "device_authorization",
            code,
            ..
        }) => {
            assert_eq!(code.as_str(), "invalid_client")
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

#[tokio::test]
async fn id_token_in_the_response_is_validated_or_dropped() {
    let mut c = claims();
    c.as_object_mut().unwrap().remove("nonce");
    let good = sign_k1(&c);
    let forged = sign_rs256(&c, &rsa2(), Some("k1"));
    let with_id_token = |t: &str| {
        Reply::json(
            200,
            json!({"access_token": "at", "token_type": "bearer", "id_token": t}),
        )
    };
    let peer = peer().await;
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let jwks_cache = JwksCache::new(peer.url("/jwks"));
    let validation = IdTokenValidation::new(ISSUER, "device-client").now(now());
    let mut claims_for_device = claims();
    claims_for_device["aud"] = json!("device-client");
    claims_for_device.as_object_mut().unwrap().remove("nonce");
    let good_for_device = sign_k1(&claims_for_device);
    let http = http();
    let urls = urls(&peer);
    let grant = grant(&http, &urls);
    let clock = FakeClock::new();
    let auth = started(&grant, &clock).await;

    peer.on("/token", with_id_token(&good_for_device));
    let tokens = grant
        .poll_with_clock(&auth, Some((&validation, &jwks_cache)), &clock)
        .await
        .expect("valid ID token");
    assert_eq!(tokens.id_token(), Some(good_for_device.as_str()));

    peer.on("/token", with_id_token(&good));
    let result = grant
        .poll_with_clock(&auth, Some((&validation, &jwks_cache)), &clock)
        .await;
    assert!(
        matches!(
            result.as_ref().map_err(Error::check_failed),
            Err(Error::IdTokenInvalid { .. })
        ),
        "wrong aud: {result:?}"
    );

    peer.on("/token", with_id_token(&forged));
    let tokens = grant
        .poll_with_clock(&auth, None, &clock)
        .await
        .expect("tokens");
    assert_eq!(
        tokens.id_token(),
        None,
        "an unvalidated ID token is never handed out"
    );
}

#[tokio::test]
async fn absurd_lifetimes_and_intervals_do_not_panic() {
    let peer = peer().await;
    peer.on(
        "/device",
        device_response(json!({"expires_in": u64::MAX, "interval": u64::MAX})),
    );
    peer.on("/token", tokens());
    let http = http();
    let urls = urls(&peer);
    let grant = grant(&http, &urls);
    let clock = FakeClock::new();
    let auth = started(&grant, &clock).await;
    assert_eq!(auth.expires_at(), now() + Duration::from_secs(24 * 3600));
    assert_eq!(auth.interval(), Duration::from_secs(3600));
    grant
        .poll_with_clock(&auth, None, &clock)
        .await
        .expect("tokens");
    assert_eq!(clock.sleeps(), [3600]);
}
