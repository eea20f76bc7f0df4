//! kind = "spa": authorization code + PKCE for a public client; named audiences with RFC 8707.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, Flow, Settings, TokenSet};

/// The dashboard running in the browser.
#[oauth_client(
    kind = "spa",
    redirect_uri = "https://dashboard.example.com/callback",
    audiences(orders = "https://api.example.com/orders", Billing = "https://billing.example.com/v1"),
    audience_param = "resource",
    refresh_tokens = true,
)]
pub struct Dashboard;

#[allow(dead_code)]
async fn steps(app: &Dashboard) -> Result<TokenSet, oauthflow::Error> {
    let (_url, pending) = app.authorize_url(DashboardAudience::Orders).await?;
    let tokens = app.exchange_code(pending, "?code=x&state=y").await?;
    app.refresh(&tokens).await
}

fn main() {
    assert_eq!(Dashboard::FLOW, Flow::AuthorizationCodePkce);
    assert!(Dashboard::DECISION.contains("prefer kind = \"web\""));
    assert_eq!(DashboardAudience::Billing.as_str(), "https://billing.example.com/v1");
    assert_eq!(DashboardAudience::ALL.len(), 2);
    // No issuer in the attribute: it comes from the settings (or DASHBOARD_ISSUER).
    let settings = Settings::public("dashboard").issuer("https://tenant.example.com/");
    let _ = Dashboard::new(settings);
}
