use oauthflow::oauth_client;

// FAPI 2.0 needs a confidential client with the code or client-credentials grant (C19).
#[oauth_client(
    kind = "native",
    profile = "fapi2",
)]
pub struct Mobile;

#[oauth_client(
    kind = "trusted",
    redirect_unavailable = "a kiosk",
    profile = "fapi2",
)]
pub struct Kiosk;

#[oauth_client(
    kind = "spa",
    redirect_uri = "https://127.0.0.1/cb",
    scopes = ["openid"],
    access_token = false,
    profile = "fapi2",
)]
pub struct Client;

fn main() {
    let _ = (Mobile, Kiosk, Client);
}
