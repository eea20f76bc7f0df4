use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    client_secret = "s3cret",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
