//! `oauthflow try <kind>`: the real flow against a server, with the library's runtime — the code
//! generated clients run — showing each step as it happens.
//!
//! **Run-time audiences and scopes.** A generated client's audiences and scopes are fixed at
//! compile time (a `&'static ClientSpec`). `try` builds the same spec at run time from
//! `--audience` and `--scope` and keeps it for the life of the process (leaked once: one spec
//! per run), so the runtime sees exactly what a client compiled with
//! `audiences = [...], scopes = [...]` would give it. The first `--audience` is the one the
//! login (or device authorization) asks for — one authorization per audience, as in a
//! generated client; `machine` fetches one token per `--audience`.
//!
//! **The embedded default.** Without `--issuer`, `try` starts the repository's oidc-provider on
//! 127.0.0.1 (`oauthflow-devserver`), uses its default client for the kind, the audience
//! `https://api.example.com/orders`, and plays the user (alice) by plain HTTP.
//!
//! **Secrets** come from `OAUTHFLOW_CLIENT_SECRET` and `OAUTHFLOW_PASSWORD`, or a hidden prompt
//! on a terminal; never from the command line.

pub mod show;
mod trace;
mod user;

use std::io::IsTerminal;

use clap::Args;
use oauthflow_devserver::{DevClient, DevProvider, clients, resources, users};
use oauthflow_runtime::__private::ClientSpec;
use oauthflow_runtime::__private::{
    ClientCredentialsFlow, CodeFlow, DeviceFlow, FlowHandle, FormPostFlow, NativeFlow, NoRefresh,
    PasswordFlow, new as new_handle,
};
use oauthflow_runtime::{
    ClientSecret, ClientType, Confidential, ConfigError, Error, Public, SecretString, Settings,
};
use secrecy::ExposeSecret as _;

use crate::target::KindArg;
use show::step;
use user::User;

/// The environment variable a confidential client's secret is read from.
pub const CLIENT_SECRET_ENV: &str = "OAUTHFLOW_CLIENT_SECRET";
/// The environment variable the password grant's password is read from.
pub const PASSWORD_ENV: &str = "OAUTHFLOW_PASSWORD";

/// `oauthflow try` arguments.
#[derive(Debug, Args)]
pub struct TryArgs {
    /// The kind of client to play.
    #[arg(value_enum)]
    pub kind: KindArg,
    /// The authorization server; without it, the repository's oidc-provider is started on
    /// 127.0.0.1 and the user's part is played for you.
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// The client id registered at the server (needed with --issuer). A confidential kind's
    /// secret comes from OAUTHFLOW_CLIENT_SECRET or a hidden prompt.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// An API to get a token for (repeat for several; the first is used for the login).
    #[arg(long = "audience", value_name = "URI")]
    pub audiences: Vec<String>,
    /// A scope to request (repeat for several).
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// The redirect URI registered for the client (web, spa, spa-login-only; native uses
    /// http://127.0.0.1/callback on an ephemeral port).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// Required for `trusted`: why no browser or second screen can be used.
    #[arg(long, value_name = "WHY")]
    pub redirect_unavailable: Option<String>,
    /// The password grant's user (with --issuer); the password comes from OAUTHFLOW_PASSWORD
    /// or a hidden prompt.
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Print the authorization URL instead of opening the system browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Print the tokens themselves (they are secrets: never in logs or tickets).
    #[arg(long)]
    pub show_tokens: bool,
}

/// Why `try` stopped before or after the runtime ran.
#[derive(Debug)]
pub enum TryError {
    /// The command line or environment is not enough; what to give.
    Usage(String),
    /// The library's error.
    Runtime(Error),
    /// The embedded server or the user's part failed.
    Other(String),
}

impl From<Error> for TryError {
    fn from(e: Error) -> Self {
        TryError::Runtime(e)
    }
}

impl From<ConfigError> for TryError {
    fn from(e: ConfigError) -> Self {
        TryError::Runtime(Error::Config(e))
    }
}

