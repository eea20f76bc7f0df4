use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    redirect_uri = "com.example.app://cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
