//! A [`reqwest_middleware::Middleware`] that sends a [`TokenSource`]'s access token (feature
//! `reqwest-middleware`).
//!
//! With a generated `machine` client `importer` (`ImporterAudience::Orders` its audience):
//!
//! ```
//! use oauthflow_runtime::TokenSource;
//! use oauthflow_runtime::integrations::reqwest_middleware::BearerMiddleware;
//!
//! fn orders_api<T: TokenSource>(importer: T, orders: T::Audience) -> reqwest_middleware::ClientWithMiddleware {
//!     reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!         .with(BearerMiddleware::new(importer, orders))
//!         .build()
//! }
//! // orders_api(importer, ImporterAudience::Orders).get("https://api.example.com/orders").send().await?
//! ```

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use super::{Bearer, Retry};
use crate::token_source::TokenSource;

/// Adds `Authorization: Bearer …` (or `DPoP …` and a `DPoP` proof) for one audience to every
/// request without an `Authorization` header; on `401` with `error="invalid_token"`, drops the
/// token and sends the request once more with a new one, and on `401` with `use_dpop_nonce`
/// once more with a new proof (when its body can be cloned — a streamed body cannot, and the
/// `401` is returned as it came). See [`crate::integrations`].
///
/// A token that cannot be obtained fails the request with
/// [`reqwest_middleware::Error::Middleware`] holding the [`crate::Error`].
pub struct BearerMiddleware<T: TokenSource> {
    bearer: Bearer<T>,
}

impl<T: TokenSource> BearerMiddleware<T> {
    /// Tokens from `source` (a generated client) for `audience` (its audience enum, or `()`).
    pub fn new(source: T, audience: T::Audience) -> Self {
        BearerMiddleware {
            bearer: Bearer { source, audience },
        }
    }
}

impl<T: TokenSource> std::fmt::Debug for BearerMiddleware<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.bearer, f)
    }
}

#[async_trait::async_trait]
impl<T: TokenSource> Middleware for BearerMiddleware<T> {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        if !Bearer::<T>::applies_to(request.headers()) {
            return next.run(request, extensions).await;
        }
        let mut token = self.token().await?;
        let target = self
            .bearer
            .dpop_target(&token, || request.url().as_str().to_owned())
            .map_err(reqwest_middleware::Error::middleware)?;
        let method = request.method().clone();
        self.authorize(&mut request, &method, target.as_ref(), &token)?;
        let retry = request.try_clone();
        let response = next.clone().run(request, extensions).await?;
        let Some(mut retry) = retry else {
            return Ok(response);
        };
        match self.bearer.retry_after(
            target.as_ref(),
            response.status(),
            response.headers(),
            &token,
        ) {
            Retry::No => return Ok(response),
            Retry::NewToken => token = self.token().await?,
            Retry::NewProof => {}
        }
        drop(response);
        self.authorize(&mut retry, &method, target.as_ref(), &token)?;
        next.run(retry, extensions).await
    }
}

impl<T: TokenSource> BearerMiddleware<T> {
    async fn token(&self) -> reqwest_middleware::Result<crate::BearerToken> {
        self.bearer
            .source
            .bearer_token(self.bearer.audience)
            .await
            .map_err(reqwest_middleware::Error::middleware)
    }

    fn authorize(
        &self,
        request: &mut Request,
        method: &http::Method,
        target: Option<&url::Url>,
        token: &crate::BearerToken,
    ) -> reqwest_middleware::Result<()> {
        self.bearer
            .authorize(request.headers_mut(), method, target, token)
            .map_err(reqwest_middleware::Error::middleware)
    }
}
