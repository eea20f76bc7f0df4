use oauthflow::oauth_client;

#[oauth_client(kind = "machine")]
pub struct Client<T>;

fn main() {}
