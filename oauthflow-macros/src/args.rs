//! The one table of the attribute's arguments: its name, how its value is written and read,
//! the kinds it may appear with, its default, its meaning and an example.
//!
//! Reading ([`crate::attr`]), the did-you-mean for a misspelt argument, the "takes …" message for
//! a value of the wrong shape, and the argument table of the documentation
//! (`docs/oauth_client.md`, kept equal to [`markdown_rows`] by a test) all come from [`ARGS`].

use crate::ast::{Arg, AudienceInput, Input, Kind, Str};

/// Where a value goes in the [`Input`], which also says how it is written.
#[derive(Clone, Copy)]
pub enum Slot {
    /// A string literal: `key = "..."`.
    Str(fn(&mut Input) -> &mut Option<Arg<String>>),
    /// A bool: `key = true`, `key = false`, or the bare `key`.
    Bool(fn(&mut Input) -> &mut Option<Arg<bool>>),
    /// A list of string literals: `key = ["...", ...]`.
    Scopes,
    /// `key = ["uri", ...]` or `key(Name = "uri", ...)`.
    Audiences,
}

impl Slot {
    /// The value's shape, as the "takes …" message says it.
    pub fn shape(self) -> &'static str {
        match self {
            Slot::Str(_) => "a string literal",
            Slot::Bool(_) => "a bool",
            Slot::Scopes => "a list of string literals",
            Slot::Audiences => "a list of string literals or `Name = \"uri\"` pairs",
        }
    }
}

/// One argument of `#[oauth_client(...)]`.
pub struct ArgSpec {
    /// The argument's name.
    pub name: &'static str,
    /// Where its value goes, and so how it is written.
    pub slot: Slot,
    // Read by the documentation test only.
    #[cfg_attr(not(test), allow(dead_code))]
    /// The value, as the documentation describes it.
    pub value: &'static str,
    // Read by the documentation test only.
    #[cfg_attr(not(test), allow(dead_code))]
    /// The kinds it may be written with (the policy refuses it with every other kind).
    pub kinds: &'static [Kind],
    // Read by the documentation test only.
    #[cfg_attr(not(test), allow(dead_code))]
    /// "allowed with", as the documentation says it (finer than `kinds` where a rule depends on
    /// more than the kind).
    pub allowed_with: &'static str,
    // Read by the documentation test only.
    #[cfg_attr(not(test), allow(dead_code))]
    /// The default, as the documentation says it.
    pub default: &'static str,
    // Read by the documentation test only.
    #[cfg_attr(not(test), allow(dead_code))]
    /// What it means.
    pub meaning: &'static str,
    /// A well-formed example, for the "takes …" message.
    pub example: &'static str,
}

/// Every kind.
const ALL: &[Kind] = &Kind::ALL;
/// The kinds with an end user, which can get refresh tokens.
const USER_KINDS: &[Kind] = &[
    Kind::Web,
    Kind::Spa,
    Kind::Native,
    Kind::Trusted,
    Kind::Device,
];
/// The confidential kinds, which authenticate at the token endpoint.
const CONFIDENTIAL_KINDS: &[Kind] = &[Kind::Machine, Kind::Web, Kind::Trusted];
/// The kinds with a browser redirect.
const REDIRECT_KINDS: &[Kind] = &[Kind::Web, Kind::Spa, Kind::Native];

