//! [`DevProvider`]: one running provider.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::process::{self, LogBuffer, ServerProcess};
use crate::{DevBrowser, DevError, DevOptions, install};

/// A running oidc-provider on `127.0.0.1` (an ephemeral port, or [`DevOptions::port`]), with the
/// [default clients](crate::clients), [users](crate::users) and
/// [resources](crate::resources). Dropping it stops the server.
///
/// Start as many as you like; each has its own port, keys and state. Start-up takes about
/// 0.2–0.3 s.
///
/// A `DevProvider` is `Send + Sync` and does not depend on the tokio runtime that started it
/// (its output is read by threads, and its HTTP client keeps no idle connections), so one
/// provider can be shared by the tests of a file, each with its own `#[tokio::test]` runtime.
/// A provider in a `static` is never dropped; it exits with the test process, when its stdin
/// closes:
///
/// ```no_run
/// use oauthflow_devserver::DevProvider;
/// use tokio::sync::OnceCell;
///
/// static PROVIDER: OnceCell<DevProvider> = OnceCell::const_new();
///
/// async fn provider() -> &'static DevProvider {
///     PROVIDER
///         .get_or_init(|| async { DevProvider::start().await.expect("test provider") })
///         .await
/// }
/// ```
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use oauthflow_devserver::{DevProvider, clients, resources};
///
/// let provider = DevProvider::start().await?;
/// let token: serde_json::Value = reqwest::Client::new()
///     .post(provider.token_endpoint())
///     .basic_auth(clients::MACHINE.id, clients::MACHINE.secret)
///     .form(&[("grant_type", "client_credentials"), ("resource", resources::ORDERS)])
///     .send().await?.json().await?;
/// assert_eq!(provider.grant_count().await?, 1);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DevProvider {
    issuer: String,
    issuer_url: Url,
    http: reqwest::Client,
    logs: LogBuffer,
    // Dropped last: kills and reaps node.
    process: ServerProcess,
}

/// The provider's count of successful token requests (`grant.success` events), from
/// `GET /__test/grants`.
///
/// ```
/// let stats = oauthflow_devserver::GrantStats::default();
/// assert_eq!(stats.for_client("machine-client"), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct GrantStats {
    /// Successful token requests, all grants together.
    pub total: u64,
    /// Failed token requests (`grant.error` events).
    pub errors: u64,
    /// Successful token requests per `client_id`.
    pub by_client: BTreeMap<String, u64>,
    /// Successful token requests per `grant_type`.
    pub by_grant_type: BTreeMap<String, u64>,
    /// Successful token requests per access token audience (the resource), `"(none)"` for
    /// opaque tokens without one.
    pub by_resource: BTreeMap<String, u64>,
}

impl GrantStats {
    /// Successful token requests by this client.
    ///
    /// ```
    /// # let stats = oauthflow_devserver::GrantStats::default();
    /// let n = stats.for_client(oauthflow_devserver::clients::WEB.id);
    /// # assert_eq!(n, 0);
    /// ```
    pub fn for_client(&self, client_id: &str) -> u64 {
        self.by_client.get(client_id).copied().unwrap_or(0)
    }

    /// Successful token requests whose access token was issued for this resource.
    ///
    /// ```
    /// # let stats = oauthflow_devserver::GrantStats::default();
    /// let n = stats.for_resource(oauthflow_devserver::resources::BILLING);
    /// # assert_eq!(n, 0);
    /// ```
    pub fn for_resource(&self, resource: &str) -> u64 {
        self.by_resource.get(resource).copied().unwrap_or(0)
    }

    /// Successful token requests with this `grant_type`.
    ///
    /// ```
    /// # let stats = oauthflow_devserver::GrantStats::default();
    /// let n = stats.for_grant_type("refresh_token");
    /// # assert_eq!(n, 0);
    /// ```
    pub fn for_grant_type(&self, grant_type: &str) -> u64 {
        self.by_grant_type.get(grant_type).copied().unwrap_or(0)
    }
}

/// The client the provider handle and the login driver use: no automatic redirects (the
/// driver stops at the one to the client), no idle connections (so that nothing ties it to
/// the tokio runtime that made it), and a timeout so that a stuck server fails a test.
pub(crate) fn http_client() -> Result<reqwest::Client, DevError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(DevError::http)
}

