//! [`DevOptions`]: what a test can change in the provider it starts.

use std::time::Duration;

use serde_json::{Map, Value, json};

/// Options for [`DevProvider::start_with`](crate::DevProvider::start_with).
///
/// Everything is optional: `DevOptions::default()` gives the provider of
/// [`DevProvider::start`](crate::DevProvider::start). Build it with a struct literal or
/// with the builder methods:
///
/// ```
/// use std::time::Duration;
/// use oauthflow_devserver::DevOptions;
/// use serde_json::json;
///
/// let by_literal = DevOptions {
///     client_credentials_ttl: Some(Duration::from_secs(5)),
///     ..DevOptions::default()
/// };
/// let by_builder = DevOptions::new()
///     .client_credentials_ttl(Duration::from_secs(5))
///     .client(json!({
///         "client_id": "post-client",
///         "client_secret": "post-secret",
///         "grant_types": ["client_credentials"],
///         "response_types": [],
///         "redirect_uris": [],
///         "token_endpoint_auth_method": "client_secret_post",
///     }));
/// assert_eq!(by_literal.to_json()["ttl"], by_builder.to_json()["ttl"]);
/// ```
///
/// The provider's configuration is the JSON of [`DevOptions::to_json`]; `provider/README.md` (in this
/// crate) documents every key.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Extra clients, as oidc-provider client metadata (`client_id`, `client_secret`,
    /// `grant_types`, `response_types`, `redirect_uris`, `token_endpoint_auth_method`,
    /// `application_type`, ...). A client with the `client_id` of a default client replaces it.
    pub clients: Vec<Value>,
    /// Drop the [default clients](crate::clients) and keep only [`DevOptions::clients`].
    pub replace_default_clients: bool,
    /// Lifetime of access tokens issued to users (default 1 hour).
    pub access_token_ttl: Option<Duration>,
    /// Lifetime of client-credentials access tokens (default 10 minutes).
    pub client_credentials_ttl: Option<Duration>,
    /// Lifetime of refresh tokens (default 14 days).
    pub refresh_token_ttl: Option<Duration>,
    /// Lifetime of ID tokens (default 1 hour).
    pub id_token_ttl: Option<Duration>,
    /// Lifetime of device codes (default 10 minutes).
    pub device_code_ttl: Option<Duration>,
    /// Lifetime of authorization codes (default 60 seconds).
    pub authorization_code_ttl: Option<Duration>,
    /// `Some(true)`: rotate every refresh token on use; `Some(false)`: never rotate (a server
    /// that breaks RFC 9700 §4.14.2 for public clients, for warning tests); `None`:
    /// oidc-provider's default (always for public clients, after 70% of the lifetime otherwise).
    pub rotate_refresh_token: Option<bool>,
    /// Demand a DPoP nonce (`use_dpop_nonce`) on every DPoP-bound token request.
    pub dpop_require_nonce: bool,
    /// Raw configuration merged last over the JSON built from the fields above (objects
    /// merge key by key, anything else replaces): e.g. `"resources"`, `"users"`,
    /// `"features"`, `"ttl"`. See `provider/README.md` in this crate.
    pub config: Map<String, Value>,
    /// How long to wait for the provider's ready line (default 30 s; `npm ci`, when it is
    /// needed, is not counted).
    pub startup_timeout: Duration,
    /// Echo the provider's output, one line per request included, to this process' stderr.
    /// Also switched on by the environment variable `OAUTHFLOW_PROVIDER_LOG=1`.
    pub log: bool,
    /// Listen on this port of 127.0.0.1, so that the issuer is the stable
    /// `http://127.0.0.1:PORT` an app's configuration can name. `None` (the default): an
    /// ephemeral port, which never collides with another test. A port that is taken makes the
    /// start fail with [`DevError::PortInUse`](crate::DevError::PortInUse).
    pub port: Option<u16>,
}

impl Default for DevOptions {
    fn default() -> Self {
        DevOptions {
            clients: Vec::new(),
            replace_default_clients: false,
            access_token_ttl: None,
            client_credentials_ttl: None,
            refresh_token_ttl: None,
            id_token_ttl: None,
            device_code_ttl: None,
            authorization_code_ttl: None,
            rotate_refresh_token: None,
            dpop_require_nonce: false,
            config: Map::new(),
            startup_timeout: Duration::from_secs(30),
            log: false,
            port: None,
        }
    }
}

