use oauthflow::oauth_client;

#[derive(Clone)]
// The comment between them does not hide the derive.
#[oauth_client(kind = "machine")]
pub struct Client;

fn main() {}
