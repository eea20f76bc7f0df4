//! `oauthflow inspect <issuer>`: the issuer's metadata, fetched and checked by the runtime's
//! discovery code (exact issuer, https endpoints, no redirects), and per kind whether this
//! server can serve it and what is missing or weak.

use std::fmt;

use clap::Args;
use oauthflow_runtime::Error;
use oauthflow_runtime::inspect::{self, KeySummary, id_token_alg_accepted};
use serde_json::{Map, Value, json};

use crate::target::KindArg;

/// `oauthflow inspect` arguments.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The issuer, exactly as the server writes it in its metadata (trailing slash included).
    pub issuer: String,
    /// Only this kind: the exit status is 1 when this server cannot serve it.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// The report as JSON, for machines.
    #[arg(long)]
    pub json: bool,
}

/// How a finding bears on a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Present and usable.
    Ok,
    /// The kind works, but something is missing that it should have, or is not announced.
    Weak,
    /// The kind cannot work with this server as announced.
    Missing,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Weak => "weak",
            Level::Missing => "missing",
        }
    }
}

/// One thing a kind needs or should have, and what the server says about it.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What was looked at (`grant client_credentials`, `PKCE S256`, ...).
    pub what: String,
    /// Its bearing on the kind.
    pub level: Level,
    /// What the metadata says, and what to do.
    pub detail: String,
}

/// The verdict for one kind.
#[derive(Debug, Clone)]
pub struct KindReport {
    /// The kind.
    pub kind: KindArg,
    /// Whether nothing it needs is missing.
    pub works: bool,
    /// Its findings, in the order checked.
    pub findings: Vec<Finding>,
}

/// Whether the issuer's keys could be fetched, and which are usable.
#[derive(Debug, Clone)]
pub enum Keys {
    /// The metadata has no `jwks_uri`.
    NoJwksUri,
    /// Fetched and parsed.
    Fetched(Vec<KeySummary>),
    /// Unreachable or not a key set (the library's words).
    Failed(String),
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The issuer (checked equal to the metadata's).
    pub issuer: String,
    /// Where the metadata was found.
    pub metadata_url: String,
    /// The server-wide capabilities, one line each.
    pub capabilities: Vec<(&'static str, String)>,
    /// The keys.
    pub keys: Keys,
    /// Per kind.
    pub kinds: Vec<KindReport>,
}

/// Fetches, checks and judges. Only the metadata fetch can fail: everything after it is a
/// finding.
///
/// # Errors
///
/// The runtime's discovery error for this issuer.
pub async fn inspect(issuer: &str, only: Option<KindArg>) -> Result<Report, Error> {
    let discovered = inspect::metadata(issuer).await?;
    let doc = Doc(&discovered.document);
    let keys = match doc.text("jwks_uri") {
        None => Keys::NoJwksUri,
        Some(uri) => match uri.parse() {
            Ok(uri) => match inspect::keys(&uri).await {
                Ok(keys) => Keys::Fetched(keys),
                Err(e) => Keys::Failed(e.to_string()),
            },
            Err(_) => Keys::Failed("`jwks_uri` is not a URL".into()),
        },
    };
    let kinds = KindArg::ALL
        .iter()
        .copied()
        .filter(|k| only.is_none_or(|o| o == *k))
        .map(|kind| judge(kind, &doc, &keys))
        .collect();
    Ok(Report {
        issuer: issuer.to_owned(),
        metadata_url: discovered.url.to_string(),
        capabilities: capabilities(&doc),
        keys,
        kinds,
    })
}

/// Read access to the metadata document.
struct Doc<'a>(&'a Map<String, Value>);

impl Doc<'_> {
    fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    fn list(&self, name: &str) -> Option<Vec<&str>> {
        self.0
            .get(name)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
    }

    fn flag(&self, name: &str) -> bool {
        self.0.get(name).and_then(Value::as_bool).unwrap_or(false)
    }

    fn list_or(&self, name: &str, absent: &str) -> String {
        match self.list(name) {
            Some(items) if items.is_empty() => "(empty list)".into(),
            Some(items) => items.join(", "),
            None => absent.into(),
        }
    }
}

