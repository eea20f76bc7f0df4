//! `oauthflow try <kind>` end to end: every kind against the embedded oidc-provider (no
//! `--issuer`: the command starts it and plays the user), `--issuer` against a provider this
//! test started, and the error paths against the fault peer — each failure explained.

mod support;

use oauthflow_devserver::fault::{FaultPeer, Reply};
use oauthflow_devserver::{DevOptions, DevProvider};
use serde_json::json;
use support::{mask_try, oauthflow};

/// Runs `try` with the embedded default and checks the masked output against its snapshot.
async fn embedded(name: &str, args: &[&str]) {
    let run = oauthflow(args, &[]).await;
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!(name, mask_try(&run.stdout));
}

#[tokio::test]
async fn machine() {
    embedded("try_machine", &["try", "machine"]).await;
}

#[tokio::test]
async fn web() {
    embedded("try_web", &["try", "web"]).await;
}

#[tokio::test]
async fn spa() {
    embedded("try_spa", &["try", "spa"]).await;
}

#[tokio::test]
async fn spa_login_only() {
    embedded("try_spa_login_only", &["try", "spa-login-only"]).await;
}

#[tokio::test]
async fn native() {
    embedded("try_native", &["try", "native"]).await;
}

#[tokio::test]
async fn device() {
    embedded("try_device", &["try", "device"]).await;
}

#[tokio::test]
async fn trusted_needs_the_written_reason() {
    let run = oauthflow(&["try", "trusted"], &[]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("--redirect-unavailable"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing ran: {}", run.stdout);
    embedded(
        "try_trusted",
        &[
            "try",
            "trusted",
            "--redirect-unavailable",
            "a kiosk without a browser",
        ],
    )
    .await;
}

#[tokio::test]
async fn client_settings_without_an_issuer_are_refused() {
    let run = oauthflow(&["try", "machine", "--client-id", "mine"], &[]).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--issuer"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing ran: {}", run.stdout);
}

#[tokio::test]
async fn tokens_only_with_show_tokens() {
    let run = oauthflow(&["try", "machine"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !run.stdout.contains("eyJ"),
        "a JWT was printed: {}",
        run.stdout
    );
    let run = oauthflow(&["try", "machine", "--show-tokens"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("token      eyJ"), "{}", run.stdout);
}

#[tokio::test]
async fn machine_against_a_given_issuer_with_two_audiences() {
    let provider = DevProvider::start().await.expect("the provider starts");
    let issuer = provider.issuer();
    let args = [
        "try",
        "machine",
        "--issuer",
        issuer,
        "--client-id",
        "machine-client",
        "--audience",
        "https://api.example.com/orders",
        "--audience",
        "https://api.example.com/billing",
        "--scope",
        "read:orders",
    ];
    // The secret only from the environment: without it, and without a terminal, a refusal.
    let run = oauthflow(&args, &[]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("OAUTHFLOW_CLIENT_SECRET"),
        "{}",
        run.stderr
    );

    let run = oauthflow(&args, &[("OAUTHFLOW_CLIENT_SECRET", "machine-secret")]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains("machine-secret"), "{}", run.stdout);
    for aud in [
        "aud=https://api.example.com/orders",
        "aud=https://api.example.com/billing",
    ] {
        assert!(run.stdout.contains(aud), "{}", run.stdout);
    }
    assert_eq!(
        provider
            .grant_stats()
            .await
            .expect("stats")
            .for_grant_type("client_credentials"),
        2
    );

    let run = oauthflow(&args, &[("OAUTHFLOW_CLIENT_SECRET", "wrong")]).await;
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("try_wrong_secret", support::mask(&run.stderr));
}

/// A server whose metadata is fine and whose token endpoint fails in the given way.
async fn peer_with_token_reply(reply: Reply) -> FaultPeer {
    let peer = FaultPeer::start().await.expect("the fault peer starts");
    let base = peer.base();
    peer.on(
        "/.well-known/openid-configuration",
        Reply::json(
            200,
            json!({"issuer": base, "token_endpoint": format!("{base}/token")}),
        ),
    );
    peer.on("/token", reply);
    peer
}

async fn machine_against(peer: &FaultPeer) -> support::Run {
    oauthflow(
        &[
            "try",
            "machine",
            "--issuer",
            &peer.base(),
            "--client-id",
            "c",
        ],
        &[("OAUTHFLOW_CLIENT_SECRET", "s3cret-value")],
    )
    .await
}

#[tokio::test]
async fn failures_are_explained_in_the_librarys_words() {
    let cases = [
        (
            "try_unauthorized_client",
            Reply::json(400, json!({"error": "unauthorized_client"})),
        ),
        ("try_html_page", Reply::html(200, "<html>login</html>")),
        (
            "try_token_redirect",
            Reply::redirect(307, "https://elsewhere.example/token"),
        ),
    ];
    for (name, reply) in cases {
        let peer = peer_with_token_reply(reply).await;
        let run = machine_against(&peer).await;
        assert_eq!(run.code, Some(1), "{name}: {}", run.stdout);
        assert!(!run.stdout.contains("s3cret-value") && !run.stderr.contains("s3cret-value"));
        insta::assert_snapshot!(name, support::mask(&run.stderr));
    }
}

/// Runs `try` as a user would against `issuer`: reads the printed authorization URL, signs in
/// with the provider's login driver and "the browser" GETs the callback from the redirect URI
/// `try` listens on. Returns the whole stdout.
async fn as_a_user(provider: &DevProvider, args: &[&str], env: &[(&str, &str)]) -> String {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_oauthflow"));
    command
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("oauthflow runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = String::new();
    let url = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .expect("the URL is printed in time")
            .expect("stdout is readable")
            .unwrap_or_else(|| panic!("no authorization URL printed:\n{printed}"));
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line.strip_prefix("    http") {
            break format!("http{url}");
        }
    };
    let callback = provider
        .login(&url.parse().expect("a URL"))
        .await
        .expect("alice signs in");
    let page = oauthflow_runtime::reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
        .get(callback)
        .send()
        .await
        .expect("the callback reaches `try`");
    assert_eq!(page.status(), 200);
    while let Some(line) = lines.next_line().await.expect("stdout is readable") {
        printed.push_str(&line);
        printed.push('\n');
    }
    let status = child.wait().await.expect("oauthflow ends");
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .await;
    assert!(status.success(), "{printed}\n{stderr}");
    printed
}

#[tokio::test]
async fn web_and_native_against_a_given_issuer_catch_the_callback() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let provider = DevProvider::start_with(DevOptions::new().client(json!({
        "client_id": "cli-web",
        "client_secret": "cli-web-secret",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "redirect_uris": [redirect_uri],
    })))
    .await
    .expect("the provider starts");
    let issuer = provider.issuer().to_owned();

    let printed = as_a_user(
        &provider,
        &[
            "try",
            "web",
            "--issuer",
            &issuer,
            "--client-id",
            "cli-web",
            "--redirect-uri",
            &redirect_uri,
            "--no-browser",
        ],
        &[("OAUTHFLOW_CLIENT_SECRET", "cli-web-secret")],
    )
    .await;
    assert!(printed.contains("id token   validated: "), "{printed}");
    assert!(
        printed.contains("done       code + PKCE (confidential)"),
        "{printed}"
    );

    let printed = as_a_user(
        &provider,
        &[
            "try",
            "native",
            "--issuer",
            &issuer,
            "--client-id",
            "native-client",
            "--no-browser",
        ],
        &[],
    )
    .await;
    assert!(
        printed.contains("done       loopback code + PKCE"),
        "{printed}"
    );
}
