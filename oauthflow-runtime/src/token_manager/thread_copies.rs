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
//!
//! Even a reference count that no other thread writes costs two atomic read-modify-writes per
//! call — the increment when a value is handed out, the decrement when the caller drops it —
//! and those were most of the warm path's time. So a value dropped on the thread whose copy it
//! came from gives its reference back to that copy ([`recycle`]: kept as a spare, at most
//! [`MAX_SPARES`]), and the next hand-out takes a spare instead of counting a new reference:
//! the usual pattern (take a token, send a request, drop it) then counts nothing at all. A value
//! dropped on another thread, or when the thread's copies are busy or gone, is dropped as usual.

use std::cell::RefCell;
use std::sync::Arc;
use std::thread::LocalKey;

use super::published::Published;

/// Copies kept per thread: a client has one slot per audience, and a process a few clients.
const MAX_COPIES: usize = 16;

/// References given back to one copy and kept for its next hand-outs: enough for a caller that
/// holds a few tokens at once; more are dropped as usual.
pub(super) const MAX_SPARES: usize = 4;

/// A value that can be copied for one thread, keeping its identity (e.g. a token compared by
/// [`BearerToken::same_as`](crate::BearerToken::same_as)) but not its reference count.
pub(crate) trait ThreadCopy: Clone + 'static {
    /// What the value's clones share: one reference to it is one value.
    type Shared: 'static;

    /// A copy whose clones share nothing mutable with `self`'s.
    fn thread_copy(&self) -> Self;

    /// The reference `self` holds.
    fn shared(&self) -> &Arc<Self::Shared>;

    /// The value holding `shared` (a spare reference given back by [`recycle`]).
    fn from_shared(shared: Arc<Self::Shared>) -> Self;

    /// The thread-local store of this type's copies (a `thread_local!` of the implementing
    /// module: a `thread_local!` cannot be generic).
    fn copies() -> &'static LocalKey<RefCell<ThreadCopies<Self>>>;
}

/// One thread's copies of values of type `V`.
pub(crate) struct ThreadCopies<V: ThreadCopy> {
    copies: Vec<Copy<V>>,
}

impl<V: ThreadCopy> ThreadCopies<V> {
    /// No copies yet (`const`, for `thread_local!`).
    pub(crate) const fn new() -> Self {
        ThreadCopies { copies: Vec::new() }
    }
}

struct Copy<V: ThreadCopy> {
    /// Which slot (its address) the copy came from: a newer copy of it replaces this one.
    slot: usize,
    generation: u64,
    refresh_at_ticks: u64,
    value: V,
    /// References to `value` given back by values dropped on this thread.
    spares: Vec<Arc<V::Shared>>,
}

impl<V: ThreadCopy> Copy<V> {
    /// One more value: a spare reference if there is one, else a new one.
    #[inline]
    fn hand_out(&mut self) -> V {
        match self.spares.pop() {
            Some(spare) => V::from_shared(spare),
            None => self.value.clone(),
        }
    }
}

/// The cached value of `published` if it is fresh at `now_ticks`, from this thread's copy
/// (made now if the thread has none of the current generation). `None`: nothing fresh cached.
#[inline]
pub(crate) fn fresh_copy<V: ThreadCopy>(published: &Published<V>, now_ticks: u64) -> Option<V> {
    let slot = std::ptr::from_ref(published) as usize;
    // Read before the entry (see `Published`): a copy is never older than its label.
    let generation = published.generation();
    let hit = V::copies().with_borrow_mut(|copies| {
        let copy = copies
            .copies
            .iter_mut()
            .find(|c| c.generation == generation && c.slot == slot)?;
        Some((now_ticks < copy.refresh_at_ticks).then(|| copy.hand_out()))
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
        spares: Vec::new(),
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

/// Gives `shared`, the reference of a value being dropped, back to this thread's copy of that
/// value, whose next hand-out takes it instead of counting a new reference. Dropped as usual
/// when this thread holds no copy of it (it came from another thread, or from the shared
/// cache), when that copy already has [`MAX_SPARES`], or when the thread's copies are being
/// updated or destroyed (a drop from inside [`copy_current`], or at thread exit).
#[inline]
pub(crate) fn recycle<V: ThreadCopy>(shared: Arc<V::Shared>) {
    // When the thread's copies are gone, `try_with` does not run the closure and `shared` is
    // dropped with it.
    let _ = V::copies().try_with(move |copies| {
        let Ok(mut copies) = copies.try_borrow_mut() else {
            return;
        };
        let copy = copies
            .copies
            .iter_mut()
            .find(|c| Arc::ptr_eq(c.value.shared(), &shared));
        if let Some(copy) = copy
            && copy.spares.len() < MAX_SPARES
        {
            copy.spares.push(shared);
        }
    });
}
