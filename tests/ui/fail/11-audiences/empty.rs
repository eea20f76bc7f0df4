use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences = [],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
