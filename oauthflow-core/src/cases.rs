//! One table of URL cases that the core, the macro and the runtime each run through their own
//! check, so that the compile-time and the run-time verdicts cannot drift apart again.
//!
//! Test support, not API: the macro's unit tests feed every case through its policy (a compile
//! error or none), the runtime's through `check_redirect_uri`, `check_endpoint` and
//! `check_issuer` (whose `url` parse comes after the verdict), and this crate's tests through
//! the verdicts themselves. Cases marked "was" are where the two sides used to disagree.

use crate::kind::Kind;

/// Accepted by every side.
pub const ACCEPT: bool = true;
/// Refused by every side.
pub const REFUSE: bool = false;

/// Redirect URIs: `(kind, form_post, uri, verdict)`. `form_post` is the implicit form-post flow
/// and goes with `Kind::Spa` only. Only kinds that redirect (web, spa, native) are listed: the
/// others refuse any redirect URI outright.
pub const REDIRECT_CASES: &[(Kind, bool, &str, bool)] = &[
    (Kind::Web, false, "https://app.example.com/callback", ACCEPT),
    (Kind::Web, false, "HTTPS://App.Example.com/callback", ACCEPT),
    (Kind::Web, false, "https://app.example.com/cb?tab=1", ACCEPT),
    (Kind::Web, false, "http://127.0.0.1:8080/callback", ACCEPT),
    (Kind::Spa, false, "http://[::1]:5173/cb?x=1", ACCEPT),
    (Kind::Spa, true, "https://app.example.com/callback", ACCEPT),
    (Kind::Spa, true, "https://127.0.0.1/cb", ACCEPT),
    (Kind::Native, false, "http://127.0.0.1/callback", ACCEPT),
    (Kind::Native, false, "http://[::1]/callback", ACCEPT),
    (
        Kind::Native,
        false,
        "com.example.app:/oauth2redirect",
        ACCEPT,
    ),
    (Kind::Native, false, "https://app.example.com/cb", ACCEPT),
    (Kind::Web, false, "", REFUSE),
    (Kind::Web, false, "/callback", REFUSE),
    (Kind::Web, false, "http://app.example.com/callback", REFUSE),
    (Kind::Web, false, "javascript:alert(1)", REFUSE),
    (Kind::Web, false, "VBScript:x", REFUSE),
    (Kind::Spa, false, "data:text/html,x", REFUSE),
    (Kind::Native, false, "file:///tmp/cb.html", REFUSE),
    (Kind::Spa, false, "blob:https://app.example.com/x", REFUSE),
    (
        Kind::Web,
        false,
        "https://app.example.com/callback#x",
        REFUSE,
    ),
    (
        Kind::Web,
        false,
        "https://app.example.com/callback#",
        REFUSE,
    ),
    (
        Kind::Web,
        false,
        "https://u:p@app.example.com/callback",
        REFUSE,
    ),
    (
        Kind::Web,
        false,
        "https://app.example.com/callback?code=1",
        REFUSE,
    ),
    (
        Kind::Web,
        false,
        "https://app.example.com/callback?state=1",
        REFUSE,
    ),
    (
        Kind::Web,
        false,
        "https://app.example.com/callback?x=1&%73tate=1",
        REFUSE,
    ),
    (Kind::Native, false, "http://127.0.0.1/cb?x=1&iss=a", REFUSE),
    (
        Kind::Spa,
        false,
        "https://app.example.com/cb?error=x",
        REFUSE,
    ),
    (
        Kind::Spa,
        true,
        "https://app.example.com/cb?id_token=x",
        REFUSE,
    ),
    (Kind::Web, false, "http://localhost:8080/callback", REFUSE),
    (Kind::Web, false, "https://localhost/callback", REFUSE),
    (Kind::Native, false, "http://localhost/callback", REFUSE),
    (
        Kind::Native,
        false,
        "http://127.0.0.1:8080/callback",
        REFUSE,
    ),
    (Kind::Native, false, "http://app.example.com/cb", REFUSE),
    (Kind::Native, false, "myapp:/cb", REFUSE),
    (Kind::Web, false, "com.example.app:/cb", REFUSE),
    (Kind::Spa, true, "http://127.0.0.1:5173/cb", REFUSE),
    (Kind::Spa, true, "com.example.app:/cb", REFUSE),
    // Was accepted at run time: `url` reads these more leniently than the attribute's rules.
    (Kind::Web, false, "https://app.localhost/callback", REFUSE),
    (Kind::Web, false, "https://localhost./callback", REFUSE),
    (
        Kind::Web,
        false,
        "https://@app.example.com/callback",
        REFUSE,
    ),
    (Kind::Web, false, "https:/app.example.com/callback", REFUSE),
    (
        Kind::Web,
        false,
        "https://app.example.com/call back",
        REFUSE,
    ),
    (Kind::Web, false, "http://127.1:8080/callback", REFUSE),
    (
        Kind::Web,
        false,
        "https://app.example.com\\@evil.example/cb",
        REFUSE,
    ),
    (Kind::Native, false, "http://127.0.0.1:80/callback", REFUSE),
    (Kind::Native, false, "com.example.app://cb", REFUSE),
    // Was accepted at compile time: `url` decodes the host to `localhost`.
    (Kind::Web, false, "https://%6c%6fcalhost/callback", REFUSE),
];

