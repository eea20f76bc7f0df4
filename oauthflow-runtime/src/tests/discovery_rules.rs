//! Configuration and discovery rules (R1, R2) against the fault peer, and `Client::new` checks.

use super::common;

use crate::spec::ClientSpec;
use crate::{ClientSecret, ConfigError, Error, Settings};
use common::Client;
use common::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::json;

/// OIDF `oidcc-client-test-discovery-issuer-mismatch`: one trailing `/` of difference.
#[tokio::test]
async fn r1_discovery_issuer_mismatch() {
    let peer =
        peer_with(|m| m["issuer"] = json!(format!("{}/", m["issuer"].as_str().unwrap()))).await;
    peer.on("/token", bearer("at", 3600));
    let client = confidential(&MACHINE, &peer, "machine-secret");
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(err, Error::Config(ConfigError::IssuerMismatch { .. })),
        "{err:?}"
    );
    let requests = peer.requests();
    assert_eq!(requests.len(), 1, "only the discovery request");
    assert_eq!(requests[0].path, "/.well-known/openid-configuration");
}

/// R2: an http token endpoint in the metadata is refused before any token request.
#[tokio::test]
async fn r2_metadata_http_endpoint_refused() {
    for endpoint in [
        "http://example.test/",
        "http://localhost:8080/token",
        "ftp://example.test/",
    ] {
        let peer = peer_with(|m| m["token_endpoint"] = json!(endpoint)).await;
        let client = confidential(&MACHINE, &peer, "machine-secret");
        let err = cc_error(&client, ORDERS).await;
        assert!(
            matches!(err, Error::Config(ConfigError::InvalidUrl { .. })),
            "{endpoint}: {err:?}"
        );
        assert_eq!(peer.requests().len(), 1);
    }
}

/// R2: issuers from settings or the environment follow the same rules.
#[test]
fn r2_configured_issuer_must_be_https_or_loopback_literal() {
    for issuer in [
        "http://auth.example.com",
        "http://localhost:3000",
        "https://as.example.com/?tenant=a",
        "https://as.example.com/#x",
        "not a url",
    ] {
        let result = Client::new(
            &MACHINE,
            Settings::confidential("c", ClientSecret::new("s".into())).issuer(issuer),
        );
        assert!(
            matches!(result, Err(ConfigError::InvalidUrl { .. })),
            "{issuer}"
        );
    }
    for issuer in [
        "https://as.example.com",
        "https://as.example.com/tenant/",
        "http://127.0.0.1:3000",
        "http://[::1]:3000",
    ] {
        assert!(
            Client::new(
                &MACHINE,
                Settings::confidential("c", ClientSecret::new("s".into())).issuer(issuer)
            )
            .is_ok(),
            "{issuer}"
        );
    }
}

#[test]
fn client_new_checks() {
    let secret = || ClientSecret::new("s".into());
    // No issuer anywhere: names the environment variable.
    match Client::new(&MACHINE, Settings::confidential("c", secret())) {
        Err(ConfigError::MissingIssuer { env }) => assert_eq!(env, "IMPORT_JOB_ISSUER"),
        other => panic!("{other:?}"),
    }
    // Empty client id or secret.
    assert!(
        Client::new(
            &MACHINE,
            Settings::confidential("", secret()).issuer("https://as.example.com")
        )
        .is_err()
    );
    assert!(
        Client::new(
            &MACHINE,
            Settings::confidential("c", ClientSecret::new(String::new()))
                .issuer("https://as.example.com")
        )
        .is_err()
    );
    // Public settings for a confidential kind (generated code never does this).
    assert!(
        Client::new(
            &MACHINE,
            Settings::public("c").issuer("https://as.example.com")
        )
        .is_err()
    );
    // A redirect override is checked with the attribute's rules.
    for bad in [
        "http://app.example.com/cb",
        "http://localhost:8080/cb",
        "https://app.example.com/cb#x",
        "https://app.example.com/cb?code=1",
    ] {
        assert!(
            Client::new(
                &WEB,
                Settings::confidential("c", secret())
                    .issuer("https://as.example.com")
                    .redirect_uri(bad)
            )
            .is_err(),
            "{bad}"
        );
    }
    // A machine client has no redirect.
    assert!(
        Client::new(
            &MACHINE,
            Settings::confidential("c", secret())
                .issuer("https://as.example.com")
                .redirect_uri("https://app.example.com/cb")
        )
        .is_err()
    );
    // The Debug of a client shows no secret.
    let client = Client::new(
        &MACHINE,
        Settings::confidential("c", ClientSecret::new("very-secret".into()))
            .issuer("https://as.example.com"),
    )
    .unwrap();
    assert!(!format!("{client:?}").contains("very-secret"));
}

/// Explicit endpoints skip discovery entirely.
#[tokio::test]
async fn explicit_endpoints_skip_discovery() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on("/oauth/token", bearer("explicit", 3600));
    let token_endpoint: &'static str = Box::leak(peer.url("/oauth/token").into_boxed_str());
    let spec: &'static ClientSpec = Box::leak(Box::new(ClientSpec {
        token_endpoint: Some(token_endpoint),
        ..MACHINE
    }));
    let client = confidential(spec, &peer, "machine-secret");
    assert_eq!(cc_token(&client, ORDERS).await, "explicit");
    assert_eq!(peer.requests().len(), 1);
    assert_eq!(peer.requests()[0].path, "/oauth/token");
}

