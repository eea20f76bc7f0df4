//! `kind = "device"` → the device authorization grant (RFC 8628): a TV app.
//!
//! An input-constrained device cannot show a login page, so it asks the authorization server
//! for a user code, shows the code and a verification URI, and polls the token endpoint while
//! the user approves on a phone or a computer. Polling honours the server's `interval` and
//! `slow_down` (oidc-provider sends no `interval`, so the client waits the default 5 s between
//! polls).
//!
//! With the embedded default a spawned task plays the user on the phone: it opens
//! `verification_uri_complete`, confirms the code, signs in as alice and consents, by plain
//! HTTP.
//!
//! ```sh
//! cargo run --example device_tv             # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant (a client allowed to use the device code grant, and the API
//! `https://api.example.com/billing`):
//!
//! ```sh
//! TV_APP_ISSUER=https://tenant.example.com/ TV_APP_CLIENT_ID=... cargo run --example device_tv
//! ```
//!
//! then go to the printed URI on another device and enter the code.

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use std::time::Instant;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;
use tokio::sync::oneshot;

use crate::support::{Target, say, show_tokens};

/// The living-room TV app that shows invoices.
#[oauth_client(
    kind = "device",
    audiences = ["https://api.example.com/billing"],
    scopes = ["openid", "read:billing"],
)]
pub struct TvApp;

/// One device authorization and its polling. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header("device_tv", TvApp::KIND, TvApp::FLOW, TvApp::DECISION);
    let tv = target.client(clients::DEVICE, TvApp::new, TvApp::from_env)?;

    // Step 1: the codes to show on the screen.
    let authorization = tv.device_authorization(TvAppAudience::Billing).await?;
    say(
        "screen",
        format!(
            "go to {} and enter the code {}",
            authorization.verification_uri(),
            authorization.user_code()
        ),
    );
    say(
        "",
        format!(
            "(code expires {}, polling every {} s)",
            support::relative(authorization.expires_at()),
            authorization.interval().as_secs()
        ),
    );

    // The user's part, for the embedded default: approve on the "phone".
    let (failed_tx, failed_rx) = oneshot::channel::<String>();
    if let Some(embedded) = target.embedded_provider() {
        let complete = authorization
            .verification_uri_complete()
            .ok_or("the server sent no verification_uri_complete")?
            .to_owned();
        say(
            "user",
            "embedded default: a task confirms the code, signs in as alice and consents by plain HTTP",
        );
        let embedded = embedded.clone();
        tokio::spawn(async move {
            match embedded.provider().approve_device(&complete).await {
                Ok(()) => say("user", "approved on the provider's device page"),
                Err(e) => {
                    let _ = failed_tx.send(e.to_string());
                }
            }
        });
    }

    // Step 2: poll until approved (or denied, or expired).
    let started = Instant::now();
    say("polling", "poll_device: waiting for the approval");
    let tokens = tokio::select! {
        tokens = tv.poll_device(&authorization) => tokens?,
        Ok(failed) = failed_rx => return Err(format!("approving the device failed: {failed}").into()),
    };
    say(
        "",
        format!(
            "approved; tokens after {:.1} s",
            started.elapsed().as_secs_f32()
        ),
    );
    show_tokens("tokens", &tokens);
    Ok(format!(
        "user code approved, token aud={} after {:.0} s",
        support::jwt_audience(tokens.access_token().secret()),
        started.elapsed().as_secs_f32()
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("TV_APP").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
