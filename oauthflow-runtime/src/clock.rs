//! The one source of time of the runtime: monotonic "now" for expiries and refresh points,
//! wall-clock "now" for what is reported or compared with a server's absolute times, and the
//! sleeps between attempts. The token manager, the single flights and device polling all read
//! it, so tests move all of them together — by pausing Tokio's clock ([`TokioClock`]) or by
//! hand ([`ManualClock`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// A source of time: [`SystemClock`] in production, [`TokioClock`] or [`ManualClock`] (or a
/// hand-written fake) in tests.
///
/// Expiries and refresh points are monotonic [`Instant`]s compared against [`Clock::now`]; the
/// wall clock ([`Clock::wall`]) is only used where a [`SystemTime`] is reported or compared with
/// a server's absolute times (a device code's `expires_at`).
///
/// Crate-internal, so not a doctest: the unit test `clock::tests::doc_example_manual_clock`
/// runs this code.
///
/// ```ignore
/// use std::time::Duration;
/// use crate::clock::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// let start = clock.now();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now() - start, Duration::from_secs(90));
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Monotonic "now".
    fn now(&self) -> Instant;

    /// Wall-clock "now".
    fn wall(&self) -> SystemTime;

    /// Waits `duration` (between polls, before a retry).
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

    /// "Now" as [`ticks_of`] counts it, never earlier than [`Clock::now`], and cheap: what the
    /// token cache's hot path compares with a token's refresh point. The default is exact;
    /// [`SystemClock`] reads the kernel's coarse clock instead (a few ns instead of ~30 ns on
    /// a VM), rounded up by its resolution, so a token is at worst judged stale a few
    /// milliseconds early — and the precise path then decides.
    fn fast_ticks(&self) -> u64 {
        ticks_of(self.now())
    }
}

/// Bound on how far the kernel's coarse monotonic clock lags the precise one: one scheduler
/// tick (10 ms at the lowest common `HZ`, 100), doubled for the two readings an origin takes.
const COARSE_SLACK: coarsetime::Duration = coarsetime::Duration::from_millis(20);

/// One origin for both scales: the precise and the coarse clock read at the same moment.
fn origin() -> &'static (Instant, coarsetime::Instant) {
    static ORIGIN: std::sync::OnceLock<(Instant, coarsetime::Instant)> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(|| {
        (
            Instant::now(),
            coarsetime::Instant::now_without_cache_update(),
        )
    })
}

/// `at` in ticks: the coarse clock's own reading (`coarsetime`'s unit, 2^-32 s), so that the
/// hot path compares a raw reading of that clock with no conversion. Mapped through the
/// process-wide origin and saturating at 0, so `a < b` on ticks implies `a < b` on instants:
/// a comparison on ticks can only err towards "stale".
pub(crate) fn ticks_of(at: Instant) -> u64 {
    let (precise, coarse) = *origin();
    let ticks = match at.checked_duration_since(precise) {
        Some(after) => coarse.saturating_add(after.into()),
        None => coarse.saturating_sub((precise - at).into()),
    };
    ticks.as_u64()
}

/// The real clock: [`Instant::now`], [`SystemTime::now`] and Tokio's sleep.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }

    #[inline]
    fn fast_ticks(&self) -> u64 {
        // Not `coarsetime::Instant::now()`: that also stores into a global, a write every
        // thread on the hot path would contend for.
        coarsetime::Instant::now_without_cache_update()
            .saturating_add(COARSE_SLACK)
            .as_u64()
    }
}

/// Tokio's clock: follows `tokio::time::pause()` / `advance()` in tests (and is the real
/// monotonic clock otherwise), so expiries, wall time and sleeps move together.
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    base: tokio::time::Instant,
    base_wall: SystemTime,
}

impl TokioClock {
    /// Anchors the wall clock to Tokio's clock now.
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

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock whose `now` and `wall` only move when told to ([`ManualClock::advance`]); for tests.
///
/// Its [`sleep`](Clock::sleep) is Tokio's (instant under `tokio::time::pause()`) and does not
/// move the clock: a test decides when time passes for expiries, and retries in between do
/// not shift them.
#[derive(Debug)]
pub struct ManualClock {
    base: Instant,
    base_wall: SystemTime,
    offset_nanos: AtomicU64,
}

#[cfg_attr(
    not(any(test, feature = "bench-internals")),
    expect(dead_code, reason = "only the tests and the bench drive it")
)]
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

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
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
        let w0 = clock.wall();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(clock.now() - t0 >= Duration::from_secs(30));
        assert!(clock.wall().duration_since(w0).unwrap() >= Duration::from_secs(30));
        let before = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(5)).await;
        assert!(before.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn manual_clock_sleeps_on_tokio_time_without_moving() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        let before = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(5)).await;
        assert!(before.elapsed() >= Duration::from_secs(5));
        assert_eq!(clock.now(), t0);
    }

    /// The hot path's clock never runs behind the precise one (it may only judge a token
    /// stale early), and both scales advance together.
    #[test]
    fn system_fast_ticks_are_never_earlier_than_now() {
        let clock = SystemClock;
        for _ in 0..1_000 {
            let precise = ticks_of(clock.now());
            assert!(clock.fast_ticks() >= precise);
        }
        let later = clock.now() + Duration::from_secs(60);
        assert!(ticks_of(later) > clock.fast_ticks());
        let one_second = ticks_of(later + Duration::from_secs(1)) - ticks_of(later);
        assert_eq!(one_second, 1 << 32);
    }

    /// An instant before the origin maps below it, and far before to 0: never after.
    #[test]
    fn ticks_of_keeps_order_before_the_origin() {
        let now = Instant::now();
        let (origin, _) = *origin();
        if let Some(before) = origin.checked_sub(Duration::from_millis(1)) {
            assert!(ticks_of(before) < ticks_of(origin));
        }
        assert!(ticks_of(origin) <= ticks_of(now));
    }

    /// The example in [`Clock`]'s documentation.
    #[test]
    fn doc_example_manual_clock() {
        let clock = ManualClock::new();
        let start = clock.now();
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now() - start, Duration::from_secs(90));
    }
}
