//! `kind = "machine"`: client credentials (RFC 6749 §4.4) at DOT, with client_secret_basic,
//! client_secret_post, a wrong secret and RFC 8707 resource indicators.

use oauthflow::{ClientSecret, Error, Settings, oauth_client};
use serde_json::json;

use crate::launcher::clients::MACHINE;
use crate::support::{confidential, dot, introspect};

#[oauth_client(kind = "machine", scopes = ["read"])]
struct Job;

#[oauth_client(
    kind = "machine",
    scopes = ["read"],
    audience_param = "resource",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
)]
struct ResourceJob;

#[tokio::test]
async fn issues_a_token_that_dot_knows_and_caches_it() {
    let dot = dot().await;
    let job = Job::new(confidential(dot, MACHINE)).unwrap();
    let token = job.access_token().await.unwrap();
    let info = introspect(dot, token.secret()).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["client_id"], MACHINE.0);
    assert_eq!(info["scope"], "read");
    // Served from the cache: the same token.
    assert_eq!(job.access_token().await.unwrap().secret(), token.secret());
}

#[tokio::test]
async fn client_secret_post_works_too() {
    let dot = dot().await;
    let job = Job::new(confidential(dot, MACHINE).client_secret_post()).unwrap();
    let token = job.access_token().await.unwrap();
    assert_eq!(introspect(dot, token.secret()).await["active"], true);
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let dot = dot().await;
    let settings = Settings::confidential(MACHINE.0, ClientSecret::new("not-the-secret".into()))
        .issuer(dot.issuer());
    let error = Job::new(settings)
        .unwrap()
        .access_token()
        .await
        .unwrap_err();
    match &error {
        Error::OAuth { endpoint, code, .. } => {
            assert_eq!(*endpoint, "token");
            assert_eq!(code.as_str(), "invalid_client");
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

/// RFC 8707: one token per `resource`, each bound to it (introspection names it in `aud`).
#[tokio::test]
async fn one_token_per_resource_indicator() {
    let dot = dot().await;
    let job = ResourceJob::new(confidential(dot, MACHINE)).unwrap();
    let orders = job.access_token(ResourceJobAudience::Orders).await.unwrap();
    let billing = job
        .access_token(ResourceJobAudience::Billing)
        .await
        .unwrap();
    assert_ne!(orders.secret(), billing.secret());
    let info = introspect(dot, orders.secret()).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(
        info["aud"],
        json!([ResourceJobAudience::Orders.as_str()]),
        "{info}"
    );
    let info = introspect(dot, billing.secret()).await;
    assert_eq!(info["aud"], json!([ResourceJobAudience::Billing.as_str()]));
}

#[oauth_client(
    kind = "machine",
    scopes = ["read"],
    audiences = ["https://api.example.com/orders"],
)]
struct AudienceJob;

/// The Auth0-style `audience` parameter (oauthflow's default `audience_param`) is not a DOT
/// parameter: DOT ignores it and issues an unrestricted token (no `aud`). oauthflow cannot tell
/// (DOT's tokens are opaque); `audience_param = "resource"` is the setting for DOT.
#[tokio::test]
async fn the_audience_parameter_is_ignored() {
    let dot = dot().await;
    let job = AudienceJob::new(confidential(dot, MACHINE)).unwrap();
    let token = job.access_token(AudienceJobAudience::Orders).await.unwrap();
    let info = introspect(dot, token.secret()).await;
    assert_eq!(info["active"], true, "{info}");
    assert!(info.get("aud").is_none_or(|aud| aud.is_null()), "{info}");
}
