use oauthflow::oauth_client;

#[oauth_client(kind = "machine")]
pub enum Client {
    A,
}

fn main() {}
