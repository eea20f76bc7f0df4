//! The runtime's protocol tests, next to the code: flows against the fault-injecting peer and
//! the real oidc-provider (`oauthflow_devserver`), ID token validation, the token manager, the
//! loopback listener and the form post, through crate-internal paths (`crate::flows`,
//! `crate::id_token`, …) rather than `__private`.
//!
//! `common` and `id_token_support` hold the shared helpers.

mod common;
mod id_token_support;

mod client_device_e2e;
mod client_form_post_e2e;
mod client_id_token;
mod client_loopback_e2e;
mod code_flow_rules;
mod configuration;
mod device_and_id_token_logs;
mod device_e2e;
mod device_flow;
mod discovery_rules;
mod dpop;
mod fapi2;
mod form_post_e2e;
mod form_post_implicit;
mod id_token_oidf;
mod logout_e2e;
mod loopback_e2e;
mod loopback_listener;
mod par;
mod private_key_jwt;
mod properties;
mod provider_e2e;
mod provider_quirks;
mod robustness;
mod secrets;
mod session_refresh;
mod tls;
mod token_endpoint_rules;
mod token_manager_alloc;
mod token_manager_e2e;
mod token_manager_fault;
