//! `client_auth = "private_key_jwt"`: `new` takes `Settings<PrivateKeyJwt>`, built from a key.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, ClientKey, PrivateKeyJwt, Settings};

/// A job that authenticates with a signed assertion.
#[oauth_client(kind = "machine", issuer = "https://tenant.example.com/", client_auth = "private_key_jwt")]
pub struct Job;

/// A portal that does the same for its code flow.
#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://portal.example.com/callback",
    client_auth = "private_key_jwt",
)]
pub struct Portal;

/// The key's type is all the settings need.
fn settings(client_id: &str, key: ClientKey) -> Settings<PrivateKeyJwt> {
    Settings::private_key_jwt(client_id, key)
}

fn main() {
    // RFC 8037 A.1's Ed25519 key.
    let jwk = r#"{"kty":"OKP","crv":"Ed25519","kid":"k1",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;
    let key = ClientKey::from_jwk(jwk).unwrap();
    let _ = Job::new(settings("job", key.clone())).unwrap();
    let _ = Portal::new(settings("portal", key)).unwrap();
}
