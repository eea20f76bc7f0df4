//! The step methods of a generated client: the chosen flow's steps, each one call into its
//! runtime flow handle, and — for every step the flow does not have — a hidden method of the
//! same name and shape whose call fails to compile with a message saying why (the
//! `__private::steps` traits carry `#[diagnostic::on_unimplemented]`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ast::{Client, Flow, Kind};

/// Every step a generated client can have, in the order they are emitted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Discover,
    AccessToken,
    AuthorizeUrl,
    AuthorizeUrlWith,
    ExchangeCode,
    LoginViaLoopback,
    VerifyFormPost,
    PasswordToken,
    DeviceAuthorization,
    PollDevice,
    Refresh,
    RefreshIfNeeded,
    Revoke,
    Userinfo,
    EndSessionUrl,
}

impl Step {
    const ALL: [Step; 15] = [
        Step::Discover,
        Step::AccessToken,
        Step::AuthorizeUrl,
        Step::AuthorizeUrlWith,
        Step::ExchangeCode,
        Step::LoginViaLoopback,
        Step::VerifyFormPost,
        Step::PasswordToken,
        Step::DeviceAuthorization,
        Step::PollDevice,
        Step::Refresh,
        Step::RefreshIfNeeded,
        Step::Revoke,
        Step::Userinfo,
        Step::EndSessionUrl,
    ];

