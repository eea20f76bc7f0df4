//! ID tokens from the token endpoint and by form post.

use super::*;

fn random_jwt(rng: &mut Rng, issuer: &str, nonce: &str) -> String {
    const ALGS: &[&str] = &[
        "\"RS256\"",
        "\"ES256\"",
        "\"EdDSA\"",
        "\"HS256\"",
        "\"none\"",
        "\"NONE\"",
        "\"\"",
        "\"RS256\\u0000\"",
        "5",
        "null",
        "[\"RS256\"]",
    ];
    const TIMES: &[&str] = &[
        "1e20",
        "-1",
        "-1e20",
        "1e308",
        "1e400",
        "18446744073709551616",
        "9223372036854775807",
        "-9223372036854775808",
        "0",
        "1.5",
        "\"1700000000\"",
        "null",
        "1800000000",
        "253402300800",
        "8210266876799",
        "8210266876800",
    ];
    if rng.chance(10) {
        // Not even JWT-shaped.
        return random_text(rng, 6);
    }
    let header = match rng.below(6) {
        0 => random_json(rng, 0),
        1 => format!("{{\"alg\":{},\"alg\":\"RS256\"}}", rng.pick(ALGS)),
        _ => format!(
            "{{\"alg\":{},\"kid\":{},\"typ\":\"JWT\"}}",
            rng.pick(ALGS),
            if rng.chance(2) {
                "\"k1\"".to_owned()
            } else {
                random_json(rng, 1)
            }
        ),
    };
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let pick_time = |rng: &mut Rng| -> String {
        if rng.chance(3) {
            now.clone()
        } else {
            (*rng.pick(TIMES)).to_owned()
        }
    };
    let mut claims = vec![
        format!(
            "\"iss\":{}",
            if rng.chance(4) {
                random_json(rng, 1)
            } else {
                Value::String(issuer.to_owned()).to_string()
            }
        ),
        format!(
            "\"sub\":{}",
            if rng.chance(4) {
                random_json(rng, 1)
            } else {
                "\"alice\"".to_owned()
            }
        ),
        format!(
            "\"aud\":{}",
            rng.pick(&[
                "\"the-client\"",
                "[\"the-client\"]",
                "[]",
                "[\"the-client\",5]",
                "5",
                "\"other\"",
            ])
        ),
        format!("\"exp\":{}", pick_time(rng)),
        format!("\"iat\":{}", pick_time(rng)),
        format!(
            "\"nonce\":{}",
            if rng.chance(3) {
                random_json(rng, 1)
            } else {
                Value::String(nonce.to_owned()).to_string()
            }
        ),
    ];
    for name in ["nbf", "auth_time"] {
        if rng.chance(3) {
            claims.push(format!("\"{name}\":{}", pick_time(rng)));
        }
    }
    for name in ["azp", "amr", "acr", "at_hash", "c_hash"] {
        if rng.chance(5) {
            claims.push(format!("\"{name}\":{}", random_json(rng, 1)));
        }
    }
    if rng.chance(6) {
        claims.remove(rng.below(claims.len()));
    }
    let payload = format!("{{{}}}", claims.join(","));
    let header = mangle(rng, header);
    let payload = if rng.chance(4) {
        mangle(rng, payload)
    } else {
        payload.into_bytes()
    };
    let signature: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
    let mut parts = vec![b64(&header), b64(&payload), b64(&signature)];
    match rng.below(10) {
        0 => {
            parts.pop();
        }
        1 => parts.push(b64(b"extra")),
        2 => parts[0].push('='),
        3 => parts[1].insert(0, '+'),
        4 => parts[2] = "é💥".into(),
        _ => {}
    }
    parts.join(".")
}

#[tokio::test]
async fn id_tokens_from_the_token_endpoint_survive_fuzzing() {
    let peer = peer().await;
    let client = confidential(&WEB_OIDC, &peer);
    let issuer = peer.base();
    let mut rng = Rng::new(0x1D70_CE11);
    for _ in 0..600 {
        let (url, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let nonce = query_param(&url, "nonce");
        let jwt = random_jwt(&mut rng, &issuer, &nonce);
        peer.on(
            "/token",
            Reply::json(
                200,
                json!({"access_token": "at", "token_type": "Bearer", "id_token": jwt}),
            ),
        );
        let callback = format!(
            "?{}",
            encode(&[("code", "c"), ("state", pending.state()), ("iss", &issuer)])
        );
        let client = client.clone();
        let result = no_panic(&jwt, async move {
            client.exchange_code(pending, &callback).await
        })
        .await;
        assert!(result.is_err(), "accepted ID token {jwt:?}");
    }
}

#[tokio::test]
async fn id_tokens_by_form_post_survive_fuzzing() {
    let peer = peer().await;
    let client = public(&SPA_LOGIN, &peer);
    let issuer = peer.base();
    let mut rng = Rng::new(0xF0_1D70);
    for _ in 0..600 {
        let (url, pending) = client.authorize_url(None).await.unwrap();
        let nonce = query_param(&url, "nonce");
        let jwt = random_jwt(&mut rng, &issuer, &nonce);
        let body = encode(&[("id_token", &jwt), ("state", pending.state())]);
        let client = client.clone();
        let result = no_panic(&jwt, async move {
            client.verify_form_post(pending, &body).await
        })
        .await;
        assert!(result.is_err(), "accepted ID token {jwt:?}");
    }
}
