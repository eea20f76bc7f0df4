//! Finding node and a provider directory whose pinned npm packages are installed.
//!
//! The provider files ship inside this crate (`provider/`). A crate from crates.io lives in
//! `~/.cargo/registry/src/...`, which must not be written to, so unless the shipped directory
//! already has a matching `node_modules` (a repository checkout after `npm ci`), the files are
//! copied into a writable cache directory keyed by a hash of their contents and `npm ci` runs
//! there — once, serialized across processes with a lock file.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use crate::DevError;

/// The files the server runs from; the copy in the cache has exactly these (not the README, so
/// that a documentation change does not cost a new `npm ci`).
pub(crate) const PROVIDER_FILES: &[&str] = &["package.json", "package-lock.json", "server.mjs"];

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
    let prepared = ProviderInstall { node, dir };
    let _ = PREPARED.set(prepared.clone());
    Ok(prepared)
}

/// The directory to run the provider in, installed.
fn provider_dir() -> Result<PathBuf, DevError> {
    // An explicit directory is the caller's: install there, as before the cache existed.
    if let Some(dir) = std::env::var_os("OAUTHFLOW_PROVIDER_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        check_files(&dir)?;
        if !installed(&dir) {
            let _lock = acquire_install_lock(&dir)?;
            if !installed(&dir) {
                npm_ci(&dir)?;
            }
        }
        return Ok(dir);
    }
    let shipped = shipped_dir();
    check_files(&shipped)?;
    // A checkout where `npm ci` ran in place (CI does): use it, writing nothing.
    if installed(&shipped) {
        return Ok(shipped);
    }
    install_copy(&shipped, &cache_root())
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

/// Where copies are installed: `OAUTHFLOW_PROVIDER_CACHE_DIR`, else
/// `<cargo target dir>/oauthflow-devserver` (from `CARGO_TARGET_DIR`, or the `target`
/// directory this executable was built in), else the user's cache directory, else the
/// temporary directory.
pub(crate) fn cache_root() -> PathBuf {
    if let Some(dir) = env_dir("OAUTHFLOW_PROVIDER_CACHE_DIR") {
        return dir;
    }
    if let Some(target) = env_dir("CARGO_TARGET_DIR").or_else(target_of_current_exe) {
        return target.join("oauthflow-devserver");
    }
    let user_cache = env_dir("XDG_CACHE_HOME")
        .or_else(|| env_dir("HOME").map(|home| home.join(".cache")))
        .or_else(|| env_dir("LOCALAPPDATA"));
    user_cache
        .unwrap_or_else(std::env::temp_dir)
        .join("oauthflow-devserver")
}

/// An absolute directory from an environment variable (a relative one depends on whoever
/// started cargo, which this process cannot know).
fn env_dir(var: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os(var)?);
    dir.is_absolute().then_some(dir)
}

/// Cargo marks its target directory with `CACHEDIR.TAG`; tests and examples run from inside it
/// (`target/debug/deps/...`, `target/debug/examples/...`).
fn target_of_current_exe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .take(5)
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
}

/// Copies the provider files from `source` into `<cache_root>/provider-<hash>` and runs
/// `npm ci` there unless that is done already. Never writes to `source`.
pub(crate) fn install_copy(source: &Path, cache_root: &Path) -> Result<PathBuf, DevError> {
    let mut contents = Vec::with_capacity(PROVIDER_FILES.len());
    for name in PROVIDER_FILES {
        let path = source.join(name);
        let bytes =
            fs::read(&path).map_err(|e| DevError::io(format!("reading {}", path.display()), e))?;
        contents.push((*name, bytes));
    }
    let dir = cache_root.join(format!("provider-{:016x}", cache_key(&contents)));
    if installed(&dir) && copied(&dir) {
        return Ok(dir);
    }
    fs::create_dir_all(&dir)
        .map_err(|e| DevError::io(format!("creating the cache directory {}", dir.display()), e))?;
    let _lock = acquire_install_lock(&dir)?;
    if installed(&dir) && copied(&dir) {
        return Ok(dir); // another process did it while we waited
    }
    for (name, bytes) in &contents {
        write_atomically(&dir.join(name), bytes)?;
    }
    npm_ci(&dir)?;
    Ok(dir)
}

/// Keyed by every file's contents, not only the lockfile's: `server.mjs` runs from the copy
/// too, so a changed server must not reuse an old copy.
fn cache_key(contents: &[(&str, Vec<u8>)]) -> u64 {
    contents.iter().fold(FNV_OFFSET, |h, (name, bytes)| {
        let h = fnv1a(h, name.as_bytes());
        let h = fnv1a(h, &(bytes.len() as u64).to_le_bytes());
        fnv1a(h, bytes)
    })
}

