//! `kind = "web"`, `profile = "fapi2"`: the FAPI 2.0 Security Profile (open banking, health,
//! government), chosen at compile time. The profile implies `client_auth = "private_key_jwt"`,
//! `sender_constraint = "dpop"` and `par = true`; writing a weaker choice (a secret, `par =
//! false`, bearer tokens, a public kind) does not compile, each error naming the FAPI 2.0
//! clause. At run time it also accepts only PS256, ES256 and EdDSA ID tokens and needs a server
//! that sends RFC 9207 `iss`.
//!
//! Here: the authorization request is pushed (the browser sees `client_id` and `request_uri`
//! only), the client authenticates with a signed assertion, the tokens are DPoP-bound, the ID
//! token is ES256; then a refresh and a userinfo call, each with a proof of the client's key.
//! The repository's oidc-provider applies its FAPI 2.0 profile to this client (`fapi-client`).
//!
//! ```sh
//! cargo run --example web_fapi2            # against the repository's oidc-provider
//! ```
//!
//! Against a real FAPI 2.0 server, with the client registered for `private_key_jwt` (its public
//! key known there), DPoP-bound tokens and this redirect URI:
//!
//! ```sh
//! BANK_PORTAL_ISSUER=https://bank.example.com/ BANK_PORTAL_CLIENT_ID=... \
//! BANK_PORTAL_CLIENT_KEY_FILE=client-key.pem \
//! cargo run --example web_fapi2
//! ```

// Shared by the examples. `tour.rs` includes this file as a module and has its own `support`,
// which is why the items below are named through `crate::support`.
mod support;

use oauthflow::oauth_client;
use oauthflow_devserver::clients;

use crate::support::{Target, say, show_authorize_url, show_callback, show_tokens};

/// A bank's customer portal under the FAPI 2.0 Security Profile.
#[oauth_client(
    kind = "web",
    profile = "fapi2",
    redirect_uri = "http://127.0.0.1:8080/callback",
    scopes = ["openid"],
    refresh_tokens = true,
)]
pub struct BankPortal;

/// Push, sign in, redeem, refresh, userinfo. Returns a one-line summary.
pub async fn run(target: &Target) -> support::Result<String> {
    support::header(
        "web_fapi2",
        BankPortal::KIND,
        BankPortal::FLOW,
        BankPortal::DECISION,
    );
    let portal = target.client(clients::FAPI, BankPortal::new, BankPortal::from_env)?;
    // Fails here without PAR, DPoP (ES256), private_key_jwt or RFC 9207 `iss` at the server.
    portal.discover().await?;

    let (url, pending) = portal.authorize_url().await?;
    show_authorize_url(&url);
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    say(
        "query",
        format!("the browser sees only: {}", names.join(", ")),
    );
    let callback = target.sign_in(&url).await?;
    show_callback(&callback);
    let tokens = portal.exchange_code(pending, &callback).await?;
    show_tokens("tokens", &tokens);
    let id_alg = tokens
        .id_token()
        .and_then(support::jwt_header_alg)
        .unwrap_or_else(|| "-".to_owned());
    say(
        "bound",
        format!(
            "token_type=DPoP: {}; ID token signed {id_alg}",
            tokens.is_dpop_bound()
        ),
    );
    if !tokens.is_dpop_bound() {
        return Err("the tokens are not DPoP-bound".into());
    }

    let refreshed = portal.refresh(&tokens).await?;
    say("refresh", "new DPoP-bound tokens (a proof of the same key)");
    let info = portal.userinfo(&refreshed).await?;
    say(
        "userinfo",
        format!("sub={} (a DPoP proof with `ath`)", info.subject()),
    );
    Ok(format!(
        "FAPI 2.0: pushed request, signed assertion, DPoP-bound tokens, {id_alg} ID token"
    ))
}

#[allow(dead_code)] // `tour.rs` includes this file and calls `run` itself
#[tokio::main]
async fn main() -> support::Result<()> {
    let target = Target::for_example("BANK_PORTAL").await?;
    let outcome = run(&target).await?;
    say("done", outcome);
    Ok(())
}
