//! A small protected API (a resource server) on 127.0.0.1 for the examples and the
//! integration tests: `GET`/`POST /orders` answer only requests with `Authorization: Bearer`
//! and a JWT access token whose `aud` is the API's identifier and whose `exp` is in the future
//! (RFC 6750 §3: a missing token gets a bare `Bearer` challenge, a bad one
//! `error="invalid_token"`). It does not check the token's signature — it stands in for an API,
//! it is not one to copy — but it can revoke tokens it has seen, as an API whose keys rotated
//! would.
//!
//! A DPoP-bound token (one whose claims carry `cnf.jkt`, RFC 9449 §6) is accepted only as
//! `Authorization: DPoP` with a valid proof (§7.1): signed by the key of its `jwk` header, whose
//! thumbprint is the token's `cnf.jkt`, for this method and URL, with the token's hash as
//! `ath`, fresh (`iat`), never replayed (`jti`), and — when the API demands nonces — with the
//! nonce it handed out (§9).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The API: where it listens, and what it saw.
#[derive(Clone)]
pub struct ProtectedApi {
    url: String,
    state: Arc<ApiState>,
}

struct ApiState {
    audience: String,
    /// `http://127.0.0.1:PORT/orders`: the `htu` a DPoP proof must name.
    url: String,
    /// The nonce DPoP proofs must carry, when the API demands one.
    dpop_nonce: Mutex<Option<String>>,
    /// `jti`s of the DPoP proofs accepted so far (a replayed proof is refused).
    proof_ids: Mutex<HashSet<String>>,
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
    /// The `DPoP` proof header, if any.
    pub dpop: Option<String>,
    /// The request body.
    pub body: String,
    /// The status the API answered.
    pub status: u16,
}

impl ProtectedApi {
    /// Starts the API for access tokens issued for `audience`, on an ephemeral loopback port.
    pub async fn start(audience: &str) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/orders", listener.local_addr()?);
        let state = Arc::new(ApiState {
            audience: audience.to_owned(),
            url: url.clone(),
            dpop_nonce: Mutex::default(),
            proof_ids: Mutex::default(),
            seen: Mutex::default(),
            revoked: Mutex::default(),
            refusal: Mutex::default(),
        });
        let app = Router::new()
            .route("/orders", get(orders).post(orders))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(ProtectedApi { url, state })
    }

    /// From now on, DPoP proofs must carry a nonce the API hands out (RFC 9449 §9): a proof
    /// without the current one gets `401` with `DPoP error="use_dpop_nonce"` and a new
    /// `DPoP-Nonce`.
    pub fn require_dpop_nonce(&self) {
        *lock(&self.state.dpop_nonce) = Some(new_nonce());
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

/// The token of an `Authorization: Bearer` or `DPoP` header.
fn bearer(authorization: &str) -> Option<&str> {
    authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("DPoP "))
}

async fn orders(
    State(state): State<Arc<ApiState>>,
    method: Method,
    headers: HeaderMap,
    body: String,
) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (authorization, dpop) = (text("authorization"), text("dpop"));
    let (status, response) = match check(&state, &method, authorization.as_deref(), dpop.as_deref())
    {
        Ok(client) => (
            StatusCode::OK,
            (
                [(header::CONTENT_TYPE, "application/json")],
                json!({ "orders": ["A-1", "A-2"], "client": client, "echo": body }).to_string(),
            )
                .into_response(),
        ),
        Err(Refused { challenge, nonce }) => {
            let mut response = [(header::WWW_AUTHENTICATE, challenge)].into_response();
            if let Some(nonce) = nonce.and_then(|n| n.parse().ok()) {
                response.headers_mut().insert("dpop-nonce", nonce);
            }
            (StatusCode::UNAUTHORIZED, response)
        }
    };
    lock(&state.seen).push(Seen {
        authorization,
        dpop,
        body,
        status: status.as_u16(),
    });
    (status, response).into_response()
}

/// A `401`: the `WWW-Authenticate` challenge, and a new DPoP nonce to send with it.
struct Refused {
    challenge: String,
    nonce: Option<String>,
}

impl From<String> for Refused {
    fn from(challenge: String) -> Self {
        Refused {
            challenge,
            nonce: None,
        }
    }
}

