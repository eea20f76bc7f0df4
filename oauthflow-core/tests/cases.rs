//! The shared URL table through the core's own verdicts (the macro and the runtime run the same
//! table through their wrappers in their unit tests).

use oauthflow_core::cases::{ENDPOINT_CASES, ISSUER_CASES, REDIRECT_CASES};
use oauthflow_core::{Kind, endpoint_verdict, issuer_verdict, redirect_verdict};

#[test]
fn redirect_cases() {
    for &(kind, form_post, uri, accept) in REDIRECT_CASES {
        assert!(
            !form_post || kind == Kind::Spa,
            "form post is kind = \"spa\" only: {uri:?}"
        );
        let verdict = redirect_verdict(Some(kind), form_post, uri);
        assert_eq!(verdict.is_ok(), accept, "{kind:?} {uri:?}: {verdict:?}");
    }
}

/// Runs `(uri, accept)` cases through one verdict.
fn run<P: std::fmt::Debug>(cases: &[(&str, bool)], verdict: fn(&str) -> Result<(), P>) {
    for &(uri, accept) in cases {
        assert_eq!(verdict(uri).is_ok(), accept, "{uri:?}: {:?}", verdict(uri));
    }
}

#[test]
fn endpoint_and_issuer_cases() {
    run(ENDPOINT_CASES, endpoint_verdict);
    run(ISSUER_CASES, issuer_verdict);
}

#[test]
fn every_issuer_is_an_endpoint() {
    // An issuer is an endpoint URL with one more rule, never fewer.
    for &(uri, _) in ISSUER_CASES.iter().chain(ENDPOINT_CASES) {
        if issuer_verdict(uri).is_ok() {
            assert!(endpoint_verdict(uri).is_ok(), "{uri:?}");
        }
    }
}
