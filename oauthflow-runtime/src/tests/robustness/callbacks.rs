//! Callbacks and form-post bodies: refused before any network call.

use super::*;

/// A random callback that never carries the exact expected `state` alone (so every one of them
/// must fail before the token request).
fn random_callback(rng: &mut Rng, state: &str, iss: &str) -> String {
    let near_state = match rng.below(6) {
        0 => format!("{state}x"),
        1 => state[..state.len() / 2].to_owned(),
        2 => state.to_uppercase(),
        3 => format!("{state}%FF"),
        4 => format!("%{state}"),
        _ => random_text(rng, 3),
    };
    let mut pairs: Vec<String> = Vec::new();
    for _ in 0..rng.below(8) {
        let name = match rng.below(8) {
            0 => "code".to_owned(),
            1 => "state".to_owned(),
            2 => "iss".to_owned(),
            3 => "error".to_owned(),
            4 => String::new(),
            _ => random_text(rng, 2),
        };
        let value = match rng.below(5) {
            0 => near_state.clone(),
            1 => iss.to_owned(),
            2 => "A".repeat(rng.below(70_000)),
            _ => random_text(rng, 4),
        };
        pairs.push(if rng.chance(7) {
            name
        } else {
            format!("{name}={value}")
        });
    }
    let query = pairs.join(if rng.chance(5) { ";" } else { "&" });
    match rng.below(5) {
        0 => format!("http://127.0.0.1:8080/callback?{query}"),
        1 => format!("?{query}"),
        2 => format!("http://127.0.0.1:8080/callback#{query}"),
        3 => format!("{query}#state={state}"),
        _ => query,
    }
}

#[tokio::test]
async fn exchange_code_survives_malformed_callbacks_without_a_token_request() {
    let peer = peer().await;
    peer.on("/token", Reply::json(500, json!({})));
    let client = confidential(&WEB, &peer);
    let iss = peer.base();
    let mut rng = Rng::new(0xC0FFEE);
    for i in 0..1500 {
        let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let state = pending.state().to_owned();
        // A few hand-made inputs with the right `state` and something else wrong.
        let callback = match i {
            0 => format!("code=c&state={state}&state={state}&iss={iss}"),
            1 => format!("code=c&error=access_denied&state={state}&iss={iss}"),
            2 => format!("state={state}&iss={iss}"),
            3 => format!("code=c&state={state}&iss=https%3A%2F%2Fevil.example"),
            4 => format!("error=access_denied&state={state}&iss={iss}"),
            5 => format!("code=c&code=d&state={state}&iss={iss}"),
            6 => format!("code=&state={state}&iss={iss}"),
            _ => random_callback(&mut rng, &state, &iss),
        };
        let client = client.clone();
        let input = callback.clone();
        let result = no_panic(&callback, async move {
            client.exchange_code(pending, &input).await
        })
        .await;
        assert!(result.is_err(), "accepted callback {callback:?}");
    }
    assert_eq!(
        peer.requests_to("/token").len(),
        0,
        "a malformed callback reached the token endpoint"
    );
}

#[tokio::test]
async fn verify_form_post_survives_malformed_bodies_without_a_jwks_request() {
    let peer = peer().await;
    let client = public(&SPA_LOGIN, &peer);
    let mut rng = Rng::new(0xF0F0);
    for _ in 0..1500 {
        let (_, pending) = client.authorize_url(None).await.unwrap();
        let state = pending.state().to_owned();
        let mut body = random_callback(&mut rng, &state, "x");
        if rng.chance(3) {
            body = format!("id_token=a.b.c&{body}");
        }
        if rng.chance(4) {
            // The right state, twice: a duplicate is refused too.
            body = format!("state={state}&{body}&state={state}");
        }
        let client = client.clone();
        let input = body.clone();
        let result = no_panic(&body, async move {
            client.verify_form_post(pending, &input).await
        })
        .await;
        assert!(result.is_err(), "accepted form body {body:?}");
    }
    assert_eq!(peer.requests_to("/jwks").len(), 0);
    assert_eq!(peer.requests_to("/token").len(), 0);
}
