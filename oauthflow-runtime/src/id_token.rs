//! ID token validation (OIDC Core §3.1.3.7 and §3.2.2.11) with a JWKS cache that refetches the
//! issuer's keys once, rate limited, when a token names a key it does not know (signing-key
//! rotation, OIDC Core §10.1.1).
//!
//! # How the client calls it
//!
//! The client keeps one [`JwksCache`] per issuer, built from the discovered `jwks_uri` (or the
//! attribute's `jwks_uri`), and shares it between all logins:
//!
//! ```no_run
//! # async fn demo(http: &reqwest::Client, raw_id_token: &str) -> Result<(), oauthflow_runtime::Error> {
//! use oauthflow_runtime::__private::id_token::{IdTokenValidation, JwksCache};
//!
//! let jwks = JwksCache::new("https://tenant.example.com/.well-known/jwks.json");
//! // Per ID token: the configured issuer (exactly as in the metadata), this client's ID, the
//! // nonce the authorization request carried (`None` only when the request sent none, e.g. the
//! // device flow), and the client secret for a confidential client (enables HS256/384/512).
//! let validation = IdTokenValidation::new("https://tenant.example.com/", "my-client")
//!     .signing_algs(&["RS256", "ES256"]); // metadata `id_token_signing_alg_values_supported`
//! let claims = oauthflow_runtime::__private::id_token::verify(raw_id_token, &validation, Some("n-0S6_WzA2Mj"), &jwks, http).await?;
//! println!("signed in: {}", claims.subject());
//! # Ok(()) }
//! ```
//!
//! What is checked, in order: size and shape of the compact JWS; claim *types* on the raw
//! payload (`exp`/`iat`/`nbf`/`auth_time` numbers, `iss`/`sub`/`nonce`/`azp` strings, `aud` a
//! string or an array of strings, no duplicate claims — type confusion fails closed);
//! `iss` equal to the issuer character for character; the `alg` allow-list (never `none`, HS*
//! only with a client secret); the signature with the issuer's keys only (`jku`, `x5u` and `jwk`
//! headers are ignored); `aud` contains the client ID and nothing else; `azp`, when present,
//! equals the client ID; `exp` in the future and `iat`/`nbf` not in the future (with a small
//! leeway); the `nonce` present and equal (compared in constant time).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    ClaimsVerificationError, ClientId, ClientSecret, IssuerUrl, Nonce, NonceVerifier,
    SignatureVerificationError,
};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use url::Url;

use crate::claims::IdTokenClaims;
use crate::error::{ConfigError, Error, sanitize_description};
use crate::http::{Endpoint, Request};
use crate::limits::{DEFAULT_REQUEST_TIMEOUT, MAX_ID_TOKEN_BYTES};
use crate::secret_eq::secrets_equal;

/// Clock skew tolerated on `exp`, `iat` and `nbf` (oidc-provider's default tolerance is 15 s).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// Minimum time between two JWKS refetches caused by an unknown key (the first one is always
/// allowed): a flood of forged tokens with random `kid`s cannot turn into a flood of requests.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// The asymmetric algorithms accepted when nothing narrower is configured.
const ASYMMETRIC_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The MAC algorithms, accepted only when the client has a secret (OIDC Core §10.1).
const SYMMETRIC_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::HmacSha256,
    CoreJwsSigningAlgorithm::HmacSha384,
    CoreJwsSigningAlgorithm::HmacSha512,
];

const IAT_IN_THE_FUTURE: &str = "`iat` is in the future";

/// Claims that [`IdTokenClaims`] exposes through dedicated accessors.
const REGISTERED: &[&str] = &["iss", "sub", "aud", "exp", "iat", "nonce"];

/// What an ID token must match: the issuer, this client, its secret (if confidential), the
/// allowed algorithms, the clock and its leeway. The expected nonce is passed to [`verify`]
/// separately because it changes per login.
#[derive(Clone)]
pub struct IdTokenValidation<'a> {
    issuer: &'a str,
    client_id: &'a str,
    client_secret: Option<&'a ClientSecret>,
    signing_algs: Option<Vec<String>>,
    leeway: Duration,
    now: Option<SystemTime>,
}

impl<'a> IdTokenValidation<'a> {
    /// Expects `iss` equal to `issuer` (character for character, as configured and as in the
    /// discovered metadata) and `aud` containing `client_id`.
    pub fn new(issuer: &'a str, client_id: &'a str) -> Self {
        IdTokenValidation {
            issuer,
            client_id,
            client_secret: None,
            signing_algs: None,
            leeway: DEFAULT_LEEWAY,
            now: None,
        }
    }

