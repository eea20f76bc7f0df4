use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    scopes = ["offline_access"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
