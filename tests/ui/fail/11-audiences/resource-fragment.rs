use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders#v1"],
    audience_param = "resource",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
