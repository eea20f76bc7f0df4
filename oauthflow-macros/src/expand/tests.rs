//! Expansion snapshots: one client per decision of the tree, checked in under
//! `oauthflow-macros/tests/expand/`. Bless with `OAUTHFLOW_BLESS=1 cargo test -p oauthflow-macros`.

use super::*;
use crate::check_args;
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
        std::fs::create_dir_all(format!("{}/tests/expand", env!("CARGO_MANIFEST_DIR"))).unwrap();
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
