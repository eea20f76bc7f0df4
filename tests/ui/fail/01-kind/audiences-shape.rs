use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences(Orders = 1),
)]
pub struct Client;

fn main() {
    let _ = Client;
}
