//! The state shared by a client and its clones — spec, identity, HTTP client, discovery, caches
//! — and the steps every flow shares: audience checks, one token request.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauth2::ClientSecret;
use url::Url;

use crate::claims::IdTokenClaims;
use crate::client_auth::{AuthMethod, Credential, authenticate};
use crate::client_credentials::AudienceKey;
use crate::client_key::ClientKey;
use crate::clock::SystemClock;
use crate::discovery::{Discovery, Metadata};
use crate::dpop::{Dpop, DpopKey};
use crate::endpoints;
use crate::error::{ConfigError, Error};
use crate::http::{Endpoint, Form, Http, HttpResponse, Request};
use crate::id_token::{IdTokenValidation, JwksCache};
use crate::kind::Flow;
use crate::limits::REFRESH_SHARE_WINDOW;
use crate::quirks::{Quirk, Quirks};
use crate::settings::{ClientType, Settings};
use crate::single_flight::Flights;
use crate::spec::ClientSpec;
use crate::token_manager::{CacheConfig, TokenManager};
use crate::token_response::{self, Received, Requested, TokenType};
use crate::token_source::BearerToken;
use crate::token_store::shared::SharedStore;
use crate::tokens::TokenSet;
use crate::urls::{check_issuer, check_redirect_uri};

/// In-flight and just-finished refreshes, keyed by the SHA-256 of the refresh token (the token
/// itself is not kept as a key). Each refresh runs in its own task, so a cancelled caller never
/// cancels it nor makes another caller send the refresh token again; a success is shared for
/// [`REFRESH_SHARE_WINDOW`] (the work is `refresh::refresh`; it lives here, beside the
/// context that holds it, so that `refresh` depends on the context and not the other way round) with late callers still holding the old refresh token.
///
/// What a flight keeps: the new tokens, or the [`Error::CommittedButUnverified`] that holds them
/// (the server committed them too: a late caller still holding the old refresh token must get
/// them, not replay it).
pub(crate) struct RefreshFlights(pub(crate) Flights<[u8; 32], Result<TokenSet, Error>, Error>);

impl Default for RefreshFlights {
    fn default() -> Self {
        RefreshFlights(Flights::new(REFRESH_SHARE_WINDOW, Arc::new(SystemClock)))
    }
}

/// Everything a client needs at run time; behind one `Arc` shared by clones.
pub struct Context {
    /// The compile-time spec.
    pub(crate) spec: &'static ClientSpec,
    /// The client identifier.
    pub(crate) client_id: String,
    /// The secret of a confidential client.
    pub(crate) secret: Option<ClientSecret>,
    /// The `private_key_jwt` key of a `Settings<PrivateKeyJwt>` client.
    pub(crate) key: Option<ClientKey>,
    /// The redirect URI, verbatim as configured (R10), for redirect-based flows.
    pub(crate) redirect_uri: Option<String>,
    /// The back-channel HTTP client.
    pub(crate) http: Http,
    /// The issuer and its (lazily fetched) metadata.
    pub(crate) discovery: Discovery,
    /// Client credentials: one cached token per audience, shared with every caller.
    pub(crate) token_cache: TokenManager<AudienceKey, BearerToken>,
    /// Refresh: one request per refresh token.
    pub(crate) refresh_flights: RefreshFlights,
    /// The token store shared with other instances (`Settings::token_store`), if any.
    pub(crate) shared_store: Option<SharedStore>,
    /// The secret method fixed by the attribute (`client_auth`) or the settings
    /// (`Settings::client_secret_post`); `None`: chosen from the metadata.
    pub(crate) client_auth: Option<AuthMethod>,
    /// The DPoP key and nonces of a client with `sender_constraint = "dpop"`.
    pub(crate) dpop: Option<Dpop>,
    /// Timeout of one back-channel request (also for the JWKS and the device flow).
    pub(crate) request_timeout: Duration,
    /// How long `login_via_loopback` waits for the browser.
    pub(crate) loopback_timeout: Duration,
    /// Provider deviations accepted by name (`Settings::accept_…`); none by default.
    pub(crate) quirks: Quirks,
    /// Audiences besides this client that an ID token may list (`Settings::accept_id_token_audiences`).
    id_token_audiences: Box<[String]>,
    /// The issuer's signing keys: one cache per client (shared by clones), built on first use
    /// from the metadata's `jwks_uri`.
    jwks: tokio::sync::OnceCell<JwksCache>,
}

