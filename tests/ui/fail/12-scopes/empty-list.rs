use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    scopes = [],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
