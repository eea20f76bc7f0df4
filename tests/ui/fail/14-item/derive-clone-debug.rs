use oauthflow::oauth_client;

#[oauth_client(kind = "machine")]
#[derive(Clone, Debug, PartialEq)]
pub struct Client;

fn main() {}
