//! Authorization server metadata: fetched lazily (OpenID Connect Discovery 1.0 §4, with the
//! RFC 8414 §3 well-known form as fallback), checked (exact issuer, https endpoints), kept for
//! the answer's `max-age` and then fetched and checked again; or built from the attribute's
//! explicit endpoints without a request.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;

use serde::Deserialize;
use url::Url;

use crate::error::{ConfigError, Error, sanitize_description};
use crate::http::{Endpoint, Http};
use crate::limits::{DISCOVERY_DEFAULT_MAX_AGE, DISCOVERY_MAX_MAX_AGE, DISCOVERY_MIN_MAX_AGE};
use crate::spec::ClientSpec;
use crate::urls::check_endpoint;

/// The checked metadata a client uses. Endpoints are https (or http on a loopback IP literal).
#[derive(Debug, Clone)]
pub(crate) struct Metadata {
    /// `authorization_endpoint`.
    pub(crate) authorization_endpoint: Option<Url>,
    /// `token_endpoint`.
    pub(crate) token_endpoint: Option<Url>,
    /// `jwks_uri`.
    pub(crate) jwks_uri: Option<Url>,
    /// `device_authorization_endpoint` (RFC 8628 §4).
    pub(crate) device_authorization_endpoint: Option<Url>,
    /// `code_challenge_methods_supported` (RFC 8414 §2), if listed.
    pub(crate) code_challenge_methods_supported: Option<Vec<String>>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    pub(crate) iss_parameter_supported: bool,
    /// `token_endpoint_auth_methods_supported`, if listed.
    pub(crate) token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported`, if listed.
    pub(crate) id_token_signing_alg_values_supported: Option<Vec<String>>,
}

/// The subset of the metadata document oauthflow reads; unknown fields are ignored.
#[derive(Deserialize)]
struct Document {
    issuer: String,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    device_authorization_endpoint: Option<String>,
    code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    id_token_signing_alg_values_supported: Option<Vec<String>>,
}

impl Metadata {
    /// Metadata from the attribute's explicit endpoints (already checked at compile time; checked
    /// again here).
    pub(crate) fn explicit(spec: &ClientSpec) -> Result<Self, ConfigError> {
        let endpoint = |what: &'static str, value: Option<&'static str>| {
            value.map(|v| check_endpoint(what, v)).transpose()
        };
        Ok(Metadata {
            authorization_endpoint: endpoint(
                "authorization_endpoint",
                spec.authorization_endpoint,
            )?,
            token_endpoint: endpoint("token_endpoint", spec.token_endpoint)?,
            jwks_uri: endpoint("jwks_uri", spec.jwks_uri)?,
            device_authorization_endpoint: endpoint(
                "device_authorization_endpoint",
                spec.device_authorization_endpoint,
            )?,
            code_challenge_methods_supported: None,
            iss_parameter_supported: false,
            token_endpoint_auth_methods_supported: None,
            id_token_signing_alg_values_supported: None,
        })
    }

    /// Parses and checks a fetched document for `expected_issuer` (R1, R2).
    pub(crate) fn from_document(expected_issuer: &str, body: &[u8]) -> Result<Self, ConfigError> {
        // One parse straight into the fields oauthflow reads (no intermediate `Value`).
        let doc: Document = serde_json::from_slice(body).map_err(|e| ConfigError::Discovery {
            reason: if e.is_syntax() || e.is_eof() {
                format!("the metadata is not JSON ({e})")
            } else {
                format!(
                    "the metadata is malformed ({})",
                    sanitize_description(&e.to_string())
                )
            },
        })?;
        if doc.issuer != expected_issuer {
            return Err(ConfigError::IssuerMismatch {
                expected: expected_issuer.to_owned(),
                found: sanitize_description(&doc.issuer),
            });
        }
        let endpoint = |what: &'static str, value: Option<String>| {
            value.map(|v| check_endpoint(what, &v)).transpose()
        };
        Ok(Metadata {
            authorization_endpoint: endpoint(
                "authorization_endpoint (metadata)",
                doc.authorization_endpoint,
            )?,
            token_endpoint: endpoint("token_endpoint (metadata)", doc.token_endpoint)?,
            jwks_uri: endpoint("jwks_uri (metadata)", doc.jwks_uri)?,
            device_authorization_endpoint: endpoint(
                "device_authorization_endpoint (metadata)",
                doc.device_authorization_endpoint,
            )?,
            code_challenge_methods_supported: doc.code_challenge_methods_supported,
            iss_parameter_supported: doc.authorization_response_iss_parameter_supported,
            token_endpoint_auth_methods_supported: doc.token_endpoint_auth_methods_supported,
            id_token_signing_alg_values_supported: doc.id_token_signing_alg_values_supported,
        })
    }

    /// The token endpoint, or a configuration error naming what is missing.
    pub(crate) fn token_endpoint(&self) -> Result<&Url, Error> {
        self.token_endpoint
            .as_ref()
            .ok_or_else(|| missing("token_endpoint"))
    }

    /// The authorization endpoint, or a configuration error.
    pub(crate) fn authorization_endpoint(&self) -> Result<&Url, Error> {
        self.authorization_endpoint
            .as_ref()
            .ok_or_else(|| missing("authorization_endpoint"))
    }

    /// The JWKS URI (to validate ID tokens), or a configuration error.
    pub(crate) fn jwks_uri(&self) -> Result<&Url, Error> {
        self.jwks_uri.as_ref().ok_or_else(|| missing("jwks_uri"))
    }

    /// The device authorization endpoint (RFC 8628 §4), or a configuration error.
    pub(crate) fn device_authorization_endpoint(&self) -> Result<&Url, Error> {
        self.device_authorization_endpoint
            .as_ref()
            .ok_or_else(|| missing("device_authorization_endpoint"))
    }
}

fn missing(what: &str) -> Error {
    Error::Config(ConfigError::Discovery {
        reason: format!(
            "the authorization server's metadata has no `{what}`, which this flow needs (or write `{what} = \"https://...\"` in the attribute)"
        ),
    })
}