/// Runs the flow; returns the summary line.
///
/// # Errors
///
/// What stopped it, in the library's words where it was the library.
pub async fn run(args: TryArgs) -> Result<String, TryError> {
    if args.kind == KindArg::Trusted
        && args
            .redirect_unavailable
            .as_deref()
            .is_none_or(|why| why.trim().is_empty())
    {
        return Err(TryError::Usage(
            "the password grant gives the user's password to this client: only with --redirect-unavailable \"<why no browser or second screen can be used>\" (the same reason the attribute requires)".into(),
        ));
    }
    if args.issuer.is_none()
        && (args.client_id.is_some() || args.redirect_uri.is_some() || args.username.is_some())
    {
        return Err(TryError::Usage(
            "--client-id, --redirect-uri and --username are for your server: give its --issuer too (without it, the embedded server's own clients and user are used)".into(),
        ));
    }
    let kind = args.kind;
    step(
        "kind",
        format!("{} -> {}", kind.name(), kind.flow().describe()),
    );
    step(
        "why",
        oauthflow_core::decision_text(
            kind.kind(),
            kind.flow(),
            false,
            args.redirect_unavailable.as_deref(),
        ),
    );
    let (setup, _provider) = match &args.issuer {
        Some(issuer) => (Setup::from_args(&args, issuer)?, None),
        None => {
            step(
                "server",
                "no --issuer: starting the repository's oidc-provider on 127.0.0.1 (the embedded default)",
            );
            let provider = std::sync::Arc::new(DevProvider::start().await.map_err(|e| {
                TryError::Other(format!("starting the embedded oidc-provider: {e}"))
            })?);
            (Setup::embedded(&args, provider.clone()), Some(provider))
        }
    };
    step("server", &setup.issuer);
    step(
        "client",
        format!(
            "{} ({})",
            setup.client_id,
            if kind.kind().is_confidential() {
                "confidential"
            } else {
                "public"
            }
        ),
    );
    if !setup.audiences.is_empty() {
        step("audiences", setup.audiences.join(" "));
    }
    if !setup.scopes.is_empty() {
        step("scopes", setup.scopes.join(" "));
    }
    trace::install();
    let spec = setup.spec(kind);
    let show_tokens = args.show_tokens;
    let audience = spec.audiences.first().copied();
    match kind {
        KindArg::Machine => {
            let client: ClientCredentialsFlow = setup.confidential(spec)?;
            let audiences: Vec<Option<&'static str>> = if spec.audiences.is_empty() {
                vec![None]
            } else {
                spec.audiences.iter().copied().map(Some).collect()
            };
            let mut summary = Vec::new();
            for audience in audiences {
                step(
                    "step",
                    format!(
                        "client credentials token{}",
                        audience.map(|a| format!(" for {a}")).unwrap_or_default()
                    ),
                );
                let token = client.access_token(audience).await?;
                step("access", show::describe_access_token(token.secret()));
                if show_tokens {
                    step("token", token.secret());
                }
                summary.push(audience.unwrap_or("(no audience)").to_owned());
            }
            Ok(format!(
                "client credentials: a token for {}",
                summary.join(", ")
            ))
        }
        KindArg::Web => {
            let client: CodeFlow<NoRefresh> = setup.confidential(spec)?;
            step("step", "1. the authorization URL (state, PKCE S256, nonce)");
            let (url, pending) = client.authorize_url(audience).await?;
            let callback = setup.user.sign_in(&url, spec.redirect_uri).await?;
            step("step", "2. the callback checked, the code redeemed once");
            let tokens = client.exchange_code(pending, &callback).await?;
            show::tokens(&tokens, show_tokens);
            Ok(summary("code + PKCE (confidential)", &tokens))
        }
        KindArg::Spa => {
            let client: CodeFlow<NoRefresh> = setup.public(spec)?;
            step("step", "1. the authorization URL (state, PKCE S256, nonce)");
            let (url, pending) = client.authorize_url(audience).await?;
            let callback = setup.user.sign_in(&url, spec.redirect_uri).await?;
            step(
                "step",
                "2. the callback checked, the code redeemed with the verifier",
            );
            let tokens = client.exchange_code(pending, &callback).await?;
            show::tokens(&tokens, show_tokens);
            Ok(summary("code + PKCE (public)", &tokens))
        }
        KindArg::Native => {
            let client: NativeFlow<NoRefresh> = setup.public(spec)?;
            step(
                "step",
                "1. a loopback listener on 127.0.0.1 (ephemeral port), then the browser",
            );
            let tokens = setup.user.native_login(&client, audience).await?;
            show::tokens(&tokens, show_tokens);
            Ok(summary("loopback code + PKCE", &tokens))
        }
        KindArg::SpaLoginOnly => {
            let client: FormPostFlow = setup.public(spec)?;
            step(
                "step",
                "1. the authorization URL (response_type=id_token, form_post, nonce)",
            );
            let (url, pending) = client.authorize_url().await?;
            let body = setup.user.sign_in_form_post(&url).await?;
            step("step", "2. the posted ID token validated");
            let claims = client.verify_form_post(pending, &body).await?;
            show::id_token(&claims);
            Ok(format!(
                "implicit form post: ID token for sub={} (no access token)",
                claims.subject()
            ))
        }
        KindArg::Device => {
            let client: DeviceFlow<NoRefresh> = setup.public(spec)?;
            step("step", "1. the device authorization request");
            let authorization = client.device_authorization(audience).await?;
            let tokens = setup.user.device(&client, &authorization).await?;
            show::tokens(&tokens, show_tokens);
            Ok(summary("device code", &tokens))
        }
        KindArg::Trusted => {
            let client: PasswordFlow<NoRefresh> = setup.confidential(spec)?;
            let (username, password) = setup.user.credentials(args.username.as_deref())?;
            step(
                "step",
                format!("the password grant for `{username}` (the password only in the POST body)"),
            );
            let tokens = client
                .password_token(&username, &password, audience)
                .await?;
            show::tokens(&tokens, show_tokens);
            Ok(summary("password grant", &tokens))
        }
    }
}

