//! DPoP, Demonstrating Proof of Possession (RFC 9449): access tokens bound to a key only this
//! client instance holds, so a token that leaks (a log, a compromised API) is useless to whoever
//! took it (RFC 9700 §2.2.1, rule R31).
//!
//! With `sender_constraint = "dpop"` in the attribute, every token request of the client carries
//! a fresh proof (`DPoP` header, RFC 9449 §4) signed by the client instance's [`DpopKey`]; the
//! server answers with `token_type=DPoP` (anything else is refused, §5), and the access token is
//! sent to APIs as `Authorization: DPoP <token>` with a proof that also carries `ath`, the hash
//! of the token (§7.1). A server may demand a nonce (§8, §9): the `DPoP-Nonce` it sends — on
//! errors and successes alike — is kept per origin, and a request refused with
//! `use_dpop_nonce` is sent **once** more with a new proof.
//!
//! The HTTP integrations (features `reqwest-middleware`, `tower`) do all of this; for any other
//! HTTP client, [`Dpop`] makes the headers (see its example).

mod key;
mod nonces;
mod proof;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use url::Url;

use crate::error::Error;
use crate::www_authenticate;

pub use key::DpopKey;
#[cfg(test)]
pub(crate) use key::thumbprint as jwk_thumbprint;

/// The `DPoP` request header (RFC 9449 §4.1).
pub const DPOP: HeaderName = HeaderName::from_static("dpop");

/// The `DPoP-Nonce` response header (RFC 9449 §8.1).
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// The DPoP state of one client instance: its key and the latest nonce of each server it talked
/// to. Cheap to clone (shared); `Debug` shows the key's algorithm and thumbprint only.
///
/// A generated client with `sender_constraint = "dpop"` hands out its own through
/// [`TokenSource::dpop`](crate::TokenSource::dpop); with it, any HTTP client can call an API:
///
/// ```
/// use oauthflow_runtime::dpop::{DPOP, Dpop, DpopKey};
/// use oauthflow_runtime::{BearerToken, Url};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dpop = Dpop::new(DpopKey::generate()?);
/// let token = BearerToken::new_dpop("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")?;
/// let url = Url::parse("https://api.example.com/orders?page=2")?;
/// let proof = dpop.proof("GET", &url, Some(token.secret()))?;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert(http::header::AUTHORIZATION, token.authorization().clone());
/// headers.insert(DPOP, proof);
/// assert!(headers[http::header::AUTHORIZATION].to_str()?.starts_with("DPoP "));
/// // Send it; then: `dpop.remember_nonce(&url, response.headers())`, and when
/// // `Dpop::asks_for_nonce(status, headers)`, send it once more with a new proof.
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dpop {
    inner: Arc<Inner>,
}

struct Inner {
    key: DpopKey,
    nonces: nonces::Nonces,
}

impl Dpop {
    /// The DPoP state of a client instance that signs with `key`, with no nonce yet.
    pub fn new(key: DpopKey) -> Self {
        Dpop {
            inner: Arc::new(Inner {
                key,
                nonces: nonces::Nonces::default(),
            }),
        }
    }

    /// The key proofs are signed with (its thumbprint is what servers bind tokens to).
    pub fn key(&self) -> &DpopKey {
        &self.inner.key
    }

