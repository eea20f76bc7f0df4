//! Shared by every example (not an example itself): where the authorization server comes from
//! (the repository's own oidc-provider, or a real tenant configured in the environment), the
//! interactive steps (sign-in), https on loopback (`https`), and printing what happened without printing a secret.
//!
//! The **embedded default**: when `<PREFIX>_ISSUER` is not set, an example starts the pinned
//! oidc-provider in `oauthflow-devserver/provider` on 127.0.0.1 through `oauthflow_devserver::DevProvider` (the
//! launcher the tests use), builds its client with `Settings::...(...).issuer(provider.issuer())`
//! and the provider's matching default client, and plays the user's part itself (login and
//! consent by plain HTTP), saying so. With `<PREFIX>_ISSUER`, `<PREFIX>_CLIENT_ID` (and
//! `<PREFIX>_CLIENT_SECRET` for confidential kinds) set, it uses the client's `from_env()` and a
//! real browser: it opens the authorization URL (or prints it) and waits for you.

// Every example uses a part of this module; `tour.rs` uses all of it.
#![allow(dead_code)]

pub mod https;
pub mod page;
pub mod protected_api;

use std::error::Error;
use std::fmt::Display;
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use oauthflow::{
    ClientKey, ClientSecret, ClientType, Confidential, ConfigError, Flow, IdTokenClaims, Kind,
    PrivateKeyJwt, Public, Settings, TokenSet, Url,
};
use oauthflow_devserver::{DevClient, DevOptions, DevProvider};
use serde_json::{Value, json};

/// The examples' error type: anything, printed by `main`.
pub type BoxError = Box<dyn Error + Send + Sync>;
/// The examples' result type.
pub type Result<T, E = BoxError> = std::result::Result<T, E>;

/// The extra client the embedded provider registers for `web_server`: a confidential web client
/// whose redirect URI is on a loopback port this process has already bound (an ephemeral port,
/// so the example never collides with anything listening on 8080).
pub const WEB_SERVER_CLIENT: DevClient = DevClient {
    id: "web-server-example",
    secret: Some("web-server-example-secret"),
    auth_method: "client_secret_basic",
    redirect_uri: None, // http://127.0.0.1:PORT/callback, see `Embedded::web_server_redirect_uri`
    grant_types: &["authorization_code", "refresh_token"],
    response_types: &["code"],
    application_type: "web",
};

/// The extra client the embedded provider registers for `spa_login_only`: ID token only
/// (implicit, `response_mode=form_post`), its https redirect URI on a loopback port this
/// process has already bound (see `Embedded::form_post_redirect_uri`).
pub const FORM_POST_CLIENT: DevClient = DevClient {
    id: "form-post-example",
    secret: None,
    auth_method: "none",
    redirect_uri: None, // https://127.0.0.1:PORT/callback
    grant_types: &["implicit"],
    response_types: &["id_token"],
    application_type: "web",
};

/// The repository's oidc-provider, started by this process, and what the examples need from it.
pub struct Embedded {
    provider: DevProvider,
    web_server_listener: Mutex<Option<std::net::TcpListener>>,
    web_server_redirect_uri: String,
    form_post_listener: Mutex<Option<std::net::TcpListener>>,
    form_post_redirect_uri: String,
}

