//! Table-driven tests of the decision tree and of every rule, on plain [`Input`] values.

use super::*;
use crate::ast::{AudienceInput, Refused};

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
fn each_rule_rejects_its_case() {
    type Row = (&'static str, Input, &'static [&'static str]);
    let rows: Vec<Row> = vec![
        // Rule 1
        ("kind missing", with(None, |_| {}), &["C1"]),
        ("kind unknown", with(Some("machin"), |_| {}), &["C1"]),
        (
            "audience_param unknown",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&["https://a.example/x"]));
                i.audience_param = Some(s("resources"));
            }),
            &["C1"],
        ),
        (
            "env_prefix lowercase",
            with(Some("machine"), |i| i.env_prefix = Some(s("job"))),
            &["C1"],
        ),
        // Rule 2
        (
            "client_secret",
            with(Some("machine"), |i| {
                i.refused.push(refuse("client_secret", Some("x")))
            }),
            &["C3"],
        ),
        (
            "api_key",
            with(Some("web"), |i| i.refused.push(refuse("api_key", None))),
            &["C3"],
        ),
        (
            "password on trusted",
            with(Some("trusted"), |i| {
                i.refused.push(refuse("password", None))
            }),
            &["C3"],
        ),
        (
            "secret on a public kind",
            with(Some("spa"), |i| {
                i.refused.push(refuse("client_secret", None))
            }),
            &["C4"],
        ),
        // Rule 3
        (
            "pkce",
            with(Some("web"), |i| i.refused.push(refuse("pkce", None))),
            &["C2a"],
        ),
        (
            "plain",
            with(Some("native"), |i| {
                i.refused
                    .push(refuse("code_challenge_method", Some("plain")))
            }),
            &["C2b"],
        ),
        (
            "response_type token",
            with(Some("spa"), |i| {
                i.refused
                    .push(refuse("response_type", Some("id_token token")))
            }),
            &["C2c"],
        ),
        (
            "implicit",
            with(Some("spa"), |i| i.refused.push(refuse("implicit", None))),
            &["C2c"],
        ),
        (
            "grant",
            with(Some("web"), |i| {
                i.refused.push(refuse("grant", Some("authorization_code")))
            }),
            &["C2d"],
        ),
        (
            "response_mode",
            with(Some("spa"), |i| {
                i.refused.push(refuse("response_mode", Some("form_post")))
            }),
            &["C2d"],
        ),
        (
            "client_auth",
            with(Some("native"), |i| {
                i.refused.push(refuse("client_auth", Some("none")))
            }),
            &["C4"],
        ),
        // Rule 4
        (
            "machine redirect_uri",
            with(Some("machine"), |i| {
                i.redirect_uri = Some(s("https://a.example/cb"))
            }),
            &["C5"],
        ),
        (
            "machine refresh_tokens",
            with(Some("machine"), |i| i.refresh_tokens = Some(b(true))),
            &["C5"],
        ),
        (
            "machine access_token",
            with(Some("machine"), |i| i.access_token = Some(b(true))),
            &["C5"],
        ),
        (
            "machine redirect_unavailable",
            with(Some("machine"), |i| i.redirect_unavailable = Some(s("x"))),
            &["C5"],
        ),
        (
            "machine user scopes",
            with(Some("machine"), |i| {
                i.scopes = Some(Arg::new(strs(&["openid", "offline_access", "read"]), sp()))
            }),
            &["C5", "C5"],
        ),
        // Rule 5
        (
            "web without redirect",
            with(Some("web"), |i| i.redirect_uri = None),
            &["C6"],
        ),
        (
            "spa without redirect",
            with(Some("spa"), |i| i.redirect_uri = None),
            &["C7"],
        ),
        (
            "form post without redirect",
            with(Some("spa"), |i| {
                i.redirect_uri = None;
                i.access_token = Some(b(false));
            }),
            &["C7"],
        ),
        // Rule 6
        (
            "form post audiences",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.audiences = Some(auds(&["https://a.example/x"]));
            }),
            &["C8a"],
        ),
        (
            "form post refresh",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.refresh_tokens = Some(b(true));
            }),
            &["C8a"],
        ),
        (
            "form post api scope",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.scopes = Some(Arg::new(strs(&["openid", "read:orders"]), sp()));
            }),
            &["C8a"],
        ),
        (
            "access_token on web",
            with(Some("web"), |i| i.access_token = Some(b(false))),
            &["C9"],
        ),
        (
            "access_token on device",
            with(Some("device"), |i| i.access_token = Some(b(true))),
            &["C9"],
        ),
        // Rule 7
        (
            "trusted without reason",
            with(Some("trusted"), |i| i.redirect_unavailable = None),
            &["C10a"],
        ),
        (
            "trusted empty reason",
            with(Some("trusted"), |i| i.redirect_unavailable = Some(s("  "))),
            &["C10a"],
        ),
        (
            "reason on native",
            with(Some("native"), |i| i.redirect_unavailable = Some(s("x"))),
            &["C10b"],
        ),
        (
            "trusted redirect_uri",
            with(Some("trusted"), |i| {
                i.redirect_uri = Some(s("https://a.example/cb"))
            }),
            &["C10b"],
        ),
        // Rule 8
        (
            "device redirect_uri",
            with(Some("device"), |i| {
                i.redirect_uri = Some(s("https://a.example/cb"))
            }),
            &["C11"],
        ),
        // Rule 9
        (
            "issuer http",
            with(Some("machine"), |i| {
                i.issuer = Some(s("http://tenant.example.com/"))
            }),
            &["C14"],
        ),
        (
            "issuer localhost",
            with(Some("machine"), |i| {
                i.issuer = Some(s("http://localhost:4000"))
            }),
            &["C14"],
        ),
        (
            "issuer https localhost",
            with(Some("machine"), |i| i.issuer = Some(s("https://localhost"))),
            &["C14"],
        ),
        (
            "issuer query",
            with(Some("machine"), |i| {
                i.issuer = Some(s("https://a.example/?tenant=1"))
            }),
            &["C14"],
        ),
        (
            "issuer fragment",
            with(Some("machine"), |i| {
                i.issuer = Some(s("https://a.example/#x"))
            }),
            &["C14"],
        ),
        (
            "issuer userinfo",
            with(Some("machine"), |i| {
                i.issuer = Some(s("https://u:p@a.example/"))
            }),
            &["C14"],
        ),
        (
            "issuer relative",
            with(Some("machine"), |i| {
                i.issuer = Some(s("tenant.example.com"))
            }),
            &["C14"],
        ),
        (
            "endpoint fragment",
            with(Some("machine"), |i| {
                i.token_endpoint = Some(s("https://a.example/token#x"))
            }),
            &["C14"],
        ),
        (
            "endpoint http",
            with(Some("machine"), |i| {
                i.token_endpoint = Some(s("http://a.example/token"))
            }),
            &["C14"],
        ),
        // Rule 10
        (
            "redirect fragment",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("https://a.example/cb#x"))
            }),
            &["C13a"],
        ),
        (
            "redirect userinfo",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("https://evil@a.example/cb"))
            }),
            &["C13a"],
        ),
        (
            "redirect javascript",
            with(Some("spa"), |i| {
                i.redirect_uri = Some(s("javascript:alert(1)"))
            }),
            &["C13a"],
        ),
        (
            "redirect data",
            with(Some("spa"), |i| {
                i.redirect_uri = Some(s("data:text/html,x"))
            }),
            &["C13a"],
        ),
        (
            "redirect file",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("file:///tmp/cb.html"))
            }),
            &["C13a"],
        ),
        (
            "redirect vbscript",
            with(Some("web"), |i| i.redirect_uri = Some(s("VBScript:x"))),
            &["C13a"],
        ),
        (
            "redirect relative",
            with(Some("web"), |i| i.redirect_uri = Some(s("/callback"))),
            &["C13a"],
        ),
        (
            "redirect state",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("https://a.example/cb?state=1"))
            }),
            &["C13b"],
        ),
        (
            "redirect iss",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("http://127.0.0.1/cb?x=1&iss=a"))
            }),
            &["C13b"],
        ),
        (
            "web http",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("http://app.example.com/cb"))
            }),
            &["C13c"],
        ),
        (
            "web private scheme",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("com.example.app:/cb"))
            }),
            &["C13c"],
        ),
        (
            "web localhost",
            with(Some("web"), |i| {
                i.redirect_uri = Some(s("http://localhost:3000/cb"))
            }),
            &["C12a"],
        ),
        (
            "native localhost",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("http://localhost/cb"))
            }),
            &["C12a"],
        ),
        (
            "native http remote",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("http://app.example.com/cb"))
            }),
            &["C12b"],
        ),
        (
            "native scheme without dot",
            with(Some("native"), |i| i.redirect_uri = Some(s("myapp:/cb"))),
            &["C12c"],
        ),
        (
            "native scheme with authority",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("com.example.app://cb"))
            }),
            &["C12c"],
        ),
        (
            "native loopback port",
            with(Some("native"), |i| {
                i.redirect_uri = Some(s("http://127.0.0.1:8080/cb"))
            }),
            &["C12d"],
        ),
        (
            "form post http loopback",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.redirect_uri = Some(s("http://127.0.0.1/cb"));
            }),
            &["C8b"],
        ),
        // Rule 11
        (
            "audiences empty",
            with(Some("machine"), |i| i.audiences = Some(auds(&[]))),
            &["C16a"],
        ),
        (
            "audience twice",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&["https://a.example/x", "https://a.example/x"]))
            }),
            &["C16a"],
        ),
        (
            "audiences same name",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&[
                    "https://a.example/orders",
                    "https://b.example/orders",
                ]))
            }),
            &["C16a"],
        ),
        (
            "audience without a name",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&["https://127.0.0.1:9000/"]))
            }),
            &["C16a"],
        ),
        (
            "audience empty",
            with(Some("machine"), |i| i.audiences = Some(auds(&[""]))),
            &["C16a"],
        ),
        (
            "audience name invalid",
            with(Some("machine"), |i| {
                i.audiences = Some(named(&[("self", "https://a.example/x")]))
            }),
            &["C16a"],
        ),
        (
            "audience_param alone",
            with(Some("machine"), |i| i.audience_param = Some(s("resource"))),
            &["C16a"],
        ),
        (
            "resource not absolute",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&["orders"]));
                i.audience_param = Some(s("resource"));
            }),
            &["C16b"],
        ),
        (
            "resource fragment",
            with(Some("machine"), |i| {
                i.audiences = Some(auds(&["https://a.example/orders#x"]));
                i.audience_param = Some(s("resource"));
            }),
            &["C16b"],
        ),
        // Rule 12
        (
            "scopes empty",
            with(Some("web"), |i| i.scopes = Some(Arg::new(vec![], sp()))),
            &["C17"],
        ),
        (
            "scope empty",
            with(Some("web"), |i| {
                i.scopes = Some(Arg::new(strs(&[""]), sp()))
            }),
            &["C17"],
        ),
        (
            "scope space",
            with(Some("web"), |i| {
                i.scopes = Some(Arg::new(strs(&["read orders"]), sp()))
            }),
            &["C17"],
        ),
        (
            "scope quote",
            with(Some("web"), |i| {
                i.scopes = Some(Arg::new(strs(&["a\"b"]), sp()))
            }),
            &["C17"],
        ),
        (
            "scope non-ascii",
            with(Some("web"), |i| {
                i.scopes = Some(Arg::new(strs(&["lesen:aufträge"]), sp()))
            }),
            &["C17"],
        ),
        (
            "scope twice",
            with(Some("web"), |i| {
                i.scopes = Some(Arg::new(strs(&["a", "a"]), sp()))
            }),
            &["C17"],
        ),
        (
            "offline_access",
            with(Some("web"), |i| {
                i.scopes = Some(Arg::new(strs(&["offline_access"]), sp()))
            }),
            &["C17"],
        ),
        // Rule 13
        (
            "endpoints incomplete",
            with(Some("web"), |i| {
                i.authorization_endpoint = Some(s("https://a.example/authorize"))
            }),
            &["C15"],
        ),
        (
            "endpoint never called",
            with(Some("machine"), |i| {
                i.token_endpoint = Some(s("https://a.example/token"));
                i.authorization_endpoint = Some(s("https://a.example/authorize"));
            }),
            &["C15"],
        ),
        (
            "jwks without openid",
            with(Some("machine"), |i| {
                i.token_endpoint = Some(s("https://a.example/token"));
                i.jwks_uri = Some(s("https://a.example/jwks"));
            }),
            &["C15"],
        ),
        (
            "openid without jwks",
            with(Some("web"), |i| {
                i.authorization_endpoint = Some(s("https://a.example/authorize"));
                i.token_endpoint = Some(s("https://a.example/token"));
                i.scopes = Some(Arg::new(strs(&["openid"]), sp()));
            }),
            &["C15"],
        ),
        (
            "form post without jwks",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.authorization_endpoint = Some(s("https://a.example/authorize"));
            }),
            &["C8c"],
        ),
        (
            "form post token endpoint",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.authorization_endpoint = Some(s("https://a.example/authorize"));
                i.token_endpoint = Some(s("https://a.example/token"));
                i.jwks_uri = Some(s("https://a.example/jwks"));
            }),
            &["C15"],
        ),
        // Several rules at once, all reported.
        (
            "many",
            with(Some("machine"), |i| {
                i.refused.push(refuse("client_secret", None));
                i.refresh_tokens = Some(b(true));
                i.issuer = Some(s("http://tenant.example.com"));
                i.scopes = Some(Arg::new(strs(&["a", "a"]), sp()));
            }),
            &["C3", "C5", "C14", "C17"],
        ),
    ];
    for (name, input, want) in rows {
        assert_eq!(rules(&input), want, "{name}: {:?}", messages(&input));
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
