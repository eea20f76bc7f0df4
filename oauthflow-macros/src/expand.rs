//! Turns the accepted [`Client`] into code (DESIGN §4).
//!
//! Thin: every generated method is one call into `::oauthflow::__private::Client`. Generated code
//! names only `::oauthflow::…` and `::core::…`; generated locals start with `__oauthflow_`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::ast::{AudienceParam, Client, Flow, Kind, Str};
use crate::policy;
use crate::{attr, fallback};

/// The whole macro: parse → policy → expand, or the errors plus the untouched item.
pub fn oauth_client(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed: syn::Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(e) => return fallback::emit(item, &[], Some(e)),
    };
    let item_diags = policy::rule_14_item(&parsed);
    let name = match &parsed {
        syn::Item::Struct(s) => Str::new(s.ident.to_string(), s.ident.span()),
        _ => Str::new("Client", Span::call_site()),
    };
    let (input, mut diags) = match attr::parse(args, name) {
        Ok(parsed_args) => parsed_args,
        Err(e) => return fallback::emit(item, &item_diags, Some(e)),
    };
    let (client, policy_diags) = policy::check_all(&input);
    diags.extend(policy_diags);
    let item_ok = item_diags.is_empty();
    diags.extend(item_diags);
    in_source_order(&mut diags);
    match (client, parsed) {
        // Expand even when some rule failed, as long as the kind is known and the item is a
        // plain unit struct: the user's calls to the client's methods then type-check, and
        // only the attribute's own errors show.
        (Some(client), syn::Item::Struct(s)) if item_ok => {
            let errors = diags
                .iter()
                .map(|d| fallback::to_syn_error(d).to_compile_error());
            let expansion = generate(&s, &client);
            quote!(#(#errors)* #expansion)
        }
        _ => fallback::emit(item, &diags, None),
    }
}

/// Sorts diagnostics by where they point, so they read top to bottom like the attribute.
/// Only inside the compiler (where spans have positions); elsewhere the order is kept.
fn in_source_order(diags: &mut [policy::Diag]) {
    if !proc_macro::is_available() {
        return;
    }
    diags.sort_by_key(|d| {
        let span = d.span.unwrap();
        (span.line(), span.column())
    });
}

