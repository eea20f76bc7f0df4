use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    token_endpoint = "http://tenant.example.com/oauth/token",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