    /// The client secret of a confidential client. Only with it are HS256/384/512 ID tokens
    /// accepted (the secret is the MAC key); public clients never accept them.
    pub fn client_secret(mut self, secret: Option<&'a ClientSecret>) -> Self {
        self.client_secret = secret;
        self
    }

    /// Narrows the accepted `alg` values, e.g. to the metadata's
    /// `id_token_signing_alg_values_supported` or the registered `id_token_signed_response_alg`.
    /// `none` and unknown names are dropped; the result is intersected with the safe defaults.
    pub fn signing_algs<S: AsRef<str>>(mut self, algs: &[S]) -> Self {
        self.signing_algs = Some(algs.iter().map(|a| a.as_ref().to_owned()).collect());
        self
    }

    /// Clock skew tolerated on `exp`, `iat` and `nbf` (default [`DEFAULT_LEEWAY`]).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Validates as of this time instead of the system clock (tests, replays of a log).
    pub fn now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &str {
        self.issuer
    }

    /// The expected audience (this client's ID).
    pub fn client_id(&self) -> &str {
        self.client_id
    }

    fn allowed_algs(&self) -> Result<Vec<CoreJwsSigningAlgorithm>, Error> {
        let mut safe: Vec<CoreJwsSigningAlgorithm> = ASYMMETRIC_ALGS.to_vec();
        if self.client_secret.is_some() {
            safe.extend_from_slice(SYMMETRIC_ALGS);
        }
        let Some(wanted) = &self.signing_algs else {
            return Ok(safe);
        };
        let narrowed: Vec<CoreJwsSigningAlgorithm> = wanted
            .iter()
            .filter_map(|name| parse_alg(name))
            .filter(|alg| safe.contains(alg))
            .collect();
        if narrowed.is_empty() {
            return Err(invalid(
                "none of the configured ID token signing algorithms is acceptable (never `none`; HS* only for a confidential client)",
            ));
        }
        Ok(narrowed)
    }
}

impl fmt::Debug for IdTokenValidation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenValidation")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.map(|_| "[redacted]"))
            .field("signing_algs", &self.signing_algs)
            .field("leeway", &self.leeway)
            .field("now", &self.now)
            .finish()
    }
}

fn parse_alg(name: &str) -> Option<CoreJwsSigningAlgorithm> {
    match serde_json::from_value::<CoreJwsSigningAlgorithm>(Value::String(name.to_owned())) {
        Ok(CoreJwsSigningAlgorithm::None) | Err(_) => None,
        Ok(alg) => Some(alg),
    }
}

/// The issuer's signing keys, fetched from its `jwks_uri` on first use and kept; refetched once
/// when a token names a key that is not in the set (rotation), at most once per
/// [`min_refetch_interval`](Self::min_refetch_interval) after the first such refetch.
///
/// Share one per issuer (put it in an `Arc` next to the discovered metadata). Fetches never
/// follow redirects: a 3xx answer is an error.
pub struct JwksCache {
    uri: String,
    request_timeout: Option<Duration>,
    min_refetch_interval: Duration,
    state: tokio::sync::Mutex<JwksState>,
}

#[derive(Default)]
struct JwksState {
    keys: Option<Arc<CoreJsonWebKeySet>>,
    generation: u64,
    last_forced_refetch: Option<tokio::time::Instant>,
}

impl JwksCache {
    /// A cache for the JWKS at `jwks_uri`; nothing is fetched until the first ID token.
    pub fn new(jwks_uri: impl Into<String>) -> Self {
        JwksCache {
            uri: jwks_uri.into(),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            state: tokio::sync::Mutex::new(JwksState::default()),
        }
    }

    /// A cache that starts with `keys` (e.g. fetched during discovery).
    pub fn with_keys(jwks_uri: impl Into<String>, keys: CoreJsonWebKeySet) -> Self {
        JwksCache {
            state: tokio::sync::Mutex::new(JwksState {
                keys: Some(Arc::new(keys)),
                generation: 1,
                last_forced_refetch: None,
            }),
            ..Self::new(jwks_uri)
        }
    }

    /// Timeout of one JWKS request (default 30 s; `None`: only the HTTP client's own).
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Minimum time between two refetches caused by unknown keys
    /// (default [`DEFAULT_MIN_REFETCH_INTERVAL`]).
    pub fn min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// The `jwks_uri` this cache reads.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The cached keys, fetching them first if there are none yet.
    async fn current(
        &self,
        http: &reqwest::Client,
    ) -> Result<(Arc<CoreJsonWebKeySet>, u64), Error> {
        let mut state = self.state.lock().await;
        if let Some(keys) = &state.keys {
            return Ok((keys.clone(), state.generation));
        }
        let keys = Arc::new(self.fetch(http).await?);
        state.keys = Some(keys.clone());
        state.generation += 1;
        Ok((keys, state.generation))
    }

