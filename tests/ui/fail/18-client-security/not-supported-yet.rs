use oauthflow::oauth_client;

// What this version does not run yet is refused, never silently left out (C18), each at its value.
#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/callback",
    sender_constraint = "dpop",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
