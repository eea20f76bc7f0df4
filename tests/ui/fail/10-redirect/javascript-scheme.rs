use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    redirect_uri = "javascript:alert(1)",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
