//! [`Settings::from_env`]: every setting from `<PREFIX>_…` environment variables.
//!
//! | variable | setting | value |
//! |---|---|---|
//! | `<PREFIX>_CLIENT_ID` | `client_id` (required) | the identifier registered at the server |
//! | `<PREFIX>_CLIENT_SECRET` | the secret (required for confidential clients; never read for public ones) | the registered secret |
//! | `<PREFIX>_CLIENT_KEY` / `<PREFIX>_CLIENT_KEY_FILE` | the private key of a `Settings<PrivateKeyJwt>` client (one of the two required there; never read otherwise) | PEM (PKCS#8, SEC 1, PKCS#1) or JWK text / a path to a file holding it |
//! | `<PREFIX>_CLIENT_AUTH_METHOD` | [`Settings::client_secret_post`] (confidential clients; never read for public ones) | `client_secret_basic` (the default) or `client_secret_post` |
//! | `<PREFIX>_ISSUER` | [`Settings::issuer`] | URL |
//! | `<PREFIX>_REDIRECT_URI` | [`Settings::redirect_uri`] | URL |
//! | `<PREFIX>_AUTHORIZATION_ENDPOINT`, `_TOKEN_ENDPOINT`, `_DEVICE_AUTHORIZATION_ENDPOINT`, `_JWKS_URI`, `_REVOCATION_ENDPOINT`, `_END_SESSION_ENDPOINT`, `_USERINFO_ENDPOINT` | the endpoint methods of [`Settings`] | URL |
//! | `<PREFIX>_REQUEST_TIMEOUT` | [`Settings::request_timeout`] | duration, not zero |
//! | `<PREFIX>_REFRESH_MARGIN` | [`Settings::refresh_margin`] | duration |
//! | `<PREFIX>_LOOPBACK_TIMEOUT` | [`Settings::loopback_timeout`] | duration, not zero |
//! | `<PREFIX>_QUIRKS` | the provider quirks, [`Settings::accept_error_response_without_iss`] and the others | comma-separated names: `error_response_without_iss`, `changed_auth_time_on_refresh`, `expires_in_as_string`, `scope_as_array`, `omit_offline_access`, `tenant_issuer` |
//! | `<PREFIX>_ID_TOKEN_AUDIENCES` | [`Settings::accept_id_token_audiences`] (a provider quirk) | comma-separated audiences |
//!
//! A duration is a whole number with a unit: `ms`, `s`, `m` or `h` (`500ms`, `30s`, `5m`, `1h`);
//! a bare number is seconds. An empty variable counts as unset. URLs are checked at once with the
//! rules that do not depend on the client's kind (and again by the client's `new`, with all of
//! them), so a bad value is reported with the variable's name.

use std::time::Duration;

use oauth2::ClientSecret;

use crate::client_key::ClientKey;
use crate::endpoints::EndpointName;
use crate::error::ConfigError;
use crate::quirks::Quirks;
use crate::settings::{ClientType, Settings};
use crate::urls::{check_endpoint, check_issuer, check_redirect_uri_for_some_kind};

/// Reads one variable: `None` when unset or empty.
struct Env<'a, L> {
    prefix: &'a str,
    lookup: L,
}

impl<L: Fn(&str) -> Option<String>> Env<'_, L> {
    fn name(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.prefix)
    }

    fn read(&self, suffix: &str) -> Option<(String, String)> {
        let name = self.name(suffix);
        (self.lookup)(&name)
            .filter(|v| !v.is_empty())
            .map(|v| (name, v))
    }

    fn required(&self, suffix: &str, hint: &'static str) -> Result<String, ConfigError> {
        self.read(suffix)
            .map(|(_, v)| v)
            .ok_or_else(|| ConfigError::MissingEnv {
                name: self.name(suffix),
                hint,
            })
    }

    /// A URL, checked by `check` (whose error names the setting) and reported with the variable.
    fn url(
        &self,
        suffix: &str,
        check: impl Fn(&str) -> Result<(), ConfigError>,
    ) -> Result<Option<String>, ConfigError> {
        let Some((name, value)) = self.read(suffix) else {
            return Ok(None);
        };
        check(&value).map_err(|e| invalid(name, reason_of(e)))?;
        Ok(Some(value))
    }

    fn duration(&self, suffix: &str, nonzero: bool) -> Result<Option<Duration>, ConfigError> {
        let Some((name, value)) = self.read(suffix) else {
            return Ok(None);
        };
        match parse_duration(&value) {
            Some(d) if nonzero && d.is_zero() => Err(invalid(name, "must be greater than zero")),
            Some(d) => Ok(Some(d)),
            None => Err(invalid(
                name,
                "not a duration: write a whole number with a unit, `ms`, `s`, `m` or `h` (e.g. `30s`, `5m`); a bare number is seconds",
            )),
        }
    }
}

