//! Table-driven tests of the decision tree and of every rule, on plain [`Input`] values.

use super::*;
use crate::ast::{AudienceInput, Refused};

mod rule_table;

fn sp() -> Span {
    Span::call_site()
}

fn s(v: &str) -> Arg<String> {
    Arg::new(v.to_owned(), sp())
}

fn b(v: bool) -> Arg<bool> {
    Arg::new(v, sp())
}

fn strs(v: &[&str]) -> Vec<Str> {
    v.iter().map(|x| Str::new(*x, sp())).collect()
}

fn auds(v: &[&str]) -> Arg<Vec<AudienceInput>> {
    Arg::new(
        v.iter()
            .map(|u| AudienceInput {
                name: None,
                uri: Str::new(*u, sp()),
            })
            .collect(),
        sp(),
    )
}

fn named(v: &[(&str, &str)]) -> Arg<Vec<AudienceInput>> {
    Arg::new(
        v.iter()
            .map(|(n, u)| AudienceInput {
                name: Some(Str::new(*n, sp())),
                uri: Str::new(*u, sp()),
            })
            .collect(),
        sp(),
    )
}

fn refuse(key: &str, value: Option<&str>) -> Refused {
    Refused {
        key: Str::new(key, sp()),
        value: value.map(str::to_owned),
    }
}

/// A valid baseline for `kind`, changed by `f`.
fn with(kind: Option<&str>, f: impl FnOnce(&mut Input)) -> Input {
    let mut input = Input::new(Str::new("MyClient", sp()));
    input.kind = kind.map(s);
    input.issuer = Some(s("https://tenant.example.com/"));
    match kind {
        Some("web" | "spa") => input.redirect_uri = Some(s("https://app.example.com/callback")),
        Some("trusted") => input.redirect_unavailable = Some(s("a kiosk without a browser")),
        _ => {}
    }
    f(&mut input);
    input
}

fn rules(input: &Input) -> Vec<&'static str> {
    match check(input) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.iter().map(|d| d.rule).collect(),
    }
}

fn messages(input: &Input) -> Vec<String> {
    match check(input) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.into_iter().map(|d| d.message).collect(),
    }
}

/// The macro's side of the one URL table (`oauthflow_core::cases`, which the runtime's unit
/// tests also run): each case as a whole attribute through [`check`], so that the verdict is
/// the compile error the user would see, or none.
#[test]
fn shared_url_cases() {
    use oauthflow_core::cases::{ENDPOINT_CASES, ISSUER_CASES, REDIRECT_CASES};
    for &(kind, form_post, uri, accept) in REDIRECT_CASES {
        let input = with(Some(kind.as_str()), |i| {
            i.redirect_uri = Some(s(uri));
            i.access_token = form_post.then(|| b(false));
        });
        assert_eq!(
            rules(&input).is_empty(),
            accept,
            "{kind:?} {uri:?}: {:?}",
            messages(&input)
        );
    }
    // `machine` calls only the token endpoint, so rule 13 stays quiet about the others.
    let urls = ENDPOINT_CASES.iter().map(|&(uri, ok)| (uri, ok, false));
    for (uri, accept, issuer) in urls.chain(ISSUER_CASES.iter().map(|&(uri, ok)| (uri, ok, true))) {
        let input = with(Some("machine"), |i| {
            let field = if issuer {
                &mut i.issuer
            } else {
                &mut i.token_endpoint
            };
            *field = Some(s(uri));
        });
        assert_eq!(
            rules(&input).is_empty(),
            accept,
            "{uri:?}: {:?}",
            messages(&input)
        );
    }
}

