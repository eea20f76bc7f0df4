use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "https://evil.example@app.example.com/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
