//! Token endpoint rules against the fault-injecting peer: what a real server never does.
//! Test names follow the security rules (R3, R6, R11, R19, R21, R25, R27, R38) and the
//! OpenID conformance modules they mirror.

use super::common;

use std::sync::Arc;
use std::time::Duration;

use crate::{ConfigError, Error, SecretString};
use common::Client;
use common::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::json;

async fn steal_peer() -> FaultPeer {
    let steal = FaultPeer::start().await.unwrap();
    steal.on("/steal", bearer("stolen", 3600));
    steal
}

#[tokio::test]
async fn r3_token_endpoint_redirect_not_followed() {
    let steal = steal_peer().await;
    let peer = peer().await;
    for status in [301, 302, 303, 307, 308] {
        peer.on("/token", Reply::redirect(status, &steal.url("/steal")));
        let client = confidential(&MACHINE, &peer, "machine-secret");
        let err = cc_error(&client, ORDERS).await;
        assert!(
            matches!(err, Error::RedirectRefused { endpoint: "token", status: s } if s == status),
            "{status}: {err:?}"
        );
    }
    assert_eq!(
        steal.requests().len(),
        0,
        "the redirect target received a request"
    );
}

#[tokio::test]
async fn r3_discovery_redirect_not_followed() {
    let steal = steal_peer().await;
    let peer = FaultPeer::start().await.unwrap();
    peer.on(
        "/.well-known/openid-configuration",
        Reply::redirect(302, &steal.url("/.well-known/openid-configuration")),
    );
    let client = confidential(&MACHINE, &peer, "machine-secret");
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::RedirectRefused {
                endpoint: "discovery",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(steal.requests().len(), 0);
}

/// A user-supplied `reqwest::Client` built with the default policy (follow up to 10 redirects)
/// is refused before it sends any back-channel request: the redirect target and the token
/// endpoint both receive nothing.
#[tokio::test]
async fn r3_user_supplied_default_client_is_refused_and_redirect_target_gets_nothing() {
    let steal = steal_peer().await;
    let peer = peer().await;
    peer.on("/token", Reply::redirect(307, &steal.url("/steal")));
    let client = Client::new(
        &MACHINE,
        peer_settings(&peer, "machine-secret").http_client(reqwest::Client::new()),
    )
    .unwrap();
    let err = cc_error(&client, ORDERS).await;
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("Policy::none()"), "{err}");
    assert_eq!(
        steal.requests().len(),
        0,
        "the redirect target received a request"
    );
    assert_eq!(peer.requests().len(), 0, "no back-channel request at all");
    // The refusal is remembered: still nothing sent on the second try.
    assert!(client.client_credentials_token(Some(ORDERS)).await.is_err());
    assert_eq!(peer.requests().len(), 0);
}

/// A user-supplied client built with `Policy::none()` is used, and a redirect is refused.
#[tokio::test]
async fn r3_user_supplied_policy_none_client_is_used_and_redirect_refused() {
    let steal = steal_peer().await;
    let peer = peer().await;
    let user = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = Client::new(
        &MACHINE,
        peer_settings(&peer, "machine-secret").http_client(user),
    )
    .unwrap();
    peer.script(
        "/token",
        vec![
            bearer("first", 3600),
            Reply::redirect(307, &steal.url("/steal")),
        ],
    );
    assert_eq!(cc_token(&client, ORDERS).await, "first");
    let err = cc_error(&client, BILLING).await;
    assert!(
        matches!(err, Error::RedirectRefused { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(steal.requests().len(), 0);
}

/// R6: Basic with form-urlencoded credentials by default, body credentials when only
/// `client_secret_post` is listed — never both.
#[tokio::test]
async fn r6_exactly_one_client_authentication_method() {
    let peer = peer().await;
    peer.on("/token", bearer("at", 3600));
    let client = confidential(&MACHINE, &peer, "a:b%c+d");
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    let request = &peer.requests_to("/token")[0];
    let basic = request.header("authorization").expect("Basic header");
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.strip_prefix("Basic ").unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        "the-client:a%3Ab%25c%2Bd"
    );
    assert_eq!(request.param("client_secret"), None);

    let post_only =
        peer_with(|m| m["token_endpoint_auth_methods_supported"] = json!(["client_secret_post"]))
            .await;
    post_only.on("/token", bearer("at", 3600));
    let client = confidential(&MACHINE, &post_only, "a:b%c+d");
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    let request = &post_only.requests_to("/token")[0];
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.param("client_secret").as_deref(), Some("a:b%c+d"));
    assert_eq!(request.param("client_id").as_deref(), Some("the-client"));
}

/// R11 + R27: one token per audience, each requested with its own `resource`, then served from
/// the cache; 100 concurrent callers make one request per audience; discovery happens once.
#[tokio::test]
async fn r27_client_credentials_cache_per_audience_single_flight() {
    let (peer, client) = machine_with(vec![
        bearer("token-1", 3600).delay(Duration::from_millis(100)),
        bearer("token-2", 3600).delay(Duration::from_millis(100)),
        bearer("unexpected", 3600),
    ])
    .await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let client = client.clone();
        let audience = if i % 2 == 0 { ORDERS } else { BILLING };
        tasks.push(tokio::spawn(async move {
            (audience, cc_token(&client, audience).await)
        }));
    }
    let mut by_audience = std::collections::HashMap::new();
    for task in tasks {
        let (audience, token) = task.await.unwrap();
        let seen = by_audience.entry(audience).or_insert_with(|| token.clone());
        assert_eq!(*seen, token, "one token per audience");
    }
    assert_ne!(by_audience[ORDERS], by_audience[BILLING]);
    let requests = peer.requests_to("/token");
    assert_eq!(requests.len(), 2, "one request per audience");
    let mut resources: Vec<_> = requests
        .iter()
        .map(|r| r.param("resource").unwrap())
        .collect();
    resources.sort();
    assert_eq!(resources, [BILLING, ORDERS]);
    assert!(requests.iter().all(|r| r.param("audience").is_none()));
    assert_eq!(
        peer.requests_to("/.well-known/openid-configuration").len(),
        1
    );
    // Served from the cache afterwards.
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(peer.requests_to("/token").len(), 2);
}

