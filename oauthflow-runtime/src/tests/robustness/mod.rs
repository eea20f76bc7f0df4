//! Deterministic fuzz-style robustness checks: thousands of malformed inputs (callbacks, form
//! bodies, token / discovery / device responses, ID tokens) thrown at the public entry points.
//! Each call runs in its own Tokio task, so a panic shows up as a `JoinError::is_panic()` and
//! is reported with the input that caused it. A small xorshift PRNG with fixed seeds keeps
//! every run identical; no extra crates.
//!
//! Helpers are local on purpose (of `common/` this file uses only `Client`).

mod callbacks;
mod device;
mod discovery;
mod id_tokens;
mod token_responses;

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
