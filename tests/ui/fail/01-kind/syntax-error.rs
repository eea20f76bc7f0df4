use oauthflow::oauth_client;

// A missing comma: the list cannot be read at all; the struct is still emitted.
#[oauth_client(
    kind = "web"
    redirect_uri = "https://app.example.com/cb",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
