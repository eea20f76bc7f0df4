//! The single source of truth that oauthflow's compile-time macro and its runtime share: the
//! application kinds, the decision tree that picks a grant from them, and the verdicts on
//! URLs, redirect URIs and scopes.
//!
//! # Why a crate of its own
//!
//! `#[oauth_client]` refuses a bad `redirect_uri` at compile time; the runtime refuses the same
//! value when it comes from the environment or from `Settings`, and checks every endpoint of
//! discovered metadata. Written twice, the two checks drifted apart (one refused `blob:`
//! redirects, the other `.localhost` names). Like `serde_derive_internals` for serde's derive,
//! this crate holds the logic once, and each side keeps only its own wording: the verdicts
//! return small problem enums ([`EndpointProblem`], [`RedirectProblem`], [`ScopeProblem`]),
//! which the macro turns into compile errors with rule numbers and the runtime into
//! configuration errors.
//!
//! It has no dependencies (the proc-macro build cannot afford `url` and its second `syn`
//! major), so URIs are read by a strict splitter of its own, [`Uri`], that refuses whatever a
//! browser's URL parser could read differently. The optional `serde` feature, which the runtime
//! enables, derives `Serialize` and `Deserialize` for [`Flow`].
//!
//! Use the types through the `oauthflow` crate (`oauthflow::Kind`, `oauthflow::Flow`,
//! `oauthflow::AudienceParam`); the rest is for oauthflow's own crates.
//!
//! ```
//! # use oauthflow_core as oauthflow;
//! use oauthflow::{Flow, Kind, decide, redirect_verdict};
//!
//! let kind = Kind::parse("native").unwrap();
//! assert_eq!(decide(kind, true), Flow::AuthorizationCodePkce);
//! assert!(redirect_verdict(Some(kind), false, "http://127.0.0.1/callback").is_ok());
//! assert!(redirect_verdict(Some(kind), false, "http://localhost/callback").is_err());
//! ```

#![warn(missing_docs)]

mod kind;
mod rules;
mod uri;

#[doc(hidden)]
pub mod cases;

pub use kind::{AudienceParam, Flow, Kind, decide, decision_text};
pub use rules::{
    BLOCKED_SCHEMES, EndpointProblem, OIDC_SCOPES, RESPONSE_PARAMS, RedirectProblem, ScopeProblem,
    USER_SCOPES, endpoint_verdict, endpoints_for, issuer_verdict, redirect_verdict, scope_problem,
    validates_id_tokens,
};
pub use uri::{Authority, Host, Uri, UriError};
