//! Rules 18–19: the client-security arguments (`client_auth`, `sender_constraint`, `par`,
//! `profile`) fit the kind (C18) and the FAPI 2.0 profile (C19); and what this version does not
//! run yet is refused rather than silently left out.

use super::*;
use crate::ast::ClientAuth;

/// The FAPI 2.0 Security Profile, as cited in messages (clause numbers as in SECURITY-RULES C19).
const FAPI2: &str = "FAPI 2.0 Security Profile";

/// Rule 1 for the security arguments: values with a fixed vocabulary.
pub(super) fn rule_18_values(cx: &mut Ctxt, input: &Input) {
    if let Some(a) = &input.client_auth
        && ClientAuth::parse(&a.value).is_none()
    {
        let names: Vec<&str> = ClientAuth::ALL.iter().map(|(s, _)| *s).collect();
        let hint = match a.value.as_str() {
            "none" => "a confidential client always authenticates, and public kinds (spa, native, device) need no `client_auth` — ".to_owned(),
            "tls_client_auth" | "self_signed_tls_client_auth" => "mutual TLS (RFC 8705) is not supported: reqwest cannot yet bind a client certificate per client in a way this crate can check — ".to_owned(),
            "client_secret_jwt" => "`client_secret_jwt` signs with the shared secret, which the server must also keep in clear; use an asymmetric key instead (RFC 9700 §2.5) — ".to_owned(),
            v => names::did_you_mean(v, &names)
                .map(|s| format!("did you mean \"{s}\"? "))
                .unwrap_or_default(),
        };
        cx.err(
            "C1",
            a.span,
            format!(
                "unknown client_auth `{}`: {hint}write \"client_secret_basic\", \"client_secret_post\" or \"private_key_jwt\"",
                a.value
            ),
        );
    }
    if let Some(a) = &input.sender_constraint
        && a.value != "dpop"
        && !fapi2(input)
    {
        let hint = match a.value.as_str() {
            "mtls" | "tls" | "mTLS" => {
                "mutual-TLS-bound tokens (RFC 8705) are not supported yet — "
            }
            "none" | "bearer" => "bearer tokens are the default: remove `sender_constraint` — ",
            _ => "",
        };
        cx.err(
            "C1",
            a.span,
            format!(
                "unknown sender_constraint `{}`: {hint}write \"dpop\" (RFC 9449)",
                a.value
            ),
        );
    }
    if let Some(a) = &input.profile
        && a.value != "fapi2"
    {
        let hint = match a
            .value
            .to_ascii_lowercase()
            .replace(['-', '_', ' ', '.'], "")
            .as_str()
        {
            "fapi2" | "fapi20" | "fapi2sp" | "fapi2security" => "did you mean \"fapi2\"? ",
            "fapi" | "fapi1" | "fapi1advanced" => {
                "FAPI 1.0 is not offered; FAPI 2.0 supersedes it — "
            }
            _ => "",
        };
        cx.err(
            "C1",
            a.span,
            format!(
                "unknown profile `{}`: {hint}the one profile is \"fapi2\" (the FAPI 2.0 Security Profile)",
                a.value
            ),
        );
    }
}

/// Whether the attribute asks for the FAPI 2.0 profile.
fn fapi2(input: &Input) -> bool {
    input.profile.as_ref().is_some_and(|p| p.value == "fapi2")
}

/// Rule 18 (C18): each security argument only where the flow has what it protects.
pub(super) fn rule_18_placement(cx: &mut Ctxt, input: &Input, kind: Kind, flow: Flow) {
    let k = kind.as_str();
    if let Some(a) = &input.client_auth
        && !kind.is_confidential()
    {
        cx.err("C18", a.key, format!("`client_auth` is not allowed with kind = \"{k}\": a public client has no credentials to authenticate with (OAuth 2.1 §2.1), PKCE protects its code instead — remove `client_auth`, or use kind = \"web\" (a backend that can hold a secret or a key)"));
    }
    if let Some(a) = &input.sender_constraint
        && flow == Flow::ImplicitFormPost
    {
        cx.err("C18", a.key, "`sender_constraint` binds access tokens to a key (RFC 9449 §5), and `access_token = false` gets none (an ID token only) — remove `sender_constraint`, or drop `access_token = false` to use code + PKCE");
    }
    if let Some(a) = &input.par
        && !matches!(kind, Kind::Web | Kind::Spa | Kind::Native)
    {
        cx.err("C18", a.key, format!("`par` only applies to flows that use the authorization endpoint (RFC 9126 §2), and kind = \"{k}\" never sends the user there — remove `par`"));
    }
}

/// Rule 19 (C19): `profile = "fapi2"` — confidential kinds with a code or client-credentials
/// grant, private_key_jwt, PAR and sender-constrained tokens; every weaker choice is refused
/// with the clause that forbids it.
pub(super) fn rule_19_fapi2(cx: &mut Ctxt, input: &Input, kind: Kind) {
    if !fapi2(input) {
        return;
    }
    let kind_span = value_span(input.kind.as_ref(), input);
    let k = kind.as_str();
    match kind {
        Kind::Spa | Kind::Native | Kind::Device => cx.err("C19", kind_span, format!("`profile = \"fapi2\"` needs a confidential client, and kind = \"{k}\" is public: {FAPI2} §5.3.2.1 allows confidential clients only, and §5.3.3 requires client authentication (private_key_jwt) — use kind = \"web\" (a backend that holds the key), or remove `profile`")),
        Kind::Trusted => cx.err("C19", kind_span, format!("`profile = \"fapi2\"` forbids the resource owner password credentials grant that kind = \"trusted\" uses ({FAPI2} §5.3.3.1) — use kind = \"web\", or remove `profile`")),
        Kind::Machine | Kind::Web => {}
    }
    if let Some(a) = &input.access_token
        && !a.value
    {
        cx.err("C19", a.key, format!("`profile = \"fapi2\"` uses only the authorization code flow, and `access_token = false` selects the implicit form post ({FAPI2} §5.3.3.1: no implicit, no ID token in the front channel) — remove `access_token = false`"));
    }
    if let Some(a) = &input.client_auth
        && ClientAuth::parse(&a.value).is_some_and(ClientAuth::uses_secret)
    {
        cx.err("C19", a.span, format!("`profile = \"fapi2\"` authenticates the client with private_key_jwt (or mTLS), never a shared secret ({FAPI2} §5.3.2.2, §5.3.3) — remove `client_auth` (the profile implies \"private_key_jwt\")"));
    }
    if let Some(a) = &input.par
        && !a.value
        && matches!(kind, Kind::Web | Kind::Spa | Kind::Native)
    {
        cx.err("C19", a.span, format!("`profile = \"fapi2\"` pushes every authorization request ({FAPI2} §5.3.2.1, RFC 9126) — remove `par = false` (the profile implies `par = true`)"));
    }
    if let Some(a) = &input.sender_constraint
        && a.value != "dpop"
    {
        cx.err("C19", a.span, format!("`profile = \"fapi2\"` needs sender-constrained access tokens ({FAPI2} §5.3.2.1: DPoP or mTLS), and `{}` is not one this crate offers — remove `sender_constraint` (the profile implies \"dpop\")", a.value));
    }
}
