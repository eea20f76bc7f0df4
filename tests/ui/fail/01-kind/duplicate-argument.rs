use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    kind = "web",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
