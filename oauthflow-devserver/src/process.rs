//! Finding node, installing the pinned packages once, and running `server.mjs`.

use std::collections::VecDeque;
use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use crate::DevError;

/// The line prefix `server.mjs` prints, followed by the issuer, once it listens.
pub(crate) const READY_PREFIX: &str = "OAUTHFLOW_PROVIDER_READY ";
const LOG_LINES: usize = 200;

/// What [`prepare`] found: the node program and the provider directory.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) node: String,
    pub(crate) dir: PathBuf,
}

static PREPARED: OnceLock<Prepared> = OnceLock::new();
static PREPARING: Mutex<()> = Mutex::new(());

/// `tests/provider`, relative to this crate, unless `OAUTHFLOW_PROVIDER_DIR` says otherwise.
pub(crate) fn provider_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OAUTHFLOW_PROVIDER_DIR") {
        return PathBuf::from(dir);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = here.join("..").join("tests").join("provider");
    dir.canonicalize().unwrap_or(dir)
}

fn program(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Checks node, and runs `npm ci` when `node_modules` is missing or does not match the
/// lockfile. Once per process (and serialized across processes with a lock file).
/// Blocking: call it from `spawn_blocking`.
pub(crate) fn prepare() -> Result<Prepared, DevError> {
    if let Some(p) = PREPARED.get() {
        return Ok(p.clone());
    }
    let _guard = PREPARING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = PREPARED.get() {
        return Ok(p.clone());
    }

    let dir = provider_dir();
    if !dir.join("server.mjs").is_file() || !dir.join("package-lock.json").is_file() {
        return Err(DevError::ProviderDirMissing { dir });
    }

    let node = program("OAUTHFLOW_NODE", "node");
    check_node(&node)?;

    if !installed(&dir) {
        install(&dir)?;
    }

    let prepared = Prepared { node, dir };
    let _ = PREPARED.set(prepared.clone());
    Ok(prepared)
}

fn check_node(node: &str) -> Result<(), DevError> {
    let out = match Command::new(node)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::PermissionDenied => {
            return Err(DevError::NodeNotFound {
                program: node.to_string(),
            });
        }
        Err(e) => return Err(DevError::io(format!("running `{node} --version`"), e)),
    };
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if m >= 20 => Ok(()),
        _ => Err(DevError::NodeTooOld {
            found: if version.is_empty() {
                "(unknown version)".into()
            } else {
                version
            },
        }),
    }
}

/// True when `node_modules/oidc-provider` has the version the lockfile pins.
fn installed(dir: &Path) -> bool {
    let wanted = read_json(&dir.join("package-lock.json")).and_then(|lock| {
        lock["packages"]["node_modules/oidc-provider"]["version"]
            .as_str()
            .map(str::to_owned)
    });
    let have = read_json(&dir.join("node_modules/oidc-provider/package.json"))
        .and_then(|pkg| pkg["version"].as_str().map(str::to_owned));
    let complete = dir.join("node_modules/.package-lock.json").is_file();
    matches!((wanted, have), (Some(w), Some(h)) if w == h) && complete
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// A lock file that several test processes agree on; removed on drop.
struct InstallLock(PathBuf);

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn acquire_install_lock(dir: &Path) -> Result<InstallLock, DevError> {
    let path = dir.join(".npm-ci.lock");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                let _ = writeln!(f, "{}", std::process::id());
                return Ok(InstallLock(path));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                // Another process installs right now; a lock older than 10 minutes is stale.
                let stale = fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > Duration::from_secs(600));
                if stale || Instant::now() > deadline {
                    let _ = fs::remove_file(&path);
                    continue;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(DevError::io(format!("creating {}", path.display()), e)),
        }
    }
}

