//! Every size cap and timeout of the runtime, defined together so they can be reviewed (and
//! changed) in one place. Per-endpoint caps are allowed; they live here too.
//!
//! A leaf module: it uses nothing else from the crate, so any module can read it without
//! creating an import cycle.

use std::time::Duration;

// ---- Back channel (every request to the authorization server) ----------------------------

/// Default timeout of one back-channel request: sending it and reading the whole answer
/// (`Settings::request_timeout`).
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the one-time redirect probe of a user-supplied `reqwest::Client` may take.
pub(crate) const REDIRECT_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest token endpoint response read (token responses are a few KiB).
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: usize = 1 << 20;

/// Largest discovery document read.
pub(crate) const MAX_DISCOVERY_BYTES: usize = 1 << 20;

/// Largest device authorization response read (RFC 8628 §3.2).
pub(crate) const MAX_DEVICE_AUTHORIZATION_BYTES: usize = 1 << 20;

/// Largest JWKS document read.
pub(crate) const MAX_JWKS_BYTES: usize = 512 * 1024;

/// Largest userinfo response read (OIDC Core §5.3): a few claims, generous for large profiles.
pub(crate) const MAX_USERINFO_BYTES: usize = 256 * 1024;

/// Largest revocation response read (RFC 7009 §2.2: an empty body, or an error object).
pub(crate) const MAX_REVOCATION_BYTES: usize = 64 * 1024;

/// Largest pushed authorization response read (RFC 9126 §2.2: `request_uri` and `expires_in`).
pub(crate) const MAX_PUSHED_AUTHORIZATION_BYTES: usize = 64 * 1024;

// ---- Tokens ----------------------------------------------------------------------------------

/// Largest ID token accepted (compact serialization).
pub(crate) const MAX_ID_TOKEN_BYTES: usize = 64 * 1024;

/// Default refresh margin: a cached access token is renewed this long before it expires
/// (`Settings::refresh_margin`).
pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How long a finished refresh is shared with late callers that still hold the old (now
/// rotated) refresh token, so they never replay it.
pub(crate) const REFRESH_SHARE_WINDOW: Duration = Duration::from_secs(30);

// ---- Front channel (the browser's requests to the client) ------------------------------------

/// Largest form post body (`response_mode=form_post`) parsed (an ID token is at most
/// [`MAX_ID_TOKEN_BYTES`]).
pub(crate) const MAX_FORM_BODY_BYTES: usize = 128 * 1024;

/// Largest request head (request line and headers) the loopback listener reads.
pub(crate) const MAX_REQUEST_HEAD_BYTES: usize = 8 * 1024;

/// How long one loopback connection may take to send its request head.
pub(crate) const CONNECTION_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Loopback connections served at the same time; more are closed at once.
pub(crate) const MAX_CONCURRENT_CONNECTIONS: usize = 16;

/// Default time `login_via_loopback` waits for the browser (the user has to sign in):
/// 5 minutes (`Settings::loopback_timeout`).
pub(crate) const DEFAULT_LOOPBACK_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a JWKS is kept when its answer says nothing about caching (as jose's remote key
/// sets do): keys the issuer retires stop being trusted after this long.
pub(crate) const JWKS_DEFAULT_MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// The shortest a JWKS is kept, whatever `Cache-Control` says (`no-store` included): a server
/// asking for none cannot turn every ID token into a key fetch.
pub(crate) const JWKS_MIN_MAX_AGE: Duration = Duration::from_secs(60);

/// The longest a JWKS is kept, whatever `Cache-Control` says: a retired key is dropped within a
/// day at most.
pub(crate) const JWKS_MAX_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// How long discovered metadata is kept when its answer says nothing about caching.
pub(crate) const DISCOVERY_DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);

/// The shortest discovered metadata is kept (also after a failed refetch, before the next try).
pub(crate) const DISCOVERY_MIN_MAX_AGE: Duration = Duration::from_secs(60);

/// The longest discovered metadata is kept, whatever `Cache-Control` says.
pub(crate) const DISCOVERY_MAX_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
