//! `kind = "spa"` with `access_token = false`: `response_type=id_token` with
//! `response_mode=form_post`. DOT (oauthlib) has no form post and ignores `response_mode`: it
//! answers in the fragment (`state`, `id_token`, `iss`). A page relays the fragment to its
//! server, which hands it to `verify_form_post` — the ID token is validated in full (JWKS
//! signature, `iss`, `aud`, `exp`, `nonce`) all the same.

use oauthflow::{Error, oauth_client};

use crate::browser::{Browser, Consent};
use crate::launcher::clients::SPA_LOGIN;
use crate::support::{dot, public};

#[oauth_client(
    kind = "spa",
    access_token = false,
    redirect_uri = "https://127.0.0.1/callback",
    scopes = ["openid", "profile"],
)]
struct LoginPage;

#[tokio::test]
async fn id_token_in_the_fragment_relayed_to_verify_form_post() {
    let dot = dot().await;
    let page = LoginPage::new(public(dot, SPA_LOGIN)).unwrap();
    let (url, pending) = page.authorize_url().await.unwrap();
    let callback = Browser::new("erin").authorize(&url, Consent::Allow).await;
    assert_eq!(callback.query(), None, "the response is in the fragment");
    let fragment = callback.fragment().expect("a fragment").to_owned();

    // The fragment tampered with (one character of the signature): refused.
    let tampered = match fragment.find("id_token=") {
        Some(at) => {
            let end = fragment[at..].find('&').map_or(fragment.len(), |e| at + e);
            let mut bytes = fragment.clone().into_bytes();
            bytes[end - 2] = if bytes[end - 2] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).unwrap()
        }
        None => panic!("no id_token in the fragment"),
    };
    let error = page
        .verify_form_post(pending.clone(), &tampered)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::IdTokenInvalid { .. }), "{error:?}");

    let claims = page.verify_form_post(pending, &fragment).await.unwrap();
    assert_eq!(claims.issuer(), dot.issuer());
    assert_eq!(claims.audiences(), [SPA_LOGIN.to_owned()]);
    assert!(claims.nonce().is_some());
}