#[test]
fn valid_clients_pass() {
    let rows: Vec<(&str, Input)> = vec![
        (
            "machine",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&[
                    "https://api.example.com/orders",
                    "https://api.example.com/billing",
                ]));
                i.scopes = Some(Arg::new(strs(&["read:orders"]), sp()));
            }),
        ),
        (
            "web",
            with(Some("web"), |i| i.refresh_tokens = Some(b(true))),
        ),
        (
            "web loopback dev",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("http://127.0.0.1:3000/cb"))
            }),
        ),
        ("spa", with(Some("spa"), |i| i.access_token = Some(b(true)))),
        (
            "machine dpop",
            with(Some("machine"), |i| i.sender_constraint = Some(s("dpop"))),
        ),
        (
            "web fapi2",
            with(Some("web"), |i| i.profile = Some(s("fapi2"))),
        ),
        (
            "machine fapi2",
            with(Some("machine"), |i| i.profile = Some(s("fapi2"))),
        ),
        (
            "device dpop",
            with(Some("device"), |i| i.sender_constraint = Some(s("dpop"))),
        ),
        (
            "native dpop",
            with(Some("native"), |i| i.sender_constraint = Some(s("dpop"))),
        ),
        (
            "web dpop with refresh",
            with(Some("web"), |i| {
                i.sender_constraint = Some(s("dpop"));
                i.refresh_tokens = Some(b(true));
            }),
        ),
        (
            "web client_secret_post",
            with(Some("web"), |i| {
                i.client_auth = Some(s("client_secret_post"))
            }),
        ),
        (
            "machine client_secret_basic",
            with(Some("machine"), |i| {
                i.client_auth = Some(s("client_secret_basic"))
            }),
        ),
        ("web par", with(Some("web"), |i| i.par = Some(b(true)))),
        ("spa par", with(Some("spa"), |i| i.par = Some(b(true)))),
        (
            "web private_key_jwt",
            with(Some("web"), |i| i.client_auth = Some(s("private_key_jwt"))),
        ),
        (
            "trusted client_secret_post",
            with(Some("trusted"), |i| {
                i.client_auth = Some(s("client_secret_post"))
            }),
        ),
        (
            "native par = false",
            with(Some("native"), |i| i.par = Some(b(false))),
        ),
        (
            "spa form post",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.scopes = Some(Arg::new(strs(&["openid", "email"]), sp()));
                i.redirect_uri = Some(s("https://127.0.0.1/cb"));
            }),
        ),
        (
            "native loopback",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("http://127.0.0.1/cb"))
            }),
        ),
        (
            "native v6 loopback",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("http://[::1]/cb"))
            }),
        ),
        (
            "native private-use",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("com.example.app:/oauth2redirect"))
            }),
        ),
        (
            "native claimed https",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("https://app.example.com/cb"))
            }),
        ),
        ("native no redirect", with(Some("native"), |_| {})),
        ("trusted", with(Some("trusted"), |_| {})),
        (
            "device",
            with(Some("device"), |i| i.refresh_tokens = Some(b(true))),
        ),
        ("no issuer", with(Some("machine"), |i| i.issuer = None)),
        (
            "loopback issuer",
            with(Some("machine"), |i| {
                i.issuer = Some(s("http://127.0.0.1:4000"))
            }),
        ),
        (
            "resource audiences",
            with(Some("machine"), |i| {
                i.audiences = Some(named(&[
                    ("orders", "https://a.example/x"),
                    ("Billing", "https://a.example/y"),
                ]));
                i.audience_param = Some(s("resource"));
            }),
        ),
        (
            "explicit endpoints",
            with(Some("web"), |i| {
                i.authorization_endpoint = Some(s("https://a.example/authorize"));
                i.token_endpoint = Some(s("https://a.example/token?x=1"));
            }),
        ),
        (
            "explicit device endpoints",
            with(Some("device"), |i| {
                i.device_authorization_endpoint = Some(s("https://a.example/device"));
                i.token_endpoint = Some(s("https://a.example/token"));
                i.jwks_uri = Some(s("https://a.example/jwks"));
                i.scopes = Some(Arg::new(strs(&["openid"]), sp()));
            }),
        ),
        (
            "form post endpoints",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.authorization_endpoint = Some(s("https://a.example/authorize"));
                i.jwks_uri = Some(s("https://a.example/jwks"));
            }),
        ),
        (
            "env prefix",
            with(Some("machine"), |i| i.env_prefix = Some(s("JOB_2"))),
        ),
    ];
    for (name, input) in rows {
        assert_eq!(messages(&input), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn messages_are_one_lowercase_line_with_the_rule() {
    let input = with(Some("machine"), |i| {
        i.refresh_tokens = Some(b(true));
        i.refused.push(refuse("pkce", None));
        i.redirect_uri = Some(s("https://a.example/cb"));
    });
    for message in messages(&input) {
        assert!(!message.contains('\n'), "{message}");
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{message}");
        assert!(message.ends_with(']'), "{message}");
    }
}

#[test]
fn kind_suggestions() {
    let m = messages(&with(Some("machin"), |_| {}));
    assert!(m[0].contains("did you mean kind = \"machine\"?"), "{m:?}");
    let m = messages(&with(Some("mobile"), |_| {}));
    assert!(m[0].contains("kind = \"native\""), "{m:?}");
    let m = messages(&with(Some("toaster"), |_| {}));
    assert!(m[0].contains("\"machine\", \"web\""), "{m:?}");
}

#[test]
fn the_accepted_client() {
    let c = check(&with(Some("machine"), |i| {
        i.audiences = Some(named(&[("orders", "https://a.example/o")]));
        i.scopes = Some(Arg::new(strs(&["read"]), sp()));
    }))
    .unwrap();
    assert_eq!(c.flow, Flow::ClientCredentials);
    assert_eq!(c.env_prefix, "MY_CLIENT");
    assert_eq!(c.audiences[0].variant, "Orders");
    assert_eq!(c.scopes, ["read"]);
    let c = check(&with(Some("trusted"), |_| {})).unwrap();
    assert!(c.decision.contains("RFC 9700 §2.4"));
    assert!(c.decision.contains("a kiosk without a browser"));
    let c = check(&with(Some("spa"), |i| i.refresh_tokens = Some(b(true)))).unwrap();
    assert!(c.decision.contains("prefer kind = \"web\""));
    assert!(c.decision.contains("rotates"));
    let c = check(&with(Some("spa"), |i| i.access_token = Some(b(false)))).unwrap();
    assert!(c.decision.contains("login-only"));
    assert!(c.decision.contains("server endpoint"));
}

#[test]
fn item_shape() {
    let rows: Vec<(syn::Item, usize)> = vec![
        (
            syn::parse_quote!(
                pub struct A;
            ),
            0,
        ),
        (
            syn::parse_quote!(
                struct A<T>;
            ),
            1,
        ),
        (
            syn::parse_quote!(
                struct A {
                    x: u8,
                }
            ),
            1,
        ),
        (
            syn::parse_quote!(
                struct A(u8);
            ),
            1,
        ),
        (
            syn::parse_quote!(
                enum A {
                    B,
                }
            ),
            1,
        ),
        (
            syn::parse_quote!(
                fn a() {}
            ),
            1,
        ),
        (
            syn::parse_quote!(
                #[derive(Clone, Debug, PartialEq)]
                struct A;
            ),
            3,
        ),
    ];
    for (item, want) in rows {
        let mut cx = crate::diag::Ctxt::default();
        crate::item::check(&item, &mut cx);
        let diags = cx.into_sorted();
        assert_eq!(diags.len(), want, "{}", quote::quote!(#item));
        assert!(diags.iter().all(|d| d.rule == "D14"));
    }
}
