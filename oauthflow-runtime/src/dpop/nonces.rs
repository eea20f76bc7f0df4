//! The latest `DPoP-Nonce` of each origin a client talks to (RFC 9449 §8, §9): a server may
//! demand one in every proof and change it at any answer, so the newest one seen is kept per
//! `scheme://host:port`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use url::Url;

/// Most origins remembered: a client talks to its authorization server and a few APIs; past
/// this, an arbitrary origin's nonce is forgotten (it will ask again with `use_dpop_nonce`).
const MAX_ORIGINS: usize = 64;

/// Longest nonce kept: nonces are opaque but short; a longer value is not one.
const MAX_NONCE_LEN: usize = 512;

/// Nonces by origin.
#[derive(Default)]
pub(super) struct Nonces {
    by_origin: Mutex<HashMap<String, String>>,
}

impl Nonces {
    /// The nonce last seen from `url`'s origin.
    pub(super) fn get(&self, url: &Url) -> Option<String> {
        let origin = url.origin().ascii_serialization();
        self.lock().get(&origin).cloned()
    }

    /// Keeps `nonce` for `url`'s origin, if it is a nonce: `1*NQCHAR` (RFC 9449 §8.1), at most
    /// [`MAX_NONCE_LEN`] characters. Anything else could not be sent back in a JWT claim as the
    /// server meant it, and is ignored.
    pub(super) fn remember(&self, url: &Url, nonce: &str) {
        if !is_nonce(nonce) {
            tracing::debug!("oauthflow: ignored a malformed DPoP-Nonce");
            return;
        }
        let origin = url.origin().ascii_serialization();
        let mut by_origin = self.lock();
        if by_origin.len() >= MAX_ORIGINS
            && !by_origin.contains_key(&origin)
            && let Some(evicted) = by_origin.keys().next().cloned()
        {
            by_origin.remove(&evicted);
        }
        by_origin.insert(origin, nonce.to_owned());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A panic elsewhere cannot leave a half-written map: every write is one `insert`.
        self.by_origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// `NQCHAR = %x21 / %x23-5B / %x5D-7E` (RFC 6749 Appendix A), one or more.
fn is_nonce(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_NONCE_LEN
        && value
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn one_nonce_per_origin_newest_wins() {
        let nonces = Nonces::default();
        nonces.remember(&url("https://as.example/token"), "n1");
        assert_eq!(
            nonces.get(&url("https://as.example/other?x=1")).as_deref(),
            Some("n1")
        );
        assert_eq!(
            nonces.get(&url("https://as.example:8443/token")),
            None,
            "another port"
        );
        assert_eq!(
            nonces.get(&url("http://as.example/token")),
            None,
            "another scheme"
        );
        nonces.remember(&url("https://as.example/token"), "n2");
        assert_eq!(
            nonces.get(&url("https://as.example/")).as_deref(),
            Some("n2")
        );
    }

    #[test]
    fn malformed_nonces_are_ignored() {
        let nonces = Nonces::default();
        let at = url("https://api.example/");
        for bad in [
            "",
            "with space",
            "quo\"te",
            "back\\slash",
            "é",
            &"n".repeat(513),
        ] {
            nonces.remember(&at, bad);
            assert_eq!(nonces.get(&at), None, "{bad:?}");
        }
        nonces.remember(&at, "eyJ7S_zG.eyJH0-Z.HX4w-7v");
        assert!(nonces.get(&at).is_some());
    }

    #[test]
    fn the_map_stays_bounded() {
        let nonces = Nonces::default();
        for i in 0..(MAX_ORIGINS + 10) {
            nonces.remember(&url(&format!("https://api{i}.example/")), "n");
        }
        assert_eq!(nonces.lock().len(), MAX_ORIGINS);
        assert!(
            nonces
                .get(&url(&format!("https://api{}.example/", MAX_ORIGINS + 9)))
                .is_some()
        );
    }
}
