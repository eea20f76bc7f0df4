//! A real OAuth 2.0 / OpenID Connect authorization server for your tests: a pinned
//! [oidc-provider](https://github.com/panva/node-oidc-provider) on 127.0.0.1, a login driver
//! that walks its login and consent pages with plain HTTP, and a fault-injecting HTTP peer for
//! what a real server never does.
//!
//! Add it as a dev-dependency (it needs Node.js 20+ with npm on the machine that runs the
//! tests):
//!
//! ```toml
//! [dev-dependencies]
//! oauthflow-devserver = "0.1"
//! ```
//!
//! [`DevProvider::start`] runs `provider/server.mjs` (shipped in this crate; oidc-provider
//! 9.13.3, pinned by `provider/package-lock.json`) with `node` on an ephemeral loopback port
//! — or a fixed one, [`DevOptions::port`] — and stops it when the handle drops.
//!
//! The server has [default clients](clients), a test user ([`users::ALICE`]), two
//! [resource servers](resources) that get JWT access tokens (RFC 8707 `resource`, or the
//! Auth0-style `audience` parameter), client credentials, the device flow, revocation,
//! refresh tokens with `offline_access`, a `password` grant, and counters of successful
//! token requests ([`DevProvider::grant_count`]).
//!
//! [`DevProvider::login`] and [`DevBrowser`] walk its login and consent pages with plain
//! HTTP and return the redirect to the client without following it.
//! [`DevBrowser::connect`] does the same for a provider this process did not start.
//!
//! [`jwt::payload`] reads the claims of the JWTs it issues (access tokens for a resource, ID
//! tokens), so that tests can check `aud`, `sub` or `nonce` without a JOSE library.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use oauthflow_devserver::{DevProvider, clients};
//! use url::Url;
//!
//! let provider = DevProvider::start().await?;
//! let mut authorize = provider.authorization_endpoint();
//! authorize
//!     .query_pairs_mut()
//!     .append_pair("client_id", clients::WEB.id)
//!     .append_pair("response_type", "code")
//!     .append_pair("scope", "openid")
//!     .append_pair("redirect_uri", clients::WEB.redirect_uri.unwrap())
//!     .append_pair("state", "xyz")
//!     .append_pair("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
//!     .append_pair("code_challenge_method", "S256");
//! let callback: Url = provider.login(&authorize).await?;
//! assert!(callback.as_str().starts_with("http://127.0.0.1:8080/callback?code="));
//! # Ok::<(), oauthflow_devserver::DevError>(())
//! # }).unwrap();
//! ```
//!
//! # Testing your app's login route
//!
//! Start the provider, register your app's redirect URI as a client, point the app at
//! [`DevProvider::issuer`], then play the browser: GET the app's `/login`, hand its redirect
//! to [`DevProvider::login`] (or a [`DevBrowser`]), GET the returned callback URL from the app
//! (with the app's session cookie) and check what the app did. The repository's
//! `tests/devserver_app_login.rs` does exactly that for a small axum app.
//!
//! # Starting it by hand
//!
//! To run the provider outside a test (to try an app in a browser, or for a test suite in
//! another language), from a checkout of the repository:
//!
//! ```sh
//! cargo run -p oauthflow-devserver --example serve -- --port 4000
//! ```
//!
//! prints the issuer (`http://127.0.0.1:4000`), the discovery URL, the user and the table of
//! clients, and runs until Ctrl-C. The login pages accept any login and any password. Or with
//! node alone, in the `provider/` directory: `npm ci`, then `node server.mjs '{"port": 4000}'`
//! (see `provider/README.md`). [`DevBrowser::connect`] drives the login pages of such a
//! provider from a test; [`install_provider`] gives the directory and the command to start
//! one from your own code.
//!
//! # Where the npm packages go
//!
//! The crate's `provider/` directory is never written to (a crate from crates.io lives in the
//! read-only-ish `~/.cargo/registry/src/...`). Unless it already holds a matching
//! `node_modules` (a repository checkout after `npm ci` there), the provider files are copied
//! into `provider-<hash of their contents>/` under a cache directory and `npm ci` runs there
//! once (1–2 s, 40 packages; concurrent processes wait for one install). The cache directory
//! is the first of: `OAUTHFLOW_PROVIDER_CACHE_DIR`; `$CARGO_TARGET_DIR/oauthflow-devserver`;
//! `oauthflow-devserver/` in the cargo `target` directory the test or example binary was built
//! in; `$XDG_CACHE_HOME` or `~/.cache`; the temporary directory.
//!
//! # Environment variables
//!
//! `OAUTHFLOW_NODE` / `OAUTHFLOW_NPM` (programs to run instead of `node` / `npm`),
//! `OAUTHFLOW_PROVIDER_DIR` (a directory with `server.mjs` and `package-lock.json` to use
//! instead of the shipped one; `npm ci` runs there if needed), `OAUTHFLOW_PROVIDER_CACHE_DIR`
//! (see above), `OAUTHFLOW_PROVIDER_LOG=1` (echo the server's output and one line per request
//! to stderr).

