//! R35: the device flow, ID token validation and the form post never put a secret in a
//! `tracing` event, at TRACE level, also on their error paths.

use super::id_token_support;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::device::DeviceGrant;
use crate::form_post;
use crate::id_token::{IdTokenValidation, JwksCache, verify};
use id_token_support::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, span};

/// A subscriber that records every event and span field as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Text<'a>(&'a Mutex<String>);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut out = self.0.lock().unwrap();
        out.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, attrs: &span::Attributes<'_>) -> span::Id {
        attrs.record(&mut Text(&self.0));
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, values: &span::Record<'_>) {
        values.record(&mut Text(&self.0));
    }
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        self.0.lock().unwrap().push('\n');
        event.record(&mut Text(&self.0));
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

const DEVICE_CODE: &str = "GmRhmhcxhwAzkoEqiMEg-secret-device-code";
const ACCESS_TOKEN: &str = "secret-access-token-9f8e7d";
const REFRESH_TOKEN: &str = "secret-refresh-token-1a2b3c";

#[tokio::test]
async fn no_secret_reaches_tracing() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    // Device flow with a transport failure, a 503, pending, then tokens.
    let peer = FaultPeer::start().await.unwrap();
    peer.on(
        "/device",
        Reply::json(200, json!({"device_code": DEVICE_CODE, "user_code": "ABCD-EFGH",
            "verification_uri": "https://op.example.test/device", "expires_in": 600, "interval": 1})),
    );
    peer.script(
        "/token",
        vec![
            Reply::close(),
            Reply::html(503, "busy"),
            Reply::json(400, json!({"error": "authorization_pending"})),
            Reply::json(
                200,
                json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer",
                "refresh_token": REFRESH_TOKEN, "id_token": "eyJhbGciOiJub25lIn0.e30."}),
            ),
        ],
    );
    let http = http();
    let (device_url, token_url) = (peer.url("/device"), peer.url("/token"));
    let grant = DeviceGrant::new(&http, "device-client", &device_url, &token_url);
    let auth = grant.start().await.unwrap();
    let clock = FastClock;
    let tokens = grant.poll_with_clock(&auth, None, &clock).await.unwrap();
    assert_eq!(tokens.access_token().secret(), ACCESS_TOKEN);

    // ID token validation: unknown key (refetch), a bad nonce.
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let cache = JwksCache::new(peer.url("/jwks"));
    let v = IdTokenValidation::new(ISSUER, CLIENT_ID).now(now());
    let unknown = sign_rs256(&claims(), &rsa2(), Some("k2"));
    let _ = verify(&unknown, &v, Some(NONCE), &cache, &http).await;
    let mut other = claims();
    other["nonce"] = json!("some-other-nonce");
    let wrong_nonce = sign_k1(&other);
    let _ = verify(&wrong_nonce, &v, Some(NONCE), &cache, &http).await;

    // Form post with a forged state.
    let (_, pending) = form_post::authorize_url(
        &format!("{ISSUER}/auth"),
        ISSUER,
        CLIENT_ID,
        "https://127.0.0.1/callback",
        &[],
    )
    .unwrap();
    let state = pending.state().to_owned();
    let body = format!("id_token={wrong_nonce}&state=forged");
    let _ = form_post::verify(&body, pending, &v, &cache, &http).await;

    let logs = capture.0.lock().unwrap().clone();
    assert!(logs.contains("backing off"), "the capture works: {logs}");
    assert!(logs.contains("refetching"), "the capture works: {logs}");
    for secret in [
        DEVICE_CODE,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        NONCE,
        "some-other-nonce",
        &state,
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into: {logs}");
    }
    for token in [&unknown, &wrong_nonce] {
        for part in token.split('.') {
            assert!(!logs.contains(part), "a token part leaked into: {logs}");
        }
    }
}

/// Sleeps a hundredth of the asked time.
struct FastClock;

impl crate::clock::Clock for FastClock {
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
    fn wall(&self) -> std::time::SystemTime {
        std::time::SystemTime::now()
    }
    fn sleep(
        &self,
        duration: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration / 100))
    }
}
