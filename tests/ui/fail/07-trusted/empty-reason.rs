use oauthflow::oauth_client;

#[oauth_client(
    kind = "trusted",
    redirect_unavailable = " ",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
