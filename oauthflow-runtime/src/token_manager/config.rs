//! The token manager's knobs: margins, lifetimes, timeouts and the retry policy.

use std::time::Duration;

/// How a [`TokenManager`](super::TokenManager) caches and refreshes.
///
/// Start from [`CacheConfig::default`] and change fields (crate-internal, so not a doctest: the
/// unit test `token_manager::config::tests::doc_example_cache_config` runs this code):
///
/// ```ignore
/// # use std::time::Duration;
/// # use crate::token_manager::CacheConfig;
/// let mut config = CacheConfig::default();
/// config.refresh_margin = Duration::from_secs(120);
/// assert_eq!(config.margin_for(Duration::from_secs(3600)), Duration::from_secs(120));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CacheConfig {
    /// A label for `tracing` events (e.g. `"client_credentials"`); never a key or a token.
    pub name: &'static str,
    /// Refresh a token this long before it expires (default 60 s) — but see
    /// [`max_margin_fraction`](Self::max_margin_fraction).
    pub refresh_margin: Duration,
    /// The margin never exceeds this fraction of the token's lifetime (default 0.5), so a
    /// 30 s token is refreshed after 15 s instead of on every call. Clamped to `0.0..=1.0`.
    pub max_margin_fraction: f64,
    /// The lifetime assumed when the response has no `expires_in` (default 5 min).
    pub default_lifetime: Duration,
    /// Lifetimes longer than this are cut to it (default 24 h): a server's huge `expires_in`
    /// never pins a token forever.
    pub max_lifetime: Duration,
    /// When a token enters its margin, refresh it in a background task while callers keep
    /// getting it (default `true`). When `false`, callers in the margin wait for one shared
    /// refresh (the right mode for refresh-token keyed entries).
    pub refresh_ahead: bool,
    /// After a failed background refresh of a still-valid token, wait this long before the
    /// next background attempt (default 5 s; never past the token's expiry).
    pub refresh_failure_cooldown: Duration,
    /// The longest one `get` waits for a fetch (default 30 s); then it fails with
    /// [`Error::Timeout`](crate::Error::Timeout). The fetch itself goes on for later callers.
    pub get_timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            name: "token",
            refresh_margin: Duration::from_secs(60),
            max_margin_fraction: 0.5,
            default_lifetime: Duration::from_secs(300),
            max_lifetime: Duration::from_secs(24 * 3600),
            refresh_ahead: true,
            refresh_failure_cooldown: Duration::from_secs(5),
            get_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

impl CacheConfig {
    /// The defaults, labelled `client_credentials`: refresh-ahead, retries of every transient
    /// failure.
    pub fn client_credentials() -> Self {
        CacheConfig {
            name: "client_credentials",
            ..Self::default()
        }
    }

    /// For a manager keyed by (a hash of) the refresh token, sharing one refresh among
    /// concurrent callers and handing its result, for `share_window`, to late callers still
    /// holding the same — now rotated — refresh token.
    ///
    /// A refresh token must never be presented twice (with rotation, a replay can revoke the
    /// whole grant, RFC 9700 §4.14.2), so: every entry lives exactly `share_window` whatever the
    /// token's `expires_in`, with no refresh margin and no refresh-ahead (an entry is never
    /// refreshed with the refresh token it was keyed by while it is shared), and failures the
    /// server may have processed are not retried ([`RetryPolicy::retry_ambiguous`]).
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(dead_code, reason = "only the tests and the bench call it")
    )]
    pub fn refresh(share_window: Duration) -> Self {
        CacheConfig {
            name: "refresh",
            refresh_margin: Duration::ZERO,
            default_lifetime: share_window,
            max_lifetime: share_window,
            refresh_ahead: false,
            retry: RetryPolicy {
                retry_ambiguous: false,
                ..RetryPolicy::default()
            },
            ..Self::default()
        }
    }

    /// The refresh margin for a token living `lifetime`:
    /// `min(refresh_margin, lifetime × max_margin_fraction)`.
    pub fn margin_for(&self, lifetime: Duration) -> Duration {
        let fraction = if self.max_margin_fraction.is_nan() {
            0.0
        } else {
            self.max_margin_fraction.clamp(0.0, 1.0)
        };
        // Not `Duration::mul_f64`: it panics when `lifetime` is near `Duration::MAX` (the f64
        // rounds up past it), e.g. with `max_lifetime: Duration::MAX` and a huge `expires_in`.
        let capped = Duration::try_from_secs_f64(lifetime.as_secs_f64() * fraction)
            .unwrap_or(lifetime)
            .min(lifetime);
        self.refresh_margin.min(capped)
    }
}

/// Jittered exponential backoff for transient failures (per
/// [`Error::is_transient`](crate::Error::is_transient)); terminal errors are never retried.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 4; 1 = no retry).
    pub max_attempts: u32,
    /// The backoff before the first retry (default 200 ms); doubles each retry.
    pub initial_backoff: Duration,
    /// The backoff never grows past this (default 10 s).
    pub max_backoff: Duration,
    /// No retry starts later than this after the first attempt (default 30 s). A
    /// `Retry-After` that points past it ends the retries at once.
    pub max_elapsed: Duration,
    /// One attempt that takes longer than this counts as a transient timeout (default 20 s).
    pub attempt_timeout: Duration,
    /// Whether to retry failures after which the server may have processed the request —
    /// transport errors and timeouts (default `true`). Set it to `false` for refresh with
    /// rotating refresh tokens: replaying a refresh token the server already redeemed can
    /// revoke the whole grant (RFC 9700 §4.14.2). HTTP 5xx/429 and transient OAuth error codes
    /// are retried either way.
    pub retry_ambiguous: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(20),
            retry_ambiguous: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(dead_code, reason = "only the tests and the bench call it")
    )]
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_capped_by_a_fraction_of_short_lifetimes() {
        let config = CacheConfig::default();
        assert_eq!(
            config.margin_for(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            config.margin_for(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
        let mut odd = CacheConfig {
            max_margin_fraction: f64::NAN,
            ..CacheConfig::default()
        };
        assert_eq!(odd.margin_for(Duration::from_secs(30)), Duration::ZERO);
        odd.max_margin_fraction = 7.0;
        assert_eq!(
            odd.margin_for(Duration::from_secs(30)),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn margin_for_a_huge_lifetime_does_not_overflow() {
        let config = CacheConfig {
            max_margin_fraction: 1.0,
            max_lifetime: Duration::MAX,
            ..CacheConfig::default()
        };
        assert_eq!(config.margin_for(Duration::MAX), config.refresh_margin);
        let all = CacheConfig {
            refresh_margin: Duration::MAX,
            ..config
        };
        assert_eq!(all.margin_for(Duration::MAX), Duration::MAX);
    }

    /// The example in [`CacheConfig`]'s documentation (written as code outside the crate must:
    /// the struct is `#[non_exhaustive]`).
    #[test]
    #[allow(clippy::field_reassign_with_default)]
    fn doc_example_cache_config() {
        let mut config = CacheConfig::default();
        config.refresh_margin = Duration::from_secs(120);
        assert_eq!(
            config.margin_for(Duration::from_secs(3600)),
            Duration::from_secs(120)
        );
    }
}
