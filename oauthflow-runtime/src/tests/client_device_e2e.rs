//! `Client` end to end for the device flow (`device`) against the real oidc-provider
//! (`device-client`): `device_authorization(audience)` → the user approves on the provider's
//! pages → `poll_device` (R28); the audience reaches the access token with either parameter
//! (R11), and the ID token is validated (R22).

use super::common;

use crate::spec::ClientSpec;
use crate::{AudienceParam, Flow, Kind};
use common::dev_public;
use oauthflow_devserver::jwt::payload;
use oauthflow_devserver::{DevProvider, clients, resources, users};

// No issuer or endpoints in the spec: discovery at the configured issuer.
static DEVICE: ClientSpec = ClientSpec::new("TvApp", Kind::Device, Flow::DeviceCode, "TV_APP")
    .audiences(&[resources::ORDERS, resources::BILLING])
    .audience_param(AudienceParam::Resource)
    .scopes(&["openid", "read:orders"]);

static DEVICE_AUDIENCE_PARAM: ClientSpec = ClientSpec {
    audience_param: AudienceParam::Audience,
    scopes: &["openid", "read:billing"],
    ..DEVICE
};

async fn run(spec: &'static ClientSpec, audience: &'static str) {
    let provider = DevProvider::start().await.expect("provider");
    let client = dev_public(spec, &provider, clients::DEVICE);
    let authorization = client.device_authorization(Some(audience)).await.unwrap();
    assert!(!authorization.user_code().is_empty());
    assert_eq!(authorization.audience(), Some(audience));
    let tokens = common::approve_and_poll(&provider, &client, &authorization).await;

    let access = payload(tokens.access_token().secret());
    assert_eq!(access["aud"], audience, "{access}");
    assert_eq!(access["client_id"], clients::DEVICE.id);
    assert_eq!(tokens.audience(), Some(audience));
    let id_token = payload(tokens.id_token().expect("openid: a validated ID token"));
    assert_eq!(id_token["sub"], users::ALICE);
    assert_eq!(id_token["aud"], clients::DEVICE.id);
    assert_eq!(
        provider
            .grant_stats()
            .await
            .unwrap()
            .for_client(clients::DEVICE.id),
        1
    );
}

#[tokio::test]
async fn client_device_e2e() {
    run(&DEVICE, resources::ORDERS).await;
}

/// Auth0-style `audience`: sent on the device authorization request; the access token still
/// names it (the provider keeps the granted resource).
#[tokio::test]
async fn client_device_e2e_audience_param() {
    run(&DEVICE_AUDIENCE_PARAM, resources::BILLING).await;
}
