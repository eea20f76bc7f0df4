//! The issuer's signing keys ([`JwksCache`]): fetched on first use, kept as long as the answer's
//! `Cache-Control: max-age` says (within [`JWKS_MIN_MAX_AGE`]..[`JWKS_MAX_MAX_AGE`]; 10 minutes
//! when it says nothing), then fetched again — so a key the issuer no longer publishes stops
//! being trusted — and refetched once (rate limited) when a token names an unknown key.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::CoreJsonWebKeySet;
use url::Url;

use crate::error::{ConfigError, Error, sanitize_description};
use crate::http::{Endpoint, Request};
use crate::limits::{
    DEFAULT_REQUEST_TIMEOUT, JWKS_DEFAULT_MAX_AGE, JWKS_MAX_MAX_AGE, JWKS_MIN_MAX_AGE,
};

/// Minimum time between two JWKS refetches caused by an unknown key (the first one is always
/// allowed): a flood of forged tokens with random `kid`s cannot turn into a flood of requests.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

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
    /// Until when `keys` may be used without asking again (from the answer's `max-age`).
    fresh_until: Option<tokio::time::Instant>,
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
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests call it"))]
    pub fn with_keys(jwks_uri: impl Into<String>, keys: CoreJsonWebKeySet) -> Self {
        JwksCache {
            state: tokio::sync::Mutex::new(JwksState {
                keys: Some(Arc::new(keys)),
                fresh_until: Some(tokio::time::Instant::now() + JWKS_DEFAULT_MAX_AGE),
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
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests call it"))]
    pub fn min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// The cached keys while they are fresh; otherwise (first use, or past their `max-age`)
    /// fetched again — the new set replaces the old one whole, so retired keys are gone. A
    /// failed fetch is an error, never a reason to keep trusting expired keys.
    pub(crate) async fn current(
        &self,
        http: &reqwest::Client,
    ) -> Result<(Arc<CoreJsonWebKeySet>, u64), Error> {
        let mut state = self.state.lock().await;
        if let (Some(keys), Some(until)) = (&state.keys, state.fresh_until)
            && tokio::time::Instant::now() < until
        {
            return Ok((keys.clone(), state.generation));
        }
        let keys = self.fetch_into(&mut state, http).await?;
        Ok((keys, state.generation))
    }

    /// Refetches after a token named an unknown key. `seen` is the generation the caller
    /// verified against: if another caller refetched meanwhile, its keys are returned without a
    /// request. `None` when the rate limit forbids a refetch now.
    pub(super) async fn refetch_for_unknown_key(
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
        let keys = self.fetch_into(&mut state, http).await?;
        Ok(Some((keys, state.generation)))
    }

    /// Fetches the set and stores it with its freshness.
    async fn fetch_into(
        &self,
        state: &mut JwksState,
        http: &reqwest::Client,
    ) -> Result<Arc<CoreJsonWebKeySet>, Error> {
        let (keys, max_age) = self.fetch(http).await?;
        let keep = max_age
            .map_or(JWKS_DEFAULT_MAX_AGE, Duration::from_secs)
            .clamp(JWKS_MIN_MAX_AGE, JWKS_MAX_MAX_AGE);
        let keys = Arc::new(keys);
        state.keys = Some(keys.clone());
        state.fresh_until = Some(tokio::time::Instant::now() + keep);
        state.generation += 1;
        Ok(keys)
    }

    /// The key set and the answer's `max-age`.
    async fn fetch(
        &self,
        http: &reqwest::Client,
    ) -> Result<(CoreJsonWebKeySet, Option<u64>), Error> {
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
        Ok((parse_key_set(&response.body)?, response.max_age))
    }
}

/// A JWKS document (RFC 7517 §5); keys of unknown types or algorithms are kept (and then never
/// match), a document that is not a key set is an error.
pub(crate) fn parse_key_set(body: &[u8]) -> Result<CoreJsonWebKeySet, Error> {
    serde_json::from_slice::<CoreJsonWebKeySet>(body).map_err(|e| Error::InvalidResponse {
        endpoint: Endpoint::JWKS.name,
        reason: format!(
            "not a JSON Web Key Set: {}",
            sanitize_description(&e.to_string())
        ),
    })
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
}
