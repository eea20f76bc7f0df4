//! `kind = "device"` (RFC 8628) at DOT.

use std::sync::OnceLock;
use std::time::Duration;

use oauthflow::{ConfigError, Error, Settings, oauth_client};

use crate::browser::{Browser, Consent};
use crate::launcher::DotServer;
use crate::support::introspect;

use crate::launcher::clients::DEVICE;
use crate::support::{dot, public};

#[oauth_client(kind = "device", scopes = ["read"])]
struct Tv;

/// DOT has a device authorization endpoint (`/o/device-authorization/`) but lists it in neither
/// metadata document; oauthflow does not guess endpoints, so discovery says what is missing.
#[tokio::test]
async fn discovery_lacks_the_device_authorization_endpoint() {
    let dot = dot().await;
    let tv = Tv::new(public(dot, DEVICE)).unwrap();
    let error = tv.device_authorization().await.unwrap_err();
    match &error {
        Error::Config(ConfigError::Discovery { reason }) => {
            assert!(reason.contains("device_authorization_endpoint"), "{reason}");
        }
        other => panic!("expected a discovery error, got {other:?}"),
    }
}

/// The port of the second DOT this test starts: the attribute's explicit endpoints are literals.
/// If it is taken, the test fails saying so (`server.py` cannot listen).
const FIXED_PORT: u16 = 47291;

/// The endpoints DOT does not publish, written in the attribute (the compile-time way oauthflow
/// offers today: no discovery then).
#[oauth_client(
    kind = "device",
    scopes = ["read"],
    device_authorization_endpoint = "http://127.0.0.1:47291/o/device-authorization/",
    token_endpoint = "http://127.0.0.1:47291/o/token/",
    refresh_tokens = true,
)]
struct FixedTv;

/// The server on [`FIXED_PORT`], shared by the tests below.
async fn fixed() -> &'static DotServer {
    static FIXED: OnceLock<DotServer> = OnceLock::new();
    tokio::task::spawn_blocking(|| FIXED.get_or_init(|| DotServer::start(Some(FIXED_PORT))))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

#[tokio::test]
async fn device_flow_with_explicit_endpoints() {
    let dot = fixed().await;
    let tv = FixedTv::new(Settings::public(DEVICE).issuer(dot.issuer())).unwrap();
    let authorization = tv.device_authorization().await.unwrap();
    assert_eq!(
        authorization.verification_uri(),
        format!("{}/device/", dot.issuer())
    );
    // DOT sends no `verification_uri_complete` unless configured, and the interval it is told.
    assert_eq!(authorization.verification_uri_complete(), None);
    assert_eq!(authorization.interval(), Duration::from_secs(1));
    let user = Browser::new("grace");
    let poll = tv.poll_device(&authorization);
    let approve = user.approve_device(
        authorization.verification_uri(),
        authorization.user_code(),
        Consent::Allow,
    );
    let (tokens, ()) = tokio::join!(poll, approve);
    let tokens = tokens.unwrap();
    assert_eq!(
        introspect(dot, tokens.access_token().secret()).await["username"],
        "grace"
    );
    let refreshed = tv.refresh(&tokens).await.unwrap();
    assert!(refreshed.refresh_token().is_some());
}

/// The user denies on DOT's page: polling ends with RFC 8628 `access_denied`, typed.
#[tokio::test]
async fn denied_device_is_access_denied() {
    let dot = fixed().await;
    let tv = FixedTv::new(Settings::public(DEVICE).issuer(dot.issuer())).unwrap();
    let authorization = tv.device_authorization().await.unwrap();
    let user = Browser::new("ivan");
    let deny = user.approve_device(
        authorization.verification_uri(),
        authorization.user_code(),
        Consent::Deny,
    );
    let (result, ()) = tokio::join!(tv.poll_device(&authorization), deny);
    let error = result.unwrap_err();
    assert!(
        matches!(&error, Error::OAuth { endpoint: "token", code, .. } if code.as_str() == "access_denied"),
        "{error:?}"
    );
}
