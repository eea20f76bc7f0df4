//! Names the macro derives: audience variant names, the `from_env` prefix, did-you-mean.

/// The enum variant name for an audience URI: the last non-empty path segment, else the first
/// host label, in UpperCamelCase. `None` when no usable name can be derived (then the user
/// writes `audiences(Name = "uri")`).
///
/// `https://api.example.com/orders` → `Orders`; `https://billing.example.com/` → `Billing`;
/// `urn:example:read-orders` → `ReadOrders`; `my-api` → `MyApi`.
pub fn audience_variant(uri: &str) -> Option<String> {
    let without_fragment = uri.split('#').next().unwrap_or_default();
    let without_query = without_fragment.split('?').next().unwrap_or_default();
    let source = if let Some((_, after_scheme)) = without_query.split_once("://") {
        let (authority, path) = match after_scheme.find('/') {
            Some(i) => after_scheme.split_at(i),
            None => (after_scheme, ""),
        };
        match path.split('/').rev().find(|s| !s.is_empty()) {
            Some(segment) => segment,
            None => {
                let host = authority.rsplit('@').next().unwrap_or_default();
                let host = host.trim_start_matches('[');
                host.split(['.', ':', ']']).next().unwrap_or_default()
            }
        }
    } else {
        without_query
            .split(['/', ':'])
            .rev()
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    let name = upper_camel(source);
    is_variant_name(&name).then_some(name)
}

/// UpperCamelCase of any text: words are runs of ASCII letters and digits; each word gets an
/// upper-case first letter and keeps the rest (`read-orders` → `ReadOrders`, `v2` → `V2`,
/// `ordersAPI` → `OrdersAPI`).
pub fn upper_camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// Whether `name` can be an enum variant: an ASCII identifier starting with a letter, not
/// `Self`, and not `ALL` (the generated enum's associated constant).
pub fn is_variant_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "Self" | "ALL")
}

/// The default `from_env` prefix: the struct name in SCREAMING_SNAKE_CASE
/// (`ImportJob` → `IMPORT_JOB`, `HTTPClient` → `HTTP_CLIENT`, `Api2Client` → `API2_CLIENT`).
pub fn env_prefix(struct_name: &str) -> String {
    let name = struct_name.strip_prefix("r#").unwrap_or(struct_name);
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 && !out.ends_with('_') {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_uppercase());
    }
    out.trim_end_matches('_').to_owned()
}

/// Whether `prefix` is a usable environment variable prefix: `A-Z`, `0-9` and `_`, starting
/// with a letter, not ending with `_` (the macro adds `_CLIENT_ID`).
pub fn is_env_prefix(prefix: &str) -> bool {
    prefix
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        && prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !prefix.ends_with('_')
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word, c), *c))
        .filter(|(score, c)| *score > 0.8 || strsim::levenshtein(&word, c) <= (c.len() / 3).max(1))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_variants() {
        let rows = [
            ("https://api.example.com/orders", Some("Orders")),
            ("https://api.example.com/orders/", Some("Orders")),
            ("https://api.example.com/v1/read-orders", Some("ReadOrders")),
            ("https://billing.example.com", Some("Billing")),
            ("https://billing.example.com/", Some("Billing")),
            ("https://billing.example.com:8443/?x=1", Some("Billing")),
            ("https://api.example.com/orders?x=1#f", Some("Orders")),
            ("http://127.0.0.1:9000/", None),
            ("https://[::1]/", None),
            ("urn:example:orders", Some("Orders")),
            ("my_api", Some("MyApi")),
            ("https://api.example.com/v2", Some("V2")),
            ("https://api.example.com/2024", None),
            ("https://api.example.com/self", None),
            ("https://api.example.com/ALL", None),
            ("https://api.example.com/all", Some("All")),
            ("https://api.example.com/ordersAPI", Some("OrdersAPI")),
            ("", None),
        ];
        for (uri, want) in rows {
            assert_eq!(audience_variant(uri).as_deref(), want, "{uri}");
        }
    }

    #[test]
    fn env_prefixes() {
        let rows = [
            ("ImportJob", "IMPORT_JOB"),
            ("HTTPClient", "HTTP_CLIENT"),
            ("Api2Client", "API2_CLIENT"),
            ("Web", "WEB"),
            ("My_Client", "MY_CLIENT"),
            ("OAuthApp", "O_AUTH_APP"),
            ("r#Client", "CLIENT"),
        ];
        for (name, want) in rows {
            assert_eq!(env_prefix(name), want, "{name}");
            assert!(is_env_prefix(want));
        }
        for bad in ["", "import_job", "1ABC", "ABC_", "A-B"] {
            assert!(!is_env_prefix(bad), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        let kinds = ["machine", "web", "spa", "native", "trusted", "device"];
        assert_eq!(did_you_mean("machin", &kinds), Some("machine"));
        assert_eq!(did_you_mean("SPA", &kinds), Some("spa"));
        assert_eq!(did_you_mean("mobile", &kinds), None);
        assert_eq!(
            did_you_mean("redirect_url", &["redirect_uri", "issuer"]),
            Some("redirect_uri")
        );
    }
}
