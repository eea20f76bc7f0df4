//! The browser of `tests/browser.rs`: Debian's Chromium, headless, driven through its
//! chromedriver over WebDriver (`thirtyfour`).
//!
//! One chromedriver per test binary, started on first use on an ephemeral loopback port; it and
//! its Chromiums are stopped when the test binary exits (see `start_chromedriver`). Each test opens its own Chromium session with a fresh profile
//! directory, at most [`MAX_BROWSERS`] at a time so a 2-core CI machine is not swamped.
//!
//! Chromium is told to stay off the network (no component updates, sync, first-run or QUIC,
//! and every host name resolves to nothing), so pages that import web fonts fail fast instead
//! of waiting for a network that CI does not have.
//!
//! Where Chromium or chromedriver is missing the tests say so and pass without a browser,
//! unless `OAUTHFLOW_REQUIRE_BROWSER=1` (set by `.ci/run` once it has installed them): then a
//! missing browser fails the test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Chromium sessions open at once in one test binary.
const MAX_BROWSERS: usize = 2;
static BROWSERS: Semaphore = Semaphore::const_new(MAX_BROWSERS);

/// How long one WebDriver command may take (a page load included).
const WEBDRIVER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a test waits for a page to show what it expects.
const PAGE_TIMEOUT: Duration = Duration::from_secs(15);

/// The Chromium binary: `OAUTHFLOW_CHROMIUM`, else Debian's `/usr/bin/chromium`.
fn chromium_path() -> PathBuf {
    std::env::var_os("OAUTHFLOW_CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from)
}

/// The chromedriver binary: `OAUTHFLOW_CHROMEDRIVER`, else Debian's `/usr/bin/chromedriver`.
fn chromedriver_path() -> PathBuf {
    std::env::var_os("OAUTHFLOW_CHROMEDRIVER")
        .map_or_else(|| "/usr/bin/chromedriver".into(), PathBuf::from)
}

/// The chromedriver's URL, started once per test binary; `Err` says why there is none.
fn chromedriver() -> &'static Result<String, String> {
    static DRIVER: OnceLock<Result<String, String>> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let (chromium, driver) = (chromium_path(), chromedriver_path());
        for (what, path) in [("chromium", &chromium), ("chromedriver", &driver)] {
            if !path.exists() {
                return Err(format!(
                    "{what} is not at {} (apt-get install chromium chromium-driver, or set OAUTHFLOW_{})",
                    path.display(),
                    what.to_uppercase()
                ));
            }
        }
        start_chromedriver(&driver)
    })
}

/// Starts chromedriver on an ephemeral port and returns its URL. A shell runs it in a process
/// group of its own (`setsid`) and, when its standard input closes — when this process exits,
/// however it exits, a failed test included — kills the whole group: the driver and every
/// Chromium it started.
fn start_chromedriver(driver: &Path) -> Result<String, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"setsid "$0" --port=0 </dev/null & pid=$!; read _; kill -TERM -"$pid""#)
        .arg(driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start chromedriver: {e}"))?;
    // Held open for the life of the process: its end is the shell's signal to stop the driver.
    std::mem::forget(child.stdin.take());
    let stdout = child.stdout.take().ok_or("chromedriver has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = match lines.next() {
            Some(Ok(line)) => line,
            _ => return Err("chromedriver exited before it listened".to_owned()),
        };
        // "ChromeDriver was started successfully on port 43449."
        if let Some(rest) = line.split("started successfully on port ").nth(1) {
            break rest.trim_end_matches('.').trim().to_owned();
        }
    };
    // Keep reading, so a chatty driver never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok(format!("http://127.0.0.1:{port}"))
}

/// The chromedriver's URL, or `None` after saying why the test is skipped: no Chromium on this
/// machine and `OAUTHFLOW_REQUIRE_BROWSER` is not `1` (with it, a missing browser fails).
pub fn driver_or_skip(test: &str) -> Option<String> {
    match chromedriver() {
        Ok(url) => Some(url.clone()),
        Err(why) if std::env::var("OAUTHFLOW_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!("{test}: no browser, and OAUTHFLOW_REQUIRE_BROWSER=1: {why}")
        }
        Err(why) => {
            eprintln!("skipped {test}: no browser to drive: {why}");
            None
        }
    }
}

