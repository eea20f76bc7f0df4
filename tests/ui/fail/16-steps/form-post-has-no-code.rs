use oauthflow::oauth_client;

#[oauth_client(
    kind = "spa",
    access_token = false,
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://app.example.com/login",
    scopes = ["openid"],
)]
pub struct LoginOnly;

async fn run(login: LoginOnly, pending: oauthflow::PendingAuthorization) -> Result<(), oauthflow::Error> {
    let _tokens = login.exchange_code(pending, "code=x&state=y").await?;
    Ok(())
}

fn main() {
    let _ = run;
}
