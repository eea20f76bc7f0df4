use oauthflow::oauth_client;

// Each weaker explicit choice gets its own error naming the FAPI 2.0 clause (C19), and an unknown profile a did-you-mean (C1).
#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/callback",
    profile = "fapi2",
    client_auth = "client_secret_basic",
    par = false,
    sender_constraint = "bearer",
)]
pub struct Portal;

#[oauth_client(
    kind = "machine",
    profile = "FAPI-2",
)]
pub struct Client;

fn main() {
    let _ = (Portal, Client);
}
