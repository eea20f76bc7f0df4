//! kind = "machine": client credentials, one token per audience.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications, rust_2018_idioms, unsafe_code)]
#![deny(clippy::pedantic)]

use oauthflow::oauth_client;

/// The nightly import job.
#[oauth_client(
    kind = "machine",
    issuer = "https://tenant.example.com/",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
    scopes = ["read:orders"],
)]
pub struct ImportJob;

/// The client can sit in an axum `State` or be shared by tasks.
fn assert_shareable<T: Clone + Send + Sync + 'static>(_: &T) {}

/// Its step futures can be spawned.
fn assert_send<T: Send>(_: &T) {}

fn main() {
    assert_eq!(ImportJob::FLOW, oauthflow::Flow::ClientCredentials);
    assert_eq!(ImportJob::KIND, oauthflow::Kind::Machine);
    assert!(ImportJob::DECISION.contains("client credentials"));
    assert_eq!(ImportJobAudience::ALL, [ImportJobAudience::Orders, ImportJobAudience::Billing]);
    assert_eq!(ImportJobAudience::Orders.as_str(), "https://api.example.com/orders");
    let settings = oauthflow::Settings::confidential(
        "import-job",
        oauthflow::ClientSecret::new("s3cret".into()),
    );
    let job = ImportJob::new(settings).unwrap();
    let copy = job.clone();
    assert!(!format!("{copy:?}").contains("s3cret"));
    assert_shareable(&job);
    let future = job.access_token(ImportJobAudience::Billing);
    assert_send(&future);
}
