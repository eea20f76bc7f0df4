//! A small, strict URI splitter (RFC 3986 §3) for the compile-time URL rules.
//!
//! The macro crate does not depend on `url`: its IDNA tables pull a second `syn` major into the
//! proc-macro build. The rules only need the scheme, the authority (userinfo, host, port), the
//! query keys and whether there is a fragment, which this module extracts exactly.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The host of an authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// A dotted-quad IPv4 literal.
    V4(Ipv4Addr),
    /// A bracketed IPv6 literal (`[::1]`).
    V6(Ipv6Addr),
    /// A registered name, lowercased.
    Name(String),
}

/// The `//authority` part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    /// `user:pass` before the `@`, if any.
    pub userinfo: Option<String>,
    /// The host.
    pub host: Host,
    /// The port, if written.
    pub port: Option<u16>,
}

/// A split absolute URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uri {
    /// The scheme, lowercased.
    pub scheme: String,
    /// The authority, when the URI has `//`.
    pub authority: Option<Authority>,
    /// The path (possibly empty).
    pub path: String,
    /// The query without `?`, if any.
    pub query: Option<String>,
    /// The fragment without `#`, if any (present even when empty).
    pub fragment: Option<String>,
}

impl Uri {
    /// Splits an absolute URI; the error says what is wrong, in a few words.
    pub fn parse(s: &str) -> Result<Uri, &'static str> {
        if s.is_empty() {
            return Err("it is empty");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("it contains whitespace or control characters");
        }
        let Some(colon) = s.find(':') else {
            return Err("it has no scheme");
        };
        let scheme = &s[..colon];
        let mut chars = scheme.chars();
        let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok || scheme.contains(['/', '?', '#']) {
            return Err("it has no scheme");
        }
        let rest = &s[colon + 1..];
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f.to_owned())),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q.to_owned())),
            None => (rest, None),
        };
        let (authority, path) = if let Some(after) = rest.strip_prefix("//") {
            let end = after.find('/').unwrap_or(after.len());
            (Some(parse_authority(&after[..end])?), &after[end..])
        } else {
            (None, rest)
        };
        Ok(Uri {
            scheme: scheme.to_ascii_lowercase(),
            authority,
            path: path.to_owned(),
            query,
            fragment,
        })
    }

    /// The host, when there is an authority.
    pub fn host(&self) -> Option<&Host> {
        self.authority.as_ref().map(|a| &a.host)
    }

    /// Whether the host is a loopback IP literal (`127.0.0.0/8` or `[::1]`).
    pub fn is_loopback_ip(&self) -> bool {
        match self.host() {
            Some(Host::V4(ip)) => ip.is_loopback(),
            Some(Host::V6(ip)) => ip.is_loopback(),
            _ => false,
        }
    }

    /// Whether the host is `localhost` or a name under `.localhost` (RFC 6761 §6.3).
    pub fn is_localhost(&self) -> bool {
        match self.host() {
            Some(Host::Name(name)) => {
                let name = name.trim_end_matches('.');
                name == "localhost" || name.ends_with(".localhost")
            }
            _ => false,
        }
    }

    /// The port, when written.
    pub fn port(&self) -> Option<u16> {
        self.authority.as_ref().and_then(|a| a.port)
    }

    /// Whether the authority carries `user:pass@`.
    pub fn has_userinfo(&self) -> bool {
        self.authority
            .as_ref()
            .is_some_and(|a| a.userinfo.is_some())
    }

    /// The query parameter names, percent-decoded, in order.
    pub fn query_keys(&self) -> Vec<String> {
        let Some(query) = &self.query else {
            return Vec::new();
        };
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| percent_decode(pair.split('=').next().unwrap_or_default()))
            .collect()
    }
}

fn parse_authority(s: &str) -> Result<Authority, &'static str> {
    let (userinfo, hostport) = match s.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_owned()), h),
        None => (None, s),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((inner, after)) = v6.split_once(']') else {
            return Err("its IPv6 host has no closing `]`");
        };
        let ip: Ipv6Addr = inner.parse().map_err(|_| "its IPv6 host is not valid")?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or("it has text after the IPv6 host")?,
            ),
        };
        (Host::V6(ip), port)
    } else {
        let (h, p) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        };
        let host = match h.parse::<Ipv4Addr>() {
            Ok(ip) => Host::V4(ip),
            Err(_) => Host::Name(h.to_ascii_lowercase()),
        };
        (host, p)
    };
    if host == Host::Name(String::new()) {
        return Err("it has no host");
    }
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().map_err(|_| "its port is out of range")?)
        }
        Some(_) => return Err("its port is not a number"),
    };
    Ok(Authority {
        userinfo,
        host,
        port,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_parts() {
        let u = Uri::parse("HTTPS://user:pw@Example.COM:8443/a/b?x=1&code=2#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert!(u.has_userinfo());
        assert_eq!(u.host(), Some(&Host::Name("example.com".into())));
        assert_eq!(u.port(), Some(8443));
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.query_keys(), ["x", "code"]);
        assert_eq!(u.fragment.as_deref(), Some("frag"));
    }

    #[test]
    fn loopback_literals_and_localhost() {
        assert!(Uri::parse("http://127.0.0.1/cb").unwrap().is_loopback_ip());
        assert!(Uri::parse("http://[::1]:8080/cb").unwrap().is_loopback_ip());
        assert!(
            !Uri::parse("http://127.0.0.1.example.com/")
                .unwrap()
                .is_loopback_ip()
        );
        assert!(!Uri::parse("http://localhost/").unwrap().is_loopback_ip());
        assert!(Uri::parse("http://LocalHost./").unwrap().is_localhost());
        assert!(Uri::parse("http://app.localhost/").unwrap().is_localhost());
        assert!(
            !Uri::parse("http://localhost.example.com/")
                .unwrap()
                .is_localhost()
        );
    }

    #[test]
    fn private_use_scheme_without_authority() {
        let u = Uri::parse("com.example.app:/oauth2redirect").unwrap();
        assert_eq!(u.scheme, "com.example.app");
        assert!(u.authority.is_none());
        assert_eq!(u.path, "/oauth2redirect");
    }

    #[test]
    fn empty_fragment_is_still_a_fragment() {
        assert_eq!(
            Uri::parse("https://a/#").unwrap().fragment.as_deref(),
            Some("")
        );
    }

    #[test]
    fn rejects_what_is_not_a_uri() {
        for bad in [
            "",
            "/callback",
            "example.com/cb",
            "https://exa mple.com/",
            "https:///path",
            "https://[::1/",
            "https://a:99999/",
            "https://a:x/",
            "1http://a/",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn decodes_query_keys() {
        let u = Uri::parse("https://a/?%73tate=1&&x").unwrap();
        assert_eq!(u.query_keys(), ["state", "x"]);
    }
}
