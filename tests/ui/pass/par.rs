//! `par = true`: pushed authorization requests, for confidential and public kinds alike.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, ClientSecret, Settings};

/// A portal whose authorization requests are pushed.
#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://portal.example.com/callback",
    par = true,
)]
pub struct Portal;

/// A single-page app that pushes too (its push carries only its `client_id`).
#[oauth_client(kind = "spa", issuer = "https://tenant.example.com/", redirect_uri = "https://app.example.com/cb", par)]
pub struct Dashboard;

fn main() {
    let _ = Portal::new(Settings::confidential("portal", ClientSecret::new("s".into()))).unwrap();
    let _ = Dashboard::new(Settings::public("dashboard")).unwrap();
}
