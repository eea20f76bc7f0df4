use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "https://app.example.com/cb",
    authorization_endpoint = "https://tenant.example.com/authorize",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
