//! [`verify`]: the signature with the issuer's keys, then the claims (OIDC Core §3.1.3.7), and
//! the errors worded for the caller.

use std::time::SystemTime;

use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    ClaimsVerificationError, ClientId, IssuerUrl, Nonce, NonceVerifier, SignatureVerificationError,
};
use serde_json::{Map, Value};

use crate::claims::IdTokenClaims;
use crate::error::{Error, sanitize_description};
use crate::secret_eq::secrets_equal;

use super::payload::precheck;
use super::{IdTokenValidation, JwksCache, invalid};

const IAT_IN_THE_FUTURE: &str = "`iat` is in the future";

/// Claims that [`IdTokenClaims`] exposes through dedicated accessors.
const REGISTERED: &[&str] = &["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce"];

/// Validates a raw ID token (compact JWS) and returns its claims.
///
/// `nonce` is the value the authorization request carried: when `Some`, the token must contain
/// an equal `nonce` claim (a missing claim fails). Pass `None` only when the request carried no
/// nonce (device flow, refresh). Keys come from `jwks` only; on an unknown key the JWKS is
/// refetched once (rate limited) and the token verified again.
///
/// Errors: [`Error::IdTokenInvalid`] naming the failed check (never the token or the nonce);
/// JWKS fetch problems as [`Error::Transport`], [`Error::Timeout`], [`Error::HttpStatus`],
/// [`Error::RedirectRefused`] or [`Error::InvalidResponse`] with endpoint `"jwks"`.
pub async fn verify(
    id_token: &str,
    validation: &IdTokenValidation<'_>,
    nonce: Option<&str>,
    jwks: &JwksCache,
    http: &reqwest::Client,
) -> Result<IdTokenClaims, Error> {
    let now = validation.now.unwrap_or_else(SystemTime::now);
    let raw = precheck(id_token, validation, nonce.is_some(), now)?;
    // The configured issuer, or with a multi-tenant template the token's own tenant's.
    let issuer = validation.expected_issuer(&raw)?;
    let validation = &validation.with_issuer(&issuer);
    let token: CoreIdToken = id_token
        .parse()
        .map_err(|_| invalid("not a well-formed signed JWT with OpenID Connect claims"))?;
    let algs = validation.allowed_algs()?;

    let (keys, generation) = jwks.current(http).await?;
    let claims = match verify_against(&token, &keys, validation, &algs, nonce, now) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => match jwks.refetch_for_unknown_key(http, generation).await? {
            Some((keys, _)) => verify_against(&token, &keys, validation, &algs, nonce, now),
            None => Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )),
        },
        other => other,
    }
    .map_err(|e| describe(e, validation))?;

    if let Some(azp) = claims.authorized_party()
        && azp.as_str() != validation.client_id
    {
        return Err(invalid(
            "`azp` is present and is not this client's ID (OIDC Core §3.1.3.7 step 5)",
        ));
    }
    if claims.audiences().len() > 1 {
        // Only reachable with audiences trusted by name (the verifier refuses others).
        // §3.1.3.7 step 4's SHOULD, made a MUST: the token must have been issued to this
        // client, not to another one that `aud` also lists.
        if claims.authorized_party().is_none() {
            return Err(invalid(
                "`aud` lists several audiences and there is no `azp` naming this client (OIDC Core §3.1.3.7 step 4)",
            ));
        }
        tracing::debug!(
            quirk = "id_token_audiences",
            "accepted provider quirk: an ID token with other, trusted audiences"
        );
    }
    Ok(into_claims(&claims, raw))
}

/// A well-formed RS256 ID token (issuer `https://as.example`, client `fuzz`, `kid` `k1`, not
/// expired) whose signature no key made: every key of a set is tried against it, none may
/// accept it.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) const FORGED_RS256_ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUiLCJzdWIiOiJhbGljZSIsImF1ZCI6ImZ1enoiLCJleHAiOjQwMDAwMDAwMDAsImlhdCI6MX0.c2lnbmF0dXJl";

