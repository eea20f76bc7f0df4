//! DPoP (R31, RFC 9449) end to end against oidc-provider (`features.dPoP`, with and without
//! `requireNonce`), and against a fault peer for what a real server will not do: demand a new
//! nonce forever, issue a bearer token to a DPoP request, announce no DPoP support.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauthflow_devserver::fault::{FaultPeer, Reply};
use oauthflow_devserver::{DevOptions, DevProvider, clients, jwt};
use serde_json::{Value, json};

use super::common::{
    self, BILLING, Client, MACHINE, ORDERS, SPA, WEB, dev_confidential_settings, dev_login,
    dev_public_settings,
};
use crate::spec::ClientSpec;
use crate::{DpopKey, Error, Settings, TokenSet};

static MACHINE_DPOP: ClientSpec = ClientSpec {
    dpop: true,
    ..MACHINE
};
static WEB_DPOP: ClientSpec = ClientSpec { dpop: true, ..WEB };
static SPA_DPOP: ClientSpec = ClientSpec { dpop: true, ..SPA };
/// Signs users in (`openid`) for no audience: oidc-provider answers userinfo only for access
/// tokens issued without a resource.
static PORTAL_DPOP: ClientSpec = ClientSpec::new(
    "Portal",
    crate::Kind::Web,
    crate::Flow::AuthorizationCode,
    "PORTAL",
)
.scopes(&["openid"])
.redirect_uri("http://127.0.0.1:8080/callback")
.dpop();

/// The `DPoP` proofs a fault peer saw at `path`, decoded: (header, claims).
fn proofs(peer: &FaultPeer, path: &str) -> Vec<(Value, Value)> {
    peer.requests_to(path)
        .iter()
        .map(|r| {
            let proof = r.header("dpop").expect("every request carries a proof");
            let part = |i| {
                let part = proof.split('.').nth(i).unwrap();
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
            };
            (part(0), part(1))
        })
        .collect()
}

fn dpop_token(access_token: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"access_token": access_token, "token_type": "DPoP", "expires_in": expires_in}),
    )
}

async fn dpop_peer() -> FaultPeer {
    common::peer_with(|m| m["dpop_signing_alg_values_supported"] = json!(["ES256", "EdDSA"])).await
}

/// R31 at the real server, nonce required: the first token request is answered
/// `use_dpop_nonce`, the one retry carries the nonce and gets `token_type=DPoP`; the token is
/// bound to the client instance's key (`cnf.jkt` is its thumbprint) and sent as `DPoP`.
#[tokio::test]
async fn e2e_machine_client_credentials_with_required_nonce() {
    let mut options = DevOptions::new();
    options.dpop_require_nonce = true;
    let provider = DevProvider::start_with(options).await.unwrap();
    let client = Client::new(
        &MACHINE_DPOP,
        dev_confidential_settings(&provider, clients::MACHINE),
    )
    .unwrap();
    client.discover().await.unwrap();
    let dpop = client.dpop().expect("a DPoP client");
    for audience in [ORDERS, BILLING] {
        let token = client.bearer_token(Some(audience)).await.unwrap();
        assert!(token.is_dpop());
        assert!(
            token.authorization().to_str().unwrap().starts_with("DPoP "),
            "sent as a DPoP token"
        );
        let claims = jwt::payload(token.secret());
        assert_eq!(claims["aud"], audience);
        assert_eq!(
            claims["cnf"]["jkt"],
            dpop.key().thumbprint(),
            "bound to this instance's key"
        );
    }
    let token_endpoint = url::Url::parse(&format!("{}/token", provider.issuer())).unwrap();
    assert!(
        dpop.nonce_for(&token_endpoint).is_some(),
        "the server's nonce was kept"
    );
}

/// A second client instance has its own key: the same server binds its tokens to another
/// thumbprint.
#[tokio::test]
async fn e2e_each_instance_has_its_own_key() {
    let provider = DevProvider::start().await.unwrap();
    let thumbprints: Vec<String> = futures_jkt(&provider).await;
    assert_ne!(thumbprints[0], thumbprints[1]);
}

async fn futures_jkt(provider: &DevProvider) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..2 {
        let client = Client::new(
            &MACHINE_DPOP,
            dev_confidential_settings(provider, clients::MACHINE),
        )
        .unwrap();
        let token = client.bearer_token(Some(ORDERS)).await.unwrap();
        let jkt = jwt::payload(token.secret())["cnf"]["jkt"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(jkt, client.dpop().unwrap().key().thumbprint());
        out.push(jkt);
    }
    out
}

