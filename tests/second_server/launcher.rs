//! Starts `tests/django/server.py` (Django OAuth Toolkit) on 127.0.0.1 and waits for its ready
//! line, like the devserver does for oidc-provider. One server serves the whole test binary
//! ([`shared`]); it exits when this process does (it watches its stdin, which closes then).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::venv;

/// The line prefix `server.py` prints, followed by the issuer, once it listens.
const READY_PREFIX: &str = "OAUTHFLOW_DOT_READY ";
/// Migrations, the RSA key and the applications take a few seconds on this machine.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The registered applications and the user (`tests/django/dotserver/clients.py`).
pub mod clients {
    /// client credentials (confidential).
    pub const MACHINE: (&str, &str) = ("machine-client", "machine-secret");
    /// authorization code (confidential), redirect `http://127.0.0.1:8080/callback`.
    pub const WEB: (&str, &str) = ("web-client", "web-secret");
    /// authorization code (public), redirect `http://127.0.0.1:5173/callback`.
    pub const SPA: &str = "spa-client";
    /// authorization code (public), loopback redirect `http://127.0.0.1/callback`, any port.
    pub const NATIVE: &str = "native-client";
    /// implicit (public), redirect `https://127.0.0.1/callback`.
    pub const SPA_LOGIN: &str = "spa-login-client";
    /// password (confidential).
    pub const TRUSTED: (&str, &str) = ("trusted-client", "trusted-secret");
    /// device code (public).
    pub const DEVICE: &str = "device-client";
    /// The test users' password; each test that signs in has a user of its own (`clients.py`
    /// says why).
    pub const PASSWORD: &str = "wonderland";
}

/// A running Django OAuth Toolkit.
pub struct DotServer {
    issuer: String,
    // Kept so the server lives as long as this value; it exits (and removes its database) on EOF.
    stdin: Option<ChildStdin>,
    child: Child,
    logs: Arc<Mutex<VecDeque<String>>>,
}

static SHARED: OnceLock<DotServer> = OnceLock::new();

/// The server shared by every test of this binary, started on first use (with the virtualenv
/// created first when missing).
pub fn shared() -> &'static DotServer {
    SHARED.get_or_init(|| DotServer::start(None))
}

impl DotServer {
    /// Starts a server on `port` (an ephemeral one when `None`). Blocking.
    ///
    /// # Panics
    ///
    /// When the virtualenv cannot be made or the server does not become ready, with its log.
    pub fn start(port: Option<u16>) -> Self {
        venv::ensure();
        let mut child = Command::new(venv::venv_python())
            .arg("server.py")
            .args(["--port", &port.unwrap_or(0).to_string()])
            .current_dir(venv::django_dir())
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tests/django/server.py: {e}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let logs = Arc::new(Mutex::new(VecDeque::new()));

        let (ready_tx, ready_rx) = mpsc::channel();
        let stdout_logs = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match line.strip_prefix(READY_PREFIX) {
                    Some(issuer) => {
                        let _ = ready_tx.send(issuer.trim().to_owned());
                    }
                    None => push(&stdout_logs, line),
                }
            }
        });
        let stderr_logs = logs.clone();
        // `OAUTHFLOW_DOT_ECHO=1`: the server's log on this process's stderr, while it runs.
        let echo = std::env::var_os("OAUTHFLOW_DOT_ECHO").is_some();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if echo {
                    eprintln!("[dot] {line}");
                }
                push(&stderr_logs, line);
            }
        });

        let mut server = DotServer {
            issuer: String::new(),
            stdin: Some(stdin),
            child,
            logs,
        };
        match ready_rx.recv_timeout(START_TIMEOUT) {
            Ok(issuer) => server.issuer = issuer,
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                panic!(
                    "the Django OAuth Toolkit server did not become ready (exit status: {status:?}); its log:\n{}",
                    server.log_tail(40)
                );
            }
        }
        server
    }

    /// `http://127.0.0.1:PORT/o`: what DOT writes in its metadata, ID tokens and `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        self.issuer.trim_end_matches("/o")
    }

    /// The last lines the server wrote (its request log, warnings), for failure messages.
    pub fn log_tail(&self, n: usize) -> String {
        let logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        let skip = logs.len().saturating_sub(n);
        logs.iter()
            .skip(skip)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for DotServer {
    /// Closes stdin so the server removes its temporary database and exits; kills it if it has
    /// not within two seconds.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn push(logs: &Mutex<VecDeque<String>>, line: String) {
    let mut logs = logs.lock().unwrap_or_else(|e| e.into_inner());
    if logs.len() == 500 {
        logs.pop_front();
    }
    logs.push_back(line);
}