/// Checks an attribute without any item (for tests and expansion snapshots).
#[cfg(test)]
pub fn check_args(args: TokenStream, name: &str) -> Result<Client, Vec<policy::Diag>> {
    use policy::Diag;
    let (input, mut diags) = attr::parse(args, Str::new(name, Span::call_site()))
        .map_err(|e| vec![Diag::new("C1", e.span(), e.to_string())])?;
    match policy::check(&input) {
        Ok(client) if diags.is_empty() => Ok(client),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

fn opt_str(value: Option<&String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// The `ClientSpec` literal.
fn spec(c: &Client) -> TokenStream {
    let struct_name = &c.struct_name;
    let kind = format_ident!("{}", c.kind.variant());
    let flow = format_ident!("{}", c.flow.variant());
    let issuer = opt_str(c.issuer.as_ref());
    let authorization_endpoint = opt_str(c.authorization_endpoint.as_ref());
    let token_endpoint = opt_str(c.token_endpoint.as_ref());
    let device_authorization_endpoint = opt_str(c.device_authorization_endpoint.as_ref());
    let jwks_uri = opt_str(c.jwks_uri.as_ref());
    let redirect_uri = opt_str(c.redirect_uri.as_ref());
    let audiences = c.audiences.iter().map(|a| &a.uri);
    let audience_param = match c.audience_param {
        AudienceParam::Audience => quote!(Audience),
        AudienceParam::Resource => quote!(Resource),
    };
    let scopes = &c.scopes;
    let refresh_tokens = c.refresh_tokens;
    let env_prefix = &c.env_prefix;
    quote! {
        ::oauthflow::__private::ClientSpec {
            struct_name: #struct_name,
            kind: ::oauthflow::Kind::#kind,
            flow: ::oauthflow::Flow::#flow,
            issuer: #issuer,
            authorization_endpoint: #authorization_endpoint,
            token_endpoint: #token_endpoint,
            device_authorization_endpoint: #device_authorization_endpoint,
            jwks_uri: #jwks_uri,
            audiences: &[#(#audiences),*],
            audience_param: ::oauthflow::AudienceParam::#audience_param,
            scopes: &[#(#scopes),*],
            redirect_uri: #redirect_uri,
            refresh_tokens: #refresh_tokens,
            env_prefix: #env_prefix,
        }
    }
}

/// The DECISION text with the attribute syntax in backticks, for rustdoc (`doc_markdown`-clean).
fn decision_doc(c: &Client) -> String {
    let mut text = policy::decision_text(c.kind, c.flow, c.refresh_tokens, None);
    for kind in Kind::ALL {
        let plain = format!("kind = \"{}\"", kind.as_str());
        text = text.replace(&plain, &format!("`{plain}`"));
    }
    text.replace("access_token = false", "`access_token = false`")
}

/// The audience enum, if the client has audiences.
fn audience_enum(
    vis: &syn::Visibility,
    ident: &syn::Ident,
    cfgs: &[&syn::Attribute],
    c: &Client,
) -> TokenStream {
    if c.audiences.is_empty() {
        return TokenStream::new();
    }
    let name = format_ident!("{}Audience", ident);
    let variants: Vec<_> = c
        .audiences
        .iter()
        .map(|a| format_ident!("{}", a.variant))
        .collect();
    let uris: Vec<_> = c.audiences.iter().map(|a| &a.uri).collect();
    let variant_docs = uris.iter().map(|u| format!("`{u}`"));
    let param = match c.audience_param {
        AudienceParam::Audience => "`audience`",
        AudienceParam::Resource => "`resource` (RFC 8707)",
    };
    let doc = format!(
        "The audiences (resource servers) of [`{ident}`]: each gets its own access token, requested with the {param} parameter."
    );
    quote! {
        #(#cfgs)*
        #[doc = #doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #vis enum #name {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
        }

        #(#cfgs)*
        impl #name {
            /// Every audience, in declaration order.
            pub const ALL: &[Self] = &[#(Self::#variants),*];

            /// The audience URI, as sent to the authorization server.
            #[must_use]
            #[allow(clippy::trivially_copy_pass_by_ref)]
            pub const fn as_str(&self) -> &'static str {
                match self {
                    #(Self::#variants => #uris,)*
                }
            }
        }
    }
}

/// The audience parameter and argument of a step, when the client has audiences.
struct AudienceArg {
    param: TokenStream,
    value: TokenStream,
    doc: &'static str,
}

fn audience_arg(ident: &syn::Ident, c: &Client) -> AudienceArg {
    if c.audiences.is_empty() {
        return AudienceArg {
            param: TokenStream::new(),
            value: quote!(::core::option::Option::None),
            doc: "",
        };
    }
    let name = format_ident!("{}Audience", ident);
    AudienceArg {
        param: quote!(audience: #name,),
        value: quote!(::core::option::Option::Some(#name::as_str(&audience))),
        doc: " for `audience`",
    }
}

/// The step methods of the chosen flow, and nothing else.
fn steps(ident: &syn::Ident, c: &Client) -> TokenStream {
    let AudienceArg {
        param,
        value,
        doc: for_audience,
    } = audience_arg(ident, c);
    let client = quote!(self.__oauthflow_client);
    let result = quote!(::core::result::Result);
    let errors = "# Errors\n\nAn [`oauthflow::Error`](oauthflow::Error) when discovery, the network or the authorization server fails, or the response does not pass validation.";
    let refresh = if c.refresh_tokens {
        let doc = format!(
            "Exchanges the refresh token of `tokens` for new tokens (RFC 6749 §6). Concurrent calls with the same refresh token share one request; keep the returned set, whose refresh token may be new.\n\n{errors} `invalid_grant` means the user must sign in again."
        );
        quote! {
            #[doc = #doc]
            pub async fn refresh(&self, tokens: &::oauthflow::TokenSet) -> #result<::oauthflow::TokenSet, ::oauthflow::Error> {
                #client.refresh(tokens).await
            }
        }
    } else {
        TokenStream::new()
    };
    let authorize = |what: &str| {
        format!(
            "Step 1: the authorization URL to send the user to{for_audience}, and the [`PendingAuthorization`](oauthflow::PendingAuthorization) to keep in the user's session until the callback ({what}).\n\n{errors}"
        )
    };
    match c.flow {
        Flow::ClientCredentials => {
            let doc = format!(
                "An access token{for_audience}, from a cache renewed ahead of expiry; one request in flight however many callers wait (client credentials, RFC 6749 §4.4).\n\n{errors}"
            );
            quote! {
                #[doc = #doc]
                pub async fn access_token(&self, #param) -> #result<::oauthflow::AccessToken, ::oauthflow::Error> {
                    #client.client_credentials_token(#value).await
                }
            }
        }
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce => {
            let url_doc = authorize("state, PKCE verifier and nonce");
            let exchange_doc = format!(
                "Step 2: checks the callback (`state`, `iss` when sent, RFC 9207; errors sent by the server) and redeems the code with the PKCE verifier. `callback` is the full redirect URL or its query string.\n\n{errors}"
            );
            let loopback = if c.kind == Kind::Native {
                let doc = format!(
                    "Signs the user in through the system browser{for_audience}: binds `127.0.0.1` on a free port (RFC 8252 §7.3), calls `open` with the authorization URL, waits for the one callback and redeems the code.\n\n{errors}"
                );
                quote! {
                    #[doc = #doc]
                    pub async fn login_via_loopback(&self, #param open: impl ::core::ops::FnOnce(&::oauthflow::Url)) -> #result<::oauthflow::TokenSet, ::oauthflow::Error> {
                        #client.login_via_loopback(#value, open).await
                    }
                }
            } else {
                TokenStream::new()
            };
            quote! {
                #[doc = #url_doc]
                pub async fn authorize_url(&self, #param) -> #result<(::oauthflow::Url, ::oauthflow::PendingAuthorization), ::oauthflow::Error> {
                    #client.authorize_url(#value).await
                }

                #[doc = #exchange_doc]
                pub async fn exchange_code(&self, pending: ::oauthflow::PendingAuthorization, callback: &str) -> #result<::oauthflow::TokenSet, ::oauthflow::Error> {
                    #client.exchange_code(pending, callback).await
                }

                #loopback
                #refresh
            }
        }
        Flow::ImplicitFormPost => {
            let url_doc =
                authorize("state and nonce; `response_type=id_token`, `response_mode=form_post`");
            let verify_doc = format!(
                "Step 2: validates the ID token in the form-post body the browser sent to the redirect URI (signature from the issuer's keys, `iss`, `aud`, `exp`, `nonce`; OIDC Core §3.2.2.11) and returns its claims.\n\n{errors}"
            );
            quote! {
                #[doc = #url_doc]
                pub async fn authorize_url(&self) -> #result<(::oauthflow::Url, ::oauthflow::PendingAuthorization), ::oauthflow::Error> {
                    #client.authorize_url(::core::option::Option::None).await
                }

                #[doc = #verify_doc]
                pub async fn verify_form_post(&self, pending: ::oauthflow::PendingAuthorization, form_body: &str) -> #result<::oauthflow::IdTokenClaims, ::oauthflow::Error> {
                    #client.verify_form_post(pending, form_body).await
                }
            }
        }
        Flow::Password => {
            let doc = format!(
                "Exchanges the user's name and password for tokens{for_audience} (the password grant, RFC 6749 §4.3; RFC 9700 §2.4 says it MUST NOT be used, see `DECISION`). The password is sent once in the request body and never stored; the request is never retried.\n\n{errors}"
            );
            quote! {
                #[doc = #doc]
                pub async fn password_token(&self, username: &str, password: &::oauthflow::SecretString, #param) -> #result<::oauthflow::TokenSet, ::oauthflow::Error> {
                    #client.password_token(username, password, #value).await
                }

                #refresh
            }
        }
        Flow::DeviceCode => {
            let start_doc = format!(
                "Step 1: starts a device authorization{for_audience} (RFC 8628 §3.1). Show the user its `user_code()` and `verification_uri()`.\n\n{errors}"
            );
            let poll_doc = format!(
                "Step 2: polls the token endpoint until the user approves, honouring `interval` and `slow_down` (RFC 8628 §3.4, §3.5).\n\n{errors} The user denying access or the code expiring is an error too."
            );
            quote! {
                #[doc = #start_doc]
                pub async fn device_authorization(&self, #param) -> #result<::oauthflow::DeviceAuthorization, ::oauthflow::Error> {
                    #client.device_authorization(#value).await
                }

                #[doc = #poll_doc]
                pub async fn poll_device(&self, authorization: &::oauthflow::DeviceAuthorization) -> #result<::oauthflow::TokenSet, ::oauthflow::Error> {
                    #client.poll_device(authorization).await
                }

                #refresh
            }
        }
    }
}

/// The full expansion for an accepted client.
pub fn generate(s: &syn::ItemStruct, c: &Client) -> TokenStream {
    let attrs = &s.attrs;
    let vis = &s.vis;
    let ident = &s.ident;
    let kind = format_ident!("{}", c.kind.variant());
    let flow = format_ident!("{}", c.flow.variant());
    let decision = &c.decision;
    let spec = spec(c);
    // `#[cfg(...)]` on the struct also gates everything generated for it.
    let cfgs: Vec<&syn::Attribute> = attrs.iter().filter(|a| a.path().is_ident("cfg")).collect();
    let audience_enum = audience_enum(vis, ident, &cfgs, c);
    let steps = steps(ident, c);
    let settings = if c.kind.is_confidential() {
        quote!(::oauthflow::Confidential)
    } else {
        quote!(::oauthflow::Public)
    };
    let has_docs = attrs.iter().any(|a| a.path().is_ident("doc"));
    let separator = has_docs.then(|| quote!(#[doc = ""]));
    let struct_doc = format!(
        "An OAuth 2.0 client generated by `#[oauth_client]`: {}\n\nClones are cheap and share one HTTP client and one token cache; `Debug` never shows a secret or a token.",
        decision_doc(c)
    );
    let prefix = &c.env_prefix;
    let mut env = format!("`{prefix}_CLIENT_ID`");
    if c.kind.is_confidential() {
        env.push_str(&format!(", `{prefix}_CLIENT_SECRET`"));
    }
    if c.issuer.is_none() {
        env.push_str(&format!(", `{prefix}_ISSUER`"));
    }
    let from_env_doc = format!(
        "Builds the client from the environment: {env}.\n\n# Errors\n\nA [`ConfigError`](oauthflow::ConfigError) when a variable is missing or a value is invalid."
    );
    let new_doc = if c.kind.is_confidential() {
        "Builds the client from its settings: `Settings::confidential(client_id, secret)`. Makes no network request; discovery happens on first use.\n\n# Errors\n\nA [`ConfigError`](oauthflow::ConfigError) when the issuer, an endpoint or the redirect URI in the settings is invalid."
    } else {
        "Builds the client from its settings: `Settings::public(client_id)` (a public client has no secret). Makes no network request; discovery happens on first use.\n\n# Errors\n\nA [`ConfigError`](oauthflow::ConfigError) when the issuer, an endpoint or the redirect URI in the settings is invalid."
    };
    quote! {
        #(#attrs)*
        #separator
        #[doc = #struct_doc]
        #[derive(Clone)]
        #vis struct #ident {
            __oauthflow_client: ::oauthflow::__private::Client,
        }

        #(#cfgs)*
        impl ::core::fmt::Debug for #ident {
            fn fmt(&self, __oauthflow_f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.__oauthflow_client, __oauthflow_f)
            }
        }

        #audience_enum

        #(#cfgs)*
        impl #ident {
            /// The grant the decision tree chose for this client.
            pub const FLOW: ::oauthflow::Flow = ::oauthflow::Flow::#flow;

            /// The application type declared with `kind`.
            pub const KIND: ::oauthflow::Kind = ::oauthflow::Kind::#kind;

            /// Which decision of the tree chose this grant, and why.
            pub const DECISION: &str = #decision;

            fn __oauthflow_spec() -> &'static ::oauthflow::__private::ClientSpec {
                static __OAUTHFLOW_SPEC: ::oauthflow::__private::ClientSpec = #spec;
                &__OAUTHFLOW_SPEC
            }

            #[doc = #new_doc]
            pub fn new(settings: ::oauthflow::Settings<#settings>) -> ::core::result::Result<Self, ::oauthflow::ConfigError> {
                ::oauthflow::__private::Client::new(Self::__oauthflow_spec(), settings)
                    .map(|__oauthflow_client| Self { __oauthflow_client })
            }

            #[doc = #from_env_doc]
            pub fn from_env() -> ::core::result::Result<Self, ::oauthflow::ConfigError> {
                ::oauthflow::__private::Client::from_env::<#settings>(Self::__oauthflow_spec())
                    .map(|__oauthflow_client| Self { __oauthflow_client })
            }

            #steps
        }
    }
}

