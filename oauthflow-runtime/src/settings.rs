//! Run-time settings of a client: its identity, its secret (confidential kinds only) and overrides.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use oauth2::ClientSecret;

use crate::client_key::ClientKey;
use crate::endpoints::{EndpointName, Endpoints};
use crate::limits::{DEFAULT_LOOPBACK_TIMEOUT, DEFAULT_REFRESH_MARGIN, DEFAULT_REQUEST_TIMEOUT};
use crate::quirks::{Quirk, Quirks};
use crate::token_store::TokenStore;

/// Marker: a public client (`spa`, `native`, `device`) — it has no secret.
#[derive(Clone, Copy, Debug)]
pub struct Public;

/// Marker: a confidential client (`machine`, `web`, `trusted`) — it authenticates with a secret.
#[derive(Clone, Copy, Debug)]
pub struct Confidential;

/// Marker: a confidential client with `client_auth = "private_key_jwt"` (or
/// `profile = "fapi2"`) — it authenticates with a signed assertion (RFC 7523), and its settings
/// hold a [`ClientKey`], never a secret.
#[derive(Clone, Copy, Debug)]
pub struct PrivateKeyJwt;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Public {}
    impl Sealed for super::Confidential {}
    impl Sealed for super::PrivateKeyJwt {}
}

/// [`Public`], [`Confidential`] or [`PrivateKeyJwt`]; sealed.
pub trait ClientType: sealed::Sealed + Send + Sync + 'static {
    /// Whether clients of this type authenticate (with a secret or a key).
    const CONFIDENTIAL: bool;
    /// Whether clients of this type authenticate with a private key (`private_key_jwt`).
    #[doc(hidden)]
    const PRIVATE_KEY_JWT: bool = false;
}
impl ClientType for Public {
    const CONFIDENTIAL: bool = false;
}
impl ClientType for Confidential {
    const CONFIDENTIAL: bool = true;
}
impl ClientType for PrivateKeyJwt {
    const CONFIDENTIAL: bool = true;
    const PRIVATE_KEY_JWT: bool = true;
}

/// The run-time settings of a client, typed by whether it is [`Public`] or [`Confidential`].
///
/// A generated client's `new` takes `Settings<Confidential>` for `machine`, `web` and `trusted`,
/// and `Settings<Public>` for `spa`, `native` and `device`, so a secret cannot be handed to a
/// public client and cannot be forgotten for a confidential one.
///
/// ```
/// use oauthflow_runtime::{ClientSecret, Settings};
///
/// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
///     .issuer("https://tenant.example.com/");
/// assert_eq!(settings.client_id(), "import-job");
/// // The secret never shows up in Debug output.
/// assert!(!format!("{settings:?}").contains("s3cret"));
/// ```
pub struct Settings<S: ClientType> {
    pub(crate) client_id: String,
    pub(crate) secret: Option<ClientSecret>,
    /// The `private_key_jwt` key (`Settings<PrivateKeyJwt>` only).
    pub(crate) key: Option<ClientKey>,
    pub(crate) issuer: Option<String>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) request_timeout: Duration,
    pub(crate) refresh_margin: Duration,
    pub(crate) client_secret_post: bool,
    pub(crate) loopback_timeout: Duration,
    /// Run-time endpoints; each overrides the attribute's and the discovered one.
    pub(crate) endpoints: Endpoints<String>,
    /// Provider deviations accepted by name (none by default).
    pub(crate) quirks: Quirks,
    /// Audiences besides the client that an ID token's `aud` may list (a provider quirk).
    pub(crate) id_token_audiences: Vec<String>,
    /// A token store shared with other instances of the client; `None`: in-process only.
    pub(crate) token_store: Option<Arc<dyn TokenStore>>,
    /// The DPoP key supplied by `dpop_key` (else a client with `sender_constraint = "dpop"`
    /// generates one).
    pub(crate) dpop_key: Option<crate::dpop::DpopKey>,
    _type: PhantomData<S>,
}

impl Settings<Confidential> {
    /// Settings of a confidential client: its `client_id` and its secret.
    pub fn confidential(client_id: impl Into<String>, secret: ClientSecret) -> Self {
        Self::with(client_id.into(), Some(secret))
    }
}

impl Settings<Confidential> {
    /// Authenticates at the token endpoint with `client_id` and `client_secret` in the request
    /// body (`client_secret_post`) instead of HTTP Basic (`client_secret_basic`, the default when
    /// the server lists it or lists nothing). Use it when the client is registered with
    /// `client_secret_post`; a server whose metadata does not list that method is refused.
    /// Exactly one method is used per request either way (OAuth 2.1 §2.4).
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .client_secret_post();
    /// # let _ = settings;
    /// ```
    pub fn client_secret_post(mut self) -> Self {
        self.client_secret_post = true;
        self
    }
}

