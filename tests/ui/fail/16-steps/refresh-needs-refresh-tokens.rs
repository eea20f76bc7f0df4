use oauthflow::oauth_client;

#[oauth_client(
    kind = "web",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://app.example.com/callback",
)]
pub struct Portal;

async fn run(portal: Portal, tokens: oauthflow::TokenSet) -> Result<(), oauthflow::Error> {
    let _tokens = portal.refresh(&tokens).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