mod browser;
mod cache;
mod cookies;
mod error;
pub mod fault;
mod html;
mod install;
pub mod jwt;
mod npm;
mod options;
mod process;
mod provider;
mod redis;

pub use browser::DevBrowser;
pub use error::DevError;
pub use install::{ProviderInstall, install_provider};
pub use options::DevOptions;
pub use provider::{DevProvider, GrantStats};
pub use redis::{DevRedis, REDIS_SERVER_ENV};

/// A client the provider registers by default.
///
/// ```
/// use oauthflow_devserver::clients;
/// assert_eq!(clients::MACHINE.id, "machine-client");
/// assert!(clients::ALL.iter().any(|c| c.id == clients::DEVICE.id));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevClient {
    /// `client_id`.
    pub id: &'static str,
    /// `client_secret`; `None` for public clients (`token_endpoint_auth_method: none`).
    pub secret: Option<&'static str>,
    /// `token_endpoint_auth_method`.
    pub auth_method: &'static str,
    /// The registered redirect URI, if the client has one.
    pub redirect_uri: Option<&'static str>,
    /// `grant_types`.
    pub grant_types: &'static [&'static str],
    /// `response_types`.
    pub response_types: &'static [&'static str],
    /// `application_type` (`"web"` or `"native"`).
    pub application_type: &'static str,
}

/// The default clients of the test provider (also listed in `provider/README.md` in this crate).
///
/// ```
/// use oauthflow_devserver::clients;
/// assert_eq!(clients::WEB.secret, Some("web-secret"));
/// assert_eq!(clients::SPA.secret, None);
/// ```
pub mod clients {
    use super::DevClient;

    /// The RFC 8628 device code grant type.
    pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

    /// `machine-client` / `machine-secret`: client credentials, `client_secret_basic`.
    pub const MACHINE: DevClient = DevClient {
        id: "machine-client",
        secret: Some("machine-secret"),
        auth_method: "client_secret_basic",
        redirect_uri: None,
        grant_types: &["client_credentials"],
        response_types: &[],
        application_type: "web",
    };

    /// `machine-post-client` / `machine-post-secret`: client credentials, `client_secret_post`.
    pub const MACHINE_POST: DevClient = DevClient {
        id: "machine-post-client",
        secret: Some("machine-post-secret"),
        auth_method: "client_secret_post",
        redirect_uri: None,
        grant_types: &["client_credentials"],
        response_types: &[],
        application_type: "web",
    };

    /// `machine-special-client` with the secret `a:b%c+d`: client credentials,
    /// `client_secret_basic` — the credentials must be form-urlencoded before base64
    /// (RFC 6749 §2.3.1), sending them raw gives `invalid_client`/`invalid_request`.
    pub const MACHINE_SPECIAL: DevClient = DevClient {
        id: "machine-special-client",
        secret: Some("a:b%c+d"),
        auth_method: "client_secret_basic",
        redirect_uri: None,
        grant_types: &["client_credentials"],
        response_types: &[],
        application_type: "web",
    };

    /// `machine-key-client`: client credentials, `private_key_jwt` (RFC 7523) with the ES256
    /// key [`MACHINE_KEY_JWK`]; no secret.
    pub const MACHINE_KEY: DevClient = DevClient {
        id: "machine-key-client",
        secret: None,
        auth_method: "private_key_jwt",
        redirect_uri: None,
        grant_types: &["client_credentials"],
        response_types: &[],
        application_type: "web",
    };

    /// The private key of [`MACHINE_KEY`] as a JWK (EC P-256, `kid` `machine-key-1`). A
    /// development key, published in this repository: the provider trusts it for that client
    /// only, and nothing else may.
    pub const MACHINE_KEY_JWK: &str = r#"{"kty":"EC","crv":"P-256","kid":"machine-key-1","x":"je1LK4jw7zBSiXupKrVaxuq6pmD-kpYaGPZqlLvKwII","y":"ahd1aXIHahiv7rx1yKpQ7Z4SXsaEAUAlt001HFNYziE","d":"LYs_UrTbC-Wd6kRnJqske2ivqjGn-Bv0HwkspTvgA9s"}"#;

    /// `fapi-client`: the FAPI 2.0 Security Profile at the provider (PKCE, assertion `aud` =
    /// the issuer, explicit `redirect_uri`): authorization code + refresh tokens,
    /// `private_key_jwt` with [`MACHINE_KEY_JWK`], DPoP-bound tokens, pushed authorization
    /// requests required, ES256 ID tokens; redirect `http://127.0.0.1:8080/callback`.
    pub const FAPI: DevClient = DevClient {
        id: "fapi-client",
        secret: None,
        auth_method: "private_key_jwt",
        redirect_uri: Some("http://127.0.0.1:8080/callback"),
        grant_types: &["authorization_code", "refresh_token"],
        response_types: &["code"],
        application_type: "web",
    };

    /// `fapi-machine-client`: the FAPI 2.0 Security Profile for client credentials:
    /// `private_key_jwt` with [`MACHINE_KEY_JWK`], DPoP-bound tokens.
    pub const FAPI_MACHINE: DevClient = DevClient {
        id: "fapi-machine-client",
        secret: None,
        auth_method: "private_key_jwt",
        redirect_uri: None,
        grant_types: &["client_credentials"],
        response_types: &[],
        application_type: "web",
    };

