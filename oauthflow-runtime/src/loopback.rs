//! The native app's loopback redirect listener (RFC 8252 §7.3, §8.3; R32, R20).
//!
//! It binds the redirect URI's loopback IP literal on an ephemeral port, only for the one
//! authorization response, accepts exactly one `GET` on the exact redirect path whose `Host` is
//! the loopback literal with that port and whose `state` matches (constant-time compare), answers
//! the browser with a small page that says what happened — received, cancelled (`access_denied`)
//! or failed, without any value from the request — and clears `code`, `state` and `iss` from the
//! address bar (R20), and closes the socket. Anything else — another path,
//! another `state`, a foreign `Host` (DNS rebinding), another method, an oversized or malformed
//! request — gets `404` and the listener keeps waiting, up to the timeout. Slow or stalled
//! connections do not block the real callback: each connection is served on its own task.
//!
//! The user's browser is the user agent (RFC 8252 §8.12): the library never embeds a web view;
//! the application opens the URL in the system browser.
//!
//! # How the client calls it
//!
//! Crate-internal, so not a doctest: `loopback::tests::doc_example` compiles this code.
//!
//! ```ignore
//! # async fn demo() -> Result<(), crate::Error> {
//! use std::time::Duration;
//! use crate::loopback::Listener;
//!
//! // `login_via_loopback(audience, open)`: the configured redirect URI (no port), e.g.
//! // `http://127.0.0.1/callback`.
//! let listener = Listener::bind("http://127.0.0.1/callback").await?;
//! let redirect_uri = listener.redirect_uri().to_owned(); // http://127.0.0.1:PORT/callback
//! // ... build the authorization URL (code + PKCE) with `redirect_uri`, call `open(&url)` ...
//! # let state = String::new();
//! let callback_query = listener
//!     .wait_for_callback(&state, Duration::from_secs(300))
//!     .await?; // "code=...&state=...&iss=..."
//! // ... then `exchange_code(pending, &callback_query)` with the same `redirect_uri` ...
//! # let _ = (redirect_uri, callback_query); Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::error::{ConfigError, Error};
use crate::limits::{CONNECTION_READ_TIMEOUT, MAX_CONCURRENT_CONNECTIONS, MAX_REQUEST_HEAD_BYTES};
use crate::secret_eq::secrets_equal;

/// What the matched callback says, for the page the browser is shown (no code, state or error
/// text from the request ever reaches the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// A `code` came back: the application now redeems it.
    Received,
    /// `error=access_denied`: the user (or the server's policy) declined.
    Denied,
    /// Any other `error`, or neither `code` nor `error`.
    Failed,
}

impl Outcome {
    fn of(query: &str) -> Outcome {
        let mut code = false;
        let mut error = None;
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "code" if !value.is_empty() => code = true,
                "error" => error = Some(value.into_owned()),
                _ => {}
            }
        }
        match (error.as_deref(), code) {
            (Some("access_denied"), _) => Outcome::Denied,
            (Some(_), _) | (None, false) => Outcome::Failed,
            (None, true) => Outcome::Received,
        }
    }

    fn page(self) -> String {
        let (title, text) = match self {
            Outcome::Received => (
                "Sign-in received",
                "The application received your sign-in and is finishing it. You can close this window and return to the application.",
            ),
            Outcome::Denied => (
                "Sign-in cancelled",
                "The sign-in was cancelled or access was declined. You can close this window; the application was told.",
            ),
            Outcome::Failed => (
                "Sign-in failed",
                "The authorization server reported a problem, so the sign-in did not complete. You can close this window and try again from the application.",
            ),
        };
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p><script>{CLEAN_URL_SCRIPT}</script></body></html>"
        )
    }
}

/// Replaces the address bar's URL with the bare path, so the `code`, `state` and `iss` of the
/// response stay neither in the address bar nor in the history (R20). It is the page's only
/// script, allowed by its hash in the Content-Security-Policy.
const CLEAN_URL_SCRIPT: &str = "history.replaceState(null, \"\", location.pathname);";

