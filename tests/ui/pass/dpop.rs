//! `sender_constraint = "dpop"`: the machine client's `TokenSource` hands out its `Dpop`, and a
//! web client has `dpop()` to make the proofs its API calls need.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, ClientSecret, DpopKey, Settings, TokenSource};

/// A job whose tokens are bound to its key.
#[oauth_client(kind = "machine", issuer = "https://tenant.example.com/", sender_constraint = "dpop")]
pub struct Job;

/// A portal whose users' tokens are bound to its key.
#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://portal.example.com/callback",
    sender_constraint = "dpop",
    refresh_tokens = true,
)]
pub struct Portal;

/// A TV app whose device-flow tokens are bound to its key.
#[oauth_client(kind = "device", issuer = "https://tenant.example.com/", sender_constraint = "dpop")]
pub struct Tv;

fn proof_maker<T: TokenSource>(source: &T) -> Option<&oauthflow::Dpop> {
    source.dpop()
}

fn main() {
    let secret = || ClientSecret::new("s3cret".into());
    let job = Job::new(Settings::confidential("job", secret())).unwrap();
    assert!(proof_maker(&job).is_some());
    let key = DpopKey::generate().unwrap();
    let portal = Portal::new(Settings::confidential("portal", secret()).dpop_key(key.clone())).unwrap();
    assert_eq!(portal.dpop().map(|d| d.key().thumbprint()), Some(key.thumbprint()));
    let tv = Tv::new(Settings::public("tv")).unwrap();
    assert!(tv.dpop().is_some());
}
