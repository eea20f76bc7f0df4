//! The Python virtualenv of the Django server (`tests/django/.venv`, git-ignored): created from
//! the pinned `requirements.txt` when missing or stale, once per process and serialized across
//! test processes with a lock file (as the devserver does for `npm ci`).
//!
//! No silent skip: without Python 3 and its `venv` module the tests fail, saying what to install.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// `tests/django` of the repository: found from the package being tested upwards, so that the
/// tests of another package of the workspace (`oauthflow-cli`) can start the same server.
pub fn django_dir() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    package
        .ancestors()
        .map(|dir| dir.join("tests").join("django"))
        .find(|dir| dir.join("requirements.txt").is_file())
        .unwrap_or_else(|| package.join("tests").join("django"))
}

/// The virtualenv's directory.
pub fn venv_dir() -> PathBuf {
    django_dir().join(".venv")
}

/// The virtualenv's python.
pub fn venv_python() -> PathBuf {
    venv_dir().join("bin").join("python")
}

/// Written into the virtualenv after a successful install: the requirements it was built from.
/// A venv whose stamp differs from `requirements.txt` (or has none: an interrupted install) is
/// rebuilt.
fn stamp_path() -> PathBuf {
    venv_dir().join("oauthflow-requirements.txt")
}

fn requirements() -> String {
    let path = django_dir().join("requirements.txt");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn up_to_date() -> bool {
    venv_python().is_file()
        && fs::read_to_string(stamp_path()).is_ok_and(|stamp| stamp == requirements())
}

/// Makes sure the virtualenv exists and matches `requirements.txt`. Blocking.
///
/// # Panics
///
/// When Python is missing or the install fails, with what to do about it.
pub fn ensure() {
    if up_to_date() {
        return;
    }
    let _lock = InstallLock::acquire(&django_dir().join(".venv.lock"));
    if up_to_date() {
        return; // another test process built it while this one waited
    }
    let started = Instant::now();
    let python = std::env::var("OAUTHFLOW_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let _ = fs::remove_dir_all(venv_dir());
    run(
        Command::new(&python).args(["-m", "venv"]).arg(venv_dir()),
        &format!(
            "`{python} -m venv` (the Django test server needs Python 3.10+ with venv and pip: e.g. `apt-get install python3 python3-venv`, or set OAUTHFLOW_PYTHON)"
        ),
    );
    run(
        Command::new(venv_python())
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
                "--requirement",
            ])
            .arg(django_dir().join("requirements.txt")),
        "`pip install -r tests/django/requirements.txt` (needs the Python package registry)",
    );
    fs::write(stamp_path(), requirements())
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", stamp_path().display()));
    eprintln!(
        "second_server: created {} in {:.1?}",
        venv_dir().display(),
        started.elapsed()
    );
}

fn run(command: &mut Command, what: &str) {
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A lock file that several test processes agree on; removed on drop. One older than ten
/// minutes is taken as left behind by a killed process.
struct InstallLock(PathBuf);

impl InstallLock {
    fn acquire(path: &Path) -> Self {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return InstallLock(path.to_owned());
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > Duration::from_secs(600));
                    if stale || Instant::now() > deadline {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
