//! `profile = "fapi2"`: `new` takes `Settings<PrivateKeyJwt>` (the profile implies
//! `client_auth = "private_key_jwt"`), and the client has DPoP (the profile implies it).
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::{oauth_client, ClientKey, Settings};

/// A bank's customer portal.
#[oauth_client(
    kind = "web",
    profile = "fapi2",
    issuer = "https://bank.example.com/",
    redirect_uri = "https://portal.bank.example.com/callback",
)]
pub struct Portal;

/// A settlement job.
#[oauth_client(kind = "machine", profile = "fapi2", issuer = "https://bank.example.com/")]
pub struct Settlement;

fn main() {
    // RFC 8037 A.1's Ed25519 key.
    let jwk = r#"{"kty":"OKP","crv":"Ed25519","kid":"k1",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;
    let key = ClientKey::from_jwk(jwk).unwrap();
    let portal = Portal::new(Settings::private_key_jwt("portal", key.clone())).unwrap();
    assert!(portal.dpop().is_some());
    let settlement = Settlement::new(Settings::private_key_jwt("settlement", key)).unwrap();
    assert!(settlement.dpop().is_some());
}