#[cfg(test)]
mod tests {
    //! Expansion snapshots: one client per decision of the tree, checked in under
    //! `oauthflow-macros/tests/expand/`. Bless with `OAUTHFLOW_BLESS=1 cargo test -p oauthflow-macros`.

    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// rustfmt for readability; the raw tokens if rustfmt is unavailable.
    fn pretty(tokens: &TokenStream) -> String {
        let raw = tokens.to_string();
        let child = Command::new("rustfmt")
            .args(["--edition", "2024", "--emit", "stdout"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else { return raw };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(raw.as_bytes())
            .unwrap();
        match child.wait_with_output() {
            Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
            _ => raw,
        }
    }

    /// Token text without whitespace or trailing commas (rustfmt adds and removes those).
    fn normalize(tokens: &TokenStream) -> String {
        let text: String = tokens
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        text.replace(",)", ")")
            .replace(",]", "]")
            .replace(",}", "}")
            .replace(",>", ">")
    }

    fn snapshot(name: &str, args: TokenStream, item: syn::ItemStruct) {
        let client = check_args(args, &item.ident.to_string()).unwrap_or_else(|d| {
            panic!(
                "{name}: {:?}",
                d.iter().map(|d| &d.message).collect::<Vec<_>>()
            )
        });
        let tokens = generate(&item, &client);
        let path = format!(
            "{}/tests/expand/{name}.expanded.rs",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var_os("OAUTHFLOW_BLESS").is_some() {
            std::fs::create_dir_all(format!("{}/tests/expand", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
            std::fs::write(&path, pretty(&tokens)).unwrap();
            return;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{path} is missing: bless with OAUTHFLOW_BLESS=1"));
        // Compare tokens, not layout: how rustfmt laid out the snapshot does not matter.
        let want: TokenStream = want.parse().expect("the snapshot parses as Rust tokens");
        assert!(
            normalize(&want) == normalize(&tokens),
            "{name}: the expansion changed; review and bless with OAUTHFLOW_BLESS=1\n{}",
            pretty(&tokens)
        );
    }

    #[test]
    fn machine() {
        snapshot(
            "machine",
            quote!(
                kind = "machine",
                issuer = "https://tenant.example.com/",
                audiences = [
                    "https://api.example.com/orders",
                    "https://api.example.com/billing"
                ],
                scopes = ["read:orders"]
            ),
            syn::parse_quote!(
                /// The nightly import.
                pub struct ImportJob;
            ),
        );
    }

    #[test]
    fn web() {
        snapshot(
            "web",
            quote!(
                kind = "web",
                issuer = "https://tenant.example.com/",
                redirect_uri = "https://app.example.com/callback",
                scopes = ["openid", "profile"],
                refresh_tokens = true
            ),
            syn::parse_quote!(
                pub struct Portal;
            ),
        );
    }

    #[test]
    fn spa() {
        snapshot(
            "spa",
            quote!(
                kind = "spa",
                redirect_uri = "https://app.example.com/callback",
                audiences(Orders = "https://api.example.com/orders"),
                audience_param = "resource"
            ),
            syn::parse_quote!(
                pub(crate) struct Dashboard;
            ),
        );
    }

    #[test]
    fn spa_form_post() {
        snapshot(
            "spa_form_post",
            quote!(
                kind = "spa",
                access_token = false,
                issuer = "https://tenant.example.com/",
                redirect_uri = "https://app.example.com/login/callback",
                scopes = ["openid", "email"]
            ),
            syn::parse_quote!(
                pub struct LoginOnly;
            ),
        );
    }

    #[test]
    fn native() {
        snapshot(
            "native",
            quote!(
                kind = "native",
                issuer = "https://tenant.example.com/",
                redirect_uri = "http://127.0.0.1/callback",
                refresh_tokens = true
            ),
            syn::parse_quote!(
                pub struct DesktopApp;
            ),
        );
    }

    #[test]
    fn trusted() {
        snapshot(
            "trusted",
            quote!(
                kind = "trusted",
                issuer = "https://tenant.example.com/",
                redirect_unavailable = "legacy kiosk firmware has no browser"
            ),
            syn::parse_quote!(
                pub struct Kiosk;
            ),
        );
    }

    #[test]
    fn device() {
        snapshot(
            "device",
            quote!(
                kind = "device",
                issuer = "https://tenant.example.com/",
                audiences = ["https://api.example.com/telemetry"],
                env_prefix = "TV"
            ),
            syn::parse_quote!(
                pub struct TvApp;
            ),
        );
    }
}
