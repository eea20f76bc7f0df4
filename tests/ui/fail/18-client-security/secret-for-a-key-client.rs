use oauthflow::{oauth_client, ClientSecret, Settings};

// A private_key_jwt client takes `Settings<PrivateKeyJwt>`: a secret does not compile.
#[oauth_client(kind = "machine", issuer = "https://tenant.example.com/", client_auth = "private_key_jwt")]
pub struct Job;

fn main() {
    let _ = Job::new(Settings::confidential("job", ClientSecret::new("s3cret".into())));
}
