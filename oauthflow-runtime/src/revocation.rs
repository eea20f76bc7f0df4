//! Token revocation on logout (RFC 7009, rule R29): the refresh token first — on most servers
//! revoking it ends the whole grant — then the access token; authenticated like the token
//! endpoint; `200` is success even for a token the server no longer knows (RFC 7009 §2.2).

use crate::context::Context;
use crate::endpoints::EndpointName;
use crate::error::Error;
use crate::http::{Endpoint, Form, HttpResponse};
use crate::token_response::oauth_error;
use crate::tokens::TokenSet;

/// Revokes what `tokens` holds: the refresh token (if any), then the access token.
///
/// A server that cannot revoke the access token itself (`unsupported_token_type`: JWT access
/// tokens at oidc-provider, among others) has ended the grant with the refresh token already;
/// that answer then counts as done. Without a refresh token it is an error: the access token
/// stays valid until it expires.
pub(crate) async fn revoke(ctx: &Context, tokens: &TokenSet) -> Result<(), Error> {
    let metadata = ctx.metadata().await?;
    let url = metadata.endpoint(EndpointName::Revocation)?;
    let mut grant_revoked = false;
    if let Some(refresh_token) = &tokens.refresh_token {
        let response = post(ctx, &metadata, url, refresh_token.secret(), "refresh_token").await?;
        outcome(&response)?;
        grant_revoked = true;
    }
    let response = post(
        ctx,
        &metadata,
        url,
        tokens.access_token.secret(),
        "access_token",
    )
    .await?;
    match outcome(&response) {
        Err(error) if grant_revoked && error.oauth_code() == Some("unsupported_token_type") => {
            tracing::debug!(
                "oauthflow: the server cannot revoke the access token itself; the refresh token (and with it the grant) is revoked"
            );
            Ok(())
        }
        other => other,
    }
}

/// One revocation request (RFC 7009 §2.1): `token` and `token_type_hint`, client authentication
/// as at the token endpoint.
async fn post(
    ctx: &Context,
    metadata: &crate::discovery::Metadata,
    url: &url::Url,
    token: &str,
    hint: &'static str,
) -> Result<HttpResponse, Error> {
    let mut form = Form::default();
    form.param("token", token).param("token_type_hint", hint);
    tracing::debug!(token_type_hint = hint, "oauthflow: revocation request");
    ctx.authenticated_post(metadata, Endpoint::REVOCATION, url, form)
        .await
}

/// RFC 7009 §2.2: `200` is success; an error object is the server's refusal (typed); any other
/// status is [`Error::HttpStatus`] — retryable on `5xx`/`503` with `Retry-After`
/// ([`Error::is_transient`]).
fn outcome(response: &HttpResponse) -> Result<(), Error> {
    const ENDPOINT: &str = Endpoint::REVOCATION.name;
    if response.status == 200 {
        return Ok(());
    }
    if (400..500).contains(&response.status)
        && let Ok(serde_json::Value::Object(json)) =
            serde_json::from_slice::<serde_json::Value>(&response.body)
        && let Some(error) = oauth_error(ENDPOINT, &json)
    {
        return Err(error);
    }
    Err(response.status_error(ENDPOINT))
}
