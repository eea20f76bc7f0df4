use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders"],
    audience_param = "resources",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
