//! A cookie jar for one origin (the provider's): name + path, no domains, no expiry clock.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub(crate) struct CookieJar {
    // (path, name) -> value
    cookies: BTreeMap<(String, String), String>,
}

impl CookieJar {
    /// Stores one `Set-Cookie` header value received for `request_path`.
    pub(crate) fn store(&mut self, set_cookie: &str, request_path: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let name = name.trim().to_string();
        let value = value.trim().trim_matches('"').to_string();
        if name.is_empty() {
            return;
        }
        let mut path = default_path(request_path);
        let mut expired = false;
        for attr in parts {
            let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            match k.as_str() {
                "path" if v.starts_with('/') => path = v.to_string(),
                "max-age" => expired |= v.parse::<i64>().is_ok_and(|s| s <= 0),
                // oidc-provider (via koa's cookies) clears with the epoch date.
                "expires" => expired |= v.contains("1970"),
                _ => {}
            }
        }
        let key = (path, name);
        if expired {
            self.cookies.remove(&key);
        } else {
            self.cookies.insert(key, value);
        }
    }

    /// The `Cookie` header for a request to `path`, if any cookie applies (longest paths
    /// first, as browsers send them).
    pub(crate) fn header(&self, path: &str) -> Option<String> {
        let mut matching: Vec<_> = self
            .cookies
            .iter()
            .filter(|((p, _), _)| path_matches(p, path))
            .collect();
        if matching.is_empty() {
            return None;
        }
        matching.sort_by_key(|((p, _), _)| std::cmp::Reverse(p.len()));
        Some(
            matching
                .into_iter()
                .map(|((_, n), v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

/// RFC 6265 §5.1.4 default-path.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => request_path[..i].into(),
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    if cookie_path == request_path {
        return true;
    }
    request_path.starts_with(cookie_path)
        && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_sends_and_clears() {
        let mut jar = CookieJar::default();
        jar.store(
            "_interaction=abc; path=/interaction/abc; httponly; samesite=lax",
            "/auth",
        );
        jar.store(
            "_session=s1; path=/; expires=Sat, 12 Dec 2099 00:00:00 GMT",
            "/auth",
        );
        assert_eq!(
            jar.header("/interaction/abc").as_deref(),
            Some("_interaction=abc; _session=s1")
        );
        assert_eq!(
            jar.header("/interaction/abcd").as_deref(),
            Some("_session=s1")
        );
        assert_eq!(jar.header("/token").as_deref(), Some("_session=s1"));
        jar.store(
            "_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "/x",
        );
        assert_eq!(jar.header("/token"), None);
    }
}
