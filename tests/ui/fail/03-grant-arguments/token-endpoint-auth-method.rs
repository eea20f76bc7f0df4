use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    token_endpoint_auth_method = "none",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