impl Embedded {
    /// Starts the provider with its default clients, users and resource servers, plus
    /// [`WEB_SERVER_CLIENT`] and [`FORM_POST_CLIENT`], each registered for a port bound here
    /// and kept for `web_server` and `spa_login_only`.
    pub async fn start() -> Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let redirect_uri = format!("http://{}/callback", listener.local_addr()?);
        let form_post_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let form_post_redirect_uri =
            format!("https://{}/callback", form_post_listener.local_addr()?);
        let options = DevOptions::new().client(json!({
            "client_id": FORM_POST_CLIENT.id,
            "application_type": FORM_POST_CLIENT.application_type,
            "token_endpoint_auth_method": FORM_POST_CLIENT.auth_method,
            "grant_types": FORM_POST_CLIENT.grant_types,
            "response_types": FORM_POST_CLIENT.response_types,
            "redirect_uris": [form_post_redirect_uri],
        }));
        let provider = DevProvider::start_with(options.client(json!({
            "client_id": WEB_SERVER_CLIENT.id,
            "client_secret": WEB_SERVER_CLIENT.secret,
            "token_endpoint_auth_method": WEB_SERVER_CLIENT.auth_method,
            "grant_types": WEB_SERVER_CLIENT.grant_types,
            "response_types": WEB_SERVER_CLIENT.response_types,
            "redirect_uris": [redirect_uri],
            // Where the provider sends the browser after RP-initiated logout (`/signed-out`).
            "post_logout_redirect_uris": [redirect_uri.replace("/callback", "/signed-out")],
        })))
        .await
        .map_err(|e| format!("starting the embedded oidc-provider: {e}"))?;
        Ok(Embedded {
            provider,
            web_server_listener: Mutex::new(Some(listener)),
            web_server_redirect_uri: redirect_uri,
            form_post_listener: Mutex::new(Some(form_post_listener)),
            form_post_redirect_uri,
        })
    }

    /// The running provider (issuer, login driver, grant counters).
    pub fn provider(&self) -> &DevProvider {
        &self.provider
    }

    /// The socket `web_server` listens on, bound before the provider started (once).
    pub fn take_web_server_listener(&self) -> Option<std::net::TcpListener> {
        self.web_server_listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The redirect URI registered for [`WEB_SERVER_CLIENT`].
    pub fn web_server_redirect_uri(&self) -> &str {
        &self.web_server_redirect_uri
    }

    /// The socket `spa_login_only` serves https on, bound before the provider started (once).
    pub fn take_form_post_listener(&self) -> Option<std::net::TcpListener> {
        self.form_post_listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The https redirect URI registered for [`FORM_POST_CLIENT`].
    pub fn form_post_redirect_uri(&self) -> &str {
        &self.form_post_redirect_uri
    }
}

/// Where an example's authorization server comes from.
#[derive(Clone)]
pub enum Target {
    /// The repository's oidc-provider on 127.0.0.1 (the embedded default); the example plays
    /// the user's part itself.
    Embedded(Arc<Embedded>),
    /// A real authorization server configured through `<PREFIX>_*` environment variables.
    Env {
        /// The variables' prefix, e.g. `IMPORT_JOB`.
        prefix: String,
    },
}

impl Target {
    /// For one example: the environment when `<prefix>_ISSUER` is set, otherwise the embedded
    /// provider (started now).
    pub async fn for_example(prefix: &str) -> Result<Self> {
        let issuer_var = format!("{prefix}_ISSUER");
        match std::env::var(&issuer_var) {
            Ok(issuer) if !issuer.is_empty() => {
                println!("server    {issuer} (from {issuer_var}); client from {prefix}_CLIENT_ID");
                Ok(Target::Env {
                    prefix: prefix.to_owned(),
                })
            }
            _ => {
                println!(
                    "server    {issuer_var} is not set: starting the repository's oidc-provider on 127.0.0.1 (the embedded default)"
                );
                Self::embedded().await
            }
        }
    }

    /// The embedded provider, whatever the environment says (the tour).
    pub async fn embedded() -> Result<Self> {
        let embedded = Embedded::start().await?;
        println!(
            "server    embedded oidc-provider at {}",
            embedded.provider.issuer()
        );
        Ok(Target::Embedded(Arc::new(embedded)))
    }

    /// The embedded provider, if that is the target.
    pub fn embedded_provider(&self) -> Option<&Arc<Embedded>> {
        match self {
            Target::Embedded(embedded) => Some(embedded),
            Target::Env { .. } => None,
        }
    }

    /// Builds the client: with the embedded provider, `new(settings)` with the provider's
    /// default client `dev` and `.issuer(provider.issuer())`; against a real tenant,
    /// `from_env()`.
    ///
    /// `new` and `from_env` are the generated client's own functions (`ImportJob::new`,
    /// `ImportJob::from_env`); the settings type (confidential or public) follows from `new`.
    pub fn client<C, S>(
        &self,
        dev: DevClient,
        new: impl FnOnce(Settings<S>) -> Result<C, ConfigError>,
        from_env: impl FnOnce() -> Result<C, ConfigError>,
    ) -> Result<C>
    where
        S: ClientType,
        Settings<S>: DevSettings,
    {
        match self {
            Target::Embedded(embedded) => {
                let settings =
                    Settings::<S>::for_dev_client(&dev).issuer(embedded.provider.issuer());
                println!(
                    "client    `{}` (registered at the embedded provider)",
                    dev.id
                );
                Ok(new(settings)?)
            }
            Target::Env { prefix } => {
                println!("client    from {prefix}_CLIENT_ID / {prefix}_ISSUER");
                Ok(from_env()?)
            }
        }
    }

    /// The user's part of an authorization code flow: signs in at `authorize_url` and returns
    /// the redirect back to the client (the callback URL with `code`, `state`, `iss`).
    ///
    /// Embedded: the provider's login and consent pages are driven by plain HTTP as the test
    /// user alice. Real tenant: opens the system browser (or prints the URL) and reads the
    /// callback URL you paste from the browser's address bar.
    pub async fn sign_in(&self, authorize_url: &Url) -> Result<String> {
        match self {
            Target::Embedded(embedded) => {
                say(
                    "user",
                    "embedded default: signing in as alice and consenting by plain HTTP (no browser)",
                );
                let callback = embedded.provider.login(authorize_url).await?;
                Ok(callback.to_string())
            }
            Target::Env { .. } => {
                open_browser(authorize_url);
                prompt("paste the full URL the browser was sent back to (the callback), then Enter")
                    .await
            }
        }
    }
}

/// How the embedded default builds the settings of one of the provider's default clients.
pub trait DevSettings: Sized {
    /// The settings of `dev` (its id, and its secret for a confidential client).
    fn for_dev_client(dev: &DevClient) -> Self;
}

impl DevSettings for Settings<Confidential> {
    fn for_dev_client(dev: &DevClient) -> Self {
        let secret = dev.secret.unwrap_or_default().to_owned();
        Settings::confidential(dev.id, ClientSecret::new(secret))
    }
}

impl DevSettings for Settings<PrivateKeyJwt> {
    fn for_dev_client(dev: &DevClient) -> Self {
        // The provider's development key for `machine-key-client` (see its documentation).
        let key = ClientKey::from_jwk(oauthflow_devserver::clients::MACHINE_KEY_JWK)
            .expect("the development key is a valid JWK");
        Settings::private_key_jwt(dev.id, key)
    }
}

impl DevSettings for Settings<Public> {
    fn for_dev_client(dev: &DevClient) -> Self {
        Settings::public(dev.id)
    }
}

/// Opens `url` in the system browser (`xdg-open` or `open`), or prints it when neither works.
/// Only used against a real tenant.
pub fn open_browser(url: &Url) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let opened = std::process::Command::new(opener)
        .arg(url.as_str())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if opened {
        say(
            "browser",
            format!("opened the authorization URL with `{opener}`"),
        );
    } else {
        say(
            "browser",
            "could not open a browser; open this URL yourself:",
        );
        println!("\n    {url}\n");
    }
}

