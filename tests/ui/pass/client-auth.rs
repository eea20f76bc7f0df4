//! `client_auth` fixes the secret method of a confidential client; `par = false` is accepted.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, ClientSecret, Settings};

/// A job that authenticates with the secret in the request body.
#[oauth_client(kind = "machine", issuer = "https://tenant.example.com/", client_auth = "client_secret_post")]
pub struct Job;

/// A portal that uses HTTP Basic only.
#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://portal.example.com/callback",
    client_auth = "client_secret_basic",
    par = false,
)]
pub struct Portal;

fn main() {
    let secret = || ClientSecret::new("s".into());
    let _ = Job::new(Settings::confidential("job", secret())).unwrap();
    let _ = Portal::new(Settings::confidential("portal", secret())).unwrap();
    // The attribute's method and a contrary setting are refused, not silently mixed.
    assert!(Portal::new(Settings::confidential("portal", secret()).client_secret_post()).is_err());
}
