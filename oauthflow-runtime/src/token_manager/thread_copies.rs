//! Per-thread copies of the hot tokens: the warm path of `TokenSource::bearer_token` without
//! any write to memory that another thread touches.
//!
//! Reading the shared cache costs `arc-swap`'s bookkeeping (a write to a shared debt list and
//! back) plus a reference-count increment on the one shared `Arc` — writes that bounce a
//! cache line between cores when several threads call at once. Here each thread keeps its
//! own copy of a token (an `Arc` of its own, made once per thread and token), labelled with
//! the slot's [generation](super::published::Published::generation): one atomic load tells
//! whether the copy is still the cached token, and handing it out increments a count no
//! other thread writes.
//!
//! A copy is only ever used while its generation is current and before its refresh point
//! (the same check as the shared path), so it never outlives the cached token: a new token,
//! an invalidation or a cooled-down refresh point all change the generation. A thread keeps
//! at most [`MAX_COPIES`] copies; a client that is dropped leaves its copies behind until the
//! thread replaces them or exits (they are never handed out again: generations are unique).

use std::cell::RefCell;
use std::thread::LocalKey;

use super::published::Published;

/// Copies kept per thread: a client has one slot per audience, and a process a few clients.
const MAX_COPIES: usize = 16;

/// A value that can be copied for one thread, keeping its identity (e.g. a token compared by
/// [`BearerToken::same_as`](crate::BearerToken::same_as)) but not its reference count.
pub(crate) trait ThreadCopy: Clone + 'static {
    /// A copy whose clones share nothing mutable with `self`'s.
    fn thread_copy(&self) -> Self;

    /// The thread-local store of this type's copies (a `thread_local!` of the implementing
    /// module: a `thread_local!` cannot be generic).
    fn copies() -> &'static LocalKey<RefCell<ThreadCopies<Self>>>;
}

/// One thread's copies of values of type `V`.
pub(crate) struct ThreadCopies<V> {
    copies: Vec<Copy<V>>,
}

impl<V> ThreadCopies<V> {
    /// No copies yet (`const`, for `thread_local!`).
    pub(crate) const fn new() -> Self {
        ThreadCopies { copies: Vec::new() }
    }
}

struct Copy<V> {
    /// Which slot (its address) the copy came from: a newer copy of it replaces this one.
    slot: usize,
    generation: u64,
    refresh_at_ticks: u64,
    value: V,
}

/// The cached value of `published` if it is fresh at `now_ticks`, from this thread's copy
/// (made now if the thread has none of the current generation). `None`: nothing fresh cached.
#[inline]
pub(crate) fn fresh_copy<V: ThreadCopy>(published: &Published<V>, now_ticks: u64) -> Option<V> {
    let slot = std::ptr::from_ref(published) as usize;
    // Read before the entry (see `Published`): a copy is never older than its label.
    let generation = published.generation();
    let hit = V::copies().with_borrow(|copies| {
        let copy = copies
            .copies
            .iter()
            .find(|c| c.generation == generation && c.slot == slot)?;
        Some((now_ticks < copy.refresh_at_ticks).then(|| copy.value.clone()))
    });
    match hit {
        Some(fresh) => fresh,
        None => copy_current(published, slot, generation, now_ticks),
    }
}

/// The slow side of [`fresh_copy`]: reads the shared entry and keeps a copy of it.
#[cold]
fn copy_current<V: ThreadCopy>(
    published: &Published<V>,
    slot: usize,
    generation: u64,
    now_ticks: u64,
) -> Option<V> {
    let entry = published.load_full()?;
    let value = entry.value().thread_copy();
    let copy = Copy {
        slot,
        generation,
        refresh_at_ticks: entry.refresh_at_ticks(),
        value: value.clone(),
    };
    V::copies().with_borrow_mut(|copies| {
        let copies = &mut copies.copies;
        copies.retain(|c| c.slot != slot);
        if copies.len() >= MAX_COPIES {
            copies.remove(0);
        }
        copies.push(copy);
    });
    (now_ticks < entry.refresh_at_ticks()).then_some(value)
}
