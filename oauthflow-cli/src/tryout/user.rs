//! The user's part of a flow: played by plain HTTP against the embedded provider, or yours —
//! the system browser (the URL printed when none opens), a loopback listener for the callback,
//! the device code to enter, the password prompt.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauthflow_devserver::DevProvider;
use oauthflow_runtime::__private::{DeviceFlow, NativeFlow, NoRefresh};
use oauthflow_runtime::{DeviceAuthorization, SecretString, TokenSet, Url};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::oneshot;

use super::show::{redact_query, redact_url, relative, step};
use super::{PASSWORD_ENV, TryError, secret_from_env_or_prompt};

/// Who plays the user.
pub enum User {
    /// The embedded provider: its login and consent pages walked by plain HTTP as alice.
    Embedded {
        /// The running provider.
        provider: Arc<DevProvider>,
        /// The password grant's user and password.
        password: (&'static str, &'static str),
    },
    /// You, in a browser.
    You {
        /// Whether to open the system browser (else the URL is only printed).
        browser: bool,
    },
}

impl User {
    /// Signs in at `url`; returns the callback URL (with `code`, `state`, `iss`).
    pub async fn sign_in(&self, url: &Url, redirect_uri: Option<&str>) -> Result<String, TryError> {
        step("authorize", redact_url(url));
        match self {
            User::Embedded { provider, .. } => {
                step(
                    "user",
                    "embedded default: alice signs in and consents (plain HTTP, no browser)",
                );
                let callback = provider
                    .login(url)
                    .await
                    .map_err(|e| TryError::Other(format!("the embedded sign-in failed: {e}")))?;
                step("callback", redact_url(&callback));
                Ok(callback.to_string())
            }
            User::You { browser } => {
                let listener = match redirect_uri.map(Url::parse) {
                    Some(Ok(uri))
                        if uri.scheme() == "http" && uri.host_str() == Some("127.0.0.1") =>
                    {
                        let port = uri.port().unwrap_or(80);
                        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                            Ok(listener) => Some(listener),
                            Err(e) => {
                                step(
                                    "callback",
                                    format!(
                                        "cannot listen on 127.0.0.1:{port} ({e}): paste the callback instead"
                                    ),
                                );
                                None
                            }
                        }
                    }
                    _ => None,
                };
                open_browser(url, *browser);
                let callback = match listener {
                    Some(listener) => {
                        step(
                            "waiting",
                            "for the browser to come back to the redirect URI",
                        );
                        one_callback(listener).await?
                    }
                    None => prompt("paste the full URL the browser was sent back to").await?,
                };
                step("callback", redact_callback(&callback));
                Ok(callback)
            }
        }
    }

    /// The native loopback login: the runtime binds the listener and calls back with the URL.
    pub async fn native_login(
        &self,
        client: &NativeFlow<NoRefresh>,
        audience: Option<&'static str>,
    ) -> Result<TokenSet, TryError> {
        let (failed_tx, failed_rx) = oneshot::channel::<String>();
        let open = |url: &Url| {
            step("authorize", redact_url(url));
            match self {
                User::Embedded { provider, .. } => {
                    step(
                        "user",
                        "embedded default: alice signs in (plain HTTP) and the callback is sent to the loopback listener",
                    );
                    let (provider, url) = (provider.clone(), url.clone());
                    tokio::spawn(async move {
                        if let Err(e) = deliver_to_loopback(&provider, &url).await {
                            let _ = failed_tx.send(e);
                        }
                    });
                }
                User::You { browser } => open_browser(url, *browser),
            }
        };
        tokio::select! {
            tokens = client.login_via_loopback(audience, open) => Ok(tokens?),
            Ok(failed) = failed_rx => Err(TryError::Other(format!("the embedded sign-in failed: {failed}"))),
        }
    }

    /// Signs in with `response_mode=form_post`; returns the posted body.
    pub async fn sign_in_form_post(&self, url: &Url) -> Result<String, TryError> {
        step("authorize", redact_url(url));
        match self {
            User::Embedded { provider, .. } => {
                step(
                    "user",
                    "embedded default: alice signs in and consents (plain HTTP, no browser)",
                );
                let (action, body) = provider
                    .login_form_post(url)
                    .await
                    .map_err(|e| TryError::Other(format!("the embedded sign-in failed: {e}")))?;
                step(
                    "form post",
                    format!("POST {} with {}", redact_url(&action), redact_query(&body)),
                );
                Ok(body)
            }
            User::You { browser } => {
                open_browser(url, *browser);
                prompt("paste the form body the browser posted to the redirect URI (id_token=...&state=...)").await
            }
        }
    }

    /// Shows the code, approves it (embedded) or waits for you, with a countdown.
    pub async fn device(
        &self,
        client: &DeviceFlow<NoRefresh>,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenSet, TryError> {
        step(
            "screen",
            format!(
                "go to {} and enter the code {}",
                authorization.verification_uri(),
                authorization.user_code()
            ),
        );
        step(
            "",
            format!(
                "(the code expires {}; polling every {} s)",
                relative(authorization.expires_at()),
                authorization.interval().as_secs()
            ),
        );
        let (failed_tx, failed_rx) = oneshot::channel::<String>();
        if let User::Embedded { provider, .. } = self {
            let complete = authorization
                .verification_uri_complete()
                .ok_or_else(|| {
                    TryError::Other("the server sent no verification_uri_complete".into())
                })?
                .to_owned();
            step(
                "user",
                "embedded default: alice confirms the code, signs in and consents (plain HTTP)",
            );
            let provider = provider.clone();
            tokio::spawn(async move {
                if let Err(e) = provider.approve_device(&complete).await {
                    let _ = failed_tx.send(e.to_string());
                }
            });
        }
        let countdown = countdown(authorization.expires_at());
        let result = tokio::select! {
            tokens = client.poll_device(authorization) => tokens.map_err(TryError::from),
            Ok(failed) = failed_rx => Err(TryError::Other(format!("approving the device failed: {failed}"))),
        };
        countdown.finish_and_clear();
        let tokens = result?;
        step("approved", "the token endpoint issued the tokens");
        Ok(tokens)
    }

    /// The password grant's user and password.
    pub fn credentials(&self, username: Option<&str>) -> Result<(String, SecretString), TryError> {
        match self {
            User::Embedded { password, .. } => {
                step(
                    "user",
                    format!("embedded default: the test user `{}`", password.0),
                );
                Ok((
                    password.0.to_owned(),
                    SecretString::from(password.1.to_owned()),
                ))
            }
            User::You { .. } => {
                let username = username.map(str::to_owned).ok_or_else(|| {
                    TryError::Usage("--username: the user whose password is sent".into())
                })?;
                let password = secret_from_env_or_prompt(PASSWORD_ENV, "password")?;
                Ok((username, password))
            }
        }
    }
}

