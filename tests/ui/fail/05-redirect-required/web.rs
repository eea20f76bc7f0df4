use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
