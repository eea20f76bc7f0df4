use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    redirect_uri = "https://app.example.com/cb",
    implicit = true,
)]
pub struct Client;

fn main() {
    let _ = Client;
}
