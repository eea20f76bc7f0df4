//! `from_env`: the client's identity and issuer from environment variables.
//!
//! - `<PREFIX>_CLIENT_ID` — required;
//! - `<PREFIX>_CLIENT_SECRET` — required for confidential kinds (`machine`, `web`, `trusted`),
//!   never read for public ones;
//! - `<PREFIX>_ISSUER` — required when the attribute names no issuer. When the attribute names
//!   one and the variable is set too, the variable wins, exactly like `Settings::issuer`
//!   (the attribute is the development default, the environment the deployment's choice); it is
//!   checked with the same rules (https, or http on a loopback IP literal).
//!
//! An empty variable counts as unset.

use oauth2::ClientSecret;

use crate::error::ConfigError;
use crate::settings::{ClientType, Settings};
use crate::spec::ClientSpec;

fn read(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.is_empty())
}

/// Builds the settings from `lookup` (the process environment in production).
pub(crate) fn settings_from<S: ClientType>(
    spec: &'static ClientSpec,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Settings<S>, ConfigError> {
    let prefix = spec.env_prefix;
    let id_var = format!("{prefix}_CLIENT_ID");
    let client_id = read(&lookup, &id_var).ok_or(ConfigError::MissingEnv {
        name: id_var,
        hint: "the client identifier registered at the authorization server",
    })?;
    let secret = if S::CONFIDENTIAL {
        let secret_var = format!("{prefix}_CLIENT_SECRET");
        Some(ClientSecret::new(read(&lookup, &secret_var).ok_or(
            ConfigError::MissingEnv {
                name: secret_var,
                hint: "the client secret registered at the authorization server",
            },
        )?))
    } else {
        None
    };
    let issuer_var = format!("{prefix}_ISSUER");
    let mut settings = Settings::<S>::with(client_id, secret);
    match read(&lookup, &issuer_var) {
        Some(issuer) => settings = settings.issuer(issuer),
        None if spec.issuer.is_none() => {
            return Err(ConfigError::MissingIssuer { env: issuer_var });
        }
        None => {}
    }
    Ok(settings)
}

/// [`settings_from`] the process environment.
pub(crate) fn settings<S: ClientType>(
    spec: &'static ClientSpec,
) -> Result<Settings<S>, ConfigError> {
    settings_from(spec, |name| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Flow, Kind};
    use crate::settings::{Confidential, Public};
    use std::collections::HashMap;

    static MACHINE: ClientSpec = ClientSpec::new(
        "ImportJob",
        Kind::Machine,
        Flow::ClientCredentials,
        "IMPORT_JOB",
    );

    static SPA: ClientSpec = ClientSpec::new("Spa", Kind::Spa, Flow::AuthorizationCodePkce, "SPA")
        .issuer("https://as.example.com")
        .redirect_uri("http://127.0.0.1:5173/callback");

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn confidential_needs_id_secret_and_issuer() {
        let e = settings_from::<Confidential>(&MACHINE, env(&[])).unwrap_err();
        assert!(
            matches!(e, ConfigError::MissingEnv { ref name, .. } if name == "IMPORT_JOB_CLIENT_ID")
        );
        let e = settings_from::<Confidential>(&MACHINE, env(&[("IMPORT_JOB_CLIENT_ID", "c")]))
            .unwrap_err();
        assert!(
            matches!(e, ConfigError::MissingEnv { ref name, .. } if name == "IMPORT_JOB_CLIENT_SECRET")
        );
        let e = settings_from::<Confidential>(
            &MACHINE,
            env(&[
                ("IMPORT_JOB_CLIENT_ID", "c"),
                ("IMPORT_JOB_CLIENT_SECRET", ""),
            ]),
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::MissingEnv { .. }));
        let e = settings_from::<Confidential>(
            &MACHINE,
            env(&[
                ("IMPORT_JOB_CLIENT_ID", "c"),
                ("IMPORT_JOB_CLIENT_SECRET", "s"),
            ]),
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::MissingIssuer { ref env } if env == "IMPORT_JOB_ISSUER"));
        let s = settings_from::<Confidential>(
            &MACHINE,
            env(&[
                ("IMPORT_JOB_CLIENT_ID", "c"),
                ("IMPORT_JOB_CLIENT_SECRET", "s3cret"),
                ("IMPORT_JOB_ISSUER", "https://as.example.com"),
            ]),
        )
        .unwrap();
        assert_eq!(s.issuer.as_deref(), Some("https://as.example.com"));
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn public_reads_no_secret_and_env_issuer_overrides() {
        let s = settings_from::<Public>(
            &SPA,
            env(&[("SPA_CLIENT_ID", "spa"), ("SPA_CLIENT_SECRET", "ignored")]),
        )
        .unwrap();
        assert!(s.secret.is_none());
        assert!(s.issuer.is_none(), "the attribute's issuer is used");
        let s = settings_from::<Public>(
            &SPA,
            env(&[
                ("SPA_CLIENT_ID", "spa"),
                ("SPA_ISSUER", "https://other.example.com"),
            ]),
        )
        .unwrap();
        assert_eq!(s.issuer.as_deref(), Some("https://other.example.com"));
    }
}