/// [`verify`] against a key set in hand, with no JWKS fetch and no nonce: what the `jwks` fuzz
/// target and the property tests drive (parsed keys reaching the signature code).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn verify_with_keys(
    id_token: &str,
    validation: &IdTokenValidation<'_>,
    keys: CoreJsonWebKeySet,
) -> Result<IdTokenClaims, Error> {
    let now = SystemTime::now();
    let raw = precheck(id_token, validation, false, now)?;
    let token: CoreIdToken = id_token
        .parse()
        .map_err(|_| invalid("not a well-formed signed JWT with OpenID Connect claims"))?;
    let algs = validation.allowed_algs()?;
    let claims = verify_against(&token, &keys, validation, &algs, None, now)
        .map_err(|e| describe(e, validation))?;
    Ok(into_claims(&claims, raw))
}

/// Verifies against one key set. Without a usable `kid` and with several candidate keys, each
/// key of the issuer's set is tried on its own (OIDF `kid-absent-multiple-jwks`).
fn verify_against(
    token: &CoreIdToken,
    keys: &CoreJsonWebKeySet,
    validation: &IdTokenValidation<'_>,
    algs: &[CoreJwsSigningAlgorithm],
    nonce: Option<&str>,
    now: SystemTime,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    match verify_once(token, keys.clone(), validation, algs, nonce, now) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::AmbiguousKeyId(_),
        )) => {
            for key in keys.keys() {
                let single = CoreJsonWebKeySet::new(vec![key.clone()]);
                match verify_once(token, single, validation, algs, nonce, now) {
                    Ok(claims) => return Ok(claims),
                    Err(ClaimsVerificationError::SignatureVerification(
                        SignatureVerificationError::CryptoError(_)
                        | SignatureVerificationError::NoMatchingKey
                        | SignatureVerificationError::InvalidKey(_),
                    )) => continue,
                    Err(other) => return Err(other),
                }
            }
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::CryptoError(
                    "no key of the issuer verifies the signature".into(),
                ),
            ))
        }
        other => other,
    }
}

fn verify_once(
    token: &CoreIdToken,
    keys: CoreJsonWebKeySet,
    validation: &IdTokenValidation<'_>,
    algs: &[CoreJwsSigningAlgorithm],
    nonce: Option<&str>,
    now: SystemTime,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let issuer = IssuerUrl::new(validation.issuer.to_owned())
        .map_err(|_| ClaimsVerificationError::Other("the configured issuer is not a URL".into()))?;
    let client_id = ClientId::new(validation.client_id.to_owned());
    let verifier = match validation.client_secret {
        Some(secret) => {
            CoreIdTokenVerifier::new_confidential_client(client_id, secret.clone(), issuer, keys)
        }
        None => CoreIdTokenVerifier::new_public_client(client_id, issuer, keys),
    };
    let leeway = validation.leeway;
    let skewed_now = chrono::DateTime::<chrono::Utc>::from(now.checked_sub(leeway).unwrap_or(now));
    let latest_iat = chrono::DateTime::<chrono::Utc>::from(now.checked_add(leeway).unwrap_or(now));
    let verifier = verifier
        .set_allowed_algs(algs.iter().cloned())
        .set_other_audience_verifier_fn(|audience| {
            validation
                .other_audiences
                .iter()
                .any(|trusted| trusted == audience.as_str())
        })
        // `exp` gets the leeway: the token counts as valid until `exp + leeway`.
        .set_time_fn(move || skewed_now)
        .set_issue_time_verifier_fn(move |iat| {
            if iat > latest_iat {
                Err(IAT_IN_THE_FUTURE.into())
            } else {
                Ok(())
            }
        });
    token.claims(&verifier, ExpectedNonce(nonce)).cloned()
}

