//! Where the token manager reads the time: injectable so tests can move it by hand.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// A source of time for the [`TokenManager`](super::TokenManager).
///
/// Expiries and refresh points are monotonic [`Instant`]s compared against [`Clock::now`]; the
/// wall clock is only used to report an expiry as a [`SystemTime`].
pub trait Clock: Send + Sync + 'static {
    /// Monotonic "now".
    fn now(&self) -> Instant;

    /// Wall-clock "now" (only for reporting expiries).
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The real clock: [`Instant::now`] and [`SystemTime::now`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// Tokio's clock: follows `tokio::time::pause()` / `advance()` in tests (and is the real
/// monotonic clock otherwise), so expiries and backoff sleeps move together.
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    base: tokio::time::Instant,
    base_wall: SystemTime,
}

impl TokioClock {
    /// Anchors the wall clock to tokio's clock now.
    pub fn new() -> Self {
        TokioClock {
            base: tokio::time::Instant::now(),
            base_wall: SystemTime::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn wall(&self) -> SystemTime {
        self.base_wall + self.base.elapsed()
    }
}

/// A clock that only moves when told to ([`ManualClock::advance`]); for tests.
#[derive(Debug)]
pub struct ManualClock {
    base: Instant,
    base_wall: SystemTime,
    offset_nanos: AtomicU64,
}

impl ManualClock {
    /// A clock standing at the moment it is created.
    pub fn new() -> Self {
        ManualClock {
            base: Instant::now(),
            base_wall: SystemTime::now(),
            offset_nanos: AtomicU64::new(0),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.offset_nanos.fetch_add(nanos, Ordering::SeqCst);
    }

    /// How far the clock has been moved since it was created.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.offset_nanos.load(Ordering::SeqCst))
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.base + self.elapsed()
    }

    fn wall(&self) -> SystemTime {
        self.base_wall + self.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        let w0 = clock.wall();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now() - t0, Duration::from_secs(90));
        assert_eq!(
            clock.wall().duration_since(w0).unwrap(),
            Duration::from_secs(90)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let clock = TokioClock::new();
        let t0 = clock.now();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(clock.now() - t0 >= Duration::from_secs(30));
    }
}
