//! The device authorization grant (RFC 8628, `device` clients): the client-side glue around the
//! [`device`](crate::device) building block — the discovered endpoints, the client's scopes and
//! audience parameter, its request timeout, and ID token validation with its JWKS cache.

use crate::context::Context;
use crate::device::DeviceGrant;
use crate::device_authorization::DeviceAuthorization;
use crate::discovery::Metadata;
use crate::error::Error;
use crate::tokens::TokenSet;

/// Builds this client's grant (scopes, audience, timeout) on `http` for `metadata`.
fn grant<'a>(
    ctx: &'a Context,
    metadata: &'a Metadata,
    http: &'a reqwest::Client,
    scopes: &[&'a str],
    audience: Option<&'a str>,
) -> Result<DeviceGrant<'a>, Error> {
    let grant = DeviceGrant::new(
        http,
        &ctx.client_id,
        metadata.device_authorization_endpoint()?.as_str(),
        metadata.token_endpoint()?.as_str(),
    )
    .scopes(scopes)
    .request_timeout(Some(ctx.request_timeout))
    .quirks(ctx.quirks)
    .dpop(ctx.dpop.as_ref());
    Ok(match audience {
        Some(audience) => grant.audience(ctx.spec.audience_param, audience),
        None => grant,
    })
}

/// The device authorization request (RFC 8628 §3.1).
pub(crate) async fn device_authorization(
    ctx: &Context,
    audience: Option<&str>,
) -> Result<DeviceAuthorization, Error> {
    let audience = ctx.check_audience(audience)?;
    let metadata = ctx.metadata().await?;
    let http = ctx.http.checked_client().await?;
    let scopes = ctx.user_scopes();
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let authorization = grant(ctx, &metadata, http, &scopes, audience)?
        .start()
        .await?;
    tracing::debug!(audience, "oauthflow: device authorization started");
    Ok(authorization)
}

/// Polls until the user approves, refuses, or the code expires (RFC 8628 §3.4, §3.5); with
/// `openid`, the response's ID token is validated in full (the device flow sends no nonce).
pub(crate) async fn poll_device(
    ctx: &Context,
    authorization: &DeviceAuthorization,
) -> Result<TokenSet, Error> {
    // The audience the authorization was started for (sent again as `resource`, RFC 8707).
    let audience = ctx.check_audience(authorization.audience())?;
    let metadata = ctx.metadata().await?;
    let http = ctx.http.checked_client().await?;
    let scopes = ctx.user_scopes();
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let grant = grant(ctx, &metadata, http, &scopes, audience)?;
    if ctx.wants_openid() {
        let jwks = ctx.jwks(&metadata).await?;
        let validation = ctx.id_token_validation(&metadata)?;
        grant.poll(authorization, Some((&validation, jwks))).await
    } else {
        grant.poll(authorization, None).await
    }
}
