//! R4: the back channel verifies TLS. A loopback https authorization server with a certificate
//! this test made (trusted by nobody) is refused with a transport error by the default HTTP
//! client, and accepted by a `reqwest::Client` that trusts that certificate's root, supplied
//! through `Settings::http_client` — the way to reach a server with a private CA.

use std::sync::Arc;

use super::common::{Client, ORDERS, WEB};
use crate::{ClientSecret, Error, Settings};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// An https peer on `127.0.0.1` that answers every request with its discovery document; its
/// issuer, and the certificate's PEM.
async fn https_issuer() -> (String, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
        .expect("a self-signed certificate");
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .expect("the certificate and key");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let issuer = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let document = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "code_challenge_methods_supported": ["S256"],
    })
    .to_string();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, document) = (acceptor.clone(), document.clone());
            tokio::spawn(async move {
                // A client that does not trust the certificate aborts the handshake here.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = vec![0; 8192];
                let _ = tls.read(&mut head).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{document}",
                    document.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (issuer, pem)
}

fn settings(issuer: &str) -> Settings<crate::Confidential> {
    Settings::confidential("the-client", ClientSecret::new("s".into())).issuer(issuer)
}

#[tokio::test]
async fn r4_an_untrusted_certificate_is_refused() {
    let (issuer, _) = https_issuer().await;
    let client = Client::new(&WEB, settings(&issuer)).unwrap();
    let result = client.authorize_url(Some(ORDERS)).await;
    assert!(
        matches!(
            result,
            Err(Error::Transport {
                endpoint: "discovery",
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn r4_a_client_trusting_the_root_reaches_the_server() {
    let (issuer, pem) = https_issuer().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let client = Client::new(&WEB, settings(&issuer).http_client(http)).unwrap();
    let (url, _) = client
        .authorize_url(Some(ORDERS))
        .await
        .expect("discovery over TLS with the trusted root");
    assert!(
        url.as_str().starts_with(&format!("{issuer}/auth?")),
        "{url}"
    );
}
