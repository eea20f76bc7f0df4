use oauthflow::oauth_client;

#[oauth_client(
    kind = "trusted",
    redirect_unavailable = "kiosk firmware",
    password = "hunter2",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
