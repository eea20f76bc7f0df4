//! Resource owner password credentials (RFC 6749 §4.3), for `trusted` clients only (R38): the
//! password goes only into the POST body, is never logged or kept, and the request is never
//! retried (a retry can lock the account).

use secrecy::{ExposeSecret, SecretString};

use crate::context::Context;
use crate::error::{ConfigError, Error};
use crate::http::Form;
use crate::token_response::Requested;
use crate::tokens::TokenSet;

/// One password token request.
pub(crate) async fn password_token(
    ctx: &Context,
    username: &str,
    password: &SecretString,
    audience: Option<&str>,
) -> Result<TokenSet, Error> {
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
    let mut tokens = received.tokens;
    if !ctx.wants_openid() {
        if tokens.id_token.take().is_some() {
            tracing::debug!("oauthflow: dropped an ID token that was not requested (no `openid`)");
        }
    } else if let Some(id_token) = tokens.id_token.as_deref() {
        // The password grant sends no nonce (none to expect); the ID token is still checked in
        // full before any token of the response is used (R22).
        match ctx.validate_id_token(&metadata, id_token, None).await {
            Ok(claims) => tokens = tokens.validated(claims),
            Err(error) => return Err(error.after_tokens_issued(tokens)),
        }
    }
    Ok(tokens)
}
