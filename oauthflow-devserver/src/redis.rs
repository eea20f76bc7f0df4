//! A throwaway `redis-server` on 127.0.0.1 for the shared token store's tests and the fleet
//! example: a random port, no persistence, killed on drop.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::DevError;

/// The environment variable naming the `redis-server` to run (default: `redis-server` on the
/// `PATH`; Debian: `apt-get install -y redis-server`).
pub const REDIS_SERVER_ENV: &str = "OAUTHFLOW_REDIS_SERVER";

/// A `redis-server` started for a test on `127.0.0.1` and a free port, without persistence.
/// It is killed on drop; [`stop`](Self::stop) and [`restart`](Self::restart) (same port) let a
/// test take it away and bring it back.
///
/// ```no_run
/// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
/// use oauthflow_devserver::DevRedis;
///
/// let redis = DevRedis::start().await?;
/// assert!(redis.url().starts_with("redis://127.0.0.1:"));
/// assert_eq!(redis.command(&["SET", "k", "v"]).await?, Some(b"OK".to_vec()));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DevRedis {
    port: u16,
    child: Option<Child>,
}

/// One reply of [`DevRedis::keys`] and friends, flattened: what a test looks at.
type Reply = Option<Vec<u8>>;

fn program() -> String {
    std::env::var(REDIS_SERVER_ENV).unwrap_or_else(|_| "redis-server".into())
}

impl DevRedis {
    /// Whether `redis-server` can be run here.
    pub fn available() -> bool {
        std::process::Command::new(program())
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Starts `redis-server` on a free port of 127.0.0.1 and waits until it answers `PING`.
    ///
    /// # Errors
    /// [`DevError::Io`] when it cannot be run (install it: `apt-get install -y redis-server`),
    /// [`DevError::Driver`] when it does not answer within 5 s.
    pub async fn start() -> Result<Self, DevError> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| DevError::io("pick a free port for redis-server", e))?
            .port();
        let mut redis = DevRedis { port, child: None };
        redis.restart().await?;
        Ok(redis)
    }

    /// The URL to give the token store: `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (its data is gone: no persistence) and waits until it has exited.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts the server again on the same port (after [`stop`](Self::stop)), empty.
    ///
    /// # Errors
    /// As [`start`](Self::start).
    pub async fn restart(&mut self) -> Result<(), DevError> {
        self.stop().await;
        let child = Command::new(program())
            .args(["--bind", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                DevError::io(
                    format!(
                        "run `{}` (install it: `apt-get install -y redis-server`, or set {REDIS_SERVER_ENV})",
                        program()
                    ),
                    e,
                )
            })?;
        self.child = Some(child);
        for _ in 0..100 {
            if self.command(&["PING"]).await.ok().flatten().as_deref() == Some(b"PONG") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(DevError::Driver(format!(
            "redis-server on 127.0.0.1:{} did not answer PING within 5 s",
            self.port
        )))
    }

    /// Sends one command and returns its reply: a status or bulk string's bytes, an integer as
    /// text, `None` for nil; an array's elements joined by `\n`.
    ///
    /// # Errors
    /// [`DevError::Io`] when the server cannot be reached; [`DevError::Driver`] for an error
    /// reply.
    pub async fn command(&self, args: &[&str]) -> Result<Reply, DevError> {
        self.command_bytes(&args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>())
            .await
    }

    /// [`command`](Self::command) with binary arguments (e.g. to write a corrupt value).
    ///
    /// # Errors
    /// As [`command`](Self::command).
    pub async fn command_bytes(&self, args: &[&[u8]]) -> Result<Reply, DevError> {
        let io = |e| DevError::io("talk to redis-server", e);
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .map_err(io)?;
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        stream.write_all(&request).await.map_err(io)?;
        let mut reader = BufReader::new(stream);
        Box::pin(read_reply(&mut reader)).await
    }

    /// The keys matching `pattern` (`KEYS`), sorted.
    ///
    /// # Errors
    /// As [`command`](Self::command).
    pub async fn keys(&self, pattern: &str) -> Result<Vec<String>, DevError> {
        let reply = self.command(&["KEYS", pattern]).await?.unwrap_or_default();
        let mut keys: Vec<String> = String::from_utf8_lossy(&reply)
            .split('\n')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect();
        keys.sort();
        Ok(keys)
    }
}

async fn read_reply(reader: &mut BufReader<TcpStream>) -> Result<Reply, DevError> {
    let io = |e| DevError::io("read redis-server's reply", e);
    let mut line = String::new();
    reader.read_line(&mut line).await.map_err(io)?;
    let line = line.trim_end_matches("\r\n");
    let (kind, rest) = line.split_at(line.len().min(1));
    let number = || {
        rest.parse::<i64>()
            .map_err(|_| DevError::Driver(format!("unexpected redis reply {line:?}")))
    };
    match kind {
        "+" | ":" => Ok(Some(rest.as_bytes().to_vec())),
        "-" => Err(DevError::Driver(format!("redis-server answered {rest}"))),
        "$" => {
            let Ok(len) = usize::try_from(number()?) else {
                return Ok(None);
            };
            let mut bulk = vec![0; len + 2];
            reader.read_exact(&mut bulk).await.map_err(io)?;
            bulk.truncate(len);
            Ok(Some(bulk))
        }
        "*" => {
            let Ok(count) = usize::try_from(number()?) else {
                return Ok(None);
            };
            let mut joined = Vec::new();
            for i in 0..count {
                if i > 0 {
                    joined.push(b'\n');
                }
                joined.extend(Box::pin(read_reply(reader)).await?.unwrap_or_default());
            }
            Ok(Some(joined))
        }
        _ => Err(DevError::Driver(format!("unexpected redis reply {line:?}"))),
    }
}
