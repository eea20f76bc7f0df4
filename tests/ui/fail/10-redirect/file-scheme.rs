use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    redirect_uri = "file:///tmp/callback.html",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
