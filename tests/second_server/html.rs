//! Just enough HTML reading for Django's and DOT's pages: the named `<input>`s of a page, with
//! their values unescaped, in document order.

/// The `(name, value)` of every named `<input>` in `page` that a form submits by itself: submit
/// buttons are left out (the caller chooses which one the user pressed).
pub fn inputs(page: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<input") {
        let tag = &rest[start..];
        let end = tag.find('>').unwrap_or(tag.len());
        let attrs = &tag["<input".len()..end];
        let submit = attribute(attrs, "type").is_some_and(|t| t == "submit");
        if let Some(name) = attribute(attrs, "name").filter(|_| !submit) {
            found.push((name, attribute(attrs, "value").unwrap_or_default()));
        }
        rest = &tag[end..];
    }
    found
}

/// The value of `name` among a tag's attributes (`name="..."`, as Django writes them).
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = attrs.find(&needle)? + needle.len();
    let len = attrs[start..].find('"')?;
    Some(unescape(&attrs[start..start + len]))
}

/// Django's `escape`: `&`, `<`, `>`, `"` and `'`.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_django_inputs() {
        let page = r#"<form><input type="hidden" name="csrfmiddlewaretoken" value="t0k">
            <input type="hidden" name="redirect_uri" value="http://127.0.0.1/cb?a=1&amp;b=&quot;2&quot;" id="id_redirect_uri">
            <input type="submit" class="btn" value="Cancel"/>
            <input type="submit" class="btn" name="allow" value="Authorize"/>
            <input type="text" name="user_code" required id="id_user_code"></form>"#;
        assert_eq!(
            inputs(page),
            vec![
                ("csrfmiddlewaretoken".to_owned(), "t0k".to_owned()),
                (
                    "redirect_uri".to_owned(),
                    "http://127.0.0.1/cb?a=1&b=\"2\"".to_owned()
                ),
                ("user_code".to_owned(), String::new()),
            ]
        );
    }
}
