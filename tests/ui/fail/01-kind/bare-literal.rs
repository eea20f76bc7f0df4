use oauthflow::oauth_client;

#[oauth_client(
    "machine",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
