//! `private_key_jwt` (R30, RFC 7523): end to end against oidc-provider with a client registered
//! with the public half of a key generated per test, and the assertion's claims as a fault
//! peer decodes them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauthflow_devserver::fault::FaultPeer;
use oauthflow_devserver::{DevOptions, DevProvider, jwt};
use serde_json::{Value, json};

use super::common::{self, BILLING, Client, MACHINE, ORDERS, WEB, bearer, dev_login};
use crate::assertion::JWT_BEARER;
use crate::client_auth::AuthMethod;
use crate::client_key::generated_p256;
use crate::spec::ClientSpec;
use crate::{
    AssertionSigner, ClientKey, ConfigError, Error, PrivateKeyJwt, Settings, SignFuture,
    SignerError,
};

static MACHINE_KEY: ClientSpec = ClientSpec {
    client_auth: Some(AuthMethod::PrivateKeyJwt),
    ..MACHINE
};

static WEB_KEY: ClientSpec = ClientSpec {
    client_auth: Some(AuthMethod::PrivateKeyJwt),
    ..WEB
};

/// oidc-provider client metadata for a `private_key_jwt` client with `jwk` (public) registered.
pub(super) fn registration(client_id: &str, jwk: &Value, code_flow: bool) -> Value {
    let mut client = json!({
        "client_id": client_id,
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "jwks": { "keys": [jwk] },
        "grant_types": ["client_credentials"],
        "response_types": [],
        "redirect_uris": [],
    });
    if code_flow {
        client["grant_types"] = json!(["authorization_code", "refresh_token"]);
        client["response_types"] = json!(["code"]);
        client["redirect_uris"] = json!(["http://127.0.0.1:8080/callback"]);
    }
    client
}

/// R30 at the real server: client credentials authenticated with a signed assertion, twice
/// (two audiences, so two assertions: the server refuses a replayed `jti`).
#[tokio::test]
async fn e2e_machine_client_credentials_with_private_key_jwt() {
    let (key, jwk) = generated_p256("machine-key-1");
    let provider =
        DevProvider::start_with(DevOptions::new().client(registration("key-machine", &jwk, false)))
            .await
            .unwrap();
    let client = Client::new(
        &MACHINE_KEY,
        Settings::private_key_jwt("key-machine", key).issuer(provider.issuer()),
    )
    .unwrap();
    client.discover().await.unwrap();
    for audience in [ORDERS, BILLING] {
        let token = client
            .client_credentials_token(Some(audience))
            .await
            .unwrap();
        let claims = jwt::payload(token.secret());
        assert_eq!(claims["client_id"], "key-machine");
        assert_eq!(claims["aud"], audience);
    }
    assert_eq!(provider.grant_count().await.unwrap(), 2);
}

/// R30 at the real server: the code flow of a `web` client — its code exchange, its refresh and
/// its revocation each authenticated with a fresh assertion.
#[tokio::test]
async fn e2e_web_code_flow_and_refresh_with_private_key_jwt() {
    let (key, jwk) = generated_p256("web-key-1");
    let provider =
        DevProvider::start_with(DevOptions::new().client(registration("key-web", &jwk, true)))
            .await
            .unwrap();
    let client = Client::new(
        &WEB_KEY,
        Settings::private_key_jwt("key-web", key).issuer(provider.issuer()),
    )
    .unwrap();
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    assert_eq!(
        jwt::payload(tokens.access_token().secret())["client_id"],
        "key-web"
    );
    assert!(tokens.refresh_token().is_some(), "offline access granted");
    let refreshed = client.refresh(&tokens).await.unwrap();
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    // Revocation authenticates the same way (RFC 7009 §2.1); the grant is then gone. (A new
    // grant: oidc-provider 9.13.3 keeps a grant whose refresh token was already used to
    // refresh, whatever the client authentication — seen with client_secret_basic too.)
    let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
    let callback = dev_login(&provider, &url).await;
    let tokens = client.exchange_code(pending, &callback).await.unwrap();
    client.revoke(&tokens).await.unwrap();
    let err = client.refresh(&tokens).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err}");
}