/// The well-known URLs to try, in order: OpenID Connect Discovery §4 (append to the issuer),
/// then RFC 8414 §3.1 (insert between host and path). Equal for an issuer without a path,
/// apart from the suffix.
pub(crate) fn well_known_urls(issuer: &str) -> Result<Vec<Url>, ConfigError> {
    let invalid = |e: url::ParseError| ConfigError::InvalidUrl {
        what: "issuer",
        reason: e.to_string(),
    };
    let base = issuer.trim_end_matches('/');
    let oidc = Url::parse(&format!("{base}/.well-known/openid-configuration")).map_err(invalid)?;
    let parsed = Url::parse(issuer).map_err(invalid)?;
    let path = parsed.path().trim_end_matches('/');
    let mut rfc8414 = parsed.clone();
    rfc8414.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    Ok(vec![oidc, rfc8414])
}

/// Lazily fetched, cached metadata of one issuer. Failures are not cached: the next call tries
/// again.
pub(crate) struct Discovery {
    issuer: String,
    /// The metadata in use and until when it is fresh (`None`: explicit, never refetched).
    current: ArcSwapOption<Fetched>,
    /// One refetch at a time; readers of fresh metadata never wait on it.
    refetch: tokio::sync::Mutex<()>,
}

/// Checked metadata and its freshness.
struct Fetched {
    metadata: Arc<Metadata>,
    fresh_until: Option<tokio::time::Instant>,
}

impl Fetched {
    fn is_fresh(&self) -> bool {
        self.fresh_until
            .is_none_or(|until| tokio::time::Instant::now() < until)
    }
}

impl Discovery {
    /// Discovery for `issuer`; with `explicit` metadata nothing is ever fetched.
    pub(crate) fn new(issuer: String, explicit: Option<Metadata>) -> Self {
        let current = explicit.map(|m| {
            Arc::new(Fetched {
                metadata: Arc::new(m),
                fresh_until: None,
            })
        });
        Discovery {
            issuer,
            current: ArcSwapOption::new(current),
            refetch: tokio::sync::Mutex::new(()),
        }
    }