    /// `web-client` / `web-secret`: authorization code + refresh tokens,
    /// `client_secret_basic`, redirect `http://127.0.0.1:8080/callback`.
    pub const WEB: DevClient = DevClient {
        id: "web-client",
        secret: Some("web-secret"),
        auth_method: "client_secret_basic",
        redirect_uri: Some("http://127.0.0.1:8080/callback"),
        grant_types: &["authorization_code", "refresh_token"],
        response_types: &["code"],
        application_type: "web",
    };

    /// `spa-client`: public (PKCE required), authorization code + refresh tokens (rotated),
    /// redirect `http://127.0.0.1:5173/callback`.
    pub const SPA: DevClient = DevClient {
        id: "spa-client",
        secret: None,
        auth_method: "none",
        redirect_uri: Some("http://127.0.0.1:5173/callback"),
        grant_types: &["authorization_code", "refresh_token"],
        response_types: &["code"],
        application_type: "web",
    };

    /// `native-client`: public native app (PKCE required), authorization code + refresh
    /// tokens, redirect `http://127.0.0.1/callback` — any port is accepted on the loopback
    /// (RFC 8252 §7.3), so `http://127.0.0.1:PORT/callback` works.
    pub const NATIVE: DevClient = DevClient {
        id: "native-client",
        secret: None,
        auth_method: "none",
        redirect_uri: Some("http://127.0.0.1/callback"),
        grant_types: &["authorization_code", "refresh_token"],
        response_types: &["code"],
        application_type: "native",
    };

    /// `spa-login-client`: public, implicit with `response_type=id_token` only (no access
    /// token), for `response_mode=form_post`; redirect `https://127.0.0.1/callback` (nothing
    /// has to listen there).
    pub const SPA_LOGIN: DevClient = DevClient {
        id: "spa-login-client",
        secret: None,
        auth_method: "none",
        redirect_uri: Some("https://127.0.0.1/callback"),
        grant_types: &["implicit"],
        response_types: &["id_token"],
        application_type: "web",
    };

    /// `trusted-client` / `trusted-secret`: the `password` grant + refresh tokens,
    /// `client_secret_basic`.
    pub const TRUSTED: DevClient = DevClient {
        id: "trusted-client",
        secret: Some("trusted-secret"),
        auth_method: "client_secret_basic",
        redirect_uri: None,
        grant_types: &["password", "refresh_token"],
        response_types: &[],
        application_type: "web",
    };

    /// `device-client`: public, device code + refresh tokens.
    pub const DEVICE: DevClient = DevClient {
        id: "device-client",
        secret: None,
        auth_method: "none",
        redirect_uri: None,
        grant_types: &[DEVICE_CODE_GRANT, "refresh_token"],
        response_types: &[],
        application_type: "web",
    };

    /// Every default client.
    pub const ALL: &[DevClient] = &[
        MACHINE,
        MACHINE_POST,
        MACHINE_SPECIAL,
        MACHINE_KEY,
        FAPI,
        FAPI_MACHINE,
        WEB,
        SPA,
        NATIVE,
        SPA_LOGIN,
        TRUSTED,
        DEVICE,
    ];
}

/// The test users. The login pages accept any login name (it becomes the `sub`) and any
/// password; the `password` grant checks these.
///
/// ```
/// assert_eq!(oauthflow_devserver::users::ALICE, "alice");
/// ```
pub mod users {
    /// `alice`: the login [`DevBrowser`](crate::DevBrowser) uses, and the password grant's user.
    pub const ALICE: &str = "alice";
    /// Alice's password: `wonderland`.
    pub const ALICE_PASSWORD: &str = "wonderland";
    /// Alice's `name` claim (scope `profile`).
    pub const ALICE_NAME: &str = "Alice Liddell";
    /// Alice's `email` claim (scope `email`).
    pub const ALICE_EMAIL: &str = "alice@example.com";
}

/// The resource servers (RFC 8707 resource indicators). A token request for one of them
/// (`resource=` or `audience=`) gets a JWT access token whose `aud` is the resource; without
/// one the access token is opaque.
///
/// ```
/// use oauthflow_devserver::resources;
/// assert_eq!(resources::ORDERS, "https://api.example.com/orders");
/// assert!(resources::ORDERS_SCOPES.contains(&"read:orders"));
/// ```
pub mod resources {
    /// `https://api.example.com/orders`, scopes [`ORDERS_SCOPES`].
    pub const ORDERS: &str = "https://api.example.com/orders";
    /// The scopes of [`ORDERS`].
    pub const ORDERS_SCOPES: &[&str] = &["read:orders", "write:orders"];
    /// `https://api.example.com/billing`, scopes [`BILLING_SCOPES`].
    pub const BILLING: &str = "https://api.example.com/billing";
    /// The scopes of [`BILLING`].
    pub const BILLING_SCOPES: &[&str] = &["read:billing"];
    /// Both.
    pub const ALL: &[&str] = &[ORDERS, BILLING];
}
