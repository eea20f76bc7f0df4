use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences(Orders = "https://a.example.com/x", orders = "https://b.example.com/y"),
)]
pub struct Client;

fn main() {
    let _ = Client;
}
