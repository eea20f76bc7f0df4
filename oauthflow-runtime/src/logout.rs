//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the URL that sends the user to
//! the authorization server to end the session there, then back to the app.

use oauth2::CsrfToken;
use url::Url;

use crate::context::Context;
use crate::endpoints::EndpointName;
use crate::error::Error;
use crate::tokens::TokenSet;
use crate::urls::check_post_logout_redirect_uri;

/// Random bytes in the logout `state` (as in the authorization request).
const STATE_BYTES: u32 = 32;

/// The end-session URL and the `state` to expect when the browser comes back to
/// `post_logout_redirect_uri`. `id_token_hint` is the session's ID token (§2: RECOMMENDED),
/// `client_id` is always sent (§2: needed with a redirect when no hint is sent). The redirect
/// follows the client's own redirect-URI rules.
pub(crate) async fn end_session_url(
    ctx: &Context,
    tokens: &TokenSet,
    post_logout_redirect_uri: Option<&str>,
) -> Result<(Url, String), Error> {
    if let Some(uri) = post_logout_redirect_uri {
        check_post_logout_redirect_uri(ctx.spec.kind, uri)?;
    }
    let metadata = ctx.metadata().await?;
    let mut url = metadata.endpoint(EndpointName::EndSession)?.clone();
    let state = CsrfToken::new_random_len(STATE_BYTES).secret().clone();
    {
        let mut query = url.query_pairs_mut();
        if let Some(id_token) = tokens.id_token() {
            query.append_pair("id_token_hint", id_token);
        }
        query.append_pair("client_id", &ctx.client_id);
        if let Some(uri) = post_logout_redirect_uri {
            query
                .append_pair("post_logout_redirect_uri", uri)
                .append_pair("state", &state);
        }
    }
    Ok((url, state))
}

#[cfg(test)]
mod tests {
    use super::check_post_logout_redirect_uri;
    use crate::kind::Kind;

    #[test]
    fn post_logout_redirect_uris_follow_the_redirect_rules() {
        for ok in [
            "https://app.example.com/bye",
            "http://127.0.0.1:8080/bye",
            "http://[::1]/bye",
        ] {
            assert!(
                check_post_logout_redirect_uri(Kind::Web, ok).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "/bye",
            "http://app.example.com/bye",
            "http://localhost/bye",
            "https://app.example.com/bye#x",
            "https://user@app.example.com/bye",
            "javascript:alert(1)",
        ] {
            assert!(
                check_post_logout_redirect_uri(Kind::Web, bad).is_err(),
                "{bad}"
            );
        }
    }
}
