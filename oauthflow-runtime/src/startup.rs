//! `discover()`: at start-up, everything the first step of the flow would fetch and check, so
//! that a wrong issuer, a missing endpoint or an unreachable key set fails at boot rather than
//! at the first user's login.

use crate::authorization_code::{require_fapi2_iss, require_s256};
use crate::client_auth::AuthMethod;
use crate::context::Context;
use crate::endpoints;
use crate::error::Error;
use crate::kind::Flow;

/// Probes a user-supplied HTTP client (R3), fetches and checks the metadata (R1, R2; nothing to
/// fetch when explicit endpoints cover the flow), requires every endpoint the flow calls and,
/// for the code flows, PKCE S256 support (R5), and for confidential clients a client
/// authentication method the token endpoint lists (R6), and for DPoP clients the key's algorithm
/// among the server's DPoP algorithms (R31); then, where ID tokens are validated, fetches the
/// issuer's keys into the client's JWKS cache. Everything fetched is cached as on first use.
pub(crate) async fn discover(ctx: &Context) -> Result<(), Error> {
    let http = ctx.http.checked_client().await?;
    let metadata = ctx.metadata().await?;
    for name in endpoints::needed(ctx.spec) {
        metadata.endpoint(name)?;
    }
    if matches!(
        ctx.spec.flow,
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce
    ) {
        require_s256(&metadata)?;
        require_fapi2_iss(ctx, &metadata)?;
        if crate::par::required(ctx, &metadata) {
            crate::par::endpoint(ctx, &metadata)?;
        }
    }
    if ctx.secret.is_some() || ctx.key.is_some() {
        // The client authentication method the token endpoint will be called with (R6).
        AuthMethod::choose(
            metadata.token_endpoint_auth_methods_supported.as_deref(),
            ctx.client_auth,
        )?;
    }
    if let Some(dpop) = &ctx.dpop {
        crate::dpop::require_support(&metadata, dpop.key())?;
    }
    if ctx.spec.validates_id_tokens() {
        ctx.id_token_issuer()?;
        ctx.jwks(&metadata).await?.current(http).await?;
    }
    tracing::debug!(
        client = ctx.spec.struct_name,
        "oauthflow: metadata and keys checked at start-up"
    );
    Ok(())
}
