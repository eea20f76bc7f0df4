//! Deterministic fuzz-style robustness checks: thousands of malformed inputs (callbacks, form
//! bodies, token / discovery / device responses, ID tokens) thrown at the public entry points.
//! Each call runs in its own Tokio task, so a panic shows up as a `JoinError::is_panic()` and
//! is reported with the input that caused it. A small xorshift PRNG with fixed seeds keeps
//! every run identical; no extra crates.
//!
//! Helpers are local on purpose (of `common/` this file uses only `Client`).

use std::time::{Duration, SystemTime};

use super::common::Client;
use crate::spec::ClientSpec;
use crate::{AudienceParam, ClientSecret, Error, Flow, Kind, SecretString, Settings, TokenSet};
use base64::Engine as _;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// PRNG and generators
// ---------------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Awkward string fragments: separators, bad escapes, non-UTF-8 escapes, multi-byte UTF-8,
/// controls, URL pieces.
const FRAGMENTS: &[&str] = &[
    "=",
    "&",
    "&&",
    "==",
    "%",
    "%F",
    "%FF",
    "%C3",
    "%C3%28",
    "%E2%82",
    "%00",
    "%zz",
    "%2",
    "+",
    "#",
    "#frag",
    "?",
    "??",
    ";",
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "id_token",
    "nonce",
    "é",
    "ß",
    "💥",
    "日本",
    "\u{0}",
    "\u{7f}",
    "\r\n",
    "\t",
    " ",
    "\u{feff}",
    "\u{202e}",
    "http://",
    "https://127.0.0.1",
    "//",
    "<script>",
    "\"",
    "'",
    "\\",
    "access_denied",
    "a",
    "0",
    "-1",
    "18446744073709551616",
];

