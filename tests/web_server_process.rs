//! `examples/web_server.rs` run the way a user starts it — its own process, its own `main`:
//! after the scripted login and logout it keeps serving, a second login through its routes
//! works (the user at the provider's pages is `oauthflow_devserver::DevBrowser`, driving the
//! example's embedded provider from outside), and Ctrl-C (SIGINT) stops it cleanly.
//!
//! The tests in `tests/browser.rs` use the example's router in-process; only this one runs its
//! `main`. It needs the example built: `cargo test` (the README's command) builds every
//! example before it runs the tests; `cargo test --test web_server_process` alone does not
//! (then run `cargo build --example web_server` first).
#![cfg(unix)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use oauthflow_devserver::{DevBrowser, users};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{ChildStdout, Command};
use tokio::time::timeout;

/// Starting the embedded provider (node) and the scripted run, on a loaded CI machine.
const STARTUP: Duration = Duration::from_secs(180);

/// `target/<profile>/examples/web_server`, beside this test's `target/<profile>/deps/`.
fn example_binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    let binary = profile_dir.join("examples").join("web_server");
    assert!(
        binary.is_file(),
        "{} is missing: `cargo test` builds the examples first; alone, run `cargo build --example web_server`",
        binary.display()
    );
    binary
}

/// Reads the example's output until a line starting with `label`; returns its text.
async fn line_after(
    lines: &mut Lines<BufReader<ChildStdout>>,
    label: &str,
    seen: &mut Vec<String>,
) -> String {
    let wanted = async {
        while let Some(line) = lines.next_line().await.expect("the example's output") {
            seen.push(line.clone());
            if let Some(text) = line.strip_prefix(label) {
                return text.trim().to_owned();
            }
        }
        panic!(
            "the example exited before printing `{label}`:\n{}",
            seen.join("\n")
        )
    };
    match timeout(STARTUP, wanted).await {
        Ok(text) => text,
        Err(_) => panic!("no `{label}` line within {STARTUP:?}:\n{}", seen.join("\n")),
    }
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(LOCATION)
        .expect("a redirect with Location")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn web_server_keeps_serving_after_its_scripted_run_until_ctrl_c() {
    let mut child = Command::new(example_binary())
        // The embedded default, whatever the environment says.
        .env_remove("PORTAL_ISSUER")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start examples/web_server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();

    let issuer = line_after(&mut lines, "server    embedded oidc-provider at", &mut seen).await;
    let scripted = line_after(&mut lines, "scripted", &mut seen).await;
    assert!(
        scripted.contains("/logout") && scripted.contains(users::ALICE),
        "the scripted run signed in as alice and went through logout: {scripted}"
    );
    let open = line_after(&mut lines, "open", &mut seen).await;
    let login = open
        .split_whitespace()
        .next()
        .expect("`open <url> in your browser`")
        .to_owned();
    let base = login.strip_suffix("/login").expect("the login route");

    // A second user session, after the scripted one logged out.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let resp = http.get(&login).send().await.expect("still serving /login");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let authorize = oauthflow::Url::parse(&location(&resp)).unwrap();
    assert!(authorize.as_str().starts_with(&issuer), "{authorize}");

    let user = "carol";
    let callback = DevBrowser::connect(&issuer)
        .unwrap()
        .with_user(user, "any")
        .login(&authorize)
        .await
        .expect("the provider's pages");
    let resp = http
        .get(callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "/callback");
    let me: serde_json::Value = http
        .get(format!("{base}/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["user"], user,
        "a new session, not the scripted run's: {me}"
    );

    // Ctrl-C: the example stops serving and exits with success.
    let pid = child.id().expect("still running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the example stops within 30 s of Ctrl-C")
        .unwrap();
    assert!(status.success(), "{status}:\n{}", seen.join("\n"));
}
