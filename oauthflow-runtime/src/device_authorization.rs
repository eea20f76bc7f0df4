//! The device authorization response (RFC 8628 §3.2), handed to the application.

use std::fmt;
use std::time::{Duration, SystemTime};

/// A started device authorization: show [`user_code`](Self::user_code) and
/// [`verification_uri`](Self::verification_uri) to the user, then call `poll_device`.
///
/// Always show the user code, also when you show `verification_uri_complete` as a QR code
/// (RFC 8628 §3.3.1): it lets the user check they approve the right device.
#[derive(Clone)]
pub struct DeviceAuthorization {
    pub(crate) device_code: oauth2::DeviceCode,
    pub(crate) user_code: String,
    pub(crate) verification_uri: String,
    pub(crate) verification_uri_complete: Option<String>,
    pub(crate) expires_at: SystemTime,
    pub(crate) interval: Duration,
    pub(crate) audience: Option<String>,
}

impl DeviceAuthorization {
    /// The code the user types at the verification URI.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user goes to enter the code.
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// The verification URI with the code filled in (e.g. for a QR code), if the server sent one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// When the device code expires.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// The polling interval the server asked for (5 s when it named none).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The audience this authorization is for.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &"[redacted]")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_at", &self.expires_at)
            .field("interval", &self.interval)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}