/// The CSP source that allows exactly [`CLEAN_URL_SCRIPT`].
fn clean_url_script_hash() -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(CLEAN_URL_SCRIPT.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

const NOT_FOUND_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1></body></html>";

/// A bound loopback listener for one authorization response. Dropping it (or
/// [`wait_for_callback`](Self::wait_for_callback) returning) closes the port.
pub struct Listener {
    listener: TcpListener,
    redirect_uri: String,
    path: String,
    host: String,
}

impl Listener {
    /// Binds the IP literal of `configured_redirect_uri` (`http://127.0.0.1/...` or
    /// `http://[::1]/...`, without a port) on an ephemeral port.
    ///
    /// Errors: [`ConfigError::InvalidUrl`] for any other redirect URI (`localhost`, a port,
    /// https, a fragment); [`Error::Loopback`] when the port cannot be bound.
    pub async fn bind(configured_redirect_uri: &str) -> Result<Self, Error> {
        let (ip, host_literal, rest) = split_loopback(configured_redirect_uri)?;
        let listener = TcpListener::bind(SocketAddr::new(ip, 0))
            .await
            .map_err(|e| Error::Loopback {
                reason: format!("cannot bind {host_literal} on an ephemeral port: {e}"),
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Loopback {
                reason: format!("cannot read the bound port: {e}"),
            })?
            .port();
        let host = format!("{host_literal}:{port}");
        let path = match rest.split(['?']).next().unwrap_or_default() {
            "" => "/".to_owned(),
            p => p.to_owned(),
        };
        Ok(Listener {
            listener,
            redirect_uri: format!("http://{host}{rest}"),
            path,
            host,
        })
    }

    /// The redirect URI to send: the configured one with the bound port inserted after the IP
    /// literal, everything else verbatim (RFC 8252 §7.3; R10).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The bound port.
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests call it"))]
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The bound address (always a loopback address).
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests call it"))]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Waits up to `timeout` for the one callback on the redirect path whose `state` equals
    /// `expected_state`, answers it with a small static page and returns its query string
    /// (without `?`), e.g. `code=...&state=...&iss=...` or `error=access_denied&state=...` — the
    /// caller then checks it in full (`exchange_code`). The port is closed when this returns.
    ///
    /// Errors: [`Error::Loopback`] on timeout or when the listener fails.
    ///
    /// The returned future owns everything it needs (it can be spawned).
    pub fn wait_for_callback(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<String, Error>> + Send + 'static {
        let expected = Arc::new(Expected {
            path: self.path.clone(),
            host: self.host.clone(),
            state: expected_state.to_owned(),
            claimed: AtomicBool::new(false),
        });
        self.serve_until(expected, timeout)
    }

    async fn serve_until(
        self,
        expected: Arc<Expected>,
        timeout: Duration,
    ) -> Result<String, Error> {
        let now = tokio::time::Instant::now();
        // A timeout too large for the clock means "wait as long as it takes" (a year).
        let deadline = now
            .checked_add(timeout)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        let mut tasks: JoinSet<Option<String>> = JoinSet::new();
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    return Err(Error::Loopback {
                        reason: format!(
                            "no authorization response reached {} within {} s",
                            self.path,
                            timeout.as_secs()
                        ),
                    });
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        if !peer.ip().is_loopback() || tasks.len() >= MAX_CONCURRENT_CONNECTIONS {
                            drop(stream);
                            continue;
                        }
                        tasks.spawn(serve(stream, expected.clone()));
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "loopback listener: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok(Some(query)) = joined {
                        return Ok(query);
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

struct Expected {
    path: String,
    host: String,
    state: String,
    claimed: AtomicBool,
}

/// Splits `http://127.0.0.1/rest` into the IP, the host literal as written in URLs and `rest`.
fn split_loopback(configured: &str) -> Result<(IpAddr, &'static str, &str), Error> {
    let invalid = |reason: &str| -> Error {
        ConfigError::InvalidUrl {
            what: "redirect_uri",
            reason: reason.to_owned(),
        }
        .into()
    };
    let (ip, literal, rest) = if let Some(rest) = configured.strip_prefix("http://127.0.0.1") {
        (IpAddr::V4(Ipv4Addr::LOCALHOST), "127.0.0.1", rest)
    } else if let Some(rest) = configured.strip_prefix("http://[::1]") {
        (IpAddr::V6(Ipv6Addr::LOCALHOST), "[::1]", rest)
    } else {
        return Err(invalid(
            "a loopback redirect must be `http://127.0.0.1/...` or `http://[::1]/...` (RFC 8252 §7.3; not `localhost`, §8.3)",
        ));
    };
    if rest.starts_with(':') {
        return Err(invalid(
            "the loopback port is chosen at run time (RFC 8252 §7.3): write the redirect URI without a port",
        ));
    }
    if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
        return Err(invalid("the host must be exactly the loopback IP literal"));
    }
    if rest.contains('#') {
        return Err(invalid(
            "a redirect URI cannot carry a fragment (RFC 6749 §3.1.2)",
        ));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            "the redirect URI contains whitespace or control characters",
        ));
    }
    Ok((ip, literal, rest))
}

/// Serves one connection; `Some(query)` when it was the callback.
async fn serve(mut stream: TcpStream, expected: Arc<Expected>) -> Option<String> {
    let head = match tokio::time::timeout(CONNECTION_READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Some(head)) => head,
        _ => {
            respond(&mut stream, 404, NOT_FOUND_PAGE).await;
            return None;
        }
    };
    match check(&head, &expected) {
        Some(query)
            if expected
                .claimed
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok() =>
        {
            respond(&mut stream, 200, &Outcome::of(&query).page()).await;
            Some(query)
        }
        _ => {
            respond(&mut stream, 404, NOT_FOUND_PAGE).await;
            None
        }
    }
}

