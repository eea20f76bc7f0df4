//! The hot path allocates nothing: a warm `get` / `get_fresh` only clones an `Arc`.
//! It installs a counting global allocator for the unit-test binary; the counts are per
//! thread, so the tests running next to it do not disturb them. Other tests install a global
//! TRACE subscriber (`common::capture_logs`) that would format the hot path's `trace!` events
//! and allocate for them: these tests measure under a thread-local no-op subscriber instead.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::AccessToken;
use crate::clock::{ManualClock, SystemClock};
use crate::token_manager::{CacheConfig, Fetched, TokenManager};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn ready_now<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a warm get waited"),
    }
}

/// No subscriber on this thread, whatever another test installed globally.
fn quiet() -> tracing::subscriber::DefaultGuard {
    tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default())
}

fn fetched() -> Result<Fetched, crate::Error> {
    Ok(Fetched::new(
        AccessToken::new("t".into()),
        Some(Duration::from_secs(3600)),
    ))
}

#[test]
fn warm_gets_allocate_nothing() {
    let _quiet = quiet();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let m: TokenManager<(Option<&'static str>, &'static str)> =
        TokenManager::new(CacheConfig::default(), Arc::new(SystemClock));
    let key = (Some("https://api.example.com"), "read");
    rt.block_on(m.get(&key, || async { fetched() })).unwrap();
    // Warm the thread's arc-swap debt slots and tracing's callsite registry.
    for _ in 0..10 {
        ready_now(m.get(&key, || async { fetched() })).unwrap();
    }

    let before = allocations();
    for _ in 0..1000 {
        let token = ready_now(m.get(&key, || async { fetched() })).unwrap();
        assert_eq!(token.access_token().secret(), "t");
        assert!(m.get_fresh(&key).is_some());
    }
    assert_eq!(allocations() - before, 0, "the hot path allocated");
}

#[test]
fn the_refresh_in_flight_path_allocates_nothing_either() {
    let _quiet = quiet();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock = Arc::new(ManualClock::new());
    let m: TokenManager<&'static str> = TokenManager::new(CacheConfig::default(), clock.clone());
    rt.block_on(async {
        m.get(&"a", || async { fetched() }).await.unwrap();
        clock.advance(Duration::from_secs(3600 - 30));
        m.get(&"a", || async {
            std::future::pending::<()>().await;
            fetched()
        })
        .await
        .unwrap();
    });
    for _ in 0..10 {
        ready_now(m.get(&"a", || async { fetched() })).unwrap();
    }
    let before = allocations();
    for _ in 0..1000 {
        ready_now(m.get(&"a", || async { fetched() })).unwrap();
    }
    assert_eq!(
        allocations() - before,
        0,
        "serving during a refresh allocated"
    );
}