/// R31 for a user's tokens: the web client's code exchange, refresh and userinfo call all
/// carry proofs; the tokens are DPoP-bound (`is_dpop_bound`), the refreshed one to the same key.
#[tokio::test]
async fn e2e_web_code_flow_refresh_and_userinfo() {
    let mut options = DevOptions::new();
    options.dpop_require_nonce = true;
    let provider = DevProvider::start_with(options).await.unwrap();
    let client = Client::new(
        &WEB_DPOP,
        dev_confidential_settings(&provider, clients::WEB),
    )
    .unwrap();
    let thumbprint = client.dpop().unwrap().key().thumbprint().to_owned();
    let tokens = login(&client, &provider, Some(ORDERS)).await;
    assert!(tokens.is_dpop_bound());
    assert_eq!(
        jwt::payload(tokens.access_token().secret())["cnf"]["jkt"],
        thumbprint.as_str()
    );
    let refreshed = client.refresh(&tokens).await.unwrap();
    assert!(refreshed.is_dpop_bound());
    assert_eq!(
        jwt::payload(refreshed.access_token().secret())["cnf"]["jkt"],
        thumbprint.as_str()
    );
    // Userinfo: a token without a resource (oidc-provider serves userinfo only for those),
    // sent as `DPoP` with a proof carrying `ath`; the server's nonce is asked for and sent.
    let portal = Client::new(
        &PORTAL_DPOP,
        dev_confidential_settings(&provider, clients::WEB),
    )
    .unwrap();
    let tokens = login(&portal, &provider, None).await;
    assert!(tokens.is_dpop_bound());
    let info = portal.userinfo(&tokens).await.unwrap();
    assert_eq!(
        Some(info.subject()),
        tokens.id_token_claims().map(|c| c.subject())
    );
}

/// A public client's refresh tokens are DPoP-bound too (RFC 9449 §5): the SPA refreshes with a
/// proof of the same key, and a client instance with another key cannot use them.
#[tokio::test]
async fn e2e_public_client_refresh_token_is_bound_to_the_key() {
    let provider = DevProvider::start().await.unwrap();
    let client = Client::new(&SPA_DPOP, dev_public_settings(&provider, clients::SPA)).unwrap();
    let tokens = login(&client, &provider, Some(ORDERS)).await;
    assert!(tokens.is_dpop_bound());
    let other = Client::new(&SPA_DPOP, dev_public_settings(&provider, clients::SPA)).unwrap();
    let err = other.refresh(&tokens).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err}");
    let refreshed = client.refresh(&tokens).await.unwrap();
    assert!(refreshed.is_dpop_bound());
}

async fn login(
    client: &Client,
    provider: &DevProvider,
    audience: Option<&'static str>,
) -> TokenSet {
    let (url, pending) = client.authorize_url(audience).await.unwrap();
    let callback = dev_login(provider, &url).await;
    client.exchange_code(pending, &callback).await.unwrap()
}

/// The proof as the peer sees it: `typ`, `alg`, public `jwk`; `htm`, `htu` (no query), `iat`,
/// a fresh `jti` each time, no `ath` at the token endpoint; the nonce of the `DPoP-Nonce` the
/// server sent, in the retry.
#[tokio::test]
async fn proofs_at_the_token_endpoint() {
    let peer = dpop_peer().await;
    peer.script(
        "/token",
        vec![
            Reply::json(400, json!({"error": "use_dpop_nonce"})).header("DPoP-Nonce", "n-1"),
            dpop_token("t1", 300),
        ],
    );
    let client = Client::new(&MACHINE_DPOP, common::peer_settings(&peer, "s3cret")).unwrap();
    client.discover().await.unwrap();
    let token = client.bearer_token(Some(ORDERS)).await.unwrap();
    assert_eq!(token.secret(), "t1");
    let proofs = proofs(&peer, "/token");
    assert_eq!(proofs.len(), 2, "one retry");
    let thumbprint = client.dpop().unwrap().key().thumbprint().to_owned();
    for (header, claims) in &proofs {
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(header["jwk"].get("d").is_none());
        assert_eq!(crate::dpop::jwk_thumbprint(&header["jwk"]), thumbprint);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], peer.url("/token"));
        assert!(claims["iat"].is_u64());
        assert!(claims.get("ath").is_none());
    }
    assert!(proofs[0].1.get("nonce").is_none());
    assert_eq!(proofs[1].1["nonce"], "n-1");
    assert_ne!(proofs[0].1["jti"], proofs[1].1["jti"]);
}

