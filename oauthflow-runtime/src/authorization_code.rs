//! Authorization code with PKCE S256 (RFC 6749 §4.1, RFC 7636), for confidential (`web`) and
//! public (`spa`, `native`) clients: the authorization URL, then the callback checks and one
//! code redemption.

use oauth2::{CsrfToken, PkceCodeChallenge};
use url::Url;

use std::time::SystemTime;

use crate::authorize_options::{AuthorizeOptions, check_max_age};
use crate::callback;
use crate::context::Context;
use crate::discovery::Metadata;
use crate::error::{ConfigError, Error};
use crate::http::Form;
use crate::kind::Kind;
use crate::loopback::Listener;
use crate::pending::PendingAuthorization;
use crate::token_response::Requested;
use crate::tokens::TokenSet;

/// Random bytes in `state` and `nonce` (256 bits; RFC 6749 §10.10 asks for at least 128).
const RANDOM_BYTES: u32 = 32;

/// R5: PKCE is relied upon, so the server must support S256 when it lists its methods. A server
/// that lists none is assumed to support it (`state` is always enforced anyway).
pub(crate) fn require_s256(metadata: &Metadata) -> Result<(), Error> {
    match &metadata.code_challenge_methods_supported {
        Some(methods) if !methods.iter().any(|m| m == "S256") => {
            Err(Error::Config(ConfigError::Discovery {
                reason: "the authorization server does not list `S256` in `code_challenge_methods_supported`; oauthflow always uses PKCE S256 and does not rely on a server without it (RFC 9700 §4.7.1)".into(),
            }))
        }
        Some(_) => Ok(()),
        None => {
            tracing::debug!("oauthflow: metadata has no code_challenge_methods_supported; assuming S256");
            Ok(())
        }
    }
}

/// With `profile = "fapi2"`: the server must announce RFC 9207's `iss` in authorization
/// responses (FAPI 2.0 §5.3.2.2 for the server, §5.3.3 for the client), which is what defeats
/// mix-up attacks; the callback then requires it (R16, as for every client whose server
/// announces it). Explicit endpoints announce nothing and are not refused.
pub(crate) fn require_fapi2_iss(ctx: &Context, metadata: &Metadata) -> Result<(), Error> {
    if ctx.spec.fapi2 && metadata.discovered && !metadata.iss_parameter_supported {
        return Err(Error::Config(ConfigError::Discovery {
            reason: "the client has profile = \"fapi2\", and the server's metadata does not announce `authorization_response_iss_parameter_supported` (RFC 9207; FAPI 2.0 requires it)".into(),
        }));
    }
    Ok(())
}

/// The URL to send the user to, and what to keep until the callback.
pub(crate) async fn authorize_url(
    ctx: &Context,
    audience: Option<&str>,
    options: &AuthorizeOptions,
) -> Result<(Url, PendingAuthorization), Error> {
    let redirect_uri = ctx.redirect_uri.clone().ok_or_else(|| {
        Error::Config(ConfigError::Invalid {
            reason: "no redirect URI".into(),
        })
    })?;
    authorize_url_with_redirect(ctx, audience, options, redirect_uri).await
}

/// [`authorize_url`] with a given redirect URI (the native loopback flow substitutes the bound
/// port; everyone else passes the configured URI verbatim).
pub(crate) async fn authorize_url_with_redirect(
    ctx: &Context,
    audience: Option<&str>,
    options: &AuthorizeOptions,
    redirect_uri: String,
) -> Result<(Url, PendingAuthorization), Error> {
    let audience = ctx.check_audience(audience)?;
    let metadata = ctx.metadata().await?;
    require_s256(&metadata)?;
    require_fapi2_iss(ctx, &metadata)?;
    let mut url = metadata.authorization_endpoint()?.clone();
    let state = CsrfToken::new_random_len(RANDOM_BYTES);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = ctx
        .wants_openid()
        .then(|| CsrfToken::new_random_len(RANDOM_BYTES));
    let scopes = ctx.user_scopes();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &ctx.client_id)
            .append_pair("redirect_uri", &redirect_uri);
        if !scopes.is_empty() {
            query.append_pair("scope", &scopes.join(" "));
        }
        query
            .append_pair("state", state.secret())
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", "S256");
        if let Some(nonce) = &nonce {
            query.append_pair("nonce", nonce.secret());
        }
        if let Some(audience) = audience {
            query.append_pair(ctx.spec.audience_param.as_str(), audience);
        }
        // `prompt` is the app's choice, not forced with `offline_access`: most servers show a
        // consent screen for it, and the ones that need it (oidc-provider) get
        // `Prompt::Consent` from the app.
        options.append_to(&mut query);
    }
    tracing::debug!(audience, "oauthflow: authorization request built");
    // R12: pushed (RFC 9126) when the attribute or the metadata says so; the browser then gets
    // only `client_id` and `request_uri`.
    let url = if crate::par::required(ctx, &metadata) {
        crate::par::push(ctx, &metadata, metadata.authorization_endpoint()?, &url).await?
    } else {
        url
    };
    let pending = PendingAuthorization {
        flow: ctx.spec.flow,
        // Empty for a client without an issuer (explicit endpoints only).
        issuer: ctx.issuer().unwrap_or_default().to_owned(),
        client_id: ctx.client_id.clone(),
        redirect_uri,
        audience: audience.map(str::to_owned),
        state: state.secret().clone(),
        nonce: nonce.map(|n| n.secret().clone()),
        pkce_verifier: Some(verifier.secret().clone()),
        max_age: options.max_age_secs(),
    };
    Ok((url, pending))
}