fn install(dir: &Path) -> Result<(), DevError> {
    let _lock = acquire_install_lock(dir)?;
    if installed(dir) {
        return Ok(()); // another process did it while we waited
    }
    let npm = program("OAUTHFLOW_NPM", "npm");
    let out = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::PermissionDenied => {
            return Err(DevError::NpmNotFound {
                program: npm,
                dir: dir.to_path_buf(),
            });
        }
        Err(e) => return Err(DevError::io(format!("running `{npm} ci`"), e)),
    };
    if !out.status.success() || !installed(dir) {
        let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        let tail: String = text
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Err(DevError::NpmInstall {
            dir: dir.to_path_buf(),
            detail: format!("{}\n{}", out.status, tail),
        });
    }
    Ok(())
}

/// The last lines the provider printed (stdout and stderr, READY line excluded).
#[derive(Debug, Clone, Default)]
pub(crate) struct LogBuffer(Arc<Mutex<VecDeque<String>>>);

impl LogBuffer {
    fn push(&self, line: String) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == LOG_LINES {
            q.pop_front();
        }
        q.push_back(line);
    }

    pub(crate) fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn tail(&self, n: usize) -> String {
        let lines = self.lines();
        let start = lines.len().saturating_sub(n);
        lines[start..].join("\n")
    }
}

/// A running `node server.mjs`: killed (and reaped) on drop, and it also exits by itself
/// when its stdin closes, so it cannot outlive this process.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl ServerProcess {
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.stdin.take()); // the server exits on EOF by itself...
        let _ = self.child.kill(); // ...but do not wait for it to notice
        let _ = self.child.wait();
    }
}

/// Spawns the server and waits for its ready line. Returns the process, the issuer and the
/// log buffer.
pub(crate) async fn spawn(
    prepared: &Prepared,
    config_json: String,
    timeout: Duration,
    echo: bool,
) -> Result<(ServerProcess, String, LogBuffer), DevError> {
    let mut child = Command::new(&prepared.node)
        .arg("server.mjs")
        .current_dir(&prepared.dir)
        .env("OAUTHFLOW_PROVIDER_CONFIG", config_json)
        .env_remove("OAUTHFLOW_PROVIDER_NO_STDIN_WATCH")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => DevError::NodeNotFound {
                program: prepared.node.clone(),
            },
            _ => DevError::io("spawning `node server.mjs`", e),
        })?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut process = ServerProcess { child, stdin };
    let logs = LogBuffer::default();
    let pid = process.id();

    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<String>();
    if let Some(stdout) = stdout {
        let logs = logs.clone();
        std::thread::Builder::new()
            .name(format!("oauthflow-provider-{pid}-stdout"))
            .spawn(move || {
                let mut ready_tx = Some(ready_tx);
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(issuer) = line.strip_prefix(READY_PREFIX)
                        && let Some(tx) = ready_tx.take()
                    {
                        let _ = tx.send(issuer.trim().to_string());
                        continue;
                    }
                    if echo {
                        eprintln!("[oauthflow-provider {pid}] {line}");
                    }
                    logs.push(line);
                }
            })
            .map_err(|e| DevError::io("starting a reader thread", e))?;
    }
    if let Some(stderr) = stderr {
        let logs = logs.clone();
        std::thread::Builder::new()
            .name(format!("oauthflow-provider-{pid}-stderr"))
            .spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if echo {
                        eprintln!("[oauthflow-provider {pid}] {line}");
                    }
                    logs.push(line);
                }
            })
            .map_err(|e| DevError::io("starting a reader thread", e))?;
    }

    match tokio::time::timeout(timeout, ready_rx).await {
        Ok(Ok(issuer)) => Ok((process, issuer, logs)),
        Ok(Err(_closed)) => {
            // stdout closed without the ready line: the process is gone or going.
            let status = wait_briefly(&mut process.child);
            // Give the stderr thread a moment to collect the last lines.
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(DevError::Exited {
                status,
                log: logs.tail(30),
            })
        }
        Err(_elapsed) => Err(DevError::StartTimeout {
            timeout,
            log: logs.tail(30),
        }),
    }
}

fn wait_briefly(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => return "still running, but its stdout closed".into(),
            Err(e) => return format!("unknown status: {e}"),
        }
    }
}
