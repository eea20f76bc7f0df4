use oauthflow::oauth_client;

// When the kind is known, the client is generated next to the errors, so code that uses it
// type-checks and only the attribute's own errors show.
#[oauth_client(
    kind = "web",
    issuer = "http://tenant.example.com/",
    audiences = ["https://api.example.com/orders"],
)]
pub struct Portal;

async fn login(portal: &Portal) -> Result<(), oauthflow::Error> {
    let (_url, pending) = portal.authorize_url(PortalAudience::Orders).await?;
    let _tokens = portal.exchange_code(pending, "?code=x&state=y").await?;
    Ok(())
}

// An unknown kind leaves only the struct as written.
#[oauth_client(kind = "webapp")]
pub struct Other;

fn main() {
    let _ = login(&Portal::from_env().unwrap());
    let _ = Other;
}