/// The pending authorization was made by this client, for this issuer and flow (R17).
fn check_pending(ctx: &Context, pending: &PendingAuthorization) -> Result<(), Error> {
    let mismatch = |reason: &str| Error::PendingMismatch {
        reason: reason.to_owned(),
    };
    if pending.issuer != ctx.issuer().unwrap_or_default() {
        return Err(mismatch(
            "it was sent to another issuer; the code is redeemed only at the issuer that issued it (mix-up defence, RFC 9700 §4.4)",
        ));
    }
    if pending.client_id != ctx.client_id {
        return Err(mismatch("it belongs to another client_id"));
    }
    if pending.flow != ctx.spec.flow {
        return Err(mismatch("it belongs to another flow"));
    }
    if ctx.spec.kind != Kind::Native && Some(&pending.redirect_uri) != ctx.redirect_uri.as_ref() {
        return Err(mismatch("it names another redirect URI"));
    }
    if let Some(audience) = pending.audience.as_deref() {
        ctx.check_audience(Some(audience))?;
    }
    Ok(())
}

/// Checks the callback and redeems its code, once.
pub(crate) async fn exchange_code(
    ctx: &Context,
    pending: PendingAuthorization,
    callback: &str,
) -> Result<TokenSet, Error> {
    // No network before these checks (R15): parse strictly, `state` first.
    let callback = callback::parse(callback)?;
    callback::check_state(&callback, &pending.state)?;
    check_pending(ctx, &pending)?;
    // With `openid` the request always carries a nonce (OIDC Core §3.1.2.1, R9); a pending
    // authorization without one cannot bind the ID token to this login: fail closed (R22).
    let expected_nonce = if ctx.wants_openid() {
        Some(
            pending
                .nonce
                .clone()
                .ok_or_else(|| Error::PendingMismatch {
                    reason: "it has no nonce although `openid` is requested".into(),
                })?,
        )
    } else {
        None
    };
    let max_age = pending.max_age;
    let metadata = ctx.metadata().await?;
    // `check_pending` made `pending.issuer` equal to the client's issuer (or both absent).
    callback::check_issuer(
        &callback,
        ctx.issuer().map(|_| pending.issuer.as_str()),
        metadata.iss_parameter_supported,
        ctx.quirks,
    )?;
    let code = callback::into_code(callback)?;
    let verifier = pending
        .pkce_verifier
        .as_deref()
        .ok_or_else(|| Error::PendingMismatch {
            reason: "it has no PKCE verifier".into(),
        })?;
    let mut form = Form::default();
    form.param("grant_type", "authorization_code")
        .param("code", code.secret().as_str())
        .param("redirect_uri", pending.redirect_uri.as_str())
        .param("code_verifier", verifier);
    ctx.add_audience(&mut form, pending.audience.as_deref());
    let scopes = ctx.user_scopes();
    // One request, never retried (R19): a second redemption may revoke every token of the code.
    let received = ctx
        .token_request(
            &metadata,
            "authorization_code",
            form,
            Requested {
                audience: pending.audience.as_deref(),
                scopes: &scopes,
            },
        )
        .await?;
    let mut tokens = received.tokens;
    if let Some(nonce) = expected_nonce.as_deref() {
        // No token of the response is used before the ID token passes (RFC 9700 §4.5.3.2); the
        // code is spent, so a failed check keeps what was issued in the error (never usable as
        // a sign-in: see `Error::CommittedButUnverified`).
        let checked = match tokens.id_token.as_deref() {
            Some(id_token) => {
                ctx.validate_id_token(&metadata, id_token, Some(nonce))
                    .await
            }
            None => Err(Error::IdTokenInvalid {
                reason: "the token response has no `id_token` although `openid` was requested"
                    .into(),
            }),
        };
        let checked = checked
            .and_then(|claims| check_max_age(max_age, &claims, SystemTime::now()).map(|()| claims));
        match checked {
            Ok(claims) => tokens = tokens.validated(claims),
            Err(error) => return Err(error.after_tokens_issued(tokens)),
        }
    } else if tokens.id_token.take().is_some() {
        // Not asked for, sent without a nonce: never handed out unchecked.
        tracing::debug!("oauthflow: dropped an ID token that was not requested (no `openid`)");
    }
    Ok(tokens)
}

/// Native apps: the loopback redirect login (RFC 8252 §7.3, R32). Binds the redirect URI's
/// loopback IP literal on an ephemeral port, builds the authorization request with that port,
/// hands the URL to `open` (the system browser: no embedded web view, RFC 8252 §8.12), waits for
/// the one matching callback (the port is closed afterwards) and redeems its code.
pub(crate) async fn login_via_loopback(
    ctx: &Context,
    audience: Option<&str>,
    open: impl FnOnce(&Url),
) -> Result<TokenSet, Error> {
    let audience = ctx.check_audience(audience)?;
    let configured = ctx.redirect_uri.as_deref().ok_or_else(|| {
        Error::Config(ConfigError::Invalid {
            reason: "no redirect URI".into(),
        })
    })?;
    let listener = Listener::bind(configured).await?;
    let (url, pending) = authorize_url_with_redirect(
        ctx,
        audience,
        &AuthorizeOptions::default(),
        listener.redirect_uri().to_owned(),
    )
    .await?;
    let callback = listener.wait_for_callback(pending.state(), ctx.loopback_timeout);
    open(&url);
    let callback = callback.await?;
    exchange_code(ctx, pending, &callback).await
}
