//! Resource owner password credentials (RFC 6749 §4.3), for `trusted` clients only (R38): the
//! password goes only into the POST body, is never logged or kept, and the request is never
//! retried (a retry can lock the account).

use secrecy::{ExposeSecret, SecretString};

use crate::authorization_code::validate_id_token_hook;
use crate::context::Context;
use crate::error::{ConfigError, Error};
use crate::http::Form;
use crate::kind::Flow;
use crate::token_response::Requested;
use crate::tokens::TokenSet;

/// One password token request.
pub(crate) async fn password_token(
    ctx: &Context,
    username: &str,
    password: &SecretString,
    audience: Option<&str>,
) -> Result<TokenSet, Error> {
    ctx.require_flow("password_token", &[Flow::Password])?;
    let audience = ctx.check_audience(audience)?;
    if username.is_empty() {
        return Err(Error::Config(ConfigError::Invalid {
            reason: "the username is empty".into(),
        }));
    }
    let metadata = ctx.metadata().await?;
    let scopes = ctx.user_scopes();
    let mut form = Form::default();
    form.param("grant_type", "password")
        .param("username", username)
        .param("password", password.expose_secret());
    if !scopes.is_empty() {
        form.param("scope", scopes.join(" "));
    }
    ctx.add_audience(&mut form, audience);
    let received = ctx
        .token_request(
            &metadata,
            "password",
            form,
            Requested {
                audience,
                scopes: &scopes,
            },
        )
        .await?;
    if let Some(id_token) = received.tokens.id_token.as_deref() {
        validate_id_token_hook(ctx, &metadata, id_token, None).await?;
    }
    Ok(received.tokens)
}