/// `Some`: the claim must be present and equal (SHA-256 both sides, then a constant-time
/// compare). `None`: no nonce was sent, nothing to check.
struct ExpectedNonce<'a>(Option<&'a str>);

impl NonceVerifier for ExpectedNonce<'_> {
    fn verify(self, nonce: Option<&Nonce>) -> Result<(), String> {
        match (self.0, nonce) {
            (None, _) => Ok(()),
            (Some(_), None) => Err("missing nonce claim".into()),
            (Some(expected), Some(found)) if secrets_equal(expected, found.secret()) => Ok(()),
            (Some(_), Some(_)) => Err("nonce mismatch".into()),
        }
    }
}

fn describe(error: ClaimsVerificationError, validation: &IdTokenValidation<'_>) -> Error {
    let reason = match error {
        ClaimsVerificationError::Expired(m) if m == IAT_IN_THE_FUTURE => m,
        ClaimsVerificationError::Expired(_) => format!(
            "the ID token has expired (`exp`, with {} s leeway)",
            validation.leeway.as_secs()
        ),
        ClaimsVerificationError::InvalidAudience(_) => format!(
            "`aud` must contain this client's ID `{}` and no other, untrusted audience (other audiences are accepted only when named: `Settings::accept_id_token_audiences`)",
            validation.client_id
        ),
        ClaimsVerificationError::InvalidIssuer(_) => format!(
            "`iss` is not the issuer `{}` (it must be equal character for character)",
            validation.issuer
        ),
        ClaimsVerificationError::InvalidNonce(m) => format!(
            "{m}: the token does not answer this login's authorization request (possible replay)"
        ),
        ClaimsVerificationError::SignatureVerification(e) => match e {
            SignatureVerificationError::NoSignature => {
                "the token is unsigned (`alg: none`), which is never accepted".into()
            }
            SignatureVerificationError::DisallowedAlg(m) => {
                format!("signature algorithm not allowed: {}", sanitize_description(&m))
            }
            SignatureVerificationError::NoMatchingKey => {
                "no key in the issuer's JWKS matches the token's `kid` and `alg` (also after refetching the JWKS)".into()
            }
            SignatureVerificationError::AmbiguousKeyId(_) => {
                "several keys of the issuer match the token and none is named by `kid`".into()
            }
            SignatureVerificationError::CryptoError(_) => {
                "the signature does not verify with the issuer's key".into()
            }
            SignatureVerificationError::InvalidKey(m) => {
                format!("the issuer's key cannot verify this token: {}", sanitize_description(&m))
            }
            SignatureVerificationError::UnsupportedAlg(m) => {
                format!("unsupported signature algorithm: {}", sanitize_description(&m))
            }
            other => format!(
                "signature verification failed: {}",
                sanitize_description(&other.to_string())
            ),
        },
        ClaimsVerificationError::Unsupported(m) => {
            format!("unsupported token: {}", sanitize_description(&m))
        }
        other => sanitize_description(&other.to_string()),
    };
    Error::IdTokenInvalid { reason }
}

