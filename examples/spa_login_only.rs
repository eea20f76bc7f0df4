//! `kind = "spa"`, `access_token = false` → OpenID Connect implicit with form post: login only.
//!
//! When a browser app only needs to know who the user is (no API to call), the decision tree
//! allows the implicit flow with `response_type=id_token` and `response_mode=form_post`: no
//! access token at all, and the ID token arrives in a form POST to a server endpoint, not in a
//! URL fragment. The endpoint must validate it — signature from the issuer's keys, `iss`, `aud`,
//! `exp`, `nonce` — which is what `verify_form_post` does before it returns the claims.
//!
//! With the embedded default the provider's pages are driven by plain HTTP, and the body of its
//! auto-submitting form (what the browser would POST to `https://127.0.0.1/callback`) is handed
//! to `verify_form_post`.
//!
//! ```sh
//! cargo run --example spa_login_only        # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant: register a client allowed to use the implicit grant with
//! `response_type=id_token` and the redirect URI `https://127.0.0.1/callback`, then run
//!
//! ```sh
//! LOGIN_PAGE_ISSUER=https://tenant.example.com/ LOGIN_PAGE_CLIENT_ID=... \
//! cargo run --example spa_login_only
//! ```
//!
//! and paste the posted form body (from the browser's developer tools, network tab).

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_authorize_url, show_id_token_claims};

/// A login-only page: who is the user? No API access.
#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "https://127.0.0.1/callback",
    scopes = ["openid", "profile"],
)]
pub struct LoginPage;

/// Sign in, verify the posted ID token. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "spa_login_only",
        LoginPage::KIND,
        LoginPage::FLOW,
        LoginPage::DECISION,
    );
    let page = target.client(clients::SPA_LOGIN, LoginPage::new, LoginPage::from_env)?;

    // Step 1: no audience (there is no access token); `pending` holds the state and the nonce.
    let (url, pending) = page.authorize_url().await?;
    show_authorize_url(&url);
    let form_body = target.sign_in_form_post(&url).await?;

    // Step 2: the server endpoint that received the POST validates the ID token.
    let claims = page.verify_form_post(pending, &form_body).await?;
    show_id_token_claims("id token", &claims);
    if let Some(name) = claims.claim("name") {
        say("", format!("name={name} (scope profile)"));
    }
    say("", "nonce matched the one sent; no access token was issued");
    Ok(format!("ID token verified: sub={}", claims.subject()))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("LOGIN_PAGE").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