#[tokio::test]
async fn r11_audience_param_sends_audience() {
    let peer = peer().await;
    peer.on("/token", bearer("at", 3600));
    let client = confidential(&MACHINE_AUDIENCE_PARAM, &peer, "machine-secret");
    client
        .client_credentials_token(Some(BILLING))
        .await
        .unwrap();
    let request = &peer.requests_to("/token")[0];
    assert_eq!(request.param("audience").as_deref(), Some(BILLING));
    assert_eq!(request.param("resource"), None);
    assert_eq!(
        request.param("grant_type").as_deref(),
        Some("client_credentials")
    );
    // An audience the client does not declare is refused without a request.
    let err = client
        .client_credentials_token(Some("https://evil.example"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert_eq!(peer.requests_to("/token").len(), 1);
}

#[tokio::test]
async fn r11_invalid_target_is_typed() {
    let (_peer, client) = machine_with(vec![Reply::json(
        400,
        json!({"error": "invalid_target", "error_description": "resource not allowed"}),
    )])
    .await;
    let err = cc_error(&client, ORDERS).await;
    assert_eq!(err.oauth_code(), Some("invalid_target"));
    assert!(!err.is_transient());
}

/// OIDF `…-token-type-case-insensitivity`.
#[tokio::test]
async fn r21_token_type_case_insensitivity() {
    let (_peer, client) = machine_with(vec![
        Reply::json(
            200,
            json!({"access_token": "at", "token_type": "BeArEr", "expires_in": 60}),
        ),
        Reply::json(
            200,
            json!({"access_token": "at", "token_type": "mac", "expires_in": 60}),
        ),
    ])
    .await;
    assert_eq!(cc_token(&client, ORDERS).await, "at");
    let err = cc_error(&client, BILLING).await;
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

/// OIDF `…-token-endpoint-response-without-expires_in`: accepted, cached for a bounded time.
#[tokio::test]
async fn r21_token_endpoint_response_without_expires_in() {
    let (peer, client) = machine_with(vec![Reply::json(
        200,
        json!({"access_token": "no-expiry", "token_type": "bearer"}),
    )])
    .await;
    assert_eq!(cc_token(&client, ORDERS).await, "no-expiry");
    assert_eq!(cc_token(&client, ORDERS).await, "no-expiry");
    assert_eq!(
        peer.requests_to("/token").len(),
        1,
        "cached (for a bounded default lifetime)"
    );
}

#[tokio::test]
async fn r21_expires_in_as_string() {
    let (_peer, client) = machine_with(vec![Reply::json(
        200,
        json!({"access_token": "at", "token_type": "bearer", "expires_in": "3600"}),
    )])
    .await;
    let err = cc_error(&client, ORDERS).await;
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("expires_in"), "{err}");
}

#[tokio::test]
async fn r21_ten_megabyte_body() {
    let peer = peer().await;
    let huge = format!(
        r#"{{"access_token":"{}","token_type":"bearer"}}"#,
        "a".repeat(10 << 20)
    );
    peer.on("/token", Reply::raw_json(200, huge));
    let client = confidential(&MACHINE, &peer, "machine-secret");
    let err = cc_error(&client, ORDERS).await;
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than"), "{err}");
}

#[tokio::test]
async fn r21_html_error_page() {
    let (peer, client) = machine_with(vec![Reply::html(
        500,
        "<html><body><h1>502 Bad Gateway</h1><script>x()</script></body></html>",
    )])
    .await;
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::HttpStatus {
                endpoint: "token",
                status: 500,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(!err.to_string().contains('<'));
    // An HTML page with 200 is an invalid response, not a token.
    peer.on("/token", Reply::html(200, "<html>please log in</html>"));
    let err = cc_error(&client, BILLING).await;
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

#[tokio::test]
async fn r21_malformed_json_and_dropped_connection() {
    let (_peer, client) = machine_with(vec![
        Reply::raw_json(200, "{\"access_token\": "),
        Reply::close(),
    ])
    .await;
    let err = cc_error(&client, ORDERS).await;
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::Transport {
                endpoint: "token",
                request_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
}

/// A `Retry-After` longer than the retry budget ends the retries at once and is reported.
#[tokio::test]
async fn retry_after_is_reported() {
    let (peer, client) = machine_with(vec![
        Reply::json(503, json!({})).header("Retry-After", "60"),
    ])
    .await;
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::HttpStatus {
                status: 503,
                retry_after: Some(60),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        peer.requests_to("/token").len(),
        1,
        "no retry past the budget"
    );
}

/// R38: the password goes only into the POST body, once, even when the server fails.
#[tokio::test]
async fn r38_password_only_in_body_never_retried() {
    let (peer, client) = scripted(
        &TRUSTED,
        "trusted-secret",
        vec![
            Reply::json(
                200,
                json!({"access_token": "pw-at", "token_type": "bearer", "expires_in": 60}),
            ),
            Reply::html(502, "bad gateway"),
        ],
    )
    .await;
    let password = SecretString::from("wonder land&=?".to_owned());
    let tokens = client
        .password_token("alice", &password, Some(ORDERS))
        .await
        .unwrap();
    assert_eq!(tokens.access_token().secret(), "pw-at");
    assert_eq!(tokens.audience(), Some(ORDERS));
    let request = &peer.requests_to("/token")[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.query, None);
    assert_eq!(request.param("grant_type").as_deref(), Some("password"));
    assert_eq!(request.param("username").as_deref(), Some("alice"));
    assert_eq!(request.param("password").as_deref(), Some("wonder land&=?"));
    assert_eq!(request.param("resource").as_deref(), Some(ORDERS));
    let err = client
        .password_token("alice", &password, Some(ORDERS))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::HttpStatus { status: 502, .. }));
    assert_eq!(
        peer.requests_to("/token").len(),
        2,
        "one request per call, no retry"
    );
}

#[tokio::test]
async fn r38_password_invalid_grant_is_typed() {
    let (peer, client) = scripted(
        &TRUSTED,
        "trusted-secret",
        vec![Reply::json(
            400,
            json!({"error": "invalid_grant", "error_description": "invalid credentials provided"}),
        )],
    )
    .await;
    let err = client
        .password_token(
            "alice",
            &SecretString::from("wrong".to_owned()),
            Some(ORDERS),
        )
        .await
        .unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"));
    assert_eq!(peer.requests_to("/token").len(), 1);
}

/// A step of another flow does not exist on a handle (the `tests/ui/fail/16-steps` cases show
/// the compile error); building a handle for a spec of another flow is refused, without a
/// request.
#[tokio::test]
async fn handles_of_other_flows_are_refused() {
    use crate::flows::{ClientCredentialsFlow, CodeFlow, NoRefresh, PasswordFlow, Refresh, new};
    let peer = peer().await;
    let code: Result<CodeFlow<NoRefresh>, _> = new(&MACHINE, peer_settings(&peer, "s"));
    assert!(matches!(code, Err(ConfigError::Invalid { .. })), "{code:?}");
    let cc: Result<ClientCredentialsFlow, _> = new(&TRUSTED, peer_settings(&peer, "s"));
    assert!(matches!(cc, Err(ConfigError::Invalid { .. })), "{cc:?}");
    // `refresh` exists only on the `Refresh` handle, and only for a spec with refresh tokens.
    let refresh: Result<PasswordFlow<Refresh>, _> = new(&TRUSTED, peer_settings(&peer, "s"));
    assert!(
        matches!(refresh, Err(ConfigError::Invalid { .. })),
        "{refresh:?}"
    );
    let password: Result<PasswordFlow<NoRefresh>, _> = new(&TRUSTED, peer_settings(&peer, "s"));
    assert!(password.is_ok(), "{password:?}");
    assert!(peer.requests().is_empty());
}

#[tokio::test]
async fn shared_clones_share_the_cache() {
    let peer = peer().await;
    peer.on("/token", bearer("shared", 3600));
    let client = Arc::new(confidential(&MACHINE, &peer, "machine-secret"));
    let clone = (*client).clone();
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    clone.client_credentials_token(Some(ORDERS)).await.unwrap();
    assert_eq!(peer.requests_to("/token").len(), 1);
}

/// R39/R27: a short-lived token is renewed ahead of expiry once it is inside its (capped)
/// refresh margin, while callers keep getting the still-valid token without waiting.
#[tokio::test]
async fn r27_cached_token_renewed_near_expiry() {
    let (peer, client) = machine_with(vec![bearer("short", 2), bearer("renewed", 3600)]).await;
    let get = || cc_token(&client, ORDERS);
    assert_eq!(get().await, "short");
    assert_eq!(get().await, "short");
    assert_eq!(peer.requests_to("/token").len(), 1, "served from the cache");
    // Inside the margin (half of 2 s): the still-valid token is served at once and one
    // background refresh starts.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(get().await, "short");
    let mut renewed = false;
    for _ in 0..50 {
        if get().await == "renewed" {
            renewed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(renewed, "the refresh-ahead replaced the token");
    assert_eq!(peer.requests_to("/token").len(), 2);
}

/// A renewal that fails transiently keeps serving the still-valid token (and is retried).
#[tokio::test]
async fn r27_transient_renewal_failure_serves_valid_token() {
    let (peer, client) = machine_with(vec![bearer("first", 4), Reply::html(503, "down")]).await;
    let get = || cc_token(&client, ORDERS);
    assert_eq!(get().await, "first");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    for _ in 0..10 {
        assert_eq!(get().await, "first");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        peer.requests_to("/token").len() >= 2,
        "the renewal was attempted"
    );
}

#[tokio::test]
async fn invalid_client_is_terminal() {
    let peer = peer().await;
    peer.on(
        "/token",
        Reply::json(
            401,
            json!({"error": "invalid_client", "error_description": "client authentication failed"}),
        ),
    );
    let client = confidential(&MACHINE, &peer, "wrong-secret");
    let err = cc_error(&client, ORDERS).await;
    assert_eq!(err.oauth_code(), Some("invalid_client"));
    assert!(!err.is_transient());
    assert!(err.to_string().contains("invalid_client"), "{err}");
}

#[tokio::test]
async fn discovery_stall_times_out() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on("/.well-known/openid-configuration", Reply::stall());
    let client = Client::new(
        &MACHINE,
        peer_settings(&peer, "s").request_timeout(Duration::from_millis(200)),
    )
    .unwrap();
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::Timeout {
                endpoint: "discovery"
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn huge_metadata_document_is_refused() {
    let peer = peer_with(|m| m["padding"] = json!("x".repeat(2 << 20))).await;
    let client = confidential(&MACHINE, &peer, "machine-secret");
    let err = cc_error(&client, ORDERS).await;
    assert!(
        matches!(
            err,
            Error::InvalidResponse {
                endpoint: "discovery",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(peer.requests_to("/token").is_empty());
}

/// A delayed answer within the timeout is fine; the timeout is per request.
#[tokio::test]
async fn slow_answer_within_timeout() {
    let peer = peer().await;
    peer.on(
        "/token",
        bearer("slow", 3600).delay(Duration::from_millis(150)),
    );
    let client = Client::new(
        &MACHINE,
        peer_settings(&peer, "s").request_timeout(Duration::from_secs(2)),
    )
    .unwrap();
    assert_eq!(cc_token(&client, ORDERS).await, "slow");
}

/// R6: `Settings::client_secret_post` puts the credentials in the body only.
#[tokio::test]
async fn r6_client_secret_post_setting() {
    let peer = peer().await;
    peer.on("/token", bearer("at", 3600));
    let client = Client::new(
        &MACHINE,
        peer_settings(&peer, "post-secret").client_secret_post(),
    )
    .unwrap();
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    let request = &peer.requests_to("/token")[0];
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.param("client_secret").as_deref(),
        Some("post-secret")
    );
    // A server that lists only Basic is refused without a token request.
    let basic_only =
        peer_with(|m| m["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]))
            .await;
    let client = Client::new(
        &MACHINE,
        peer_settings(&basic_only, "post-secret").client_secret_post(),
    )
    .unwrap();
    assert!(matches!(
        client.client_credentials_token(Some(ORDERS)).await,
        Err(Error::Config(_))
    ));
    assert!(basic_only.requests_to("/token").is_empty());
}
