use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    issuer = "http://localhost:4000",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
