use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    redirect_uri = "https://app.example.com/cb?code=1",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
