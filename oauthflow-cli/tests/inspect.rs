//! `oauthflow inspect` against the real oidc-provider (every kind) and against the fault peer
//! (wrong issuer, a server that cannot serve some kinds, unreachable keys).

mod support;

use oauthflow_devserver::DevProvider;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::{Value, json};
use support::{mask, oauthflow};

#[tokio::test]
async fn reports_every_kind_of_the_local_server() {
    let provider = DevProvider::start().await.expect("the provider starts");
    let run = oauthflow(&["inspect", provider.issuer()], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("inspect_local_server", mask(&run.stdout));

    let run = oauthflow(&["inspect", provider.issuer(), "--json"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("--json prints JSON");
    let kinds = report["kinds"].as_array().expect("kinds");
    assert_eq!(kinds.len(), 7);
    for kind in kinds {
        assert_eq!(kind["works"], true, "{kind:#}");
    }
    assert_eq!(report["jwks"]["reachable"], true);

    let run = oauthflow(&["inspect", provider.issuer(), "--kind", "device"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("device  "), "{}", run.stdout);
    assert!(!run.stdout.contains("\nweb "), "{}", run.stdout);
}

#[tokio::test]
async fn the_issuer_must_match_exactly() {
    let provider = DevProvider::start().await.expect("the provider starts");
    let with_slash = format!("{}/", provider.issuer());
    let run = oauthflow(&["inspect", &with_slash], &[]).await;
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("inspect_issuer_mismatch", mask(&run.stderr));
}

/// A server that announces what a machine client needs and nothing for the browser flows.
fn machine_only_server(peer: &FaultPeer) {
    let base = peer.base();
    peer.on(
        "/.well-known/openid-configuration",
        Reply::json(
            200,
            json!({
                "issuer": base,
                "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "jwks_uri": format!("{base}/jwks"),
                "grant_types_supported": ["client_credentials", "authorization_code"],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["plain"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
                "id_token_signing_alg_values_supported": ["none", "HS256"],
                "require_pushed_authorization_requests": true,
                "pushed_authorization_request_endpoint": format!("{base}/par"),
            }),
        ),
    );
    peer.on("/jwks", Reply::html(500, "<html>oops</html>"));
}

#[tokio::test]
async fn says_what_is_missing_and_fails_for_a_kind_that_cannot_work() {
    let peer = FaultPeer::start().await.expect("the fault peer starts");
    machine_only_server(&peer);
    let issuer = peer.base();

    let run = oauthflow(&["inspect", &issuer, "--kind", "machine"], &[]).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    let run = oauthflow(&["inspect", &issuer, "--kind", "web"], &[]).await;
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    insta::assert_snapshot!("inspect_web_cannot_work", mask(&run.stdout));

    let run = oauthflow(&["inspect", &issuer, "--kind", "device", "--json"], &[]).await;
    assert_eq!(run.code, Some(1));
    let report: Value = serde_json::from_str(&run.stdout).expect("--json prints JSON");
    let device = &report["kinds"][0];
    assert_eq!(device["works"], false);
    let missing: Vec<&str> = device["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "missing")
        .map(|f| f["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["device_authorization_endpoint", "grant device_code"]
    );
    assert_eq!(report["jwks"]["reachable"], false);
}

#[tokio::test]
async fn discovery_failures_are_explained() {
    let peer = FaultPeer::start().await.expect("the fault peer starts");
    peer.on(
        "/.well-known/openid-configuration",
        Reply::redirect(302, "https://elsewhere.example/"),
    );
    let run = oauthflow(&["inspect", &peer.base()], &[]).await;
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("inspect_redirect_refused", mask(&run.stderr));

    let run = oauthflow(&["inspect", "http://localhost:1/"], &[]).await;
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("inspect_localhost_refused", run.stderr);
}
