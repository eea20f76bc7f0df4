//! The writable copy of the provider files that `npm ci` runs in: where it lives, its name (a
//! hash of the files), and making it once.
//!
//! The provider files ship inside this crate (`provider/`). A crate from crates.io lives in
//! `~/.cargo/registry/src/...`, which must not be written to, so the files are copied into a
//! cache directory and installed there — once, serialized across processes with a lock file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::DevError;
use crate::npm;

/// The files the server runs from; the copy in the cache has exactly these (not the README, so
/// that a documentation change does not cost a new `npm ci`).
pub(crate) const PROVIDER_FILES: &[&str] = &["package.json", "package-lock.json", "server.mjs"];

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
    if npm::installed(&dir) && copied(&dir) {
        return Ok(dir);
    }
    fs::create_dir_all(&dir)
        .map_err(|e| DevError::io(format!("creating the cache directory {}", dir.display()), e))?;
    let _lock = npm::acquire_install_lock(&dir)?;
    if npm::installed(&dir) && copied(&dir) {
        return Ok(dir); // another process did it while we waited
    }
    for (name, bytes) in &contents {
        write_atomically(&dir.join(name), bytes)?;
    }
    npm::npm_ci(&dir)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Stdio;
    use std::time::SystemTime;

    use crate::ProviderInstall;
    use crate::install::{program, shipped_dir};
    use crate::npm::installed;

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
        let install = ProviderInstall::new(program("OAUTHFLOW_NODE", "node"), dir);
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
}
