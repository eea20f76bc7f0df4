use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/cb",
    grant = "authorization_code",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
