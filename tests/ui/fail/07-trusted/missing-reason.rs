use oauthflow::oauth_client;

#[oauth_client(
    kind = "trusted",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
