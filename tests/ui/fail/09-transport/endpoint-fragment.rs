use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    token_endpoint = "https://tenant.example.com/token#x",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