/// The arguments, in the order of the grammar.
pub const ARGS: [ArgSpec; 18] = [
    ArgSpec {
        name: "kind",
        slot: Slot::Str(|i| &mut i.kind),
        value: r#"`"machine"`, `"web"`, `"spa"`, `"native"`, `"trusted"`, `"device"`"#,
        kinds: ALL,
        allowed_with: "required",
        default: "—",
        meaning: "the application type; selects the grant",
        example: r#"kind = "web""#,
    },
    ArgSpec {
        name: "issuer",
        slot: Slot::Str(|i| &mut i.issuer),
        value: "https URL without query or fragment",
        kinds: ALL,
        allowed_with: "all",
        default: "read at run time (`Settings::issuer`, `<PREFIX>_ISSUER`); not needed by a client whose explicit endpoints cover its flow and that validates no ID token",
        meaning: "the authorization server; endpoints come from its metadata (RFC 8414 / OpenID Discovery), fetched lazily and kept for its `max-age`",
        example: r#"issuer = "https://tenant.example.com/""#,
    },
    ArgSpec {
        name: "authorization_endpoint",
        slot: Slot::Str(|i| &mut i.authorization_endpoint),
        value: "https URL without fragment",
        kinds: REDIRECT_KINDS,
        allowed_with: "`web`, `spa`, `native`, with the other endpoints the flow calls",
        default: "discovery",
        meaning: "explicit endpoint instead of discovery; `Settings::authorization_endpoint` (and the like for the others) overrides it at run time",
        example: r#"authorization_endpoint = "https://tenant.example.com/authorize""#,
    },
    ArgSpec {
        name: "token_endpoint",
        slot: Slot::Str(|i| &mut i.token_endpoint),
        value: "https URL without fragment",
        kinds: &[
            Kind::Machine,
            Kind::Web,
            Kind::Spa,
            Kind::Native,
            Kind::Trusted,
            Kind::Device,
        ],
        allowed_with: "all but `access_token = false`, with the other endpoints the flow calls",
        default: "discovery",
        meaning: "explicit endpoint instead of discovery",
        example: r#"token_endpoint = "https://tenant.example.com/oauth/token""#,
    },
    ArgSpec {
        name: "device_authorization_endpoint",
        slot: Slot::Str(|i| &mut i.device_authorization_endpoint),
        value: "https URL without fragment",
        kinds: &[Kind::Device],
        allowed_with: "`device`, with `token_endpoint`",
        default: "discovery",
        meaning: "explicit endpoint instead of discovery (RFC 8628 §3.1)",
        example: r#"device_authorization_endpoint = "https://tenant.example.com/oauth/device/code""#,
    },
    ArgSpec {
        name: "jwks_uri",
        slot: Slot::Str(|i| &mut i.jwks_uri),
        value: "https URL without fragment",
        kinds: USER_KINDS,
        allowed_with: "with explicit endpoints, where an ID token is validated (`openid`, or `access_token = false`)",
        default: "discovery",
        meaning: "the issuer's signing keys, to validate ID tokens",
        example: r#"jwks_uri = "https://tenant.example.com/.well-known/jwks.json""#,
    },
    ArgSpec {
        name: "audiences",
        slot: Slot::Audiences,
        value: r#"`["uri", ...]` or `(Name = "uri", ...)`"#,
        kinds: ALL,
        allowed_with: "all but `access_token = false`",
        default: "none",
        meaning: "one access token per audience; generates the audience enum",
        example: r#"audiences = ["https://api.example.com/orders"] or audiences(Orders = "https://api.example.com/orders")"#,
    },
    ArgSpec {
        name: "audience_param",
        slot: Slot::Str(|i| &mut i.audience_param),
        value: r#"`"audience"` or `"resource"`"#,
        kinds: ALL,
        allowed_with: "with `audiences`",
        default: r#"`"audience"` (Auth0 style)"#,
        meaning: r#"the request parameter that carries the audience; `"resource"` is RFC 8707"#,
        example: r#"audience_param = "resource""#,
    },
    ArgSpec {
        name: "scopes",
        slot: Slot::Scopes,
        value: r#"`["scope", ...]`"#,
        kinds: ALL,
        allowed_with: "all",
        default: "none",
        meaning: "requested scopes (without `offline_access`, see `refresh_tokens`)",
        example: r#"scopes = ["read:orders"]"#,
    },
    ArgSpec {
        name: "redirect_uri",
        slot: Slot::Str(|i| &mut i.redirect_uri),
        value: "URL",
        kinds: REDIRECT_KINDS,
        allowed_with: "`web`, `spa` (required there), `native`",
        default: "`native`: the loopback listener's",
        meaning: "where the authorization server sends the user back",
        example: r#"redirect_uri = "https://app.example.com/callback""#,
    },
    ArgSpec {
        name: "refresh_tokens",
        slot: Slot::Bool(|i| &mut i.refresh_tokens),
        value: "`true` / `false` (a bare `refresh_tokens` means `true`)",
        kinds: USER_KINDS,
        allowed_with: "`web`, `spa`, `native`, `trusted`, `device`",
        default: "`false`",
        meaning: "ask for refresh tokens (`offline_access`); generates `refresh`",
        example: "refresh_tokens = true",
    },
    ArgSpec {
        name: "access_token",
        slot: Slot::Bool(|i| &mut i.access_token),
        value: "`true` / `false`",
        kinds: &[Kind::Spa],
        allowed_with: "`spa`",
        default: "`true`",
        meaning: "`false` selects implicit with form post: an ID token only",
        example: "access_token = false",
    },
    ArgSpec {
        name: "redirect_unavailable",
        slot: Slot::Str(|i| &mut i.redirect_unavailable),
        value: "non-empty string",
        kinds: &[Kind::Trusted],
        allowed_with: "`trusted` (required there)",
        default: "—",
        meaning: "the written reason why no redirect-based flow is possible; quoted in `DECISION`",
        example: r#"redirect_unavailable = "<why no browser redirect is possible>""#,
    },
    ArgSpec {
        name: "env_prefix",
        slot: Slot::Str(|i| &mut i.env_prefix),
        value: r#"`"SCREAMING_SNAKE"`"#,
        kinds: ALL,
        allowed_with: "all",
        default: "the struct name in SCREAMING_SNAKE_CASE (`ImportJob` → `IMPORT_JOB`)",
        meaning: "prefix of the variables `from_env` reads",
        example: r#"env_prefix = "IMPORT_JOB""#,
    },
    ArgSpec {
        name: "client_auth",
        slot: Slot::Str(|i| &mut i.client_auth),
        value: r#"`"client_secret_basic"`, `"client_secret_post"`, `"private_key_jwt"`"#,
        kinds: CONFIDENTIAL_KINDS,
        allowed_with: "`machine`, `web`, `trusted`",
        default: "a secret method chosen from the metadata (`client_secret_basic` when listed); `private_key_jwt` with `profile = \"fapi2\"`",
        meaning: "how the client authenticates at the token (and revocation) endpoint; the method is then the only one used, and a server that does not list it is refused. `private_key_jwt` (RFC 7523, a signed assertion): `new` takes `Settings::private_key_jwt(client_id, ClientKey)`, `from_env` reads `<PREFIX>_CLIENT_KEY` or `<PREFIX>_CLIENT_KEY_FILE`",
        example: r#"client_auth = "client_secret_post""#,
    },
    ArgSpec {
        name: "sender_constraint",
        slot: Slot::Str(|i| &mut i.sender_constraint),
        value: r#"`"dpop"`"#,
        kinds: ALL,
        allowed_with: "every kind that gets an access token (not `access_token = false`)",
        default: "none (bearer tokens); `\"dpop\"` with `profile = \"fapi2\"`",
        meaning: "DPoP-bound tokens (RFC 9449): a per-instance key (or `Settings::dpop_key`), a proof per request, nonces handled. mTLS (RFC 8705) is not offered",
        example: r#"sender_constraint = "dpop""#,
    },
    ArgSpec {
        name: "par",
        slot: Slot::Bool(|i| &mut i.par),
        value: "`true` / `false` (a bare `par` means `true`)",
        kinds: REDIRECT_KINDS,
        allowed_with: "`web`, `spa`, `native`",
        default: "`false`; `true` with `profile = \"fapi2\"`",
        meaning: "pushed authorization requests (RFC 9126): the request's parameters go to the server over the back channel, authenticated like a token request, and the browser gets only `client_id` and `request_uri`; also used, without `par`, whenever the metadata says `require_pushed_authorization_requests`",
        example: "par = true",
    },
    ArgSpec {
        name: "profile",
        slot: Slot::Str(|i| &mut i.profile),
        value: r#"`"fapi2"`"#,
        kinds: &[Kind::Machine, Kind::Web],
        allowed_with: "`machine`, `web`",
        default: "none",
        meaning: "the FAPI 2.0 Security Profile: implies `par = true` (web), `sender_constraint = \"dpop\"` and `client_auth = \"private_key_jwt\"`, and refuses weaker explicit values (C19); at run time it also accepts only PS256, ES256 and EdDSA ID tokens and requires a server that sends RFC 9207 `iss`",
        example: r#"profile = "fapi2""#,
    },
];

