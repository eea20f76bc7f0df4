//! Client credentials (RFC 6749 §4.4): one cached token per audience behind the token manager
//! — lock-free when warm, one request in flight per audience, refreshed ahead of expiry,
//! transient failures retried (R27). A `refresh_token` in the response is ignored.
//!
//! The cache holds [`BearerToken`]s, so the warm path hands out a shared token (an `Arc`
//! clone) — the `Authorization` header value built once per token.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::discovery::Metadata;
use crate::error::Error;
use crate::http::Form;
use crate::spec::ClientSpec;
use crate::token_manager::Fetched;
use crate::token_response::Requested;
use crate::token_source::BearerToken;
use crate::token_store::shared::access_token_codec;

/// The cache key: an audience, compared by address first — the generated audience enum hands
/// out the spec's own literals, so the hot path usually compares no bytes — then by content.
#[derive(Clone, Copy, Debug, Eq)]
pub(crate) struct AudienceKey(pub(crate) Option<&'static str>);

impl PartialEq for AudienceKey {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (self.0, other.0) {
            (Some(a), Some(b)) => std::ptr::eq(a, b) || a == b,
            (a, b) => a.is_none() && b.is_none(),
        }
    }
}

impl AudienceKey {
    /// The keys a client can have: one per declared audience, or the one "no audience".
    pub(crate) fn declared(spec: &ClientSpec) -> Vec<AudienceKey> {
        if spec.audiences.is_empty() {
            vec![AudienceKey(None)]
        } else {
            spec.audiences
                .iter()
                .map(|a| AudienceKey(Some(a)))
                .collect()
        }
    }
}

impl std::hash::Hash for AudienceKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// The hot path: the cached token for `audience` if it is fresh, without creating the slow
/// path's future (a state machine of several kilobytes that every call would otherwise move).
/// `None` also for an undeclared audience: the slow path reports it.
#[inline]
pub(crate) fn cached(ctx: &Context, audience: Option<&'static str>) -> Option<BearerToken> {
    // No audience check here: the cache has a slot for each declared audience only (see
    // `AudienceKey::declared`), so an undeclared one misses and the slow path reports it.
    ctx.token_cache
        .get_fresh_thread_copy(&AudienceKey(audience))
}

/// The future `ClientCredentialsFlow::bearer_token` returns: the cached token, ready at the first
/// poll, or the boxed slow path.
pub(crate) struct BearerTokenFuture<'a>(Pending<'a>);

enum Pending<'a> {
    /// Taken by the first poll.
    Warm(Option<BearerToken>),
    Slow(Pin<Box<dyn Future<Output = Result<BearerToken, Error>> + Send + 'a>>),
}

impl<'a> BearerTokenFuture<'a> {
    /// A future ready with `token`.
    pub(crate) fn warm(token: BearerToken) -> Self {
        BearerTokenFuture(Pending::Warm(Some(token)))
    }

    /// A future that runs `slow`.
    pub(crate) fn slow(
        slow: Pin<Box<dyn Future<Output = Result<BearerToken, Error>> + Send + 'a>>,
    ) -> Self {
        BearerTokenFuture(Pending::Slow(slow))
    }
}

impl Future for BearerTokenFuture<'_> {
    type Output = Result<BearerToken, Error>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // `Unpin`: the slow path is boxed, the warm one is a plain value.
        match &mut self.get_mut().0 {
            Pending::Warm(token) => Poll::Ready(token.take().ok_or_else(|| {
                Error::Config(crate::ConfigError::Invalid {
                    reason: "a bearer_token future was polled after it completed".into(),
                })
            })),
            Pending::Slow(slow) => slow.as_mut().poll(cx),
        }
    }
}

/// The access token for `audience`, from the cache or a new token request (the slow path of
/// `ClientCredentialsFlow::bearer_token`).
pub(crate) async fn bearer_token(
    ctx: &Arc<Context>,
    audience: Option<&'static str>,
) -> Result<BearerToken, Error> {
    // The caller tried [`cached`] first; `get` below looks again, after discovery.
    let audience = ctx.check_audience(audience)?;
    // Discovery runs outside the manager: its failures surface at once instead of being
    // retried as if they were a transient token-endpoint failure.
    let metadata = ctx.metadata().await?;
    let fetch_ctx = Arc::clone(ctx);
    let token = ctx
        .token_cache
        .get(&AudienceKey(audience), move || {
            let (ctx, metadata) = (Arc::clone(&fetch_ctx), Arc::clone(&metadata));
            async move { fetch_shared(&ctx, &metadata, audience).await }
        })
        .await?;
    Ok(token.value().clone())
}

/// Drops `refused` from the cache if it is still the token cached for `audience`.
pub(crate) fn discard_token(ctx: &Context, audience: Option<&'static str>, refused: &BearerToken) {
    if let Ok(audience) = ctx.check_audience(audience) {
        ctx.token_cache
            .invalidate(&AudienceKey(audience), |cached| cached.same_as(refused));
    }
}

/// One attempt of the manager's fetch: with a shared token store, the fleet's single flight
/// (another instance's token, or this instance's request shared with them); else the request.
async fn fetch_shared(
    ctx: &Context,
    metadata: &Metadata,
    audience: Option<&str>,
) -> Result<Fetched<BearerToken>, Error> {
    let Some(shared) = &ctx.shared_store else {
        return fetch(ctx, metadata, audience).await;
    };
    let codec = access_token_codec(ctx.token_cache.config());
    shared
        .single_flight(&shared.audience_key(audience), &codec, || {
            fetch(ctx, metadata, audience)
        })
        .await
}

async fn fetch(
    ctx: &Context,
    metadata: &Metadata,
    audience: Option<&str>,
) -> Result<Fetched<BearerToken>, Error> {
    let scopes: Vec<String> = ctx.spec.scopes.iter().map(|s| (*s).to_owned()).collect();
    let mut form = Form::default();
    form.param("grant_type", "client_credentials");
    if !scopes.is_empty() {
        form.param("scope", scopes.join(" "));
    }
    ctx.add_audience(&mut form, audience);
    let received = ctx
        .token_request(
            metadata,
            "client_credentials",
            form,
            Requested {
                audience,
                scopes: &scopes,
            },
        )
        .await?;
    let lifetime = received
        .valid_until
        .duration_since(received.received_at)
        .ok();
    let secret = received.tokens.access_token.into_secret();
    let token = if received.tokens.dpop_bound {
        BearerToken::new_dpop(secret)?
    } else {
        BearerToken::new(secret)?
    };
    Ok(Fetched::new(token, lifetime))
}
