//! What API-calling integrations take: a [`TokenSource`] hands out [`BearerToken`]s, cheap to
//! clone, and forgets one that an API refused.
//!
//! Every generated client that caches access tokens itself (`kind = "machine"`) implements
//! [`TokenSource`], with its audience enum (or `()` without audiences) as
//! [`TokenSource::Audience`]. The HTTP integrations (features `reqwest-middleware` and `tower`)
//! are written once against the trait, not per client.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::LocalKey;

use http::HeaderValue;

use crate::error::Error;
use crate::secret_eq::secrets_equal;
use crate::token_manager::{ThreadCopies, ThreadCopy, recycle};

/// An access token ready to send: the token and its `Authorization: Bearer …` header value
/// (RFC 6750 §2.1), built once when the token was received. Cloning it clones an [`Arc`] — the
/// warm path of [`TokenSource::bearer_token`] copies no string.
///
/// `Debug` shows no token; equality compares in constant time.
///
/// ```
/// use oauthflow_runtime::BearerToken;
///
/// let token = BearerToken::new("mF_9.B5f-4.1JqM").unwrap();
/// assert_eq!(token.secret(), "mF_9.B5f-4.1JqM");
/// assert_eq!(token.authorization().to_str().unwrap(), "Bearer mF_9.B5f-4.1JqM");
/// assert!(token.authorization().is_sensitive());
/// assert_eq!(format!("{token:?}"), "BearerToken([redacted])");
/// assert!(BearerToken::new("two words").is_err());
/// ```
#[derive(Clone)]
pub struct BearerToken {
    /// Taken only by `drop`, which gives it back to this thread's copy of the token when there
    /// is one (see [`ThreadCopy`]).
    inner: ManuallyDrop<Arc<Inner>>,
}

/// What the clones of one received token share (its fields stay private to this module).
pub(crate) struct Inner {
    /// Which received token this is: copies made for other threads keep it (see
    /// [`same_as`](BearerToken::same_as)).
    id: u64,
    /// Bound to the client's DPoP key (`token_type=DPoP`, RFC 9449 §5): sent as
    /// `Authorization: DPoP …` with a proof.
    dpop: bool,
    secret: Box<str>,
    authorization: HeaderValue,
}

/// Ids of received tokens, unique in the process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl BearerToken {
    /// Wraps an access token. It must be an RFC 6750 §2.1 `b64token` (letters, digits,
    /// `-._~+/`, then `=` padding): anything else could not be sent in an `Authorization`
    /// header, and may be an attempt to inject one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidResponse`] naming the rule (never the token).
    pub fn new(secret: impl Into<String>) -> Result<Self, Error> {
        Self::with_scheme(secret.into(), false)
    }

    /// Wraps a DPoP-bound access token (`token_type=DPoP`, RFC 9449 §5): its
    /// [`authorization`](Self::authorization) is `DPoP <token>`, and every request that sends it
    /// needs a proof ([`crate::dpop::Dpop::proof`]).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn new_dpop(secret: impl Into<String>) -> Result<Self, Error> {
        Self::with_scheme(secret.into(), true)
    }

    fn with_scheme(secret: String, dpop: bool) -> Result<Self, Error> {
        if !is_b64token(&secret) {
            return Err(Error::InvalidResponse {
                endpoint: "token",
                reason: "the access token is not an RFC 6750 b64token (letters, digits, `-._~+/`, then `=`)".into(),
            });
        }
        let scheme = if dpop { "DPoP" } else { "Bearer" };
        let mut authorization = HeaderValue::try_from(format!("{scheme} {secret}"))
            .expect("a b64token is a valid header value");
        // Never kept in an HTTP/2 header table (HPACK), never printed by `http`'s Debug.
        authorization.set_sensitive(true);
        Ok(BearerToken::from_shared(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            dpop,
            secret: secret.into_boxed_str(),
            authorization,
        })))
    }

    /// The access token itself.
    pub fn secret(&self) -> &str {
        &self.inner.secret
    }

    /// Whether the token is DPoP-bound: sent with a proof of the client's key.
    pub fn is_dpop(&self) -> bool {
        self.inner.dpop
    }

    /// `Bearer <token>` (`DPoP <token>` for a DPoP-bound token), marked sensitive: the value of
    /// the `Authorization` header.
    pub fn authorization(&self) -> &HeaderValue {
        &self.inner.authorization
    }

    /// Whether `self` and `other` are the same received token (not merely equal strings) —
    /// what [`TokenSource::discard_token`] compares, so that a token refused by an API never
    /// evicts a newer one fetched meanwhile.
    pub fn same_as(&self, other: &BearerToken) -> bool {
        self.inner.id == other.inner.id
    }
}

