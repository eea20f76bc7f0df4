use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    scopes = ["read orders"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
