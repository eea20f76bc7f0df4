use oauthflow::oauth_client;

#[oauth_client(kind = "machine")]
pub struct Client
where
    u8: Copy;

fn main() {}
