//! Client credentials (RFC 6749 §4.4): one cached token per audience, one request in flight per
//! audience (R27); a `refresh_token` in the response is ignored.

use std::time::SystemTime;

use oauth2::AccessToken;

use crate::context::Context;
use crate::error::Error;
use crate::http::Form;
use crate::kind::Flow;
use crate::token_cache::Cached;
use crate::token_response::Requested;

/// The access token for `audience`, from the cache or a new token request.
pub(crate) async fn access_token(
    ctx: &Context,
    audience: Option<&str>,
) -> Result<AccessToken, Error> {
    ctx.require_flow("access_token", &[Flow::ClientCredentials])?;
    let audience = ctx.check_audience(audience)?;
    ctx.token_cache
        .get_or_fetch(
            audience.unwrap_or_default(),
            ctx.refresh_margin,
            SystemTime::now,
            || fetch(ctx, audience),
        )
        .await
}

async fn fetch(ctx: &Context, audience: Option<&str>) -> Result<Cached, Error> {
    let metadata = ctx.metadata().await?;
    let scopes: Vec<String> = ctx.spec.scopes.iter().map(|s| (*s).to_owned()).collect();
    let mut form = Form::default();
    form.param("grant_type", "client_credentials");
    if !scopes.is_empty() {
        form.param("scope", scopes.join(" "));
    }
    ctx.add_audience(&mut form, audience);
    let received = ctx
        .token_request(
            &metadata,
            "client_credentials",
            form,
            Requested {
                audience,
                scopes: &scopes,
            },
        )
        .await?;
    Ok(Cached {
        token: received.tokens.access_token,
        received_at: received.received_at,
        valid_until: received.valid_until,
    })
}