fn seconds(d: Duration) -> u64 {
    // Round up, and never 0: oidc-provider wants a positive number of seconds.
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    s.max(1)
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

impl DevOptions {
    /// The default options (same as `DevOptions::default()`).
    ///
    /// ```
    /// assert!(oauthflow_devserver::DevOptions::new().clients.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a client (oidc-provider client metadata).
    ///
    /// ```
    /// use oauthflow_devserver::DevOptions;
    /// let opts = DevOptions::new().client(serde_json::json!({
    ///     "client_id": "web-slash",
    ///     "client_secret": "web-secret",
    ///     "redirect_uris": ["http://127.0.0.1:8080/callback/"],
    /// }));
    /// assert_eq!(opts.clients.len(), 1);
    /// ```
    pub fn client(mut self, metadata: Value) -> Self {
        self.clients.push(metadata);
        self
    }

    /// Sets [`DevOptions::access_token_ttl`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let opts = oauthflow_devserver::DevOptions::new().access_token_ttl(Duration::from_secs(30));
    /// assert_eq!(opts.to_json()["ttl"]["AccessToken"], 30);
    /// ```
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = Some(ttl);
        self
    }

    /// Sets [`DevOptions::client_credentials_ttl`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let opts = oauthflow_devserver::DevOptions::new().client_credentials_ttl(Duration::from_secs(5));
    /// assert_eq!(opts.to_json()["ttl"]["ClientCredentials"], 5);
    /// ```
    pub fn client_credentials_ttl(mut self, ttl: Duration) -> Self {
        self.client_credentials_ttl = Some(ttl);
        self
    }

    /// Sets [`DevOptions::refresh_token_ttl`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let opts = oauthflow_devserver::DevOptions::new().refresh_token_ttl(Duration::from_secs(60));
    /// assert_eq!(opts.to_json()["ttl"]["RefreshToken"], 60);
    /// ```
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_token_ttl = Some(ttl);
        self
    }

    /// Sets [`DevOptions::rotate_refresh_token`].
    ///
    /// ```
    /// let opts = oauthflow_devserver::DevOptions::new().rotate_refresh_token(false);
    /// assert_eq!(opts.to_json()["rotateRefreshToken"], false);
    /// ```
    pub fn rotate_refresh_token(mut self, rotate: bool) -> Self {
        self.rotate_refresh_token = Some(rotate);
        self
    }

    /// Sets one raw configuration key (see [`DevOptions::config`]).
    ///
    /// ```
    /// use serde_json::json;
    /// let opts = oauthflow_devserver::DevOptions::new()
    ///     .config("resources", json!({ "https://api.example.com/stock": { "scope": "read:stock" } }))
    ///     .config("features", json!({ "pushedAuthorizationRequests": { "requirePushedAuthorizationRequests": true } }));
    /// assert!(opts.to_json()["resources"]["https://api.example.com/stock"].is_object());
    /// ```
    pub fn config(mut self, key: impl Into<String>, value: Value) -> Self {
        self.config.insert(key.into(), value);
        self
    }

    /// Sets [`DevOptions::log`].
    ///
    /// ```
    /// assert!(oauthflow_devserver::DevOptions::new().log(true).log);
    /// ```
    pub fn log(mut self, log: bool) -> Self {
        self.log = log;
        self
    }

    /// Sets [`DevOptions::port`]: a fixed port instead of an ephemeral one.
    ///
    /// ```
    /// let opts = oauthflow_devserver::DevOptions::new().port(4000);
    /// assert_eq!(opts.port, Some(4000));
    /// assert_eq!(opts.to_json()["port"], 4000);
    /// ```
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The configuration JSON handed to `provider/server.mjs`.
    ///
    /// ```
    /// let json = oauthflow_devserver::DevOptions::default().to_json();
    /// assert!(json.is_object());
    /// ```
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if !self.clients.is_empty() {
            out.insert("clients".into(), Value::Array(self.clients.clone()));
        }
        if self.replace_default_clients {
            out.insert("replaceDefaultClients".into(), Value::Bool(true));
        }
        let mut ttl = Map::new();
        for (name, value) in [
            ("AccessToken", self.access_token_ttl),
            ("ClientCredentials", self.client_credentials_ttl),
            ("RefreshToken", self.refresh_token_ttl),
            ("IdToken", self.id_token_ttl),
            ("DeviceCode", self.device_code_ttl),
            ("AuthorizationCode", self.authorization_code_ttl),
        ] {
            if let Some(d) = value {
                ttl.insert(name.into(), json!(seconds(d)));
            }
        }
        if !ttl.is_empty() {
            out.insert("ttl".into(), Value::Object(ttl));
        }
        if let Some(rotate) = self.rotate_refresh_token {
            out.insert("rotateRefreshToken".into(), Value::Bool(rotate));
        }
        if self.dpop_require_nonce {
            out.insert("dpopRequireNonce".into(), Value::Bool(true));
        }
        if self.log {
            out.insert("log".into(), Value::Bool(true));
        }
        if let Some(port) = self.port {
            out.insert("port".into(), json!(port));
        }
        let mut out = Value::Object(out);
        merge(&mut out, Value::Object(self.config.clone()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_rounds_up_and_never_zero() {
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::ZERO), 1);
        assert_eq!(seconds(Duration::from_millis(1500)), 2);
    }

    #[test]
    fn raw_config_merges_over_typed_fields() {
        let opts = DevOptions::new()
            .client_credentials_ttl(Duration::from_secs(5))
            .config("ttl", json!({ "IdToken": 7 }));
        let json = opts.to_json();
        assert_eq!(json["ttl"]["ClientCredentials"], 5);
        assert_eq!(json["ttl"]["IdToken"], 7);
    }
}