fn invalid(name: String, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidEnv {
        name,
        reason: reason.into(),
    }
}

/// The reason of a URL check's error (the setting's name is replaced by the variable's).
fn reason_of(error: ConfigError) -> String {
    match error {
        ConfigError::InvalidUrl { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// `30s`, `5m`, `1h`, `500ms`, or a bare number of seconds; `None` if it is none of these or
/// does not fit.
fn parse_duration(value: &str) -> Option<Duration> {
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = value.split_at(digits);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "" | "s" => Some(Duration::from_secs(number)),
        "m" => number.checked_mul(60).map(Duration::from_secs),
        "h" => number.checked_mul(3600).map(Duration::from_secs),
        _ => None,
    }
}

impl<S: ClientType> Settings<S> {
    /// Reads every setting from `<prefix>_…` environment variables; builder methods can then
    /// refine the result, and a generated client's `new` takes it (its `from_env()` is exactly
    /// that, with the attribute's `env_prefix`).
    ///
    /// | variable | setting |
    /// |---|---|
    /// | `<prefix>_CLIENT_ID` | the client identifier (required) |
    /// | `<prefix>_CLIENT_SECRET` | the secret: required for `Settings<Confidential>`, never read for `Settings<Public>` |
    /// | `<prefix>_CLIENT_KEY` or `<prefix>_CLIENT_KEY_FILE` | the private key, as PEM or JWK text or a file holding it: one of them required for `Settings<PrivateKeyJwt>`, never read otherwise ([`ClientKey::from_pem`](crate::ClientKey::from_pem), [`ClientKey::from_jwk`](crate::ClientKey::from_jwk)) |
    /// | `<prefix>_CLIENT_AUTH_METHOD` | confidential only: `client_secret_basic` (default) or `client_secret_post` ([`client_secret_post`](Settings::client_secret_post)) |
    /// | `<prefix>_ISSUER` | [`issuer`](Self::issuer) |
    /// | `<prefix>_REDIRECT_URI` | [`redirect_uri`](Self::redirect_uri) |
    /// | `<prefix>_AUTHORIZATION_ENDPOINT`, `_TOKEN_ENDPOINT`, `_DEVICE_AUTHORIZATION_ENDPOINT`, `_JWKS_URI`, `_REVOCATION_ENDPOINT`, `_END_SESSION_ENDPOINT`, `_USERINFO_ENDPOINT` | [`authorization_endpoint`](Self::authorization_endpoint) and the other endpoints |
    /// | `<prefix>_REQUEST_TIMEOUT` | [`request_timeout`](Self::request_timeout) (not zero) |
    /// | `<prefix>_REFRESH_MARGIN` | [`refresh_margin`](Self::refresh_margin) |
    /// | `<prefix>_LOOPBACK_TIMEOUT` | [`loopback_timeout`](Self::loopback_timeout) (not zero) |
    /// | `<prefix>_QUIRKS` | provider quirks, comma-separated: `error_response_without_iss` ([`accept_error_response_without_iss`](Self::accept_error_response_without_iss)), `changed_auth_time_on_refresh`, `expires_in_as_string`, `scope_as_array` (each `accept_` + the name), `omit_offline_access` ([`omit_offline_access`](Self::omit_offline_access)), `tenant_issuer` ([`accept_tenant_issuer`](Self::accept_tenant_issuer)) |
    /// | `<prefix>_ID_TOKEN_AUDIENCES` | [`accept_id_token_audiences`](Self::accept_id_token_audiences), comma-separated |
    ///
    /// Durations are a whole number with a unit — `500ms`, `30s`, `5m`, `1h` — or a bare number
    /// of seconds. An empty variable counts as unset; an unset one leaves the default (or the
    /// attribute's value). Whether an issuer, a redirect URI or an endpoint is *needed* depends
    /// on the client, so the client's `new` decides that, and checks every value again with the
    /// rules of its kind.
    ///
    /// ```
    /// use std::time::Duration;
    /// use oauthflow_runtime::{Confidential, Settings};
    ///
    /// # // SAFETY: a doctest is its own process, nothing else reads its environment.
    /// # unsafe {
    /// #     std::env::set_var("IMPORT_JOB_CLIENT_ID", "import-job");
    /// #     std::env::set_var("IMPORT_JOB_CLIENT_SECRET", "s3cret");
    /// #     std::env::set_var("IMPORT_JOB_TOKEN_ENDPOINT", "https://as.example.com/token");
    /// #     std::env::set_var("IMPORT_JOB_REQUEST_TIMEOUT", "10s");
    /// # }
    /// // IMPORT_JOB_CLIENT_ID, IMPORT_JOB_CLIENT_SECRET, IMPORT_JOB_TOKEN_ENDPOINT, ...
    /// let settings = Settings::<Confidential>::from_env("IMPORT_JOB")?
    ///     .refresh_margin(Duration::from_secs(120)); // refined in code
    /// assert_eq!(settings.client_id(), "import-job");
    /// assert!(!format!("{settings:?}").contains("s3cret"));
    /// # Ok::<(), oauthflow_runtime::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingEnv`] for a required variable that is unset;
    /// [`ConfigError::InvalidEnv`] naming the variable and what is wrong with its value (never
    /// the value itself); [`ConfigError::Invalid`] for an empty `prefix`.
    pub fn from_env(prefix: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(prefix, |name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with `lookup` in place of the process environment.
    pub(crate) fn from_lookup(
        prefix: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        if prefix.is_empty() {
            return Err(ConfigError::Invalid {
                reason: "the environment prefix is empty: name one, e.g. `IMPORT_JOB` for `IMPORT_JOB_CLIENT_ID`".into(),
            });
        }
        let env = Env { prefix, lookup };
        let client_id = env.required(
            "CLIENT_ID",
            "the client identifier registered at the authorization server",
        )?;
        let mut settings = if S::PRIVATE_KEY_JWT {
            let mut settings = Settings::<S>::with(client_id, None);
            settings.key = Some(client_key(&env)?);
            settings
        } else if S::CONFIDENTIAL {
            let secret = env.required(
                "CLIENT_SECRET",
                "the client secret registered at the authorization server",
            )?;
            let mut settings = Settings::<S>::with(client_id, Some(ClientSecret::new(secret)));
            if let Some((name, method)) = env.read("CLIENT_AUTH_METHOD") {
                settings.client_secret_post = match method.as_str() {
                    "client_secret_basic" => false,
                    "client_secret_post" => true,
                    _ => {
                        return Err(invalid(
                            name,
                            "expected `client_secret_basic` or `client_secret_post`",
                        ));
                    }
                };
            }
            settings
        } else {
            Settings::<S>::with(client_id, None)
        };
        if let Some(issuer) = env.url("ISSUER", |v| check_issuer(v).map(drop))? {
            settings = settings.issuer(issuer);
        }
        // What no kind accepts now; the kind's own rules in the client's `new`.
        if let Some(uri) = env.url("REDIRECT_URI", check_redirect_uri_for_some_kind)? {
            settings = settings.redirect_uri(uri);
        }
        for name in EndpointName::ALL {
            let check = |v: &str| check_endpoint(name.as_str(), v).map(drop);
            if let Some(uri) = env.url(name.env_suffix(), check)? {
                settings.endpoints.set(name, Some(uri));
            }
        }
        if let Some(timeout) = env.duration("REQUEST_TIMEOUT", true)? {
            settings = settings.request_timeout(timeout);
        }
        if let Some(margin) = env.duration("REFRESH_MARGIN", false)? {
            settings = settings.refresh_margin(margin);
        }
        if let Some(timeout) = env.duration("LOOPBACK_TIMEOUT", true)? {
            settings = settings.loopback_timeout(timeout);
        }
        if let Some((name, list)) = env.read("QUIRKS") {
            settings.quirks = Quirks::parse_list(&list).map_err(|reason| invalid(name, reason))?;
        }
        if let Some((name, list)) = env.read("ID_TOKEN_AUDIENCES") {
            let audiences: Vec<&str> = list.split(',').map(str::trim).collect();
            if audiences.iter().any(|a| a.is_empty()) {
                return Err(invalid(
                    name,
                    "an empty audience in the comma-separated list",
                ));
            }
            settings = settings.accept_id_token_audiences(audiences);
        }
        Ok(settings)
    }
}

/// The `private_key_jwt` key from `<prefix>_CLIENT_KEY` (the PEM or JWK itself) or
/// `<prefix>_CLIENT_KEY_FILE` (a file holding it): exactly one of them.
fn client_key<F: Fn(&str) -> Option<String>>(env: &Env<'_, F>) -> Result<ClientKey, ConfigError> {
    let (name, text) = match (env.read("CLIENT_KEY"), env.read("CLIENT_KEY_FILE")) {
        (Some(_), Some((file, _))) => {
            return Err(invalid(
                file,
                "set `_CLIENT_KEY` or `_CLIENT_KEY_FILE`, not both",
            ));
        }
        (Some(inline), None) => inline,
        (None, Some((name, path))) => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                invalid(
                    name.clone(),
                    format!("cannot read the key file: {}", e.kind()),
                )
            })?;
            (name, text)
        }
        (None, None) => {
            return Err(ConfigError::MissingEnv {
                name: format!("{}_CLIENT_KEY", env.prefix),
                hint: "the client's private key for private_key_jwt, as PEM or JWK (or `_CLIENT_KEY_FILE`: a file holding it)",
            });
        }
    };
    let parsed = if text.trim_start().starts_with('{') {
        ClientKey::from_jwk(&text)
    } else {
        ClientKey::from_pem(&text)
    };
    parsed.map_err(|e| match e {
        ConfigError::InvalidKey { reason } => invalid(name, reason),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Confidential, Public};
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const ID_AND_SECRET: [(&str, &str); 2] =
        [("JOB_CLIENT_ID", "c"), ("JOB_CLIENT_SECRET", "s3cret")];

    fn confidential(extra: &[(&str, &str)]) -> Result<Settings<Confidential>, ConfigError> {
        let mut pairs = ID_AND_SECRET.to_vec();
        pairs.extend_from_slice(extra);
        Settings::from_lookup("JOB", env(&pairs))
    }

    /// The variable named by an `InvalidEnv`, and its reason.
    fn invalid_env(result: Result<Settings<Confidential>, ConfigError>) -> (String, String) {
        match result {
            Err(ConfigError::InvalidEnv { name, reason }) => (name, reason),
            other => panic!("not an InvalidEnv: {other:?}"),
        }
    }

    #[test]
    fn confidential_needs_id_and_secret() {
        let missing =
            |pairs: &[(&str, &str)]| match Settings::<Confidential>::from_lookup("JOB", env(pairs))
            {
                Err(ConfigError::MissingEnv { name, .. }) => name,
                other => panic!("{other:?}"),
            };
        assert_eq!(missing(&[]), "JOB_CLIENT_ID");
        assert_eq!(missing(&[("JOB_CLIENT_ID", "c")]), "JOB_CLIENT_SECRET");
        assert_eq!(
            missing(&[("JOB_CLIENT_ID", "c"), ("JOB_CLIENT_SECRET", "")]),
            "JOB_CLIENT_SECRET",
            "empty counts as unset"
        );
        // No issuer is fine here: whether the client needs one is `new`'s decision.
        let s = confidential(&[]).unwrap();
        assert!(s.issuer.is_none());
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn public_reads_no_secret_nor_auth_method() {
        let s = Settings::<Public>::from_lookup(
            "SPA",
            env(&[
                ("SPA_CLIENT_ID", "spa"),
                ("SPA_CLIENT_SECRET", "ignored"),
                ("SPA_CLIENT_AUTH_METHOD", "bogus"),
                ("SPA_ISSUER", "https://other.example.com"),
            ]),
        )
        .unwrap();
        assert!(s.secret.is_none());
        assert_eq!(s.issuer.as_deref(), Some("https://other.example.com"));
    }

    #[test]
    fn every_setting_is_read() {
        let mut pairs = vec![
            ("JOB_ISSUER", "https://as.example.com"),
            ("JOB_REDIRECT_URI", "https://app.example.com/cb"),
            ("JOB_CLIENT_AUTH_METHOD", "client_secret_post"),
            ("JOB_REQUEST_TIMEOUT", "10s"),
            ("JOB_REFRESH_MARGIN", "2m"),
            ("JOB_LOOPBACK_TIMEOUT", "1h"),
            ("JOB_QUIRKS", "scope_as_array, omit_offline_access"),
            ("JOB_ID_TOKEN_AUDIENCES", "orders-api, billing-api"),
        ];
        let uris: Vec<(String, String)> = EndpointName::ALL
            .iter()
            .map(|n| {
                (
                    format!("JOB_{}", n.env_suffix()),
                    format!("https://as.example.com/{}", n.as_str()),
                )
            })
            .collect();
        pairs.extend(uris.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let s = confidential(&pairs).unwrap();
        assert_eq!(s.client_id(), "c");
        assert_eq!(s.issuer.as_deref(), Some("https://as.example.com"));
        assert_eq!(
            s.redirect_uri.as_deref(),
            Some("https://app.example.com/cb")
        );
        assert!(s.client_secret_post);
        assert_eq!(s.request_timeout, Duration::from_secs(10));
        assert_eq!(s.refresh_margin, Duration::from_secs(120));
        assert_eq!(s.loopback_timeout, Duration::from_secs(3600));
        assert_eq!(
            s.quirks,
            Quirks::NONE
                .with(crate::quirks::Quirk::ScopeAsArray)
                .with(crate::quirks::Quirk::OmitOfflineAccess)
        );
        assert_eq!(s.id_token_audiences, ["orders-api", "billing-api"]);
        for name in EndpointName::ALL {
            assert_eq!(
                s.endpoints.get(name).map(String::as_str),
                Some(format!("https://as.example.com/{}", name.as_str()).as_str())
            );
        }
        // Unset: the defaults.
        let d = confidential(&[]).unwrap();
        assert!(!d.client_secret_post);
        assert_eq!(d.request_timeout, crate::limits::DEFAULT_REQUEST_TIMEOUT);
        assert!(d.endpoints.iter().next().is_none());
        assert_eq!(d.quirks, Quirks::NONE, "strict unless named");
        assert!(d.id_token_audiences.is_empty(), "strict unless named");
        let basic = confidential(&[("JOB_CLIENT_AUTH_METHOD", "client_secret_basic")]).unwrap();
        assert!(!basic.client_secret_post);
    }

    #[test]
    fn durations() {
        for (text, expected) in [
            ("30", Some(Duration::from_secs(30))),
            ("30s", Some(Duration::from_secs(30))),
            ("500ms", Some(Duration::from_millis(500))),
            ("5m", Some(Duration::from_secs(300))),
            ("2h", Some(Duration::from_secs(7200))),
            ("0", Some(Duration::ZERO)),
            ("", None),
            ("s", None),
            ("-5s", None),
            ("1.5s", None),
            ("5 m", None),
            (" 5m", None),
            ("5min", None),
            ("5M", None),
            ("99999999999999999999", None),
            ("999999999999999999h", None),
        ] {
            assert_eq!(parse_duration(text), expected, "{text:?}");
        }
    }

    #[test]
    fn bad_values_name_the_variable_never_the_value() {
        for (name, value, says) in [
            ("JOB_REQUEST_TIMEOUT", "soon", "not a duration"),
            ("JOB_REQUEST_TIMEOUT", "0s", "greater than zero"),
            ("JOB_LOOPBACK_TIMEOUT", "0", "greater than zero"),
            ("JOB_REFRESH_MARGIN", "1.5m", "not a duration"),
            (
                "JOB_CLIENT_AUTH_METHOD",
                "private_key_jwt",
                "client_secret_post",
            ),
            (
                "JOB_ISSUER",
                "http://as.example.com/?tenant=secretish",
                "https",
            ),
            (
                "JOB_TOKEN_ENDPOINT",
                "http://localhost:8080/token",
                "localhost",
            ),
            (
                "JOB_USERINFO_ENDPOINT",
                "https://as.example.com/me#frag",
                "fragment",
            ),
            (
                "JOB_REDIRECT_URI",
                "https://app.example.com/cb?state=x-secretish",
                "`state`",
            ),
            ("JOB_REDIRECT_URI", "http://app.example.com/cb", "https"),
            ("JOB_QUIRKS", "scope_as_array,x-secretish", "entry 2"),
            ("JOB_ID_TOKEN_AUDIENCES", "x-secretish,,b", "empty audience"),
        ] {
            let error = confidential(&[(name, value)]);
            let shown = format!("{error:?} {}", error.as_ref().unwrap_err());
            let (variable, reason) = invalid_env(error);
            assert_eq!(variable, name);
            assert!(reason.contains(says), "{name}: {reason}");
            assert!(!shown.contains(value), "{name}: the value leaked: {shown}");
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }

    #[test]
    fn empty_prefix_is_refused() {
        assert!(matches!(
            Settings::<Public>::from_lookup("", env(&[("_CLIENT_ID", "x")])),
            Err(ConfigError::Invalid { .. })
        ));
    }
}
