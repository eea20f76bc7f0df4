use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
