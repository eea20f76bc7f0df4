//! Discovery documents.

use super::*;

#[tokio::test]
async fn discovery_survives_malformed_documents() {
    let peer = FaultPeer::start().await.unwrap();
    peer.on(
        "/token",
        Reply::json(
            200,
            json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60}),
        ),
    );
    let good = metadata(&peer);
    let fields: Vec<String> = good.as_object().unwrap().keys().cloned().collect();
    let mut rng = Rng::new(0xD15C);
    for i in 0..400 {
        let mut doc = good.as_object().unwrap().clone();
        let edits = if i == 0 { 0 } else { 1 + rng.below(3) };
        for _ in 0..edits {
            let name = rng.pick(&fields).clone();
            match rng.below(5) {
                0 => {
                    doc.remove(&name);
                }
                1 => {
                    doc.insert(
                        name,
                        json!(
                            rng.pick(&[
                                "http://evil.example/token",
                                "",
                                "not a url",
                                "https://",
                                "https://[::1",
                                "https://例え.jp/トークン",
                                "javascript:alert(1)",
                            ])
                            .to_string()
                        ),
                    );
                }
                _ => {
                    let raw = random_json(&mut rng, 1);
                    let value = serde_json::from_str(&raw).unwrap_or(Value::Null);
                    doc.insert(name, value);
                }
            }
        }
        let text = Value::Object(doc).to_string();
        let body = if i > 0 && rng.chance(6) {
            mangle(&mut rng, text.clone())
        } else {
            text.into_bytes()
        };
        peer.on(
            "/.well-known/openid-configuration",
            Reply::raw_json(200, body.clone()),
        );
        let client = confidential(&MACHINE, &peer);
        let input = String::from_utf8_lossy(&body).into_owned();
        let result = no_panic(&input, async move {
            client.client_credentials_token(Some(ORDERS)).await
        })
        .await;
        if i == 0 {
            assert!(result.is_ok(), "{result:?}");
        }
    }
}
