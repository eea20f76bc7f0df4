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

#[test]
fn endpoint_and_issuer_cases() {
    for &(uri, accept) in ENDPOINT_CASES {
        let verdict = endpoint_verdict(uri);
        assert_eq!(verdict.is_ok(), accept, "{uri:?}: {verdict:?}");
    }
    for &(uri, accept) in ISSUER_CASES {
        let verdict = issuer_verdict(uri);
        assert_eq!(verdict.is_ok(), accept, "{uri:?}: {verdict:?}");
    }
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
