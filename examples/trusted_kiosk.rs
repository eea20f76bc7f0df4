//! `kind = "trusted"` → the resource owner password credentials grant, with its written reason.
//!
//! The password grant hands the user's password to the client, so RFC 9700 §2.4 says it MUST NOT
//! be used; the decision tree allows it only for a client that is absolutely trusted with user
//! credentials *and* where no redirect-based flow is possible — and the macro refuses
//! `kind = "trusted"` without a written `redirect_unavailable` reason, which it quotes in
//! `DECISION`. (A device with a browser elsewhere should use `kind = "device"` instead.)
//!
//! With the embedded default the kiosk signs in as the provider's test user `alice` /
//! `wonderland`.
//!
//! ```sh
//! cargo run --example trusted_kiosk         # against the repository's oidc-provider
//! ```
//!
//! Against a real tenant (a client allowed to use the password grant):
//!
//! ```sh
//! KIOSK_ISSUER=https://tenant.example.com/ KIOSK_CLIENT_ID=... KIOSK_CLIENT_SECRET=... \
//! KIOSK_USERNAME=... KIOSK_PASSWORD=... \
//! cargo run --example trusted_kiosk
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::{SecretString, oauth_client};
use oauthflow_devserver::{clients, users};

use crate::support::{Target, say, show_tokens};

/// The lobby kiosk: sealed firmware, no browser, no second screen.
#[oauth_client(
    kind = "trusted",
    redirect_unavailable = "the lobby kiosk runs sealed firmware with no browser engine and no second screen for a device code",
    audiences = ["https://api.example.com/orders"],
    scopes = ["openid", "read:orders"],
)]
pub struct Kiosk;

/// The user's name and password, typed on the kiosk's own keypad.
fn credentials(target: &Target) -> support::Result<(String, SecretString)> {
    match target.embedded_provider() {
        Some(_) => {
            say("user", "embedded default: the provider's test user alice");
            Ok((
                users::ALICE.to_owned(),
                SecretString::from(users::ALICE_PASSWORD.to_owned()),
            ))
        }
        None => {
            let username = std::env::var("KIOSK_USERNAME").map_err(|_| "set KIOSK_USERNAME")?;
            let password = std::env::var("KIOSK_PASSWORD").map_err(|_| "set KIOSK_PASSWORD")?;
            say("user", "from KIOSK_USERNAME and KIOSK_PASSWORD");
            Ok((username, SecretString::from(password)))
        }
    }
}

/// One password grant. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header("trusted_kiosk", Kiosk::KIND, Kiosk::FLOW, Kiosk::DECISION);
    let kiosk = target.client(clients::TRUSTED, Kiosk::new, Kiosk::from_env)?;
    let (username, password) = credentials(target)?;
    say(
        "step",
        format!(
            "password_token({username}, [password], Orders): one POST to the token endpoint, never retried"
        ),
    );
    let tokens = kiosk
        .password_token(&username, &password, KioskAudience::Orders)
        .await?;
    show_tokens("tokens", &tokens);
    Ok(format!(
        "password grant token aud={} sub={username}",
        support::jwt_audience(tokens.access_token().secret())
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("KIOSK").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
