//! Issue 9 §1, end to end: a generated `machine` client as a `TokenSource`, calling a protected
//! API through the `reqwest-middleware` middleware and the `tower` layer, with real tokens from
//! the local oidc-provider (token requests counted by the server) and a small API on 127.0.0.1
//! that checks them (`examples/support/protected_api.rs`).

#[path = "../examples/support/protected_api.rs"]
mod protected_api;

use oauthflow::integrations::reqwest_middleware::BearerMiddleware;
use oauthflow::integrations::tower::BearerLayer;
use oauthflow::{ClientSecret, Settings, TokenSource, oauth_client};
use oauthflow_devserver::{DevOptions, DevProvider, clients, resources};
use protected_api::{ProtectedApi, Refusal};
use tower::{Layer, Service, ServiceExt};

#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders", "https://api.example.com/billing"],
)]
struct Importer;

fn importer(provider: &DevProvider, secret: &str) -> Importer {
    let secret = ClientSecret::new(secret.into());
    Importer::new(Settings::confidential(clients::MACHINE.id, secret).issuer(provider.issuer()))
        .unwrap()
}

struct World {
    provider: DevProvider,
    api: ProtectedApi,
    importer: Importer,
}

impl World {
    async fn new() -> Self {
        let provider = DevProvider::start().await.unwrap();
        let api = ProtectedApi::start(resources::ORDERS).await.unwrap();
        let importer = importer(&provider, clients::MACHINE.secret.unwrap());
        World {
            provider,
            api,
            importer,
        }
    }

    /// Token requests for the orders API the server answered since the last call.
    async fn token_requests(&self) -> u64 {
        let stats = self.provider.reset_grant_stats().await.unwrap();
        assert_eq!(stats.errors, 0, "{stats:?}");
        stats.for_resource(resources::ORDERS)
    }

    fn middleware_client(&self) -> reqwest_middleware::ClientWithMiddleware {
        reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(BearerMiddleware::new(
                self.importer.clone(),
                ImporterAudience::Orders,
            ))
            .build()
    }

    /// The tokens the API saw, in order (`None`: no `Authorization` header).
    fn tokens_seen(&self) -> Vec<Option<String>> {
        self.api
            .seen()
            .into_iter()
            .map(|s| s.authorization)
            .collect()
    }
}

#[tokio::test]
async fn middleware_sends_the_cached_token_for_its_audience() {
    let world = World::new().await;
    let http = world.middleware_client();
    for _ in 0..3 {
        let response = http.get(world.api.url()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["client"], clients::MACHINE.id);
    }
    let seen = world.tokens_seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|t| t == &seen[0] && t.is_some()));
    assert_eq!(
        world.token_requests().await,
        1,
        "one token, from the cache after"
    );
}