fn into_claims(claims: &CoreIdTokenClaims, raw: Map<String, Value>) -> IdTokenClaims {
    let other = raw
        .into_iter()
        .filter(|(name, _)| !REGISTERED.contains(&name.as_str()))
        .collect();
    IdTokenClaims {
        subject: claims.subject().as_str().to_owned(),
        issuer: claims.issuer().as_str().to_owned(),
        audiences: claims
            .audiences()
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect(),
        expires_at: SystemTime::from(claims.expiration()),
        issued_at: SystemTime::from(claims.issue_time()),
        auth_time: claims.auth_time().map(SystemTime::from),
        nonce: claims.nonce().map(|n| n.secret().clone()),
        other,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use base64::Engine as _;
    use openidconnect::ClientSecret;

    use super::*;
    use crate::id_token::payload::tests::b64;

    /// What `openidconnect` 4.1 does on its own, without [`precheck`] and our extra checks:
    /// this pins down why the pre-check and the `azp`/`iat`/`nbf` checks exist.
    #[test]
    fn openidconnect_alone_rejects_some_confusions_and_misses_others() {
        use openidconnect::PrivateSigningKey;
        use openidconnect::core::CoreHmacKey;

        let secret = ClientSecret::new("library-probe-secret".into());
        let key = CoreHmacKey::new(secret.secret().as_bytes().to_vec());
        let sign = |payload: &str| {
            let input = format!(
                "{}.{}",
                b64(&serde_json::json!({"alg": "HS256"})),
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
            );
            let mac = key
                .sign(&CoreJwsSigningAlgorithm::HmacSha256, input.as_bytes())
                .unwrap();
            format!(
                "{input}.{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
            )
        };
        let library_only = |payload: &str| -> Result<(), String> {
            let token: CoreIdToken = sign(payload).parse().map_err(|e| format!("parse: {e}"))?;
            let v = IdTokenValidation::new("https://issuer.example", "client")
                .client_secret(Some(&secret));
            // The library's own checks: no pre-check, no iat verifier, no azp check.
            let verifier = CoreIdTokenVerifier::new_confidential_client(
                ClientId::new("client".into()),
                secret.clone(),
                IssuerUrl::new(v.issuer.to_owned()).unwrap(),
                CoreJsonWebKeySet::new(vec![]),
            )
            .set_allowed_algs([CoreJwsSigningAlgorithm::HmacSha256]);
            token
                .claims(&verifier, ExpectedNonce(Some("n")))
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let base = r#""iss":"https://issuer.example","sub":"a","nonce":"n""#;
        let future = 4_000_000_000u64;
        // Rejected by the library already (our pre-check gives the clearer message first).
        for rejected in [
            format!(r#"{{{base},"aud":"client","exp":"{future}","iat":1}}"#),
            format!(r#"{{{base},"aud":5,"exp":{future},"iat":1}}"#),
            format!(r#"{{{base},"aud":"client","exp":{future}}}"#),
            format!(r#"{{{base},"exp":{future},"iat":1}}"#),
            format!(r#"{{{base},"aud":"client","aud":"other","exp":{future},"iat":1}}"#),
            format!(r#"{{{base},"aud":"client","exp":1,"iat":1}}"#),
        ] {
            assert!(
                library_only(&rejected).is_err(),
                "library accepted {rejected}"
            );
        }
        assert!(
            library_only(&format!(
                r#"{{{base},"aud":"client","exp":{future},"iat":1}}"#
            ))
            .is_ok()
        );
        // Accepted by the library alone — hence our own checks.
        for gap in [
            // `azp` naming another client
            format!(r#"{{{base},"aud":"client","azp":"other","exp":{future},"iat":1}}"#),
            // `iat` far in the future
            format!(r#"{{{base},"aud":"client","exp":{future},"iat":{future}}}"#),
            // `nbf` in the future
            format!(r#"{{{base},"aud":"client","exp":{future},"iat":1,"nbf":{future}}}"#),
        ] {
            assert!(
                library_only(&gap).is_ok(),
                "library now rejects {gap}: simplify?"
            );
            let raw = sign(&gap);
            let v = IdTokenValidation::new("https://issuer.example", "client")
                .client_secret(Some(&secret));
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
            let ours = precheck(&raw, &v, true, now).and_then(|_| {
                let token: CoreIdToken = raw.parse().unwrap();
                let algs = v.allowed_algs()?;
                let claims = verify_once(
                    &token,
                    CoreJsonWebKeySet::new(vec![]),
                    &v,
                    &algs,
                    Some("n"),
                    now,
                )
                .map_err(|e| describe(e, &v))?;
                match claims.authorized_party() {
                    Some(azp) if azp.as_str() != "client" => Err(invalid("azp")),
                    _ => Ok(()),
                }
            });
            assert!(ours.is_err(), "we accepted {gap}");
        }
    }
}
