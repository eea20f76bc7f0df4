//! The one comparison of secrets (`state`, `nonce`): constant time, and blind to length.
//!
//! A leaf module: it uses nothing else from the crate.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Whether two secrets are equal, without leaking where they differ or how long they are: both
/// are hashed with SHA-256 first (equal lengths, no early exit on a length mismatch), then the
/// digests are compared in constant time.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    let a = Sha256::digest(a.as_bytes());
    let b = Sha256::digest(b.as_bytes());
    a.ct_eq(&b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_equal_compares_values() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
        assert!(!secrets_equal("", "a"));
        assert!(secrets_equal("", ""));
    }
}
