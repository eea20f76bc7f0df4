use oauthflow::oauth_client;

#[oauth_client(
    issuer = "https://tenant.example.com/",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
