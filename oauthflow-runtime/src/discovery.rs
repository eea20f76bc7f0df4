//! Authorization server metadata: fetched lazily (OpenID Connect Discovery 1.0 §4, with the
//! RFC 8414 §3 well-known form as fallback), checked (exact issuer, https endpoints), kept for
//! the answer's `max-age` and then fetched and checked again; or built from the attribute's
//! explicit endpoints without a request.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;

use serde::Deserialize;
use url::Url;

use crate::endpoints::{EndpointName, Endpoints};
use crate::error::{ConfigError, Error, sanitize_description};
use crate::http::{Endpoint, Http};
use crate::limits::{DISCOVERY_DEFAULT_MAX_AGE, DISCOVERY_MAX_MAX_AGE, DISCOVERY_MIN_MAX_AGE};
use crate::quirks::{Quirk, Quirks};
use crate::tenant_issuer::TenantIssuer;
use crate::urls::check_endpoint;

/// The checked metadata a client uses: its endpoint set resolved (discovered, overridden by the
/// explicit ones, see `endpoints.rs`) and the capabilities the server announced. Endpoints are
/// https (or http on a loopback IP literal).
#[derive(Debug, Clone)]
pub(crate) struct Metadata {
    /// Every endpoint the client may call (the explicit ones over the discovered ones).
    pub(crate) endpoints: Endpoints<Url>,
    /// `code_challenge_methods_supported` (RFC 8414 §2), if listed.
    pub(crate) code_challenge_methods_supported: Option<Vec<String>>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    pub(crate) iss_parameter_supported: bool,
    /// `token_endpoint_auth_methods_supported`, if listed.
    pub(crate) token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported`, if listed.
    pub(crate) id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// The multi-tenant issuer template the metadata named, when accepted by name
    /// (`Settings::accept_tenant_issuer`): ID tokens then name their own tenant's issuer.
    pub(crate) tenant_issuer: Option<TenantIssuer>,
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5), discovered only.
    pub(crate) pushed_authorization_request_endpoint: Option<Url>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5).
    pub(crate) require_pushed_authorization_requests: bool,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1), if listed.
    pub(crate) dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// Read from a metadata document (`false`: explicit endpoints only, which announce nothing).
    pub(crate) discovered: bool,
}

/// The subset of the metadata document oauthflow reads; unknown fields are ignored.
#[derive(Deserialize)]
struct Document {
    issuer: String,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    device_authorization_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    id_token_signing_alg_values_supported: Option<Vec<String>>,
    pushed_authorization_request_endpoint: Option<String>,
    #[serde(default)]
    require_pushed_authorization_requests: bool,
    dpop_signing_alg_values_supported: Option<Vec<String>>,
}

impl Metadata {
    /// Metadata made of explicit endpoints only (already checked), for a client whose explicit
    /// endpoints cover its flow: no document, so no announced capability.
    pub(crate) fn explicit(endpoints: Endpoints<Url>) -> Self {
        Metadata {
            endpoints,
            code_challenge_methods_supported: None,
            iss_parameter_supported: false,
            token_endpoint_auth_methods_supported: None,
            id_token_signing_alg_values_supported: None,
            tenant_issuer: None,
            pushed_authorization_request_endpoint: None,
            require_pushed_authorization_requests: false,
            dpop_signing_alg_values_supported: None,
            discovered: false,
        }
    }

    /// Parses and checks a fetched document for `expected_issuer` (R1, R2); a multi-tenant
    /// issuer template only when `quirks` accept it (see `tenant_issuer.rs`).
    pub(crate) fn from_document(
        expected_issuer: &str,
        body: &[u8],
        quirks: Quirks,
    ) -> Result<Self, ConfigError> {
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
        let tenant_issuer = if doc.issuer == expected_issuer {
            None
        } else {
            let template = TenantIssuer::matching(&doc.issuer, expected_issuer)
                .filter(|_| quirks.accept(Quirk::TenantIssuer));
            if template.is_none() {
                return Err(ConfigError::IssuerMismatch {
                    expected: expected_issuer.to_owned(),
                    found: sanitize_description(&doc.issuer),
                });
            }
            template
        };
        let mut endpoints = Endpoints::default();
        for (name, value) in [
            (EndpointName::Authorization, doc.authorization_endpoint),
            (EndpointName::Token, doc.token_endpoint),
            (EndpointName::Jwks, doc.jwks_uri),
            (
                EndpointName::DeviceAuthorization,
                doc.device_authorization_endpoint,
            ),
            (EndpointName::Revocation, doc.revocation_endpoint),
            (EndpointName::EndSession, doc.end_session_endpoint),
            (EndpointName::Userinfo, doc.userinfo_endpoint),
        ] {
            let checked = value
                .map(|v| check_endpoint(name.metadata_label(), &v))
                .transpose()?;
            endpoints.set(name, checked);
        }
        let pushed_authorization_request_endpoint = doc
            .pushed_authorization_request_endpoint
            .map(|v| check_endpoint("pushed_authorization_request_endpoint", &v))
            .transpose()?;
        Ok(Metadata {
            endpoints,
            pushed_authorization_request_endpoint,
            require_pushed_authorization_requests: doc.require_pushed_authorization_requests,
            dpop_signing_alg_values_supported: doc.dpop_signing_alg_values_supported,
            discovered: true,
            code_challenge_methods_supported: doc.code_challenge_methods_supported,
            iss_parameter_supported: doc.authorization_response_iss_parameter_supported,
            token_endpoint_auth_methods_supported: doc.token_endpoint_auth_methods_supported,
            id_token_signing_alg_values_supported: doc.id_token_signing_alg_values_supported,
            tenant_issuer,
        })
    }

    /// The endpoint `name`, or a configuration error naming what is missing.
    pub(crate) fn endpoint(&self, name: EndpointName) -> Result<&Url, Error> {
        self.endpoints
            .get(name)
            .ok_or_else(|| missing(name.as_str()))
    }

    /// The token endpoint, or a configuration error naming what is missing.
    pub(crate) fn token_endpoint(&self) -> Result<&Url, Error> {
        self.endpoint(EndpointName::Token)
    }

    /// The authorization endpoint, or a configuration error.
    pub(crate) fn authorization_endpoint(&self) -> Result<&Url, Error> {
        self.endpoint(EndpointName::Authorization)
    }

    /// The JWKS URI (to validate ID tokens), or a configuration error.
    pub(crate) fn jwks_uri(&self) -> Result<&Url, Error> {
        self.endpoint(EndpointName::Jwks)
    }

    /// The device authorization endpoint (RFC 8628 §4), or a configuration error.
    pub(crate) fn device_authorization_endpoint(&self) -> Result<&Url, Error> {
        self.endpoint(EndpointName::DeviceAuthorization)
    }
}

fn missing(what: &str) -> Error {
    Error::Config(ConfigError::Discovery {
        reason: format!(
            "the authorization server's metadata has no `{what}`, which this flow needs: set it with `Settings::{what}` (or `{what} = \"https://...\"` in the attribute)"
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

/// The metadata of one client: lazily fetched from its issuer and cached, with the explicit
/// endpoints laid over each fetched document; or, when the explicit endpoints cover the flow,
/// made of them alone and never fetched. Failures are not cached: the next call tries again.
pub(crate) struct Discovery {
    /// The configured issuer, if any (a client with explicit endpoints may have none).
    issuer: Option<String>,
    /// The explicit endpoints (settings over attribute), laid over every fetched document.
    explicit: Endpoints<Url>,
    /// The provider quirks the documents are checked with (a multi-tenant issuer).
    quirks: Quirks,
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
    /// Discovery for `issuer` with the `explicit` endpoints on top; when they `cover` the flow,
    /// nothing is ever fetched.
    pub(crate) fn new(
        issuer: Option<String>,
        explicit: Endpoints<Url>,
        cover: bool,
        quirks: Quirks,
    ) -> Self {
        let current = cover.then(|| {
            Arc::new(Fetched {
                metadata: Arc::new(Metadata::explicit(explicit.clone())),
                fresh_until: None,
            })
        });
        Discovery {
            issuer,
            explicit,
            quirks,
            current: ArcSwapOption::new(current),
            refetch: tokio::sync::Mutex::new(()),
        }
    }

