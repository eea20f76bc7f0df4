//! `kind = "device"` (RFC 8628) at DOT.

use oauthflow::{ConfigError, Error, oauth_client};

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
