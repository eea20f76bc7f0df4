use oauthflow::oauth_client;

/// A derive written above the attribute is expanded before it, on the unit struct as written.
#[derive(Debug, Clone)]
#[oauth_client(kind = "machine")]
pub struct Client;

fn main() {}
