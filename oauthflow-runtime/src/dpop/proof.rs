//! One DPoP proof (RFC 9449 §4.2): a JWT with `typ` `dpop+jwt`, the key's algorithm and public
//! `jwk` in its header, and claims `jti`, `htm`, `htu`, `iat`, plus `nonce` when the server gave
//! one and `ath` when an access token goes with the request.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderValue;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use url::Url;

use super::key::DpopKey;
use crate::error::{Error, sanitize_description};
use crate::jws;

/// The request a proof is for.
pub(super) struct Target<'a> {
    /// `htm`: the HTTP method, e.g. `POST`.
    pub(super) method: &'a str,
    /// The request URL; `htu` is it without query and fragment.
    pub(super) url: &'a Url,
}

/// Signs a proof for `target`, as the value of a `DPoP` header.
pub(super) fn sign(
    key: &DpopKey,
    target: Target<'_>,
    nonce: Option<&str>,
    access_token: Option<&str>,
    now: SystemTime,
) -> Result<HeaderValue, Error> {
    let htu = htu(target.url)?;
    if target.method.is_empty() || !target.method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::DpopProof {
            reason: "the HTTP method is not a method name".into(),
        });
    }
    let header = json!({ "typ": "dpop+jwt", "alg": key.algorithm(), "jwk": key.public_jwk() });
    let mut claims = json!({
        "jti": jws::unique_id(),
        "htm": target.method,
        "htu": htu,
        "iat": now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(token) = access_token {
        claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())));
    }
    let input = jws::signing_input(&header, &claims);
    let signature = key.sign(input.as_bytes()).map_err(|e| Error::DpopProof {
        reason: sanitize_description(&e.to_string()),
    })?;
    let mut value = HeaderValue::try_from(jws::compact(input, &signature))
        .expect("a compact JWS is base64url and dots: a valid header value");
    // A proof is bound to one request and a short time, but it is still a credential.
    value.set_sensitive(true);
    Ok(value)
}

/// `htu` (RFC 9449 §4.2): the target URI without query and fragment; user info is not part of
/// an HTTP target URI either (RFC 9110 §4.2.4).
fn htu(url: &Url) -> Result<String, Error> {
    if !url.has_host() || !matches!(url.scheme(), "http" | "https") {
        return Err(Error::DpopProof {
            reason: "the request URL is not an http(s) URL with a host".into(),
        });
    }
    let mut target = url.clone();
    target.set_query(None);
    target.set_fragment(None);
    let _ = target.set_username("");
    let _ = target.set_password(None);
    Ok(target.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
    use serde_json::Value;
    use std::time::Duration;

    fn part(jwt: &str, i: usize) -> Value {
        let part = jwt.split('.').nth(i).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn claims_header_and_signature() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://u:p@api.example/orders/7?page=2#top").unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let proof = sign(
            &key,
            Target {
                method: "GET",
                url: &url,
            },
            Some("n-1"),
            Some("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            now,
        )
        .unwrap();
        assert!(proof.is_sensitive());
        let jwt = proof.to_str().unwrap();
        let header = part(jwt, 0);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["kty"], "EC");
        assert!(header["jwk"].get("d").is_none(), "no private part");
        let claims = part(jwt, 1);
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://api.example/orders/7");
        assert_eq!(claims["iat"], 1_800_000_000u64);
        assert_eq!(claims["nonce"], "n-1");
        // RFC 9449 §7.1's example: this token's `ath`.
        assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
        // The signature verifies with the header's own key.
        let jwk = &header["jwk"];
        let mut point = vec![0x04];
        point.extend(URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap());
        point.extend(URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap());
        let (input, signature) = jwt.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .verify(
                input.as_bytes(),
                &URL_SAFE_NO_PAD.decode(signature).unwrap(),
            )
            .expect("a valid ES256 signature");
    }

    #[test]
    fn a_fresh_jti_per_proof_and_no_optional_claims_unasked() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://as.example/token").unwrap();
        let proof = |_| {
            let p = sign(
                &key,
                Target {
                    method: "POST",
                    url: &url,
                },
                None,
                None,
                SystemTime::now(),
            )
            .unwrap();
            part(p.to_str().unwrap(), 1)
        };
        let (a, b) = (proof(1), proof(2));
        assert_ne!(a["jti"], b["jti"]);
        assert!(a.get("nonce").is_none() && a.get("ath").is_none());
    }

    #[test]
    fn bad_targets_are_typed_errors() {
        let key = DpopKey::generate().unwrap();
        let now = SystemTime::now();
        for (method, url) in [
            ("GET", "mailto:a@b.example"),
            ("GET", "data:,x"),
            ("G T", "https://a.example/"),
            ("", "https://a.example/"),
        ] {
            let url = Url::parse(url).unwrap();
            let err = sign(&key, Target { method, url: &url }, None, None, now).unwrap_err();
            assert!(
                matches!(err, Error::DpopProof { .. }),
                "{method} {url}: {err:?}"
            );
        }
    }
}