impl DevProvider {
    /// Starts a provider with the default options.
    ///
    /// The first start in a process checks `node --version` (20 or newer) and, the first
    /// time on a machine, runs `npm ci` for the pinned packages in a cache directory (once,
    /// even with many tests starting providers in parallel; see [`install_provider`](crate::install_provider)).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
    /// let provider = oauthflow_devserver::DevProvider::start().await?;
    /// println!("issuer: {}", provider.issuer());
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<Self, DevError> {
        Self::start_with(DevOptions::default()).await
    }

    /// Starts a provider with extra clients, short token lifetimes, etc.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
    /// use std::time::Duration;
    /// use oauthflow_devserver::{DevOptions, DevProvider};
    ///
    /// let provider = DevProvider::start_with(DevOptions {
    ///     client_credentials_ttl: Some(Duration::from_secs(3)),
    ///     ..DevOptions::default()
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_with(options: DevOptions) -> Result<Self, DevError> {
        let prepared = install::install_provider().await?;
        let echo = options.log
            || std::env::var("OAUTHFLOW_PROVIDER_LOG").is_ok_and(|v| !v.is_empty() && v != "0");
        let mut json = options.to_json();
        if echo {
            json["log"] = serde_json::Value::Bool(true);
        }
        let config = serde_json::to_string(&json).map_err(|e| DevError::Options(e.to_string()))?;
        let (process, issuer, logs) =
            process::spawn(&prepared, config, options.startup_timeout, echo).await?;
        let issuer_url = Url::parse(&issuer).map_err(|e| {
            DevError::Driver(format!(
                "the provider printed an invalid issuer {issuer:?}: {e}"
            ))
        })?;
        let http = http_client()?;
        Ok(DevProvider {
            issuer,
            issuer_url,
            http,
            logs,
            process,
        })
    }

    /// The issuer identifier, exactly as discovery returns it: `http://127.0.0.1:PORT`,
    /// without a trailing slash.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// assert!(provider.issuer().starts_with("http://127.0.0.1:"));
    /// assert!(!provider.issuer().ends_with('/'));
    /// # }
    /// ```
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The issuer as a [`Url`] (note that `Url` prints it with a trailing `/`; compare
    /// issuers with [`DevProvider::issuer`]).
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// let port = provider.issuer_url().port();
    /// # }
    /// ```
    pub fn issuer_url(&self) -> &Url {
        &self.issuer_url
    }

    /// The process id of the node server.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// println!("node pid {}", provider.pid());
    /// # }
    /// ```
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    fn endpoint(&self, path: &str) -> Url {
        let mut url = self.issuer_url.clone();
        url.set_path(path);
        url
    }

    /// `{issuer}/.well-known/openid-configuration` (also served at
    /// `/.well-known/oauth-authorization-server`).
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// assert!(provider.discovery_url().as_str().ends_with("/.well-known/openid-configuration"));
    /// # }
    /// ```
    pub fn discovery_url(&self) -> Url {
        self.endpoint("/.well-known/openid-configuration")
    }

    /// `{issuer}/auth`.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// let mut url = provider.authorization_endpoint();
    /// url.query_pairs_mut().append_pair("client_id", "web-client");
    /// # }
    /// ```
    pub fn authorization_endpoint(&self) -> Url {
        self.endpoint("/auth")
    }

    /// `{issuer}/token`.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// let token_endpoint = provider.token_endpoint();
    /// # }
    /// ```
    pub fn token_endpoint(&self) -> Url {
        self.endpoint("/token")
    }

    /// `{issuer}/device/auth`.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// let device_endpoint = provider.device_authorization_endpoint();
    /// # }
    /// ```
    pub fn device_authorization_endpoint(&self) -> Url {
        self.endpoint("/device/auth")
    }

    /// `{issuer}/token/revocation`.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// let revocation = provider.revocation_endpoint();
    /// # }
    /// ```
    pub fn revocation_endpoint(&self) -> Url {
        self.endpoint("/token/revocation")
    }

    /// `{issuer}/jwks`.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// let jwks = provider.jwks_uri();
    /// # }
    /// ```
    pub fn jwks_uri(&self) -> Url {
        self.endpoint("/jwks")
    }

    async fn test_route(&self, method: reqwest::Method) -> Result<GrantStats, DevError> {
        let url = self.endpoint("/__test/grants");
        let resp = self
            .http
            .request(method, url.clone())
            .send()
            .await
            .map_err(DevError::http)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(DevError::Provider {
                status: status.as_u16(),
                url: url.to_string(),
                error: "test_route_failed".into(),
                description: resp.text().await.unwrap_or_default(),
            });
        }
        resp.json().await.map_err(DevError::http)
    }

