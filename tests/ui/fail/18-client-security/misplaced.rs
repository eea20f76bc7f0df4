use oauthflow::oauth_client;

// `par` without an authorization endpoint, `sender_constraint` without an access token (C18).
#[oauth_client(
    kind = "machine",
    par = false,
)]
pub struct Job;

#[oauth_client(
    kind = "device",
    par,
)]
pub struct Tv;

#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "https://127.0.0.1/cb",
    scopes = ["openid"],
    sender_constraint = "mtls",
)]
pub struct Client;

fn main() {
    let _ = (Job, Tv, Client);
}
