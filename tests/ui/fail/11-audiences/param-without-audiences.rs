use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audience_param = "resource",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
