//! The decision tree and the compile-time rules (DESIGN §1 and §3; SECURITY-RULES C1–C19).
//!
//! Pure: takes the typed [`Input`], returns the accepted [`Client`] or every broken rule as a
//! [`Diag`]. One small function per rule, named after its DESIGN §3 number; the C-number of
//! SECURITY-RULES §1 is in each message (`[C5]`) and in [`Diag::rule`], and documented in
//! `docs/oauth_client.md`.

use proc_macro2::Span;

use oauthflow_core::{
    EndpointProblem, OIDC_SCOPES, RedirectProblem, ScopeProblem, USER_SCOPES, decide,
    endpoint_verdict, issuer_verdict, redirect_verdict,
};

use crate::ast::{Arg, Audience, AudienceParam, Client, ClientAuth, Flow, Input, Kind, Str};
use crate::diag::{Ctxt, Diag};
use crate::names;
use crate::uri::Uri;

mod arguments;
mod kinds;
mod lists;
mod security;
mod urls;

use self::arguments::*;
pub use self::arguments::{GRANT_KEYS, is_secret_key};
use self::kinds::*;
use self::lists::*;
use self::security::*;
use self::urls::*;

/// The six kinds, as written in the attribute, for messages.
const KINDS: &str = r#""machine", "web", "spa", "native", "trusted" or "device""#;

/// The `DECISION` text (shared with the CLI: `oauthflow-core`).
pub use oauthflow_core::decision_text;

/// Runs the decision tree and every rule; all broken rules are returned together.
#[cfg(test)]
pub fn check(input: &Input) -> Result<Client, Vec<Diag>> {
    let mut cx = Ctxt::default();
    match check_all(input, &mut cx) {
        Some(client) if cx.len() == 0 => Ok(client),
        _ => Err(cx.into_sorted()),
    }
}

/// Runs the decision tree and every rule, recording each broken rule in `cx`, and returns the
/// client the tree chose also when only other rules failed: expanding it next to the errors
/// keeps the user's calls to its methods free of follow-up errors. `None` when the kind itself
/// is missing or unknown.
pub fn check_all(input: &Input, cx: &mut Ctxt) -> Option<Client> {
    let kind = rule_01_kind(cx, input);
    rule_01_values(cx, input);
    rule_18_values(cx, input);
    let access_token = input.access_token.as_ref().is_none_or(|a| a.value);
    let flow = kind.map(|k| decide(k, access_token));
    rule_02_secrets(cx, input, kind);
    rule_03_grant_arguments(cx, input, kind, flow);
    if let (Some(kind), Some(flow)) = (kind, flow) {
        rule_04_machine(cx, input, kind);
        rule_05_redirect_required(cx, input, kind, flow);
        rule_06_id_token_only(cx, input, kind, flow);
        rule_07_trusted(cx, input, kind);
        rule_08_device(cx, input, kind);
    }
    rule_09_transport(cx, input);
    rule_10_redirect(cx, input, kind, flow);
    let audiences = rule_11_audiences(cx, input, flow);
    rule_12_scopes(cx, input, kind);
    if let (Some(kind), Some(flow)) = (kind, flow) {
        rule_13_endpoints(cx, input, kind, flow);
        rule_18_placement(cx, input, kind, flow);
        rule_19_fapi2(cx, input, kind);
    }
    let (Some(kind), Some(flow)) = (kind, flow) else {
        return None;
    };
    let value = |a: &Option<Arg<String>>| a.as_ref().map(|a| a.value.clone());
    // A flow without refresh tokens never gets the `refresh` step, also when the attribute
    // asked for it (rule 4 or 6 reported that): the expansion next to the errors stays valid.
    let refresh_tokens = input.refresh_tokens.as_ref().is_some_and(|a| a.value)
        && !matches!(flow, Flow::ClientCredentials | Flow::ImplicitFormPost);
    let redirect_unavailable = value(&input.redirect_unavailable);
    let client = Client {
        struct_name: input.name.value.clone(),
        kind,
        flow,
        issuer: value(&input.issuer),
        authorization_endpoint: value(&input.authorization_endpoint),
        token_endpoint: value(&input.token_endpoint),
        device_authorization_endpoint: value(&input.device_authorization_endpoint),
        jwks_uri: value(&input.jwks_uri),
        audiences,
        audience_param: match input.audience_param.as_ref().map(|a| a.value.as_str()) {
            Some("resource") => AudienceParam::Resource,
            _ => AudienceParam::Audience,
        },
        scopes: input
            .scopes
            .as_ref()
            .map(|s| s.value.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default(),
        redirect_uri: value(&input.redirect_uri),
        refresh_tokens,
        client_auth: client_auth(input, kind),
        par: matches!(kind, Kind::Web | Kind::Spa | Kind::Native)
            && (input.par.as_ref().is_some_and(|p| p.value)
                || (kind == Kind::Web
                    && input.par.is_none()
                    && input.profile.as_ref().is_some_and(|p| p.value == "fapi2"))),
        dpop: input
            .sender_constraint
            .as_ref()
            .is_some_and(|s| s.value == "dpop")
            || input.profile.as_ref().is_some_and(|p| p.value == "fapi2"),
        fapi2: input.profile.as_ref().is_some_and(|p| p.value == "fapi2"),
        decision: decision_text(kind, flow, refresh_tokens, redirect_unavailable.as_deref()),
        env_prefix: value(&input.env_prefix)
            .unwrap_or_else(|| names::env_prefix(&input.name.value)),
    };
    Some(client)
}

/// The authentication method the attribute fixes: `client_auth`, else the profile's
/// `private_key_jwt` for a confidential kind; `None` leaves the choice to the metadata.
fn client_auth(input: &Input, kind: Kind) -> Option<ClientAuth> {
    if !kind.is_confidential() {
        return None;
    }
    match input
        .client_auth
        .as_ref()
        .map(|a| ClientAuth::parse(&a.value))
    {
        Some(method) => method,
        None => input
            .profile
            .as_ref()
            .filter(|p| p.value == "fapi2")
            .map(|_| ClientAuth::PrivateKeyJwt),
    }
}

/// The span of an argument's value, or of the struct name when the argument is absent.
fn value_span<T>(arg: Option<&Arg<T>>, input: &Input) -> Span {
    arg.map_or(input.name.span, |a| a.span)
}

#[cfg(test)]
mod tests;
