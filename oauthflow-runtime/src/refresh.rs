//! Refresh (RFC 6749 §6) with the rules of R25: single flight per refresh token, the audience
//! kept and sent again, the refresh token replaced when a new one comes back (kept otherwise),
//! `invalid_grant` returned typed (the caller must start a new authorization).

use crate::authorization_code::validate_id_token_hook;
use crate::context::Context;
use crate::error::Error;
use crate::http::Form;
use crate::kind::Flow;
use crate::token_response::Requested;
use crate::tokens::TokenSet;

/// New tokens for `tokens`, sharing one request with concurrent refreshes of the same refresh
/// token.
pub(crate) async fn refresh(ctx: &Context, tokens: &TokenSet) -> Result<TokenSet, Error> {
    ctx.require_flow(
        "refresh",
        &[
            Flow::AuthorizationCode,
            Flow::AuthorizationCodePkce,
            Flow::Password,
            Flow::DeviceCode,
        ],
    )?;
    if !ctx.spec.refresh_tokens {
        return Err(Error::NoRefreshToken {
            reason: "this client does not ask for refresh tokens (`refresh_tokens = true`)",
        });
    }
    let refresh_token = tokens.refresh_token.as_ref().ok_or(Error::NoRefreshToken {
        reason: "the token set has none; start a new authorization",
    })?;
    let audience = ctx.check_audience(tokens.audience.as_deref())?;
    ctx.refresh_flights
        .run(refresh_token.secret(), || async move {
            let metadata = ctx.metadata().await?;
            let mut form = Form::default();
            form.param("grant_type", "refresh_token")
                .param("refresh_token", refresh_token.secret().as_str());
            ctx.add_audience(&mut form, audience);
            let received = ctx
                .token_request(
                    &metadata,
                    "refresh_token",
                    form,
                    Requested {
                        audience,
                        scopes: &tokens.scopes,
                    },
                )
                .await?;
            let mut new = received.tokens;
            match &new.refresh_token {
                None => new.refresh_token = Some(refresh_token.clone()),
                Some(rt) if ctx.is_public() && rt.secret() == refresh_token.secret() => {
                    tracing::warn!("oauthflow: the authorization server is not rotating refresh tokens for a public client (RFC 9700 §4.14.2)");
                }
                Some(_) => {}
            }
            match new.id_token.as_deref() {
                Some(id_token) => validate_id_token_hook(ctx, &metadata, id_token, None).await?,
                None => new.id_token = tokens.id_token.clone(),
            }
            Ok(new)
        })
        .await
}
