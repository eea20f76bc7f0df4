//! Turns the accepted [`Client`] into code (DESIGN §4).
//!
//! Thin: the struct wraps the runtime handle of its flow (`::oauthflow::__private::CodeFlow`, …)
//! and every generated step is one call into it ([`steps`]). Generated code names only
//! `::oauthflow::…` and `::core::…`; generated locals start with `__oauthflow_`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ast::{AudienceParam, Client, ClientAuth, Kind};
use crate::policy;
use crate::steps;

/// The `ClientSpec`: `ClientSpec::new(..)` and one `const fn` setter per argument the attribute
/// wrote (the runtime's defaults stand for the rest).
fn spec(c: &Client) -> TokenStream {
    let struct_name = &c.struct_name;
    let kind = format_ident!("{}", c.kind.variant());
    let flow = format_ident!("{}", c.flow.variant());
    let env_prefix = &c.env_prefix;
    let mut setters = Vec::new();
    let strings = [
        ("issuer", &c.issuer),
        ("authorization_endpoint", &c.authorization_endpoint),
        ("token_endpoint", &c.token_endpoint),
        (
            "device_authorization_endpoint",
            &c.device_authorization_endpoint,
        ),
        ("jwks_uri", &c.jwks_uri),
        ("redirect_uri", &c.redirect_uri),
    ];
    for (name, value) in strings {
        if let Some(value) = value {
            let name = format_ident!("{name}");
            setters.push(quote!(.#name(#value)));
        }
    }
    if !c.audiences.is_empty() {
        let audiences = c.audiences.iter().map(|a| &a.uri);
        setters.push(quote!(.audiences(&[#(#audiences),*])));
    }
    if c.audience_param == AudienceParam::Resource {
        setters.push(quote!(.audience_param(::oauthflow::AudienceParam::Resource)));
    }
    if !c.scopes.is_empty() {
        let scopes = &c.scopes;
        setters.push(quote!(.scopes(&[#(#scopes),*])));
    }
    if c.refresh_tokens {
        setters.push(quote!(.refresh_tokens()));
    }
    if c.par {
        setters.push(quote!(.par()));
    }
    if c.dpop {
        setters.push(quote!(.dpop()));
    }
    if c.fapi2 {
        setters.push(quote!(.fapi2()));
    }
    match c.client_auth {
        Some(ClientAuth::SecretBasic) => setters.push(quote!(.client_secret_basic())),
        Some(ClientAuth::SecretPost) => setters.push(quote!(.client_secret_post())),
        Some(ClientAuth::PrivateKeyJwt) => setters.push(quote!(.private_key_jwt())),
        None => {}
    }
    quote! {
        ::oauthflow::__private::ClientSpec::new(
            #struct_name,
            ::oauthflow::Kind::#kind,
            ::oauthflow::Flow::#flow,
            #env_prefix,
        )
        #(#setters)*
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
    let steps = steps::methods(ident, c);
    let dpop = steps::dpop_accessor(c);
    let token_source = steps::token_source(ident, &cfgs, c);
    let handle = steps::handle_type(c);
    let key = c.client_auth == Some(ClientAuth::PrivateKeyJwt);
    let settings = match (key, c.kind.is_confidential()) {
        (true, _) => quote!(::oauthflow::PrivateKeyJwt),
        (false, true) => quote!(::oauthflow::Confidential),
        (false, false) => quote!(::oauthflow::Public),
    };
    let has_docs = attrs.iter().any(|a| a.path().is_ident("doc"));
    let separator = has_docs.then(|| quote!(#[doc = ""]));
    let struct_doc = format!(
        "An OAuth 2.0 client generated by `#[oauth_client]`: {}\n\nClones are cheap and share one HTTP client and one token cache; `Debug` never shows a secret or a token.",
        decision_doc(c)
    );
    let prefix = &c.env_prefix;
    let mut env = format!("`{prefix}_CLIENT_ID`");
    if key {
        env.push_str(&format!(
            ", `{prefix}_CLIENT_KEY` (or `{prefix}_CLIENT_KEY_FILE`)"
        ));
    } else if c.kind.is_confidential() {
        env.push_str(&format!(", `{prefix}_CLIENT_SECRET`"));
    }
    let mut optional = String::new();
    if c.issuer.is_none() {
        env.push_str(&format!(", `{prefix}_ISSUER`"));
    } else {
        optional.push_str(&format!("`{prefix}_ISSUER`, "));
    }
    if matches!(c.kind, Kind::Web | Kind::Spa | Kind::Native) {
        optional.push_str(&format!("`{prefix}_REDIRECT_URI`, "));
    }
    let from_env_doc = format!(
        "Builds the client from the environment: {env}; optionally {optional}the endpoints and the timeouts. It is `Self::new(Settings::from_env(\"{prefix}\")?)`: see [`Settings::from_env`](oauthflow::Settings::from_env) for every variable.\n\n# Errors\n\nA [`ConfigError`](oauthflow::ConfigError) when a variable is missing or a value is invalid."
    );
    let new_doc = if key {
        "Builds the client from its settings: `Settings::private_key_jwt(client_id, ClientKey)` (this client authenticates with a signed assertion, never a secret). Makes no network request; discovery happens on first use.\n\n# Errors\n\nA [`ConfigError`](oauthflow::ConfigError) when the issuer, an endpoint or the redirect URI in the settings is invalid."
    } else if c.kind.is_confidential() {
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
            __oauthflow_client: #handle,
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
                ::oauthflow::__private::new(Self::__oauthflow_spec(), settings)
                    .map(|__oauthflow_client| Self { __oauthflow_client })
            }

            #[doc = #from_env_doc]
            pub fn from_env() -> ::core::result::Result<Self, ::oauthflow::ConfigError> {
                ::oauthflow::__private::from_env::<_, #settings>(Self::__oauthflow_spec())
                    .map(|__oauthflow_client| Self { __oauthflow_client })
            }

            #steps
            #dpop
        }

        #token_source
    }
}

#[cfg(test)]
mod tests;
