//! The tour: every example's flow, one after the other, against ONE embedded authorization
//! server — the repository's pinned oidc-provider, started on 127.0.0.1 by
//! `oauthflow_devserver::DevProvider` — then a summary table. Exits with 1 if any failed.
//!
//! ```sh
//! cargo run --example tour
//! ```
//!
//! It needs Node.js 20+ and npm (the provider's packages are installed from
//! `oauthflow-devserver/provider/package-lock.json` on first use) and nothing else: no account, no
//! configuration, no browser. The tour always uses the embedded provider; run one example on
//! its own (`cargo run --example machine_cron`, ...) to point it at a real tenant through its
//! environment variables (see each example's documentation).
//!
//! Each example lives in its own file as `pub async fn run(&Target)` plus a tiny `main`; the
//! tour includes those files as modules and calls their `run`.

// Each example file declares `mod support;` for when it is built on its own. Included here, each
// brings its own copy of `support`, which goes unused: every example names `crate::support`,
// the one declared below, so all of them share one provider.
#![allow(clippy::duplicate_mod)]

mod support;

#[path = "device_tv.rs"]
mod device_tv;
#[path = "fleet.rs"]
mod fleet;
#[path = "machine_api.rs"]
mod machine_api;
#[path = "machine_cron.rs"]
mod machine_cron;
#[path = "machine_dpop.rs"]
mod machine_dpop;
#[path = "machine_key.rs"]
mod machine_key;
#[path = "multi_api.rs"]
mod multi_api;
#[path = "native_loopback.rs"]
mod native_loopback;
#[path = "spa_login_only.rs"]
mod spa_login_only;
#[path = "spa_pkce.rs"]
mod spa_pkce;
#[path = "trusted_kiosk.rs"]
mod trusted_kiosk;
#[path = "web_fapi2.rs"]
mod web_fapi2;
#[path = "web_par.rs"]
mod web_par;
#[path = "web_server.rs"]
mod web_server;

use std::process::ExitCode;
use std::time::Instant;

use oauthflow::Flow;

use crate::support::Target;

/// One row of the summary.
struct Row {
    example: &'static str,
    flow: Flow,
    seconds: f32,
    outcome: support::Result<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let started = Instant::now();
    let target = match Target::embedded().await {
        Ok(target) => target,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let target = &target;

    let mut rows = Vec::new();
    macro_rules! step {
        ($example:ident, $client:ident) => {{
            let t = Instant::now();
            let outcome = $example::run(target).await;
            if let Err(e) = &outcome {
                println!("FAILED    {e}");
            }
            rows.push(Row {
                example: stringify!($example),
                flow: $example::$client::FLOW,
                seconds: t.elapsed().as_secs_f32(),
                outcome,
            });
        }};
    }
    // The decision tree's order: machine, web, trusted, spa, native, device; then audiences.
    step!(machine_cron, ImportJob);
    step!(web_server, Portal);
    step!(trusted_kiosk, Kiosk);
    step!(spa_pkce, Dashboard);
    step!(spa_login_only, LoginPage);
    step!(native_loopback, NotesCli);
    step!(device_tv, TvApp);
    step!(multi_api, Backoffice);
    // The last mile: calling an API with the token, through the HTTP middleware.
    step!(machine_api, OrdersSync);
    // Several instances, one token: replicas sharing one Redis (skipped without redis-server).
    step!(fleet, FleetImporter);
    // Client security: private_key_jwt instead of a secret.
    step!(machine_key, KeyJob);
    // Client security: a pushed authorization request.
    step!(web_par, PushedPortal);
    // Client security: DPoP-bound tokens, with a proof per API call.
    step!(machine_dpop, BoundJob);
    // Client security, all of it: the FAPI 2.0 Security Profile.
    step!(web_fapi2, BankPortal);

    println!();
    println!("== summary {}", "=".repeat(70));
    println!("{:<16} {:<48} {:>6}  outcome", "example", "flow", "time");
    for row in &rows {
        let outcome = match &row.outcome {
            Ok(summary) => format!("ok: {summary}"),
            Err(e) => format!("FAILED: {e}"),
        };
        println!(
            "{:<16} {:<48} {:>5.1}s  {outcome}",
            row.example,
            row.flow.as_str(),
            row.seconds
        );
    }
    let failed = rows.iter().filter(|row| row.outcome.is_err()).count();
    println!(
        "tour: {:.1} s, one embedded provider",
        started.elapsed().as_secs_f32()
    );
    println!("{} passed, {failed} failed", rows.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
