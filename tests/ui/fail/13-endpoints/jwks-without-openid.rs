use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    token_endpoint = "https://tenant.example.com/token",
    jwks_uri = "https://tenant.example.com/jwks",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
