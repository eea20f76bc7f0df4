use oauthflow::oauth_client;

#[oauth_client(
    kind = "device",
    redirect_uri = "https://app.example.com/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
