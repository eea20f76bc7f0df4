//! A slot's cached token as `arc-swap` holds it, plus a generation that changes with every
//! write: what lets a thread keep its own copy of the token ([`super::thread_copies`]) and
//! know, with one atomic load, that the copy is still the one cached.

use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::{ArcSwapOption, AsRaw, Guard};

use super::entry::{CachedToken, Entry};

/// Generations are unique in the whole process, not per slot: a thread's copy can then never
/// be mistaken for the token of another slot that happens to reuse a freed slot's address.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// The cached token of one slot and its generation.
pub(crate) struct Published<V> {
    entry: ArcSwapOption<Entry<V>>,
    /// Changed *after* every write of `entry` (release), read *before* `entry` (acquire): a
    /// reader that sees a generation sees at least the entry written before it, so a copy
    /// labelled with a generation is never older than that generation's entry.
    generation: AtomicU64,
}

impl<V> Published<V> {
    pub(crate) fn empty() -> Self {
        Published {
            entry: ArcSwapOption::empty(),
            generation: AtomicU64::new(next_generation()),
        }
    }

    /// The current generation: equal to an earlier reading only if no write came between.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The cached token, borrowed (see `arc_swap::ArcSwapAny::load`).
    #[inline]
    pub(crate) fn load(&self) -> Guard<Option<CachedToken<V>>> {
        self.entry.load()
    }

    /// The cached token, as an owned `Arc`.
    pub(crate) fn load_full(&self) -> Option<CachedToken<V>> {
        self.entry.load_full()
    }

    /// Caches `token` (or nothing).
    pub(crate) fn store(&self, token: Option<CachedToken<V>>) {
        self.entry.store(token);
        self.bump();
    }

    /// Replaces the cached token by `new` if it is still `current`; returns what was cached
    /// (see `arc_swap::ArcSwapAny::compare_and_swap`).
    pub(crate) fn compare_and_swap<C>(
        &self,
        current: C,
        new: Option<CachedToken<V>>,
    ) -> Guard<Option<CachedToken<V>>>
    where
        C: AsRaw<Entry<V>>,
    {
        let previous = self.entry.compare_and_swap(current, new);
        // Also when nothing was swapped: a needless new generation only costs the threads one
        // reload, while a missed one would let them keep a stale copy.
        self.bump();
        previous
    }

    fn bump(&self) {
        self.generation.store(next_generation(), Ordering::Release);
    }
}