/// Back-channel endpoints (`token_endpoint`, `jwks_uri`, discovered metadata):
/// `(uri, verdict)`.
pub const ENDPOINT_CASES: &[(&str, bool)] = &[
    ("https://as.example.com/token", ACCEPT),
    ("https://as.example.com/token?x=1", ACCEPT),
    ("http://127.0.0.1:8080/token", ACCEPT),
    ("http://127.0.0.2/token", ACCEPT),
    ("http://[::1]:9000/token", ACCEPT),
    ("", REFUSE),
    ("not a url", REFUSE),
    (" https://as.example.com", REFUSE),
    ("http://example.test/", REFUSE),
    ("http://10.0.0.1/token", REFUSE),
    ("ftp://as.example.com/", REFUSE),
    ("http://localhost:8080/token", REFUSE),
    ("https://as.example.com/token#frag", REFUSE),
    ("https://as.example.com/token#", REFUSE),
    ("https://user:pw@as.example.com/token", REFUSE),
    // Was accepted at run time.
    ("https://localhost/token", REFUSE),
    ("https://app.localhost/token", REFUSE),
    ("https://@as.example.com/token", REFUSE),
    ("https:/as.example.com/token", REFUSE),
    ("https://as.example.com/to ken", REFUSE),
    ("http://127.1/token", REFUSE),
    // Was accepted on both sides: `url` maps the full-width name to `localhost`.
    ("https://ｌｏｃａｌｈｏｓｔ/token", REFUSE),
];

/// Issuer identifiers: `(uri, verdict)`.
pub const ISSUER_CASES: &[(&str, bool)] = &[
    ("https://as.example.com", ACCEPT),
    ("https://as.example.com/", ACCEPT),
    ("https://as.example.com/tenant/", ACCEPT),
    ("http://127.0.0.1:3000", ACCEPT),
    ("http://[::1]:3000", ACCEPT),
    ("tenant.example.com", REFUSE),
    ("not a url", REFUSE),
    ("http://auth.example.com", REFUSE),
    ("http://localhost:3000", REFUSE),
    ("https://as.example.com/?tenant=1", REFUSE),
    ("https://as.example.com/?", REFUSE),
    ("https://as.example.com/#x", REFUSE),
    ("https://as.example.com/#", REFUSE),
    ("https://u:p@as.example.com/", REFUSE),
    // Was accepted at run time.
    ("https://localhost", REFUSE),
];