#[tokio::test]
async fn middleware_replaces_a_refused_token_once_and_resends_the_body() {
    let world = World::new().await;
    let http = world.middleware_client();
    assert_eq!(
        http.get(world.api.url()).send().await.unwrap().status(),
        200
    );
    world.api.revoke_seen_tokens();

    let response = http
        .post(world.api.url())
        .body("order=42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen = world.api.seen();
    assert_eq!(
        seen.iter().map(|s| s.status).collect::<Vec<_>>(),
        [200, 401, 200]
    );
    assert_eq!(
        seen[1].authorization, seen[0].authorization,
        "first the cached token"
    );
    assert_ne!(
        seen[2].authorization, seen[1].authorization,
        "then a new one"
    );
    assert_eq!(
        (seen[1].body.as_str(), seen[2].body.as_str()),
        ("order=42", "order=42")
    );
    assert_eq!(world.token_requests().await, 2);

    // The new token is cached: no further token request.
    assert_eq!(
        http.get(world.api.url()).send().await.unwrap().status(),
        200
    );
    assert_eq!(world.api.seen()[3].authorization, seen[2].authorization);
    assert_eq!(world.token_requests().await, 0);
}

#[tokio::test]
async fn middleware_retries_once_only_and_only_for_invalid_token() {
    let world = World::new().await;
    let http = world.middleware_client();
    let statuses = |world: &World| {
        world
            .api
            .seen()
            .iter()
            .map(|s| s.status)
            .collect::<Vec<_>>()
    };

    // Every token refused: one retry with a new token, whose 401 goes back to the caller.
    world.api.refuse_every_token(Some(Refusal::InvalidToken));
    let response = http.get(world.api.url()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(statuses(&world), [401, 401]);
    assert_eq!(world.token_requests().await, 2);

    // A bare challenge (no `invalid_token`) is not fixed by a new token: no retry, no new token.
    world.api.refuse_every_token(Some(Refusal::BareChallenge));
    let response = http.get(world.api.url()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(statuses(&world), [401, 401, 401]);
    world.api.refuse_every_token(None);
    assert_eq!(
        http.get(world.api.url()).send().await.unwrap().status(),
        200
    );
    assert_eq!(world.token_requests().await, 0, "the token was kept");

    // A request with its own `Authorization` header is sent as it is.
    let response = http
        .get(world.api.url())
        .header(reqwest::header::AUTHORIZATION, "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let last = world.api.seen().pop().unwrap();
    assert_eq!(last.authorization.as_deref(), Some("Basic Zm9vOmJhcg=="));
    assert_eq!(world.token_requests().await, 0);
}

#[tokio::test]
async fn middleware_fails_the_request_with_the_token_error() {
    let world = World::new().await;
    let wrong = importer(&world.provider, "not-the-secret");
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(BearerMiddleware::new(wrong, ImporterAudience::Orders))
        .build();
    let error = http.get(world.api.url()).send().await.unwrap_err();
    let reqwest_middleware::Error::Middleware(error) = error else {
        panic!("expected the token error, got {error:?}");
    };
    let error = error
        .downcast_ref::<oauthflow::Error>()
        .expect("an oauthflow::Error");
    assert_eq!(error.oauth_code(), Some("invalid_client"));
    assert!(world.api.seen().is_empty(), "nothing reached the API");
}

/// A tower service over reqwest: what the layer wraps in these tests (any
/// `Service<http::Request<B>>` HTTP client works the same).
fn reqwest_service() -> impl Service<
    http::Request<String>,
    Response = http::Response<String>,
    Error = reqwest::Error,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    let client = reqwest::Client::new();
    tower::service_fn(move |request: http::Request<String>| {
        let client = client.clone();
        async move {
            let response = client.execute(request.try_into()?).await?;
            let mut answer = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            Ok(answer
                .body(response.text().await?)
                .expect("parts of a valid response"))
        }
    })
}

#[tokio::test]
async fn tower_layer_sends_the_token_and_replaces_a_refused_one_once() {
    let world = World::new().await;
    let mut service =
        BearerLayer::new(world.importer.clone(), ImporterAudience::Orders).layer(reqwest_service());
    let request = || {
        http::Request::post(world.api.url())
            .body("order=7".to_owned())
            .unwrap()
    };
    let response = service
        .ready()
        .await
        .unwrap()
        .call(request())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    world.api.revoke_seen_tokens();
    let response = service
        .ready()
        .await
        .unwrap()
        .call(request())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen = world.api.seen();
    assert_eq!(
        seen.iter().map(|s| s.status).collect::<Vec<_>>(),
        [200, 401, 200]
    );
    assert_ne!(seen[2].authorization, seen[1].authorization);
    assert_eq!(seen[2].body, "order=7");
    assert_eq!(world.token_requests().await, 2);
}

#[tokio::test]
async fn tower_layer_returns_the_token_error() {
    let world = World::new().await;
    let wrong = importer(&world.provider, "not-the-secret");
    let mut service = BearerLayer::new(wrong, ImporterAudience::Orders).layer(reqwest_service());
    let request = http::Request::get(world.api.url())
        .body(String::new())
        .unwrap();
    let error = service
        .ready()
        .await
        .unwrap()
        .call(request)
        .await
        .unwrap_err();
    let error = error
        .downcast_ref::<oauthflow::Error>()
        .expect("an oauthflow::Error");
    assert_eq!(error.oauth_code(), Some("invalid_client"));
}

#[tokio::test]
async fn discard_token_keeps_a_newer_token() {
    let world = World::new().await;
    let first = world
        .importer
        .bearer_token(ImporterAudience::Orders)
        .await
        .unwrap();
    world
        .importer
        .discard_token(ImporterAudience::Orders, &first);
    let second = world
        .importer
        .bearer_token(ImporterAudience::Orders)
        .await
        .unwrap();
    assert_ne!(first, second, "a new token after the discard");
    // A late caller that still holds the first token does not evict the second.
    world
        .importer
        .discard_token(ImporterAudience::Orders, &first);
    let third = world
        .importer
        .bearer_token(ImporterAudience::Orders)
        .await
        .unwrap();
    assert!(third.same_as(&second));
    // The other audience's cache is untouched.
    world
        .importer
        .discard_token(ImporterAudience::Billing, &second);
    assert!(
        world
            .importer
            .bearer_token(ImporterAudience::Orders)
            .await
            .unwrap()
            .same_as(&second)
    );
    assert_eq!(world.token_requests().await, 2);
    // And `access_token` is the same token, copied.
    let copy = world
        .importer
        .access_token(ImporterAudience::Orders)
        .await
        .unwrap();
    assert_eq!(copy.secret(), second.secret());
}

/// The same importer with DPoP-bound tokens (R31): the integrations send `Authorization: DPoP`
/// and a proof per request.
#[oauth_client(
    kind = "machine",
    audiences = ["https://api.example.com/orders"],
    sender_constraint = "dpop",
)]
struct BoundImporter;

/// A provider and an API that both demand DPoP nonces, and a DPoP client of the provider.
async fn dpop_world() -> (DevProvider, ProtectedApi, BoundImporter) {
    let mut options = DevOptions::new();
    options.dpop_require_nonce = true;
    let provider = DevProvider::start_with(options).await.unwrap();
    let api = ProtectedApi::start(resources::ORDERS).await.unwrap();
    api.require_dpop_nonce();
    let secret = ClientSecret::new(clients::MACHINE.secret.unwrap().into());
    let importer = BoundImporter::new(
        Settings::confidential(clients::MACHINE.id, secret).issuer(provider.issuer()),
    )
    .unwrap();
    (provider, api, importer)
}

/// R31 through the middleware: the API's first answer asks for a nonce and the request is sent
/// once more with it; every request carries its own proof for the bound token; the API (which
/// checks the proof's key against the token's `cnf.jkt`, `htm`, `htu`, `ath`, `jti`) accepts
/// them. One token request for all of it.
#[tokio::test]
async fn middleware_sends_dpop_bound_tokens_with_a_proof_per_request() {
    let (provider, api, importer) = dpop_world().await;
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(BearerMiddleware::new(
            importer,
            BoundImporterAudience::Orders,
        ))
        .build();
    assert_eq!(http.get(api.url()).send().await.unwrap().status(), 200);
    let response = http.post(api.url()).body("order=7").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = api.seen();
    assert_eq!(
        seen.iter().map(|s| s.status).collect::<Vec<_>>(),
        [401, 200, 200],
        "one retry for the nonce, then the nonce is known"
    );
    assert_eq!(seen[2].body, "order=7");
    assert!(seen.iter().all(|s| {
        s.authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("DPoP "))
    }));
    let proofs: std::collections::HashSet<_> =
        seen.iter().map(|s| s.dpop.clone().unwrap()).collect();
    assert_eq!(proofs.len(), 3, "a fresh proof per request");
    let stats = provider.reset_grant_stats().await.unwrap();
    assert_eq!(stats.for_resource(resources::ORDERS), 1);
}