/// The real server refuses an assertion signed by a key it does not know: a typed OAuth error.
#[tokio::test]
async fn e2e_unknown_key_is_refused() {
    let (_, jwk) = generated_p256("registered");
    let (other, _) = generated_p256("registered");
    let provider =
        DevProvider::start_with(DevOptions::new().client(registration("key-machine", &jwk, false)))
            .await
            .unwrap();
    let client = Client::new(
        &MACHINE_KEY,
        Settings::private_key_jwt("key-machine", other).issuer(provider.issuer()),
    )
    .unwrap();
    let err = client
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_client"), "{err}");
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn key_peer() -> FaultPeer {
    common::peer_with(|m| m["token_endpoint_auth_methods_supported"] = json!(["private_key_jwt"]))
        .await
}

/// R30 as the peer decodes it: `iss` = `sub` = client id, `aud` = the issuer as one string,
/// distinct `jti`s, a one-minute `exp`; no secret, no Basic header.
#[tokio::test]
async fn r30_assertion_claims_at_the_peer() {
    let peer = key_peer().await;
    peer.script("/token", vec![bearer("t1", 300), bearer("t2", 300)]);
    let (key, _) = generated_p256("peer-key");
    let client = Client::new(
        &MACHINE_KEY,
        Settings::private_key_jwt("the-client", key).issuer(peer.base()),
    )
    .unwrap();
    client.discover().await.unwrap();
    client.client_credentials_token(Some(ORDERS)).await.unwrap();
    client
        .client_credentials_token(Some(BILLING))
        .await
        .unwrap();
    let requests = peer.requests_to("/token");
    assert_eq!(requests.len(), 2);
    let mut jtis = Vec::new();
    for request in &requests {
        assert!(request.header("authorization").is_none());
        assert_eq!(request.param("client_secret"), None);
        assert_eq!(request.param("client_id").as_deref(), Some("the-client"));
        assert_eq!(
            request.param("client_assertion_type").as_deref(),
            Some(JWT_BEARER)
        );
        let assertion = request.param("client_assertion").unwrap();
        let parts: Vec<&str> = assertion.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], "peer-key");
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "the-client");
        assert_eq!(claims["sub"], "the-client");
        assert_eq!(claims["aud"], Value::String(peer.base()), "one string");
        let (iat, exp) = (
            claims["iat"].as_u64().unwrap(),
            claims["exp"].as_u64().unwrap(),
        );
        assert_eq!(exp - iat, 60);
        jtis.push(claims["jti"].as_str().unwrap().to_owned());
    }
    assert_ne!(jtis[0], jtis[1], "a fresh jti per assertion");
}

/// Early, typed: a server that does not list `private_key_jwt` fails `discover()`, before
/// any token request.
#[tokio::test]
async fn server_without_private_key_jwt_fails_discover() {
    let peer = common::peer_with(|m| {
        m["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"])
    })
    .await;
    let (key, _) = generated_p256("k");
    let client = Client::new(
        &MACHINE_KEY,
        Settings::private_key_jwt("the-client", key).issuer(peer.base()),
    )
    .unwrap();
    let err = client.discover().await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(ConfigError::Discovery { reason }) if reason.contains("private_key_jwt")),
        "{err:?}"
    );
    assert!(peer.requests_to("/token").is_empty());
}

/// A key held elsewhere that fails: a typed error, and nothing is sent.
#[tokio::test]
async fn a_failing_signer_is_a_typed_error_and_sends_nothing() {
    struct Down;
    impl AssertionSigner for Down {
        fn algorithm(&self) -> &str {
            "ES256"
        }
        fn key_id(&self) -> Option<&str> {
            Some("kms-key")
        }
        fn sign<'a>(&'a self, _: &'a [u8]) -> SignFuture<'a> {
            Box::pin(async { Err(SignerError::new("the KMS is unreachable")) })
        }
    }
    let peer = key_peer().await;
    let client = Client::new(
        &MACHINE_KEY,
        Settings::private_key_jwt("the-client", ClientKey::from_signer(Down)).issuer(peer.base()),
    )
    .unwrap();
    let err = client
        .client_credentials_token(Some(ORDERS))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ClientAssertion { reason } if reason.contains("KMS")),
        "{err:?}"
    );
    assert!(peer.requests_to("/token").is_empty());
}

