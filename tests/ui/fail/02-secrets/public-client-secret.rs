use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    redirect_uri = "https://app.example.com/cb",
    client_secret = "s3cret",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
