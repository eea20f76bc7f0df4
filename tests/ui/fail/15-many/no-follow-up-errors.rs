use oauthflow::oauth_client;

// On error the struct is still emitted as written, so only the attribute's error shows.
#[oauth_client(kind = "web")]
pub struct Portal;

fn takes(_: Portal) {}

fn main() {
    takes(Portal);
}
