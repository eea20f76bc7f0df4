//! Running `server.mjs` as a child process: its ready line, its output, its end.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{DevError, ProviderInstall};

/// The line prefix `server.mjs` prints, followed by the issuer, once it listens.
pub(crate) const READY_PREFIX: &str = "OAUTHFLOW_PROVIDER_READY ";
const LOG_LINES: usize = 200;

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

/// The line `server.mjs` prints on stderr, followed by the port and the error code
/// (`EADDRINUSE`, `EACCES`, ...), when it cannot listen on the port it was given.
const LISTEN_FAILED_PREFIX: &str = "OAUTHFLOW_PROVIDER_LISTEN_FAILED ";

/// Spawns the server and waits for its ready line. Returns the process, the issuer and the
/// log buffer.
pub(crate) async fn spawn(
    install: &ProviderInstall,
    config_json: String,
    timeout: Duration,
    echo: bool,
) -> Result<(ServerProcess, String, LogBuffer), DevError> {
    let mut child = install
        .command()
        .env("OAUTHFLOW_PROVIDER_CONFIG", config_json)
        .env_remove("OAUTHFLOW_PROVIDER_NO_STDIN_WATCH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => DevError::NodeNotFound {
                program: install.node().to_string(),
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
    let stderr_reader = match stderr {
        Some(stderr) => {
            let logs = logs.clone();
            Some(
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
                    .map_err(|e| DevError::io("starting a reader thread", e))?,
            )
        }
        None => None,
    };

    match tokio::time::timeout(timeout, ready_rx).await {
        Ok(Ok(issuer)) => Ok((process, issuer, logs)),
        Ok(Err(_closed)) => {
            // stdout closed without the ready line: the process is gone or going.
            let (status, exited) = wait_briefly(&mut process.child);
            if exited && let Some(reader) = stderr_reader {
                // node has exited, so its stderr is at end of file: the reader ends soon, and
                // joining it makes sure the last lines (the reason) are in the buffer.
                let _ = tokio::task::spawn_blocking(move || reader.join()).await;
            }
            if let Some(err) = listen_error(&logs.lines()) {
                return Err(err);
            }
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

/// The typed error for `server.mjs`' "cannot listen" line, if it printed one.
fn listen_error(lines: &[String]) -> Option<DevError> {
    let rest = lines
        .iter()
        .find_map(|line| line.strip_prefix(LISTEN_FAILED_PREFIX))?;
    let mut words = rest.split_whitespace();
    let port = words.next()?.parse::<u16>().ok()?;
    let code = words.next().unwrap_or("unknown").to_string();
    Some(if code == "EADDRINUSE" {
        DevError::PortInUse { port }
    } else {
        DevError::PortUnavailable { port, code }
    })
}

/// The exit status as text, and whether the process has exited.
fn wait_briefly(child: &mut Child) -> (String, bool) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (status.to_string(), true),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => return ("still running, but its stdout closed".into(), false),
            Err(e) => return (format!("unknown status: {e}"), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_failures_become_typed_errors() {
        let lines = |l: &str| vec!["something else".to_string(), l.to_string()];
        assert!(matches!(
            listen_error(&lines("OAUTHFLOW_PROVIDER_LISTEN_FAILED 4000 EADDRINUSE")),
            Some(DevError::PortInUse { port: 4000 })
        ));
        assert!(matches!(
            listen_error(&lines("OAUTHFLOW_PROVIDER_LISTEN_FAILED 80 EACCES")),
            Some(DevError::PortUnavailable { port: 80, ref code }) if code == "EACCES"
        ));
        assert!(listen_error(&lines("OAUTHFLOW_PROVIDER_FAILED boom")).is_none());
        assert!(listen_error(&lines("OAUTHFLOW_PROVIDER_LISTEN_FAILED x EADDRINUSE")).is_none());
    }
}
