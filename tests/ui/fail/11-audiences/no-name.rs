use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    audiences = ["https://127.0.0.1:9000/"],
)]
pub struct Client;

fn main() {
    let _ = Client;
}
