//! The per-thread copies behind `TokenSource::bearer_token`'s warm path: always the cached
//! token, never past its refresh point, and one allocation per thread.

use super::*;
use crate::BearerToken;

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
