use oauthflow::oauth_client;

#[oauth_client(
    kind = "machin",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
