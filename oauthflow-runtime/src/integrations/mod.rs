//! HTTP integrations that send a [`TokenSource`]'s token to an API: a
//! [`reqwest-middleware`](reqwest_middleware) middleware (feature `reqwest-middleware`) and a
//! [`tower`] layer (feature `tower`). Both do the same two things, defined once here:
//!
//! - add `Authorization: Bearer <token>` (RFC 6750 §2.1) for the configured audience, unless
//!   the request already carries an `Authorization` header — for a client with
//!   `sender_constraint = "dpop"`, `Authorization: DPoP <token>` and a fresh `DPoP` proof for
//!   the request's method and URL (RFC 9449 §7.1);
//! - when the API answers `401` with a challenge whose `error` is `invalid_token` (RFC 6750
//!   §3.1: expired, revoked, malformed), drop that token from the cache and send the request
//!   **once** more with a new token; when it answers `401` with `DPoP error="use_dpop_nonce"`
//!   (RFC 9449 §9), send it **once** more with a proof carrying the nonce it sent. Any other
//!   answer — including a second `401` — goes back to the caller as it came. A `DPoP-Nonce` in
//!   any answer is kept for the next request to that origin.

use std::fmt;

use http::{HeaderMap, Method, StatusCode, header};
use url::Url;

use crate::dpop::{DPOP, Dpop};
use crate::error::Error;
use crate::token_source::{BearerToken, TokenSource};

#[cfg(feature = "reqwest-middleware")]
pub mod reqwest_middleware;
#[cfg(feature = "tower")]
pub mod tower;

/// A token source and the audience whose tokens an integration sends: what both integrations
/// hold.
#[derive(Clone)]
pub(crate) struct Bearer<T: TokenSource> {
    pub(crate) source: T,
    pub(crate) audience: T::Audience,
}

impl<T: TokenSource> Bearer<T> {
    /// Whether the request should get a token: it has no `Authorization` header of its own.
    pub(crate) fn applies_to(headers: &HeaderMap) -> bool {
        !headers.contains_key(header::AUTHORIZATION)
    }

    /// The request's URL as a DPoP proof names it — only for a DPoP-bound `token` (`None` for a
    /// bearer token: nothing to parse on that path).
    ///
    /// # Errors
    ///
    /// [`Error::DpopProof`] when the URL is not absolute.
    pub(crate) fn dpop_target(
        &self,
        token: &BearerToken,
        url: impl FnOnce() -> String,
    ) -> Result<Option<Url>, Error> {
        if self.dpop_for(token).is_none() {
            return Ok(None);
        }
        Url::parse(&url()).map(Some).map_err(|_| Error::DpopProof {
            reason: "the request URL is not absolute: a DPoP proof names the full URL".into(),
        })
    }

    /// Sets the `Authorization` header from `token` and, for a DPoP-bound token, a fresh
    /// `DPoP` proof for `method` and `target` (from [`dpop_target`](Self::dpop_target)).
    ///
    /// # Errors
    ///
    /// [`Error::DpopProof`] when the key fails to sign.
    pub(crate) fn authorize(
        &self,
        headers: &mut HeaderMap,
        method: &Method,
        target: Option<&Url>,
        token: &BearerToken,
    ) -> Result<(), Error> {
        if let (Some(dpop), Some(url)) = (self.dpop_for(token), target) {
            headers.insert(
                DPOP,
                dpop.proof(method.as_str(), url, Some(token.secret()))?,
            );
        }
        headers.insert(header::AUTHORIZATION, token.authorization().clone());
        Ok(())
    }

    /// After a response to a request to `target` sent with `token`: keeps a `DPoP-Nonce` it
    /// carries, and says whether to send the request once more — with a new token when the
    /// API refused this one (which is dropped from the cache), or with a new proof when it
    /// asked for a nonce.
    pub(crate) fn retry_after(
        &self,
        target: Option<&Url>,
        status: StatusCode,
        headers: &HeaderMap,
        token: &BearerToken,
    ) -> Retry {
        if let (Some(dpop), Some(url)) = (self.dpop_for(token), target) {
            dpop.remember_nonce(url, headers);
            if Dpop::asks_for_nonce(status, headers) {
                tracing::debug!(audience = ?self.audience, "the API asked for a DPoP nonce: sending the request once more");
                return Retry::NewProof;
            }
        }
        if status == StatusCode::UNAUTHORIZED && asks_for_a_new_token(headers, token) {
            tracing::debug!(audience = ?self.audience, "the API refused the access token (invalid_token): fetching a new one");
            self.source.discard_token(self.audience, token);
            return Retry::NewToken;
        }
        Retry::No
    }

    /// The client's DPoP state, when `token` is bound to it.
    fn dpop_for(&self, token: &BearerToken) -> Option<&Dpop> {
        self.source.dpop().filter(|_| token.is_dpop())
    }
}

/// What to do after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Hand the answer to the caller.
    No,
    /// Send the request once more with a new token (the old one was dropped).
    NewToken,
    /// Send the request once more with the same token and a new DPoP proof.
    NewProof,
}

impl<T: TokenSource> fmt::Debug for Bearer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bearer")
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// Whether the API's answer asks for a new token: a challenge of the token's scheme (`Bearer`,
/// or `DPoP` for a DPoP-bound token) with `error="invalid_token"` (RFC 6750 §3; RFC 9449 §7.1).
/// A bare `401`, or `insufficient_scope`, is not fixed by a new token, so it is not retried.
pub(crate) fn asks_for_a_new_token(headers: &HeaderMap, token: &BearerToken) -> bool {
    let scheme = if token.is_dpop() { "DPoP" } else { "Bearer" };
    crate::www_authenticate::has_error(headers, scheme, "invalid_token")
}
