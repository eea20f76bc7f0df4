//! The strict URI splitter of the compile-time URL rules.
//!
//! It lives in `oauthflow-core`, beside the verdicts that use it, so that the runtime reads
//! URIs the same way; the macro only needs it for the `resource` audiences (rule 11).

pub use oauthflow_core::Uri;
