use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "http://127.0.0.1/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