    /// Refetches after a token named an unknown key. `seen` is the generation the caller
    /// verified against: if another caller refetched meanwhile, its keys are returned without a
    /// request. `None` when the rate limit forbids a refetch now.
    async fn refetch_for_unknown_key(
        &self,
        http: &reqwest::Client,
        seen: u64,
    ) -> Result<Option<(Arc<CoreJsonWebKeySet>, u64)>, Error> {
        let mut state = self.state.lock().await;
        if state.generation != seen
            && let Some(keys) = &state.keys
        {
            return Ok(Some((keys.clone(), state.generation)));
        }
        let now = tokio::time::Instant::now();
        if let Some(last) = state.last_forced_refetch
            && now.saturating_duration_since(last) < self.min_refetch_interval
        {
            tracing::debug!(
                jwks_uri = %redacted_uri(&self.uri),
                "unknown signing key, but the JWKS was refetched recently; not refetching"
            );
            return Ok(None);
        }
        state.last_forced_refetch = Some(now);
        tracing::debug!(jwks_uri = %redacted_uri(&self.uri), "unknown signing key: refetching the JWKS once");
        let keys = Arc::new(self.fetch(http).await?);
        state.keys = Some(keys.clone());
        state.generation += 1;
        Ok(Some((keys, state.generation)))
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<CoreJsonWebKeySet, Error> {
        let endpoint = Endpoint::JWKS;
        // `new` takes any string; never echo it (it may carry a key in its query).
        let url = Url::parse(&self.uri).map_err(|_| {
            Error::Config(ConfigError::InvalidUrl {
                what: "jwks_uri",
                reason: "not an absolute URL".into(),
            })
        })?;
        let request =
            Request::get(endpoint, &url).accept("application/json, application/jwk-set+json");
        let response = crate::http::send(http, request, self.request_timeout).await?;
        if !response.is_success() {
            return Err(response.status_error(endpoint.name));
        }
        serde_json::from_slice::<CoreJsonWebKeySet>(&response.body).map_err(|e| {
            Error::InvalidResponse {
                endpoint: endpoint.name,
                reason: format!(
                    "not a JSON Web Key Set: {}",
                    sanitize_description(&e.to_string())
                ),
            }
        })
    }
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("uri", &redacted_uri(&self.uri))
            .field("request_timeout", &self.request_timeout)
            .field("min_refetch_interval", &self.min_refetch_interval)
            .finish_non_exhaustive()
    }
}

/// Validates a raw ID token (compact JWS) and returns its claims.
///
/// `nonce` is the value the authorization request carried: when `Some`, the token must contain
/// an equal `nonce` claim (a missing claim fails). Pass `None` only when the request carried no
/// nonce (device flow, refresh). Keys come from `jwks` only; on an unknown key the JWKS is
/// refetched once (rate limited) and the token verified again.
///
/// Errors: [`Error::IdTokenInvalid`] naming the failed check (never the token or the nonce);
/// JWKS fetch problems as [`Error::Transport`], [`Error::Timeout`], [`Error::HttpStatus`],
/// [`Error::RedirectRefused`] or [`Error::InvalidResponse`] with endpoint `"jwks"`.
pub async fn verify(
    id_token: &str,
    validation: &IdTokenValidation<'_>,
    nonce: Option<&str>,
    jwks: &JwksCache,
    http: &reqwest::Client,
) -> Result<IdTokenClaims, Error> {
    let now = validation.now.unwrap_or_else(SystemTime::now);
    let raw = precheck(id_token, validation, nonce.is_some(), now)?;
    let token: CoreIdToken = id_token
        .parse()
        .map_err(|_| invalid("not a well-formed signed JWT with OpenID Connect claims"))?;
    let algs = validation.allowed_algs()?;

    let (keys, generation) = jwks.current(http).await?;
    let claims = match verify_against(&token, &keys, validation, &algs, nonce, now) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => match jwks.refetch_for_unknown_key(http, generation).await? {
            Some((keys, _)) => verify_against(&token, &keys, validation, &algs, nonce, now),
            None => Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )),
        },
        other => other,
    }
    .map_err(|e| describe(e, validation))?;

    if let Some(azp) = claims.authorized_party()
        && azp.as_str() != validation.client_id
    {
        return Err(invalid(
            "`azp` is present and is not this client's ID (OIDC Core §3.1.3.7 step 5)",
        ));
    }
    Ok(into_claims(&claims, raw))
}

