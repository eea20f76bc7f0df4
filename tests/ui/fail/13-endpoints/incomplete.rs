use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/cb",
    authorization_endpoint = "https://tenant.example.com/authorize",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
