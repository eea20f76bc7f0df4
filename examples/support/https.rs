//! https on loopback for the examples (`spa_login_only`): a self-signed certificate made at
//! start, and an axum listener that serves through TLS.
//!
//! The form-post flow's redirect URI must be `https` even on loopback (OIDC Core §3.2.2.1), so
//! the app that receives the POST needs a certificate. Nothing here is for production, where
//! the app sits behind a real certificate (usually a reverse proxy's).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{ServerConfig, crypto::aws_lc_rs};
use tokio_rustls::server::TlsStream;

use super::Result;

/// How long a client may take for the TLS handshake before its connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A self-signed certificate for one IP address, and its key (made at start, never saved).
pub struct SelfSigned {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    spki_sha256: String,
}

impl SelfSigned {
    /// A new key pair and a certificate whose subject alternative name is `ip`.
    pub fn for_ip(ip: IpAddr) -> Result<Self> {
        use rcgen::PublicKeyData as _;
        let made = rcgen::generate_simple_self_signed(vec![ip.to_string()])?;
        let spki = made.signing_key.subject_public_key_info();
        Ok(SelfSigned {
            cert: made.cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()),
            spki_sha256: base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki)),
        })
    }

    /// The certificate (DER), for a client to trust (`reqwest::Certificate::from_der`).
    pub fn cert_der(&self) -> &[u8] {
        &self.cert
    }

    /// The base64 SHA-256 of the certificate's public key (SubjectPublicKeyInfo): what
    /// Chromium's `--ignore-certificate-errors-spki-list` takes to trust exactly this key.
    pub fn spki_sha256(&self) -> &str {
        &self.spki_sha256
    }

    fn server_config(&self) -> Result<ServerConfig> {
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_single_cert(
                    vec![self.cert.clone()],
                    PrivateKeyDer::Pkcs8(self.key.clone_key()),
                )?;
        // The app speaks HTTP/1.1 only (axum's `http1` feature).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// An `axum::serve` listener that hands out TLS connections. Handshakes run on their own
/// tasks, so a client that stalls in its handshake never holds up the others.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    /// Serves TLS with `cert` on the bound `listener`.
    pub fn new(listener: TcpListener, cert: &SelfSigned) -> Result<Self> {
        let addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(cert.server_config()?));
        let (tx, ready) = mpsc::channel(16);
        tokio::spawn(async move {
            loop {
                let (tcp, peer) = tokio::select! {
                    // The server stopped: stop accepting.
                    () = tx.closed() => return,
                    accepted = listener.accept() => match accepted {
                        Ok(accepted) => accepted,
                        // Out of file descriptors and the like: wait a little, then go on.
                        Err(_) => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    // A failed handshake (an untrusted certificate, a port scan) is just dropped.
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                    {
                        let _ = tx.send((tls, peer)).await;
                    }
                });
            }
        });
        Ok(TlsListener { ready, addr })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task ended (it never does while this listener lives).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
