//! `kind = "spa"`: authorization code + PKCE for a public client at DOT — refresh-token rotation
//! and reuse detection (RFC 9700 §4.14.2: DOT revokes the whole family on reuse).

use oauthflow::{Error, oauth_client};

use crate::browser::{Browser, Consent};
use crate::launcher::clients::SPA;
use crate::support::{dot, jwt_claims, public};

#[oauth_client(
    kind = "spa",
    redirect_uri = "http://127.0.0.1:5173/callback",
    scopes = ["openid", "read"],
    refresh_tokens = true,
)]
struct Dashboard;

fn is_invalid_grant(result: &Result<oauthflow::TokenSet, Error>) -> bool {
    matches!(result, Err(Error::OAuth { endpoint: "token", code, .. }) if code.as_str() == "invalid_grant")
}

#[tokio::test]
async fn public_client_rotation_and_reuse_detection() {
    let dot = dot().await;
    let app = Dashboard::new(public(dot, SPA)).unwrap();
    let (url, pending) = app.authorize_url().await.unwrap();
    let callback = Browser::new("carol").authorize(&url, Consent::Allow).await;
    let first = app.exchange_code(pending, callback.as_str()).await.unwrap();
    assert_eq!(jwt_claims(first.id_token().unwrap())["aud"], SPA);

    let second = app.refresh(&first).await.unwrap();
    let rotated = second.refresh_token().expect("a new refresh token");
    assert_ne!(rotated.secret(), first.refresh_token().unwrap().secret());
    assert!(
        second.id_token().is_some(),
        "DOT sends a new ID token on refresh"
    );

    // The same client asked again with the old token: oauthflow answers with the successor it
    // already has (single flight, kept for a short window), without a second use at DOT.
    let again = app.refresh(&first).await.unwrap();
    assert_eq!(again.refresh_token().unwrap().secret(), rotated.secret());

    // Another client instance (another process, say) replays the rotated-away token: DOT refuses
    // it and, with REFRESH_TOKEN_REUSE_PROTECTION, revokes the family, so the token that
    // replaced it is dead too.
    let other = Dashboard::new(public(dot, SPA)).unwrap();
    assert!(
        is_invalid_grant(&other.refresh(&first).await),
        "reuse refused"
    );
    assert!(
        is_invalid_grant(&app.refresh(&second).await),
        "the family is revoked after a reuse"
    );
}
