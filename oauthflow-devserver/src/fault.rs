//! A fault-injecting HTTP peer on 127.0.0.1, for what a real authorization server never does:
//! malformed JSON, HTML error pages, huge bodies, redirects on the token endpoint, stalls,
//! dropped connections, tokens signed with the wrong key.
//!
//! Each path answers from a script of [`Reply`]s (the last one repeats); every request is
//! recorded so a test can assert what was (or was not) sent.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use oauthflow_devserver::fault::{FaultPeer, Reply};
//!
//! let peer = FaultPeer::start().await.unwrap();
//! peer.on("/token", Reply::json(200, serde_json::json!({"access_token": "x", "token_type": "bearer"})));
//! let body = reqwest::Client::new()
//!     .post(peer.url("/token"))
//!     .body("grant_type=client_credentials")
//!     .send().await.unwrap()
//!     .text().await.unwrap();
//! assert!(body.contains("access_token"));
//! assert_eq!(peer.requests_to("/token").len(), 1);
//! assert_eq!(peer.requests_to("/token")[0].body, "grant_type=client_credentials");
//! # });
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Largest request the peer reads (headers + body); tests never send more.
const MAX_REQUEST: usize = 1 << 20;

/// What the peer does with one request.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    behaviour: Behaviour,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    Respond,
    /// Read the request, then never answer (until the connection is dropped by the client).
    Stall,
    /// Read the request, then close the connection without a response.
    Close,
}

impl Reply {
    /// A response with a body and a `Content-Type`.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            behaviour: Behaviour::Respond,
        }
    }

    /// A JSON response.
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Self::new(status, "application/json", value.to_string())
    }

    /// A response whose body is sent as is with `Content-Type: application/json`
    /// (for malformed JSON).
    pub fn raw_json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/json", body)
    }

    /// An HTML page (e.g. a proxy's error page).
    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "text/html; charset=utf-8", body)
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::new(status, "text/plain", Vec::new()).header("Location", location)
    }

    /// Reads the request and never answers.
    pub fn stall() -> Self {
        Reply {
            behaviour: Behaviour::Stall,
            ..Self::new(200, "text/plain", Vec::new())
        }
    }

    /// Reads the request and closes the connection without answering.
    pub fn close() -> Self {
        Reply {
            behaviour: Behaviour::Close,
            ..Self::new(200, "text/plain", Vec::new())
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One request the peer received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (without `?`), if any.
    pub query: Option<String>,
    /// Header names (lowercased) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, as text (lossy).
    pub body: String,
}

impl Recorded {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The form field (or query parameter, for GET) with this name, decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        let source = if self.method == "GET" {
            self.query.clone().unwrap_or_default()
        } else {
            self.body.clone()
        };
        url::form_urlencoded::parse(source.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

#[derive(Default)]
struct State {
    scripts: HashMap<String, Vec<Reply>>,
    requests: Vec<Recorded>,
}

/// A scripted HTTP/1.1 peer on `127.0.0.1` with an ephemeral port; stops when dropped.
pub struct FaultPeer {
    port: u16,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl FaultPeer {
    /// Binds `127.0.0.1:0` and starts serving. Unscripted paths answer 404.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Ok(FaultPeer { port, state, task })
    }

    /// The port the peer listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` (no trailing slash) — usable as an issuer.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// Answers every request to `path` with `reply`.
    pub fn on(&self, path: &str, reply: Reply) {
        self.script(path, vec![reply]);
    }

    /// Answers successive requests to `path` with these replies; the last one repeats.
    pub fn script(&self, path: &str, replies: Vec<Reply>) {
        self.lock().scripts.insert(path.to_owned(), replies);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The requests received so far on `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FaultPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let reply = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        let reply = match state.scripts.get_mut(&request.path) {
            Some(script) if script.len() > 1 => Some(script.remove(0)),
            Some(script) => script.first().cloned(),
            None => None,
        };
        state.requests.push(request);
        reply.unwrap_or_else(|| Reply::new(404, "text/plain", "not scripted"))
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    match reply.behaviour {
        Behaviour::Close => return,
        Behaviour::Stall => {
            // Hold the connection open until the client gives up.
            let mut sink = [0u8; 64];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            return;
        }
        Behaviour::Respond => {}
    }
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&reply.body).await;
    let _ = stream.shutdown().await;
}

async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if buf.len() > MAX_REQUEST {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let method = start.next()?.to_owned();
    let target = start.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(MAX_REQUEST);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body_end = buf.len().min(header_end + length);
    let body = String::from_utf8_lossy(&buf[header_end..body_end]).into_owned();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target, None),
    };
    Some(Recorded {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