/// What the server announces, whatever the kind.
fn capabilities(doc: &Doc) -> Vec<(&'static str, String)> {
    let endpoint = |name: &str| doc.text(name).unwrap_or("(none)").to_owned();
    vec![
        (
            "grant types",
            doc.list_or(
                "grant_types_supported",
                "(not listed: RFC 8414 default authorization_code, implicit)",
            ),
        ),
        (
            "response types",
            doc.list_or("response_types_supported", "(not listed)"),
        ),
        (
            "response modes",
            doc.list_or(
                "response_modes_supported",
                "(not listed: default query, fragment)",
            ),
        ),
        (
            "PKCE methods",
            doc.list_or(
                "code_challenge_methods_supported",
                "(not listed; oauthflow always sends S256)",
            ),
        ),
        (
            "RFC 9207 iss",
            if doc.flag("authorization_response_iss_parameter_supported") {
                "yes: authorization responses carry `iss` (mix-up defence)".into()
            } else {
                "no: callbacks carry no `iss`; the mix-up defence relies on one issuer per redirect URI".into()
            },
        ),
        ("device endpoint", endpoint("device_authorization_endpoint")),
        ("revocation", endpoint("revocation_endpoint")),
        ("end session", endpoint("end_session_endpoint")),
        ("userinfo", endpoint("userinfo_endpoint")),
        (
            "PAR",
            match doc.text("pushed_authorization_request_endpoint") {
                Some(url) => format!(
                    "{url}{}",
                    if doc.flag("require_pushed_authorization_requests") {
                        " (required for every client)"
                    } else {
                        " (optional)"
                    }
                ),
                None => "(none)".into(),
            },
        ),
        (
            "DPoP algorithms",
            match doc.list("dpop_signing_alg_values_supported") {
                Some(algs) => format!("{} (DPoP-bound tokens, RFC 9449)", algs.join(", ")),
                None => "(none)".into(),
            },
        ),
        (
            "token auth",
            doc.list_or(
                "token_endpoint_auth_methods_supported",
                "(not listed: RFC 8414 default client_secret_basic)",
            ),
        ),
        (
            "ID-token algs",
            match doc.list("id_token_signing_alg_values_supported") {
                Some(algs) => {
                    let accepted: Vec<&str> = algs
                        .iter()
                        .copied()
                        .filter(|a| id_token_alg_accepted(a, true))
                        .collect();
                    format!(
                        "{} (oauthflow accepts {})",
                        algs.join(", "),
                        if accepted.is_empty() {
                            "none of them".into()
                        } else {
                            accepted.join(", ")
                        }
                    )
                }
                None => "(not listed)".into(),
            },
        ),
    ]
}

/// Whether a finding is needed for the kind to work, or only recommended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Recommended,
}

impl Need {
    /// The level of something absent.
    fn absent(self) -> Level {
        match self {
            Need::Required => Level::Missing,
            Need::Recommended => Level::Weak,
        }
    }
}

fn finding(what: impl Into<String>, level: Level, detail: impl Into<String>) -> Finding {
    Finding {
        what: what.into(),
        level,
        detail: detail.into(),
    }
}

fn grant(doc: &Doc, grant: &str, need: Need) -> Finding {
    let what = format!("grant {}", grant.rsplit(':').next().unwrap_or(grant));
    match doc.list("grant_types_supported") {
        Some(list) if list.contains(&grant) => finding(what, Level::Ok, "announced"),
        Some(_) => finding(
            what,
            need.absent(),
            "`grant_types_supported` does not list it: enable the grant at the server",
        ),
        None if grant == "authorization_code" => {
            finding(what, Level::Ok, "RFC 8414 default (not listed)")
        }
        None => finding(
            what,
            Level::Weak,
            "not announced (no `grant_types_supported`): the server may still allow it",
        ),
    }
}

fn endpoint(doc: &Doc, field: &str, need: Need) -> Finding {
    match doc.text(field) {
        Some(_) => finding(field, Level::Ok, "present"),
        None => finding(field, need.absent(), "not in the metadata"),
    }
}

fn response_type(doc: &Doc, response_type: &str) -> Finding {
    let what = format!("response_type {response_type}");
    match doc.list("response_types_supported") {
        Some(list) if list.contains(&response_type) => finding(what, Level::Ok, "announced"),
        Some(_) => finding(
            what,
            Level::Missing,
            "`response_types_supported` does not list it",
        ),
        None => finding(
            what,
            Level::Weak,
            "not announced (no `response_types_supported`)",
        ),
    }
}

fn form_post(doc: &Doc) -> Finding {
    match doc.list("response_modes_supported") {
        Some(list) if list.contains(&"form_post") => {
            finding("response_mode form_post", Level::Ok, "announced")
        }
        _ => finding(
            "response_mode form_post",
            Level::Missing,
            "`response_modes_supported` does not list `form_post`",
        ),
    }
}

