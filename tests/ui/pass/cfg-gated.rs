//! `#[cfg]` on the struct gates the whole generated client, audience enum included.
#![deny(warnings, missing_docs)]

use oauthflow::oauth_client;

/// Never compiled: the cfg is false, and nothing generated for it may remain.
#[oauth_client(kind = "machine", audiences = ["https://api.example.com/orders"])]
#[cfg(any())]
pub struct Disabled;

// Would clash with a `DisabledAudience` generated without the struct's cfg.
#[allow(dead_code)]
struct DisabledAudience;

/// Compiled.
#[oauth_client(kind = "machine", audiences = ["https://api.example.com/orders"])]
#[cfg(all())]
pub struct Enabled;

fn main() {
    let _ = EnabledAudience::Orders;
    let _ = Enabled::FLOW;
}
