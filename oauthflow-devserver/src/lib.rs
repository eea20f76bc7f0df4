//! Test and example support: the repository's pinned oidc-provider on 127.0.0.1, driven
//! without a browser, and a fault-injecting HTTP peer for what a real server never does.

pub mod fault;
