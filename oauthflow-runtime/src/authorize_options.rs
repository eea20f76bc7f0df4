//! Per-login options of an authorization request (OIDC Core §3.1.2.1): `prompt`,
//! `login_hint`, `max_age`, `acr_values`, `ui_locales`, and extra parameters a provider wants
//! (Google's `access_type=offline`, `hd`, …). A `max_age` is enforced on the way back: the
//! ID token must carry an `auth_time` no older than it (OIDC Core §3.1.3.7 step 11).

use std::time::{Duration, SystemTime};

use url::UrlQuery;
use url::form_urlencoded::Serializer;

use crate::claims::IdTokenClaims;
use crate::error::{ConfigError, Error};

/// The parameters oauthflow sets itself: an extra parameter may not replace or repeat them
/// (it would undo `state`, PKCE, the redirect URI check or the audience).
const RESERVED: &[&str] = &[
    "response_type",
    "response_mode",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "audience",
    "resource",
    "request",
    "request_uri",
    "prompt",
    "login_hint",
    "max_age",
    "acr_values",
    "ui_locales",
];

/// How far an `auth_time` may lie past `max_age` (clock skew between the server and us).
const AUTH_TIME_LEEWAY: Duration = Duration::from_secs(60);

/// One `prompt` value (OIDC Core §3.1.2.1; `create` from OpenID Connect Prompt Create 1.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prompt {
    /// `none`: no page at all — an error if the user would have to sign in or consent.
    None,
    /// `login`: ask the user to sign in again.
    Login,
    /// `consent`: ask for consent again (some servers, oidc-provider among them, issue a
    /// refresh token for `offline_access` only then).
    Consent,
    /// `select_account`: let the user pick an account.
    SelectAccount,
    /// `create`: show the sign-up page.
    Create,
}

impl Prompt {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Prompt::None => "none",
            Prompt::Login => "login",
            Prompt::Consent => "consent",
            Prompt::SelectAccount => "select_account",
            Prompt::Create => "create",
        }
    }
}

/// Options for one authorization request: `authorize_url_with(audience, &options)`.
///
/// ```
/// use std::time::Duration;
/// use oauthflow_runtime::{AuthorizeOptions, Prompt};
///
/// let options = AuthorizeOptions::new()
///     .prompt(Prompt::Login)
///     .login_hint("alice@example.com")
///     .max_age(Duration::from_secs(300))
///     .acr_values(["urn:mace:incommon:iap:silver"])
///     .ui_locales(["de-CH", "en"])
///     .extra_param("access_type", "offline")
///     .unwrap();
/// # let _ = options;
/// // The parameters oauthflow sets itself cannot be replaced:
/// assert!(AuthorizeOptions::new().extra_param("state", "mine").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorizeOptions {
    prompt: Vec<Prompt>,
    login_hint: Option<String>,
    max_age: Option<Duration>,
    acr_values: Vec<String>,
    ui_locales: Vec<String>,
    extra: Vec<(String, String)>,
}

impl AuthorizeOptions {
    /// No options: the request `authorize_url` sends.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a `prompt` value (several are sent space-separated; `none` alone).
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        if !self.prompt.contains(&prompt) {
            self.prompt.push(prompt);
        }
        self
    }

    /// `login_hint`: the user's identifier, pre-filled on the sign-in page.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// `max_age`: the user must have signed in at most this long ago, or sign in again. The ID
    /// token must then carry `auth_time`, and it is checked against this (a login older than
    /// `max_age` plus a minute of clock skew fails `exchange_code`).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// `acr_values`: the authentication context classes asked for, in order of preference.
    pub fn acr_values<I: IntoIterator<Item = S>, S: Into<String>>(mut self, values: I) -> Self {
        self.acr_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// `ui_locales`: the languages of the pages, as BCP 47 tags, in order of preference.
    pub fn ui_locales<I: IntoIterator<Item = S>, S: Into<String>>(mut self, locales: I) -> Self {
        self.ui_locales = locales.into_iter().map(Into::into).collect();
        self
    }

    /// Any other parameter the provider documents (e.g. Google's `access_type=offline`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for an empty name or one oauthflow sets itself (`state`,
    /// `redirect_uri`, `scope`, `code_challenge`, `prompt`, …).
    pub fn extra_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let name = name.into();
        if name.is_empty() || RESERVED.contains(&name.as_str()) {
            return Err(ConfigError::Invalid {
                reason: format!(
                    "`{name}` cannot be an extra authorization parameter: oauthflow sets it itself (use the typed option where there is one)"
                ),
            });
        }
        self.extra.push((name, value.into()));
        Ok(self)
    }

    /// The `max_age` asked for, if any.
    pub(crate) fn max_age_secs(&self) -> Option<u64> {
        self.max_age.map(|d| d.as_secs())
    }

    /// Appends the options to the authorization request's query.
    pub(crate) fn append_to(&self, query: &mut Serializer<'_, UrlQuery<'_>>) {
        let joined = |values: &[String]| values.join(" ");
        if !self.prompt.is_empty() {
            let prompt: Vec<&str> = self.prompt.iter().map(|p| p.as_str()).collect();
            query.append_pair("prompt", &prompt.join(" "));
        }
        if let Some(hint) = &self.login_hint {
            query.append_pair("login_hint", hint);
        }
        if let Some(max_age) = self.max_age {
            query.append_pair("max_age", &max_age.as_secs().to_string());
        }
        if !self.acr_values.is_empty() {
            query.append_pair("acr_values", &joined(&self.acr_values));
        }
        if !self.ui_locales.is_empty() {
            query.append_pair("ui_locales", &joined(&self.ui_locales));
        }
        for (name, value) in &self.extra {
            query.append_pair(name, value);
        }
    }
}

