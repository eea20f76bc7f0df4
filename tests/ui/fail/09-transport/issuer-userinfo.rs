use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    issuer = "https://admin:pw@tenant.example.com/",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
