//! A small protected API (a resource server) on 127.0.0.1 for the examples and the
//! integration tests: `GET`/`POST /orders` answer only requests with `Authorization: Bearer`
//! and a JWT access token whose `aud` is the API's identifier and whose `exp` is in the future
//! (RFC 6750 §3: a missing token gets a bare `Bearer` challenge, a bad one
//! `error="invalid_token"`). It does not check signatures — it stands in for an API, it is not
//! one to copy — but it can revoke tokens it has seen, as an API whose keys rotated would.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use serde_json::{Value, json};

/// The API: where it listens, and what it saw.
#[derive(Clone)]
pub struct ProtectedApi {
    url: String,
    state: Arc<ApiState>,
}

struct ApiState {
    audience: String,
    seen: Mutex<Vec<Seen>>,
    revoked: Mutex<HashSet<String>>,
    refusal: Mutex<Option<Refusal>>,
}

/// How the API refuses every token, whatever it is (for tests of what a client does then).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `401` with `Bearer error="invalid_token"`.
    InvalidToken,
    /// `401` with a bare `Bearer realm=…` challenge (no error code).
    BareChallenge,
}

/// One request the API answered.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The request body.
    pub body: String,
    /// The status the API answered.
    pub status: u16,
}

impl ProtectedApi {
    /// Starts the API for access tokens issued for `audience`, on an ephemeral loopback port.
    pub async fn start(audience: &str) -> std::io::Result<Self> {
        let state = Arc::new(ApiState {
            audience: audience.to_owned(),
            seen: Mutex::default(),
            revoked: Mutex::default(),
            refusal: Mutex::default(),
        });
        let app = Router::new()
            .route("/orders", get(orders).post(orders))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/orders", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(ProtectedApi { url, state })
    }

    /// The URL of `/orders`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state.seen).clone()
    }

    /// From now on, refuses every token as `refusal` says (`None`: checks tokens again).
    pub fn refuse_every_token(&self, refusal: Option<Refusal>) {
        *lock(&self.state.refusal) = refusal;
    }

    /// From now on, refuses every token it has seen so far with `invalid_token`.
    pub fn revoke_seen_tokens(&self) {
        let seen: Vec<String> = lock(&self.state.seen)
            .iter()
            .filter_map(|s| bearer(s.authorization.as_deref()?).map(str::to_owned))
            .collect();
        lock(&self.state.revoked).extend(seen);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn bearer(authorization: &str) -> Option<&str> {
    authorization.strip_prefix("Bearer ")
}

async fn orders(State(state): State<Arc<ApiState>>, headers: HeaderMap, body: String) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, response) = match check(&state, authorization.as_deref()) {
        Ok(client) => (
            StatusCode::OK,
            (
                [(header::CONTENT_TYPE, "application/json")],
                json!({ "orders": ["A-1", "A-2"], "client": client, "echo": body }).to_string(),
            )
                .into_response(),
        ),
        Err(challenge) => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)].into_response(),
        ),
    };
    lock(&state.seen).push(Seen {
        authorization,
        body,
        status: status.as_u16(),
    });
    (status, response).into_response()
}

/// The token's `client_id` (or `sub`), or the `WWW-Authenticate` challenge to answer with.
fn check(state: &ApiState, authorization: Option<&str>) -> Result<String, String> {
    let invalid = |why: &str| {
        format!(r#"Bearer realm="orders", error="invalid_token", error_description="{why}""#)
    };
    let bare = r#"Bearer realm="orders""#.to_owned();
    match *lock(&state.refusal) {
        Some(Refusal::InvalidToken) => return Err(invalid("refused")),
        Some(Refusal::BareChallenge) => return Err(bare),
        None => {}
    }
    let Some(token) = authorization.and_then(bearer) else {
        return Err(bare);
    };
    if lock(&state.revoked).contains(token) {
        return Err(invalid("revoked"));
    }
    let claims = claims(token).ok_or_else(|| invalid("not a JWT"))?;
    if claims["aud"] != state.audience.as_str() {
        return Err(invalid("issued for another audience"));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if claims["exp"].as_u64().is_none_or(|exp| exp <= now) {
        return Err(invalid("expired"));
    }
    Ok(claims["client_id"]
        .as_str()
        .or(claims["sub"].as_str())
        .unwrap_or("?")
        .to_owned())
}

/// The payload of a compact JWS, decoded (not verified).
fn claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}
