use oauthflow::oauth_client;

// What this version does not run yet is refused, never silently left out (C18), each at its value:
// the device grant's polling sends no DPoP proof yet.
#[oauth_client(kind = "device", sender_constraint = "dpop")]
pub struct Client;

fn main() {
    let _ = Client;
}
