//! One cached token with its absolute expiry and refresh point.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use oauth2::AccessToken;

use super::config::CacheConfig;
use crate::clock::ticks_of;

/// What one successful fetch returned: the value to cache and its `expires_in`.
pub struct Fetched<V = AccessToken> {
    /// The token (or token set) to cache.
    pub value: V,
    /// The response's `expires_in`; `None` means [`CacheConfig::default_lifetime`].
    pub expires_in: Option<Duration>,
}

impl<V> Fetched<V> {
    /// A fetched value living `expires_in` (from the moment its request was sent).
    pub fn new(value: V, expires_in: Option<Duration>) -> Self {
        Fetched { value, expires_in }
    }
}

impl<V> fmt::Debug for Fetched<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetched")
            .field("value", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// A cached token: cloning it clones an [`Arc`].
pub type CachedToken<V = AccessToken> = Arc<Entry<V>>;

/// A token in the cache with its absolute expiry, computed once when it was received.
///
/// The expiry is anchored at the moment the successful request was *sent* (never later than
/// the server's own clock started counting `expires_in`), so it errs on the early side.
// Aligned to 128 bytes so that, inside the `Arc`, the fields sit on other cache lines than
// the reference counts: threads cloning the `Arc` do not evict what the others read.
#[derive(Clone)]
#[repr(align(128))]
pub struct Entry<V = AccessToken> {
    value: V,
    lifetime: Duration,
    expires_at: Instant,
    refresh_at: Instant,
    /// `refresh_at` on the scale of [`Clock::fast_ticks`](crate::clock::Clock::fast_ticks),
    /// for the hot path.
    refresh_at_ticks: u64,
    expires_at_wall: SystemTime,
}

/// Where a token stands at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// Before the refresh margin: hand it out.
    Fresh,
    /// In the refresh margin but not expired: hand it out and refresh.
    Stale,
    /// Expired: fetch a new one.
    Expired,
}

impl<V> Entry<V> {
    /// Builds the entry for `fetched`, whose request was sent at `sent_at` (`sent_at_wall`).
    pub(crate) fn new(
        fetched: Fetched<V>,
        sent_at: Instant,
        sent_at_wall: SystemTime,
        config: &CacheConfig,
    ) -> Self {
        let lifetime = fetched
            .expires_in
            .unwrap_or(config.default_lifetime)
            .min(config.max_lifetime);
        let margin = config.margin_for(lifetime);
        let expires_at = sent_at.checked_add(lifetime).unwrap_or(sent_at);
        let refresh_at = expires_at.checked_sub(margin).unwrap_or(sent_at);
        Entry {
            value: fetched.value,
            lifetime,
            expires_at,
            refresh_at,
            refresh_at_ticks: ticks_of(refresh_at),
            expires_at_wall: sent_at_wall.checked_add(lifetime).unwrap_or(sent_at_wall),
        }
    }

    /// The cached value (for the default `V`, the access token).
    pub fn value(&self) -> &V {
        &self.value
    }

    /// The lifetime the expiry was computed from (`expires_in` or the default, capped).
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// When the token expires (monotonic clock).
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// When the token enters its refresh margin (monotonic clock).
    pub fn refresh_at(&self) -> Instant {
        self.refresh_at
    }

    /// The refresh point on the scale of [`Clock::fast_ticks`](crate::clock::Clock::fast_ticks).
    #[inline]
    pub(crate) fn refresh_at_ticks(&self) -> u64 {
        self.refresh_at_ticks
    }

    /// Whether the token is before its refresh point at `fast_ticks`
    /// ([`Clock::fast_ticks`](crate::clock::Clock::fast_ticks)): the hot path's check.
    #[inline]
    pub(crate) fn is_fresh_at_ticks(&self, fast_ticks: u64) -> bool {
        fast_ticks < self.refresh_at_ticks
    }

    /// Whether the token has not expired at `now`.
    pub fn is_valid_at(&self, now: Instant) -> bool {
        now < self.expires_at
    }

    pub(crate) fn freshness(&self, now: Instant) -> Freshness {
        if now < self.refresh_at {
            Freshness::Fresh
        } else if now < self.expires_at {
            Freshness::Stale
        } else {
            Freshness::Expired
        }
    }

    /// The same token with its refresh point moved to `refresh_at` (never past the expiry).
    pub(crate) fn with_refresh_at(&self, refresh_at: Instant) -> Self
    where
        V: Clone,
    {
        let refresh_at = refresh_at.min(self.expires_at);
        Entry {
            refresh_at,
            refresh_at_ticks: ticks_of(refresh_at),
            ..self.clone()
        }
    }
}

impl Entry<AccessToken> {
    /// The access token (`.secret()` is what goes into `Authorization: Bearer`).
    #[cfg_attr(
        not(any(test, feature = "bench-internals")),
        expect(
            dead_code,
            reason = "only the tests and the bench cache `AccessToken`s"
        )
    )]
    pub fn access_token(&self) -> &AccessToken {
        &self.value
    }
}

impl<V> fmt::Debug for Entry<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("value", &"[redacted]")
            .field("lifetime", &self.lifetime)
            .field("expires_at_wall", &self.expires_at_wall)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(expires_in: Option<u64>, config: &CacheConfig) -> (Entry<&'static str>, Instant) {
        let t0 = Instant::now();
        let fetched = Fetched::new("t", expires_in.map(Duration::from_secs));
        (Entry::new(fetched, t0, SystemTime::now(), config), t0)
    }

    #[test]
    fn margin_sign_thirty_seconds_left_refreshes_ten_minutes_left_does_not() {
        let config = CacheConfig::default(); // 60 s margin
        let (e, t0) = entry(Some(3600), &config);
        let secs = Duration::from_secs;
        // 10 minutes before expiry: outside the margin.
        assert_eq!(e.freshness(t0 + secs(3600 - 600)), Freshness::Fresh);
        // 30 s before expiry: inside the 60 s margin, so it must be refreshed.
        assert_eq!(e.freshness(t0 + secs(3600 - 30)), Freshness::Stale);
        assert_eq!(e.freshness(t0 + secs(3600)), Freshness::Expired);
        assert_eq!(e.refresh_at(), t0 + secs(3540));
    }

    #[test]
    fn missing_expires_in_uses_the_default_lifetime_and_huge_ones_are_capped() {
        let config = CacheConfig {
            default_lifetime: Duration::from_secs(120),
            ..CacheConfig::default()
        };
        let (e, t0) = entry(None, &config);
        assert_eq!(e.lifetime(), Duration::from_secs(120));
        assert_eq!(e.expires_at(), t0 + Duration::from_secs(120));
        let (e, _) = entry(Some(u64::MAX / 4), &config);
        assert_eq!(e.lifetime(), config.max_lifetime);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let e = Entry::new(
            Fetched::new(AccessToken::new("s3cr3t".into()), None),
            Instant::now(),
            SystemTime::now(),
            &CacheConfig::default(),
        );
        assert!(!format!("{e:?}").contains("s3cr3t"));
        assert_eq!(e.access_token().secret(), "s3cr3t");
    }
}
