//! Rules 11–13: audiences, scopes, and explicit endpoints.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rule 11 (C16a, C16b): audiences.
// ---------------------------------------------------------------------------------------------

/// Rule 11: not empty, no duplicates, distinct names; RFC 8707 shape with `resource`.
pub(super) fn rule_11_audiences(cx: &mut Ctxt, input: &Input, flow: Option<Flow>) -> Vec<Audience> {
    let Some(list) = &input.audiences else {
        if let Some(p) = &input.audience_param {
            cx.err("C16a", p.key, "`audience_param` only applies with `audiences` — remove it, or add `audiences = [\"https://api.example.com/orders\"]`");
        }
        return Vec::new();
    };
    if flow == Some(Flow::ImplicitFormPost) {
        // Rule 6 (C8a) already refused the whole list.
        return Vec::new();
    }
    if list.value.is_empty() {
        cx.err("C16a", list.key, "`audiences` is empty — list at least one API identifier, e.g. `audiences = [\"https://api.example.com/orders\"]`, or remove `audiences`");
    }
    let resource = input
        .audience_param
        .as_ref()
        .is_some_and(|p| p.value == "resource");
    let mut out: Vec<(Audience, &Str)> = Vec::new();
    for entry in &list.value {
        let uri = &entry.uri;
        if uri.value.trim().is_empty() {
            cx.err("C16a", uri.span, "empty audience — write the API identifier, e.g. \"https://api.example.com/orders\"");
            continue;
        }
        if out.iter().any(|(a, _)| a.uri == uri.value) {
            cx.err("C16a", uri.span, format!("audience `{}` is listed twice; each audience gets one access token — remove this one", uri.value));
            continue;
        }
        if resource {
            let ok = Uri::parse(&uri.value).is_ok_and(|u| u.fragment.is_none());
            if !ok {
                cx.err("C16b", uri.span, format!("with audience_param = \"resource\" each audience must be an absolute URI without a fragment (RFC 8707 §2): `{}` → e.g. \"https://api.example.com/orders\"", uri.value));
            }
        }
        let (variant, span) = match &entry.name {
            Some(name) => (names::upper_camel(&name.value), name.span),
            None => (
                names::audience_variant(&uri.value).unwrap_or_default(),
                uri.span,
            ),
        };
        if !names::is_variant_name(&variant) {
            let message = match &entry.name {
                Some(name) => format!(
                    "audience name `{}` is not a usable enum variant name — write an UpperCamelCase name such as `Orders`",
                    name.value
                ),
                None => format!(
                    "cannot derive an enum variant name from audience `{}` — name it: `audiences(Orders = \"{}\")`",
                    uri.value, uri.value
                ),
            };
            cx.err("C16a", span, message);
            continue;
        }
        if let Some((other, _)) = out.iter().find(|(a, _)| a.variant == variant) {
            cx.err("C16a", span, format!("audiences `{}` and `{}` both map to the variant name `{variant}` — name them: `audiences({variant} = \"{}\", Other{variant} = \"{}\")`", other.uri, uri.value, other.uri, uri.value));
            continue;
        }
        out.push((
            Audience {
                variant,
                uri: uri.value.clone(),
            },
            uri,
        ));
    }
    out.into_iter().map(|(a, _)| a).collect()
}

// ---------------------------------------------------------------------------------------------
// Rule 12 (C17): scopes.
// ---------------------------------------------------------------------------------------------

/// Rule 12: no empty, duplicate or malformed scope; `offline_access` comes from
/// `refresh_tokens = true`.
pub(super) fn rule_12_scopes(cx: &mut Ctxt, input: &Input, kind: Option<Kind>) {
    let Some(scopes) = &input.scopes else {
        return;
    };
    if scopes.value.is_empty() {
        cx.err(
            "C17",
            scopes.key,
            "`scopes` is empty — list at least one scope, or remove `scopes`",
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for scope in &scopes.value {
        let s = scope.value.as_str();
        if let Some(problem) = scope_problem(s) {
            cx.err("C17", scope.span, problem);
        } else if seen.contains(&s) {
            cx.err(
                "C17",
                scope.span,
                format!("scope `{s}` is listed twice — remove this one"),
            );
        } else if s == "offline_access" && kind != Some(Kind::Machine) {
            // On `machine`, rule 4 explains it.
            cx.err("C17", scope.span, "scope `offline_access` comes from `refresh_tokens = true`, not by hand — remove it and write `refresh_tokens = true`");
        }
        seen.push(s);
    }
}

/// What is wrong with one scope token, if anything (RFC 6749 §3.3:
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`).
pub fn scope_problem(scope: &str) -> Option<String> {
    Some(match oauthflow_core::scope_problem(scope)? {
        ScopeProblem::Empty => "empty scope — remove it".into(),
        ScopeProblem::Space => format!(
            "scope `{scope}` contains a space; scopes are space-separated tokens (RFC 6749 §3.3) — write one entry per scope"
        ),
        ScopeProblem::Character(bad) => {
            let shown = if bad.is_control() {
                bad.escape_default().to_string()
            } else {
                bad.to_string()
            };
            format!(
                "scope `{}` contains `{shown}`, outside the characters RFC 6749 §3.3 allows (printable ASCII except `\"` and `\\`) — remove it",
                if scope.chars().any(char::is_control) {
                    scope.escape_default().to_string()
                } else {
                    scope.to_owned()
                },
            )
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Rule 13 (C15, C8c): explicit endpoints are complete for the flow, and only those it calls.
// ---------------------------------------------------------------------------------------------

/// Rule 13: explicit endpoints — complete for the flow, none it never calls.
pub(super) fn rule_13_endpoints(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
    let given: Vec<(&str, &Arg<String>)> = input
        .endpoints()
        .into_iter()
        .filter_map(|(n, a)| a.map(|a| (n, a)))
        .collect();
    let Some((_, first)) = given.first() else {
        return;
    };
    let openid = input
        .scopes
        .as_ref()
        .is_some_and(|s| s.value.iter().any(|s| s.value == "openid"));
    let needed = oauthflow_core::endpoints_for(flow, openid);
    let what = format!("kind = \"{}\" ({})", kind.as_str(), flow.describe());
    for (name, arg) in &given {
        if needed.contains(name) {
            continue;
        }
        let message = if *name == "jwks_uri" {
            format!(
                "`jwks_uri` only serves to validate ID tokens, and {what} validates none without the `openid` scope — remove `jwks_uri`, or add \"openid\" to `scopes`"
            )
        } else {
            format!("`{name}` is never called by {what} — remove `{name}`")
        };
        cx.err("C15", arg.key, message);
    }
    for name in needed {
        if given.iter().any(|(n, _)| *n == name) || input.unreadable(name) {
            continue;
        }
        let (rule, message) = match (name, flow) {
            ("jwks_uri", Flow::ImplicitFormPost) => ("C8c", "validating the ID token of an implicit form post needs the issuer's keys: with explicit endpoints add `jwks_uri` (OIDC Core §3.1.3.7), or remove the endpoints and use `issuer` alone for discovery".to_owned()),
            ("jwks_uri", _) => ("C15", "the `openid` scope means an ID token to validate: with explicit endpoints add `jwks_uri` (OIDC Core §3.1.3.7), or remove the endpoints and use `issuer` alone for discovery".to_owned()),
            _ => ("C15", format!("{what} with explicit endpoints also needs `{name}` — add it, or remove the endpoints and use `issuer` alone for discovery (RFC 8414)")),
        };
        cx.err(rule, first.key, message);
    }
}
