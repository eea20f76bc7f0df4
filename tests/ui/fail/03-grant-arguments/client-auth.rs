use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    client_auth = "none",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