/// Whether this flow sends the user to the authorization endpoint and back.
/// The JWS algorithms FAPI 2.0 allows (§5.4.1).
const FAPI2_ALGS: &[&str] = &["PS256", "ES256", "EdDSA"];

/// The DPoP state of a new client: the supplied key or a generated one when the attribute asks
/// for DPoP; a supplied key without it, or a shared token store with a generated key (the other
/// replicas could not use the tokens it shares), is a configuration error.
fn dpop_state(
    spec: &ClientSpec,
    supplied: Option<DpopKey>,
    shares_tokens: bool,
) -> Result<Option<Dpop>, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        reason: reason.into(),
    };
    match (spec.dpop, supplied) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(invalid(
            "`Settings::dpop_key` is for a client with sender_constraint = \"dpop\": add it to the attribute, or remove the key",
        )),
        (true, Some(key)) => Ok(Some(Dpop::new(key))),
        (true, None) if shares_tokens => Err(invalid(
            "a shared token store hands DPoP-bound tokens to other instances, which can only use them with the same key: give every instance the same `Settings::dpop_key(DpopKey::from_pem(..))`",
        )),
        (true, None) => Ok(Some(Dpop::new(DpopKey::generate()?))),
    }
}

fn uses_redirect(flow: Flow) -> bool {
    matches!(
        flow,
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce | Flow::ImplicitFormPost
    )
}

