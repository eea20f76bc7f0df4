//! Sealing stored values: ChaCha20-Poly1305 (RFC 8439) with a random nonce per value and the
//! entry's key as associated data, so a value copied under another key does not open.

use std::fmt;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

use crate::error::ConfigError;

/// Nonce length of ChaCha20-Poly1305 (96 bits, RFC 8439 §2.8).
const NONCE_LEN: usize = 12;
/// The format's version, first byte of every sealed value.
const VERSION: u8 = 1;

/// The 256-bit key that seals the values of a shared token store. Every instance of a fleet
/// needs the same key; `Debug` never shows it.
///
/// ```
/// use oauthflow_runtime::token_store::TokenStoreKey;
///
/// // 32 random bytes, base64 (e.g. `openssl rand -base64 32`), from a secret store or the env.
/// let key = TokenStoreKey::from_base64("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=").unwrap();
/// assert!(!format!("{key:?}").contains("q83v"));
/// assert!(TokenStoreKey::from_base64("too short").is_err());
/// ```
#[derive(Clone)]
pub struct TokenStoreKey {
    cipher: ChaCha20Poly1305,
}

impl TokenStoreKey {
    /// The key from 32 bytes in standard base64 (padding optional).
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when it is not base64 or not 32 bytes (the message never
    /// repeats the input).
    pub fn from_base64(encoded: &str) -> Result<Self, ConfigError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim().trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(encoded.trim().trim_end_matches('='))
            })
            .map_err(|_| invalid_key())?;
        Self::from_bytes(&bytes)
    }

    /// The key from 32 bytes.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when `bytes` is not 32 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ConfigError> {
        let key = Key::try_from(bytes).map_err(|_| invalid_key())?;
        Ok(TokenStoreKey {
            cipher: ChaCha20Poly1305::new(&key),
        })
    }

    /// A new random key (for a fleet whose instances share one process, or for tests).
    pub fn generate() -> Self {
        TokenStoreKey {
            cipher: ChaCha20Poly1305::new(&Key::generate()),
        }
    }

    /// `value` sealed for `key`: version, nonce, ciphertext with its tag.
    pub(crate) fn seal(&self, key: &str, value: &[u8]) -> Option<Vec<u8>> {
        let nonce = Nonce::generate();
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: value,
                    aad: key.as_bytes(),
                },
            )
            .ok()?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Some(out)
    }

    /// The value sealed for `key`, or `None` (corrupt, another key, another format).
    pub(crate) fn open(&self, key: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let (&version, rest) = sealed.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                &Nonce::try_from(nonce).ok()?,
                Payload {
                    msg: ciphertext,
                    aad: key.as_bytes(),
                },
            )
            .ok()
    }
}

fn invalid_key() -> ConfigError {
    ConfigError::Invalid {
        reason: "the token store key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)"
            .into(),
    }
}

impl fmt::Debug for TokenStoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenStoreKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_bound_to_the_key_and_the_entry() {
        let key = TokenStoreKey::generate();
        let sealed = key.seal("ns:cc:a", b"token-text").unwrap();
        assert!(!sealed.windows(10).any(|w| w == b"token-text"));
        assert_eq!(key.open("ns:cc:a", &sealed).unwrap(), b"token-text");
        // Another entry's key, another store key, a flipped bit, garbage: all read as nothing.
        assert!(key.open("ns:cc:b", &sealed).is_none());
        assert!(TokenStoreKey::generate().open("ns:cc:a", &sealed).is_none());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(key.open("ns:cc:a", &flipped).is_none());
        assert!(key.open("ns:cc:a", b"").is_none());
        assert!(key.open("ns:cc:a", &[1, 2, 3]).is_none());
    }

    #[test]
    fn keys_are_checked_and_never_printed() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let key = TokenStoreKey::from_base64(&b64).unwrap();
        assert_eq!(format!("{key:?}"), "TokenStoreKey([redacted])");
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let error = TokenStoreKey::from_base64(&short).unwrap_err().to_string();
        assert!(
            error.contains("32 bytes") && !error.contains(&short),
            "{error}"
        );
        assert!(TokenStoreKey::from_base64("not base64 !").is_err());
    }
}
