//! `kind = "device"` (RFC 8628) at DOT.

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

/// A TV app asking for refresh tokens.
#[oauth_client(kind = "device", scopes = ["read"], refresh_tokens = true)]
struct RefreshTv;

/// The endpoint DOT does not publish, set at run time; everything else still comes from its
/// metadata (the settings' endpoint wins over the discovered ones, endpoint by endpoint).
fn with_device_endpoint(dot: &DotServer) -> Settings<oauthflow::Public> {
    public(dot, DEVICE)
        .device_authorization_endpoint(format!("{}/device-authorization/", dot.issuer()))
}

#[tokio::test]
async fn device_flow_with_a_run_time_device_endpoint() {
    let dot = dot().await;
    let tv = RefreshTv::new(with_device_endpoint(dot)).unwrap();
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
    let dot = dot().await;
    let tv = RefreshTv::new(with_device_endpoint(dot)).unwrap();
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
