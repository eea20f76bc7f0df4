//! Token responses: the client-credentials cache, the password grant and refresh.

use super::*;

/// A token response body and whether a correct client must accept it (`None`: either way).
/// The oracle's own reading of RFC 6750 §2.1: what can be sent as `Authorization: Bearer`.
fn b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~+/".contains(c))
}

fn random_token_body(rng: &mut Rng) -> (Vec<u8>, Option<bool>) {
    let mut members: Vec<String> = Vec::new();
    let mut valid = true;
    // access_token
    match rng.below(6) {
        0 => valid = false, // absent
        1 => {
            let v = random_json(rng, 1);
            valid &= serde_json::from_str::<Value>(&v)
                .ok()
                .as_ref()
                .and_then(Value::as_str)
                .is_some_and(b64token);
            members.push(format!("\"access_token\":{v}"));
        }
        2 | 3 => members.push(format!("\"access_token\":\"at-{:x}\"", rng.next())),
        _ => {
            let token = format!("at-{}", random_text(rng, 2));
            valid &= b64token(&token);
            members.push(format!("\"access_token\":{}", Value::String(token)));
        }
    }
    // token_type
    match rng.below(6) {
        0 => valid = false,
        1 => {
            let t = random_json(rng, 1);
            valid &= t.eq_ignore_ascii_case("\"bearer\"");
            members.push(format!("\"token_type\":{t}"));
        }
        _ => members.push(format!(
            "\"token_type\":\"{}\"",
            rng.pick(&["Bearer", "bearer", "BEARER"])
        )),
    }
    // expires_in
    const OK_EXPIRES: &[&str] = &["0", "1", "3600", "18446744073709551615", "null"];
    const BAD_EXPIRES: &[&str] = &[
        "-1",
        "1.5",
        "1e308",
        "1e400",
        "18446744073709551616",
        "-9223372036854775808",
        "\"3600\"",
        "true",
        "[]",
        "{}",
    ];
    match rng.below(3) {
        0 => {}
        1 => members.push(format!("\"expires_in\":{}", rng.pick(OK_EXPIRES))),
        _ => {
            valid = false;
            members.push(format!("\"expires_in\":{}", rng.pick(BAD_EXPIRES)));
        }
    }
    for name in ["refresh_token", "id_token", "scope"] {
        match rng.below(4) {
            0 => {}
            1 => {
                let v = random_json(rng, 1);
                valid &= v == "null" || v.starts_with('"');
                members.push(format!("\"{name}\":{v}"));
            }
            _ => members.push(format!("\"{name}\":{}", Value::String(random_text(rng, 3)))),
        }
    }
    if rng.chance(8) {
        members.push(format!("\"error\":{}", random_json(rng, 1)));
    }
    for _ in 0..rng.below(3) {
        members.push(format!(
            "{}:{}",
            Value::String(format!("x-{}", random_text(rng, 2))), // never a known name
            random_json(rng, 0)
        ));
    }
    // Shuffle.
    for i in (1..members.len()).rev() {
        let j = rng.below(i + 1);
        members.swap(i, j);
    }
    let text = format!("{{{}}}", members.join(","));
    let bytes = mangle(rng, text.clone());
    // A mangled body that still parses to the same JSON (a `,` inside a string) stays valid.
    let parses = serde_json::from_slice::<Value>(&bytes).is_ok();
    let expect = if !parses {
        Some(false) // also as generated: `1e400`, a lone surrogate
    } else if bytes != text.as_bytes() || text.contains("\"error\":") {
        None // still JSON after mangling (a `,` inside a name), or an `error` member: no oracle
    } else {
        Some(valid)
    };
    (bytes, expect)
}

fn check_tokens(tokens: &TokenSet, before: SystemTime) {
    assert!(!tokens.access_token().secret().is_empty());
    if let Some(at) = tokens.expires_at() {
        assert!(at >= before, "expires_at in the past");
        assert!(
            at <= SystemTime::now() + Duration::from_secs(401 * 24 * 3600),
            "expires_at beyond the cap"
        );
    }
}

