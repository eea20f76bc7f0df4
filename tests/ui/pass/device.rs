//! kind = "device": the device authorization grant (RFC 8628).
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, Flow, Kind, TokenSet};

/// A TV app.
#[oauth_client(
    kind = "device",
    issuer = "https://tenant.example.com/",
    audiences = ["https://api.example.com/telemetry"],
    refresh_tokens = true,
    env_prefix = "TV",
)]
pub struct TvApp;

#[allow(dead_code)]
async fn steps(tv: &TvApp) -> Result<TokenSet, oauthflow::Error> {
    let authorization = tv.device_authorization(TvAppAudience::Telemetry).await?;
    println!("go to {} and type {}", authorization.verification_uri(), authorization.user_code());
    let tokens = tv.poll_device(&authorization).await?;
    tv.refresh(&tokens).await
}

fn main() {
    assert_eq!(TvApp::FLOW, Flow::DeviceCode);
    assert_eq!(TvApp::KIND, Kind::Device);
    // TV_CLIENT_ID is not set here.
    assert!(TvApp::from_env().is_err());
}
