//! kind = "native": authorization code + PKCE with a loopback redirect (RFC 8252).
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, Flow, Settings, TokenSet};

/// The desktop app.
#[oauth_client(
    kind = "native",
    issuer = "https://tenant.example.com/",
    redirect_uri = "http://127.0.0.1/callback",
    audiences = ["https://api.example.com/notes"],
    refresh_tokens = true,
)]
pub struct Desktop;

/// The same app on a phone, with a private-use scheme redirect.
#[oauth_client(kind = "native", redirect_uri = "com.example.notes:/oauth2redirect")]
pub struct Phone;

#[allow(dead_code)]
async fn steps(app: &Desktop, phone: &Phone) -> Result<TokenSet, oauthflow::Error> {
    let tokens = app
        .login_via_loopback(DesktopAudience::Notes, |url| println!("open {url}"))
        .await?;
    let _ = app.refresh(&tokens).await?;
    let (_url, pending) = phone.authorize_url().await?;
    phone.exchange_code(pending, "com.example.notes:/oauth2redirect?code=x&state=y").await
}

fn main() {
    assert_eq!(Desktop::FLOW, Flow::AuthorizationCodePkce);
    assert_eq!(Phone::FLOW, Flow::AuthorizationCodePkce);
    let _ = Desktop::new(Settings::public("desktop"));
}
