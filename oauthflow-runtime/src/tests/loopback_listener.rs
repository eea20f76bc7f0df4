//! The native loopback redirect listener over real sockets (R32, R20, R10).

use super::common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::loopback::Listener;
use crate::{ConfigError, Error};
use common::raw_http;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STATE: &str = "af0ifjsldkj-state-0123456789abcdef";

fn get(path_and_query: &str, host: &str) -> String {
    format!("GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n\r\n")
}

/// The status of a `GET path_and_query` to the listener on `port`, with the right `Host`.
async fn get_status(port: u16, path_and_query: &str) -> u16 {
    raw_http(port, &get(path_and_query, &format!("127.0.0.1:{port}")))
        .await
        .0
}

#[tokio::test]
async fn redirect_uri_gets_the_bound_port_and_keeps_the_rest_verbatim() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    assert_ne!(port, 0);
    assert_eq!(
        listener.redirect_uri(),
        format!("http://127.0.0.1:{port}/callback")
    );
    assert_eq!(
        listener.local_addr().unwrap().ip(),
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        "bound to loopback only"
    );
    let listener = Listener::bind("http://127.0.0.1/oauth/cb%20x?app=1")
        .await
        .unwrap();
    assert_eq!(
        listener.redirect_uri(),
        format!("http://127.0.0.1:{}/oauth/cb%20x?app=1", listener.port())
    );
    for bad in [
        "http://localhost/callback",
        "http://127.0.0.1:8080/callback",
        "https://127.0.0.1/callback",
        "http://192.168.1.1/callback",
    ] {
        assert!(
            matches!(
                Listener::bind(bad).await,
                Err(Error::Config(ConfigError::InvalidUrl { .. }))
            ),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn one_matching_callback_succeeds_with_a_safe_page_and_the_port_closes() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    let redirect = listener.redirect_uri().to_owned();
    let waiting = tokio::spawn(listener.wait_for_callback(STATE, Duration::from_secs(10)));
    // A real HTTP client, as the browser would follow the AS's redirect.
    let response = reqwest::get(format!(
        "{redirect}?code=abc&state={STATE}&iss=http%3A%2F%2F127.0.0.1%3A3000"
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    assert!(!body.contains("src=") && !body.contains("href="));
    assert!(body.contains("Sign-in received"), "{body}");
    // Nothing of the response on the page, and the address bar is cleared of it (R20) by the
    // page's one script, which the CSP allows by its hash and nothing else.
    assert!(!body.contains("abc") && !body.contains(STATE), "{body}");
    assert_eq!(body.matches("<script>").count(), 1, "{body}");
    assert!(body.contains("<script>history.replaceState(null, \"\", location.pathname);</script>"));
    assert!(
        csp.starts_with("default-src 'none'; script-src 'sha256-") && !csp.contains("unsafe"),
        "{csp}"
    );
    let query = waiting.await.unwrap().expect("callback");
    assert_eq!(
        query,
        format!("code=abc&state={STATE}&iss=http%3A%2F%2F127.0.0.1%3A3000")
    );
    // The port is closed afterwards.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

#[tokio::test]
async fn forged_and_foreign_requests_get_404_and_the_listener_keeps_waiting() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    let host = format!("127.0.0.1:{port}");
    let waiting = tokio::spawn(listener.wait_for_callback(STATE, Duration::from_secs(10)));

    // (a) wrong state, missing state, duplicated state
    for target in [
        "/callback?code=evil&state=wrong".to_owned(),
        "/callback?code=evil".to_owned(),
        format!("/callback?code=evil&state={STATE}&state={STATE}"),
        // wrong path
        format!("/callback/?code=evil&state={STATE}"),
        format!("/other?code=evil&state={STATE}"),
        format!("/?code=evil&state={STATE}"),
    ] {
        let (status, _) = raw_http(port, &get(&target, &host)).await;
        assert_eq!(status, 404, "{target}");
    }
    // (b) DNS rebinding: a foreign Host
    for other_host in [
        "evil.test".to_owned(),
        format!("evil.test:{port}"),
        format!("localhost:{port}"),
    ] {
        let (status, _) = raw_http(
            port,
            &get(&format!("/callback?code=evil&state={STATE}"), &other_host),
        )
        .await;
        assert_eq!(status, 404, "{other_host}");
    }
    // Another method, no Host, garbage, an oversized head.
    let (status, _) = raw_http(
        port,
        &format!(
            "POST /callback?state={STATE} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = raw_http(
        port,
        &format!("GET /callback?state={STATE} HTTP/1.1\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = raw_http(port, "\u{1}\u{2} nonsense\r\n\r\n").await;
    assert_eq!(status, 404);
    let huge = format!(
        "GET /callback?state={STATE} HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(10_000)
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let _ = stream.write_all(huge.as_bytes()).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    assert!(!String::from_utf8_lossy(&response).contains(" 200 "));
    assert!(
        !waiting.is_finished(),
        "still waiting after forged requests"
    );

    // (c) the real callback still works.
    let (status, response) = raw_http(
        port,
        &get(&format!("/callback?code=real&state={STATE}"), &host),
    )
    .await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(
        waiting.await.unwrap().unwrap(),
        format!("code=real&state={STATE}")
    );
}

#[tokio::test]
async fn a_stalled_connection_does_not_block_the_callback() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    let waiting = tokio::spawn(listener.wait_for_callback(STATE, Duration::from_secs(10)));
    let _stalled = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut half = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    half.write_all(b"GET /callback?state=").await.unwrap();
    let status = get_status(port, &format!("/callback?code=c&state={STATE}")).await;
    assert_eq!(status, 200);
    assert!(waiting.await.unwrap().is_ok());
}

#[tokio::test]
async fn error_callbacks_with_the_right_state_are_handed_back() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    let waiting = tokio::spawn(listener.wait_for_callback(STATE, Duration::from_secs(10)));
    // The page tells the truth: a cancelled sign-in is not "received".
    let page = reqwest::get(format!(
        "http://127.0.0.1:{port}/callback?error=access_denied&state={STATE}"
    ))
    .await
    .unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("Sign-in cancelled"), "{body}");
    assert!(!body.contains("received"), "{body}");
    assert_eq!(
        waiting.await.unwrap().unwrap(),
        format!("error=access_denied&state={STATE}")
    );
}

#[tokio::test]
async fn times_out_and_closes() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    let result = listener
        .wait_for_callback(STATE, Duration::from_millis(200))
        .await;
    match result {
        Err(Error::Loopback { reason }) => {
            assert!(reason.contains("no authorization response"), "{reason}")
        }
        other => panic!("expected a loopback timeout, got {other:?}"),
    }
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

#[tokio::test]
async fn errors_and_debug_do_not_show_the_state() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    assert!(!format!("{listener:?}").contains(STATE));
    let error = listener
        .wait_for_callback(STATE, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(!error.to_string().contains(STATE) && !format!("{error:?}").contains(STATE));
}

#[tokio::test]
async fn an_unbounded_timeout_does_not_panic() {
    let listener = Listener::bind("http://127.0.0.1/callback").await.unwrap();
    let port = listener.port();
    let waiting = tokio::spawn(listener.wait_for_callback(STATE, Duration::MAX));
    let status = get_status(port, &format!("/callback?code=c&state={STATE}")).await;
    assert_eq!(status, 200);
    assert!(waiting.await.unwrap().is_ok());
}