impl Context {
    /// Checks the settings against the spec (no network).
    pub(crate) fn new<S: ClientType>(
        spec: &'static ClientSpec,
        settings: Settings<S>,
    ) -> Result<Self, ConfigError> {
        let invalid = |reason: String| ConfigError::Invalid { reason };
        if spec.kind.is_confidential() != S::CONFIDENTIAL {
            return Err(invalid(format!(
                "a `{}` client is {}: build its settings with `Settings::{}`",
                spec.kind.as_str(),
                if spec.kind.is_confidential() {
                    "confidential"
                } else {
                    "public"
                },
                if spec.kind.is_confidential() {
                    "confidential(client_id, secret)"
                } else {
                    "public(client_id)"
                },
            )));
        }
        if settings.client_id.trim().is_empty() || settings.client_id.trim() != settings.client_id {
            return Err(invalid(
                "the client_id is empty or has surrounding whitespace".into(),
            ));
        }
        if settings
            .secret
            .as_ref()
            .is_some_and(|s| s.secret().is_empty())
        {
            return Err(invalid("the client secret is empty".into()));
        }
        if (spec.client_auth == Some(AuthMethod::PrivateKeyJwt)) != S::PRIVATE_KEY_JWT {
            return Err(invalid(if S::PRIVATE_KEY_JWT {
                "this client authenticates with a secret: build its settings with `Settings::confidential(client_id, secret)`".into()
            } else {
                "this client has client_auth = \"private_key_jwt\": build its settings with `Settings::private_key_jwt(client_id, key)`".into()
            }));
        }
        if spec.client_auth == Some(AuthMethod::Basic) && settings.client_secret_post {
            return Err(invalid(
                "the attribute says client_auth = \"client_secret_basic\", and the settings chose client_secret_post (`Settings::client_secret_post` or `<PREFIX>_CLIENT_AUTH_METHOD`): keep one".into(),
            ));
        }
        // Explicit endpoints (the settings' over the attribute's) replace discovery for what
        // they cover; an issuer is needed to discover the rest, and to validate ID tokens.
        let explicit = settings.endpoints.over(endpoints::from_spec(spec));
        endpoints::refuse_unused(spec, &explicit)?;
        let explicit = explicit.checked()?;
        let cover = endpoints::covers_flow(spec, &explicit);
        let issuer = match settings.issuer.as_deref().or(spec.issuer) {
            Some(issuer) => Some(check_issuer(issuer)?),
            // A client assertion's `aud` is the issuer (R30): private_key_jwt needs one.
            None if cover
                && !spec.validates_id_tokens()
                && spec.client_auth != Some(AuthMethod::PrivateKeyJwt) =>
            {
                None
            }
            None => {
                return Err(ConfigError::MissingIssuer {
                    env: format!("{}_ISSUER", spec.env_prefix),
                });
            }
        };
        let redirect_uri = if uses_redirect(spec.flow) {
            let uri = settings
                .redirect_uri
                .as_deref()
                .or(spec.redirect_uri)
                .ok_or_else(|| {
                    invalid(format!(
                        "a `{}` client needs a redirect URI: write `redirect_uri = \"...\"` in the attribute or call `Settings::redirect_uri`",
                        spec.kind.as_str()
                    ))
                })?;
            check_redirect_uri(spec.kind, spec.flow == Flow::ImplicitFormPost, uri)?;
            Some(uri.to_owned())
        } else {
            if settings.redirect_uri.is_some() {
                return Err(invalid(format!(
                    "a `{}` client has no redirect: remove `Settings::redirect_uri`",
                    spec.kind.as_str()
                )));
            }
            None
        };
        if let Some(bad) = settings
            .id_token_audiences
            .iter()
            .find(|a| a.is_empty() || a.trim() != a.as_str() || **a == settings.client_id)
        {
            return Err(invalid(format!(
                "`accept_id_token_audiences`: {}",
                if bad.is_empty() || bad.trim() != bad.as_str() {
                    "an audience is empty or has surrounding whitespace"
                } else {
                    "this client's own ID is always accepted; list only the other audiences"
                }
            )));
        }
        if settings.loopback_timeout.is_zero() {
            return Err(invalid(
                "the loopback timeout must be greater than zero".into(),
            ));
        }
        let dpop = dpop_state(spec, settings.dpop_key, settings.token_store.is_some())?;
        let http = Http::new(settings.http_client, settings.request_timeout)?;
        // The namespace names the server: the issuer, or the token endpoint without one.
        let server = issuer.clone().or_else(|| {
            explicit
                .get(endpoints::EndpointName::Token)
                .map(ToString::to_string)
        });
        let shared_store = settings.token_store.map(|store| {
            SharedStore::new(store, server.as_deref().unwrap_or(""), &settings.client_id)
        });
        Ok(Context {
            spec,
            client_id: settings.client_id,
            secret: settings.secret,
            key: settings.key,
            redirect_uri,
            http,
            discovery: Discovery::new(issuer, explicit, cover, settings.quirks),
            token_cache: TokenManager::with_keys(
                CacheConfig {
                    refresh_margin: settings.refresh_margin,
                    ..CacheConfig::client_credentials()
                },
                Arc::new(SystemClock),
                AudienceKey::declared(spec),
            ),
            refresh_flights: RefreshFlights::default(),
            shared_store,
            client_auth: spec
                .client_auth
                .or(settings.client_secret_post.then_some(AuthMethod::Post)),
            request_timeout: settings.request_timeout,
            loopback_timeout: settings.loopback_timeout,
            quirks: settings.quirks,
            id_token_audiences: settings.id_token_audiences.into_boxed_slice(),
            jwks: tokio::sync::OnceCell::new(),
            dpop,
        })
    }

    /// The configured issuer (exact string), if any: a client whose explicit endpoints cover its
    /// flow and that validates no ID token may have none.
    pub(crate) fn issuer(&self) -> Option<&str> {
        self.discovery.issuer()
    }

    /// The issuer an ID token must name. `new` requires one for every client that validates ID
    /// tokens; the error is the backstop.
    pub(crate) fn id_token_issuer(&self) -> Result<&str, Error> {
        self.issuer().ok_or_else(|| {
            Error::Config(ConfigError::MissingIssuer {
                env: format!("{}_ISSUER", self.spec.env_prefix),
            })
        })
    }

    /// The checked metadata (fetched once, lazily; explicit endpoints need no request).
    pub(crate) async fn metadata(&self) -> Result<Arc<Metadata>, Error> {
        self.discovery.metadata(&self.http).await
    }

