use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    access_token = true,
)]
pub struct Client;

fn main() {
    let _ = Client;
}
