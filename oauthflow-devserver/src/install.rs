//! Finding node and a provider directory whose pinned npm packages are installed: the shipped
//! `provider/` when a checkout has `node_modules` there already, else a cache copy
//! ([`crate::cache`]), or `OAUTHFLOW_PROVIDER_DIR`.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use crate::DevError;
use crate::cache;
use crate::npm;

/// The node program and a directory with `server.mjs` and an installed `node_modules`.
///
/// Get one from [`install_provider`]; [`ProviderInstall::command`] runs the provider in a
/// separate process (e.g. to test a driver against a provider this process does not own).
///
/// ```no_run
/// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
/// let install = oauthflow_devserver::install_provider().await?;
/// assert!(install.dir().join("server.mjs").is_file());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInstall {
    node: String,
    dir: PathBuf,
}

impl ProviderInstall {
    pub(crate) fn new(node: String, dir: PathBuf) -> Self {
        ProviderInstall { node, dir }
    }

    /// The node program (`node`, or `OAUTHFLOW_NODE`).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
    /// println!("{}", oauthflow_devserver::install_provider().await?.node());
    /// # Ok(()) }
    /// ```
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The directory with `server.mjs` and its installed `node_modules`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
    /// println!("cd {} && node server.mjs", oauthflow_devserver::install_provider().await?.dir().display());
    /// # Ok(()) }
    /// ```
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `node server.mjs`, in [`ProviderInstall::dir`], not yet spawned. Add the configuration
    /// JSON as an argument (e.g. `{"port": 4000}`, see `provider/README.md`) and the stdio you
    /// need. The server exits when its stdin closes; pass `--no-stdin-watch` when its stdin is
    /// not a pipe you hold.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let install = oauthflow_devserver::install_provider().await?;
    /// let child = install
    ///     .command()
    ///     .arg(r#"{"port": 4000}"#)
    ///     .stdin(std::process::Stdio::piped())
    ///     .stdout(std::process::Stdio::piped())
    ///     .spawn()?;
    /// # drop(child); Ok(()) }
    /// ```
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.node);
        command
            .arg("server.mjs")
            .current_dir(&self.dir)
            .env("NO_COLOR", "1");
        command
    }
}

/// Checks node (20 or newer) and returns a provider directory with the pinned packages
/// installed, running `npm ci` in a writable cache directory the first time (see the crate
/// docs for where). Once per process; concurrent callers and processes wait for one install.
///
/// [`DevProvider::start`](crate::DevProvider::start) calls it; call it yourself to run the
/// provider outside this crate's process handling.
///
/// ```no_run
/// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
/// let install = oauthflow_devserver::install_provider().await?;
/// println!("provider files in {}", install.dir().display());
/// # Ok(()) }
/// ```
pub async fn install_provider() -> Result<ProviderInstall, DevError> {
    tokio::task::spawn_blocking(prepare)
        .await
        .map_err(|e| DevError::Driver(format!("preparing the provider panicked: {e}")))?
}

static PREPARED: OnceLock<ProviderInstall> = OnceLock::new();
static PREPARING: Mutex<()> = Mutex::new(());

/// Blocking [`install_provider`]: call it from `spawn_blocking`.
pub(crate) fn prepare() -> Result<ProviderInstall, DevError> {
    if let Some(p) = PREPARED.get() {
        return Ok(p.clone());
    }
    let _guard = PREPARING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = PREPARED.get() {
        return Ok(p.clone());
    }
    let node = program("OAUTHFLOW_NODE", "node");
    check_node(&node)?;
    let dir = provider_dir()?;
    let prepared = ProviderInstall::new(node, dir);
    let _ = PREPARED.set(prepared.clone());
    Ok(prepared)
}

/// The directory to run the provider in, installed.
fn provider_dir() -> Result<PathBuf, DevError> {
    // An explicit directory is the caller's: install there, as before the cache existed.
    if let Some(dir) = std::env::var_os("OAUTHFLOW_PROVIDER_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        check_files(&dir)?;
        if !npm::installed(&dir) {
            let _lock = npm::acquire_install_lock(&dir)?;
            if !npm::installed(&dir) {
                npm::npm_ci(&dir)?;
            }
        }
        return Ok(dir);
    }
    let shipped = shipped_dir();
    check_files(&shipped)?;
    // A checkout where `npm ci` ran in place (CI does): use it, writing nothing.
    if npm::installed(&shipped) {
        return Ok(shipped);
    }
    cache::install_copy(&shipped, &cache::cache_root())
}

/// `provider/` inside this crate's sources (a checkout, or `~/.cargo/registry/src/...`).
pub(crate) fn shipped_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("provider");
    dir.canonicalize().unwrap_or(dir)
}

fn check_files(dir: &Path) -> Result<(), DevError> {
    if dir.join("server.mjs").is_file() && dir.join("package-lock.json").is_file() {
        Ok(())
    } else {
        Err(DevError::ProviderDirMissing {
            dir: dir.to_path_buf(),
        })
    }
}
pub(crate) fn program(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_a_typed_error() {
        let dir = std::env::temp_dir().join("oauthflow-devserver-no-such-provider");
        assert!(matches!(
            check_files(&dir),
            Err(DevError::ProviderDirMissing { .. })
        ));
    }
}