    fn name(self) -> &'static str {
        match self {
            Step::Discover => "discover",
            Step::AccessToken => "access_token",
            Step::AuthorizeUrl => "authorize_url",
            Step::AuthorizeUrlWith => "authorize_url_with",
            Step::ExchangeCode => "exchange_code",
            Step::LoginViaLoopback => "login_via_loopback",
            Step::VerifyFormPost => "verify_form_post",
            Step::PasswordToken => "password_token",
            Step::DeviceAuthorization => "device_authorization",
            Step::PollDevice => "poll_device",
            Step::Refresh => "refresh",
            Step::RefreshIfNeeded => "refresh_if_needed",
            Step::Revoke => "revoke",
            Step::Userinfo => "userinfo",
            Step::EndSessionUrl => "end_session_url",
        }
    }

    /// Whether the client `c` has this step.
    fn belongs_to(self, c: &Client) -> bool {
        let code = matches!(
            c.flow,
            Flow::AuthorizationCode | Flow::AuthorizationCodePkce
        );
        match self {
            // Every flow has metadata (discovered or explicit) to check at start-up.
            Step::Discover => true,
            Step::AccessToken => c.flow == Flow::ClientCredentials,
            Step::AuthorizeUrl => code || c.flow == Flow::ImplicitFormPost,
            Step::AuthorizeUrlWith | Step::ExchangeCode => code,
            Step::LoginViaLoopback => c.kind == Kind::Native,
            Step::VerifyFormPost => c.flow == Flow::ImplicitFormPost,
            Step::PasswordToken => c.flow == Flow::Password,
            Step::DeviceAuthorization | Step::PollDevice => c.flow == Flow::DeviceCode,
            Step::Refresh | Step::RefreshIfNeeded => c.refresh_tokens,
            Step::Revoke | Step::Userinfo => {
                code || matches!(c.flow, Flow::Password | Flow::DeviceCode)
            }
            Step::EndSessionUrl => code,
        }
    }

    /// The parameters after `&self`, in order. [`Param::Audience`] stands for the audience
    /// enum where the client declares audiences, and for nothing where it declares none.
    fn signature(self, c: &Client) -> Vec<Param> {
        let named = |name, ty| Param::Named(name, ty);
        match self {
            // The ID-token-only flow requests no access token, hence no audience.
            Step::Discover => Vec::new(),
            Step::AuthorizeUrl if c.flow == Flow::ImplicitFormPost => Vec::new(),
            Step::AccessToken | Step::AuthorizeUrl | Step::DeviceAuthorization => {
                vec![Param::Audience]
            }
            Step::AuthorizeUrlWith => vec![
                Param::Audience,
                named("options", quote!(&::oauthflow::AuthorizeOptions)),
            ],
            Step::ExchangeCode => vec![
                named("pending", quote!(::oauthflow::PendingAuthorization)),
                named("callback", quote!(&str)),
            ],
            Step::LoginViaLoopback => vec![
                Param::Audience,
                named("open", quote!(impl ::core::ops::FnOnce(&::oauthflow::Url))),
            ],
            Step::VerifyFormPost => vec![
                named("pending", quote!(::oauthflow::PendingAuthorization)),
                named("form_body", quote!(&str)),
            ],
            Step::PasswordToken => vec![
                named("username", quote!(&str)),
                named("password", quote!(&::oauthflow::SecretString)),
                Param::Audience,
            ],
            Step::PollDevice => vec![named(
                "authorization",
                quote!(&::oauthflow::DeviceAuthorization),
            )],
            Step::Refresh => vec![named("tokens", quote!(&::oauthflow::TokenSet))],
            Step::RefreshIfNeeded => vec![named("tokens", quote!(&mut ::oauthflow::TokenSet))],
            Step::Revoke | Step::Userinfo => vec![named("tokens", quote!(&::oauthflow::TokenSet))],
            Step::EndSessionUrl => vec![
                named("tokens", quote!(&::oauthflow::TokenSet)),
                named(
                    "post_logout_redirect_uri",
                    quote!(::core::option::Option<&str>),
                ),
            ],
        }
    }

    /// What the step returns on success.
    fn output(self) -> TokenStream {
        match self {
            Step::Discover => quote!(()),
            Step::AccessToken => quote!(::oauthflow::AccessToken),
            Step::AuthorizeUrl | Step::AuthorizeUrlWith => {
                quote!((::oauthflow::Url, ::oauthflow::PendingAuthorization))
            }
            Step::VerifyFormPost => quote!(::oauthflow::IdTokenClaims),
            Step::DeviceAuthorization => quote!(::oauthflow::DeviceAuthorization),
            Step::RefreshIfNeeded => quote!(bool),
            Step::Revoke => quote!(()),
            Step::Userinfo => quote!(::oauthflow::UserInfo),
            Step::EndSessionUrl => quote!((::oauthflow::Url, ::std::string::String)),
            Step::ExchangeCode
            | Step::LoginViaLoopback
            | Step::PasswordToken
            | Step::PollDevice
            | Step::Refresh => quote!(::oauthflow::TokenSet),
        }
    }

    /// The `__private::steps` trait that explains why `c` lacks this step; `None` for a step
    /// every client has.
    fn missing_trait(self, c: &Client) -> Option<&'static str> {
        Some(match self {
            Step::Discover => return None,
            Step::AccessToken => "NoAccessToken",
            Step::AuthorizeUrl => "NoAuthorizeUrl",
            Step::AuthorizeUrlWith => "NoAuthorizeUrlWith",
            Step::ExchangeCode => "NoExchangeCode",
            Step::LoginViaLoopback => "NoLoginViaLoopback",
            Step::VerifyFormPost => "NoVerifyFormPost",
            Step::PasswordToken => "NoPasswordToken",
            Step::DeviceAuthorization => "NoDeviceAuthorization",
            Step::PollDevice => "NoPollDevice",
            Step::Refresh if matches!(c.flow, Flow::ClientCredentials | Flow::ImplicitFormPost) => {
                "NoRefreshInThisFlow"
            }
            Step::Refresh => "NoRefresh",
            Step::RefreshIfNeeded
                if matches!(c.flow, Flow::ClientCredentials | Flow::ImplicitFormPost) =>
            {
                "NoRefreshIfNeededInThisFlow"
            }
            Step::RefreshIfNeeded => "NoRefreshIfNeeded",
            Step::Revoke => "NoRevoke",
            Step::Userinfo => "NoUserinfo",
            Step::EndSessionUrl => "NoEndSessionUrl",
        })
    }

    /// The rustdoc of the step (`errors` is the shared `# Errors` section).
    fn doc(self, c: &Client, errors: &str) -> String {
        let takes_audience = self
            .signature(c)
            .iter()
            .any(|p| matches!(p, Param::Audience));
        let for_audience = if takes_audience && !c.audiences.is_empty() {
            " for `audience`"
        } else {
            ""
        };
        let authorize = |what: &str| {
            format!(
                "Step 1: the authorization URL to send the user to{for_audience}, and the [`PendingAuthorization`](oauthflow::PendingAuthorization) to keep in the user's session until the callback ({what}).\n\n{errors}"
            )
        };
        match self {
            Step::Discover => format!(
                "Fetches and checks the authorization server's metadata now (and the issuer's signing keys where ID tokens are validated), so that a wrong issuer or a missing endpoint fails at start-up instead of at the first login. Optional: the other steps discover lazily on first use; with explicit endpoints covering the flow nothing is fetched but the keys.\n\n{errors}"
            ),
            Step::AccessToken => format!(
                "An access token{for_audience}, from a cache renewed ahead of expiry; one request in flight however many callers wait (client credentials, RFC 6749 §4.4).\n\n{errors}"
            ),
            Step::AuthorizeUrl if c.flow == Flow::ImplicitFormPost => {
                authorize("state and nonce; `response_type=id_token`, `response_mode=form_post`")
            }
            Step::AuthorizeUrl => authorize("state, PKCE verifier and nonce"),
            Step::AuthorizeUrlWith => format!(
                "Step 1 with per-login options{for_audience}: like `authorize_url`, plus `prompt`, `login_hint`, `max_age` (checked against the ID token's `auth_time` by `exchange_code`), `acr_values`, `ui_locales` and extra parameters from [`AuthorizeOptions`](oauthflow::AuthorizeOptions).\n\n{errors}"
            ),
            Step::ExchangeCode => format!(
                "Step 2: checks the callback (`state`, `iss` when sent, RFC 9207; errors sent by the server) and redeems the code with the PKCE verifier. `callback` is the full redirect URL or its query string.\n\n{errors}"
            ),
            Step::LoginViaLoopback => format!(
                "Signs the user in through the system browser{for_audience}: binds `127.0.0.1` on a free port (RFC 8252 §7.3), calls `open` with the authorization URL, waits for the one callback and redeems the code.\n\n{errors}"
            ),
            Step::VerifyFormPost => format!(
                "Step 2: validates the ID token in the form-post body the browser sent to the redirect URI (signature from the issuer's keys, `iss`, `aud`, `exp`, `nonce`; OIDC Core §3.2.2.11) and returns its claims. Check the request first with [`check_form_post_request`](oauthflow::check_form_post_request) (a `POST` of `application/x-www-form-urlencoded`, no response in the query), and find `pending` in a server-side store keyed by its `state`: the cross-site POST carries no `SameSite=Lax` cookie.\n\n{errors}"
            ),
            Step::PasswordToken => format!(
                "Exchanges the user's name and password for tokens{for_audience} (the password grant, RFC 6749 §4.3; RFC 9700 §2.4 says it MUST NOT be used, see `DECISION`). The password is sent once in the request body and never stored; the request is never retried.\n\n{errors}"
            ),
            Step::DeviceAuthorization => format!(
                "Step 1: starts a device authorization{for_audience} (RFC 8628 §3.1). Show the user its `user_code()` and `verification_uri()`.\n\n{errors}"
            ),
            Step::PollDevice => format!(
                "Step 2: polls the token endpoint until the user approves, honouring `interval` and `slow_down` (RFC 8628 §3.4, §3.5).\n\n{errors} The user denying access or the code expiring is an error too."
            ),
            Step::Revoke => format!(
                "Logout, step 1: revokes the tokens of a session (RFC 7009) — the refresh token first, which ends the grant on most servers, then the access token. `200` counts as success, also for tokens the server no longer knows.\n\n{errors} A `5xx` answer is retryable (`Error::is_transient`)."
            ),
            Step::Userinfo => format!(
                "The signed-in user's claims from the userinfo endpoint (OIDC Core §5.3), fetched with the access token of `tokens`; refused unless its `sub` equals the validated ID token's (§5.3.2). Needs `openid`.\n\n{errors}"
            ),
            Step::EndSessionUrl => format!(
                "Logout, step 2: the URL that ends the user's session at the authorization server (OpenID Connect RP-Initiated Logout 1.0) with `id_token_hint`, `client_id`, and — with a `post_logout_redirect_uri` registered at the server — a fresh `state`, returned to compare when the browser comes back.\n\n{errors}"
            ),
            Step::RefreshIfNeeded => format!(
                "The session helper: refreshes `tokens` in place when the access token expires within `Settings::refresh_margin` and returns `true` (save the session then); `false` when they are still good. Concurrent calls for one session share one refresh; if a refresh commits new tokens but a later check fails, they are already in `tokens` when the error comes back.\n\n{errors} `invalid_grant` means the user must sign in again."
            ),
            Step::Refresh => format!(
                "Exchanges the refresh token of `tokens` for new tokens (RFC 6749 §6). Concurrent calls with the same refresh token share one request; keep the returned set, whose refresh token may be new.\n\n{errors} `invalid_grant` means the user must sign in again."
            ),
        }
    }
}