    /// The configured issuer, if any.
    pub(crate) fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
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
        // `Context::new` gives an issuer to every client whose explicit endpoints leave
        // something to discover; this is the backstop.
        let issuer = self.issuer.as_deref().ok_or_else(|| ConfigError::Discovery {
            reason: "no issuer to fetch the metadata from: configure the issuer, or every endpoint the flow calls".into(),
        })?;
        let (metadata, keep) = match fetch(issuer, http, self.quirks).await {
            Ok((metadata, max_age)) => (
                Arc::new(Metadata {
                    endpoints: self.explicit.clone().over(metadata.endpoints),
                    ..metadata
                }),
                max_age
                    .map_or(DISCOVERY_DEFAULT_MAX_AGE, Duration::from_secs)
                    .clamp(DISCOVERY_MIN_MAX_AGE, DISCOVERY_MAX_MAX_AGE),
            ),
            Err(error) if error.is_transient() => match stale {
                Some(stale) => {
                    tracing::warn!(
                        issuer,
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
async fn fetch(
    issuer: &str,
    http: &Http,
    quirks: Quirks,
) -> Result<(Metadata, Option<u64>), Error> {
    let fetched = fetch_document(issuer, http, quirks).await?;
    Ok((fetched.metadata, fetched.max_age))
}

/// One metadata document fetched from the first well-known URL that has one, and checked.
pub(crate) struct FetchedDocument {
    /// The checked metadata.
    pub(crate) metadata: Metadata,
    /// The answer's `max-age`.
    pub(crate) max_age: Option<u64>,
    /// Where it was found.
    pub(crate) url: Url,
    /// The document as sent (it passed every check `metadata` made).
    pub(crate) body: Vec<u8>,
}

/// Fetches and checks the metadata of `issuer` (R1, R2): the OpenID Connect well-known URL, then
/// the RFC 8414 one; a multi-tenant issuer template only when `quirks` accept it.
pub(crate) async fn fetch_document(
    issuer: &str,
    http: &Http,
    quirks: Quirks,
) -> Result<FetchedDocument, Error> {
    let urls = well_known_urls(issuer)?;
    let mut last_status = 0;
    for url in &urls {
        let response = http.get(Endpoint::DISCOVERY, url).await?;
        match response.status {
            200 => {
                let metadata = Metadata::from_document(issuer, &response.body, quirks)?;
                tracing::debug!(
                    issuer,
                    "oauthflow: discovered authorization server metadata"
                );
                return Ok(FetchedDocument {
                    metadata,
                    max_age: response.max_age,
                    url: url.clone(),
                    body: response.body,
                });
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
            "no metadata at `{}` nor `{}` (HTTP {last_status}); check the issuer, or configure the endpoints (`Settings::token_endpoint` and the like)",
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
            Metadata::from_document("https://as.example.com", doc, Quirks::NONE),
            Err(ConfigError::IssuerMismatch { .. })
        ));
        assert!(Metadata::from_document("https://as.example.com/", doc, Quirks::NONE).is_ok());
    }

    #[test]
    fn endpoints_must_be_https() {
        let doc = br#"{"issuer":"https://as.example.com","token_endpoint":"http://example.test/"}"#;
        assert!(matches!(
            Metadata::from_document("https://as.example.com", doc, Quirks::NONE),
            Err(ConfigError::InvalidUrl { .. })
        ));
        let doc = br#"{"issuer":"https://as.example.com","jwks_uri":"http://localhost/jwks"}"#;
        assert!(Metadata::from_document("https://as.example.com", doc, Quirks::NONE).is_err());
    }

    #[test]
    fn malformed_documents_are_errors() {
        for doc in [
            &b"<html>"[..],
            b"{}",
            br#"{"issuer":5}"#,
            br#"{"issuer":"https://as.example.com","code_challenge_methods_supported":"S256"}"#,
        ] {
            assert!(Metadata::from_document("https://as.example.com", doc, Quirks::NONE).is_err());
        }
        let ok = br#"{"issuer":"https://as.example.com","authorization_response_iss_parameter_supported":true,"unknown":[1]}"#;
        assert!(
            Metadata::from_document("https://as.example.com", ok, Quirks::NONE)
                .unwrap()
                .iss_parameter_supported
        );
    }
}