#[tokio::test]
async fn client_credentials_survives_malformed_token_responses() {
    let peer = peer().await;
    let mut rng = Rng::new(0x5EED_0001);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..1000 {
        let (body, valid) = random_token_body(&mut rng);
        let status = *rng.pick(&[200, 200, 200, 201, 400, 401]);
        peer.on("/token", Reply::raw_json(status, body.clone()));
        let client = confidential(&MACHINE, &peer);
        let input = String::from_utf8_lossy(&body).into_owned();
        let result = no_panic(&input, async move {
            client.client_credentials_token(Some(ORDERS)).await
        })
        .await;
        let expect = if (200..300).contains(&status) {
            valid
        } else {
            Some(false)
        };
        if result.is_ok() {
            accepted += 1;
        } else {
            refused += 1;
        }
        match (&result, expect) {
            (Ok(token), _) if token.secret().is_empty() => panic!("empty token from {input:?}"),
            (Ok(_), Some(true) | None) | (Err(_), Some(false) | None) => {}
            (Ok(_), Some(false)) => panic!("accepted an invalid token response {input:?}"),
            (Err(e), Some(true)) => panic!("refused a valid token response {input:?}: {e:?}"),
        }
    }
    // The generator covers both sides of the oracle.
    assert!(
        accepted > 20 && refused > 300,
        "{accepted} accepted, {refused} refused"
    );
}

/// A 503 with `Retry-After: 1`, then one with `Retry-After: u64::MAX`: the retry budget ends
/// (it used to overflow `elapsed + delay` and panic the fetch task).
#[tokio::test]
async fn client_credentials_survives_absurd_retry_after() {
    let peer = peer().await;
    for huge in [
        "18446744073709551615",
        "9223372036854775808",
        "99999999999999",
    ] {
        peer.script(
            "/token",
            vec![
                Reply::json(503, json!({})).header("Retry-After", "1"),
                Reply::json(503, json!({})).header("Retry-After", huge),
            ],
        );
        let client = confidential(&MACHINE, &peer);
        let result = no_panic(huge, async move {
            tokio::time::timeout(
                Duration::from_secs(20),
                client.client_credentials_token(Some(ORDERS)),
            )
            .await
        })
        .await;
        let err = result.expect("no hang").expect_err("a 503 is not a token");
        assert!(
            matches!(err, Error::HttpStatus { status: 503, .. }),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn password_and_refresh_survive_malformed_token_responses() {
    let peer = peer().await;
    let mut rng = Rng::new(0x5EED_0002);
    let password = SecretString::from("pw".to_owned());
    for _ in 0..300 {
        let (body, _) = random_token_body(&mut rng);
        peer.on("/token", Reply::raw_json(200, body.clone()));
        let client = confidential(&TRUSTED, &peer);
        let input = String::from_utf8_lossy(&body).into_owned();
        let pw = password.clone();
        let before = SystemTime::now();
        let result = no_panic(&input, async move {
            client.password_token("alice", &pw, Some(ORDERS)).await
        })
        .await;
        if let Ok(tokens) = result {
            check_tokens(&tokens, before);
        }
    }

    // A real token set with a refresh token, then refresh answered with garbage.
    let client = confidential(&WEB, &peer);
    let mut original = None;
    for _ in 0..3 {
        peer.on(
            "/token",
            Reply::json(
                200,
                json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60, "refresh_token": "rt"}),
            ),
        );
        let (_, pending) = client.authorize_url(Some(ORDERS)).await.unwrap();
        let callback = format!(
            "?{}",
            encode(&[
                ("code", "c"),
                ("state", pending.state()),
                ("iss", &peer.base())
            ])
        );
        original = Some(client.exchange_code(pending, &callback).await.unwrap());
    }
    let original = original.unwrap();
    for _ in 0..300 {
        let (body, _) = random_token_body(&mut rng);
        peer.on("/token", Reply::raw_json(200, body.clone()));
        let input = String::from_utf8_lossy(&body).into_owned();
        let (client, tokens) = (client.clone(), original.clone());
        let before = SystemTime::now();
        let result = no_panic(&input, async move { client.refresh(&tokens).await }).await;
        if let Ok(tokens) = result {
            check_tokens(&tokens, before);
        }
    }
}