fn copied(dir: &Path) -> bool {
    PROVIDER_FILES.iter().all(|name| dir.join(name).is_file())
}

/// Write then rename, so that a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DevError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).map_err(|e| DevError::io(format!("writing {}", tmp.display()), e))?;
    fs::rename(&tmp, path).map_err(|e| DevError::io(format!("writing {}", path.display()), e))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a: stable across Rust versions and platforms (unlike `DefaultHasher`), which a
/// directory name shared by processes built at different times needs. Not a security hash;
/// it only names a cache entry.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn program(var: &str, default: &str) -> String {
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

/// True when `node_modules/oidc-provider` has the version the lockfile pins.
pub(crate) fn installed(dir: &Path) -> bool {
    let wanted = read_json(&dir.join("package-lock.json")).and_then(|lock| {
        lock["packages"]["node_modules/oidc-provider"]["version"]
            .as_str()
            .map(str::to_owned)
    });
    let have = read_json(&dir.join("node_modules/oidc-provider/package.json"))
        .and_then(|pkg| pkg["version"].as_str().map(str::to_owned));
    // npm writes its hidden lockfile last: without it the install is incomplete.
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

/// `npm ci` in `dir`; the caller holds the install lock.
fn npm_ci(dir: &Path) -> Result<(), DevError> {
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
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        return Err(DevError::NpmInstall {
            dir: dir.to_path_buf(),
            detail: format!("{}\n{}", out.status, tail),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_reference_function() {
        // Reference values of 64-bit FNV-1a.
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn the_cache_key_changes_with_any_file() {
        let files = |server: &str| {
            vec![
                ("package-lock.json", b"{}".to_vec()),
                ("server.mjs", server.as_bytes().to_vec()),
            ]
        };
        assert_eq!(cache_key(&files("a")), cache_key(&files("a")));
        assert_ne!(cache_key(&files("a")), cache_key(&files("b")));
    }

    /// A fresh empty directory under the temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> Self {
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "oauthflow-devserver-{label}-{}-{nanos}",
                std::process::id()
            ));
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            make_writable(&self.0);
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    fn set_mode(dir: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn make_writable(dir: &Path) {
        #[cfg(unix)]
        if let Ok(entries) = fs::read_dir(dir) {
            set_mode(dir, 0o755);
            for entry in entries.flatten() {
                if entry.path().is_dir() {
                    make_writable(&entry.path());
                }
            }
        }
    }

    /// What a crate from crates.io looks like: the provider files in a directory outside this
    /// repository, without `node_modules`, read-only. The install must land in the cache
    /// directory, leave the source untouched, and give a directory node can run.
    #[test]
    fn installs_a_read_only_copy_into_the_cache_and_runs_it() {
        let registry = TempDir::new("registry");
        let source = registry.0.join("provider");
        fs::create_dir(&source).unwrap();
        for name in PROVIDER_FILES {
            fs::copy(shipped_dir().join(name), source.join(name)).unwrap();
        }
        #[cfg(unix)]
        set_mode(&source, 0o555);
        let cache = TempDir::new("cache");

        let dir = install_copy(&source, &cache.0).unwrap();
        assert!(dir.starts_with(&cache.0), "{}", dir.display());
        assert!(installed(&dir));
        assert!(!dir.join(".npm-ci.lock").exists(), "the lock is released");
        let mut left: Vec<_> = fs::read_dir(&source)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, {
            let mut files: Vec<_> = PROVIDER_FILES.iter().map(|s| s.to_string()).collect();
            files.sort();
            files
        });

        // The second time it is found, not installed again (the marker would be removed by
        // `npm ci`, which empties node_modules first).
        let marker = dir.join("node_modules").join("kept-by-the-cache");
        fs::write(&marker, b"").unwrap();
        assert_eq!(install_copy(&source, &cache.0).unwrap(), dir);
        assert!(marker.exists());

        // And node runs the copy.
        let install = ProviderInstall {
            node: program("OAUTHFLOW_NODE", "node"),
            dir,
        };
        let mut child = install
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let ready = std::io::BufRead::lines(std::io::BufReader::new(stdout))
            .map_while(Result::ok)
            .find(|line| line.starts_with(crate::process::READY_PREFIX));
        let _ = child.kill();
        let _ = child.wait();
        let ready = ready.expect("the copied server printed its ready line");
        assert!(ready.contains("http://127.0.0.1:"), "{ready}");
    }

    #[test]
    fn a_missing_directory_is_a_typed_error() {
        let dir = std::env::temp_dir().join("oauthflow-devserver-no-such-provider");
        assert!(matches!(
            check_files(&dir),
            Err(DevError::ProviderDirMissing { .. })
        ));
    }
}