/// OIDC Core §3.1.3.7 step 11: with `max_age` sent, the ID token carries `auth_time`, and the
/// user signed in no longer than `max_age` ago.
pub(crate) fn check_max_age(
    max_age_secs: Option<u64>,
    claims: &IdTokenClaims,
    now: SystemTime,
) -> Result<(), Error> {
    let Some(max_age) = max_age_secs else {
        return Ok(());
    };
    let Some(auth_time) = claims.auth_time() else {
        return Err(Error::IdTokenInvalid {
            reason:
                "`max_age` was requested but the ID token has no `auth_time` (OIDC Core §3.1.2.1)"
                    .into(),
        });
    };
    let allowed = Duration::from_secs(max_age).saturating_add(AUTH_TIME_LEEWAY);
    if now.duration_since(auth_time).is_ok_and(|age| age > allowed) {
        return Err(Error::IdTokenInvalid {
            reason: format!(
                "the user signed in longer ago than the requested `max_age` of {max_age} s (OIDC Core §3.1.3.7)"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(options: &AuthorizeOptions) -> String {
        let mut url = url::Url::parse("https://as.example/authorize").unwrap();
        options.append_to(&mut url.query_pairs_mut());
        url.query().unwrap_or_default().to_owned()
    }

    #[test]
    fn options_become_parameters() {
        let options = AuthorizeOptions::new()
            .prompt(Prompt::Login)
            .prompt(Prompt::Consent)
            .prompt(Prompt::Login)
            .login_hint("alice@example.com")
            .max_age(Duration::from_secs(300))
            .acr_values(["a", "b"])
            .ui_locales(["de-CH"])
            .extra_param("access_type", "offline")
            .unwrap();
        assert_eq!(
            query(&options),
            "prompt=login+consent&login_hint=alice%40example.com&max_age=300&acr_values=a+b&ui_locales=de-CH&access_type=offline"
        );
        assert_eq!(query(&AuthorizeOptions::new()), "");
    }

    #[test]
    fn reserved_and_empty_extra_names_are_refused() {
        for name in RESERVED.iter().copied().chain([""]) {
            let error = AuthorizeOptions::new().extra_param(name, "x").unwrap_err();
            assert!(
                error.to_string().contains("oauthflow sets it itself"),
                "{name}: {error}"
            );
        }
    }

    fn claims(auth_time: Option<SystemTime>) -> IdTokenClaims {
        IdTokenClaims {
            subject: "alice".into(),
            issuer: "https://as.example".into(),
            audiences: vec!["client".into()],
            expires_at: SystemTime::now(),
            issued_at: SystemTime::now(),
            auth_time,
            nonce: None,
            other: serde_json::Map::new(),
        }
    }

    #[test]
    fn max_age_needs_a_recent_auth_time() {
        let now = SystemTime::now();
        let ago = |secs| Some(now - Duration::from_secs(secs));
        assert!(check_max_age(None, &claims(None), now).is_ok());
        assert!(check_max_age(Some(300), &claims(ago(100)), now).is_ok());
        assert!(
            check_max_age(Some(300), &claims(ago(350)), now).is_ok(),
            "within the leeway"
        );
        let old = check_max_age(Some(300), &claims(ago(400)), now).unwrap_err();
        assert!(old.to_string().contains("max_age"), "{old}");
        let missing = check_max_age(Some(300), &claims(None), now).unwrap_err();
        assert!(missing.to_string().contains("auth_time"), "{missing}");
        // A future auth_time (clock skew) is not "too old".
        assert!(check_max_age(Some(0), &claims(Some(now + Duration::from_secs(5))), now).is_ok());
    }
}
