//! kind = "spa", access_token = false: implicit with form post, an ID token only.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, Flow, IdTokenClaims};

/// Sign-in only.
#[oauth_client(
    kind = "spa",
    access_token = false,
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://app.example.com/login/callback",
    scopes = ["openid", "email"],
)]
pub struct Login;

#[allow(dead_code)]
async fn steps(login: &Login, body: &str) -> Result<IdTokenClaims, oauthflow::Error> {
    let (_url, pending) = login.authorize_url().await?;
    login.verify_form_post(pending, body).await
}

fn main() {
    assert_eq!(Login::FLOW, Flow::ImplicitFormPost);
    assert!(Login::DECISION.contains("login-only"));
}
