//! `oauthflow inspect` and `oauthflow try machine` against the second real server, Django OAuth Toolkit (`tests/django`,
//! started by the same launcher as the root package's `tests/second_server`): the report says
//! what DOT's metadata really offers — and, where it omits an endpoint it has (the device
//! authorization endpoint), that the kind cannot work from discovery alone.

#[path = "../../tests/second_server/launcher.rs"]
#[allow(
    dead_code,
    reason = "shared with tests/second_server, which uses all of it"
)]
mod launcher;
mod support;
#[path = "../../tests/second_server/venv.rs"]
mod venv;

use serde_json::Value;
use support::oauthflow;

#[tokio::test]
async fn reports_what_django_oauth_toolkit_offers() {
    let server = launcher::shared();
    let run = oauthflow(&["inspect", server.issuer(), "--json"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("--json prints JSON");
    assert_eq!(report["issuer"], server.issuer());
    assert_eq!(report["jwks"]["reachable"], true, "{report:#}");
    let works = |kind: &str| {
        report["kinds"]
            .as_array()
            .expect("kinds")
            .iter()
            .find(|k| k["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {report:#}"))["works"]
            .clone()
    };
    // The code flow with PKCE S256 and an RFC 9207 `iss`: the browser kinds work.
    for kind in ["web", "spa", "native"] {
        assert_eq!(works(kind), true, "{kind}: {report:#}");
    }
    // No `response_mode=form_post`, and no device endpoint in the metadata (it has one: set at
    // run time, see the README's compatibility table).
    assert_eq!(works("spa-login-only"), false, "{report:#}");
    assert_eq!(works("device"), false, "{report:#}");

    // `--kind device`: exit 1, and the text says what is missing.
    let run = oauthflow(&["inspect", server.issuer(), "--kind", "device"], &[]).await;
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("device_authorization_endpoint"),
        "{}",
        run.stdout
    );
}

/// `try machine` against DOT: client credentials with the registered machine client, the
/// secret from the environment only, never printed.
#[tokio::test]
async fn tries_client_credentials_at_django_oauth_toolkit() {
    let server = launcher::shared();
    let (client_id, secret) = launcher::clients::MACHINE;
    let args = [
        "try",
        "machine",
        "--issuer",
        server.issuer(),
        "--client-id",
        client_id,
        "--scope",
        "read",
    ];
    let run = oauthflow(&args, &[("OAUTHFLOW_CLIENT_SECRET", secret)]).await;
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("HTTP 200 from the token endpoint"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(secret), "{}", run.stdout);
}