/// Asks a question on stdout and reads one line from stdin (without blocking the runtime).
pub async fn prompt(question: &str) -> Result<String> {
    println!("waiting   {question}:");
    let _ = std::io::stdout().flush();
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await??;
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err("nothing was entered".into());
    }
    Ok(line)
}

// ---------------------------------------------------------------------------------------------
// Printing

/// Prints the example's name and what the macro decided: `KIND`, `FLOW`, `DECISION`.
pub fn header(example: &str, kind: Kind, flow: Flow, decision: &str) {
    println!();
    println!(
        "== {example} {}",
        "=".repeat(72usize.saturating_sub(example.len()))
    );
    println!("KIND      {}", kind.as_str());
    println!("FLOW      {} ({flow:?})", flow.as_str());
    println!("DECISION  {decision}");
}

/// Prints one step: a short label and what happened.
pub fn say(label: &str, text: impl Display) {
    println!("{label:<9} {text}");
}

/// Prints an authorization URL without its values: scheme, host and path, and the names of
/// its query parameters (the values hold `state`, the PKCE challenge, the nonce).
pub fn show_authorize_url(url: &Url) {
    say("authorize", redact_url(url));
}

/// Prints a callback without its values (`code`, `state` are one-time secrets).
pub fn show_callback(callback: &str) {
    let shown = match Url::parse(callback) {
        Ok(url) => redact_url(&url),
        Err(_) => redact_query(callback),
    };
    say("callback", shown);
}

