use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences = ["https://a.example.com/orders", "https://b.example.com/orders"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
