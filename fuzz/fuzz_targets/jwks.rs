//! Fuzz target: `oauthflow_runtime::fuzz_internals::jwks` (see its rustdoc).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oauthflow_runtime::fuzz_internals::jwks(data));