fn summary(flow: &str, tokens: &oauthflow_runtime::TokenSet) -> String {
    format!(
        "{flow}: access token{}{}, {}{}",
        tokens
            .audience()
            .map(|a| format!(" for {a}"))
            .unwrap_or_default(),
        tokens
            .expires_at()
            .map(|at| format!(" expiring {}", show::relative(at)))
            .unwrap_or_default(),
        if tokens.refresh_token().is_some() {
            "a refresh token"
        } else {
            "no refresh token"
        },
        if tokens.id_token_claims().is_some() {
            ", a validated ID token"
        } else {
            ""
        }
    )
}

/// Everything but the flow: server, client, what to ask for, who plays the user.
struct Setup {
    issuer: String,
    client_id: String,
    secret: Option<SecretString>,
    audiences: Vec<String>,
    scopes: Vec<String>,
    redirect_uri: Option<String>,
    user: User,
}

impl Setup {
    fn embedded(args: &TryArgs, provider: std::sync::Arc<DevProvider>) -> Self {
        let dev: DevClient = match args.kind {
            KindArg::Machine => clients::MACHINE,
            KindArg::Web => clients::WEB,
            KindArg::Spa => clients::SPA,
            KindArg::SpaLoginOnly => clients::SPA_LOGIN,
            KindArg::Native => clients::NATIVE,
            KindArg::Device => clients::DEVICE,
            KindArg::Trusted => clients::TRUSTED,
        };
        let login_only = args.kind == KindArg::SpaLoginOnly;
        let audiences = if args.audiences.is_empty() && !login_only {
            vec![resources::ORDERS.to_owned()]
        } else {
            args.audiences.clone()
        };
        let scopes = if !args.scopes.is_empty() {
            args.scopes.clone()
        } else if args.kind == KindArg::Machine {
            vec!["read:orders".to_owned()]
        } else if login_only {
            vec!["openid".to_owned(), "profile".to_owned()]
        } else {
            vec!["openid".to_owned(), "read:orders".to_owned()]
        };
        Setup {
            issuer: provider.issuer().to_owned(),
            client_id: dev.id.to_owned(),
            secret: dev.secret.map(|s| SecretString::from(s.to_owned())),
            audiences,
            scopes,
            redirect_uri: dev.redirect_uri.map(str::to_owned),
            user: User::Embedded {
                provider,
                password: (users::ALICE, users::ALICE_PASSWORD),
            },
        }
    }