/// R31 through the tower layer: the same nonce retry, the body sent again.
#[tokio::test]
async fn tower_layer_sends_dpop_proofs_and_retries_once_for_a_nonce() {
    let (_provider, api, importer) = dpop_world().await;
    let mut service =
        BearerLayer::new(importer, BoundImporterAudience::Orders).layer(reqwest_service());
    let request = http::Request::post(api.url())
        .body("order=8".to_owned())
        .unwrap();
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = api.seen();
    assert_eq!(
        seen.iter().map(|s| s.status).collect::<Vec<_>>(),
        [401, 200]
    );
    assert_eq!(seen[1].body, "order=8");
    assert_ne!(seen[0].dpop, seen[1].dpop);
}

/// What DPoP is for: a bound token taken from the client is useless without its key — as a
/// bearer token, or with a proof from another key.
#[tokio::test]
async fn a_stolen_bound_token_is_refused() {
    let (_provider, api, importer) = dpop_world().await;
    let token = importer
        .bearer_token(BoundImporterAudience::Orders)
        .await
        .unwrap();
    assert!(token.is_dpop());
    let http = reqwest::Client::new();
    let as_bearer = http
        .get(api.url())
        .bearer_auth(token.secret())
        .send()
        .await
        .unwrap();
    assert_eq!(as_bearer.status(), 401);
    let thief = oauthflow::Dpop::new(oauthflow::DpopKey::generate().unwrap());
    let url = oauthflow::Url::parse(api.url()).unwrap();
    for _ in 0..2 {
        // Twice: the first answer may only ask for the nonce.
        let proof = thief.proof("GET", &url, Some(token.secret())).unwrap();
        let response = http
            .get(api.url())
            .header("authorization", token.authorization())
            .header("dpop", proof)
            .send()
            .await
            .unwrap();
        thief.remember_nonce(&url, response.headers());
        assert_eq!(response.status(), 401);
    }
}