/// Where a test's screenshots go: `target/tmp/browser-screenshots/<test>/`.
pub fn screenshot_dir(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-screenshots")
        .join(test)
}

/// One headless Chromium session of one test.
pub struct Browser {
    driver: WebDriver,
    test: &'static str,
    shots: usize,
    profile: PathBuf,
    _permit: SemaphorePermit<'static>,
}

impl Browser {
    /// A new Chromium with a fresh profile, or `None` (after saying why) when this machine has
    /// no Chromium and `OAUTHFLOW_REQUIRE_BROWSER` is not `1`. `extra_args` are more Chromium
    /// switches (e.g. the certificate to trust).
    pub async fn open(test: &'static str, extra_args: &[String]) -> Option<Browser> {
        let url = driver_or_skip(test)?;
        let permit = BROWSERS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let profile = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("browser-profiles")
            .join(format!("{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("a profile directory under target/tmp");

        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium_path().to_string_lossy())
            .expect("a binary path");
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            // Only IP literals are reached (127.0.0.1, 127.0.0.2); any name resolves to nothing,
            // so the provider's web-font import fails at once.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2"
                .to_owned(),
            "--window-size=720,560".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        args.extend_from_slice(extra_args);
        for arg in &args {
            caps.add_arg(arg).expect("a Chromium switch");
        }
        // Shorter than the 120 s default: a failed test drops its session synchronously, and a
        // stuck WebDriver call should fail the test soon rather than stall CI.
        let driver = WebDriver::builder(url, caps)
            .request_timeout(WEBDRIVER_TIMEOUT)
            .await
            .unwrap_or_else(|e| panic!("{test}: Chromium did not start through chromedriver: {e}"));
        let _ = std::fs::remove_dir_all(screenshot_dir(test));
        Some(Browser {
            driver,
            test,
            shots: 0,
            profile,
            _permit: permit,
        })
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.driver
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("{}: GET {url}: {e}", self.test));
    }

    /// The address bar.
    pub async fn url(&self) -> url::Url {
        self.driver
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("{}: current URL: {e}", self.test))
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        match self.driver.find(By::Tag("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until the page's text contains `expected`; returns the text. Panics with the page
    /// it saw instead (and its screenshot) after [`PAGE_TIMEOUT`].
    pub async fn wait_for_text(&mut self, expected: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text().await;
            if text.contains(expected) {
                return text;
            }
            if started.elapsed() > PAGE_TIMEOUT {
                let url = self.url().await;
                self.screenshot("timeout").await;
                panic!(
                    "{}: waited {PAGE_TIMEOUT:?} for {expected:?}; at {url} the page says:\n{text}",
                    self.test
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `value` into the input named `name`.
    pub async fn fill(&self, name: &str, value: &str) {
        let input = self
            .driver
            .find(By::Name(name))
            .await
            .unwrap_or_else(|e| panic!("{}: no input named {name}: {e}", self.test));
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("{}: typing into {name}: {e}", self.test));
    }

    /// Clicks the first element that `css` selects.
    pub async fn click(&self, css: &str) {
        let element = self
            .driver
            .find(By::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{}: nothing matches {css}: {e}", self.test));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: clicking {css}: {e}", self.test));
    }

    /// Clicks the link whose text is `text`.
    pub async fn click_link(&self, text: &str) {
        let link = self
            .driver
            .find(By::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("{}: no link {text:?}: {e}", self.test));
        link.click()
            .await
            .unwrap_or_else(|e| panic!("{}: clicking {text:?}: {e}", self.test));
    }

    /// Saves what the user sees now as `NN-step.png` in [`screenshot_dir`]; returns its path.
    pub async fn screenshot(&mut self, step: &str) -> PathBuf {
        self.shots += 1;
        let dir = screenshot_dir(self.test);
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        let path = dir.join(format!("{:02}-{step}.png", self.shots));
        let png = self
            .driver
            .screenshot_as_png()
            .await
            .unwrap_or_else(|e| panic!("{}: screenshot: {e}", self.test));
        std::fs::write(&path, png).expect("writing a screenshot");
        path
    }

    /// Ends the session (Chromium exits) and removes the profile.
    pub async fn quit(self) {
        let _ = self.driver.quit().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
