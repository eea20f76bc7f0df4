use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    env_prefix = "import-job",
)]
pub struct Client;

fn main() {
    let _ = Client;
}
