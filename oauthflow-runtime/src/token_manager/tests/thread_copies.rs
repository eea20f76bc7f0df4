//! The per-thread copies behind `TokenSource::bearer_token`'s warm path: always the cached
//! token, never past its refresh point, and one allocation per thread.

use super::*;
use crate::BearerToken;
use crate::token_manager::thread_copies::MAX_SPARES;

fn bearer(secret: &'static str, expires_in: u64) -> Result<Fetched<BearerToken>, Error> {
    Ok(Fetched::new(
        BearerToken::new(secret).unwrap(),
        Some(secs(expires_in)),
    ))
}

fn bearer_manager(clock: Arc<dyn Clock>) -> Arc<TokenManager<&'static str, BearerToken>> {
    Arc::new(TokenManager::with_keys(
        CacheConfig::default(),
        clock,
        ["a"],
    ))
}

#[tokio::test]
async fn a_thread_copy_is_the_cached_token_and_follows_every_change() {
    let m = bearer_manager(Arc::new(ManualClock::new()));
    assert!(
        m.get_fresh_thread_copy(&"a").is_none(),
        "nothing cached yet"
    );
    let (_, fetch) =
        counted(|n| async move { bearer(if n == 0 { "first" } else { "second" }, 3600) });

    let first = m.get(&"a", fetch.clone()).await.unwrap().value().clone();
    let copy = m.get_fresh_thread_copy(&"a").unwrap();
    assert!(copy.same_as(&first));
    assert_eq!(copy.secret(), "first");

    // Dropped (an API refused it): this thread's copy goes with it.
    assert!(m.invalidate(&"a", |cached| cached.same_as(&copy)));
    assert!(m.get_fresh_thread_copy(&"a").is_none());

    let second = m.get(&"a", fetch).await.unwrap().value().clone();
    let copy = m.get_fresh_thread_copy(&"a").unwrap();
    assert!(copy.same_as(&second) && !copy.same_as(&first));
    assert_eq!(copy.secret(), "second");
}

#[tokio::test]
async fn a_thread_copy_is_not_handed_out_past_the_refresh_point() {
    let clock = Arc::new(ManualClock::new());
    let m = bearer_manager(clock.clone());
    let (fetches, fetch) =
        counted(|n| async move { bearer(if n == 0 { "old" } else { "new" }, 3600) });
    m.get(&"a", fetch.clone()).await.unwrap();
    assert!(m.get_fresh_thread_copy(&"a").is_some());

    clock.advance(secs(3600 - 30)); // inside the 60 s margin
    assert!(
        m.get_fresh_thread_copy(&"a").is_none(),
        "the warm path must leave a token in its margin to `get`"
    );
    // `get` hands out the still-valid token and refreshes in the background.
    assert_eq!(m.get(&"a", fetch).await.unwrap().value().secret(), "old");
    settle().await;
    assert_eq!(fetches.load(SeqCst), 2);
    assert_eq!(m.get_fresh_thread_copy(&"a").unwrap().secret(), "new");
}

#[tokio::test]
async fn threads_get_their_own_allocation_of_the_same_token() {
    let m = bearer_manager(Arc::new(ManualClock::new()));
    let (_, fetch) = counted(|_| async { bearer("shared", 3600) });
    m.get(&"a", fetch).await.unwrap();

    let here = m.get_fresh_thread_copy(&"a").unwrap();
    let again = m.get_fresh_thread_copy(&"a").unwrap();
    let there = {
        let m = Arc::clone(&m);
        std::thread::spawn(move || m.get_fresh_thread_copy(&"a").unwrap())
            .join()
            .unwrap()
    };
    assert!(here.same_as(&there), "the same received token");
    assert_eq!(there.secret(), "shared");
    assert!(
        std::ptr::eq(here.secret(), again.secret()),
        "one copy per thread, reused"
    );
    assert!(
        !std::ptr::eq(here.secret(), there.secret()),
        "another thread's copy is its own allocation (its own reference count)"
    );
}

#[tokio::test]
async fn a_key_without_a_fixed_slot_reads_the_shared_cache() {
    let m = bearer_manager(Arc::new(ManualClock::new()));
    let (_, fetch) = counted(|_| async { bearer("other", 3600) });
    m.get(&"b", fetch).await.unwrap();
    assert_eq!(m.get_fresh_thread_copy(&"b").unwrap().secret(), "other");
}

