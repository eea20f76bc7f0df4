use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    refresh_tokens = true,
)]
pub struct Client;

fn main() {
    let _ = Client;
}
