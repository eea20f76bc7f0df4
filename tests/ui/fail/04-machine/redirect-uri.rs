use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    redirect_uri = "https://app.example.com/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
