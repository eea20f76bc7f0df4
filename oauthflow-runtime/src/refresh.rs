//! Refresh (RFC 6749 §6) with the rules of R25: single flight per refresh token, the audience
//! kept and sent again, the refresh token replaced when a new one comes back (kept otherwise),
//! `invalid_grant` returned typed (the caller must start a new authorization). A refreshed ID
//! token is validated in full and must name the same issuer, subject and audience as the
//! original (R26, OIDC Core §12.2); a changed `auth_time` only with the quirk
//! `Settings::accept_changed_auth_time_on_refresh`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauth2::RefreshToken;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::runtime::Handle;

use crate::claims::IdTokenClaims;
use crate::context::Context;
use crate::error::{ConfigError, Error};
use crate::http::Form;
use crate::id_token::validated_payload;
use crate::limits::REFRESH_SHARE_WINDOW;
use crate::quirks::{Quirk, Quirks};
use crate::secret_eq::secrets_equal;
use crate::single_flight::FlightAbandoned;
use crate::token_response::Requested;
use crate::token_store::shared::refresh_codec;
use crate::tokens::TokenSet;

/// The session helper: refreshes `tokens` in place when their access token expires within the
/// refresh margin (`Settings::refresh_margin`), and says whether it did (then save the session).
/// A token set whose expiry the server did not announce is left as it is (refresh it when an
/// API refuses it). What a refresh committed is never lost: on
/// [`Error::CommittedButUnverified`] the committed tokens (ID token withheld) replace `tokens`
/// before the error is returned.
pub(crate) async fn refresh_if_needed(
    ctx: &Arc<Context>,
    tokens: &mut TokenSet,
) -> Result<bool, Error> {
    let margin = ctx.token_cache.config().refresh_margin;
    let due = tokens.expires_at.is_some_and(|at| {
        SystemTime::now()
            .checked_add(margin)
            .is_none_or(|soon| soon >= at)
    });
    if !due {
        return Ok(false);
    }
    match refresh(ctx, tokens).await {
        Ok(new) => {
            *tokens = new;
            Ok(true)
        }
        Err(error) => {
            if let Some(committed) = error.committed_tokens() {
                *tokens = committed.clone();
            }
            Err(error)
        }
    }
}

/// New tokens for `tokens`, sharing one request with concurrent refreshes of the same refresh
/// token. The request runs in its own task: dropping this future stops waiting, never the
/// request.
pub(crate) async fn refresh(ctx: &Arc<Context>, tokens: &TokenSet) -> Result<TokenSet, Error> {
    // Only the `Refresh` handles have `refresh`, and `flows::new` builds them only for a spec
    // with `refresh_tokens = true`: no run-time check of the flag here.
    let refresh_token = tokens.refresh_token.as_ref().ok_or(Error::NoRefreshToken {
        reason: "the token set has none; start a new authorization",
    })?;
    let audience = ctx.check_audience(tokens.audience.as_deref())?;
    let runtime = Handle::try_current().map_err(|_| {
        Error::Config(ConfigError::Invalid {
            reason: "refresh needs a Tokio runtime".into(),
        })
    })?;
    let key: [u8; 32] = Sha256::digest(refresh_token.secret().as_bytes()).into();
    // Owned (`'static`): the request outlives this call if the caller is cancelled.
    let once = refresh_once(
        Arc::clone(ctx),
        tokens.clone(),
        refresh_token.clone(),
        audience.map(str::to_owned),
    );
    // A committed outcome is shared like a success: its tokens replace the old refresh token.
    // Boxed: the request's future is large, and `work` below is moved into the flight's task.
    let outcome = Box::pin(async move {
        match once.await {
            Ok(new) => Ok(Ok(new)),
            Err(committed @ Error::CommittedButUnverified { .. }) => Ok(Err(committed)),
            Err(error) => Err(error),
        }
    });
    // With a shared token store, the other instances share this flight (and its grace window).
    let shared = ctx.shared_store.clone();
    let work = async move {
        match shared {
            Some(shared) => {
                let codec = refresh_codec(REFRESH_SHARE_WINDOW);
                Box::pin(shared.single_flight(&shared.refresh_key(&key), &codec, || outcome))
                    .await
                    // Another instance's lost answer is this one's too.
                    .map_err(unanswered_if_sent)
            }
            None => outcome.await,
        }
    };
    match ctx.refresh_flights.0.run(&runtime, key, work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) => Err(error),
        // The request may have gone out: its outcome is unknown, like a lost answer.
        Err(FlightAbandoned) => Err(Error::RefreshUnanswered {
            cause: Box::new(Error::Transport {
                endpoint: "token",
                reason: "the refresh stopped without a result (its task panicked or the runtime is shutting down)".into(),
                request_sent: true,
            }),
        }),
    }
}

/// A refresh that went out and whose answer was lost: the server may have rotated the refresh
/// token (issue: never let a caller blindly replay it). A connection that never opened stays a
/// plain, retryable transport error.
fn unanswered_if_sent(error: Error) -> Error {
    match error {
        Error::Timeout { .. }
        | Error::Transport {
            request_sent: true, ..
        } => Error::RefreshUnanswered {
            cause: Box::new(error),
        },
        other => other,
    }
}

