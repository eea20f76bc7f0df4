//! One key's state in the manager: the cached token, read lock-free, and the key's single
//! flight (the runtime's one mechanism, [`crate::single_flight`]).

use std::sync::Arc;

use crate::error::Error;
use crate::single_flight::Flight;

use super::entry::CachedToken;
use super::published::Published;

/// What one fetch ended with, shared by every waiter.
pub(crate) type Outcome<V> = Result<CachedToken<V>, Arc<Error>>;

/// One key's state: the cached token and the fetch in flight, if any.
pub(crate) struct Slot<V> {
    /// The cached token; the hot path only ever reads it.
    pub(crate) entry: Published<V>,
    /// The fetch in flight. Locked only briefly, never across an `.await`, never on the hot
    /// path; its lock-free hint tells callers holding a token in its refresh margin that a
    /// refresh is under way.
    pub(crate) flight: Flight<CachedToken<V>, Arc<Error>>,
}

impl<V> Slot<V> {
    pub(crate) fn new() -> Self {
        Slot {
            entry: Published::empty(),
            flight: Flight::new(),
        }
    }
}

/// The flight's task keeps the slot alive (not just the flight) until it has published.
impl<V> AsRef<Flight<CachedToken<V>, Arc<Error>>> for Slot<V> {
    fn as_ref(&self) -> &Flight<CachedToken<V>, Arc<Error>> {
        &self.flight
    }
}
