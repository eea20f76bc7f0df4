use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/cb",
    refresh_tokens = "yes",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
