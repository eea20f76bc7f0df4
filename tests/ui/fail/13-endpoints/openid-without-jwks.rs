use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    scopes = ["openid"],
    authorization_endpoint = "https://tenant.example.com/authorize",
    token_endpoint = "https://tenant.example.com/token",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