impl Settings<PrivateKeyJwt> {
    /// Settings of a client with `client_auth = "private_key_jwt"` (or `profile = "fapi2"`):
    /// its `client_id` and its private key. The server must know the public key (registered
    /// `jwks` or `jwks_uri`) and list `private_key_jwt` in
    /// `token_endpoint_auth_methods_supported` (or list nothing).
    ///
    /// ```
    /// use oauthflow_runtime::{ClientKey, Settings};
    ///
    /// let jwk = r#"{"kty":"OKP","crv":"Ed25519","kid":"job-2026",
    ///   "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    ///   "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;
    /// let settings = Settings::private_key_jwt("import-job", ClientKey::from_jwk(jwk)?)
    ///     .issuer("https://tenant.example.com/");
    /// assert!(!format!("{settings:?}").contains("nWGx"));
    /// # Ok::<(), oauthflow_runtime::ConfigError>(())
    /// ```
    pub fn private_key_jwt(client_id: impl Into<String>, key: ClientKey) -> Self {
        let mut settings = Self::with(client_id.into(), None);
        settings.key = Some(key);
        settings
    }
}

impl Settings<Public> {
    /// Settings of a public client: its `client_id` only.
    pub fn public(client_id: impl Into<String>) -> Self {
        Self::with(client_id.into(), None)
    }
}

impl<S: ClientType> Settings<S> {
    pub(crate) fn with(client_id: String, secret: Option<ClientSecret>) -> Self {
        Settings {
            client_id,
            secret,
            key: None,
            issuer: None,
            redirect_uri: None,
            http_client: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            client_secret_post: false,
            loopback_timeout: DEFAULT_LOOPBACK_TIMEOUT,
            endpoints: Endpoints::default(),
            quirks: Quirks::NONE,
            id_token_audiences: Vec::new(),
            token_store: None,
            dpop_key: None,
            _type: PhantomData,
        }
    }

    /// Shares tokens with the other instances of this client (the replicas of a service) through
    /// `store`: per audience, one client-credentials token request for the whole fleet; per
    /// refresh token, one refresh, whose result an instance still holding the old refresh
    /// token gets for 30 s instead of replaying it. Without it (the default) each instance
    /// caches in process only.
    ///
    /// The warm path stays in process; the store is used on a miss and at refresh time. When
    /// the store fails, calls are served by the local path (see [`crate::token_store`]).
    ///
    /// ```
    /// use oauthflow_runtime::token_store::InMemoryTokenStore;
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .token_store(InMemoryTokenStore::new());
    /// # let _ = settings;
    /// ```
    pub fn token_store(mut self, store: impl TokenStore) -> Self {
        self.token_store = Some(Arc::new(store));
        self
    }

    /// The DPoP key of a client with `sender_constraint = "dpop"` (RFC 9449). Without it, the
    /// client generates an EC P-256 key when it is built — one per client instance, never
    /// written anywhere, which is what DPoP wants. Supply one only when tokens must outlive the
    /// instance: replicas sharing a token store (`token_store`) all need the same key, since a
    /// DPoP-bound token is only usable with the key it is bound to. A client without
    /// `sender_constraint = "dpop"` refuses it.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, DpopKey, Settings};
    ///
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .dpop_key(DpopKey::generate()?);
    /// # let _ = settings;
    /// # Ok::<(), oauthflow_runtime::ConfigError>(())
    /// ```
    pub fn dpop_key(mut self, key: crate::dpop::DpopKey) -> Self {
        self.dpop_key = Some(key);
        self
    }