/// A spinner that counts down to the device code's expiry (on a terminal only).
fn countdown(expires_at: SystemTime) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(250));
    let ticker = bar.clone();
    tokio::spawn(async move {
        while !ticker.is_finished() {
            ticker.set_message(format!(
                "waiting for the approval; the code expires {}",
                relative(expires_at)
            ));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    bar
}

/// The embedded sign-in of a native login: walks the pages, then GETs the callback on the
/// runtime's loopback listener, as the browser would.
async fn deliver_to_loopback(provider: &DevProvider, url: &Url) -> Result<(), String> {
    let callback = provider.login(url).await.map_err(|e| e.to_string())?;
    step("callback", redact_url(&callback));
    let http = oauthflow_runtime::reqwest::Client::builder()
        .redirect(oauthflow_runtime::reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    // Said before the request: once the listener has the callback, the runtime's own steps
    // (the token request) print, and this task's lines would race them.
    step("browser", "GET the callback on the loopback listener");
    let page = http.get(callback).send().await.map_err(|e| e.to_string())?;
    if !page.status().is_success() {
        return Err(format!(
            "the loopback listener answered HTTP {}",
            page.status().as_u16()
        ));
    }
    Ok(())
}

/// Opens `url` in the system browser (when `browser`), or prints it when none opens.
fn open_browser(url: &Url, browser: bool) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let opened = browser
        && std::process::Command::new(opener)
            .arg(url.as_str())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
    if opened {
        step(
            "browser",
            format!("opened the authorization URL with `{opener}`"),
        );
    } else {
        step("browser", "no browser opened; open this URL yourself:");
        println!("\n    {url}\n");
    }
}

/// The first request to the redirect URI's port: its target as a full URL; answered with a
/// short page. Gives up after five minutes.
async fn one_callback(listener: tokio::net::TcpListener) -> Result<String, TryError> {
    let base = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| TryError::Other(e.to_string()))?
    );
    let accept = async {
        loop {
            let (mut stream, _) = listener.accept().await?;
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                let n = stream.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
            }
            let text = String::from_utf8_lossy(&head);
            let target = text
                .lines()
                .next()
                .and_then(|line| line.strip_prefix("GET "))
                .and_then(|rest| rest.split(' ').next())
                .map(str::to_owned);
            match target {
                Some(target) if target.contains('?') => {
                    let page = "oauthflow try: the callback arrived; you can close this tab.";
                    let _ = stream
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                                page.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                    return Ok::<String, std::io::Error>(format!("{base}{target}"));
                }
                _ => {
                    let _ = stream
                        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                }
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(300), accept).await {
        Ok(Ok(callback)) => Ok(callback),
        Ok(Err(e)) => Err(TryError::Other(format!(
            "the callback listener failed: {e}"
        ))),
        Err(_) => Err(TryError::Other(
            "no callback within 5 minutes: run `oauthflow try` again".into(),
        )),
    }
}

fn redact_callback(callback: &str) -> String {
    match Url::parse(callback) {
        Ok(url) => redact_url(&url),
        Err(_) => redact_query(callback),
    }
}

/// Asks on stdout and reads one line from stdin (without blocking the runtime).
async fn prompt(question: &str) -> Result<String, TryError> {
    if !std::io::stdin().is_terminal() {
        return Err(TryError::Usage(format!(
            "{question}: this needs a terminal"
        )));
    }
    println!("waiting    {question}, then Enter:");
    let _ = std::io::stdout().flush();
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await
    .map_err(|e| TryError::Other(e.to_string()))?
    .map_err(|e| TryError::Other(e.to_string()))?;
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(TryError::Usage("nothing was entered".into()));
    }
    Ok(line)
}