    /// Checks that `audience` is one of the spec's audiences (or absent when it declares none).
    pub(crate) fn check_audience<'a>(
        &self,
        audience: Option<&'a str>,
    ) -> Result<Option<&'a str>, Error> {
        let audiences = self.spec.audiences;
        match audience {
            None if audiences.is_empty() => Ok(None),
            // The same literal (the generated enum's `as_str`) usually has the same address:
            // compare addresses first, the bytes only when they differ.
            Some(a)
                if audiences
                    .iter()
                    .any(|known| std::ptr::eq(*known, a) || *known == a) =>
            {
                Ok(Some(a))
            }
            None => Err(Error::Config(ConfigError::Invalid {
                reason: "this client declares audiences: name the one the token is for".into(),
            })),
            Some(_) => Err(Error::Config(ConfigError::Invalid {
                reason: format!("unknown audience; this client declares {:?}", audiences),
            })),
        }
    }

    /// Adds the audience parameter (`audience` or `resource`, per the spec) (R11).
    pub(crate) fn add_audience(&self, form: &mut Form, audience: Option<&str>) {
        if let Some(audience) = audience {
            form.param(self.spec.audience_param.as_str(), audience);
        }
    }

    /// The scopes of a user-facing grant: the spec's, plus `offline_access` with
    /// `refresh_tokens = true` (unless `Settings::omit_offline_access`).
    pub(crate) fn user_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self.spec.scopes.iter().map(|s| (*s).to_owned()).collect();
        if self.spec.refresh_tokens && !scopes.iter().any(|s| s == "offline_access") {
            // The quirk decides before anything is seen: log it once per request built.
            if !self.quirks.accept(Quirk::OmitOfflineAccess) {
                scopes.push("offline_access".into());
            }
        }
        scopes
    }

    /// Whether the spec asks for an ID token (`openid` among the scopes).
    pub(crate) fn wants_openid(&self) -> bool {
        self.spec.wants_openid()
    }

    /// Whether this is a public client (`spa`, `native`, `device`).
    pub(crate) fn is_public(&self) -> bool {
        !self.spec.kind.is_confidential()
    }

    /// The JWKS cache of the issuer (one per client, built from the metadata's `jwks_uri` on
    /// first use; the keys themselves are fetched on the first ID token).
    pub(crate) async fn jwks(&self, metadata: &Metadata) -> Result<&JwksCache, Error> {
        let uri = metadata.jwks_uri()?;
        let jwks = self
            .jwks
            .get_or_init(|| async {
                JwksCache::new(uri.as_str()).request_timeout(Some(self.request_timeout))
            })
            .await;
        Ok(jwks)
    }

    /// What an ID token for this client must match: the configured issuer (equal to the
    /// metadata's), this client ID, the secret of a confidential client (the only case where
    /// HS* is accepted) and the metadata's `id_token_signing_alg_values_supported`, when listed.
    pub(crate) fn id_token_validation<'a>(
        &'a self,
        metadata: &'a Metadata,
    ) -> Result<IdTokenValidation<'a>, Error> {
        let validation = IdTokenValidation::new(self.id_token_issuer()?, &self.client_id)
            .client_secret(self.secret.as_ref())
            .other_audiences(&self.id_token_audiences)
            .tenant_issuer(metadata.tenant_issuer.as_ref());
        let announced = metadata.id_token_signing_alg_values_supported.as_deref();
        Ok(match (announced, self.spec.fapi2) {
            // FAPI 2.0 §5.4.1: PS256, ES256 and EdDSA only, whatever else the server lists.
            (Some(algs), true) => validation.signing_algs(
                &algs
                    .iter()
                    .filter(|a| FAPI2_ALGS.contains(&a.as_str()))
                    .collect::<Vec<_>>(),
            ),
            (None, true) => validation.signing_algs(FAPI2_ALGS),
            (Some(algs), false) => validation.signing_algs(algs),
            (None, false) => validation,
        })
    }

    /// Validates an ID token in full (R22–R24): signature with the issuer's keys, `alg`, `iss`,
    /// `aud`, `azp`, `exp`, `iat`, and the `nonce` when the request carried one.
    /// `expected_nonce` is `None` only where no nonce was sent (refresh, password, device).
    pub(crate) async fn validate_id_token(
        &self,
        metadata: &Metadata,
        id_token: &str,
        expected_nonce: Option<&str>,
    ) -> Result<IdTokenClaims, Error> {
        let jwks = self.jwks(metadata).await?;
        let http = self.http.checked_client().await?;
        let validation = self.id_token_validation(metadata)?;
        crate::id_token::verify(id_token, &validation, expected_nonce, jwks, http).await
    }

    /// Sends one token request (authenticated with exactly one method) and validates the
    /// response. Never retried: callers decide, and the code and password grants never do.
    /// POSTs `form` to an endpoint that authenticates the client like the token endpoint (the
    /// token endpoint itself, revocation: RFC 7009 §2.1), with exactly one method.
    pub(crate) async fn authenticated_post(
        &self,
        metadata: &Metadata,
        endpoint: Endpoint,
        url: &Url,
        form: Form,
    ) -> Result<HttpResponse, Error> {
        // DPoP proofs go to the endpoints that issue or prepare bound tokens (RFC 9449 §5,
        // §10.1); a `use_dpop_nonce` answer there is a 400 (§8) and is retried once, with a
        // new proof and — a server may spend an assertion's `jti` before it checks the nonce —
        // a new client assertion.
        let dpop = self
            .dpop
            .as_ref()
            .filter(|_| endpoint == Endpoint::TOKEN || endpoint == Endpoint::PUSHED_AUTHORIZATION);
        let Some(dpop) = dpop else {
            let mut form = form;
            self.authenticate(metadata, &mut form).await?;
            return self
                .http
                .send(Request::post_form(endpoint, url, &form))
                .await;
        };
        dpop.send_with_nonce_retry("POST", url, None, |proof| {
            let mut form = form.clone();
            async move {
                self.authenticate(metadata, &mut form).await?;
                self.http
                    .send(Request::post_form(endpoint, url, &form).dpop(Some(proof)))
                    .await
            }
        })
        .await
    }

    /// Adds the client's authentication to `form`: a fresh client assertion, the secret by the
    /// chosen method, or the `client_id` of a public client.
    async fn authenticate(&self, metadata: &Metadata, form: &mut Form) -> Result<(), Error> {
        let supported = metadata.token_endpoint_auth_methods_supported.as_deref();
        if let Some(key) = &self.key {
            AuthMethod::choose(supported, self.client_auth)?;
            // R30: `aud` is the issuer identifier, whichever endpoint is called.
            let issuer = self.id_token_issuer()?;
            let assertion = crate::assertion::client_assertion(
                key,
                &self.client_id,
                issuer,
                std::time::SystemTime::now(),
            )
            .await?;
            authenticate(form, &self.client_id, Credential::Assertion(&assertion));
        } else if let Some(secret) = &self.secret {
            let method = AuthMethod::choose(supported, self.client_auth)?;
            authenticate(form, &self.client_id, Credential::Secret(secret, method));
        } else {
            authenticate(form, &self.client_id, Credential::None);
        }
        Ok(())
    }

    /// The `token_type` this client accepts: `DPoP` with `sender_constraint = "dpop"`, else
    /// `Bearer` (R21; RFC 9449 §5).
    pub(crate) fn token_type(&self) -> TokenType {
        if self.dpop.is_some() {
            TokenType::Dpop
        } else {
            TokenType::Bearer
        }
    }

    pub(crate) async fn token_request(
        &self,
        metadata: &Metadata,
        grant: &'static str,
        form: Form,
        requested: Requested<'_>,
    ) -> Result<Received, Error> {
        let endpoint = metadata.token_endpoint()?;
        tracing::debug!(
            grant,
            audience = requested.audience,
            "oauthflow: token request"
        );
        let response = self
            .authenticated_post(metadata, Endpoint::TOKEN, endpoint, form)
            .await?;
        let received = token_response::parse(
            "token",
            &response,
            &requested,
            self.token_type(),
            self.quirks,
            SystemTime::now(),
        )?;
        tracing::debug!(
            grant,
            audience = requested.audience,
            expires_in_known = received.tokens.expires_at.is_some(),
            "oauthflow: token response accepted"
        );
        Ok(received)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(self.spec.struct_name)
            .field("kind", &self.spec.kind)
            .field("flow", &self.spec.flow)
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer())
            .finish_non_exhaustive()
    }
}
