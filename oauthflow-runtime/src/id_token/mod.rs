//! ID token validation (OIDC Core §3.1.3.7 and §3.2.2.11) with a JWKS cache that refetches the
//! issuer's keys once, rate limited, when a token names a key it does not know (signing-key
//! rotation, OIDC Core §10.1.1).
//!
//! # How the client calls it
//!
//! The client keeps one [`JwksCache`] per issuer, built from the discovered `jwks_uri` (or the
//! attribute's `jwks_uri`), and shares it between all logins (crate-internal, so not a
//! doctest: `id_token::tests::doc_example` compiles this code):
//!
//! ```ignore
//! # async fn demo(http: &reqwest::Client, raw_id_token: &str) -> Result<(), crate::Error> {
//! use crate::id_token::{IdTokenValidation, JwksCache};
//!
//! let jwks = JwksCache::new("https://tenant.example.com/.well-known/jwks.json");
//! // Per ID token: the configured issuer (exactly as in the metadata), this client's ID, the
//! // nonce the authorization request carried (`None` only when the request sent none, e.g. the
//! // device flow), and the client secret for a confidential client (enables HS256/384/512).
//! let validation = IdTokenValidation::new("https://tenant.example.com/", "my-client")
//!     .signing_algs(&["RS256", "ES256"]); // metadata `id_token_signing_alg_values_supported`
//! let claims = crate::id_token::verify(raw_id_token, &validation, Some("n-0S6_WzA2Mj"), &jwks, http).await?;
//! println!("signed in: {}", claims.subject());
//! # Ok(()) }
//! ```
//!
//! What is checked, in order: size and shape of the compact JWS; claim *types* on the raw
//! payload (`exp`/`iat`/`nbf`/`auth_time` numbers, `iss`/`sub`/`nonce`/`azp` strings, `aud` a
//! string or an array of strings, no duplicate claims — type confusion fails closed);
//! `iss` equal to the issuer character for character; the `alg` allow-list (never `none`, HS*
//! only with a client secret); the signature with the issuer's keys only (`jku`, `x5u` and `jwk`
//! headers are ignored); `aud` contains the client ID and nothing else; `azp`, when present,
//! equals the client ID; `exp` in the future and `iat`/`nbf` not in the future (with a small
//! leeway); the `nonce` present and equal (compared in constant time).
//!
//! Layout: `validation.rs` (what a token must match), `payload.rs` (shape and claim types before
//! any library parsing), `verify.rs` (signature and claims), `jwks.rs` (the key cache, fetched
//! through the one back-channel path in [`crate::http`]).

mod jwks;
mod payload;
mod validation;
mod verify;

use crate::error::Error;

pub use jwks::JwksCache;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use jwks::parse_key_set;
pub(crate) use payload::validated_payload;
pub use validation::IdTokenValidation;
pub(crate) use validation::alg_accepted;
pub use verify::verify;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use verify::{FORGED_RS256_ID_TOKEN, verify_with_keys};

/// An [`Error::IdTokenInvalid`] naming the failed check (never the token).
fn invalid(reason: &str) -> Error {
    Error::IdTokenInvalid {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    /// The example in the module documentation: compiled, not run.
    #[allow(dead_code)]
    async fn doc_example(http: &reqwest::Client, raw_id_token: &str) -> Result<(), crate::Error> {
        use crate::id_token::{IdTokenValidation, JwksCache};

        let jwks = JwksCache::new("https://tenant.example.com/.well-known/jwks.json");
        let validation = IdTokenValidation::new("https://tenant.example.com/", "my-client")
            .signing_algs(&["RS256", "ES256"]);
        let claims =
            crate::id_token::verify(raw_id_token, &validation, Some("n-0S6_WzA2Mj"), &jwks, http)
                .await?;
        println!("signed in: {}", claims.subject());
        Ok(())
    }
}