/// The runtime flow handle the generated struct wraps (its one field).
pub fn handle_type(c: &Client) -> TokenStream {
    let refresh = if c.refresh_tokens {
        quote!(::oauthflow::__private::Refresh)
    } else {
        quote!(::oauthflow::__private::NoRefresh)
    };
    match c.flow {
        Flow::ClientCredentials => quote!(::oauthflow::__private::ClientCredentialsFlow),
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce if c.kind == Kind::Native => {
            quote!(::oauthflow::__private::NativeFlow<#refresh>)
        }
        Flow::AuthorizationCode | Flow::AuthorizationCodePkce => {
            quote!(::oauthflow::__private::CodeFlow<#refresh>)
        }
        Flow::ImplicitFormPost => quote!(::oauthflow::__private::FormPostFlow),
        Flow::Password => quote!(::oauthflow::__private::PasswordFlow<#refresh>),
        Flow::DeviceCode => quote!(::oauthflow::__private::DeviceFlow<#refresh>),
    }
}

/// `impl oauthflow::TokenSource` for the clients that cache access tokens themselves (client
/// credentials), so that the HTTP integrations take them; nothing for the others, whose tokens
/// belong to a user's session.
pub fn token_source(ident: &syn::Ident, cfgs: &[&syn::Attribute], c: &Client) -> TokenStream {
    if c.flow != Flow::ClientCredentials {
        return TokenStream::new();
    }
    let (audience_type, audience) = if c.audiences.is_empty() {
        (quote!(()), quote!(::core::option::Option::None))
    } else {
        let audience_type = format_ident!("{}Audience", ident);
        (
            quote!(#audience_type),
            quote!(::core::option::Option::Some(#audience_type::as_str(&audience))),
        )
    };
    // Without audiences the `()` argument carries nothing.
    let unused = c.audiences.is_empty().then(|| quote!(let () = audience;));
    quote! {
        #(#cfgs)*
        impl ::oauthflow::TokenSource for #ident {
            type Audience = #audience_type;

            fn bearer_token(&self, audience: Self::Audience) -> impl ::core::future::Future<Output = ::core::result::Result<::oauthflow::BearerToken, ::oauthflow::Error>> + ::core::marker::Send {
                #unused
                // The flow's own future, not wrapped in another state machine: a warm call is
                // ready at its first poll.
                self.__oauthflow_client.bearer_token(#audience)
            }

            fn discard_token(&self, audience: Self::Audience, refused: &::oauthflow::BearerToken) {
                #unused
                self.__oauthflow_client.discard_token(#audience, refused)
            }

            fn dpop(&self) -> ::core::option::Option<&::oauthflow::Dpop> {
                self.__oauthflow_client.dpop()
            }
        }
    }
}

/// One parameter of a step.
enum Param {
    /// The audience: the client's audience enum, or nothing when it declares no audiences.
    Audience,
    /// Any other parameter: its name and type.
    Named(&'static str, TokenStream),
}

/// `dpop()` for a client with DPoP-bound tokens: what makes the proofs its API calls need.
pub fn dpop_accessor(c: &Client) -> TokenStream {
    if !c.dpop {
        return TokenStream::new();
    }
    quote! {
        /// This client instance's DPoP key and nonces (`sender_constraint = "dpop"`; always
        /// `Some` here): send its access tokens as `Authorization: DPoP <token>` with a fresh
        /// [`proof`](oauthflow::Dpop::proof) per request, never as bearer tokens.
        pub fn dpop(&self) -> ::core::option::Option<&::oauthflow::Dpop> {
            self.__oauthflow_client.dpop()
        }
    }
}

/// Every step method: the flow's own, then the hidden ones that explain a missing step.
pub fn methods(ident: &syn::Ident, c: &Client) -> TokenStream {
    let errors = "# Errors\n\nAn [`oauthflow::Error`](oauthflow::Error) when discovery, the network or the authorization server fails, or the response does not pass validation.";
    let audience_type = format_ident!("{}Audience", ident);
    let has_audiences = !c.audiences.is_empty();
    Step::ALL
        .into_iter()
        .map(|step| {
            let name = format_ident!("{}", step.name());
            let output = step.output();
            let signature = step.signature(c);
            if step.belongs_to(c) {
                let doc = step.doc(c, errors);
                let params = signature.iter().filter_map(|p| match p {
                    Param::Audience if has_audiences => Some(quote!(audience: #audience_type)),
                    Param::Audience => None,
                    Param::Named(n, ty) => {
                        let n = format_ident!("{n}");
                        Some(quote!(#n: #ty))
                    }
                });
                let args = signature.iter().map(|p| match p {
                    Param::Audience if has_audiences => {
                        quote!(::core::option::Option::Some(#audience_type::as_str(&audience)))
                    }
                    Param::Audience => quote!(::core::option::Option::None),
                    Param::Named(n, _) => {
                        let n = format_ident!("{n}");
                        quote!(#n)
                    }
                });
                quote! {
                    #[doc = #doc]
                    pub async fn #name(&self, #(#params),*) -> ::core::result::Result<#output, ::oauthflow::Error> {
                        self.__oauthflow_client.#name(#(#args),*).await
                    }
                }
            } else {
                let Some(missing) = step.missing_trait(c) else {
                    return TokenStream::new();
                };
                let missing = format_ident!("{missing}");
                let params = signature.iter().filter_map(|p| match p {
                    Param::Audience if has_audiences => Some(quote!(_: #audience_type)),
                    Param::Audience => None,
                    Param::Named(_, ty) => Some(quote!(_: #ty)),
                });
                quote! {
                    #[doc(hidden)]
                    #[allow(clippy::unused_self)]
                    pub fn #name<'__oauthflow>(&'__oauthflow self, #(#params),*) -> ::oauthflow::__private::steps::Missing<#output>
                    where
                        Self: ::oauthflow::__private::steps::#missing<'__oauthflow>,
                    {
                        ::core::future::ready(::oauthflow::__private::steps::#missing::unreachable(self))
                    }
                }
            }
        })
        .collect()
}