/// Verifies against one key set. Without a usable `kid` and with several candidate keys, each
/// key of the issuer's set is tried on its own (OIDF `kid-absent-multiple-jwks`).
fn verify_against(
    token: &CoreIdToken,
    keys: &CoreJsonWebKeySet,
    validation: &IdTokenValidation<'_>,
    algs: &[CoreJwsSigningAlgorithm],
    nonce: Option<&str>,
    now: SystemTime,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    match verify_once(token, keys.clone(), validation, algs, nonce, now) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::AmbiguousKeyId(_),
        )) => {
            for key in keys.keys() {
                let single = CoreJsonWebKeySet::new(vec![key.clone()]);
                match verify_once(token, single, validation, algs, nonce, now) {
                    Ok(claims) => return Ok(claims),
                    Err(ClaimsVerificationError::SignatureVerification(
                        SignatureVerificationError::CryptoError(_)
                        | SignatureVerificationError::NoMatchingKey
                        | SignatureVerificationError::InvalidKey(_),
                    )) => continue,
                    Err(other) => return Err(other),
                }
            }
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::CryptoError(
                    "no key of the issuer verifies the signature".into(),
                ),
            ))
        }
        other => other,
    }
}

fn verify_once(
    token: &CoreIdToken,
    keys: CoreJsonWebKeySet,
    validation: &IdTokenValidation<'_>,
    algs: &[CoreJwsSigningAlgorithm],
    nonce: Option<&str>,
    now: SystemTime,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let issuer = IssuerUrl::new(validation.issuer.to_owned())
        .map_err(|_| ClaimsVerificationError::Other("the configured issuer is not a URL".into()))?;
    let client_id = ClientId::new(validation.client_id.to_owned());
    let verifier = match validation.client_secret {
        Some(secret) => {
            CoreIdTokenVerifier::new_confidential_client(client_id, secret.clone(), issuer, keys)
        }
        None => CoreIdTokenVerifier::new_public_client(client_id, issuer, keys),
    };
    let leeway = validation.leeway;
    let skewed_now = chrono::DateTime::<chrono::Utc>::from(now.checked_sub(leeway).unwrap_or(now));
    let latest_iat = chrono::DateTime::<chrono::Utc>::from(now.checked_add(leeway).unwrap_or(now));
    let verifier = verifier
        .set_allowed_algs(algs.iter().cloned())
        // `exp` gets the leeway: the token counts as valid until `exp + leeway`.
        .set_time_fn(move || skewed_now)
        .set_issue_time_verifier_fn(move |iat| {
            if iat > latest_iat {
                Err(IAT_IN_THE_FUTURE.into())
            } else {
                Ok(())
            }
        });
    token.claims(&verifier, ExpectedNonce(nonce)).cloned()
}

/// `Some`: the claim must be present and equal (SHA-256 both sides, then a constant-time
/// compare). `None`: no nonce was sent, nothing to check.
struct ExpectedNonce<'a>(Option<&'a str>);

impl NonceVerifier for ExpectedNonce<'_> {
    fn verify(self, nonce: Option<&Nonce>) -> Result<(), String> {
        match (self.0, nonce) {
            (None, _) => Ok(()),
            (Some(_), None) => Err("missing nonce claim".into()),
            (Some(expected), Some(found)) if secrets_equal(expected, found.secret()) => Ok(()),
            (Some(_), Some(_)) => Err("nonce mismatch".into()),
        }
    }
}

