use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    redirect_uri = "/callback",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
