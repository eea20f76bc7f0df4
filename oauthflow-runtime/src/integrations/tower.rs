//! A [`tower`] layer that sends a [`TokenSource`]'s access token (feature `tower`), for any
//! HTTP client built as a `tower::Service<http::Request<B>>` (hyper-util's client, tonic
//! channels, …).
//!
//! With a generated `machine` client `importer` (`ImporterAudience::Orders` its audience) and
//! any HTTP client service `http`:
//!
//! ```
//! use oauthflow_runtime::TokenSource;
//! use oauthflow_runtime::integrations::tower::BearerLayer;
//! use tower::{Layer, Service, ServiceExt};
//!
//! async fn orders<T, S>(importer: T, orders: T::Audience, http: S) -> Result<http::Response<String>, tower::BoxError>
//! where
//!     T: TokenSource + Clone,
//!     S: Service<http::Request<String>, Response = http::Response<String>> + Clone + Send + 'static,
//!     S::Future: Send,
//!     S::Error: Into<tower::BoxError>,
//! {
//!     let mut orders_api = BearerLayer::new(importer, orders).layer(http);
//!     let request = http::Request::get("https://api.example.com/orders").body(String::new())?;
//!     orders_api.ready().await?.call(request).await
//! }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::{BoxError, Layer, Service, ServiceExt};

use super::{Bearer, Retry};
use crate::token_source::TokenSource;

/// Wraps a service in a [`BearerService`]: tokens from `source` for one audience.
#[derive(Clone)]
pub struct BearerLayer<T: TokenSource + Clone> {
    bearer: Bearer<T>,
}

impl<T: TokenSource + Clone> BearerLayer<T> {
    /// Tokens from `source` (a generated client) for `audience` (its audience enum, or `()`).
    pub fn new(source: T, audience: T::Audience) -> Self {
        BearerLayer {
            bearer: Bearer { source, audience },
        }
    }
}

impl<T: TokenSource + Clone> std::fmt::Debug for BearerLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.bearer, f)
    }
}

impl<S, T: TokenSource + Clone> Layer<S> for BearerLayer<T> {
    type Service = BearerService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerService {
            inner,
            bearer: self.bearer.clone(),
        }
    }
}

/// Adds `Authorization: Bearer …` (or `DPoP …` and a `DPoP` proof) to every request without an
/// `Authorization` header; on `401` with `error="invalid_token"`, drops the token and sends the
/// request once more with a new one, and on `401` with `use_dpop_nonce` once more with a new
/// proof (see [`crate::integrations`]). Request URIs must be absolute for a DPoP proof. The body must be `Clone` to be sent twice (`String`, `Bytes`,
/// `http_body_util::Full<Bytes>`, …).
///
/// Errors are [`tower::BoxError`]s: the inner service's, or a [`crate::Error`] when no token
/// could be obtained (`err.downcast_ref::<oauthflow::Error>()`).
#[derive(Clone)]
pub struct BearerService<S, T: TokenSource + Clone> {
    inner: S,
    bearer: Bearer<T>,
}

impl<S, T: TokenSource + Clone> std::fmt::Debug for BearerService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.bearer, f)
    }
}

impl<S, T, B, RB> Service<Request<B>> for BearerService<S, T>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    T: TokenSource + Clone,
    B: Clone + Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<RB>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The service that was polled ready answers this call; a clone stays for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let bearer = self.bearer.clone();
        Box::pin(async move {
            if !Bearer::<T>::applies_to(request.headers()) {
                return inner.call(request).await.map_err(Into::into);
            }
            let mut token = bearer.source.bearer_token(bearer.audience).await?;
            let target = bearer.dpop_target(&token, || request.uri().to_string())?;
            let method = request.method().clone();
            bearer.authorize(request.headers_mut(), &method, target.as_ref(), &token)?;
            let mut retry = request.clone();
            let response = inner.call(request).await.map_err(Into::into)?;
            match bearer.retry_after(
                target.as_ref(),
                response.status(),
                response.headers(),
                &token,
            ) {
                Retry::No => return Ok(response),
                Retry::NewToken => token = bearer.source.bearer_token(bearer.audience).await?,
                Retry::NewProof => {}
            }
            drop(response);
            bearer.authorize(retry.headers_mut(), &method, target.as_ref(), &token)?;
            inner.ready().await.map_err(Into::into)?;
            inner.call(retry).await.map_err(Into::into)
        })
    }
}
