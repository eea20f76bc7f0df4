//! Helpers shared by the runtime's protocol tests (`crate::tests`): hand-written specs (the
//! macro is not needed here), metadata and clients for a fault peer, clients of the real
//! provider (`DevProvider`), query and raw-HTTP helpers, and a capturing tracing writer.
//!
//! Not every helper is used by a test today, so `dead_code` is allowed here.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use crate::spec::ClientSpec;
use crate::{
    AudienceParam, ClientSecret, Confidential, Error, Flow, Kind, PendingAuthorization, Public,
    Settings, TokenSet, Url,
};
use oauthflow_devserver::fault::{FaultPeer, Reply};
use oauthflow_devserver::{DevClient, DevProvider};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod any_client;
pub use any_client::Client;

pub const ORDERS: &str = "https://api.example.com/orders";
pub const BILLING: &str = "https://api.example.com/billing";

pub static MACHINE: ClientSpec = ClientSpec::new(
    "ImportJob",
    Kind::Machine,
    Flow::ClientCredentials,
    "IMPORT_JOB",
)
.audiences(&[ORDERS, BILLING])
.audience_param(AudienceParam::Resource);

pub static MACHINE_AUDIENCE_PARAM: ClientSpec = ClientSpec {
    audience_param: AudienceParam::Audience,
    ..MACHINE
};

pub static WEB: ClientSpec =
    ClientSpec::new("WebApp", Kind::Web, Flow::AuthorizationCode, "WEB_APP")
        .audiences(&[ORDERS, BILLING])
        .audience_param(AudienceParam::Resource)
        .scopes(&["read:orders"])
        .redirect_uri("http://127.0.0.1:8080/callback")
        .refresh_tokens();

pub static SPA: ClientSpec =
    ClientSpec::new("SpaApp", Kind::Spa, Flow::AuthorizationCodePkce, "SPA_APP")
        .audiences(&[ORDERS])
        .audience_param(AudienceParam::Resource)
        .redirect_uri("http://127.0.0.1:5173/callback")
        .refresh_tokens();

pub static TRUSTED: ClientSpec =
    ClientSpec::new("LegacyTool", Kind::Trusted, Flow::Password, "LEGACY_TOOL")
        .audiences(&[ORDERS])
        .audience_param(AudienceParam::Resource);

/// The discovery document of a fault peer acting as issuer `peer.base()`.
pub fn metadata(peer: &FaultPeer) -> Value {
    json!({
        "issuer": peer.base(),
        "authorization_endpoint": peer.url("/auth"),
        "token_endpoint": peer.url("/token"),
        "jwks_uri": peer.url("/jwks"),
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["code"],
    })
}

/// Starts a fault peer serving [`metadata`] (optionally edited).
pub async fn peer_with(edit: impl FnOnce(&mut Value)) -> FaultPeer {
    let peer = FaultPeer::start().await.expect("fault peer");
    let mut doc = metadata(&peer);
    edit(&mut doc);
    peer.on("/.well-known/openid-configuration", Reply::json(200, doc));
    peer
}

/// Starts a fault peer serving [`metadata`] as it is.
pub async fn peer() -> FaultPeer {
    peer_with(|_| {}).await
}

/// A successful token response: a bearer `access_token` valid for `expires_in` seconds.
pub fn bearer(access_token: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}),
    )
}

/// Confidential settings for the fault peer as issuer: client `the-client` with `secret`.
pub fn peer_settings(peer: &FaultPeer, secret: &str) -> Settings<Confidential> {
    Settings::confidential("the-client", ClientSecret::new(secret.into())).issuer(peer.base())
}

/// A confidential client (`the-client`) of the fault peer.
pub fn confidential(spec: &'static ClientSpec, peer: &FaultPeer, secret: &str) -> Client {
    Client::new(spec, peer_settings(peer, secret)).expect("valid settings")
}

/// A public client (`the-spa`) of the fault peer.
pub fn public(spec: &'static ClientSpec, peer: &FaultPeer) -> Client {
    Client::new(spec, Settings::public("the-spa").issuer(peer.base())).expect("valid settings")
}

/// A fault peer whose token endpoint answers `replies` in turn (the last one repeats), and a
/// confidential client of it.
pub async fn scripted(
    spec: &'static ClientSpec,
    secret: &str,
    replies: Vec<Reply>,
) -> (FaultPeer, Client) {
    let peer = peer().await;
    peer.script("/token", replies);
    let client = confidential(spec, &peer, secret);
    (peer, client)
}

