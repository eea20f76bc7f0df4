//! kind = "web": authorization code + PKCE for a confidential client, with refresh tokens.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, ClientSecret, Flow, Kind, Settings, TokenSet};

/// The customer portal's server side.
#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://portal.example.com/callback",
    scopes = ["openid", "profile"],
    refresh_tokens = true,
)]
pub struct Portal;

#[allow(dead_code)]
async fn steps(portal: &Portal, tokens: &TokenSet) -> Result<(), oauthflow::Error> {
    let (url, pending) = portal.authorize_url().await?;
    let callback = format!("{url}?code=x&state=y");
    let _tokens: TokenSet = portal.exchange_code(pending, &callback).await?;
    let _refreshed: TokenSet = portal.refresh(tokens).await?;
    Ok(())
}

/// What an axum `State` needs: the client is cheap to clone and shareable across threads.
fn assert_shareable<T: Clone + Send + Sync + 'static>(_: &T) {}

/// What `tokio::spawn` and axum handlers need: the step futures are `Send`.
fn assert_send<T: Send>(_: &T) {}

fn main() {
    assert_eq!(Portal::FLOW, Flow::AuthorizationCode);
    assert_eq!(Portal::KIND, Kind::Web);
    let portal = Portal::new(Settings::confidential("portal", ClientSecret::new("s".into()))).unwrap();
    let _ = portal.clone();
    assert_shareable(&portal);
    assert_send(&portal.authorize_url());
    let tokens: Option<TokenSet> = None;
    if let Some(tokens) = &tokens {
        assert_send(&portal.refresh(tokens));
    }
}
