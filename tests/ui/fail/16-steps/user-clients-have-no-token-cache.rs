use oauthflow::oauth_client;

#[oauth_client(
    kind = "native",
    issuer = "https://tenant.example.com/",
    redirect_uri = "http://127.0.0.1/callback",
)]
pub struct DesktopApp;

#[oauth_client(
    kind = "spa",
    issuer = "https://tenant.example.com/",
    redirect_uri = "https://app.example.com/callback",
)]
pub struct Dashboard;

async fn run(app: DesktopApp, dashboard: Dashboard) -> Result<(), oauthflow::Error> {
    let _token = app.access_token().await?;
    let _tokens = dashboard.login_via_loopback(|url| println!("{url}")).await?;
    let _tokens = app.password_token("alice", &oauthflow::SecretString::from(String::new())).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