/// The cache hands each thread its own `Arc` of the token: handing it out then touches a
/// reference count that no other thread writes — or none, when a token dropped on the thread
/// gave its reference back.
impl ThreadCopy for BearerToken {
    type Shared = Inner;

    fn thread_copy(&self) -> Self {
        BearerToken::from_shared(Arc::new(Inner {
            id: self.inner.id,
            dpop: self.inner.dpop,
            secret: self.inner.secret.clone(),
            authorization: self.inner.authorization.clone(),
        }))
    }

    #[inline]
    fn shared(&self) -> &Arc<Inner> {
        &self.inner
    }

    #[inline]
    fn from_shared(shared: Arc<Inner>) -> Self {
        BearerToken {
            inner: ManuallyDrop::new(shared),
        }
    }

    fn copies() -> &'static LocalKey<RefCell<ThreadCopies<Self>>> {
        thread_local! {
            static COPIES: RefCell<ThreadCopies<BearerToken>> = const { RefCell::new(ThreadCopies::new()) };
        }
        &COPIES
    }
}

impl Drop for BearerToken {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `inner` is taken once, here, and `self` is never used again.
        let inner = unsafe { ManuallyDrop::take(&mut self.inner) };
        recycle::<BearerToken>(inner);
    }
}

impl PartialEq for BearerToken {
    fn eq(&self, other: &Self) -> bool {
        self.same_as(other) || secrets_equal(self.secret(), other.secret())
    }
}

impl Eq for BearerToken {}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

impl From<&BearerToken> for oauth2::AccessToken {
    fn from(token: &BearerToken) -> Self {
        oauth2::AccessToken::new(token.secret().to_owned())
    }
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// A source of access tokens for calling APIs: what the HTTP integrations take.
///
/// Implemented by every generated client that caches access tokens (`kind = "machine"`):
/// [`bearer_token`](Self::bearer_token) is the client's cached, single-flight token, and
/// [`discard_token`](Self::discard_token) drops it from the cache when an API answered
/// `401` with `error="invalid_token"` (RFC 6750 §3.1) — revoked or rotated keys on the API's
/// side — so the next call fetches a new one.
///
/// By hand, what the integrations do (`source` is a generated `machine` client, `audience` one
/// of its audience enum's variants):
///
/// ```
/// use oauthflow_runtime::TokenSource;
///
/// async fn orders<T: TokenSource>(
///     source: &T,
///     audience: T::Audience,
///     http: &reqwest::Client,
/// ) -> Result<reqwest::Response, Box<dyn std::error::Error>> {
///     let token = source.bearer_token(audience).await?;
///     let response = http
///         .get("https://api.example.com/orders")
///         .header(reqwest::header::AUTHORIZATION, token.authorization())
///         .send()
///         .await?;
///     if response.status() == reqwest::StatusCode::UNAUTHORIZED {
///         source.discard_token(audience, &token);
///     }
///     Ok(response)
/// }
/// ```
pub trait TokenSource: Send + Sync + 'static {
    /// What a token is for: the client's audience enum, or `()` when it declares none.
    type Audience: Copy + Send + Sync + fmt::Debug + 'static;

    /// A valid access token for `audience`: the cached one (no request, no string copied), or
    /// the outcome of the one token request in flight for it.
    ///
    /// # Errors
    ///
    /// Discovery, network and token-endpoint failures.
    fn bearer_token(
        &self,
        audience: Self::Audience,
    ) -> impl Future<Output = Result<BearerToken, Error>> + Send;

    /// Forgets `refused` if it is still the cached token for `audience` (a newer token is kept),
    /// so that the next [`bearer_token`](Self::bearer_token) fetches a new one.
    fn discard_token(&self, audience: Self::Audience, refused: &BearerToken);

    /// The client instance's DPoP state when its tokens are DPoP-bound
    /// (`sender_constraint = "dpop"`): what makes the `DPoP` proof each request to an API needs
    /// (see [`crate::dpop`]). `None` for bearer tokens, the default.
    fn dpop(&self) -> Option<&crate::dpop::Dpop> {
        None
    }
}
