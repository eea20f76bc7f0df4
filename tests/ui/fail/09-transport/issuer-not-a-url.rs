use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    issuer = "tenant.example.com",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
