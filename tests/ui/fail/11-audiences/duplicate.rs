use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/orders"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
