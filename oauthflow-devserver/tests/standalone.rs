//! What a user of the published crate relies on beyond `DevProvider::start()`: a fixed port
//! (and the typed error when it is taken), and the login driver against a provider this
//! process did not start — a separate `node server.mjs` process, as a provider started by
//! hand or by another test runner would be.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauthflow_devserver::{
    DevBrowser, DevError, DevOptions, DevProvider, clients, install_provider, jwt,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

/// A port that was free a moment ago (the OS hands out ephemeral ports round-robin, so it is
/// not handed out again right away).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn fixed_port_gives_a_stable_issuer() {
    let port = free_port();
    let provider = DevProvider::start_with(DevOptions::new().port(port))
        .await
        .unwrap();
    let issuer = format!("http://127.0.0.1:{port}");
    assert_eq!(provider.issuer(), issuer);
    let discovery: Value = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["authorization_endpoint"],
        format!("{issuer}/auth").as_str()
    );

    // Stopped, the same port can be used again: what an app's fixed configuration needs
    // from one test to the next.
    drop(provider);
    let again = DevProvider::start_with(DevOptions::new().port(port))
        .await
        .unwrap();
    assert_eq!(again.issuer(), issuer);
}

#[tokio::test]
async fn default_port_is_ephemeral() {
    let a = DevProvider::start().await.unwrap();
    let b = DevProvider::start().await.unwrap();
    assert_ne!(a.issuer(), b.issuer());
}

#[tokio::test]
async fn a_taken_port_is_a_typed_error_not_a_hang() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let err = DevProvider::start_with(DevOptions::new().port(port))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DevError::PortInUse { port: p } if p == port),
        "{err:?}"
    );
    assert!(err.to_string().contains(&port.to_string()), "{err}");
    // Well within the 30 s start-up timeout: the failure is reported, not waited out.
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(taken);
}

/// `node server.mjs` as a separate process (not a `DevProvider`), on an ephemeral port; returns
/// it and its issuer. The child exits when its stdin (held here) closes.
async fn node_provider() -> (Child, String) {
    let install = install_provider().await.unwrap();
    let mut child = install
        .command()
        .arg(json!({ "port": 0 }).to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let issuer = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("OAUTHFLOW_PROVIDER_READY ")
                    .map(str::to_owned)
            })
    });
    let issuer = tokio::time::timeout(Duration::from_secs(30), issuer)
        .await
        .expect("node server.mjs printed no ready line within 30 s")
        .unwrap()
        .expect("node server.mjs exited without a ready line");
    (child, issuer)
}

#[tokio::test]
async fn driver_logs_in_at_a_provider_in_another_process() {
    let (mut node, issuer) = node_provider().await;
    let redirect = clients::WEB.redirect_uri.unwrap();
    let verifier = URL_SAFE_NO_PAD.encode(Sha256::digest(b"out-of-process"));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut authorize = Url::parse(&format!("{issuer}/auth")).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", clients::WEB.id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", redirect)
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");

    let driver = DevBrowser::connect(&issuer)
        .unwrap()
        .with_user("bob", "builder");
    let callback = driver.login(&authorize).await.unwrap();
    assert!(
        callback.as_str().starts_with(&format!("{redirect}?")),
        "{callback}"
    );
    assert_eq!(query(&callback, "state").as_deref(), Some("st-1"));
    assert_eq!(query(&callback, "iss").as_deref(), Some(issuer.as_str()));

    // The code is real: the other process redeems it for bob's ID token.
    let code = query(&callback, "code").expect("a code");
    let tokens: Value = reqwest::Client::new()
        .post(format!("{issuer}/token"))
        .basic_auth(clients::WEB.id, clients::WEB.secret)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claims = jwt::payload(tokens["id_token"].as_str().expect("an ID token"));
    assert_eq!(claims["sub"], "bob");
    assert_eq!(claims["nonce"], "n-1");

    // Declining works the same way.
    let denied = DevBrowser::connect(&issuer)
        .unwrap()
        .deny(&authorize)
        .await
        .unwrap();
    assert_eq!(query(&denied, "error").as_deref(), Some("access_denied"));

    drop(node.stdin.take());
    let _ = node.kill();
    let _ = node.wait();
}

#[tokio::test]
async fn driver_refuses_an_authorization_url_of_another_origin() {
    let driver = DevBrowser::connect("http://127.0.0.1:1").unwrap();
    let elsewhere = Url::parse("http://127.0.0.1:2/auth?client_id=x").unwrap();
    let err = driver.login(&elsewhere).await.unwrap_err();
    assert!(matches!(err, DevError::Driver(_)), "{err:?}");
}

#[tokio::test]
async fn driver_against_nothing_listening_is_an_http_error() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let driver = DevBrowser::connect(&issuer).unwrap();
    let authorize = Url::parse(&format!("{issuer}/auth?client_id=x")).unwrap();
    let err = driver.login(&authorize).await.unwrap_err();
    assert!(matches!(err, DevError::Http(_)), "{err:?}");
}

#[test]
fn connect_rejects_what_is_not_an_issuer() {
    for bad in [
        "",
        "127.0.0.1:4000",
        "ftp://127.0.0.1/",
        "http://127.0.0.1:4000/?x=1",
        "http://127.0.0.1:4000/#f",
        "http://user:hunter2@127.0.0.1:4000",
    ] {
        match DevBrowser::connect(bad) {
            Err(err @ DevError::InvalidIssuer { .. }) => {
                assert!(!err.to_string().contains("hunter2"), "{err}");
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert!(DevBrowser::connect("http://127.0.0.1:4000").is_ok());
    assert!(DevBrowser::connect("https://127.0.0.1:4000/tenant").is_ok());
}
