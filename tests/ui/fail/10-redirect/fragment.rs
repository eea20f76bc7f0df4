use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/cb#done",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