/// `uri` for logs and `Debug` (R35): without query, fragment and user info, which may carry a
/// key or credentials (`JwksCache::new` takes any string).
fn redacted_uri(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            let redacted = url.query().is_some() || url.fragment().is_some();
            url.set_query(None);
            url.set_fragment(None);
            let had_user = !url.username().is_empty() || url.password().is_some();
            let _ = url.set_username("");
            let _ = url.set_password(None);
            let mut out = url.to_string();
            if redacted || had_user {
                out.push_str(" (query, fragment or user info redacted)");
            }
            out
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

fn invalid(reason: &str) -> Error {
    Error::IdTokenInvalid {
        reason: reason.to_owned(),
    }
}

fn describe(error: ClaimsVerificationError, validation: &IdTokenValidation<'_>) -> Error {
    let reason = match error {
        ClaimsVerificationError::Expired(m) if m == IAT_IN_THE_FUTURE => m,
        ClaimsVerificationError::Expired(_) => format!(
            "the ID token has expired (`exp`, with {} s leeway)",
            validation.leeway.as_secs()
        ),
        ClaimsVerificationError::InvalidAudience(_) => format!(
            "`aud` must contain this client's ID `{}` and no other, untrusted audience",
            validation.client_id
        ),
        ClaimsVerificationError::InvalidIssuer(_) => format!(
            "`iss` is not the issuer `{}` (it must be equal character for character)",
            validation.issuer
        ),
        ClaimsVerificationError::InvalidNonce(m) => format!(
            "{m}: the token does not answer this login's authorization request (possible replay)"
        ),
        ClaimsVerificationError::SignatureVerification(e) => match e {
            SignatureVerificationError::NoSignature => {
                "the token is unsigned (`alg: none`), which is never accepted".into()
            }
            SignatureVerificationError::DisallowedAlg(m) => {
                format!("signature algorithm not allowed: {}", sanitize_description(&m))
            }
            SignatureVerificationError::NoMatchingKey => {
                "no key in the issuer's JWKS matches the token's `kid` and `alg` (also after refetching the JWKS)".into()
            }
            SignatureVerificationError::AmbiguousKeyId(_) => {
                "several keys of the issuer match the token and none is named by `kid`".into()
            }
            SignatureVerificationError::CryptoError(_) => {
                "the signature does not verify with the issuer's key".into()
            }
            SignatureVerificationError::InvalidKey(m) => {
                format!("the issuer's key cannot verify this token: {}", sanitize_description(&m))
            }
            SignatureVerificationError::UnsupportedAlg(m) => {
                format!("unsupported signature algorithm: {}", sanitize_description(&m))
            }
            other => format!(
                "signature verification failed: {}",
                sanitize_description(&other.to_string())
            ),
        },
        ClaimsVerificationError::Unsupported(m) => {
            format!("unsupported token: {}", sanitize_description(&m))
        }
        other => sanitize_description(&other.to_string()),
    };
    Error::IdTokenInvalid { reason }
}

fn into_claims(claims: &CoreIdTokenClaims, raw: Map<String, Value>) -> IdTokenClaims {
    let other = raw
        .into_iter()
        .filter(|(name, _)| !REGISTERED.contains(&name.as_str()))
        .collect();
    IdTokenClaims {
        subject: claims.subject().as_str().to_owned(),
        issuer: claims.issuer().as_str().to_owned(),
        audiences: claims
            .audiences()
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect(),
        expires_at: SystemTime::from(claims.expiration()),
        issued_at: SystemTime::from(claims.issue_time()),
        nonce: claims.nonce().map(|n| n.secret().clone()),
        other,
    }
}

/// Checks the compact JWS and the raw claim types before any library parsing, so that a claim
/// of the wrong JSON type is an error and never "absent" (R23), and returns the payload.
fn precheck(
    raw: &str,
    validation: &IdTokenValidation<'_>,
    nonce_expected: bool,
    now: SystemTime,
) -> Result<Map<String, Value>, Error> {
    if raw.is_empty() || raw.len() > MAX_ID_TOKEN_BYTES {
        return Err(invalid("empty or larger than 64 KiB"));
    }
    let mut parts = raw.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "not a compact JWS (three base64url parts); encrypted ID tokens are not supported",
        ));
    };
    let header = decode_object(header).map_err(|why| invalid(&format!("JOSE header: {why}")))?;
    let payload = decode_object(payload).map_err(|why| invalid(&format!("payload: {why}")))?;

    match header.get("alg") {
        Some(Value::String(alg)) if alg.eq_ignore_ascii_case("none") => {
            return Err(invalid(
                "the token is unsigned (`alg: none`), which is never accepted",
            ));
        }
        Some(Value::String(alg)) if alg.starts_with("HS") && validation.client_secret.is_none() => {
            return Err(invalid(
                "HS* (shared-secret) signatures are never accepted by a public client: anyone can compute them",
            ));
        }
        Some(Value::String(_)) => {}
        _ => return Err(invalid("the JOSE header has no string `alg`")),
    }
    if !matches!(header.get("kid"), None | Some(Value::String(_))) {
        return Err(invalid("the JOSE header's `kid` is not a string"));
    }

    let string = |name: &str, required: bool| -> Result<Option<&str>, Error> {
        match payload.get(name) {
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            None if !required => Ok(None),
            None => Err(invalid(&format!("the `{name}` claim is missing"))),
            Some(_) => Err(invalid(&format!("the `{name}` claim is not a string"))),
        }
    };
    let number = |name: &str, required: bool| -> Result<Option<f64>, Error> {
        match payload.get(name) {
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Some)
                .ok_or_else(|| invalid(&format!("the `{name}` claim is out of range"))),
            None if !required => Ok(None),
            None => Err(invalid(&format!("the `{name}` claim is missing"))),
            Some(_) => Err(invalid(&format!(
                "the `{name}` claim is not a number (NumericDate)"
            ))),
        }
    };

    let iss = string("iss", true)?.unwrap_or_default();
    if iss != validation.issuer {
        return Err(invalid(&format!(
            "`iss` is not the issuer `{}` (it must be equal character for character)",
            validation.issuer
        )));
    }
    if string("sub", true)?.is_none_or(str::is_empty) {
        return Err(invalid("the `sub` claim is empty"));
    }
    match payload.get("aud") {
        Some(Value::String(_)) => {}
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_string) => {}
        None => return Err(invalid("the `aud` claim is missing")),
        Some(_) => {
            return Err(invalid(
                "the `aud` claim is neither a string nor a non-empty array of strings",
            ));
        }
    }
    number("exp", true)?;
    number("iat", true)?;
    number("auth_time", false)?;
    if let Some(nbf) = number("nbf", false)? {
        let now_secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        if nbf > now_secs + validation.leeway.as_secs_f64() {
            return Err(invalid("the token is not valid yet (`nbf`)"));
        }
    }
    let nonce = string("nonce", false)?;
    if nonce_expected && nonce.is_none() {
        return Err(invalid(
            "missing nonce claim: the token does not answer this login's authorization request (possible replay)",
        ));
    }
    string("azp", false)?;
    string("acr", false)?;
    string("at_hash", false)?;
    string("c_hash", false)?;
    if !matches!(payload.get("amr"), None | Some(Value::Array(_))) {
        return Err(invalid("the `amr` claim is not an array"));
    }
    Ok(payload)
}

