//! The runtime's one single-flight mechanism: at most one piece of work per key in flight, run
//! in **its own Tokio task**, with every caller for that key awaiting the same outcome.
//!
//! Why its own task: a caller that times out, is dropped or is aborted must never cancel the
//! work for the others — and, worse, must never make a waiting caller start it again. For a
//! refresh, "again" means presenting the same (by then rotated) refresh token a second time,
//! which makes oidc-provider, Auth0 and others revoke the whole grant (RFC 9700 §4.14.2).
//! Awaiting the work inside the first caller's future (`OnceCell::get_or_init`) has exactly that
//! flaw: cancel the first caller after its POST reached the server, and the next waiter sends it
//! again.
//!
//! Two users, one mechanism:
//! - the token manager keeps one [`Flight`] in each key's slot, next to the cached token (its
//!   lock-free hot path reads the token, never the flight);
//! - refresh uses [`Flights`], a map of [`Flight`]s keyed by the SHA-256 of the refresh token,
//!   which also keeps a successful result for a short window, so a caller arriving just after
//!   the flight finished — still holding the old refresh token — gets the new tokens instead of
//!   replaying it. Errors are never kept: a later call may try again.
//!
//! A flight is always cleared when its task ends — on success, failure, panic or runtime
//! shutdown — so no waiter hangs and the next call can start afresh.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::clock::Clock;

/// Where a flight's waiters read its outcome.
pub(crate) type Waiter<T, E> = watch::Receiver<Option<Result<T, E>>>;

/// Why a wait ended without an outcome: the flight's task panicked, or the runtime is shutting
/// down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FlightAbandoned;

/// Awaits a flight's outcome (at once, if it is already published).
pub(crate) async fn wait<T: Clone, E: Clone>(
    mut waiter: Waiter<T, E>,
) -> Result<Result<T, E>, FlightAbandoned> {
    let published = waiter
        .wait_for(Option::is_some)
        .await
        .map_err(|_| FlightAbandoned)?;
    published.as_ref().cloned().ok_or(FlightAbandoned)
}

/// How long a successful outcome stays available to later callers, on which clock.
struct Keep {
    window: Duration,
    clock: Arc<dyn Clock>,
}

/// One key's single flight: the work in flight, if any, and (with a keep window) the last
/// success while it is fresh.
pub(crate) struct Flight<T, E> {
    state: Mutex<State<T, E>>,
    /// Mirrors `state.running.is_some()` (written under the lock), so a caller can see that work
    /// is under way without locking.
    flying: AtomicBool,
    keep: Option<Keep>,
}

struct State<T, E> {
    running: Option<Waiter<T, E>>,
    kept: Option<(T, Instant)>,
}

/// What [`Locked::join`] found.
pub(crate) enum Joined<T, E> {
    /// A success that finished within the keep window.
    Kept(T),
    /// The flight in progress.
    Running(Waiter<T, E>),
}

impl<T, E> Flight<T, E> {
    /// A flight that keeps nothing once it lands.
    pub(crate) fn new() -> Self {
        Flight {
            state: Mutex::new(State {
                running: None,
                kept: None,
            }),
            flying: AtomicBool::new(false),
            keep: None,
        }
    }

    /// A flight whose success stays available for `window` (measured on `clock`) after it
    /// landed.
    pub(crate) fn keeping(window: Duration, clock: Arc<dyn Clock>) -> Self {
        Flight {
            keep: Some(Keep { window, clock }),
            ..Self::new()
        }
    }

    /// Locks the flight, briefly: never across an `.await`, never on a hot path.
    pub(crate) fn lock(&self) -> Locked<'_, T, E> {
        Locked {
            flight: self,
            state: self.state.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Whether work is in flight.
    pub(crate) fn is_flying(&self) -> bool {
        self.lock().is_running()
    }

    /// Whether work is in flight, without locking (a hint: it may just have ended).
    #[inline]
    pub(crate) fn is_flying_hint(&self) -> bool {
        self.flying.load(Ordering::Acquire)
    }
}

impl<T, E> Default for Flight<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> AsRef<Flight<T, E>> for Flight<T, E> {
    fn as_ref(&self) -> &Flight<T, E> {
        self
    }
}

/// A locked [`Flight`]: decide, then join or begin.
pub(crate) struct Locked<'a, T, E> {
    flight: &'a Flight<T, E>,
    state: MutexGuard<'a, State<T, E>>,
}

impl<T, E> Locked<'_, T, E> {
    /// Whether work is in flight.
    pub(crate) fn is_running(&self) -> bool {
        self.state.running.is_some()
    }
}

