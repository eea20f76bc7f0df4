//! `profile = "fapi2"` (C19 at compile time; here its run time) against oidc-provider with its
//! FAPI 2.0 profile for the `fapi-` clients (PKCE, assertion `aud` = issuer, explicit
//! `redirect_uri` enforced by the server; PAR required, DPoP-bound tokens and ES256 ID tokens
//! registered): the web client signs in through PAR with private_key_jwt, gets DPoP-bound
//! tokens and an ES256 ID token, refreshes, and calls userinfo — a protected resource that
//! checks the binding; the machine client does client credentials with private_key_jwt + DPoP.
//! What only the client checks (ID-token algorithms, RFC 9207 `iss` announced) is also tested
//! where the server is made to break it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauthflow_devserver::{DevOptions, DevProvider, clients, jwt};
use serde_json::{Value, json};

use super::common::{self, Client, ORDERS, dev_login};
use crate::client_auth::AuthMethod;
use crate::spec::ClientSpec;
use crate::{AudienceParam, ClientKey, ConfigError, Error, Flow, Kind, PrivateKeyJwt, Settings};

/// What `#[oauth_client(kind = "web", profile = "fapi2", scopes = ["openid"], refresh_tokens)]`
/// emits: the profile and what it implies.
static BANK: ClientSpec = ClientSpec::new("Bank", Kind::Web, Flow::AuthorizationCode, "BANK")
    .scopes(&["openid"])
    .redirect_uri("http://127.0.0.1:8080/callback")
    .refresh_tokens()
    .private_key_jwt()
    .par()
    .dpop()
    .fapi2();

/// `#[oauth_client(kind = "machine", profile = "fapi2", audiences = [..])]`.
static SETTLEMENT: ClientSpec = ClientSpec::new(
    "Settlement",
    Kind::Machine,
    Flow::ClientCredentials,
    "SETTLEMENT",
)
.audiences(&[ORDERS])
.audience_param(AudienceParam::Resource)
.private_key_jwt()
.dpop()
.fapi2();

fn settings(provider: &DevProvider, client: &str) -> Settings<PrivateKeyJwt> {
    let key = ClientKey::from_jwk(clients::MACHINE_KEY_JWK).unwrap();
    Settings::private_key_jwt(client, key).issuer(provider.issuer())
}

fn header(jwt: &str) -> Value {
    let part = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn e2e_fapi2_web_client_signs_in_refreshes_and_calls_a_bound_resource() {
    assert_eq!(BANK.client_auth, Some(AuthMethod::PrivateKeyJwt));
    let mut options = DevOptions::new();
    options.dpop_require_nonce = true;
    let provider = DevProvider::start_with(options).await.unwrap();
    let bank = Client::new(&BANK, settings(&provider, clients::FAPI.id)).unwrap();
    bank.discover().await.unwrap();

    let (url, pending) = bank.authorize_url(None).await.unwrap();
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "pushed (PAR)");
    let callback = dev_login(&provider, &url).await;
    let tokens = bank.exchange_code(pending, &callback).await.unwrap();
    assert!(tokens.is_dpop_bound());
    assert_eq!(header(tokens.id_token().unwrap())["alg"], "ES256");
    assert!(tokens.refresh_token().is_some());

    let refreshed = bank.refresh(&tokens).await.unwrap();
    assert!(refreshed.is_dpop_bound());
    // Userinfo checks the DPoP binding (the proof's key against the token's `cnf.jkt`, `ath`).
    let info = bank.userinfo(&refreshed).await.unwrap();
    assert_eq!(
        Some(info.subject()),
        tokens.id_token_claims().map(|c| c.subject())
    );
    // The same token without the proof of the key is refused there.
    let metadata: Value = reqwest::get(format!(
        "{}/.well-known/openid-configuration",
        provider.issuer()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let as_bearer = reqwest::Client::new()
        .get(metadata["userinfo_endpoint"].as_str().unwrap())
        .bearer_auth(refreshed.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(as_bearer.status(), 401);
}

#[tokio::test]
async fn e2e_fapi2_machine_client_credentials_with_private_key_jwt_and_dpop() {
    let provider = DevProvider::start().await.unwrap();
    let settlement =
        Client::new(&SETTLEMENT, settings(&provider, clients::FAPI_MACHINE.id)).unwrap();
    settlement.discover().await.unwrap();
    let token = settlement.bearer_token(Some(ORDERS)).await.unwrap();
    assert!(token.is_dpop());
    let claims = jwt::payload(token.secret());
    assert_eq!(claims["client_id"], clients::FAPI_MACHINE.id);
    assert_eq!(
        claims["cnf"]["jkt"],
        settlement.dpop().unwrap().key().thumbprint()
    );
}

/// FAPI 2.0 §5.4.1: an ID token signed RS256 is refused, even from the real server — and the
/// tokens it issued with it come back inside `CommittedButUnverified`, not lost.
#[tokio::test]
async fn e2e_fapi2_refuses_an_rs256_id_token() {
    let mut client = serde_json::to_value(json!({
        "client_id": "fapi-rs256",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "redirect_uris": ["http://127.0.0.1:8080/callback"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "dpop_bound_access_tokens": true,
        "id_token_signed_response_alg": "RS256",
    }))
    .unwrap();
    let public: Value = serde_json::from_str(clients::MACHINE_KEY_JWK).unwrap();
    let mut public = public.as_object().unwrap().clone();
    public.remove("d");
    client["jwks"] = json!({ "keys": [public] });
    let provider = DevProvider::start_with(DevOptions::new().client(client))
        .await
        .unwrap();
    let bank = Client::new(&BANK, settings(&provider, "fapi-rs256")).unwrap();
    let (url, pending) = bank.authorize_url(None).await.unwrap();
    let callback = dev_login(&provider, &url).await;
    let err = bank.exchange_code(pending, &callback).await.unwrap_err();
    assert!(
        matches!(err.check_failed(), Error::IdTokenInvalid { .. }),
        "{err:?}"
    );
    let kept = err.committed_tokens().expect("the issued tokens are kept");
    assert!(kept.refresh_token().is_some() && kept.id_token().is_none());
}

/// FAPI 2.0 requires RFC 9207 `iss` in authorization responses: a server whose metadata does
/// not announce it is refused at `discover()` and before any authorization request.
#[tokio::test]
async fn fapi2_needs_a_server_that_sends_iss() {
    let peer = common::peer_with(|m| {
        m["authorization_response_iss_parameter_supported"] = json!(false);
        m["token_endpoint_auth_methods_supported"] = json!(["private_key_jwt"]);
        m["dpop_signing_alg_values_supported"] = json!(["ES256"]);
        m["pushed_authorization_request_endpoint"] = json!(m["token_endpoint"]);
    })
    .await;
    let key = ClientKey::from_jwk(clients::MACHINE_KEY_JWK).unwrap();
    let bank = Client::new(
        &BANK,
        Settings::private_key_jwt("bank", key).issuer(peer.base()),
    )
    .unwrap();
    for err in [
        bank.discover().await.unwrap_err(),
        bank.authorize_url(None).await.unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::Config(ConfigError::Discovery { reason }) if reason.contains("authorization_response_iss_parameter_supported")),
            "{err:?}"
        );
    }
    assert!(peer.requests_to("/token").is_empty(), "nothing pushed");
}
