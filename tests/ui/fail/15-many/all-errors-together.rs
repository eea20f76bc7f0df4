use oauthflow::oauth_client;

// Parse errors, refused keys and policy rules, all in one compile, in argument order.
#[oauth_client(
    kind = "machine",
    scope = ["read:orders"],
    client_secret = "s3cret",
    refresh_tokens = true,
    issuer = "http://tenant.example.com/",
    redirect_url = "https://app.example.com/cb",
    audiences = ["https://api.example.com/orders", "https://api.example.com/orders"],
    pkce = true,
)]
pub struct ImportJob;

fn main() {
    // The struct is still emitted: no follow-up error here.
    let _ = ImportJob;
}
