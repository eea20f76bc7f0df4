use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    scopes = ["openid", "read:orders", "offline_access"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
