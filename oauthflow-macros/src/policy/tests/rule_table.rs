//! One row per rule shape: the attribute, and the rule codes it must be refused with.

use super::*;

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
            "token_endpoint_auth_method",
            with(Some("native"), |i| {
                i.refused
                    .push(refuse("token_endpoint_auth_method", Some("none")))
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
        // Rule 18: the security arguments fit the kind; what this version does not run.
        (
            "client_auth on a public kind",
            with(Some("spa"), |i| {
                i.client_auth = Some(s("client_secret_post"))
            }),
            &["C18"],
        ),
        (
            "client_auth unknown",
            with(Some("web"), |i| {
                i.client_auth = Some(s("client_secret_jwt"))
            }),
            &["C1"],
        ),
        (
            "sender_constraint unknown",
            with(Some("machine"), |i| i.sender_constraint = Some(s("mtls"))),
            &["C1"],
        ),
        (
            "sender_constraint on form post",
            with(Some("spa"), |i| {
                i.access_token = Some(b(false));
                i.scopes = Some(Arg::new(strs(&["openid"]), sp()));
                i.sender_constraint = Some(s("dpop"));
            }),
            &["C18"],
        ),
        (
            "par on machine",
            with(Some("machine"), |i| i.par = Some(b(false))),
            &["C18"],
        ),
        (
            "par on device",
            with(Some("device"), |i| i.par = Some(b(false))),
            &["C18"],
        ),
        (
            "profile unknown",
            with(Some("web"), |i| i.profile = Some(s("fapi-2"))),
            &["C1"],
        ),
        // Rule 19: the FAPI 2.0 profile.
        (
            "fapi2 on spa",
            with(Some("spa"), |i| i.profile = Some(s("fapi2"))),
            &["C19"],
        ),
        (
            "fapi2 on trusted",
            with(Some("trusted"), |i| i.profile = Some(s("fapi2"))),
            &["C19"],
        ),
        (
            "fapi2 with a secret",
            with(Some("machine"), |i| {
                i.profile = Some(s("fapi2"));
                i.client_auth = Some(s("client_secret_basic"));
            }),
            &["C19"],
        ),
        (
            "fapi2 without par",
            with(Some("web"), |i| {
                i.profile = Some(s("fapi2"));
                i.par = Some(b(false));
            }),
            &["C19"],
        ),
        (
            "fapi2 with a weaker sender constraint",
            with(Some("web"), |i| {
                i.profile = Some(s("fapi2"));
                i.sender_constraint = Some(s("bearer"));
            }),
            &["C19"],
        ),
        (
            "fapi2 with access_token = false",
            with(Some("spa"), |i| {
                i.profile = Some(s("fapi2"));
                i.access_token = Some(b(false));
            }),
            &["C19", "C19"],
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