fn pkce(doc: &Doc) -> Finding {
    match doc.list("code_challenge_methods_supported") {
        Some(list) if list.contains(&"S256") => finding("PKCE S256", Level::Ok, "announced"),
        Some(_) => finding(
            "PKCE S256",
            Level::Missing,
            "`code_challenge_methods_supported` lacks S256: oauthflow refuses such a server (RFC 9700 §4.7.1)",
        ),
        None => finding(
            "PKCE S256",
            Level::Weak,
            "not announced (no `code_challenge_methods_supported`): oauthflow sends S256 anyway",
        ),
    }
}

fn iss(doc: &Doc) -> Finding {
    if doc.flag("authorization_response_iss_parameter_supported") {
        finding("RFC 9207 iss", Level::Ok, "callbacks carry `iss`")
    } else {
        finding(
            "RFC 9207 iss",
            Level::Weak,
            "callbacks carry no `iss` (no mix-up defence from the server)",
        )
    }
}

fn client_auth(doc: &Doc, confidential: bool) -> Finding {
    let list = doc.list("token_endpoint_auth_methods_supported");
    if confidential {
        match list {
            None => finding(
                "client authentication",
                Level::Ok,
                "client_secret_basic (RFC 8414 default)",
            ),
            Some(l) if l.contains(&"client_secret_basic") => {
                finding("client authentication", Level::Ok, "client_secret_basic")
            }
            Some(l) if l.contains(&"client_secret_post") => {
                finding("client authentication", Level::Ok, "client_secret_post")
            }
            Some(l) if l.contains(&"private_key_jwt") => finding(
                "client authentication",
                Level::Ok,
                "private_key_jwt (write client_auth = \"private_key_jwt\")",
            ),
            Some(_) => finding(
                "client authentication",
                Level::Missing,
                "none of client_secret_basic, client_secret_post, private_key_jwt: the methods oauthflow authenticates with",
            ),
        }
    } else {
        match list {
            Some(l) if l.contains(&"none") => {
                finding("public client", Level::Ok, "`none` (no secret)")
            }
            _ => finding(
                "public client",
                Level::Weak,
                "`token_endpoint_auth_methods_supported` does not list `none`: public clients may be refused",
            ),
        }
    }
}

fn id_tokens(doc: &Doc, keys: &Keys, confidential: bool, need: Need) -> Vec<Finding> {
    let algs = match doc.list("id_token_signing_alg_values_supported") {
        Some(algs) => {
            let accepted: Vec<&str> = algs
                .iter()
                .copied()
                .filter(|a| id_token_alg_accepted(a, confidential))
                .collect();
            if accepted.is_empty() {
                finding(
                    "ID-token algorithms",
                    need.absent(),
                    format!(
                        "none of {} is accepted (never `none`; HS* only for confidential clients)",
                        algs.join(", ")
                    ),
                )
            } else {
                finding("ID-token algorithms", Level::Ok, accepted.join(", "))
            }
        }
        None => finding(
            "ID-token algorithms",
            Level::Weak,
            "not announced (no `id_token_signing_alg_values_supported`)",
        ),
    };
    let jwks = match keys {
        Keys::NoJwksUri => finding(
            "JWKS",
            need.absent(),
            "no `jwks_uri`: ID tokens cannot be checked",
        ),
        Keys::Failed(why) => finding("JWKS", need.absent(), why.clone()),
        Keys::Fetched(keys) => {
            let usable = keys.iter().filter(|k| k.usable_for_id_tokens()).count();
            if usable == 0 {
                finding(
                    "JWKS",
                    need.absent(),
                    format!("{} keys, none usable to check ID tokens", keys.len()),
                )
            } else {
                finding("JWKS", Level::Ok, format!("{usable} usable signing keys"))
            }
        }
    };
    vec![algs, jwks]
}

