use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    issuer = "https://tenant.example.com/?t=1",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
