//! At most one fetch per key in flight: the first caller registers a [`Flight`] in the key's
//! [`Slot`]; later callers clone its receiver and await the same outcome.
//!
//! The fetch itself runs in its own task, so a caller that times out or is dropped never
//! cancels it for the others, and the flight is always cleared — on success, failure, panic
//! or runtime shutdown — so no waiter hangs and the next call can try again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwapOption;
use tokio::sync::watch;

use crate::error::Error;

use super::entry::{CachedToken, Entry};

/// What one fetch ended with, shared by every waiter.
pub(crate) type Outcome<V> = Result<CachedToken<V>, Arc<Error>>;

/// Where a flight's waiters read its outcome.
pub(crate) type Waiter<V> = watch::Receiver<Option<Outcome<V>>>;

/// One key's state: the cached token (read lock-free) and the fetch in flight, if any.
pub(crate) struct Slot<V> {
    /// The cached token; the hot path only ever `load`s it.
    pub(crate) entry: ArcSwapOption<Entry<V>>,
    /// The fetch in flight. Locked only briefly, never across an `.await`, never on the hot
    /// path.
    flight: Mutex<Option<Waiter<V>>>,
    /// Mirrors `flight.is_some()` (written under its lock) so callers holding a token in its
    /// refresh margin can see a refresh is under way without locking.
    flying: AtomicBool,
}

impl<V> Slot<V> {
    pub(crate) fn new() -> Self {
        Slot {
            entry: ArcSwapOption::empty(),
            flight: Mutex::new(None),
            flying: AtomicBool::new(false),
        }
    }

    pub(crate) fn lock_flight(&self) -> MutexGuard<'_, Option<Waiter<V>>> {
        self.flight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a fetch is in flight.
    pub(crate) fn is_flying(&self) -> bool {
        self.lock_flight().is_some()
    }

    /// Whether a fetch is in flight, without locking (a hint: it may just have ended).
    #[inline]
    pub(crate) fn is_flying_hint(&self) -> bool {
        self.flying.load(Ordering::Acquire)
    }

    /// Clears the flight; `locked` is this slot's flight lock.
    fn clear(&self, locked: &mut Option<Waiter<V>>) {
        *locked = None;
        self.flying.store(false, Ordering::Release);
    }
}

/// The duty to publish one fetch's outcome. Dropping it unpublished (panic, cancelled task)
/// clears the flight and closes the channel, which wakes every waiter with an error.
pub(crate) struct Flight<V> {
    slot: Arc<Slot<V>>,
    tx: Option<watch::Sender<Option<Outcome<V>>>>,
}

impl<V> Flight<V> {
    /// Registers a new flight in `slot`, whose flight lock the caller holds as `locked` (and
    /// which must be empty). Returns the flight and a receiver for the caller.
    pub(crate) fn begin(slot: &Arc<Slot<V>>, locked: &mut Option<Waiter<V>>) -> (Self, Waiter<V>) {
        debug_assert!(locked.is_none(), "a flight is already registered");
        let (tx, rx) = watch::channel(None);
        *locked = Some(rx.clone());
        slot.flying.store(true, Ordering::Release);
        (
            Flight {
                slot: slot.clone(),
                tx: Some(tx),
            },
            rx,
        )
    }

    pub(crate) fn slot(&self) -> &Slot<V> {
        &self.slot
    }

    /// Publishes the outcome: the flight is cleared first (so a call after this one starts
    /// afresh), then every waiter is woken.
    pub(crate) fn finish(mut self, outcome: Outcome<V>) {
        if let Some(tx) = self.tx.take() {
            self.slot.clear(&mut self.slot.lock_flight());
            tx.send_replace(Some(outcome));
        }
    }
}

impl<V> Drop for Flight<V> {
    fn drop(&mut self) {
        if self.tx.is_some() {
            // Unpublished: clear the flight; `tx` is dropped right after, closing the channel.
            self.slot.clear(&mut self.slot.lock_flight());
        }
    }
}

/// Why a wait ended without an outcome.
#[derive(Debug)]
pub(crate) struct FlightAbandoned;

/// Awaits the flight's outcome (immediately, if it is already published).
pub(crate) async fn wait<V>(mut rx: Waiter<V>) -> Result<Outcome<V>, FlightAbandoned> {
    let published = rx
        .wait_for(Option::is_some)
        .await
        .map_err(|_| FlightAbandoned)?;
    published.as_ref().cloned().ok_or(FlightAbandoned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn begin(slot: &Arc<Slot<()>>) -> (Flight<()>, Waiter<()>) {
        Flight::begin(slot, &mut slot.lock_flight())
    }

    #[tokio::test]
    async fn a_dropped_flight_wakes_waiters_and_clears_itself() {
        let slot: Arc<Slot<()>> = Arc::new(Slot::new());
        let rx = {
            let (flight, rx) = begin(&slot);
            let waiter = tokio::spawn(wait(rx.clone()));
            drop(flight);
            assert!(waiter.await.unwrap().is_err());
            rx
        };
        assert!(!slot.is_flying() && !slot.is_flying_hint());
        assert!(wait(rx).await.is_err());
    }

    #[tokio::test]
    async fn a_finished_flight_reaches_late_waiters() {
        let slot: Arc<Slot<()>> = Arc::new(Slot::new());
        let (flight, rx) = begin(&slot);
        assert!(slot.is_flying() && slot.is_flying_hint());
        flight.finish(Err(Arc::new(Error::Timeout { endpoint: "token" })));
        assert!(!slot.is_flying());
        let outcome = wait(rx).await.unwrap();
        assert!(matches!(
            outcome.as_ref().map_err(|e| &**e),
            Err(Error::Timeout { .. })
        ));
    }
}
