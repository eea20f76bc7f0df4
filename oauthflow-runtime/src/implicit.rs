//! OpenID Connect implicit with form post, ID token only (`spa` with `access_token = false`):
//! the client-side glue around the [`form_post`](crate::form_post) building blocks — the
//! discovered authorization endpoint, the client's JWKS cache and ID token validation.

use url::Url;

use crate::claims::IdTokenClaims;
use crate::context::Context;
use crate::error::{ConfigError, Error};
use crate::form_post;
use crate::pending::PendingAuthorization;

/// The URL to send the user to (`response_type=id_token`, `response_mode=form_post`, fresh
/// `state` and `nonce`), and what to keep until the form post arrives.
/// No access token is requested, hence no audience: the form-post handle's step takes none.
pub(crate) async fn authorize_url(ctx: &Context) -> Result<(Url, PendingAuthorization), Error> {
    let redirect_uri = ctx.redirect_uri.as_deref().ok_or_else(|| {
        Error::Config(ConfigError::Invalid {
            reason: "no redirect URI".into(),
        })
    })?;
    let metadata = ctx.metadata().await?;
    // The ID token will need the issuer's keys: fail now, not after the user signed in.
    metadata.jwks_uri()?;
    let scopes = ctx.user_scopes();
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let (url, pending) = form_post::authorize_url(
        metadata.authorization_endpoint()?.as_str(),
        ctx.id_token_issuer()?,
        &ctx.client_id,
        redirect_uri,
        &scopes,
    )?;
    tracing::debug!("oauthflow: implicit form post authorization request built");
    Ok((url, pending))
}

/// Checks the posted form (strictly, `state` first and before any network call) and validates
/// its ID token in full, `nonce` included.
pub(crate) async fn verify_form_post(
    ctx: &Context,
    pending: PendingAuthorization,
    form_body: &str,
) -> Result<IdTokenClaims, Error> {
    form_post::check_state(form_body, &pending)?;
    check_pending(ctx, &pending)?;
    let metadata = ctx.metadata().await?;
    if metadata.iss_parameter_supported {
        form_post::require_iss(form_body, ctx.quirks)?;
    }
    let jwks = ctx.jwks(&metadata).await?;
    let http = ctx.http.checked_client().await?;
    let validation = ctx.id_token_validation(&metadata)?;
    form_post::verify(form_body, pending, &validation, jwks, http).await
}

/// The pending authorization was made by this client, for this issuer, flow and redirect URI.
fn check_pending(ctx: &Context, pending: &PendingAuthorization) -> Result<(), Error> {
    let mismatch = |reason: &str| Error::PendingMismatch {
        reason: reason.to_owned(),
    };
    if pending.issuer != ctx.id_token_issuer()? {
        return Err(mismatch(
            "it was sent to another issuer (mix-up defence, RFC 9700 §4.4)",
        ));
    }
    if pending.client_id != ctx.client_id {
        return Err(mismatch("it belongs to another client_id"));
    }
    if pending.flow != ctx.spec.flow {
        return Err(mismatch("it belongs to another flow"));
    }
    if Some(&pending.redirect_uri) != ctx.redirect_uri.as_ref() {
        return Err(mismatch("it names another redirect URI"));
    }
    if pending.nonce.is_none() {
        return Err(mismatch("it has no nonce"));
    }
    Ok(())
}
