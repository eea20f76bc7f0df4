use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    code_challenge_method = "plain",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
