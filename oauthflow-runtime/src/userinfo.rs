//! The userinfo endpoint (OIDC Core §5.3): the signed-in user's claims, fetched with the
//! access token. Its `sub` must equal the ID token's (§5.3.2) — otherwise the response may be
//! about someone else (a substituted token) and is refused.

use std::fmt;

use serde_json::{Map, Value};

use crate::context::Context;
use crate::endpoints::EndpointName;
use crate::error::Error;
use crate::http::{Endpoint, HttpResponse, Request};
use crate::secret_eq::secrets_equal;
use crate::token_response::oauth_error;
use crate::tokens::TokenSet;

/// The claims the userinfo endpoint returned, after its `sub` matched the ID token's.
///
/// `Debug` shows the subject and the claim names, never their values (personal data).
#[derive(Clone)]
pub struct UserInfo {
    subject: String,
    claims: Map<String, Value>,
}

impl UserInfo {
    /// `sub`: equal to the ID token's subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// One claim, e.g. `claim("email")`.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// Every claim, `sub` included.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfo")
            .field("subject", &self.subject)
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `GET userinfo` with the access token of `tokens`; the answer's `sub` is checked against the
/// validated ID token of `tokens`.
pub(crate) async fn userinfo(ctx: &Context, tokens: &TokenSet) -> Result<UserInfo, Error> {
    let Some(id_claims) = tokens.id_token_claims() else {
        return Err(Error::IdTokenInvalid {
            reason: "userinfo needs the validated ID token of the same login to check the answer's `sub` (OIDC Core §5.3.2): request the `openid` scope".into(),
        });
    };
    let metadata = ctx.metadata().await?;
    let url = metadata.endpoint(EndpointName::Userinfo)?;
    let access_token = tokens.access_token().secret();
    let request = || Request::get(Endpoint::USERINFO, url).bearer(access_token);
    // A DPoP-bound token goes with a proof (RFC 9449 §7) and, as `DPoP`, not as a bearer token.
    let response = match ctx.dpop.as_ref().filter(|_| tokens.is_dpop_bound()) {
        Some(dpop) => {
            dpop.send_with_nonce_retry("GET", url, Some(access_token), |proof| {
                ctx.http.send(request().dpop(Some(proof)))
            })
            .await?
        }
        None => ctx.http.send(request()).await?,
    };
    read_userinfo(&response, id_claims.subject())
}

/// Reads a userinfo answer (OIDC Core §5.3.2, §5.3.3) for the user whose ID token has subject
/// `id_subject`: an error object or status, a JSON object whose `sub` must equal `id_subject`.
pub(crate) fn read_userinfo(response: &HttpResponse, id_subject: &str) -> Result<UserInfo, Error> {
    const ENDPOINT: &str = Endpoint::USERINFO.name;
    if !response.is_success() {
        // RFC 6750 §3: a refused token comes back as 401 with `WWW-Authenticate`, sometimes with
        // an error object in the body.
        if let Ok(Value::Object(json)) = serde_json::from_slice::<Value>(&response.body)
            && let Some(error) = oauth_error(ENDPOINT, &json)
        {
            return Err(error);
        }
        return Err(response.status_error(ENDPOINT));
    }
    let invalid = |reason: &str| Error::InvalidResponse {
        endpoint: ENDPOINT,
        reason: reason.to_owned(),
    };
    if response
        .content_type
        .as_deref()
        .is_some_and(|t| t.trim_start().starts_with("application/jwt"))
    {
        return Err(invalid(
            "a signed userinfo response (application/jwt) is not supported: register the client for JSON userinfo responses",
        ));
    }
    let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(&response.body) else {
        return Err(invalid("the body is not a JSON object"));
    };
    let Some(subject) = claims.get("sub").and_then(Value::as_str) else {
        return Err(invalid("the response has no string `sub`"));
    };
    if !secrets_equal(subject, id_subject) {
        return Err(Error::IdTokenInvalid {
            reason: "the userinfo `sub` differs from the ID token's (OIDC Core §5.3.2): the response is not about the signed-in user".into(),
        });
    }
    Ok(UserInfo {
        subject: subject.to_owned(),
        claims,
    })
}