/// Reads the request head, at most [`MAX_REQUEST_HEAD_BYTES`].
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(end);
            return String::from_utf8(buf).ok();
        }
        if buf.len() > MAX_REQUEST_HEAD_BYTES {
            return None;
        }
    }
}

/// The query of a valid callback request, or `None`.
fn check(head: &str, expected: &Expected) -> Option<String> {
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target, version) = (
        request_line.next()?,
        request_line.next()?,
        request_line.next()?,
    );
    if request_line.next().is_some()
        || method != "GET"
        || !matches!(version, "HTTP/1.1" | "HTTP/1.0")
    {
        return None;
    }
    let mut hosts = lines
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim());
    let host = hosts.next()?;
    if hosts.next().is_some() || host != expected.host {
        return None;
    }
    let (path, query) = target.split_once('?')?;
    if path != expected.path {
        return None;
    }
    let mut states = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "state")
        .map(|(_, value)| value);
    let state = states.next()?;
    if states.next().is_some() || !secrets_equal(&state, &expected.state) {
        return None;
    }
    Some(query.to_owned())
}

async fn respond(stream: &mut TcpStream, status: u16, page: &str) {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Cache-Control: no-store\r\n\
         Pragma: no-cache\r\n\
         Referrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\n\
         X-Frame-Options: DENY\r\n\
         Content-Security-Policy: default-src 'none'; script-src {}; frame-ancestors 'none'\r\n\
         Connection: close\r\n\r\n",
        page.len(),
        clean_url_script_hash()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(page.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page says what came back (never a value from the request), and the script the CSP
    /// allows is the page's script: its hash is the SHA-256 of exactly that text.
    #[test]
    fn the_page_tells_the_truth_and_its_script_is_the_hashed_one() {
        assert_eq!(Outcome::of("code=c&state=s"), Outcome::Received);
        assert_eq!(Outcome::of("error=access_denied&state=s"), Outcome::Denied);
        assert_eq!(Outcome::of("error=server_error&state=s"), Outcome::Failed);
        assert_eq!(
            Outcome::of("code=c&error=access_denied&state=s"),
            Outcome::Denied
        );
        assert_eq!(Outcome::of("state=s"), Outcome::Failed);
        assert_eq!(Outcome::of("code=&state=s"), Outcome::Failed);
        for outcome in [Outcome::Received, Outcome::Denied, Outcome::Failed] {
            let page = outcome.page();
            assert!(page.contains(&format!("<script>{CLEAN_URL_SCRIPT}</script>")));
        }
        assert_eq!(
            clean_url_script_hash(),
            "'sha256-".to_owned()
                + &{
                    use base64::Engine as _;
                    use sha2::Digest as _;
                    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(
                        b"history.replaceState(null, \"\", location.pathname);",
                    ))
                }
                + "'"
        );
    }

    fn expected() -> Expected {
        Expected {
            path: "/callback".into(),
            host: "127.0.0.1:4711".into(),
            state: "s1".into(),
            claimed: AtomicBool::new(false),
        }
    }

    #[test]
    fn check_accepts_only_the_exact_callback() {
        let ok =
            "GET /callback?code=c&state=s1&iss=x HTTP/1.1\r\nHost: 127.0.0.1:4711\r\nAccept: */*";
        assert_eq!(
            check(ok, &expected()).as_deref(),
            Some("code=c&state=s1&iss=x")
        );
        for bad in [
            "GET /callback?code=c&state=s2 HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /callback?code=c HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /callback?state=s1&state=s1 HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /callback/?state=s1 HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /other?state=s1 HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /callback HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "POST /callback?state=s1 HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /callback?state=s1 HTTP/1.1\r\nHost: evil.test",
            "GET /callback?state=s1 HTTP/1.1\r\nHost: localhost:4711",
            "GET /callback?state=s1 HTTP/1.1\r\nHost: 127.0.0.1",
            "GET /callback?state=s1 HTTP/1.1",
            "GET /callback?state=s1 HTTP/1.1\r\nHost: 127.0.0.1:4711\r\nHost: evil.test",
            "GET http://evil.test/callback?state=s1 HTTP/1.1\r\nHost: 127.0.0.1:4711",
            "GET /callback?state=s1 HTTP/2\r\nHost: 127.0.0.1:4711",
            "GET /callback?state=s1 HTTP/1.1 extra\r\nHost: 127.0.0.1:4711",
            "",
        ] {
            assert_eq!(check(bad, &expected()), None, "{bad:?}");
        }
    }

    #[test]
    fn split_loopback_accepts_ip_literals_without_port() {
        let (ip, literal, rest) = split_loopback("http://127.0.0.1/callback").unwrap();
        assert_eq!(
            (ip, literal, rest),
            (IpAddr::V4(Ipv4Addr::LOCALHOST), "127.0.0.1", "/callback")
        );
        let (ip, _, rest) = split_loopback("http://[::1]/cb?x=1").unwrap();
        assert_eq!((ip, rest), (IpAddr::V6(Ipv6Addr::LOCALHOST), "/cb?x=1"));
        assert_eq!(split_loopback("http://127.0.0.1").unwrap().2, "");
        for bad in [
            "http://localhost/callback",
            "https://127.0.0.1/callback",
            "http://127.0.0.1:8080/callback",
            "http://127.0.0.10/callback",
            "http://127.0.0.1.evil.test/callback",
            "http://127.0.0.1@evil.test/callback",
            "http://127.0.0.1/callback#frag",
            "http://127.0.0.1/call back",
            "com.example.app:/callback",
        ] {
            assert!(
                matches!(
                    split_loopback(bad),
                    Err(Error::Config(ConfigError::InvalidUrl { .. }))
                ),
                "{bad}"
            );
        }
    }

    /// The example in the module documentation: compiled, not run.
    #[allow(dead_code)]
    async fn doc_example() -> Result<(), crate::Error> {
        use std::time::Duration;

        use crate::loopback::Listener;

        let listener = Listener::bind("http://127.0.0.1/callback").await?;
        let redirect_uri = listener.redirect_uri().to_owned();
        let state = String::new();
        let callback_query = listener
            .wait_for_callback(&state, Duration::from_secs(300))
            .await?;
        let _ = (redirect_uri, callback_query);
        Ok(())
    }
}
