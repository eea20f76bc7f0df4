//! `OAUTHFLOW_PROVIDER_DIR` still overrides the shipped provider files. Its own test binary
//! (and a single test) because it sets a process-wide environment variable, and the crate
//! prepares the provider once per process.

use std::fs;
use std::path::PathBuf;

use oauthflow_devserver::{DevError, DevProvider};

/// The shipped provider files, beside this test.
fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("provider")
}

#[tokio::test]
async fn provider_dir_override_is_used_and_installed_in_place() {
    let base = std::env::temp_dir().join(format!(
        "oauthflow-devserver-override-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&base);
    fs::create_dir_all(&base).unwrap();

    // SAFETY: this binary's only test; nothing else reads the environment concurrently
    // (the current-thread runtime has started no other thread yet).
    unsafe { std::env::set_var("OAUTHFLOW_PROVIDER_DIR", base.join("missing")) };
    let err = DevProvider::start().await.unwrap_err();
    assert!(
        matches!(&err, DevError::ProviderDirMissing { dir } if dir.ends_with("missing")),
        "{err:?}"
    );

    // A copy with a server that announces itself differently in its log: proof that this
    // directory, not the shipped one, is what runs.
    let copy = base.join("provider");
    fs::create_dir(&copy).unwrap();
    for name in ["package.json", "package-lock.json"] {
        fs::copy(shipped().join(name), copy.join(name)).unwrap();
    }
    let server = fs::read_to_string(shipped().join("server.mjs")).unwrap();
    let marker = "process.stderr.write('override-dir-server\\n');\n";
    fs::write(copy.join("server.mjs"), format!("{marker}{server}")).unwrap();

    // SAFETY: as above; the previous start has finished.
    unsafe { std::env::set_var("OAUTHFLOW_PROVIDER_DIR", &copy) };
    let provider = DevProvider::start().await.unwrap();
    // stderr is read by its own thread, which may trail the ready line on stdout.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !provider.logs().iter().any(|l| l == "override-dir-server")
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        provider.logs().iter().any(|l| l == "override-dir-server"),
        "{:?}",
        provider.logs()
    );
    // Installed where it was told, as before the cache existed.
    assert!(
        copy.join("node_modules/oidc-provider/package.json")
            .is_file()
    );
    drop(provider);
    let _ = fs::remove_dir_all(&base);
}
