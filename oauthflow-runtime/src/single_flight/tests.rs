//! The flight types on their own: waking, clearing, sharing, keeping, and — the reason they
//! exist — a cancelled caller that neither cancels nor repeats the work.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use oauth2::AccessToken;
use tokio::sync::Notify;

use super::*;
use crate::clock::{ManualClock, SystemClock};
use crate::error::Error;
use crate::tokens::TokenSet;

fn tokens(at: &str) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(at.into()),
        refresh_token: None,
        id_token: None,
        id_token_claims: None,
        expires_at: None,
        audience: None,
        scopes: Vec::new(),
        dpop_bound: false,
    }
}

type RefreshLike = Flights<&'static str, TokenSet, Error>;

fn flights(window: Duration) -> Arc<RefreshLike> {
    Arc::new(Flights::new(window, Arc::new(SystemClock)))
}

fn secret(result: Result<Result<TokenSet, Error>, FlightAbandoned>) -> String {
    result
        .expect("an outcome")
        .expect("a success")
        .access_token()
        .secret()
        .clone()
}

#[tokio::test]
async fn a_dropped_launch_wakes_waiters_and_clears_itself() {
    let flight: Arc<Flight<(), ()>> = Arc::new(Flight::new());
    let rx = {
        let (launch, rx) = flight.lock().begin(&flight);
        let waiter = tokio::spawn(wait(rx.clone()));
        drop(launch);
        assert!(waiter.await.unwrap().is_err());
        rx
    };
    assert!(!flight.is_flying() && !flight.is_flying_hint());
    assert!(wait(rx).await.is_err());
}

#[tokio::test]
async fn a_finished_flight_reaches_late_waiters() {
    let flight: Arc<Flight<(), Arc<Error>>> = Arc::new(Flight::new());
    let (launch, rx) = flight.lock().begin(&flight);
    assert!(flight.is_flying() && flight.is_flying_hint());
    launch.finish(Err(Arc::new(Error::Timeout { endpoint: "token" })));
    assert!(!flight.is_flying());
    let outcome = wait(rx).await.unwrap();
    assert!(matches!(
        outcome.as_ref().map_err(|e| &**e),
        Err(Error::Timeout { .. })
    ));
    assert!(
        flight.lock().join().is_none(),
        "nothing kept without a window"
    );
}

#[tokio::test]
async fn concurrent_and_late_callers_share_one_request() {
    let flights = flights(Duration::from_secs(30));
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (flights, calls) = (flights.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            let work = async move {
                calls.fetch_add(1, SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(tokens("new"))
            };
            flights.run(&Handle::current(), "rt-1", work).await
        }));
    }
    for t in tasks {
        assert_eq!(secret(t.await.unwrap()), "new");
    }
    let runtime = Handle::current();
    let late = flights
        .run(&runtime, "rt-1", async { Ok(tokens("second")) })
        .await;
    assert_eq!(secret(late), "new");
    assert_eq!(calls.load(SeqCst), 1);
    let other = flights
        .run(&runtime, "rt-2", async { Ok(tokens("other")) })
        .await;
    assert_eq!(secret(other), "other");
}

#[tokio::test]
async fn errors_are_not_kept() {
    let flights = flights(Duration::from_secs(30));
    let runtime = Handle::current();
    let err = flights
        .run(&runtime, "rt", async {
            Err(Error::Timeout { endpoint: "token" })
        })
        .await;
    assert!(matches!(err, Ok(Err(Error::Timeout { .. }))), "{err:?}");
    let ok = flights
        .run(&runtime, "rt", async { Ok(tokens("ok")) })
        .await;
    assert_eq!(secret(ok), "ok");
}

/// The first caller is aborted while its work is under way (for a refresh: after the POST
/// reached the server). The work is not cancelled and not started again: it completes once,
/// and the second caller gets its result. (Awaiting the work inside the first caller's future,
/// as `OnceCell::get_or_init` does, drops it with the caller and lets the second caller start
/// it again.)
#[tokio::test]
async fn a_cancelled_caller_neither_cancels_nor_repeats_the_work() {
    let flights = flights(Duration::from_secs(30));
    let started = Arc::new(AtomicUsize::new(0));
    let completed = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Notify::new());
    let caller = |name: &'static str| {
        let (flights, started, completed, gate) = (
            flights.clone(),
            started.clone(),
            completed.clone(),
            gate.clone(),
        );
        tokio::spawn(async move {
            let work = async move {
                started.fetch_add(1, SeqCst);
                gate.notified().await;
                completed.fetch_add(1, SeqCst);
                Ok(tokens(name))
            };
            flights.run(&Handle::current(), "rt", work).await
        })
    };
    let first = caller("first");
    while started.load(SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    let second = caller("second");
    tokio::time::sleep(Duration::from_millis(20)).await;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    tokio::time::sleep(Duration::from_millis(20)).await;
    gate.notify_waiters();
    assert_eq!(secret(second.await.unwrap()), "first");
    assert_eq!(started.load(SeqCst), 1, "the work was started again");
    assert_eq!(completed.load(SeqCst), 1, "the work did not complete");
}

#[tokio::test]
async fn a_kept_success_expires_after_its_window_and_idle_keys_are_dropped() {
    let clock = Arc::new(ManualClock::new());
    let flights: RefreshLike = Flights::new(Duration::from_secs(30), clock.clone());
    let runtime = Handle::current();
    let first = flights.run(&runtime, "rt", async { Ok(tokens("a")) }).await;
    assert_eq!(secret(first), "a");
    clock.advance(Duration::from_secs(29));
    let kept = flights.run(&runtime, "rt", async { Ok(tokens("b")) }).await;
    assert_eq!(secret(kept), "a", "within the window: the kept success");
    clock.advance(Duration::from_secs(2));
    let fresh = flights.run(&runtime, "rt", async { Ok(tokens("b")) }).await;
    assert_eq!(secret(fresh), "b", "after the window: new work");
    clock.advance(Duration::from_secs(31));
    let other = flights
        .run(&runtime, "other", async { Ok(tokens("c")) })
        .await;
    assert_eq!(secret(other), "c");
    assert_eq!(flights.len(), 1, "the idle key was dropped");
}

#[tokio::test]
async fn a_panicking_work_wakes_its_waiters_and_the_next_call_runs_again() {
    let flights = flights(Duration::from_secs(30));
    let runtime = Handle::current();
    let panicked = flights
        .run(&runtime, "rt", async { panic!("the work panicked") })
        .await;
    assert_eq!(panicked.err(), Some(FlightAbandoned));
    let ok = flights
        .run(&runtime, "rt", async { Ok(tokens("ok")) })
        .await;
    assert_eq!(secret(ok), "ok");
}
