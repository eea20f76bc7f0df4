use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    redirect_uri = "http://127.0.0.1:8080/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
