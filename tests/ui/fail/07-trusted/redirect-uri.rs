use oauthflow::oauth_client;

#[oauth_client(
    kind = "trusted",
    redirect_unavailable = "kiosk firmware",
    redirect_uri = "https://app.example.com/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
