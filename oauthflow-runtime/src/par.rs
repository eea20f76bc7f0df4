//! Pushed authorization requests (RFC 9126, rule R12): the authorization request's parameters
//! go to the server over the back channel, authenticated like a token request, and the browser
//! gets only `client_id` and the one-time `request_uri` the server answered with.
//!
//! Used with `par = true` in the attribute, and whenever the metadata says
//! `require_pushed_authorization_requests` (RFC 9126 §5).

use serde_json::{Map, Value};
use url::Url;

use crate::context::Context;
use crate::discovery::Metadata;
use crate::error::{ConfigError, Error};
use crate::http::{Endpoint, Form};
use crate::token_response;

/// Whether this client's authorization requests must be pushed.
pub(crate) fn required(ctx: &Context, metadata: &Metadata) -> bool {
    ctx.spec.par || metadata.require_pushed_authorization_requests
}

/// The pushed authorization request endpoint, or a typed error saying why it is needed.
pub(crate) fn endpoint<'m>(ctx: &Context, metadata: &'m Metadata) -> Result<&'m Url, Error> {
    metadata
        .pushed_authorization_request_endpoint
        .as_ref()
        .ok_or_else(|| {
            Error::Config(ConfigError::Discovery {
                reason: format!(
                    "{}, but the metadata has no `pushed_authorization_request_endpoint` (RFC 9126 §5)",
                    if ctx.spec.par {
                        "the client pushes its authorization requests (`par = true`)"
                    } else {
                        "the metadata requires pushed authorization requests"
                    }
                ),
            })
        })
}

/// Pushes the parameters of `url` (the complete front-channel authorization URL, built on
/// `authorization_endpoint`) and returns the URL to send the user to instead:
/// `authorization_endpoint` with `client_id` and `request_uri` only (RFC 9126 §4).
pub(crate) async fn push(
    ctx: &Context,
    metadata: &Metadata,
    authorization_endpoint: &Url,
    url: &Url,
) -> Result<Url, Error> {
    const ENDPOINT: &str = Endpoint::PUSHED_AUTHORIZATION.name;
    let par_endpoint = endpoint(ctx, metadata)?;
    // The endpoint's own query (if any) stays on the final URL; ours goes to the server,
    // `client_id` included (also with Basic: RFC 9126 §2.1 sends the authorization request's
    // parameters), and the client authentication does not repeat it.
    let own = authorization_endpoint.query_pairs().count();
    let mut form = Form::default();
    for (name, value) in url.query_pairs().skip(own) {
        form.param_named(name.into_owned(), value.into_owned());
    }
    let response = ctx
        .authenticated_post(metadata, Endpoint::PUSHED_AUTHORIZATION, par_endpoint, form)
        .await?;
    if !response.is_success() {
        let error = serde_json::from_slice::<Map<String, Value>>(&response.body)
            .ok()
            .and_then(|object| token_response::oauth_error(ENDPOINT, &object));
        return Err(error.unwrap_or_else(|| response.status_error(ENDPOINT)));
    }
    let invalid = |reason: &str| Error::InvalidResponse {
        endpoint: ENDPOINT,
        reason: reason.to_owned(),
    };
    let object: Map<String, Value> = serde_json::from_slice(&response.body)
        .map_err(|_| invalid("the body is not a JSON object"))?;
    let request_uri = match object.get("request_uri") {
        Some(Value::String(s)) if !s.is_empty() && !s.chars().any(char::is_control) => s,
        _ => {
            return Err(invalid(
                "`request_uri` is missing or not a non-empty string",
            ));
        }
    };
    // RFC 9126 §2.2: `expires_in` is required. The URI is used once, right away, by the browser
    // the caller sends to the returned URL.
    match object.get("expires_in") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|s| s > 0) => {}
        _ => return Err(invalid("`expires_in` is missing or not a positive integer")),
    }
    let mut pushed = authorization_endpoint.clone();
    pushed
        .query_pairs_mut()
        .append_pair("client_id", &ctx.client_id)
        .append_pair("request_uri", request_uri);
    tracing::debug!("oauthflow: authorization request pushed (RFC 9126)");
    Ok(pushed)
}
