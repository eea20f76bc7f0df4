use oauthflow::oauth_client;

#[oauth_client(
    kind = "mobile",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
