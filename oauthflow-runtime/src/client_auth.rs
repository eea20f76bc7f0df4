//! Client authentication at the token endpoint: exactly one method per request (OAuth 2.1 §2.4),
//! chosen from the metadata's `token_endpoint_auth_methods_supported` (RFC 8414 §2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth2::ClientSecret;

use crate::error::ConfigError;
use crate::http::Form;

/// How a confidential client authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    Post,
    /// `private_key_jwt`: `client_id` and a signed `client_assertion` in the body (RFC 7523
    /// §2.2); the assertion is made per request by [`crate::assertion`].
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The method's name in metadata (RFC 8414 §2).
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Basic => "client_secret_basic",
            AuthMethod::Post => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }

    /// Picks the method. A `fixed` one (the attribute's `client_auth`, or
    /// `Settings::client_secret_post`) is the only one used, and refused when the server lists
    /// others but not it. Otherwise Basic when the server lists it or lists nothing (the RFC 8414
    /// default), else Post; an error when it lists neither.
    pub(crate) fn choose(
        supported: Option<&[String]>,
        fixed: Option<AuthMethod>,
    ) -> Result<Self, ConfigError> {
        if let Some(method) = fixed {
            let name = method.as_str();
            return match supported {
                Some(list) if !list.iter().any(|m| m == name) => Err(ConfigError::Discovery {
                    reason: format!(
                        "`{name}` was chosen (`client_auth` in the attribute, or the settings), but the token endpoint does not list it in `token_endpoint_auth_methods_supported`"
                    ),
                }),
                _ => Ok(method),
            };
        }
        match supported {
            None => Ok(AuthMethod::Basic),
            Some(list) if list.iter().any(|m| m == "client_secret_basic") => Ok(AuthMethod::Basic),
            Some(list) if list.iter().any(|m| m == "client_secret_post") => Ok(AuthMethod::Post),
            Some(list) => Err(ConfigError::Discovery {
                reason: format!(
                    "the token endpoint supports none of `client_secret_basic`, `client_secret_post` (it lists {:?}); oauthflow authenticates with a client secret",
                    list.iter()
                        .take(8)
                        .map(|m| crate::error::sanitize_description(m))
                        .collect::<Vec<_>>()
                ),
            }),
        }
    }
}

/// How the client proves its identity in one request.
pub(crate) enum Credential<'a> {
    /// A public client: `client_id` only.
    None,
    /// A secret, sent with the chosen secret method.
    Secret(&'a ClientSecret, AuthMethod),
    /// A signed client assertion (`private_key_jwt`), made for this request.
    Assertion(&'a str),
}

/// Adds the client's identity to a token request: a public client sends `client_id` in the body;
/// a confidential one uses exactly one of Basic, body credentials or a client assertion.
pub(crate) fn authenticate(form: &mut Form, client_id: &str, credential: Credential<'_>) {
    let (secret, method) = match credential {
        Credential::None => (None, AuthMethod::Post),
        Credential::Secret(secret, method) => (Some(secret), method),
        Credential::Assertion(assertion) => {
            form.client_id(client_id)
                .param("client_assertion_type", crate::assertion::JWT_BEARER)
                .param("client_assertion", assertion);
            return;
        }
    };
    match (secret, method) {
        (None, _) => {
            form.client_id(client_id);
        }
        (Some(secret), AuthMethod::Basic) => {
            let id: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
            let secret: String =
                url::form_urlencoded::byte_serialize(secret.secret().as_bytes()).collect();
            form.authorization(format!(
                "Basic {}",
                STANDARD.encode(format!("{id}:{secret}"))
            ));
        }
        (Some(secret), AuthMethod::Post | AuthMethod::PrivateKeyJwt) => {
            form.client_id(client_id)
                .param("client_secret", secret.secret().as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_urlencoded_first() {
        let mut form = Form::default();
        let secret = ClientSecret::new("a:b%c+d".into());
        authenticate(
            &mut form,
            "my client",
            Credential::Secret(&secret, AuthMethod::Basic),
        );
        let header = form.authorization_header().unwrap();
        let decoded = STANDARD
            .decode(header.strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "my+client:a%3Ab%25c%2Bd"
        );
        assert!(form.names().is_empty(), "Basic: nothing in the body");
    }

    #[test]
    fn exactly_one_method() {
        let secret = ClientSecret::new("s".into());
        let mut form = Form::default();
        authenticate(
            &mut form,
            "c",
            Credential::Secret(&secret, AuthMethod::Post),
        );
        assert!(form.authorization_header().is_none());
        assert_eq!(form.names(), ["client_id", "client_secret"]);
        let mut form = Form::default();
        authenticate(&mut form, "c", Credential::None);
        assert!(form.authorization_header().is_none());
        assert_eq!(form.names(), ["client_id"]);
        let mut form = Form::default();
        authenticate(&mut form, "c", Credential::Assertion("a.b.c"));
        assert!(form.authorization_header().is_none());
        assert_eq!(
            form.names(),
            ["client_id", "client_assertion_type", "client_assertion"]
        );
    }

    #[test]
    fn choice_follows_metadata() {
        assert_eq!(AuthMethod::choose(None, None).unwrap(), AuthMethod::Basic);
        let post = vec!["client_secret_post".to_owned()];
        assert_eq!(
            AuthMethod::choose(Some(&post), None).unwrap(),
            AuthMethod::Post
        );
        let both = vec![
            "client_secret_post".to_owned(),
            "client_secret_basic".to_owned(),
        ];
        assert_eq!(
            AuthMethod::choose(Some(&both), None).unwrap(),
            AuthMethod::Basic
        );
        let jwt = vec!["private_key_jwt".to_owned()];
        assert!(AuthMethod::choose(Some(&jwt), None).is_err());
        let key_fixed = Some(AuthMethod::PrivateKeyJwt);
        assert_eq!(
            AuthMethod::choose(Some(&jwt), key_fixed).unwrap(),
            AuthMethod::PrivateKeyJwt
        );
        assert!(AuthMethod::choose(Some(&both), key_fixed).is_err());
        // Fixed by the attribute or the settings.
        let post_fixed = Some(AuthMethod::Post);
        assert_eq!(
            AuthMethod::choose(None, post_fixed).unwrap(),
            AuthMethod::Post
        );
        assert_eq!(
            AuthMethod::choose(Some(&both), post_fixed).unwrap(),
            AuthMethod::Post
        );
        let basic = vec!["client_secret_basic".to_owned()];
        assert!(AuthMethod::choose(Some(&basic), post_fixed).is_err());
        let basic_fixed = Some(AuthMethod::Basic);
        assert!(AuthMethod::choose(Some(&post), basic_fixed).is_err());
        assert_eq!(
            AuthMethod::choose(Some(&both), basic_fixed).unwrap(),
            AuthMethod::Basic
        );
    }
}