    /// How many token requests succeeded so far (all clients and grants).
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) -> Result<(), oauthflow_devserver::DevError> {
    /// let before = provider.grant_count().await?;
    /// // ... 100 concurrent callers ask a cached client for a token ...
    /// assert_eq!(provider.grant_count().await? - before, 1);
    /// # Ok(()) }
    /// ```
    pub async fn grant_count(&self) -> Result<u64, DevError> {
        Ok(self.grant_stats().await?.total)
    }

    /// The counters in detail (per client, grant type and resource, and failures).
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) -> Result<(), oauthflow_devserver::DevError> {
    /// let stats = provider.grant_stats().await?;
    /// assert_eq!(stats.for_resource(oauthflow_devserver::resources::ORDERS), 0);
    /// # Ok(()) }
    /// ```
    pub async fn grant_stats(&self) -> Result<GrantStats, DevError> {
        self.test_route(reqwest::Method::GET).await
    }

    /// Resets the counters to zero and returns their values before the reset.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) -> Result<(), oauthflow_devserver::DevError> {
    /// provider.reset_grant_stats().await?;
    /// assert_eq!(provider.grant_count().await?, 0);
    /// # Ok(()) }
    /// ```
    pub async fn reset_grant_stats(&self) -> Result<GrantStats, DevError> {
        self.test_route(reqwest::Method::DELETE).await
    }

    /// A user agent with a fresh cookie jar (a new provider session) that signs in as
    /// [`users::ALICE`](crate::users::ALICE).
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) -> Result<(), oauthflow_devserver::DevError> {
    /// let browser = provider.browser();
    /// # Ok(()) }
    /// ```
    pub fn browser(&self) -> DevBrowser {
        DevBrowser::new(self.issuer_url.clone(), self.http.clone())
    }

    /// Drives an authorization URL through login (as alice) and consent in a fresh session
    /// and returns the final redirect to the client's `redirect_uri` (with `code`, `state`,
    /// `iss`), without requesting it. See [`DevBrowser::login`].
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider, authorize_url: url::Url) -> Result<(), oauthflow_devserver::DevError> {
    /// let callback = provider.login(&authorize_url).await?;
    /// let code = callback.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned());
    /// # Ok(()) }
    /// ```
    pub async fn login(&self, authorize_url: &Url) -> Result<Url, DevError> {
        self.browser().login(authorize_url).await
    }

    /// For `response_mode=form_post`: returns the auto-submitting form's action and its
    /// urlencoded body (`id_token`, `state`). See [`DevBrowser::login_form_post`].
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider, authorize_url: url::Url) -> Result<(), oauthflow_devserver::DevError> {
    /// let (action, body) = provider.login_form_post(&authorize_url).await?;
    /// # Ok(()) }
    /// ```
    pub async fn login_form_post(&self, authorize_url: &Url) -> Result<(Url, String), DevError> {
        self.browser().login_form_post(authorize_url).await
    }

    /// The user's side of the device flow: confirm, sign in, consent. See
    /// [`DevBrowser::approve_device`].
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider, verification_uri_complete: &str) -> Result<(), oauthflow_devserver::DevError> {
    /// provider.approve_device(verification_uri_complete).await?;
    /// # Ok(()) }
    /// ```
    pub async fn approve_device(&self, verification_uri_complete: &str) -> Result<(), DevError> {
        self.browser()
            .approve_device(verification_uri_complete)
            .await
    }

    /// The last lines (at most 200) the server printed on stdout and stderr: oidc-provider's
    /// warnings, and one line per request when logging is on.
    ///
    /// ```no_run
    /// # async fn demo(provider: oauthflow_devserver::DevProvider) {
    /// for line in provider.logs() { eprintln!("{line}"); }
    /// # }
    /// ```
    pub fn logs(&self) -> Vec<String> {
        self.logs.lines()
    }
}