/// The settings type must match the attribute: a key for a secret client and the reverse are
/// refused by `new` (the macro makes both impossible; this is the backstop), and a
/// private_key_jwt client needs an issuer (the assertion's `aud`).
#[test]
fn settings_must_match_the_method() {
    let (key, _) = generated_p256("k");
    let err = Client::new(
        &MACHINE,
        Settings::private_key_jwt("c", key.clone()).issuer("https://as.example/"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("Settings::confidential"), "{err}");
    let err = Client::new(
        &MACHINE_KEY,
        Settings::confidential("c", crate::ClientSecret::new("s".into()))
            .issuer("https://as.example/"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("Settings::private_key_jwt"),
        "{err}"
    );
    let err = Client::new(
        &MACHINE_KEY,
        Settings::private_key_jwt("c", key).token_endpoint("https://as.example/token"),
    )
    .unwrap_err();
    assert!(matches!(err, ConfigError::MissingIssuer { .. }), "{err}");
}

/// `from_env`: `<PREFIX>_CLIENT_KEY` (PEM or JWK) or `<PREFIX>_CLIENT_KEY_FILE`, exactly one;
/// errors name the variable, never the key.
#[test]
fn from_env_reads_the_key() {
    let pem = crate::client_key::generated_p256_pem();
    let lookup = |pairs: Vec<(&'static str, String)>| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    };
    let id = ("JOB_CLIENT_ID", "job".to_owned());
    let settings = Settings::<PrivateKeyJwt>::from_lookup(
        "JOB",
        lookup(vec![id.clone(), ("JOB_CLIENT_KEY", pem.clone())]),
    )
    .unwrap();
    assert_eq!(settings.key.as_ref().unwrap().algorithm(), "ES256");
    let jwk = r#"{"kty":"OKP","crv":"Ed25519","kid":"ed",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;
    let dir = std::env::temp_dir().join(format!("oauthflow-key-{}", std::process::id()));
    std::fs::write(&dir, jwk).unwrap();
    let settings = Settings::<PrivateKeyJwt>::from_lookup(
        "JOB",
        lookup(vec![
            id.clone(),
            ("JOB_CLIENT_KEY_FILE", dir.display().to_string()),
        ]),
    )
    .unwrap();
    std::fs::remove_file(&dir).unwrap();
    let key = settings.key.unwrap();
    assert_eq!((key.algorithm(), key.key_id()), ("EdDSA", Some("ed")));
    let both = Settings::<PrivateKeyJwt>::from_lookup(
        "JOB",
        lookup(vec![
            id.clone(),
            ("JOB_CLIENT_KEY", pem.clone()),
            ("JOB_CLIENT_KEY_FILE", "/nonexistent".into()),
        ]),
    )
    .unwrap_err();
    assert!(matches!(both, ConfigError::InvalidEnv { .. }), "{both}");
    let missing =
        Settings::<PrivateKeyJwt>::from_lookup("JOB", lookup(vec![id.clone()])).unwrap_err();
    assert!(
        matches!(&missing, ConfigError::MissingEnv { name, .. } if name == "JOB_CLIENT_KEY"),
        "{missing}"
    );
    let secret_not_read = Settings::<PrivateKeyJwt>::from_lookup(
        "JOB",
        lookup(vec![id.clone(), ("JOB_CLIENT_SECRET", "s3cret".into())]),
    )
    .unwrap_err();
    assert!(matches!(secret_not_read, ConfigError::MissingEnv { .. }));
    let bad = Settings::<PrivateKeyJwt>::from_lookup(
        "JOB",
        lookup(vec![
            id,
            (
                "JOB_CLIENT_KEY",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into(),
            ),
        ]),
    )
    .unwrap_err();
    match bad {
        ConfigError::InvalidEnv { name, reason } => {
            assert_eq!(name, "JOB_CLIENT_KEY");
            assert!(!reason.contains("AAAA"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// Keys: EC P-256 and Ed25519 from PEM and JWK; mismatched or unsupported keys are typed
/// errors that never show key material; `Debug` shows no key material.
#[test]
fn keys_from_pem_and_jwk() {
    let pem = crate::client_key::generated_p256_pem();
    let key = ClientKey::from_pem(&pem).unwrap();
    assert_eq!((key.algorithm(), key.key_id()), ("ES256", None));
    let key = key.with_key_id("k");
    assert_eq!(key.key_id(), Some("k"));
    let debug = format!("{key:?}");
    assert!(
        debug.contains("ES256") && !debug.contains("PRIVATE"),
        "{debug}"
    );
    // RFC 7515 A.3's P-256 key, with `d` of RFC 7517 A.2's: they do not match.
    let mismatched = r#"{"kty":"EC","crv":"P-256",
      "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
      "d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#;
    let err = ClientKey::from_jwk(mismatched).unwrap_err();
    assert!(matches!(&err, ConfigError::InvalidKey { .. }), "{err}");
    assert!(!err.to_string().contains("870MB"));
    let public_only = r#"{"kty":"EC","crv":"P-256",
      "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
    assert!(
        ClientKey::from_jwk(public_only)
            .unwrap_err()
            .to_string()
            .contains("`d`")
    );
    assert!(ClientKey::from_jwk(r#"{"kty":"oct","k":"c2VjcmV0"}"#).is_err());
    assert!(
        ClientKey::from_jwk(r#"{"kty":"RSA","n":"x","e":"AQAB","d":"y"}"#)
            .unwrap_err()
            .to_string()
            .contains("PEM")
    );
    assert!(ClientKey::from_pem("not a key").is_err());
    let wrong_alg = r#"{"kty":"OKP","crv":"Ed25519","alg":"ES256",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;
    assert!(ClientKey::from_jwk(wrong_alg).is_err());
}
