use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    redirect_unavailable = "no browser",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