/// RFC 8414 §3.1 fallback for an issuer with a path.
#[tokio::test]
async fn discovery_falls_back_to_rfc8414_well_known() {
    let peer = FaultPeer::start().await.unwrap();
    let issuer = peer.url("/tenant");
    peer.on(
        "/.well-known/oauth-authorization-server/tenant",
        Reply::json(
            200,
            json!({"issuer": issuer, "token_endpoint": peer.url("/tenant/token")}),
        ),
    );
    peer.on("/tenant/token", bearer("tenant-token", 3600));
    let client = Client::new(
        &MACHINE,
        Settings::confidential("c", ClientSecret::new("s".into())).issuer(issuer.clone()),
    )
    .unwrap();
    assert_eq!(cc_token(&client, ORDERS).await, "tenant-token");
    let paths: Vec<_> = peer.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/tenant/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/tenant",
            "/tenant/token"
        ]
    );
}

/// Discovery failures are typed and not cached.
#[tokio::test]
async fn discovery_failures_are_typed_and_retried_later() {
    let peer = FaultPeer::start().await.unwrap();
    peer.script(
        "/.well-known/openid-configuration",
        vec![
            Reply::html(503, "<html>down</html>"),
            Reply::raw_json(200, "{not json"),
            Reply::json(200, metadata(&peer)),
        ],
    );
    peer.on("/token", bearer("at", 3600));
    let client = confidential(&MACHINE, &peer, "machine-secret");
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::HttpStatus {
                endpoint: "discovery",
                status: 503,
                ..
            }
        ),
        "{err:?}"
    );
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(err, Error::Config(ConfigError::Discovery { .. })),
        "{err:?}"
    );
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    client
        .client_credentials_token(Some(BILLING))
        .await
        .unwrap();
    assert_eq!(
        peer.requests_to("/.well-known/openid-configuration").len(),
        3
    );
}

/// `from_env` reads the prefixed variables (one test touches the process environment).
#[test]
fn from_env_reads_prefixed_variables() {
    static ENV_SPEC: ClientSpec = ClientSpec {
        env_prefix: "OAUTHFLOW_RT_TEST_MACHINE",
        ..MACHINE
    };
    // SAFETY: this is the only test of the crate's (unit-)test binary that writes the
    // environment; the others read it only through `std::env`, which locks.
    unsafe {
        std::env::set_var("OAUTHFLOW_RT_TEST_MACHINE_CLIENT_ID", "from-env");
        std::env::set_var("OAUTHFLOW_RT_TEST_MACHINE_CLIENT_SECRET", "env-secret");
    }
    match Client::from_env::<crate::Confidential>(&ENV_SPEC) {
        Err(ConfigError::MissingIssuer { env }) => {
            assert_eq!(env, "OAUTHFLOW_RT_TEST_MACHINE_ISSUER")
        }
        other => panic!("{other:?}"),
    }
    unsafe {
        std::env::set_var(
            "OAUTHFLOW_RT_TEST_MACHINE_ISSUER",
            "http://auth.example.com",
        )
    };
    // A bad value is reported with the variable's name, not the value.
    match Client::from_env::<crate::Confidential>(&ENV_SPEC) {
        Err(ConfigError::InvalidEnv { name, .. }) => {
            assert_eq!(name, "OAUTHFLOW_RT_TEST_MACHINE_ISSUER")
        }
        other => panic!("{other:?}"),
    }
    unsafe { std::env::set_var("OAUTHFLOW_RT_TEST_MACHINE_ISSUER", "https://as.example.com") };
    let client = Client::from_env::<crate::Confidential>(&ENV_SPEC).unwrap();
    let debug = format!("{client:?}");
    assert!(
        debug.contains("from-env") && !debug.contains("env-secret"),
        "{debug}"
    );
}

/// Metadata is kept for its `Cache-Control: max-age`, then fetched again with every check made
/// anew: a document that now names another issuer is refused (R1), and a network failure on a
/// refetch keeps the last good metadata.
#[tokio::test(start_paused = true)]
async fn metadata_is_refetched_after_its_max_age_and_checked_again() {
    let peer = peer().await;
    let cached =
        |doc: serde_json::Value| Reply::json(200, doc).header("Cache-Control", "max-age=300");
    let well_known = "/.well-known/openid-configuration";
    peer.on(well_known, cached(metadata(&peer)));
    let client = confidential(&WEB, &peer, "web-secret");
    client
        .authorize_url(Some(ORDERS))
        .await
        .expect("discovered");
    tokio::time::advance(std::time::Duration::from_secs(200)).await;
    client
        .authorize_url(Some(ORDERS))
        .await
        .expect("from the cache");
    assert_eq!(peer.requests_to(well_known).len(), 1, "within the max-age");

    // Past the max-age, the server is down for a moment: the last good metadata is kept.
    tokio::time::advance(std::time::Duration::from_secs(101)).await;
    peer.on(well_known, Reply::html(503, "down"));
    client
        .authorize_url(Some(ORDERS))
        .await
        .expect("the last good metadata while the refetch fails");
    assert_eq!(peer.requests_to(well_known).len(), 2);

    // Later the document names another issuer: refused, never used.
    tokio::time::advance(std::time::Duration::from_secs(61)).await;
    let mut other = metadata(&peer);
    other["issuer"] = json!("https://evil.example");
    peer.on(well_known, cached(other));
    let result = client.authorize_url(Some(ORDERS)).await;
    assert!(
        matches!(
            result,
            Err(Error::Config(ConfigError::IssuerMismatch { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(peer.requests_to(well_known).len(), 3);
}