/// The token's `client_id` (or `sub`), or how to refuse it.
fn check(
    state: &ApiState,
    method: &Method,
    authorization: Option<&str>,
    dpop: Option<&str>,
) -> Result<String, Refused> {
    let invalid = |scheme: &str, why: &str| {
        format!(r#"{scheme} realm="orders", error="invalid_token", error_description="{why}""#)
    };
    let bare = r#"Bearer realm="orders", DPoP algs="ES256 EdDSA""#.to_owned();
    match *lock(&state.refusal) {
        Some(Refusal::InvalidToken) => return Err(invalid("Bearer", "refused").into()),
        Some(Refusal::BareChallenge) => return Err(bare.into()),
        None => {}
    }
    let Some((scheme, token)) = authorization.and_then(|a| a.split_once(' ')) else {
        return Err(bare.into());
    };
    if !matches!(scheme, "Bearer" | "DPoP") {
        return Err(bare.into());
    }
    if lock(&state.revoked).contains(token) {
        return Err(invalid(scheme, "revoked").into());
    }
    let claims = claims(token).ok_or_else(|| invalid(scheme, "not a JWT"))?;
    if claims["aud"] != state.audience.as_str() {
        return Err(invalid(scheme, "issued for another audience").into());
    }
    let now = unix_now();
    if claims["exp"].as_u64().is_none_or(|exp| exp <= now) {
        return Err(invalid(scheme, "expired").into());
    }
    match (claims["cnf"]["jkt"].as_str(), scheme) {
        (None, "Bearer") => {}
        (None, _) => return Err(invalid("DPoP", "not a DPoP-bound token").into()),
        // RFC 9449 §7.2: a bound token sent as a bearer token is refused.
        (Some(_), "Bearer") => {
            return Err(invalid("Bearer", "a DPoP-bound token needs a proof").into());
        }
        (Some(jkt), _) => check_proof(state, method, token, jkt, dpop)?,
    }
    Ok(claims["client_id"]
        .as_str()
        .or(claims["sub"].as_str())
        .unwrap_or("?")
        .to_owned())
}

/// RFC 9449 §4.3 and §7.1: the proof of a request with the DPoP-bound `token`.
fn check_proof(
    state: &ApiState,
    method: &Method,
    token: &str,
    jkt: &str,
    proof: Option<&str>,
) -> Result<(), Refused> {
    let invalid = |why: &str| -> Refused {
        format!(r#"DPoP realm="orders", error="invalid_dpop_proof", error_description="{why}""#)
            .into()
    };
    let proof = proof.ok_or_else(|| invalid("no DPoP proof"))?;
    let (signing_input, signature) = proof.rsplit_once('.').ok_or_else(|| invalid("not a JWS"))?;
    let (header, claims) = signing_input
        .split_once('.')
        .and_then(|(h, c)| Some((decode(h)?, decode(c)?)))
        .ok_or_else(|| invalid("not a JWS"))?;
    if header["typ"] != "dpop+jwt" {
        return Err(invalid("typ is not dpop+jwt"));
    }
    let jwk = &header["jwk"];
    if jwk.get("d").is_some() || thumbprint(jwk).as_deref() != Some(jkt) {
        return Err(invalid(
            "the proof's key is not the one the token is bound to",
        ));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| invalid("the signature is not base64url"))?;
    if !verify(&header["alg"], jwk, signing_input.as_bytes(), &signature) {
        return Err(invalid("bad signature"));
    }
    if claims["htm"] != method.as_str() || claims["htu"] != state.url.as_str() {
        return Err(invalid("the proof is for another request"));
    }
    let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
    if claims["ath"] != ath.as_str() {
        return Err(invalid("ath is not the token's hash"));
    }
    if claims["iat"]
        .as_u64()
        .is_none_or(|iat| iat.abs_diff(unix_now()) > 60)
    {
        return Err(invalid("iat is not now"));
    }
    let mut nonce = lock(&state.dpop_nonce);
    if let Some(expected) = nonce.as_deref()
        && claims["nonce"] != expected
    {
        let fresh = new_nonce();
        *nonce = Some(fresh.clone());
        return Err(Refused {
            challenge: r#"DPoP realm="orders", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#.into(),
            nonce: Some(fresh),
        });
    }
    let jti = claims["jti"].as_str().ok_or_else(|| invalid("no jti"))?;
    if !lock(&state.proof_ids).insert(jti.to_owned()) {
        return Err(invalid("a replayed proof"));
    }
    Ok(())
}

/// RFC 7638 thumbprint of a public EC P-256 or Ed25519 JWK.
fn thumbprint(jwk: &Value) -> Option<String> {
    let canonical = match jwk["kty"].as_str()? {
        "EC" => json!({"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}),
        "OKP" => json!({"crv": jwk["crv"], "kty": "OKP", "x": jwk["x"]}),
        _ => return None,
    };
    // serde_json's map keeps keys sorted: the canonical member order.
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.to_string())))
}

/// Verifies an `ES256` or `EdDSA` signature with the public JWK.
fn verify(alg: &Value, jwk: &Value, message: &[u8], signature: &[u8]) -> bool {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, ED25519, UnparsedPublicKey};
    let part = |name: &str| {
        jwk[name]
            .as_str()
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
    };
    match (alg.as_str(), part("x"), part("y")) {
        (Some("ES256"), Some(x), Some(y)) => {
            let point = [&[0x04][..], &x, &y].concat();
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature)
                .is_ok()
        }
        (Some("EdDSA"), Some(x), None) => UnparsedPublicKey::new(&ED25519, x)
            .verify(message, signature)
            .is_ok(),
        _ => false,
    }
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the nonce is merely predictable: fine for a stand-in API.
    let _ = getrandom::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn decode(part: &str) -> Option<Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// The payload of a compact JWS, decoded (not verified).
fn claims(jwt: &str) -> Option<Value> {
    decode(jwt.split('.').nth(1)?)
}
