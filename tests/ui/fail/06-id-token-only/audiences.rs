use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "https://app.example.com/cb",
    audiences = ["https://api.example.com/orders"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
