//! Device authorization responses.

use super::*;

#[tokio::test]
async fn device_authorization_survives_absurd_values() {
    let peer = peer().await;
    let client = public(&DEVICE, &peer);
    let mut rng = Rng::new(0xDE_71CE);
    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "5",
        "600",
        "-1",
        "1.5",
        "1e308",
        "1e400",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "\"600\"",
        "null",
        "[]",
    ];
    for _ in 0..500 {
        let mut members = vec![
            format!(
                "\"device_code\":{}",
                if rng.chance(5) {
                    random_json(&mut rng, 1)
                } else {
                    "\"dc\"".to_owned()
                }
            ),
            format!(
                "\"user_code\":{}",
                if rng.chance(5) {
                    random_json(&mut rng, 1)
                } else {
                    "\"ABCD-EFGH\"".to_owned()
                }
            ),
            format!(
                "\"verification_uri\":{}",
                if rng.chance(5) {
                    random_json(&mut rng, 1)
                } else {
                    "\"https://as.example.com/device\"".to_owned()
                }
            ),
            format!("\"expires_in\":{}", rng.pick(NUMBERS)),
            format!("\"interval\":{}", rng.pick(NUMBERS)),
        ];
        if rng.chance(3) {
            members.push(format!(
                "\"verification_uri_complete\":{}",
                random_json(&mut rng, 1)
            ));
        }
        if rng.chance(6) {
            members.remove(rng.below(members.len()));
        }
        let text = format!("{{{}}}", members.join(","));
        let body = if rng.chance(6) {
            mangle(&mut rng, text)
        } else {
            text.into_bytes()
        };
        let status = *rng.pick(&[200, 200, 200, 400, 503]);
        peer.on("/device", Reply::raw_json(status, body.clone()));
        let input = String::from_utf8_lossy(&body).into_owned();
        let c = client.clone();
        let before = SystemTime::now();
        let result = no_panic(
            &input,
            async move { c.device_authorization(Some(ORDERS)).await },
        )
        .await;
        if let Ok(authorization) = result {
            let expires_at = authorization.expires_at();
            assert!(expires_at > before, "{input}");
            assert!(
                expires_at <= SystemTime::now() + Duration::from_secs(24 * 3600 + 5),
                "{input}"
            );
            let interval = authorization.interval();
            assert!(
                interval >= Duration::from_secs(1) && interval <= Duration::from_secs(3600),
                "{input}: {interval:?}"
            );
        }
    }
}