/// `scheme://host:port/path?name=…&name=…`.
pub fn redact_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    if let Some(query) = url.query() {
        shown.push('?');
        shown.push_str(&redact_query(query));
    }
    shown
}

/// `name=…&name=…` for an urlencoded string.
pub fn redact_query(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| format!("{name}=…"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The payload of a JWT (not verified: the client only reads what it was given; the resource
/// server verifies access tokens). `None` when the token is not a JWT (an opaque token).
pub fn jwt_claims(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    jwt_part(jwt, 1)
}

/// The `alg` a JWT's header names (the ID token's was already checked by the client).
pub fn jwt_header_alg(jwt: &str) -> Option<String> {
    Some(jwt_part(jwt, 0)?.get("alg")?.as_str()?.to_owned())
}

/// Part `index` of a compact JWS (0: header, 1: payload), decoded.
fn jwt_part(jwt: &str, index: usize) -> Option<serde_json::Map<String, Value>> {
    let part = jwt.split('.').nth(index)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// One line with the claims that matter of an access token (`aud`, `sub`, `scope`, `exp`), or
/// of any JWT; never the token itself.
pub fn describe_jwt(jwt: &str) -> String {
    let Some(claims) = jwt_claims(jwt) else {
        return format!("opaque token ({} characters, no claims to read)", jwt.len());
    };
    let text = |name: &str| match claims.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.to_string(),
        None => "-".to_owned(),
    };
    let exp = claims.get("exp").and_then(Value::as_u64).map_or_else(
        || "-".to_owned(),
        |exp| {
            format!(
                "{exp} ({})",
                relative(UNIX_EPOCH + Duration::from_secs(exp))
            )
        },
    );
    format!(
        "aud={} sub={} scope=\"{}\" exp={exp}",
        text("aud"),
        text("sub"),
        text("scope")
    )
}

/// Prints the claims of an access token.
pub fn show_access_token(label: &str, token: &str) {
    say(label, describe_jwt(token));
}

/// Prints what a token response carried: the access token's claims, and whether there is a
/// refresh token and an ID token (with its `sub`).
pub fn show_tokens(label: &str, tokens: &TokenSet) {
    show_access_token(label, tokens.access_token().secret());
    let mut extra = Vec::new();
    if let Some(expires_at) = tokens.expires_at() {
        extra.push(format!("expires {}", relative(expires_at)));
    }
    extra.push(format!(
        "refresh token: {}",
        if tokens.refresh_token().is_some() {
            "yes"
        } else {
            "no"
        }
    ));
    match tokens.id_token().and_then(jwt_claims) {
        Some(id) => extra.push(format!(
            "ID token: sub={}",
            id.get("sub").and_then(Value::as_str).unwrap_or("-")
        )),
        None => extra.push("ID token: no".to_owned()),
    }
    say("", extra.join(", "));
}

/// Prints validated ID token claims.
pub fn show_id_token_claims(label: &str, claims: &IdTokenClaims) {
    let exp = claims
        .expires_at()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    say(
        label,
        format!(
            "iss={} aud={} sub={} exp={exp} ({})",
            claims.issuer(),
            claims.audiences().join(" "),
            claims.subject(),
            relative(claims.expires_at())
        ),
    );
}

/// `in 600 s` / `600 s ago`.
pub fn relative(at: SystemTime) -> String {
    match at.duration_since(SystemTime::now()) {
        Ok(ahead) => format!("in {} s", ahead.as_secs()),
        Err(past) => format!("{} s ago", past.duration().as_secs()),
    }
}

/// The `aud` of a JWT as one string (for summaries).
pub fn jwt_audience(jwt: &str) -> String {
    match jwt_claims(jwt).and_then(|c| c.get("aud").cloned()) {
        Some(Value::String(aud)) => aud,
        Some(other) => other.to_string(),
        None => "-".to_owned(),
    }
}
