//! A private client with explicit endpoints, a user attribute kept, and no audiences.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    token_endpoint = "https://tenant.example.com/oauth/token",
    scopes = ["read:orders", "write:orders"],
)]
#[allow(dead_code)]
struct Worker;

fn main() {
    let _: fn() -> Result<Worker, oauthflow::ConfigError> = Worker::from_env;
    let _ = Worker::access_token;
}