    /// A fresh proof for one request: `htm` = `method`, `htu` = `url` without query and fragment,
    /// a unique `jti`, `iat` now, the latest nonce `url`'s origin sent, and — for a call with an
    /// access token — `ath`, the token's SHA-256 (RFC 9449 §4.2). A proof is for one request.
    ///
    /// # Errors
    ///
    /// [`Error::DpopProof`] when the URL cannot be a DPoP target (no host) or the key fails to
    /// sign.
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&str>,
    ) -> Result<HeaderValue, Error> {
        let nonce = self.inner.nonces.get(url);
        proof::sign(
            &self.inner.key,
            proof::Target { method, url },
            nonce.as_deref(),
            access_token,
            SystemTime::now(),
        )
    }

    /// Keeps the `DPoP-Nonce` of a response from `url`'s origin (RFC 9449 §8.2: servers may send
    /// a new one with any response, successful or not). A malformed nonce is ignored.
    pub fn remember_nonce(&self, url: &Url, headers: &HeaderMap) {
        if let Some(nonce) = headers.get(DPOP_NONCE).and_then(|v| v.to_str().ok()) {
            self.inner.nonces.remember(url, nonce);
        }
    }

    /// Whether a resource server's answer asks for a (new) nonce: `401` with a `DPoP` challenge
    /// whose `error` is `use_dpop_nonce` (RFC 9449 §9). Send the request once more, with a new
    /// proof, after [`remember_nonce`](Self::remember_nonce).
    pub fn asks_for_nonce(status: StatusCode, headers: &HeaderMap) -> bool {
        status == StatusCode::UNAUTHORIZED
            && www_authenticate::has_error(headers, "DPoP", "use_dpop_nonce")
    }

    /// The nonce last seen from `url`'s origin (tests).
    #[cfg(test)]
    pub(crate) fn nonce_for(&self, url: &Url) -> Option<String> {
        self.inner.nonces.get(url)
    }

    /// Sends one back-channel request with a fresh proof (`send` gets the proof and makes the
    /// request: a new one each time, e.g. with a new client assertion); when the answer asks for
    /// a nonce, once more with a new proof carrying it (RFC 9449 §8, §9) — never a third time.
    /// Every answer's `DPoP-Nonce` is kept.
    pub(crate) async fn send_with_nonce_retry<F, Fut>(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&str>,
        mut send: F,
    ) -> Result<crate::http::HttpResponse, Error>
    where
        F: FnMut(HeaderValue) -> Fut,
        Fut: std::future::Future<Output = Result<crate::http::HttpResponse, Error>>,
    {
        let response = send(self.proof(method, url, access_token)?).await?;
        if !self.answer_asks_for_nonce(url, &response) {
            return Ok(response);
        }
        tracing::debug!(
            "oauthflow: the server asked for a DPoP nonce; sending the request once more"
        );
        let response = send(self.proof(method, url, access_token)?).await?;
        // Only to keep its nonce: a second demand goes back to the caller as it came.
        self.answer_asks_for_nonce(url, &response);
        Ok(response)
    }

    /// After a back-channel answer from `url`: keeps its `DPoP-Nonce`, and says whether it
    /// asks for a (new) nonce — `400` with `use_dpop_nonce` from a token or PAR endpoint (RFC
    /// 9449 §8), `401` with a `DPoP error="use_dpop_nonce"` challenge from a resource (§9).
    fn answer_asks_for_nonce(&self, url: &Url, response: &crate::http::HttpResponse) -> bool {
        if let Some(nonce) = &response.dpop_nonce {
            self.inner.nonces.remember(url, nonce);
        }
        let oauth_error = || {
            serde_json::from_slice::<serde_json::Value>(&response.body)
                .is_ok_and(|body| body["error"] == "use_dpop_nonce")
        };
        match response.status {
            400 => oauth_error(),
            401 => response.use_dpop_nonce_challenge,
            _ => false,
        }
    }
}

/// At `discover()`: the server announces DPoP (`dpop_signing_alg_values_supported`, RFC 9449
/// §5.1) with the key's algorithm. Metadata made of explicit endpoints announces nothing, and is
/// not refused: the first token response's `token_type` tells then.
pub(crate) fn require_support(
    metadata: &crate::discovery::Metadata,
    key: &DpopKey,
) -> Result<(), Error> {
    let reason = match &metadata.dpop_signing_alg_values_supported {
        Some(algs) if algs.iter().any(|a| a == key.algorithm()) => return Ok(()),
        Some(algs) => format!(
            "the client signs DPoP proofs with `{}` (sender_constraint = \"dpop\"), and the server's `dpop_signing_alg_values_supported` does not list it (it lists {:?})",
            key.algorithm(),
            algs.iter().take(8).map(|a| crate::error::sanitize_description(a)).collect::<Vec<_>>()
        ),
        None if !metadata.discovered => return Ok(()),
        None => "the client has sender_constraint = \"dpop\", and the server's metadata has no `dpop_signing_alg_values_supported`: it does not support DPoP (RFC 9449 §5.1)".into(),
    };
    Err(Error::Config(crate::error::ConfigError::Discovery {
        reason,
    }))
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop")
            .field("key", &self.inner.key)
            .finish_non_exhaustive()
    }
}
