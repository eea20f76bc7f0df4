//! kind = "trusted": the password grant, only with a written reason.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, Flow, SecretString, TokenSet};

/// A kiosk whose firmware has no browser.
#[oauth_client(
    kind = "trusted",
    issuer = "https://tenant.example.com/",
    redirect_unavailable = "kiosk firmware has no browser and no second screen",
)]
pub struct Kiosk;

#[allow(dead_code)]
async fn steps(kiosk: &Kiosk) -> Result<TokenSet, oauthflow::Error> {
    let password = SecretString::from(String::from("from the keypad"));
    kiosk.password_token("alice", &password).await
}

fn main() {
    assert_eq!(Kiosk::FLOW, Flow::Password);
    assert!(Kiosk::DECISION.contains("RFC 9700 §2.4"));
    assert!(Kiosk::DECISION.contains("kiosk firmware has no browser"));
}