/// The one refresh request of a flight, and the checks of its response.
async fn refresh_once(
    ctx: Arc<Context>,
    tokens: TokenSet,
    refresh_token: RefreshToken,
    audience: Option<String>,
) -> Result<TokenSet, Error> {
    let audience = audience.as_deref();
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
        .await
        .map_err(unanswered_if_sent)?;
    let mut new = received.tokens;
    // The server has committed these tokens (a rotated refresh token above all): from here on,
    // a failed check keeps them in the error, the ID token withheld (nothing lost).
    match &new.refresh_token {
        None => new.refresh_token = Some(refresh_token),
        Some(rt) if ctx.is_public() && rt.secret() == refresh_token.secret() => {
            tracing::warn!(
                "oauthflow: the authorization server is not rotating refresh tokens for a public client (RFC 9700 §4.14.2)"
            );
        }
        Some(_) => {}
    }
    // No token of the response is used before its ID token passes (R22, R26).
    if !ctx.wants_openid() && new.id_token.take().is_some() {
        tracing::debug!("oauthflow: dropped an ID token that was not requested (no `openid`)");
    }
    match new.id_token.as_deref() {
        Some(id_token) => {
            // A refresh request carries no nonce: none to expect (OIDC Core §12.2).
            let checked = match ctx.validate_id_token(&metadata, id_token, None).await {
                Ok(claims) => match tokens.id_token.as_deref() {
                    Some(original) => {
                        same_authentication(original, &claims, ctx.quirks).map(|()| claims)
                    }
                    None => Ok(claims),
                },
                Err(error) => Err(error),
            };
            match checked {
                Ok(claims) => new = new.validated(claims),
                Err(error) => return Err(error.after_tokens_issued(new)),
            }
        }
        None => {
            new.id_token = tokens.id_token.clone();
            new.id_token_claims = tokens.id_token_claims.clone();
        }
    }
    Ok(new)
}

/// OIDC Core §12.2 (R26): a refreshed ID token has the same `iss`, `sub` and `aud` as the
/// original (already validated) one; `iat` is not older; `auth_time`, when both carry it, is
/// unchanged (unless the settings accept [`Quirk::ChangedAuthTimeOnRefresh`]: only this check
/// is relaxed); a `nonce`, if present, equals the original's.
pub(crate) fn same_authentication(
    original: &str,
    new: &IdTokenClaims,
    quirks: Quirks,
) -> Result<(), Error> {
    let original = validated_payload(original)?;
    let differs = |claim: &str| Error::IdTokenInvalid {
        reason: format!(
            "the refreshed ID token's `{claim}` differs from the original ID token's (OIDC Core §12.2): it does not describe the same authentication"
        ),
    };
    if original.get("iss").and_then(Value::as_str) != Some(new.issuer()) {
        return Err(differs("iss"));
    }
    if original.get("sub").and_then(Value::as_str) != Some(new.subject()) {
        return Err(differs("sub"));
    }
    let mut original_aud = audiences(&original);
    let mut new_aud = new.audiences().to_vec();
    original_aud.sort();
    original_aud.dedup();
    new_aud.sort();
    new_aud.dedup();
    if original_aud != new_aud {
        return Err(differs("aud"));
    }
    // `seconds` keeps only finite values in [0, 1e15): `from_secs_f64` and the addition cannot
    // panic.
    if let Some(original_iat) = seconds(&original, "iat")
        && new.issued_at() < SystemTime::UNIX_EPOCH + Duration::from_secs_f64(original_iat)
    {
        return Err(differs("iat"));
    }
    if let (Some(before), Some(after)) = (
        seconds(&original, "auth_time"),
        new.auth_time()
            .and_then(|at| at.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|since| since.as_secs_f64()),
    ) && before != after
        // Checked after `iss`, `sub`, `aud` and `iat`, before `nonce`: the quirk skips this
        // one comparison and nothing else.
        && !quirks.accept(Quirk::ChangedAuthTimeOnRefresh)
    {
        return Err(Error::IdTokenInvalid {
            reason: "the refreshed ID token's `auth_time` differs from the original ID token's (OIDC Core §12.2); `Settings::accept_changed_auth_time_on_refresh` accepts that (Django OAuth Toolkit does it)".into(),
        });
    }
    if let Some(nonce) = new.nonce() {
        match original.get("nonce").and_then(Value::as_str) {
            Some(before) if secrets_equal(before, nonce) => {}
            _ => return Err(differs("nonce")),
        }
    }
    Ok(())
}

fn audiences(payload: &Map<String, Value>) -> Vec<String> {
    match payload.get("aud") {
        Some(Value::String(aud)) => vec![aud.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn seconds(payload: &Map<String, Value>, claim: &str) -> Option<f64> {
    payload
        .get(claim)
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e15)
}