/// References to this thread's copy of the cached token: the copy's own, the spares and the
/// handed-out tokens.
fn references(token: &BearerToken) -> usize {
    Arc::strong_count(token.shared())
}

#[tokio::test]
async fn a_token_dropped_on_its_thread_gives_its_reference_back() {
    let m = bearer_manager(Arc::new(ManualClock::new()));
    let (_, fetch) = counted(|_| async { bearer("reused", 3600) });
    m.get(&"a", fetch).await.unwrap();

    let kept = m.get_fresh_thread_copy(&"a").unwrap();
    assert_eq!(references(&kept), 2, "the copy's own and this one");
    let first = m.get_fresh_thread_copy(&"a").unwrap();
    assert_eq!(references(&kept), 3);
    drop(first);
    assert_eq!(
        references(&kept),
        3,
        "the dropped token's reference is kept as a spare, not counted down"
    );
    let second = m.get_fresh_thread_copy(&"a").unwrap();
    assert_eq!(
        references(&kept),
        3,
        "the spare was handed out again, no new reference counted"
    );
    assert!(second.same_as(&kept) && second.secret() == kept.secret());

    // Several held at once: each its own reference; dropped, at most MAX_SPARES are kept.
    let held: Vec<_> = (0..6)
        .map(|_| m.get_fresh_thread_copy(&"a").unwrap())
        .collect();
    assert_eq!(references(&kept), 9);
    drop(held);
    assert_eq!(references(&kept), 3 + MAX_SPARES);
}

#[tokio::test]
async fn a_token_dropped_on_another_thread_is_dropped_there() {
    let m = bearer_manager(Arc::new(ManualClock::new()));
    let (_, fetch) = counted(|_| async { bearer("moved", 3600) });
    m.get(&"a", fetch).await.unwrap();

    let kept = m.get_fresh_thread_copy(&"a").unwrap();
    let moved = m.get_fresh_thread_copy(&"a").unwrap();
    assert_eq!(references(&kept), 3);
    std::thread::spawn(move || drop(moved)).join().unwrap();
    assert_eq!(
        references(&kept),
        2,
        "the other thread has no copy of this allocation: its drop counted down"
    );
}

#[tokio::test]
async fn a_new_token_drops_the_old_copy_and_its_spares() {
    let m = bearer_manager(Arc::new(ManualClock::new()));
    let (_, fetch) =
        counted(|n| async move { bearer(if n == 0 { "first" } else { "second" }, 3600) });
    m.get(&"a", fetch.clone()).await.unwrap();
    let old = m.get_fresh_thread_copy(&"a").unwrap();
    drop(m.get_fresh_thread_copy(&"a").unwrap()); // one spare
    assert_eq!(references(&old), 3);

    assert!(m.invalidate(&"a", |cached| cached.same_as(&old)));
    m.get(&"a", fetch).await.unwrap();
    let new = m.get_fresh_thread_copy(&"a").unwrap();
    assert_eq!(new.secret(), "second");
    assert_eq!(
        references(&old),
        1,
        "the replaced copy and its spare are gone; the held token still works"
    );
    assert_eq!(old.secret(), "first");
    drop(old); // no copy holds it any more: dropped as usual
    assert_eq!(references(&new), 2);
}

#[tokio::test]
async fn a_token_dropped_at_thread_exit_is_dropped_as_usual() {
    thread_local! {
        // Destroyed at thread exit, possibly after the thread's copies.
        static HELD: std::cell::RefCell<Vec<BearerToken>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let m = bearer_manager(Arc::new(ManualClock::new()));
    let (_, fetch) = counted(|_| async { bearer("exit", 3600) });
    m.get(&"a", fetch).await.unwrap();
    let probe = {
        let m = Arc::clone(&m);
        std::thread::spawn(move || {
            let token = m.get_fresh_thread_copy(&"a").unwrap();
            let probe = Arc::downgrade(token.shared());
            HELD.with_borrow_mut(|held| {
                held.push(token.clone());
                held.push(token);
            });
            probe
        })
        .join()
        .expect("no panic while the thread's tokens and copies are destroyed")
    };
    assert_eq!(
        probe.strong_count(),
        0,
        "the thread's copy of the token was freed with the thread"
    );
}
