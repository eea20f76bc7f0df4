//! `npm ci` and what goes with it: is a directory installed, and a lock file so that one
//! process installs while the others wait.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::DevError;
use crate::install::program;

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
pub(crate) struct InstallLock(PathBuf);

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

pub(crate) fn acquire_install_lock(dir: &Path) -> Result<InstallLock, DevError> {
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
pub(crate) fn npm_ci(dir: &Path) -> Result<(), DevError> {
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
