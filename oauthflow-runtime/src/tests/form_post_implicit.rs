//! Implicit flow with form post against a fault-injecting JWKS endpoint: the OIDF Form-Post
//! Implicit RP module semantics and R9, R15, R18, R34.

use super::id_token_support;

use std::collections::HashMap;

use crate::form_post;
use crate::id_token::{IdTokenValidation, JwksCache};
use crate::{Error, PendingAuthorization};
use id_token_support::*;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use serde_json::{Value, json};

const REDIRECT: &str = "https://127.0.0.1/callback";

struct Login {
    peer: FaultPeer,
    jwks: JwksCache,
    pending: PendingAuthorization,
    state: String,
    nonce: String,
}

async fn start_login() -> Login {
    let peer = FaultPeer::start().await.unwrap();
    peer.on("/jwks", Reply::json(200, k1_jwks()));
    let jwks = JwksCache::new(peer.url("/jwks"));
    let (url, pending) = form_post::authorize_url(
        &format!("{ISSUER}/authorize"),
        ISSUER,
        CLIENT_ID,
        REDIRECT,
        &["email"],
    )
    .unwrap();
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    Login {
        peer,
        jwks,
        pending,
        state: q["state"].clone(),
        nonce: q["nonce"].clone(),
    }
}

impl Login {
    fn token(&self) -> String {
        let mut c = claims();
        c["nonce"] = json!(self.nonce);
        sign_k1(&c)
    }

    fn token_with(&self, claim: &str, value: Value) -> String {
        let mut c = claims();
        c["nonce"] = json!(self.nonce);
        c[claim] = value;
        sign_k1(&c)
    }

    fn body(&self, id_token: &str) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token", id_token)
            .append_pair("state", &self.state)
            .finish()
    }

    async fn post(self, body: &str) -> Result<crate::IdTokenClaims, Error> {
        let validation = IdTokenValidation::new(ISSUER, CLIENT_ID).now(now());
        form_post::verify(body, self.pending, &validation, &self.jwks, &http()).await
    }
}

#[tokio::test]
async fn form_post_implicit_happy_path() {
    let login = start_login().await;
    let body = login.body(&login.token());
    let claims = login.post(&body).await.expect("valid form post");
    assert_eq!(claims.subject(), "248289761001");
    assert!(claims.nonce().is_some());
}

#[tokio::test]
async fn authorize_url_asks_for_id_token_by_form_post_with_nonce() {
    let (url, pending) =
        form_post::authorize_url(&format!("{ISSUER}/auth"), ISSUER, CLIENT_ID, REDIRECT, &[])
            .unwrap();
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "id_token");
    assert_eq!(q["response_mode"], "form_post");
    assert_eq!(q["scope"], "openid");
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["client_id"], CLIENT_ID);
    assert!(q["nonce"].len() >= 43, "256-bit nonce");
    assert_eq!(q["state"], pending.state());
    assert_eq!(pending.redirect_uri(), REDIRECT);
    assert_eq!(pending.issuer(), ISSUER);
}

#[tokio::test]
async fn oidcc_client_test_nonce_invalid_form_post() {
    let login = start_login().await;
    let body = login.body(&login.token_with("nonce", json!("a-nonce-from-another-login")));
    rejected(login.post(&body).await, "nonce");
}

#[tokio::test]
async fn form_post_missing_nonce_fails_closed() {
    let login = start_login().await;
    let mut c = claims();
    c.as_object_mut().unwrap().remove("nonce");
    let body = login.body(&sign_k1(&c));
    rejected(login.post(&body).await, "nonce");
}

#[tokio::test]
async fn form_post_idtoken_sig_none_is_refused() {
    let login = start_login().await;
    let mut c = claims();
    c["nonce"] = json!(login.nonce);
    let body = login.body(&unsigned(&c));
    assert!(matches!(
        login.post(&body).await,
        Err(Error::IdTokenInvalid { .. })
    ));
}

#[tokio::test]
async fn fapi2_client_test_ensure_authorization_response_with_invalid_state_fails() {
    let login = start_login().await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token", &login.token())
        .append_pair("state", "forged-state")
        .finish();
    let peer_requests = {
        let result = {
            let validation = IdTokenValidation::new(ISSUER, CLIENT_ID).now(now());
            form_post::verify(&body, login.pending, &validation, &login.jwks, &http()).await
        };
        assert!(matches!(result, Err(Error::StateMismatch)), "{result:?}");
        login.peer.requests().len()
    };
    assert_eq!(
        peer_requests, 0,
        "state is checked before any network request"
    );
}