impl<T: Clone, E> Locked<'_, T, E> {
    /// A receiver of the flight in progress, if any.
    pub(crate) fn running(&self) -> Option<Waiter<T, E>> {
        self.state.running.clone()
    }

    /// The kept success (if still within its window) or the flight in progress.
    pub(crate) fn join(&self) -> Option<Joined<T, E>> {
        match self.kept() {
            Some(value) => Some(Joined::Kept(value.clone())),
            None => self.running().map(Joined::Running),
        }
    }

    /// The last success, while it is within the keep window.
    fn kept(&self) -> Option<&T> {
        let (value, landed) = self.state.kept.as_ref()?;
        let keep = self.flight.keep.as_ref()?;
        let age = keep.clock.now().saturating_duration_since(*landed);
        (age < keep.window).then_some(value)
    }

    /// Whether the flight holds anything: work in flight, or a success still within its window.
    fn is_busy(&self) -> bool {
        self.is_running() || self.kept().is_some()
    }

    /// Registers new work (none may be in flight) and returns the duty to run it plus a receiver
    /// for the caller. `owner` owns this flight (the flight itself, or the slot that embeds it):
    /// the launched task keeps it alive until it has published.
    pub(crate) fn begin<O>(&mut self, owner: &Arc<O>) -> (Launch<T, E>, Waiter<T, E>)
    where
        O: AsRef<Flight<T, E>> + Send + Sync + 'static,
    {
        debug_assert!(
            std::ptr::eq((**owner).as_ref(), self.flight),
            "`owner` does not own this flight"
        );
        debug_assert!(self.state.running.is_none(), "work is already in flight");
        let (tx, rx) = watch::channel(None);
        self.state.running = Some(rx.clone());
        self.flight.flying.store(true, Ordering::Release);
        let owner: Arc<dyn AsRef<Flight<T, E>> + Send + Sync> = owner.clone();
        (
            Launch {
                owner,
                tx: Some(tx),
            },
            rx,
        )
    }
}

/// The duty to run one flight's work and publish its outcome. Dropping it unpublished (a panic,
/// a task dropped at runtime shutdown, or never spawned) clears the flight and closes the
/// channel, which wakes every waiter with [`FlightAbandoned`].
pub(crate) struct Launch<T, E> {
    owner: Arc<dyn AsRef<Flight<T, E>> + Send + Sync>,
    tx: Option<watch::Sender<Option<Result<T, E>>>>,
}

impl<T, E> Launch<T, E>
where
    T: Clone + Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    /// Runs `work` in its own task on `runtime`, then publishes its outcome. No caller's
    /// cancellation reaches it.
    pub(crate) fn spawn<Fut>(self, runtime: &Handle, work: Fut)
    where
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        runtime.spawn(async move {
            let outcome = work.await;
            self.finish(outcome);
        });
    }

    /// Publishes the outcome: the flight is cleared (and a success kept) first, so a call after
    /// this one either gets the kept success or starts afresh; then every waiter is woken.
    fn finish(mut self, outcome: Result<T, E>) {
        let Some(tx) = self.tx.take() else {
            return;
        };
        {
            let flight = (*self.owner).as_ref();
            let mut locked = flight.lock();
            locked.state.running = None;
            // Errors are never kept: a later call may try again.
            locked.state.kept = match (&outcome, &flight.keep) {
                (Ok(value), Some(keep)) => Some((value.clone(), keep.clock.now())),
                _ => None,
            };
            flight.flying.store(false, Ordering::Release);
        }
        tx.send_replace(Some(outcome));
    }
}

impl<T, E> Drop for Launch<T, E> {
    fn drop(&mut self) {
        if self.tx.is_some() {
            // Unpublished: clear the flight; `tx` is dropped right after, closing the channel.
            let flight = (*self.owner).as_ref();
            flight
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .running = None;
            flight.flying.store(false, Ordering::Release);
        }
    }
}

/// [`Flight`]s by key, each keeping its success for a window: what refresh shares its requests
/// through. Idle keys (nothing in flight, nothing kept) are dropped on the next call.
pub(crate) struct Flights<K, T, E> {
    flights: Mutex<HashMap<K, Arc<Flight<T, E>>>>,
    window: Duration,
    clock: Arc<dyn Clock>,
}

impl<K, T, E> Flights<K, T, E>
where
    K: Hash + Eq,
    T: Clone + Send + Sync + 'static,
    E: Clone + Send + Sync + 'static,
{
    /// No flights yet; a success is kept for `window` on `clock`.
    pub(crate) fn new(window: Duration, clock: Arc<dyn Clock>) -> Self {
        Flights {
            flights: Mutex::new(HashMap::new()),
            window,
            clock,
        }
    }

    /// The outcome of the flight for `key`: the kept success, the flight in progress, or `work`
    /// started now in its own task on `runtime`. `work` is dropped unpolled when the call joins.
    ///
    /// Cancelling this call (dropping its future) only stops waiting; the work goes on and its
    /// outcome reaches every other caller.
    pub(crate) async fn run<Fut>(
        &self,
        runtime: &Handle,
        key: K,
        work: Fut,
    ) -> Result<Result<T, E>, FlightAbandoned>
    where
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let (launch, waiter) = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            flights.retain(|_, flight| flight.lock().is_busy());
            let flight = flights
                .entry(key)
                .or_insert_with(|| Arc::new(Flight::keeping(self.window, Arc::clone(&self.clock))))
                .clone();
            let mut locked = flight.lock();
            match locked.join() {
                Some(Joined::Kept(value)) => return Ok(Ok(value)),
                Some(Joined::Running(waiter)) => (None, waiter),
                None => {
                    let (launch, waiter) = locked.begin(&flight);
                    (Some(launch), waiter)
                }
            }
        };
        if let Some(launch) = launch {
            launch.spawn(runtime, work);
        }
        wait(waiter).await
    }

    /// How many keys are held (in flight or kept).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.flights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests;
