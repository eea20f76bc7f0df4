//! The one-time check that a user-supplied `reqwest::Client` does not follow redirects.
//!
//! reqwest gives no way to read (or change) a built client's redirect policy, and a client built
//! with the default policy follows up to ten redirects *before* oauthflow sees the response — a
//! 307 would forward the form body (code, PKCE verifier, password) to the redirect target. So
//! such a client is tried once against a throw-away listener on `127.0.0.1` that answers with
//! redirects.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::error::ConfigError;
use crate::limits::REDIRECT_PROBE_TIMEOUT;

fn refuse(reason: String) -> ConfigError {
    ConfigError::Invalid {
        reason: format!(
            "the reqwest::Client passed to `Settings::http_client` {reason}; oauthflow never follows redirects on back-channel requests (RFC 9700 §4.12) — build it with `.redirect(reqwest::redirect::Policy::none())`, or leave the HTTP client to oauthflow"
        ),
    }
}

/// Sends two requests (POST answered 307, GET answered 302) through `client` to a listener on
/// `127.0.0.1`; `Ok` only if the client hands both redirects back unfollowed.
pub(super) async fn probe_no_redirects(client: &reqwest::Client) -> Result<(), ConfigError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| {
            refuse(format!(
                "could not be checked (binding a probe listener failed: {e})"
            ))
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| refuse(format!("could not be checked ({e})")))?
        .port();
    let followed = Arc::new(AtomicUsize::new(0));
    let counter = followed.clone();
    let server = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let response = if head.starts_with("POST /probe-post ") {
                    format!(
                        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{port}/followed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                } else if head.starts_with("GET /probe-get ") {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/followed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                } else {
                    counter.fetch_add(1, Ordering::SeqCst);
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
                };
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    let probe = async {
        let post = client
            .post(format!("http://127.0.0.1:{port}/probe-post"))
            .body("probe=1")
            .send()
            .await?;
        let get = client
            .get(format!("http://127.0.0.1:{port}/probe-get"))
            .send()
            .await?;
        Ok::<_, reqwest::Error>((post.status().as_u16(), get.status().as_u16()))
    };
    let outcome = tokio::time::timeout(REDIRECT_PROBE_TIMEOUT, probe).await;
    server.abort();
    match outcome {
        Ok(Ok((307, 302))) if followed.load(Ordering::SeqCst) == 0 => Ok(()),
        Ok(Ok(_)) => Err(refuse("follows HTTP redirects".into())),
        Ok(Err(e)) => Err(refuse(format!(
            "could not be checked for redirect following (a request to a probe on 127.0.0.1 failed: {})",
            e.without_url()
        ))),
        Err(_) => Err(refuse(
            "could not be checked for redirect following (the probe on 127.0.0.1 timed out)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn probe_accepts_policy_none_and_refuses_default() {
        let none = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        assert!(probe_no_redirects(&none).await.is_ok());
        let default = reqwest::Client::new();
        let err = probe_no_redirects(&default).await.unwrap_err();
        assert!(err.to_string().contains("follows HTTP redirects"), "{err}");
        let limited = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(1))
            .build()
            .unwrap();
        assert!(probe_no_redirects(&limited).await.is_err());
    }
}
