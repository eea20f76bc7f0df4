use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "http://app.example.com/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