fn random_text(rng: &mut Rng, max_parts: usize) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(max_parts + 1) {
        match rng.below(10) {
            0 => out.push_str(&"A".repeat(rng.below(5000))),
            1 => out.push_str(&"é".repeat(rng.below(300))),
            2 => out.push(char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}')),
            3 => out.push_str(&format!("{:x}", rng.next())),
            _ => out.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]),
        }
    }
    out
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JSON value of a random (mostly wrong) type, as raw JSON text so that numbers beyond what
/// `serde_json::Value` keeps exactly (2^64, 1e400) reach the parser as sent.
fn random_json(rng: &mut Rng, depth: usize) -> String {
    const RAW: &[&str] = &[
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "1.5",
        "1e308",
        "-1e308",
        "1e400",
        "1e20",
        "-1e20",
        "1e-300",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "-9223372036854775808",
        "340282366920938463463374607431768211456",
        "\"\"",
        "\"3600\"",
        "\"Bearer\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"💥é\"",
        "[]",
        "{}",
        "[null]",
        "{\"a\":{\"b\":[1,{\"c\":null}]}}",
    ];
    match rng.below(6) {
        0 if depth < 4 => {
            let items: Vec<String> = (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect();
            format!("[{}]", items.join(","))
        }
        1 if depth < 4 => {
            let items: Vec<String> = (0..rng.below(4))
                .map(|_| {
                    format!(
                        "{}:{}",
                        Value::String(random_text(rng, 2)),
                        random_json(rng, depth + 1)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        2 => Value::String(random_text(rng, 4)).to_string(),
        3 if rng.chance(20) => {
            // Deep nesting: past serde_json's recursion limit (128), up to 100k levels.
            let depth = 100 + rng.below(100_000);
            let open = if rng.chance(2) { "[" } else { "{\"a\":" };
            let close = if open == "[" { "]" } else { "}" };
            format!("{}1{}", open.repeat(depth), close.repeat(depth))
        }
        _ => (*rng.pick(RAW)).to_owned(),
    }
}

/// Mangles serialized JSON: truncation, a stray byte, duplication, an invalid UTF-8 byte.
fn mangle(rng: &mut Rng, body: String) -> Vec<u8> {
    let mut bytes = body.into_bytes();
    match rng.below(6) {
        0 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            bytes.truncate(at);
        }
        1 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            bytes.insert(at, *rng.pick(b"{}[],:\"\\\xff\x00 "));
        }
        2 => {
            let copy = bytes.clone();
            bytes.extend_from_slice(&copy);
        }
        3 => bytes.push(0xff),
        _ => {}
    }
    bytes
}

// ---------------------------------------------------------------------------------------------
// Running a call and catching a panic
// ---------------------------------------------------------------------------------------------

/// Runs `call` in its own task; a panic fails the test naming `input` (test data only).
async fn no_panic<T: Send + 'static>(
    input: &str,
    call: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    match tokio::spawn(call).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => {
            let shown: String = input.chars().take(400).collect();
            panic!("the library panicked on input {shown:?}");
        }
        Err(e) => panic!("task failed: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Specs and peers
// ---------------------------------------------------------------------------------------------

const ORDERS: &str = "https://api.example.com/orders";

static MACHINE: ClientSpec = ClientSpec::new(
    "RobustMachine",
    Kind::Machine,
    Flow::ClientCredentials,
    "ROBUST_MACHINE",
)
.audiences(&[ORDERS])
.audience_param(AudienceParam::Resource);

static WEB: ClientSpec = ClientSpec::new(
    "RobustWeb",
    Kind::Web,
    Flow::AuthorizationCode,
    "ROBUST_WEB",
)
.audiences(&[ORDERS])
.audience_param(AudienceParam::Resource)
.scopes(&["read:orders"])
.redirect_uri("http://127.0.0.1:8080/callback")
.refresh_tokens();

static WEB_OIDC: ClientSpec = ClientSpec {
    struct_name: "RobustWebOidc",
    scopes: &["openid"],
    env_prefix: "ROBUST_WEB_OIDC",
    ..WEB
};

static TRUSTED: ClientSpec = ClientSpec::new(
    "RobustTrusted",
    Kind::Trusted,
    Flow::Password,
    "ROBUST_TRUSTED",
)
.audiences(&[ORDERS])
.audience_param(AudienceParam::Resource);

static SPA_LOGIN: ClientSpec = ClientSpec::new(
    "RobustSpaLogin",
    Kind::Spa,
    Flow::ImplicitFormPost,
    "ROBUST_SPA_LOGIN",
)
.scopes(&["openid"])
.redirect_uri("https://127.0.0.1/callback");

static DEVICE: ClientSpec = ClientSpec::new(
    "RobustDevice",
    Kind::Device,
    Flow::DeviceCode,
    "ROBUST_DEVICE",
)
.audiences(&[ORDERS])
.audience_param(AudienceParam::Resource)
.scopes(&["read:orders"]);

fn metadata(peer: &FaultPeer) -> Value {
    json!({
        "issuer": peer.base(),
        "authorization_endpoint": peer.url("/auth"),
        "token_endpoint": peer.url("/token"),
        "device_authorization_endpoint": peer.url("/device"),
        "jwks_uri": peer.url("/jwks"),
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["code", "id_token"],
        "response_modes_supported": ["query", "form_post"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    })
}

async fn peer() -> FaultPeer {
    let peer = FaultPeer::start().await.expect("fault peer");
    peer.on(
        "/.well-known/openid-configuration",
        Reply::json(200, metadata(&peer)),
    );
    peer.on("/jwks", Reply::json(200, json!({"keys": []})));
    peer
}

fn confidential(spec: &'static ClientSpec, peer: &FaultPeer) -> Client {
    Client::new(
        spec,
        Settings::confidential("the-client", ClientSecret::new("the-secret".into()))
            .issuer(peer.base()),
    )
    .expect("valid settings")
}

fn public(spec: &'static ClientSpec, peer: &FaultPeer) -> Client {
    Client::new(spec, Settings::public("the-client").issuer(peer.base())).expect("valid settings")
}

fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn query_param(url: &url::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Callbacks and form-post bodies: refused before any network call
// ---------------------------------------------------------------------------------------------

/// A random callback that never carries the exact expected `state` alone (so every one of them
/// must fail before the token request).
fn random_callback(rng: &mut Rng, state: &str, iss: &str) -> String {
    let near_state = match rng.below(6) {
        0 => format!("{state}x"),
        1 => state[..state.len() / 2].to_owned(),
        2 => state.to_uppercase(),
        3 => format!("{state}%FF"),
        4 => format!("%{state}"),
        _ => random_text(rng, 3),
    };
    let mut pairs: Vec<String> = Vec::new();
    for _ in 0..rng.below(8) {
        let name = match rng.below(8) {
            0 => "code".to_owned(),
            1 => "state".to_owned(),
            2 => "iss".to_owned(),
            3 => "error".to_owned(),
            4 => String::new(),
            _ => random_text(rng, 2),
        };
        let value = match rng.below(5) {
            0 => near_state.clone(),
            1 => iss.to_owned(),
            2 => "A".repeat(rng.below(70_000)),
            _ => random_text(rng, 4),
        };
        pairs.push(if rng.chance(7) {
            name
        } else {
            format!("{name}={value}")
        });
    }
    let query = pairs.join(if rng.chance(5) { ";" } else { "&" });
    match rng.below(5) {
        0 => format!("http://127.0.0.1:8080/callback?{query}"),
        1 => format!("?{query}"),
        2 => format!("http://127.0.0.1:8080/callback#{query}"),
        3 => format!("{query}#state={state}"),
        _ => query,
    }
}

#[tokio::test]
async fn exchange_code_survives_malformed_callbacks_without_a_token_request() {
    let peer = peer().await;
    peer.on("/token", Reply::json(500, json!({})));
    let client = confidential(&WEB, &peer);
    let iss = peer.base();
    let mut rng = Rng::new(0xC0FFEE);
    for i in 0..1500 {
        let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let state = pending.state().to_owned();
        // A few hand-made inputs with the right `state` and something else wrong.
        let callback = match i {
            0 => format!("code=c&state={state}&state={state}&iss={iss}"),
            1 => format!("code=c&error=access_denied&state={state}&iss={iss}"),
            2 => format!("state={state}&iss={iss}"),
            3 => format!("code=c&state={state}&iss=https%3A%2F%2Fevil.example"),
            4 => format!("error=access_denied&state={state}&iss={iss}"),
            5 => format!("code=c&code=d&state={state}&iss={iss}"),
            6 => format!("code=&state={state}&iss={iss}"),
            _ => random_callback(&mut rng, &state, &iss),
        };
        let client = client.clone();
        let input = callback.clone();
        let result = no_panic(&callback, async move {
            client.exchange_code(pending, &input).await
        })
        .await;
        assert!(result.is_err(), "accepted callback {callback:?}");
    }
    assert_eq!(
        peer.requests_to("/token").len(),
        0,
        "a malformed callback reached the token endpoint"
    );
}

#[tokio::test]
async fn verify_form_post_survives_malformed_bodies_without_a_jwks_request() {
    let peer = peer().await;
    let client = public(&SPA_LOGIN, &peer);
    let mut rng = Rng::new(0xF0F0);
    for _ in 0..1500 {
        let (_, pending) = client.authorize_url(None).await.unwrap();
        let state = pending.state().to_owned();
        let mut body = random_callback(&mut rng, &state, "x");
        if rng.chance(3) {
            body = format!("id_token=a.b.c&{body}");
        }
        if rng.chance(4) {
            // The right state, twice: a duplicate is refused too.
            body = format!("state={state}&{body}&state={state}");
        }
        let client = client.clone();
        let input = body.clone();
        let result = no_panic(&body, async move {
            client.verify_form_post(pending, &input).await
        })
        .await;
        assert!(result.is_err(), "accepted form body {body:?}");
    }
    assert_eq!(peer.requests_to("/jwks").len(), 0);
    assert_eq!(peer.requests_to("/token").len(), 0);
}

// ---------------------------------------------------------------------------------------------
// Token responses
// ---------------------------------------------------------------------------------------------

/// A token response body and whether a correct client must accept it (`None`: either way).
fn random_token_body(rng: &mut Rng) -> (Vec<u8>, Option<bool>) {
    let mut members: Vec<String> = Vec::new();
    let mut valid = true;
    // access_token
    match rng.below(6) {
        0 => valid = false, // absent
        1 => {
            let v = random_json(rng, 1);
            valid &= v.starts_with('"') && v != "\"\"";
            members.push(format!("\"access_token\":{v}"));
        }
        _ => members.push(format!(
            "\"access_token\":{}",
            Value::String(format!("at-{}", random_text(rng, 2)))
        )),
    }
    // token_type
    match rng.below(6) {
        0 => valid = false,
        1 => {
            let t = random_json(rng, 1);
            valid &= t.eq_ignore_ascii_case("\"bearer\"");
            members.push(format!("\"token_type\":{t}"));
        }
        _ => members.push(format!(
            "\"token_type\":\"{}\"",
            rng.pick(&["Bearer", "bearer", "BEARER"])
        )),
    }
    // expires_in
    const OK_EXPIRES: &[&str] = &["0", "1", "3600", "18446744073709551615", "null"];
    const BAD_EXPIRES: &[&str] = &[
        "-1",
        "1.5",
        "1e308",
        "1e400",
        "18446744073709551616",
        "-9223372036854775808",
        "\"3600\"",
        "true",
        "[]",
        "{}",
    ];
    match rng.below(3) {
        0 => {}
        1 => members.push(format!("\"expires_in\":{}", rng.pick(OK_EXPIRES))),
        _ => {
            valid = false;
            members.push(format!("\"expires_in\":{}", rng.pick(BAD_EXPIRES)));
        }
    }
    for name in ["refresh_token", "id_token", "scope"] {
        match rng.below(4) {
            0 => {}
            1 => {
                let v = random_json(rng, 1);
                valid &= v == "null" || v.starts_with('"');
                members.push(format!("\"{name}\":{v}"));
            }
            _ => members.push(format!("\"{name}\":{}", Value::String(random_text(rng, 3)))),
        }
    }
    if rng.chance(8) {
        members.push(format!("\"error\":{}", random_json(rng, 1)));
    }
    for _ in 0..rng.below(3) {
        members.push(format!(
            "{}:{}",
            Value::String(format!("x-{}", random_text(rng, 2))), // never a known name
            random_json(rng, 0)
        ));
    }
    // Shuffle.
    for i in (1..members.len()).rev() {
        let j = rng.below(i + 1);
        members.swap(i, j);
    }
    let text = format!("{{{}}}", members.join(","));
    let bytes = mangle(rng, text.clone());
    // A mangled body that still parses to the same JSON (a `,` inside a string) stays valid.
    let parses = serde_json::from_slice::<Value>(&bytes).is_ok();
    let expect = if !parses {
        Some(false) // also as generated: `1e400`, a lone surrogate
    } else if bytes != text.as_bytes() || text.contains("\"error\":") {
        None // still JSON after mangling (a `,` inside a name), or an `error` member: no oracle
    } else {
        Some(valid)
    };
    (bytes, expect)
}

fn check_tokens(tokens: &TokenSet, before: SystemTime) {
    assert!(!tokens.access_token().secret().is_empty());
    if let Some(at) = tokens.expires_at() {
        assert!(at >= before, "expires_at in the past");
        assert!(
            at <= SystemTime::now() + Duration::from_secs(401 * 24 * 3600),
            "expires_at beyond the cap"
        );
    }
}

#[tokio::test]
async fn client_credentials_survives_malformed_token_responses() {
    let peer = peer().await;
    let mut rng = Rng::new(0x5EED_0001);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..1000 {
        let (body, valid) = random_token_body(&mut rng);
        let status = *rng.pick(&[200, 200, 200, 201, 400, 401]);
        peer.on("/token", Reply::raw_json(status, body.clone()));
        let client = confidential(&MACHINE, &peer);
        let input = String::from_utf8_lossy(&body).into_owned();
        let result = no_panic(&input, async move {
            client.client_credentials_token(Some(ORDERS)).await
        })
        .await;
        let expect = if (200..300).contains(&status) {
            valid
        } else {
            Some(false)
        };
        if result.is_ok() {
            accepted += 1;
        } else {
            refused += 1;
        }
        match (&result, expect) {
            (Ok(token), _) if token.secret().is_empty() => panic!("empty token from {input:?}"),
            (Ok(_), Some(true) | None) | (Err(_), Some(false) | None) => {}
            (Ok(_), Some(false)) => panic!("accepted an invalid token response {input:?}"),
            (Err(e), Some(true)) => panic!("refused a valid token response {input:?}: {e:?}"),
        }
    }
    // The generator covers both sides of the oracle.
    assert!(
        accepted > 20 && refused > 300,
        "{accepted} accepted, {refused} refused"
    );
}

/// A 503 with `Retry-After: 1`, then one with `Retry-After: u64::MAX`: the retry budget ends
/// (it used to overflow `elapsed + delay` and panic the fetch task).
#[tokio::test]
async fn client_credentials_survives_absurd_retry_after() {
    let peer = peer().await;
    for huge in [
        "18446744073709551615",
        "9223372036854775808",
        "99999999999999",
    ] {
        peer.script(
            "/token",
            vec![
                Reply::json(503, json!({})).header("Retry-After", "1"),
                Reply::json(503, json!({})).header("Retry-After", huge),
            ],
        );
        let client = confidential(&MACHINE, &peer);
        let result = no_panic(huge, async move {
            tokio::time::timeout(
                Duration::from_secs(20),
                client.client_credentials_token(Some(ORDERS)),
            )
            .await
        })
        .await;
        let err = result.expect("no hang").expect_err("a 503 is not a token");
        assert!(
            matches!(err, Error::HttpStatus { status: 503, .. }),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn password_and_refresh_survive_malformed_token_responses() {
    let peer = peer().await;
    let mut rng = Rng::new(0x5EED_0002);
    let password = SecretString::from("pw".to_owned());
    for _ in 0..300 {
        let (body, _) = random_token_body(&mut rng);
        peer.on("/token", Reply::raw_json(200, body.clone()));
        let client = confidential(&TRUSTED, &peer);
        let input = String::from_utf8_lossy(&body).into_owned();
        let pw = password.clone();
        let before = SystemTime::now();
        let result = no_panic(&input, async move {
            client.password_token("alice", &pw, Some(ORDERS)).await
        })
        .await;
        if let Ok(tokens) = result {
            check_tokens(&tokens, before);
        }
    }

    // A real token set with a refresh token, then refresh answered with garbage.
    let client = confidential(&WEB, &peer);
    let mut original = None;
    for _ in 0..3 {
        peer.on(
            "/token",
            Reply::json(
                200,
                json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60, "refresh_token": "rt"}),
            ),
        );
        let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let callback = format!(
            "?{}",
            encode(&[
                ("code", "c"),
                ("state", pending.state()),
                ("iss", &peer.base())
            ])
        );
        original = Some(client.exchange_code(pending, &callback).await.unwrap());
    }
    let original = original.unwrap();
    for _ in 0..300 {
        let (body, _) = random_token_body(&mut rng);
        peer.on("/token", Reply::raw_json(200, body.clone()));
        let input = String::from_utf8_lossy(&body).into_owned();
        let (client, tokens) = (client.clone(), original.clone());
        let before = SystemTime::now();
        let result = no_panic(&input, async move { client.refresh(&tokens).await }).await;
        if let Ok(tokens) = result {
            check_tokens(&tokens, before);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery documents
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn discovery_survives_malformed_documents() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on(
        "/token",
        Reply::json(
            200,
            json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60}),
        ),
    );
    let good = metadata(&peer);
    let fields: Vec<String> = good.as_object().unwrap().keys().cloned().collect();
    let mut rng = Rng::new(0xD15C);
    for i in 0..400 {
        let mut doc = good.as_object().unwrap().clone();
        let edits = if i == 0 { 0 } else { 1 + rng.below(3) };
        for _ in 0..edits {
            let name = rng.pick(&fields).clone();
            match rng.below(5) {
                0 => {
                    doc.remove(&name);
                }
                1 => {
                    doc.insert(
                        name,
                        json!(
                            rng.pick(&[
                                "http://evil.example/token",
                                "",
                                "not a url",
                                "https://",
                                "https://[::1",
                                "https://例え.jp/トークン",
                                "javascript:alert(1)",
                            ])
                            .to_string()
                        ),
                    );
                }
                _ => {
                    let raw = random_json(&mut rng, 1);
                    let value = serde_json::from_str(&raw).unwrap_or(Value::Null);
                    doc.insert(name, value);
                }
            }
        }
        let text = Value::Object(doc).to_string();
        let body = if i > 0 && rng.chance(6) {
            mangle(&mut rng, text.clone())
        } else {
            text.into_bytes()
        };
        peer.on(
            "/.well-known/openid-configuration",
            Reply::raw_json(200, body.clone()),
        );
        let client = confidential(&MACHINE, &peer);
        let input = String::from_utf8_lossy(&body).into_owned();
        let result = no_panic(&input, async move {
            client.client_credentials_token(Some(ORDERS)).await
        })
        .await;
        if i == 0 {
            assert!(result.is_ok(), "{result:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ID tokens
// ---------------------------------------------------------------------------------------------

fn random_jwt(rng: &mut Rng, issuer: &str, nonce: &str) -> String {
    const ALGS: &[&str] = &[
        "\"RS256\"",
        "\"ES256\"",
        "\"EdDSA\"",
        "\"HS256\"",
        "\"none\"",
        "\"NONE\"",
        "\"\"",
        "\"RS256\\u0000\"",
        "5",
        "null",
        "[\"RS256\"]",
    ];
    const TIMES: &[&str] = &[
        "1e20",
        "-1",
        "-1e20",
        "1e308",
        "1e400",
        "18446744073709551616",
        "9223372036854775807",
        "-9223372036854775808",
        "0",
        "1.5",
        "\"1700000000\"",
        "null",
        "1800000000",
        "253402300800",
        "8210266876799",
        "8210266876800",
    ];
    if rng.chance(10) {
        // Not even JWT-shaped.
        return random_text(rng, 6);
    }
    let header = match rng.below(6) {
        0 => random_json(rng, 0),
        1 => format!("{{\"alg\":{},\"alg\":\"RS256\"}}", rng.pick(ALGS)),
        _ => format!(
            "{{\"alg\":{},\"kid\":{},\"typ\":\"JWT\"}}",
            rng.pick(ALGS),
            if rng.chance(2) {
                "\"k1\"".to_owned()
            } else {
                random_json(rng, 1)
            }
        ),
    };
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let pick_time = |rng: &mut Rng| -> String {
        if rng.chance(3) {
            now.clone()
        } else {
            (*rng.pick(TIMES)).to_owned()
        }
    };
    let mut claims = vec![
        format!(
            "\"iss\":{}",
            if rng.chance(4) {
                random_json(rng, 1)
            } else {
                Value::String(issuer.to_owned()).to_string()
            }
        ),
        format!(
            "\"sub\":{}",
            if rng.chance(4) {
                random_json(rng, 1)
            } else {
                "\"alice\"".to_owned()
            }
        ),
        format!(
            "\"aud\":{}",
            rng.pick(&[
                "\"the-client\"",
                "[\"the-client\"]",
                "[]",
                "[\"the-client\",5]",
                "5",
                "\"other\"",
            ])
        ),
        format!("\"exp\":{}", pick_time(rng)),
        format!("\"iat\":{}", pick_time(rng)),
        format!(
            "\"nonce\":{}",
            if rng.chance(3) {
                random_json(rng, 1)
            } else {
                Value::String(nonce.to_owned()).to_string()
            }
        ),
    ];
    for name in ["nbf", "auth_time"] {
        if rng.chance(3) {
            claims.push(format!("\"{name}\":{}", pick_time(rng)));
        }
    }
    for name in ["azp", "amr", "acr", "at_hash", "c_hash"] {
        if rng.chance(5) {
            claims.push(format!("\"{name}\":{}", random_json(rng, 1)));
        }
    }
    if rng.chance(6) {
        claims.remove(rng.below(claims.len()));
    }
    let payload = format!("{{{}}}", claims.join(","));
    let header = mangle(rng, header);
    let payload = if rng.chance(4) {
        mangle(rng, payload)
    } else {
        payload.into_bytes()
    };
    let signature: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
    let mut parts = vec![b64(&header), b64(&payload), b64(&signature)];
    match rng.below(10) {
        0 => {
            parts.pop();
        }
        1 => parts.push(b64(b"extra")),
        2 => parts[0].push('='),
        3 => parts[1].insert(0, '+'),
        4 => parts[2] = "é💥".into(),
        _ => {}
    }
    parts.join(".")
}

#[tokio::test]
async fn id_tokens_from_the_token_endpoint_survive_fuzzing() {
    let peer = peer().await;
    let client = confidential(&WEB_OIDC, &peer);
    let issuer = peer.base();
    let mut rng = Rng::new(0x1D70_CE11);
    for _ in 0..600 {
        let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let nonce = query_param(&url, "nonce");
        let jwt = random_jwt(&mut rng, &issuer, &nonce);
        peer.on(
            "/token",
            Reply::json(
                200,
                json!({"access_token": "at", "token_type": "Bearer", "id_token": jwt}),
            ),
        );
        let callback = format!(
            "?{}",
            encode(&[("code", "c"), ("state", pending.state()), ("iss", &issuer)])
        );
        let client = client.clone();
        let result = no_panic(&jwt, async move {
            client.exchange_code(pending, &callback).await
        })
        .await;
        assert!(result.is_err(), "accepted ID token {jwt:?}");
    }
}

#[tokio::test]
async fn id_tokens_by_form_post_survive_fuzzing() {
    let peer = peer().await;
    let client = public(&SPA_LOGIN, &peer);
    let issuer = peer.base();
    let mut rng = Rng::new(0xF0_1D70);
    for _ in 0..600 {
        let (url, pending) = client.authorize_url(None).await.unwrap();
        let nonce = query_param(&url, "nonce");
        let jwt = random_jwt(&mut rng, &issuer, &nonce);
        let body = encode(&[("id_token", &jwt), ("state", pending.state())]);
        let client = client.clone();
        let result = no_panic(&jwt, async move {
            client.verify_form_post(pending, &body).await
        })
        .await;
        assert!(result.is_err(), "accepted ID token {jwt:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Device authorization responses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn device_authorization_survives_absurd_values() {
    let peer = peer().await;
    let client = public(&DEVICE, &peer);
    let mut rng = Rng::new(0xDE_71CE);
    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "5",
        "600",
        "-1",
        "1.5",
        "1e308",
        "1e400",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "\"600\"",
        "null",
        "[]",
    ];
    for _ in 0..500 {
        let mut members = vec![
            format!(
                "\"device_code\":{}",
                if rng.chance(5) {
                    random_json(&mut rng, 1)
                } else {
                    "\"dc\"".to_owned()
                }
            ),
            format!(
                "\"user_code\":{}",
                if rng.chance(5) {
                    random_json(&mut rng, 1)
                } else {
                    "\"ABCD-EFGH\"".to_owned()
                }
            ),
            format!(
                "\"verification_uri\":{}",
                if rng.chance(5) {
                    random_json(&mut rng, 1)
                } else {
                    "\"https://as.example.com/device\"".to_owned()
                }
            ),
            format!("\"expires_in\":{}", rng.pick(NUMBERS)),
            format!("\"interval\":{}", rng.pick(NUMBERS)),
        ];
        if rng.chance(3) {
            members.push(format!(
                "\"verification_uri_complete\":{}",
                random_json(&mut rng, 1)
            ));
        }
        if rng.chance(6) {
            members.remove(rng.below(members.len()));
        }
        let text = format!("{{{}}}", members.join(","));
        let body = if rng.chance(6) {
            mangle(&mut rng, text)
        } else {
            text.into_bytes()
        };
        let status = *rng.pick(&[200, 200, 200, 400, 503]);
        peer.on("/device", Reply::raw_json(status, body.clone()));
        let input = String::from_utf8_lossy(&body).into_owned();
        let c = client.clone();
        let before = SystemTime::now();
        let result = no_panic(
            &input,
            async move { c.device_authorization(Some(ORDERS)).await },
        )
        .await;
        if let Ok(authorization) = result {
            let expires_at = authorization.expires_at();
            assert!(expires_at > before, "{input}");
            assert!(
                expires_at <= SystemTime::now() + Duration::from_secs(24 * 3600 + 5),
                "{input}"
            );
            let interval = authorization.interval();
            assert!(
                interval >= Duration::from_secs(1) && interval <= Duration::from_secs(3600),
                "{input}: {interval:?}"
            );
        }
    }
}
