use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    issuer = "http://tenant.example.com/",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
