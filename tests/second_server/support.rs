//! Helpers the flow tests share: the server, JWT payloads (read by the test, never trusted by
//! the client), token introspection and the generated clients' settings.

use base64::Engine as _;
use oauthflow::{ClientSecret, Confidential, Public, Settings};

use crate::launcher::{self, DotServer};

/// The shared server, started (and its virtualenv created) on first use.
pub async fn dot() -> &'static DotServer {
    // A failed start (no Python, no registry) fails the test with its own message.
    tokio::task::spawn_blocking(launcher::shared)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Settings of a confidential client at the shared server.
pub fn confidential(dot: &DotServer, (id, secret): (&str, &str)) -> Settings<Confidential> {
    Settings::confidential(id, ClientSecret::new(secret.into())).issuer(dot.issuer())
}

/// Settings of a public client at the shared server.
pub fn public(dot: &DotServer, id: &str) -> Settings<Public> {
    Settings::public(id).issuer(dot.issuer())
}

/// The claims of a JWT, decoded without any check (the client has checked it; the test reads).
pub fn jwt_claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// What DOT's introspection endpoint (RFC 7662) says about `token`, asked by the machine client.
pub async fn introspect(dot: &DotServer, token: &str) -> serde_json::Value {
    let (id, secret) = launcher::clients::MACHINE;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let resp = http
        .post(format!("{}/introspect/", dot.issuer()))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("token", token)])
        .send()
        .await
        .expect("introspection request");
    let status = resp.status();
    let body = resp.text().await.expect("introspection body");
    assert!(status.is_success(), "introspection: {status} {body}");
    serde_json::from_str(&body).expect("introspection JSON")
}