    /// The configured issuer.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The metadata: fetched on first use and kept as long as the answer's `Cache-Control:
    /// max-age` says (within [`DISCOVERY_MIN_MAX_AGE`]..[`DISCOVERY_MAX_MAX_AGE`]; an hour when
    /// it says nothing), then fetched again with every check (the issuer above all) made anew.
    /// A refetch that fails on the network keeps the last good metadata for another
    /// [`DISCOVERY_MIN_MAX_AGE`] (availability first); one that fails a check is an error.
    pub(crate) async fn metadata(&self, http: &Http) -> Result<Arc<Metadata>, Error> {
        if let Some(current) = self.current.load_full()
            && current.is_fresh()
        {
            return Ok(current.metadata.clone());
        }
        let _one_at_a_time = self.refetch.lock().await;
        let stale = self.current.load_full();
        if let Some(current) = &stale
            && current.is_fresh()
        {
            return Ok(current.metadata.clone());
        }
        let (metadata, keep) = match fetch(&self.issuer, http).await {
            Ok((metadata, max_age)) => (
                Arc::new(metadata),
                max_age
                    .map_or(DISCOVERY_DEFAULT_MAX_AGE, Duration::from_secs)
                    .clamp(DISCOVERY_MIN_MAX_AGE, DISCOVERY_MAX_MAX_AGE),
            ),
            Err(error) if error.is_transient() => match stale {
                Some(stale) => {
                    tracing::warn!(
                        issuer = %self.issuer,
                        %error,
                        "oauthflow: refetching the metadata failed; keeping the last good metadata for a while"
                    );
                    (stale.metadata.clone(), DISCOVERY_MIN_MAX_AGE)
                }
                None => return Err(error),
            },
            Err(error) => return Err(error),
        };
        self.current.store(Some(Arc::new(Fetched {
            metadata: metadata.clone(),
            fresh_until: Some(tokio::time::Instant::now() + keep),
        })));
        Ok(metadata)
    }
}

/// The checked metadata and the answer's `max-age`.
async fn fetch(issuer: &str, http: &Http) -> Result<(Metadata, Option<u64>), Error> {
    let urls = well_known_urls(issuer)?;
    let mut last_status = 0;
    for url in &urls {
        let response = http.get(Endpoint::DISCOVERY, url).await?;
        match response.status {
            200 => {
                let metadata = Metadata::from_document(issuer, &response.body)?;
                tracing::debug!(
                    issuer,
                    "oauthflow: discovered authorization server metadata"
                );
                return Ok((metadata, response.max_age));
            }
            404 => last_status = 404,
            status => {
                return Err(Error::HttpStatus {
                    endpoint: "discovery",
                    status,
                    retry_after: response.retry_after,
                });
            }
        }
    }
    Err(Error::Config(ConfigError::Discovery {
        reason: format!(
            "no metadata at `{}` nor `{}` (HTTP {last_status}); check the issuer, or write the endpoints in the attribute",
            urls[0],
            urls[1] // `well_known_urls` always returns two
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_forms() {
        let urls = well_known_urls("https://as.example.com").unwrap();
        assert_eq!(
            urls[0].as_str(),
            "https://as.example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            urls[1].as_str(),
            "https://as.example.com/.well-known/oauth-authorization-server"
        );
        let urls = well_known_urls("https://as.example.com/tenant/").unwrap();
        assert_eq!(
            urls[0].as_str(),
            "https://as.example.com/tenant/.well-known/openid-configuration"
        );
        assert_eq!(
            urls[1].as_str(),
            "https://as.example.com/.well-known/oauth-authorization-server/tenant"
        );
    }

    #[test]
    fn issuer_compared_exactly() {
        let doc = br#"{"issuer":"https://as.example.com/","token_endpoint":"https://as.example.com/token"}"#;
        assert!(matches!(
            Metadata::from_document("https://as.example.com", doc),
            Err(ConfigError::IssuerMismatch { .. })
        ));
        assert!(Metadata::from_document("https://as.example.com/", doc).is_ok());
    }

    #[test]
    fn endpoints_must_be_https() {
        let doc = br#"{"issuer":"https://as.example.com","token_endpoint":"http://example.test/"}"#;
        assert!(matches!(
            Metadata::from_document("https://as.example.com", doc),
            Err(ConfigError::InvalidUrl { .. })
        ));
        let doc = br#"{"issuer":"https://as.example.com","jwks_uri":"http://localhost/jwks"}"#;
        assert!(Metadata::from_document("https://as.example.com", doc).is_err());
    }

    #[test]
    fn malformed_documents_are_errors() {
        for doc in [
            &b"<html>"[..],
            b"{}",
            br#"{"issuer":5}"#,
            br#"{"issuer":"https://as.example.com","code_challenge_methods_supported":"S256"}"#,
        ] {
            assert!(Metadata::from_document("https://as.example.com", doc).is_err());
        }
        let ok = br#"{"issuer":"https://as.example.com","authorization_response_iss_parameter_supported":true,"unknown":[1]}"#;
        assert!(
            Metadata::from_document("https://as.example.com", ok)
                .unwrap()
                .iss_parameter_supported
        );
    }
}
