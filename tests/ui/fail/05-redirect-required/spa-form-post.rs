use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    access_token = false,
)]
pub struct Client;

fn main() {
    let _ = Client;
}