/// The payload of an ID token that was validated before (e.g. the original one of a token set
/// being refreshed), decoded without checking anything again.
pub(crate) fn validated_payload(raw: &str) -> Result<Map<String, Value>, Error> {
    let mut parts = raw.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(payload), Some(_), None) => decode_object(payload)
            .map_err(|why| invalid(&format!("the original ID token's payload: {why}"))),
        _ => Err(invalid(
            "the original ID token is not a compact JWS (three base64url parts)",
        )),
    }
}

fn decode_object(part: &str) -> Result<Map<String, Value>, &'static str> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| "not base64url without padding")?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let map = de
        .deserialize_map(StrictObject)
        .map_err(|_| "not a JSON object, or a member name appears twice")?;
    de.end()
        .map_err(|_| "trailing data after the JSON object")?;
    Ok(map)
}

/// A JSON object whose top-level member names are unique (a duplicated claim is ambiguous: one
/// parser may read the first, another the last).
struct StrictObject;

impl<'de> Visitor<'de> for StrictObject {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object without duplicate member names")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom("duplicate member"));
            }
            map.insert(key, value);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_cache_debug_hides_query_and_user_info() {
        let cache =
            JwksCache::new("https://user:pw-s3cret@as.example.com/jwks?api_key=k3y-s3cret#f");
        let debug = format!("{cache:?}");
        assert!(debug.contains("https://as.example.com/jwks"), "{debug}");
        for secret in ["s3cret", "api_key", "user:"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(!format!("{:?}", JwksCache::new("not a url ?k=s3cret")).contains("s3cret"));
    }

    fn b64(value: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn token(header: Value, payload: Value) -> String {
        format!("{}.{}.c2ln", b64(&header), b64(&payload))
    }

    fn good_payload() -> Value {
        serde_json::json!({
            "iss": "https://issuer.example", "sub": "alice", "aud": "client",
            "exp": 2_000_000_000u64, "iat": 1_000_000_000u64, "nonce": "n"
        })
    }

    fn check(raw: &str) -> Result<Map<String, Value>, Error> {
        let v = IdTokenValidation::new("https://issuer.example", "client");
        precheck(
            raw,
            &v,
            true,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000),
        )
    }

    fn reason(result: Result<Map<String, Value>, Error>) -> String {
        match result {
            Err(Error::IdTokenInvalid { reason }) => reason,
            other => panic!("expected IdTokenInvalid, got {other:?}"),
        }
    }

    #[test]
    fn precheck_accepts_a_well_typed_token() {
        let raw = token(serde_json::json!({"alg": "RS256"}), good_payload());
        assert!(check(&raw).is_ok());
    }

    #[test]
    fn precheck_rejects_type_confusion() {
        for (claim, value, expect) in [
            (
                "exp",
                serde_json::json!("9999999999"),
                "`exp` claim is not a number",
            ),
            (
                "iat",
                serde_json::json!(true),
                "`iat` claim is not a number",
            ),
            ("aud", serde_json::json!(5), "`aud` claim is neither"),
            ("aud", serde_json::json!([]), "`aud` claim is neither"),
            (
                "aud",
                serde_json::json!(["client", 5]),
                "`aud` claim is neither",
            ),
            ("sub", serde_json::json!(42), "`sub` claim is not a string"),
            (
                "nonce",
                serde_json::json!(1),
                "`nonce` claim is not a string",
            ),
            (
                "iss",
                serde_json::json!(["https://issuer.example"]),
                "`iss` claim is not a string",
            ),
            ("nbf", serde_json::json!("0"), "`nbf` claim is not a number"),
            ("exp", serde_json::json!(-1), "`exp` claim is out of range"),
        ] {
            let mut payload = good_payload();
            payload[claim] = value;
            let raw = token(serde_json::json!({"alg": "RS256"}), payload);
            let why = reason(check(&raw));
            assert!(why.contains(expect), "{claim}: {why}");
        }
    }

    #[test]
    fn precheck_rejects_missing_claims() {
        for claim in ["iss", "sub", "aud", "exp", "iat", "nonce"] {
            let mut payload = good_payload();
            payload.as_object_mut().unwrap().remove(claim);
            let raw = token(serde_json::json!({"alg": "RS256"}), payload);
            let why = reason(check(&raw));
            assert!(why.contains(claim), "{claim}: {why}");
        }
    }

    #[test]
    fn precheck_rejects_duplicate_claims_and_junk() {
        let header = b64(&serde_json::json!({"alg": "RS256"}));
        let dup = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            r#"{"iss":"https://issuer.example","sub":"a","aud":"client","aud":"other","exp":2000000000,"iat":1,"nonce":"n"}"#,
        );
        assert!(reason(check(&format!("{header}.{dup}.c2ln"))).contains("twice"));
        assert!(reason(check("a.b")).contains("compact JWS"));
        assert!(reason(check("a.b.c.d.e")).contains("compact JWS"));
        assert!(reason(check(&format!("{header}.!!!.c2ln"))).contains("base64url"));
        let array = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("[1,2]");
        assert!(reason(check(&format!("{header}.{array}.c2ln"))).contains("JSON object"));
        assert!(reason(check(&"a".repeat(MAX_ID_TOKEN_BYTES + 1))).contains("64 KiB"));
    }

    #[test]
    fn precheck_rejects_alg_none_and_public_hs256() {
        for alg in ["none", "NONE", "None"] {
            let raw = token(serde_json::json!({"alg": alg}), good_payload());
            assert!(reason(check(&raw)).contains("unsigned"));
        }
        let raw = token(serde_json::json!({"alg": "HS256"}), good_payload());
        assert!(reason(check(&raw)).contains("public client"));
        let raw = token(serde_json::json!({"alg": 1}), good_payload());
        assert!(reason(check(&raw)).contains("`alg`"));
    }

    #[test]
    fn precheck_checks_issuer_exactly_and_nbf() {
        let mut payload = good_payload();
        payload["iss"] = serde_json::json!("https://issuer.example/");
        let raw = token(serde_json::json!({"alg": "RS256"}), payload);
        assert!(reason(check(&raw)).contains("`iss`"));
        let mut payload = good_payload();
        payload["nbf"] = serde_json::json!(1_600_000_000u64);
        let raw = token(serde_json::json!({"alg": "RS256"}), payload);
        assert!(reason(check(&raw)).contains("`nbf`"));
    }

    #[test]
    fn allowed_algs_never_include_none_and_hs_needs_a_secret() {
        let v = IdTokenValidation::new("https://i", "c");
        let algs = v.allowed_algs().unwrap();
        assert!(!algs.contains(&CoreJwsSigningAlgorithm::None));
        assert!(!algs.contains(&CoreJwsSigningAlgorithm::HmacSha256));
        let secret = ClientSecret::new("s".into());
        let v = IdTokenValidation::new("https://i", "c").client_secret(Some(&secret));
        assert!(
            v.allowed_algs()
                .unwrap()
                .contains(&CoreJwsSigningAlgorithm::HmacSha256)
        );
        let v = IdTokenValidation::new("https://i", "c").signing_algs(&["none", "HS256"]);
        assert!(v.allowed_algs().is_err());
        let v = IdTokenValidation::new("https://i", "c").signing_algs(&["ES256", "bogus"]);
        assert_eq!(
            v.allowed_algs().unwrap(),
            vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]
        );
    }

    #[test]
    fn debug_redacts_the_secret() {
        let secret = ClientSecret::new("topsecret".into());
        let v = IdTokenValidation::new("https://i", "c").client_secret(Some(&secret));
        assert!(!format!("{v:?}").contains("topsecret"));
    }

    /// What `openidconnect` 4.1 does on its own, without [`precheck`] and our extra checks:
    /// this pins down why the pre-check and the `azp`/`iat`/`nbf` checks exist.
    #[test]
    fn openidconnect_alone_rejects_some_confusions_and_misses_others() {
        use openidconnect::PrivateSigningKey;
        use openidconnect::core::CoreHmacKey;

        let secret = ClientSecret::new("library-probe-secret".into());
        let key = CoreHmacKey::new(secret.secret().as_bytes().to_vec());
        let sign = |payload: &str| {
            let input = format!(
                "{}.{}",
                b64(&serde_json::json!({"alg": "HS256"})),
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
            );
            let mac = key
                .sign(&CoreJwsSigningAlgorithm::HmacSha256, input.as_bytes())
                .unwrap();
            format!(
                "{input}.{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
            )
        };
        let library_only = |payload: &str| -> Result<(), String> {
            let token: CoreIdToken = sign(payload).parse().map_err(|e| format!("parse: {e}"))?;
            let v = IdTokenValidation::new("https://issuer.example", "client")
                .client_secret(Some(&secret));
            // The library's own checks: no pre-check, no iat verifier, no azp check.
            let verifier = CoreIdTokenVerifier::new_confidential_client(
                ClientId::new("client".into()),
                secret.clone(),
                IssuerUrl::new(v.issuer.to_owned()).unwrap(),
                CoreJsonWebKeySet::new(vec![]),
            )
            .set_allowed_algs([CoreJwsSigningAlgorithm::HmacSha256]);
            token
                .claims(&verifier, ExpectedNonce(Some("n")))
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let base = r#""iss":"https://issuer.example","sub":"a","nonce":"n""#;
        let future = 4_000_000_000u64;
        // Rejected by the library already (our pre-check gives the clearer message first).
        for rejected in [
            format!(r#"{{{base},"aud":"client","exp":"{future}","iat":1}}"#),
            format!(r#"{{{base},"aud":5,"exp":{future},"iat":1}}"#),
            format!(r#"{{{base},"aud":"client","exp":{future}}}"#),
            format!(r#"{{{base},"exp":{future},"iat":1}}"#),
            format!(r#"{{{base},"aud":"client","aud":"other","exp":{future},"iat":1}}"#),
            format!(r#"{{{base},"aud":"client","exp":1,"iat":1}}"#),
        ] {
            assert!(
                library_only(&rejected).is_err(),
                "library accepted {rejected}"
            );
        }
        assert!(
            library_only(&format!(
                r#"{{{base},"aud":"client","exp":{future},"iat":1}}"#
            ))
            .is_ok()
        );
        // Accepted by the library alone — hence our own checks.
        for gap in [
            // `azp` naming another client
            format!(r#"{{{base},"aud":"client","azp":"other","exp":{future},"iat":1}}"#),
            // `iat` far in the future
            format!(r#"{{{base},"aud":"client","exp":{future},"iat":{future}}}"#),
            // `nbf` in the future
            format!(r#"{{{base},"aud":"client","exp":{future},"iat":1,"nbf":{future}}}"#),
        ] {
            assert!(
                library_only(&gap).is_ok(),
                "library now rejects {gap}: simplify?"
            );
            let raw = sign(&gap);
            let v = IdTokenValidation::new("https://issuer.example", "client")
                .client_secret(Some(&secret));
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
            let ours = precheck(&raw, &v, true, now).and_then(|_| {
                let token: CoreIdToken = raw.parse().unwrap();
                let algs = v.allowed_algs()?;
                let claims = verify_once(
                    &token,
                    CoreJsonWebKeySet::new(vec![]),
                    &v,
                    &algs,
                    Some("n"),
                    now,
                )
                .map_err(|e| describe(e, &v))?;
                match claims.authorized_party() {
                    Some(azp) if azp.as_str() != "client" => Err(invalid("azp")),
                    _ => Ok(()),
                }
            });
            assert!(ours.is_err(), "we accepted {gap}");
        }
    }
}
