//! The small HTML pages the example apps show a browser (`web_server`, `spa_login_only`).

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// A page: `title` (plain text from the app) and `body` (HTML whose values the caller escaped
/// with [`escape_html`]).
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:34em;margin:2em auto;padding:0 1em}}\
         td{{padding:.2em 1em .2em 0}}nav a{{margin-right:1em}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    );
    (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `<`, `>`, `&`, `"` and `'` escaped, for text from claims shown in a page.
pub fn escape_html(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// What an app's callback shows when the authorization gave no sign-in: the user's own
/// cancellation (`access_denied`) told as such, anything else as a failure — never as success,
/// and without the error's text (it comes from the network).
pub fn sign_in_failed(error: &oauthflow::Error) -> Response {
    let cancelled =
        matches!(error, oauthflow::Error::OAuth { code, .. } if code.as_str() == "access_denied");
    let again = "<p><a href=\"/login\">Sign in again</a></p>";
    if cancelled {
        page(
            StatusCode::FORBIDDEN,
            "Sign-in cancelled",
            &format!(
                "<p>The sign-in was cancelled at the authorization server, so you are not signed in.</p>{again}"
            ),
        )
    } else {
        page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            &format!("<p>The sign-in did not complete, so you are not signed in.</p>{again}"),
        )
    }
}
