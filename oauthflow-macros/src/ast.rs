//! The typed model between parsing and expansion.
//!
//! [`Input`] is what the attribute says, value by value, each with the span of its key and of
//! its value, so that a policy error can point at the offending token. [`Client`] is what the
//! policy accepted: the kind, the grant the decision tree chose, and checked values only.

use proc_macro2::Span;

// The kind, the grant and the audience parameter are the runtime's own types, shared through
// `oauthflow-core`: the expansion names `::oauthflow::Kind::#variant` and the two cannot drift.
pub use oauthflow_core::{AudienceParam, Flow, Kind};

/// One argument as written: `key = value`.
#[derive(Clone, Debug)]
pub struct Arg<T> {
    /// The span of the key (`kind` in `kind = "web"`): "not allowed here" errors point here.
    pub key: Span,
    /// The span of the value (the literal): "bad value" errors point here.
    pub span: Span,
    /// The value.
    pub value: T,
}

#[cfg(test)]
impl<T> Arg<T> {
    /// An argument whose key and value share one span (used by tests).
    pub fn new(value: T, span: Span) -> Self {
        Arg {
            key: span,
            span,
            value,
        }
    }
}

/// A string with the span of its literal.
#[derive(Clone, Debug)]
pub struct Str {
    /// The span of the literal.
    pub span: Span,
    /// The string value.
    pub value: String,
}

impl Str {
    /// A string literal at `span`.
    pub fn new(value: impl Into<String>, span: Span) -> Self {
        Str {
            span,
            value: value.into(),
        }
    }
}

/// One entry of `audiences`: `"uri"` or `Name = "uri"`.
#[derive(Clone, Debug)]
pub struct AudienceInput {
    /// The explicit name in the `audiences(Name = "uri")` form.
    pub name: Option<Str>,
    /// The audience URI.
    pub uri: Str,
}

/// An argument the macro refuses outright (secrets, grant knobs), kept for the policy to explain.
#[derive(Clone, Debug)]
pub struct Refused {
    /// The key as written, with its span.
    pub key: Str,
    /// The value when it is a string literal (`response_type = "token"`).
    pub value: Option<String>,
}

/// Everything the attribute says, before any policy decision.
#[derive(Clone, Debug)]
pub struct Input {
    /// The struct's name and the span of its ident (where "missing `kind`" points).
    pub name: Str,
    /// `kind = "..."`.
    pub kind: Option<Arg<String>>,
    /// `issuer = "..."`.
    pub issuer: Option<Arg<String>>,
    /// `authorization_endpoint = "..."`.
    pub authorization_endpoint: Option<Arg<String>>,
    /// `token_endpoint = "..."`.
    pub token_endpoint: Option<Arg<String>>,
    /// `device_authorization_endpoint = "..."`.
    pub device_authorization_endpoint: Option<Arg<String>>,
    /// `jwks_uri = "..."`.
    pub jwks_uri: Option<Arg<String>>,
    /// `audiences = [...]` or `audiences(Name = "...", ...)`.
    pub audiences: Option<Arg<Vec<AudienceInput>>>,
    /// `audience_param = "audience" | "resource"`.
    pub audience_param: Option<Arg<String>>,
    /// `scopes = [...]`.
    pub scopes: Option<Arg<Vec<Str>>>,
    /// `redirect_uri = "..."`.
    pub redirect_uri: Option<Arg<String>>,
    /// `refresh_tokens = bool`.
    pub refresh_tokens: Option<Arg<bool>>,
    /// `access_token = bool`.
    pub access_token: Option<Arg<bool>>,
    /// `redirect_unavailable = "..."`.
    pub redirect_unavailable: Option<Arg<String>>,
    /// `env_prefix = "..."`.
    pub env_prefix: Option<Arg<String>>,
    /// `client_auth = "client_secret_basic" | "client_secret_post" | "private_key_jwt"`.
    pub client_auth: Option<Arg<String>>,
    /// `sender_constraint = "dpop"`.
    pub sender_constraint: Option<Arg<String>>,
    /// `par = bool`.
    pub par: Option<Arg<bool>>,
    /// `profile = "fapi2"`.
    pub profile: Option<Arg<String>>,
    /// Refused keys (secrets, grant knobs), in the order written.
    pub refused: Vec<Refused>,
    /// Arguments that were written but could not be read (a bad value, or a misspelt key whose
    /// did-you-mean names them): already reported, so "missing" rules stay quiet about them.
    pub unreadable: Vec<String>,
    /// The first and last token of the attribute's arguments (the attribute itself when it has
    /// none): where "missing `kind`" points, since that is where it must be added.
    pub args: (Span, Option<Span>),
}