/// What `kind` needs (and should have) from this server.
fn judge(kind: KindArg, doc: &Doc, keys: &Keys) -> KindReport {
    use Need::{Recommended, Required};
    let confidential = kind.kind().is_confidential();
    let mut findings = Vec::new();
    match kind {
        KindArg::Machine => {
            findings.push(endpoint(doc, "token_endpoint", Required));
            findings.push(grant(doc, "client_credentials", Required));
            findings.push(client_auth(doc, true));
        }
        KindArg::Web | KindArg::Spa | KindArg::Native => {
            findings.push(endpoint(doc, "authorization_endpoint", Required));
            findings.push(endpoint(doc, "token_endpoint", Required));
            findings.push(grant(doc, "authorization_code", Required));
            findings.push(response_type(doc, "code"));
            findings.push(pkce(doc));
            findings.push(iss(doc));
            findings.push(client_auth(doc, confidential));
            findings.extend(id_tokens(doc, keys, confidential, Recommended));
            findings.push(grant(doc, "refresh_token", Recommended));
            findings.push(endpoint(doc, "revocation_endpoint", Recommended));
            findings.push(endpoint(doc, "end_session_endpoint", Recommended));
        }
        KindArg::SpaLoginOnly => {
            findings.push(endpoint(doc, "authorization_endpoint", Required));
            findings.push(grant(doc, "implicit", Required));
            findings.push(response_type(doc, "id_token"));
            findings.push(form_post(doc));
            findings.extend(id_tokens(doc, keys, false, Required));
        }
        KindArg::Device => {
            findings.push(endpoint(doc, "device_authorization_endpoint", Required));
            findings.push(endpoint(doc, "token_endpoint", Required));
            findings.push(grant(
                doc,
                "urn:ietf:params:oauth:grant-type:device_code",
                Required,
            ));
            findings.push(client_auth(doc, false));
            findings.extend(id_tokens(doc, keys, false, Recommended));
            findings.push(endpoint(doc, "revocation_endpoint", Recommended));
        }
        KindArg::Trusted => {
            findings.push(endpoint(doc, "token_endpoint", Required));
            findings.push(grant(doc, "password", Required));
            findings.push(client_auth(doc, true));
            findings.extend(id_tokens(doc, keys, true, Recommended));
        }
    }
    if kind.redirects() && doc.flag("require_pushed_authorization_requests") {
        findings.push(
            if doc.text("pushed_authorization_request_endpoint").is_some() {
                finding(
                    "PAR",
                    Level::Ok,
                    "required by the server: oauthflow pushes every authorization request (RFC 9126)",
                )
            } else {
                finding(
                    "PAR",
                    Level::Missing,
                    "required by the server, but there is no pushed_authorization_request_endpoint",
                )
            },
        );
    }
    KindReport {
        kind,
        works: findings.iter().all(|f| f.level != Level::Missing),
        findings,
    }
}

impl Report {
    /// Whether every kind reported can work (with `--kind`, that one).
    pub fn all_work(&self) -> bool {
        self.kinds.iter().all(|k| k.works)
    }

    /// The report for machines.
    pub fn to_json(&self) -> Value {
        let keys = match &self.keys {
            Keys::NoJwksUri => json!({"reachable": false, "error": "no jwks_uri"}),
            Keys::Failed(why) => json!({"reachable": false, "error": why}),
            Keys::Fetched(keys) => json!({
                "reachable": true,
                "keys": keys.iter().map(|k| json!({
                    "kid": k.kid, "kty": k.kty, "alg": k.alg, "use": k.key_use,
                    "usable_for_id_tokens": k.usable_for_id_tokens(),
                })).collect::<Vec<_>>(),
            }),
        };
        json!({
            "issuer": self.issuer,
            "metadata_url": self.metadata_url,
            "capabilities": self.capabilities.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
            "jwks": keys,
            "kinds": self.kinds.iter().map(|k| json!({
                "kind": k.kind.name(),
                "flow": k.kind.flow().as_str(),
                "works": k.works,
                "findings": k.findings.iter().map(|f| json!({
                    "what": f.what, "level": f.level.as_str(), "detail": f.detail,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "issuer    {}", self.issuer)?;
        writeln!(
            f,
            "metadata  {} (issuer equal, endpoints https or loopback)",
            self.metadata_url
        )?;
        match &self.keys {
            Keys::NoJwksUri => writeln!(f, "keys      no jwks_uri")?,
            Keys::Failed(why) => writeln!(f, "keys      unusable: {why}")?,
            Keys::Fetched(keys) => {
                let usable: Vec<String> = keys
                    .iter()
                    .filter(|k| k.usable_for_id_tokens())
                    .map(|k| format!("{}/{}", k.kty, k.alg.as_deref().unwrap_or("any alg")))
                    .collect();
                writeln!(
                    f,
                    "keys      {} in the JWKS, {} usable for ID tokens ({})",
                    keys.len(),
                    usable.len(),
                    usable.join(", ")
                )?;
            }
        }
        writeln!(f)?;
        writeln!(f, "server")?;
        for (name, value) in &self.capabilities {
            writeln!(f, "  {name:<16} {value}")?;
        }
        for kind in &self.kinds {
            writeln!(f)?;
            writeln!(
                f,
                "{:<16} {:<13} {}",
                kind.kind.name(),
                if kind.works {
                    "can work"
                } else {
                    "CANNOT WORK"
                },
                kind.kind.flow().describe()
            )?;
            for finding in &kind.findings {
                writeln!(
                    f,
                    "  {:<7} {:<29} {}",
                    finding.level.as_str(),
                    finding.what,
                    finding.detail
                )?;
            }
        }
        Ok(())
    }
}
