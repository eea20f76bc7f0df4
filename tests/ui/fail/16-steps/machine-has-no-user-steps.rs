use oauthflow::oauth_client;

#[oauth_client(
    kind = "machine",
    issuer = "https://tenant.example.com/",
    audiences = ["https://api.example.com/orders"],
)]
pub struct ImportJob;

async fn run(job: ImportJob, tokens: oauthflow::TokenSet) -> Result<(), oauthflow::Error> {
    let (_url, _pending) = job.authorize_url(ImportJobAudience::Orders).await?;
    let _tokens = job.refresh(&tokens).await?;
    let _tokens = job.poll_device(&job.device_authorization(ImportJobAudience::Orders).await?).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