impl Input {
    /// An input with only the struct name set.
    pub fn new(name: Str) -> Self {
        Input {
            name: name.clone(),
            kind: None,
            issuer: None,
            authorization_endpoint: None,
            token_endpoint: None,
            device_authorization_endpoint: None,
            jwks_uri: None,
            audiences: None,
            audience_param: None,
            scopes: None,
            redirect_uri: None,
            refresh_tokens: None,
            access_token: None,
            redirect_unavailable: None,
            env_prefix: None,
            client_auth: None,
            sender_constraint: None,
            par: None,
            profile: None,
            refused: Vec::new(),
            unreadable: Vec::new(),
            args: (name.span, None),
        }
    }

    /// Whether `key` was written but could not be read (already reported).
    pub fn unreadable(&self, key: &str) -> bool {
        self.unreadable.iter().any(|k| k == key)
    }

    /// The explicit endpoint arguments, with their names, in a fixed order.
    pub fn endpoints(&self) -> [(&'static str, Option<&Arg<String>>); 4] {
        [
            (
                "authorization_endpoint",
                self.authorization_endpoint.as_ref(),
            ),
            ("token_endpoint", self.token_endpoint.as_ref()),
            (
                "device_authorization_endpoint",
                self.device_authorization_endpoint.as_ref(),
            ),
            ("jwks_uri", self.jwks_uri.as_ref()),
        ]
    }
}

/// A client authentication method the attribute can fix (`client_auth = "..."`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic with the secret.
    SecretBasic,
    /// `client_secret_post`: the secret in the request body.
    SecretPost,
    /// `private_key_jwt`: a signed assertion (RFC 7523).
    PrivateKeyJwt,
}

impl ClientAuth {
    /// Every method, as written in the attribute.
    pub const ALL: [(&'static str, ClientAuth); 3] = [
        ("client_secret_basic", ClientAuth::SecretBasic),
        ("client_secret_post", ClientAuth::SecretPost),
        ("private_key_jwt", ClientAuth::PrivateKeyJwt),
    ];

    /// The method written as `value`.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().find(|(s, _)| *s == value).map(|(_, m)| *m)
    }

    /// Whether the method authenticates with a client secret.
    pub fn uses_secret(self) -> bool {
        matches!(self, ClientAuth::SecretBasic | ClientAuth::SecretPost)
    }
}

/// One accepted audience.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audience {
    /// The enum variant name (UpperCamelCase).
    pub variant: String,
    /// The audience URI.
    pub uri: String,
}

/// What the policy accepted: the input for expansion.
#[derive(Clone, Debug)]
pub struct Client {
    /// The struct's name.
    pub struct_name: String,
    /// The declared kind.
    pub kind: Kind,
    /// The chosen grant.
    pub flow: Flow,
    /// `issuer`.
    pub issuer: Option<String>,
    /// `authorization_endpoint`.
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    pub token_endpoint: Option<String>,
    /// `device_authorization_endpoint`.
    pub device_authorization_endpoint: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// The audiences, in declaration order.
    pub audiences: Vec<Audience>,
    /// `audience_param`.
    pub audience_param: AudienceParam,
    /// `scopes`, as written.
    pub scopes: Vec<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `refresh_tokens`.
    pub refresh_tokens: bool,
    /// The `from_env` prefix.
    pub env_prefix: String,
    /// The client authentication method the attribute fixed (`client_auth`, or implied by the
    /// profile); `None`: a secret method chosen from the metadata.
    pub client_auth: Option<ClientAuth>,
    /// Push authorization requests (`par = true`, or implied by the profile on `web`).
    pub par: bool,
    /// DPoP-bound tokens (`sender_constraint = "dpop"`, or implied by the profile).
    pub dpop: bool,
    /// `profile = "fapi2"`: the profile's run-time checks (ID-token algorithms, RFC 9207 `iss`).
    pub fapi2: bool,
    /// The `DECISION` text.
    pub decision: String,
}