    fn from_args(args: &TryArgs, issuer: &str) -> Result<Self, TryError> {
        let client_id = args.client_id.clone().ok_or_else(|| {
            TryError::Usage("--client-id: the client registered at this server".into())
        })?;
        let secret = if args.kind.kind().is_confidential() {
            Some(secret_from_env_or_prompt(
                CLIENT_SECRET_ENV,
                "client secret",
            )?)
        } else {
            None
        };
        let mut scopes = args.scopes.clone();
        if scopes.is_empty() && args.kind != KindArg::Machine {
            scopes.push("openid".to_owned());
        }
        let redirect_uri = match args.kind {
            KindArg::Native => Some("http://127.0.0.1/callback".to_owned()),
            KindArg::Web | KindArg::Spa | KindArg::SpaLoginOnly => {
                Some(args.redirect_uri.clone().ok_or_else(|| {
                    TryError::Usage(
                        "--redirect-uri: the redirect URI registered for this client (an http://127.0.0.1:PORT/... one lets `try` catch the callback itself)".into(),
                    )
                })?)
            }
            _ => None,
        };
        Ok(Setup {
            issuer: issuer.to_owned(),
            client_id,
            secret,
            audiences: args.audiences.clone(),
            scopes,
            redirect_uri,
            user: User::You {
                browser: !args.no_browser,
            },
        })
    }

    /// The spec a generated client would have, built at run time and kept for the process.
    fn spec(&self, kind: KindArg) -> &'static ClientSpec {
        fn leak_list(items: &[String]) -> &'static [&'static str] {
            let items: Vec<&'static str> = items
                .iter()
                .map(|s| &*Box::leak(s.clone().into_boxed_str()))
                .collect();
            Box::leak(items.into_boxed_slice())
        }
        let mut spec = ClientSpec::new("OauthflowTry", kind.kind(), kind.flow(), "OAUTHFLOW")
            .audiences(leak_list(&self.audiences))
            .scopes(leak_list(&self.scopes));
        if let Some(uri) = &self.redirect_uri {
            spec = spec.redirect_uri(Box::leak(uri.clone().into_boxed_str()));
        }
        Box::leak(Box::new(spec))
    }

    fn settings<S: ClientType>(&self, settings: Settings<S>) -> Settings<S> {
        settings.issuer(self.issuer.clone())
    }

    fn confidential<H: FlowHandle>(&self, spec: &'static ClientSpec) -> Result<H, TryError> {
        let secret = self
            .secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose_secret().to_owned()))
            .ok_or_else(|| TryError::Usage(format!("{CLIENT_SECRET_ENV}: the client secret")))?;
        Ok(new_handle::<H, Confidential>(
            spec,
            self.settings(Settings::confidential(self.client_id.clone(), secret)),
        )?)
    }

    fn public<H: FlowHandle>(&self, spec: &'static ClientSpec) -> Result<H, TryError> {
        Ok(new_handle::<H, Public>(
            spec,
            self.settings(Settings::public(self.client_id.clone())),
        )?)
    }
}

/// A secret from `env`, or a hidden prompt when stdin is a terminal.
pub fn secret_from_env_or_prompt(env: &str, what: &str) -> Result<SecretString, TryError> {
    if let Ok(value) = std::env::var(env)
        && !value.is_empty()
    {
        return Ok(SecretString::from(value));
    }
    if !std::io::stdin().is_terminal() {
        return Err(TryError::Usage(format!(
            "{env}: the {what} (secrets are never taken from the command line)"
        )));
    }
    inquire::Password::new(&format!("{what}:"))
        .without_confirmation()
        .prompt()
        .map(SecretString::from)
        .map_err(|e| TryError::Usage(format!("{env} or the prompt: {e}")))
}
