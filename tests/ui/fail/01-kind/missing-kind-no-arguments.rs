use oauthflow::oauth_client;

#[oauth_client]
pub struct Client;

fn main() {}