/// R31's fault case: a server that demands a new nonce every time gets exactly two attempts,
/// then the caller gets the typed OAuth error.
#[tokio::test]
async fn a_server_that_always_wants_a_new_nonce_gets_two_attempts() {
    let peer = dpop_peer().await;
    let mut nonce = 0;
    peer.script(
        "/token",
        std::iter::repeat_with(|| {
            nonce += 1;
            Reply::json(400, json!({"error": "use_dpop_nonce"}))
                .header("DPoP-Nonce", &format!("n-{nonce}"))
        })
        .take(5)
        .collect(),
    );
    let client = Client::new(&MACHINE_DPOP, common::peer_settings(&peer, "s3cret")).unwrap();
    let err = client.bearer_token(Some(ORDERS)).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("use_dpop_nonce"), "{err}");
    assert_eq!(peer.requests_to("/token").len(), 2, "exactly two attempts");
}

/// `token_type=Bearer` to a request with a proof is refused (RFC 9449 §5), and a refresh's
/// tokens are not lost: they come back inside `CommittedButUnverified`.
#[tokio::test]
async fn a_bearer_token_is_refused_and_nothing_is_lost() {
    let peer = dpop_peer().await;
    peer.script("/token", vec![common::bearer("t1", 300)]);
    let client = Client::new(&MACHINE_DPOP, common::peer_settings(&peer, "s3cret")).unwrap();
    let err = client.bearer_token(Some(ORDERS)).await.unwrap_err();
    assert!(
        matches!(err.check_failed(), Error::InvalidResponse { reason, .. } if reason.contains("RFC 9449")),
        "{err:?}"
    );
    assert!(
        err.committed_tokens().is_some(),
        "the issued tokens stay reachable"
    );
}

/// Typed at `discover()`: a server whose metadata lists no DPoP algorithms, or not the key's.
#[tokio::test]
async fn a_server_without_dpop_fails_discover() {
    for algs in [None, Some(json!(["RS256"]))] {
        let peer = common::peer_with(|m| {
            if let Some(algs) = algs.clone() {
                m["dpop_signing_alg_values_supported"] = algs;
            }
        })
        .await;
        let client = Client::new(&MACHINE_DPOP, common::peer_settings(&peer, "s3cret")).unwrap();
        let err = client.discover().await.unwrap_err();
        assert!(
            matches!(&err, Error::Config(crate::ConfigError::Discovery { reason }) if reason.contains("dpop_signing_alg_values_supported")),
            "{err:?}"
        );
    }
}

/// Settings: a key for a client without DPoP, and a shared store with a generated key, are
/// configuration errors; a supplied key is the one proofs are signed with.
#[test]
fn dpop_settings() {
    let settings = || {
        Settings::confidential("c", crate::ClientSecret::new("s".into()))
            .issuer("https://as.example/")
    };
    let key = DpopKey::generate().unwrap();
    assert!(Client::new(&MACHINE, settings().dpop_key(key.clone())).is_err());
    let err = Client::new(
        &MACHINE_DPOP,
        settings().token_store(crate::token_store::InMemoryTokenStore::new()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("dpop_key"), "{err}");
    let client = Client::new(&MACHINE_DPOP, settings().dpop_key(key.clone())).unwrap();
    assert_eq!(client.dpop().unwrap().key().thumbprint(), key.thumbprint());
    let shared = Client::new(
        &MACHINE_DPOP,
        settings()
            .dpop_key(key)
            .token_store(crate::token_store::InMemoryTokenStore::new()),
    );
    assert!(shared.is_ok());
}

/// R31 for the device grant: the polls carry proofs, the server's nonce demand is met at once
/// (one more request, not one more interval), and the token is DPoP-bound to the key.
#[tokio::test]
async fn e2e_device_flow_with_required_nonce() {
    static DEVICE_DPOP: ClientSpec = ClientSpec::new(
        "TvApp",
        crate::Kind::Device,
        crate::Flow::DeviceCode,
        "TV_APP",
    )
    .audiences(&[ORDERS])
    .audience_param(crate::AudienceParam::Resource)
    .scopes(&["openid", "read:orders"])
    .dpop();
    let mut options = DevOptions::new();
    options.dpop_require_nonce = true;
    let provider = DevProvider::start_with(options).await.unwrap();
    let client = Client::new(
        &DEVICE_DPOP,
        dev_public_settings(&provider, clients::DEVICE),
    )
    .unwrap();
    let authorization = client.device_authorization(Some(ORDERS)).await.unwrap();
    let tokens = common::approve_and_poll(&provider, &client, &authorization).await;
    assert!(tokens.is_dpop_bound());
    assert_eq!(
        jwt::payload(tokens.access_token().secret())["cnf"]["jkt"],
        client.dpop().unwrap().key().thumbprint()
    );
}