/// The argument called `name`.
pub fn find(name: &str) -> Option<&'static ArgSpec> {
    ARGS.iter().find(|a| a.name == name)
}

/// Every argument's name, in the order of the grammar.
pub fn names() -> Vec<&'static str> {
    ARGS.iter().map(|a| a.name).collect()
}

/// Stores a read value in its slot (for the two list shapes, which have their own types).
pub fn store_scopes(input: &mut Input, value: Arg<Vec<Str>>) {
    input.scopes = Some(value);
}

/// Stores `audiences`.
pub fn store_audiences(input: &mut Input, value: Arg<Vec<AudienceInput>>) {
    input.audiences = Some(value);
}

/// The rows of the documentation's argument table, one per argument.
#[cfg(test)]
pub fn markdown_rows() -> String {
    ARGS.iter()
        .map(|a| {
            format!(
                "| `{}` | {} | {} | {} | {} |\n",
                a.name, a.value, a.allowed_with, a.default, a.meaning
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documentation's table is this table: `OAUTHFLOW_BLESS=1` rewrites it.
    #[test]
    fn the_docs_table_is_the_argument_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/oauth_client.md");
        let docs = std::fs::read_to_string(path).expect("docs/oauth_client.md");
        let header =
            "| argument | value | allowed with | default | meaning |\n|---|---|---|---|---|\n";
        let start = docs.find(header).expect("the argument table's header") + header.len();
        let end = start
            + docs[start..]
                .find("\n\n")
                .expect("a blank line after the table")
            + 1;
        let rows = markdown_rows();
        if std::env::var_os("OAUTHFLOW_BLESS").is_some() {
            let updated = format!("{}{rows}{}", &docs[..start], &docs[end..]);
            std::fs::write(path, updated).expect("write docs/oauth_client.md");
            return;
        }
        assert_eq!(
            &docs[start..end],
            rows,
            "docs/oauth_client.md's argument table differs from args::ARGS; bless with OAUTHFLOW_BLESS=1"
        );
    }

    /// Every argument written with a kind outside its `kinds` is refused by the policy, and
    /// with a kind inside, the policy does not refuse it for the kind alone.
    #[test]
    fn the_policy_agrees_with_the_kinds_of_the_table() {
        use proc_macro2::TokenStream;
        for arg in &ARGS {
            if arg.name == "kind" {
                continue;
            }
            // `a or b`: the first form.
            let example = arg.example.split(" or ").next().unwrap_or(arg.example);
            for kind in Kind::ALL {
                let refused = !arg.kinds.contains(&kind);
                let attribute = format!(r#"kind = "{}", {example}"#, kind.as_str());
                let tokens: TokenStream = attribute.parse().unwrap();
                let names_the_argument = match crate::check_args(tokens, "Client") {
                    Ok(_) => false,
                    Err(diags) => diags
                        .iter()
                        .any(|d| d.message.contains(&format!("`{}`", arg.name))),
                };
                if refused {
                    assert!(
                        names_the_argument,
                        "{attribute}: the policy should refuse `{}`",
                        arg.name
                    );
                }
            }
        }
    }
}
