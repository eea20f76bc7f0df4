use oauthflow::oauth_client;

// `client_auth` on a public kind; an unknown method; the old name (C18, C1, C4), together.
#[oauth_client(
    kind = "spa",
    redirect_uri = "https://app.example.com/callback",
    client_auth = "client_secret_post",
    token_endpoint_auth_method = "private_key_jwt",
)]
pub struct Browser;

#[oauth_client(
    kind = "web",
    redirect_uri = "https://app.example.com/callback",
    client_auth = "client_secret_jwt",
)]
pub struct Client;

fn main() {
    let _ = (Browser, Client);
}
