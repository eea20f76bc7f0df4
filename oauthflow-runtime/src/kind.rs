//! The application kinds of the decision tree and the grants they select.
//!
//! Defined once in `oauthflow-core`, with the decision tree itself, so that the macro's
//! expansion and the runtime name the same types.

pub use oauthflow_core::{AudienceParam, Flow, Kind};
