//! Just enough HTML reading for oidc-provider's own pages: forms with their inputs,
//! the `<title>`, and the `<pre><strong>key</strong>: value</pre>` lines of its error page.

/// One `<form>`: its attributes and its named `<input>`s in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    pub(crate) action: Option<String>,
    pub(crate) method: String,
    pub(crate) id: Option<String>,
    pub(crate) fields: Vec<(String, String)>,
}

impl Form {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
    }

    pub(crate) fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| n != name);
    }
}

/// ASCII-case-insensitive `find`, from `from`.
fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || from > h.len() || h.len() - from < n.len() {
        return None;
    }
    (from..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Finds the next start tag `<name` (followed by whitespace, `>` or `/`) at or after `from`;
/// returns (start of `<`, end just after `>`, the attribute text).
fn next_tag<'a>(html: &'a str, name: &str, from: usize) -> Option<(usize, usize, &'a str)> {
    let open = format!("<{name}");
    let mut at = from;
    loop {
        let start = find_ci(html, &open, at)?;
        let after = start + open.len();
        let next = html.as_bytes().get(after).copied();
        if matches!(next, Some(b) if b.is_ascii_whitespace() || b == b'>' || b == b'/') {
            let end = tag_end(html, after)?;
            let attrs = html[after..end - 1].trim_end_matches('/');
            return Some((start, end, attrs));
        }
        at = after;
    }
}

/// The index just after the `>` closing a tag whose attributes start at `from`, skipping
/// quoted attribute values.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in html.as_bytes().iter().enumerate().skip(from) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

/// Parses `a="1" b='2' c=3 d` into lowercase names and unescaped values.
pub(crate) fn attributes(text: &str) -> Vec<(String, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = text[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let mut ve = vs;
                while ve < b.len() && b[ve] != q {
                    ve += 1;
                }
                i = (ve + 1).min(b.len());
                &text[vs..ve.min(b.len())]
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &text[vs..i]
            };
            out.push((name, unescape(value)));
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Replaces character references: the named ones oidc-provider emits and numeric ones.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let Some(semi) = rest[1..].find(';').map(|p| p + 1).filter(|&p| p <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `<form>` of the page with the named `<input>`s inside it (buttons are ignored, as
/// the driver chooses what to submit).
pub(crate) fn forms(html: &str) -> Vec<Form> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((_, end, attrs)) = next_tag(html, "form", at) {
        let close = find_ci(html, "</form", end).unwrap_or(html.len());
        let attrs = attributes(attrs);
        let mut fields = Vec::new();
        let mut i = end;
        while let Some((_, input_end, input_attrs)) = next_tag(&html[..close], "input", i) {
            let a = attributes(input_attrs);
            let kind = attr(&a, "type").unwrap_or("text").to_ascii_lowercase();
            if let Some(name) = attr(&a, "name")
                && !matches!(kind.as_str(), "submit" | "button" | "image" | "reset")
            {
                fields.push((
                    name.to_string(),
                    attr(&a, "value").unwrap_or("").to_string(),
                ));
            }
            i = input_end;
        }
        out.push(Form {
            action: attr(&attrs, "action").map(str::to_string),
            method: attr(&attrs, "method").unwrap_or("get").to_ascii_lowercase(),
            id: attr(&attrs, "id").map(str::to_string),
            fields,
        });
        at = close;
    }
    out
}

/// The text of `<title>`, trimmed.
pub(crate) fn title(html: &str) -> Option<String> {
    let (_, end, _) = next_tag(html, "title", 0)?;
    let close = find_ci(html, "</title", end)?;
    Some(unescape(html[end..close].trim()))
}

/// The `key: value` pairs of oidc-provider's default error page
/// (`<pre><strong>error</strong>: invalid_request</pre>`).
pub(crate) fn error_page(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((_, end, _)) = next_tag(html, "pre", at) {
        let close = find_ci(html, "</pre", end).unwrap_or(html.len());
        let inner = &html[end..close];
        if let Some((_, s_end, _)) = next_tag(inner, "strong", 0)
            && let Some(s_close) = find_ci(inner, "</strong>", s_end)
        {
            let key = unescape(inner[s_end..s_close].trim());
            let value = inner[s_close + "</strong>".len()..]
                .trim_start_matches(':')
                .trim();
            out.push((key, unescape(value)));
        }
        at = close;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_login_form() {
        let html = r#"<form autocomplete="off" action="/interaction/abc" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type="password" name="password" placeholder="and password" >
  <button type="submit" class="login login-submit">Sign-in</button>
</form>"#;
        let f = forms(html);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].action.as_deref(), Some("/interaction/abc"));
        assert_eq!(f[0].method, "post");
        assert_eq!(f[0].get("prompt"), Some("login"));
        assert_eq!(f[0].get("login"), Some(""));
        assert!(f[0].has("password"));
    }

    #[test]
    fn parses_multiline_device_input_and_escapes() {
        let html = r#"<form id="op.deviceInputForm" novalidate method="post" action="http://127.0.0.1:1/device">
  <input type="hidden" name="xsrf" value="a&amp;b&quot;c"/>
  <input
    type="text" name="user_code" placeholder="Enter code" onfocus="this.select(); this.onfocus = undefined;" autofocus autocomplete="off"></input>
  </form>"#;
        let f = &forms(html)[0];
        assert_eq!(f.id.as_deref(), Some("op.deviceInputForm"));
        assert_eq!(f.get("xsrf"), Some("a&b\"c"));
        assert_eq!(f.get("user_code"), Some(""));
    }

    #[test]
    fn parses_form_post_response() {
        let html = r#"<title>Submitting Callback</title><form method="post" action="https://127.0.0.1/callback">
    <input type="hidden" name="id_token" value="x.y.z"/>
<input type="hidden" name="state" value="s&#39;1"/>
    <noscript><button autofocus type="submit">Continue</button></noscript></form>"#;
        assert_eq!(title(html).as_deref(), Some("Submitting Callback"));
        let f = &forms(html)[0];
        assert_eq!(
            f.fields,
            vec![
                ("id_token".into(), "x.y.z".into()),
                ("state".into(), "s'1".into())
            ]
        );
    }

    #[test]
    fn reads_error_page() {
        let html = "<h1>oops</h1><pre><strong>error</strong>: invalid_request</pre><pre><strong>error_description</strong>: redirect_uri did not match &lt;x&gt;</pre>";
        assert_eq!(
            error_page(html),
            vec![
                ("error".into(), "invalid_request".into()),
                (
                    "error_description".into(),
                    "redirect_uri did not match <x>".into()
                )
            ]
        );
    }

    #[test]
    fn unescape_leaves_unknown_entities() {
        assert_eq!(unescape("a &bogus; &#x41;&#66;"), "a &bogus; AB");
        assert_eq!(unescape("&"), "&");
    }

    #[test]
    fn does_not_mistake_other_tags() {
        assert!(forms("<formula>x</formula>").is_empty());
        assert!(next_tag("<inputs>", "input", 0).is_none());
    }
}