    /// Supplies the issuer (or overrides the one written in the attribute).
    ///
    /// It must be an `https` URL without query or fragment (an `http` loopback IP literal is
    /// accepted for local development); the client's `new` checks it. A client needs one when it
    /// validates ID tokens or discovers an endpoint; one whose explicit endpoints (see
    /// [`token_endpoint`](Self::token_endpoint)) cover its flow and that validates no ID token
    /// works without.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Overrides the attribute's `redirect_uri` (e.g. when the app's port is chosen at run time).
    /// Checked by the client's `new` with the same rules as the attribute.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(redirect_uri.into());
        self
    }

    /// Uses this HTTP client for back-channel requests (e.g. for a proxy or extra root
    /// certificates). Build it with `.redirect(reqwest::redirect::Policy::none())`.
    ///
    /// oauthflow never follows HTTP redirects on back-channel requests (RFC 9700 §4.12), also
    /// with a client supplied here. reqwest offers no way to read a built client's redirect
    /// policy, and a client with the default policy would follow a redirect — forwarding the
    /// code, verifier or password — before oauthflow sees the answer. So before its first
    /// request, the client is probed once against a throw-away listener on `127.0.0.1` that
    /// answers with redirects; a client that follows them, or that cannot reach the probe (a
    /// client that sends everything through a proxy, or is `https_only`), is refused with a
    /// configuration error and sends nothing (the probe is tried again at the next request, so a
    /// passing failure, such as a port that could not be bound, does not stick). Any redirect
    /// answer is turned into an error. The probe's limit: a custom redirect policy that stops
    /// only for loopback addresses passes it, and then follows redirects elsewhere — don't.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .unwrap();
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .http_client(http);
    /// # let _ = settings;
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Timeout of one back-channel request (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long before expiry a cached access token is renewed (default 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How long a native client's `login_via_loopback` waits for the browser to deliver the
    /// authorization response to the loopback listener (default 5 minutes). The listener's port
    /// is closed when it gives up ([`Error::Loopback`](crate::Error::Loopback)). Other kinds
    /// ignore it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("cli-app").loopback_timeout(Duration::from_secs(120));
    /// # let _ = settings;
    /// ```
    pub fn loopback_timeout(mut self, timeout: Duration) -> Self {
        self.loopback_timeout = timeout;
        self
    }

    fn endpoint(mut self, name: EndpointName, uri: String) -> Self {
        self.endpoints.set(name, Some(uri));
        self
    }

    /// Sets the authorization endpoint at run time (RFC 6749 §3.1), overriding the attribute's
    /// `authorization_endpoint` and the discovered one.
    ///
    /// Explicit endpoints replace discovery for what they cover: when the settings and the
    /// attribute together give every endpoint the flow calls, nothing is fetched, and a client
    /// that validates no ID token needs no issuer at all (e.g. a provider without discovery that
    /// has only an authorization and a token endpoint). Otherwise the issuer's metadata supplies
    /// the rest. The client's `new` checks the value with the attribute's rules: `https` (`http`
    /// only on a loopback IP literal such as `127.0.0.1`, never `localhost`), no fragment, no
    /// user info; and refuses an endpoint the client's flow never calls.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// // A provider without discovery (GitHub-style): two endpoints, no issuer.
    /// let settings = Settings::confidential("web-app", ClientSecret::new("s3cret".into()))
    ///     .authorization_endpoint("https://provider.example.com/login/oauth/authorize")
    ///     .token_endpoint("https://provider.example.com/login/oauth/access_token");
    /// # let _ = settings;
    /// ```
    pub fn authorization_endpoint(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::Authorization, uri.into())
    }

    /// Sets the token endpoint at run time (RFC 6749 §3.2), overriding the attribute's
    /// `token_endpoint` and the discovered one; checked like
    /// [`authorization_endpoint`](Self::authorization_endpoint).
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// // A machine client needs only this one: no issuer, no discovery.
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .token_endpoint("https://tenant-42.example.com/oauth/token");
    /// # let _ = settings;
    /// ```
    pub fn token_endpoint(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::Token, uri.into())
    }

    /// Sets the device authorization endpoint at run time (RFC 8628 §3.1), overriding the
    /// attribute's and the discovered one; checked like
    /// [`authorization_endpoint`](Self::authorization_endpoint).
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("tv-app")
    ///     .device_authorization_endpoint("https://as.example.com/device")
    ///     .token_endpoint("https://as.example.com/token");
    /// # let _ = settings;
    /// ```
    pub fn device_authorization_endpoint(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::DeviceAuthorization, uri.into())
    }

    /// Sets the URL of the issuer's signing keys at run time, overriding the attribute's
    /// `jwks_uri` and the discovered one. Only a client that validates ID tokens (`openid`, or
    /// the implicit form post) uses it, and such a client still needs its issuer: the ID token's
    /// `iss` must equal it. Checked like [`authorization_endpoint`](Self::authorization_endpoint).
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("spa")
    ///     .issuer("https://as.example.com")
    ///     .jwks_uri("https://as.example.com/keys");
    /// # let _ = settings;
    /// ```
    pub fn jwks_uri(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::Jwks, uri.into())
    }

    /// Sets the token revocation endpoint (RFC 7009), e.g. when the server's metadata omits it.
    /// Overrides the discovered one; checked like
    /// [`authorization_endpoint`](Self::authorization_endpoint). No flow step calls it yet: it
    /// is kept with the client's endpoints for revocation.
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("cli").revocation_endpoint("https://as.example.com/revoke");
    /// # let _ = settings;
    /// ```
    pub fn revocation_endpoint(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::Revocation, uri.into())
    }

    /// Sets the end-session endpoint (OpenID Connect RP-Initiated Logout 1.0), e.g. when the
    /// server's metadata omits it. Overrides the discovered one; checked like
    /// [`authorization_endpoint`](Self::authorization_endpoint). No flow step calls it yet: it
    /// is kept with the client's endpoints for logout.
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("spa").end_session_endpoint("https://as.example.com/logout");
    /// # let _ = settings;
    /// ```
    pub fn end_session_endpoint(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::EndSession, uri.into())
    }

    /// Sets the userinfo endpoint (OIDC Core §5.3), e.g. when the server's metadata omits it.
    /// Overrides the discovered one; checked like
    /// [`authorization_endpoint`](Self::authorization_endpoint). No flow step calls it yet: it
    /// is kept with the client's endpoints for userinfo.
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("spa").userinfo_endpoint("https://as.example.com/me");
    /// # let _ = settings;
    /// ```
    pub fn userinfo_endpoint(self, uri: impl Into<String>) -> Self {
        self.endpoint(EndpointName::Userinfo, uri.into())
    }

    fn quirk(mut self, quirk: Quirk) -> Self {
        self.quirks = self.quirks.with(quirk);
        self
    }

    /// **Provider quirk** (strict without it): accepts an authorization *error* response
    /// (`error=access_denied&state=…`) without `iss` from a server that announces
    /// `authorization_response_iss_parameter_supported` — Django OAuth Toolkit sends `iss` only
    /// on success. The error is then reported as the server's, [`Error::OAuth`] with `endpoint:
    /// "authorization"` (e.g. the user's denial), instead of [`Error::MissingIssuer`].
    ///
    /// It weakens nothing that matters for RFC 9207: a *successful* response (with a `code`)
    /// without `iss` is still [`Error::MissingIssuer`] and its code is never redeemed — the
    /// mix-up attack is about redeeming a code at the wrong server. What remains unverified is
    /// which server the error came from (`state` is still checked first). Also applies to the
    /// implicit form post's error responses. `<PREFIX>_QUIRKS=error_response_without_iss`.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("portal", ClientSecret::new("s3cret".into()))
    ///     .accept_error_response_without_iss();
    /// assert!(format!("{settings:?}").contains("error_response_without_iss"));
    /// ```
    ///
    /// [`Error::OAuth`]: crate::Error::OAuth
    /// [`Error::MissingIssuer`]: crate::Error::MissingIssuer
    pub fn accept_error_response_without_iss(self) -> Self {
        self.quirk(Quirk::ErrorResponseWithoutIss)
    }

    /// **Provider quirk** (strict without it): accepts a refreshed ID token whose `auth_time`
    /// differs from the original's. OIDC Core §12.2 says it must not change; Django OAuth
    /// Toolkit sends the user's latest sign-in in any session. Every other §12.2 check stays:
    /// the refreshed ID token is validated in full and must keep the original's `iss`, `sub`,
    /// `aud`, an `iat` not older, and its `nonce` if it has one. The accepted ID token's
    /// [`IdTokenClaims::auth_time`](crate::IdTokenClaims::auth_time) is the new value: an app
    /// that enforces `max_age` from it sees the latest sign-in, not the one of this session.
    /// `<PREFIX>_QUIRKS=changed_auth_time_on_refresh`.
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("spa").accept_changed_auth_time_on_refresh();
    /// # let _ = settings;
    /// ```
    pub fn accept_changed_auth_time_on_refresh(self) -> Self {
        self.quirk(Quirk::ChangedAuthTimeOnRefresh)
    }

    /// **Provider quirk** (strict without it): accepts `expires_in` in a token response as a
    /// JSON string of decimal digits (`"3600"`), read like the number (RFC 6749 §5.1 says a
    /// number). Anything else in the string (a sign, a fraction, spaces, an empty string) is
    /// still [`Error::InvalidResponse`](crate::Error::InvalidResponse).
    /// `<PREFIX>_QUIRKS=expires_in_as_string`.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .accept_expires_in_as_string();
    /// # let _ = settings;
    /// ```
    pub fn accept_expires_in_as_string(self) -> Self {
        self.quirk(Quirk::ExpiresInAsString)
    }

    /// **Provider quirk** (strict without it): accepts `scope` in a token response as a JSON
    /// array of strings (`["read", "write"]`) instead of a space-separated string (RFC 6749
    /// §5.1). Each element must be a string without spaces; anything else is still
    /// [`Error::InvalidResponse`](crate::Error::InvalidResponse).
    /// `<PREFIX>_QUIRKS=scope_as_array`.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("import-job", ClientSecret::new("s3cret".into()))
    ///     .accept_scope_as_array();
    /// # let _ = settings;
    /// ```
    pub fn accept_scope_as_array(self) -> Self {
        self.quirk(Quirk::ScopeAsArray)
    }

    /// **Provider quirk**: does not add `offline_access` to the scopes of a client with
    /// `refresh_tokens = true`, for servers that refuse it as an unknown scope
    /// (`invalid_scope`) and issue refresh tokens without it (Django OAuth Toolkit unless
    /// `offline_access` is registered in its `SCOPES`). `offline_access` written in the
    /// attribute's `scopes` is still sent. Whether a refresh token comes back is then the
    /// server's policy; `refresh` without one is [`Error::NoRefreshToken`](crate::Error::NoRefreshToken).
    /// `<PREFIX>_QUIRKS=omit_offline_access`.
    ///
    /// ```
    /// use oauthflow_runtime::Settings;
    ///
    /// let settings = Settings::public("cli").omit_offline_access();
    /// # let _ = settings;
    /// ```
    pub fn omit_offline_access(self) -> Self {
        self.quirk(Quirk::OmitOfflineAccess)
    }

    /// **Provider quirk** (strict without it): accepts a multi-tenant issuer — Microsoft Entra
    /// ID's `https://login.microsoftonline.com/common/v2.0` (or `organizations`, `consumers`),
    /// whose metadata names the template `https://login.microsoftonline.com/{tenantid}/v2.0` as
    /// its issuer and whose ID tokens each name their own tenant's issuer. The template is
    /// accepted only if the configured issuer is that template with one tenant segment in place
    /// of `{tenantid}`; an ID token's `iss` must then equal the template with the token's own
    /// `tid` claim in that place (a token without `tid` is refused). Everything else about the
    /// issuer stays exact, and an RFC 9207 `iss` in an authorization response must still equal
    /// the configured issuer. **Which tenants may sign in is the app's decision**: check
    /// `claims.claim("tid")` (see [`IdTokenClaims`](crate::IdTokenClaims)) against the tenants
    /// it serves. `<PREFIX>_QUIRKS=tenant_issuer`.
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("web-app", ClientSecret::new("s3cret".into()))
    ///     .issuer("https://login.microsoftonline.com/common/v2.0")
    ///     .accept_tenant_issuer();
    /// # let _ = settings;
    /// ```
    pub fn accept_tenant_issuer(self) -> Self {
        self.quirk(Quirk::TenantIssuer)
    }

    /// **Provider quirk** (strict without it): accepts ID tokens whose `aud` lists, besides this
    /// client's ID, some of `audiences` — providers that issue one ID token to several parts of
    /// one application (e.g. a web app and its API). OIDC Core §3.1.3.7 step 3 says to refuse an
    /// `aud` with audiences the client does not trust; these are the ones it trusts. With more
    /// than one audience, `azp` must then be present and be this client's ID (step 4's SHOULD,
    /// made a MUST), so a token issued to another client that lists this one is still refused,
    /// and any audience not named here still is. Each acceptance logs one debug event naming the
    /// quirk. `new` refuses an empty or padded entry and this client's own ID.
    /// `<PREFIX>_ID_TOKEN_AUDIENCES` (comma-separated).
    ///
    /// ```
    /// use oauthflow_runtime::{ClientSecret, Settings};
    ///
    /// let settings = Settings::confidential("web-app", ClientSecret::new("s3cret".into()))
    ///     .accept_id_token_audiences(["orders-api"]);
    /// # let _ = settings;
    /// ```
    pub fn accept_id_token_audiences<I>(mut self, audiences: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.id_token_audiences
            .extend(audiences.into_iter().map(Into::into));
        self
    }

    /// The client identifier.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl<S: ClientType> fmt::Debug for Settings<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("key", &self.key)
            .field("issuer", &self.issuer)
            .field("redirect_uri", &self.redirect_uri)
            .field("request_timeout", &self.request_timeout)
            .field("refresh_margin", &self.refresh_margin)
            .field("client_secret_post", &self.client_secret_post)
            .field("loopback_timeout", &self.loopback_timeout)
            .field("endpoints", &self.endpoints)
            .field("quirks", &self.quirks)
            .field("id_token_audiences", &self.id_token_audiences)
            .field("token_store", &self.token_store.is_some())
            .finish_non_exhaustive()
    }
}
