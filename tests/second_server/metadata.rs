//! What DOT publishes and answers, as the README's compatibility table states it: the issuer's
//! form (a path, no trailing slash), the metadata oauthflow reads, and the shape of a token
//! response (read raw here; the flow tests show oauthflow accepts it).

use oauthflow::{ConfigError, Error, oauth_client};

use crate::launcher::clients::MACHINE;
use crate::support::{confidential, dot};

#[oauth_client(kind = "machine", scopes = ["read"])]
struct Job;

async fn get_json(url: &str) -> serde_json::Value {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let resp = http.get(url).send().await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    serde_json::from_str(&resp.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn metadata_as_oauthflow_reads_it() {
    let dot = dot().await;
    let issuer = dot.issuer();
    assert!(issuer.ends_with("/o"), "DOT's usual mount: {issuer}");
    let oidc = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    // RFC 8414 §3.1 form for an issuer with a path (mounted at the root by tests/django).
    let rfc8414 = get_json(&format!(
        "{}/.well-known/oauth-authorization-server/o",
        dot.base()
    ))
    .await;
    for doc in [&oidc, &rfc8414] {
        assert_eq!(doc["issuer"], issuer);
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
        // DOT has /o/device-authorization/ but publishes it in neither document.
        assert!(doc.get("device_authorization_endpoint").is_none(), "{doc}");
    }
    // Announced, though the client's registered algorithm (RS256) decides per client.
    assert_eq!(
        oidc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256", "HS256"])
    );
}

/// The issuer is compared character for character (RFC 8414 §3.3): with a trailing slash it is
/// another issuer than the `…/o` DOT publishes.
#[tokio::test]
async fn an_issuer_with_a_trailing_slash_is_refused() {
    let dot = dot().await;
    let settings = confidential(dot, MACHINE).issuer(format!("{}/", dot.issuer()));
    let error = Job::new(settings)
        .unwrap()
        .access_token()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config(ConfigError::IssuerMismatch { found, .. }) if found == dot.issuer()),
        "{error:?}"
    );
}

/// A token response: `token_type` "Bearer", `expires_in` a JSON number, `scope` a string.
#[tokio::test]
async fn token_response_shape() {
    let dot = dot().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let resp = http
        .post(format!("{}/token/", dot.issuer()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", MACHINE.0),
            ("client_secret", MACHINE.1),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["expires_in"].is_u64(),
        "expires_in: {}",
        body["expires_in"]
    );
    assert_eq!(body["scope"], "read");
}

/// DOT refuses a scope it does not know (so `offline_access` must be registered in its
/// `SCOPES`), and issues a refresh token to the password grant without `offline_access`.
#[tokio::test]
async fn unknown_scopes_refused_refresh_tokens_without_offline_access() {
    let dot = dot().await;
    let (id, secret) = crate::launcher::clients::TRUSTED;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let token = |scope: &'static str| {
        http.post(format!("{}/token/", dot.issuer()))
            .form(&[
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("username", "ivan"),
                ("password", crate::launcher::clients::PASSWORD),
                ("scope", scope),
            ])
            .send()
    };
    let body: serde_json::Value =
        serde_json::from_str(&token("no_such_scope").await.unwrap().text().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_scope", "{body}");
    let body: serde_json::Value =
        serde_json::from_str(&token("read").await.unwrap().text().await.unwrap()).unwrap();
    assert!(
        body["refresh_token"].is_string(),
        "a refresh token without offline_access"
    );
    assert_eq!(body["scope"], "read");
}