#[tokio::test]
async fn fapi2_client_test_invalid_missing_state_fails() {
    for body_of in [
        |t: &str| format!("id_token={t}"),
        |t: &str| format!("id_token={t}&state="),
    ] {
        let login = start_login().await;
        let body = body_of(&login.token());
        assert!(matches!(login.post(&body).await, Err(Error::StateMismatch)));
    }
}

#[tokio::test]
async fn error_response_is_typed_sanitized_and_state_checked_first() {
    let login = start_login().await;
    let body = format!(
        "error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={}",
        login.state
    );
    match login.post(&body).await {
        Err(Error::OAuth {
            endpoint: "authorization",
            code,
            description,
        }) => {
            assert_eq!(code.as_str(), "access_denied");
            let description = description.unwrap();
            assert!(!description.contains('<'), "{description}");
        }
        other => panic!("expected OAuth error, got {other:?}"),
    }
    // Without the right state, an error response is a CSRF error, not access_denied.
    let login = start_login().await;
    let result = login.post("error=access_denied&state=forged").await;
    assert!(matches!(result, Err(Error::StateMismatch)), "{result:?}");
}

#[tokio::test]
async fn duplicate_parameters_are_refused() {
    let login = start_login().await;
    let token = login.token();
    let body = format!("id_token={token}&id_token={token}&state={}", login.state);
    assert!(matches!(
        login.post(&body).await,
        Err(Error::InvalidCallback { .. })
    ));
    let login = start_login().await;
    let body = format!(
        "id_token={}&state={}&state={}",
        login.token(),
        login.state,
        login.state
    );
    assert!(matches!(
        login.post(&body).await,
        Err(Error::InvalidCallback { .. })
    ));
}

#[tokio::test]
async fn query_string_id_token_is_refused() {
    let login = start_login().await;
    let query = format!("?{}", login.body(&login.token()));
    match login.post(&query).await {
        Err(Error::InvalidCallback { reason }) => assert!(reason.contains("query"), "{reason}"),
        other => panic!("expected InvalidCallback, got {other:?}"),
    }
    let login = start_login().await;
    let url = format!("{REDIRECT}?{}", login.body(&login.token()));
    assert!(matches!(
        login.post(&url).await,
        Err(Error::InvalidCallback { .. })
    ));
    // The request-level check refuses a response in the URL and non-form requests.
    let leaked = format!("id_token={}&state=s", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assert!(form_post::check_request("GET", None, Some(&leaked)).is_err());
    assert!(form_post::check_request("POST", Some("application/json"), None).is_err());
    assert!(
        form_post::check_request("POST", Some("application/x-www-form-urlencoded"), None).is_ok()
    );
}

#[tokio::test]
async fn rfc9207_iss_in_the_form_must_match() {
    let login = start_login().await;
    let body = format!(
        "{}&iss={}",
        login.body(&login.token()),
        "https%3A%2F%2Fevil.example"
    );
    assert!(matches!(
        login.post(&body).await,
        Err(Error::IssuerMismatch { .. })
    ));
    let login = start_login().await;
    let body = format!(
        "{}&iss={}",
        login.body(&login.token()),
        url::form_urlencoded::byte_serialize(ISSUER.as_bytes()).collect::<String>()
    );
    login.post(&body).await.expect("matching iss");
}

#[tokio::test]
async fn access_token_or_code_in_an_id_token_only_response_is_refused() {
    for extra in ["access_token=at", "code=c"] {
        let login = start_login().await;
        let body = format!("{}&{extra}", login.body(&login.token()));
        assert!(
            matches!(login.post(&body).await, Err(Error::InvalidCallback { .. })),
            "{extra}"
        );
    }
}

#[tokio::test]
async fn pending_from_another_client_or_issuer_is_refused() {
    let login = start_login().await;
    let body = login.body(&login.token());
    let validation = IdTokenValidation::new("https://other-op.example", CLIENT_ID).now(now());
    let result = form_post::verify(
        &body,
        login.pending.clone(),
        &validation,
        &login.jwks,
        &http(),
    )
    .await;
    assert!(
        matches!(result, Err(Error::PendingMismatch { .. })),
        "{result:?}"
    );
    let validation = IdTokenValidation::new(ISSUER, "another-client").now(now());
    let result = form_post::verify(&body, login.pending, &validation, &login.jwks, &http()).await;
    assert!(
        matches!(result, Err(Error::PendingMismatch { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn errors_do_not_show_state_nonce_or_token() {
    let login = start_login().await;
    let token = login.token_with("aud", json!("someone-else"));
    let (state, nonce) = (login.state.clone(), login.nonce.clone());
    let body = login.body(&token);
    let error = login.post(&body).await.expect_err("wrong aud");
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(&state) && !shown.contains(&nonce) && !shown.contains(&token));
    }
}
