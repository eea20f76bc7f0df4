//! Compile-time behaviour of `#[oauth_client]`: every rule of DESIGN §3 has a compile-fail case
//! under `tests/ui/fail/<rule group>/`, every kind a compile-pass case under `tests/ui/pass/`.
//!
//! The `.stderr` snapshots are blessed on the pinned toolchain (`rust-toolchain.toml`):
//! `TRYBUILD=overwrite cargo test --test ui`, then read every changed snapshot.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*/*.rs");
}