/// [`scripted`] for a [`MACHINE`] client with the secret `machine-secret`.
pub async fn machine_with(replies: Vec<Reply>) -> (FaultPeer, Client) {
    scripted(&MACHINE, "machine-secret", replies).await
}

/// A client-credentials access token for `audience`, which must be issued.
pub async fn cc_token(client: &Client, audience: &'static str) -> String {
    client
        .client_credentials_token(Some(audience))
        .await
        .expect("a client-credentials token")
        .secret()
        .clone()
}

/// The error of a client-credentials request for `audience`, which must fail.
pub async fn cc_error(client: &Client, audience: &'static str) -> Error {
    client
        .client_credentials_token(Some(audience))
        .await
        .expect_err("a client-credentials error")
}

/// Confidential settings for a default client of the real provider.
pub fn dev_confidential_settings(
    provider: &DevProvider,
    client: DevClient,
) -> Settings<Confidential> {
    let secret = client.secret.expect("a confidential client");
    Settings::confidential(client.id, ClientSecret::new(secret.into())).issuer(provider.issuer())
}

/// A confidential client of the real provider, as the default client `client`.
pub fn dev_confidential(
    spec: &'static ClientSpec,
    provider: &DevProvider,
    client: DevClient,
) -> Client {
    Client::new(spec, dev_confidential_settings(provider, client)).expect("valid settings")
}

/// Public settings for a default client of the real provider.
pub fn dev_public_settings(provider: &DevProvider, client: DevClient) -> Settings<Public> {
    Settings::public(client.id).issuer(provider.issuer())
}

/// A public client of the real provider, as the default client `client`.
pub fn dev_public(spec: &'static ClientSpec, provider: &DevProvider, client: DevClient) -> Client {
    Client::new(spec, dev_public_settings(provider, client)).expect("valid settings")
}

/// Signs in (and consents) on the real provider's pages; returns the callback URL.
pub async fn dev_login(provider: &DevProvider, authorize_url: &Url) -> String {
    provider
        .login(authorize_url)
        .await
        .expect("login and consent")
        .to_string()
}

/// The user's part of a device flow and the client's: approves `authorization` on the
/// provider's pages (300 ms in, while the client already polls) and returns the tokens the
/// polls get (oidc-provider names no interval: the first poll comes after 5 s).
pub async fn approve_and_poll(
    provider: &DevProvider,
    client: &Client,
    authorization: &crate::DeviceAuthorization,
) -> TokenSet {
    let complete = authorization
        .verification_uri_complete()
        .expect("verification_uri_complete")
        .to_owned();
    let browser = provider.browser();
    let approval = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        browser.approve_device(&complete).await
    });
    let tokens = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        client.poll_device(authorization),
    )
    .await
    .expect("tokens within a minute")
    .expect("tokens after approval");
    approval
        .await
        .unwrap()
        .expect("approved on the provider's pages");
    tokens
}

/// The (first) value of query parameter `name`.
pub fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Sends `request` as is to 127.0.0.1:`port`; returns the status code (0 if there is none) and
/// the whole response.
pub async fn raw_http(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

/// A callback URL for `pending` as the fault peer (issuer) would send it.
pub fn callback(pending_state: &str, code: &str, iss: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code)
        .append_pair("state", pending_state)
        .append_pair("iss", iss)
        .finish();
    format!("http://127.0.0.1:8080/callback?{query}")
}

/// Redeems `code` for `pending` through the callback the fault peer (as issuer) would send.
pub async fn redeem(
    client: &Client,
    pending: &PendingAuthorization,
    code: &str,
    peer: &FaultPeer,
) -> Result<TokenSet, Error> {
    client
        .exchange_code(
            pending.clone(),
            &callback(pending.state(), code, &peer.base()),
        )
        .await
}

/// A tracing writer that keeps everything written, for "no secret in the logs" checks.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs (once per test binary) a global TRACE subscriber writing into a [`Captured`]; `init`
/// also bridges the `log` crate into it (tracing-subscriber's `tracing-log` feature), so records
/// that reqwest and openidconnect emit through `log` are captured too.
///
/// The crate's unit tests share that binary: from then on every test without a subscriber of
/// its own logs into it (which is why `token_manager_alloc` sets a thread-local no-op one).
pub fn capture_logs() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(move || writer.clone())
                .init();
            captured
        })
        .clone()
}
