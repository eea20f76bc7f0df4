//! The kinds `inspect` and `try` take on the command line: the six of `#[oauth_client]`, and a
//! login-only single-page app (`kind = "spa", access_token = false`), whose grant differs.

use clap::ValueEnum;
use oauthflow_core::{Flow, Kind, decide};

/// A kind, as `--kind` and `try` spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// A service or job acting for itself: client credentials.
    Machine,
    /// A web app on a server: authorization code + PKCE, confidential.
    Web,
    /// A single-page app that calls APIs: authorization code + PKCE, public.
    Spa,
    /// A single-page app that only signs users in: implicit with form post (ID token only).
    SpaLoginOnly,
    /// A desktop or mobile app: authorization code + PKCE through a loopback redirect.
    Native,
    /// An input-constrained device or a CLI without a browser: device code.
    Device,
    /// Absolutely trusted, no redirect possible: the password grant.
    Trusted,
}

impl KindArg {
    /// Every kind, in the decision tree's order.
    pub const ALL: [KindArg; 7] = [
        KindArg::Machine,
        KindArg::Web,
        KindArg::Trusted,
        KindArg::Spa,
        KindArg::SpaLoginOnly,
        KindArg::Native,
        KindArg::Device,
    ];

    /// As written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            KindArg::SpaLoginOnly => "spa-login-only",
            other => other.kind().as_str(),
        }
    }

    /// The attribute's `kind`.
    pub fn kind(self) -> Kind {
        match self {
            KindArg::Machine => Kind::Machine,
            KindArg::Web => Kind::Web,
            KindArg::Spa | KindArg::SpaLoginOnly => Kind::Spa,
            KindArg::Native => Kind::Native,
            KindArg::Device => Kind::Device,
            KindArg::Trusted => Kind::Trusted,
        }
    }

    /// The grant the decision tree chooses for it.
    pub fn flow(self) -> Flow {
        decide(self.kind(), self != KindArg::SpaLoginOnly)
    }

    /// Whether its grant goes through the browser.
    pub fn redirects(self) -> bool {
        matches!(
            self,
            KindArg::Web | KindArg::Spa | KindArg::SpaLoginOnly | KindArg::Native
        )
    }
}
