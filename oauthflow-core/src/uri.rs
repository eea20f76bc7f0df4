//! A small, strict URI splitter (RFC 3986 §3) for the URL rules.
//!
//! The macro crate cannot depend on `url`: its IDNA tables pull a second `syn` major into the
//! proc-macro build. The rules only need the scheme, the authority (userinfo, host, port), the
//! query keys and whether there is a fragment, which this module extracts exactly.
//!
//! It is stricter than a browser's URL parser (the WHATWG rules `url` implements) wherever the
//! two could read one string differently: whitespace anywhere, a host with characters outside
//! RFC 3986's `reg-name` (percent escapes and non-ASCII included, so `%6c%6fcalhost` or a
//! full-width `ｌｏｃａｌｈｏｓｔ` cannot hide `localhost`), and a host that ends in a number
//! without being a dotted-quad IPv4 address (`127.1` and `0x7f.0.0.1`, which `url` reads as
//! `127.0.0.1`) are refused. What this splitter accepts, `url` reads the same way.

use std::fmt;
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
    /// The port, if written (also when it is the scheme's default).
    pub port: Option<u16>,
}

/// A split absolute URI.
///
/// ```
/// # use oauthflow_core as oauthflow;
/// use oauthflow::{Host, Uri};
///
/// let uri = Uri::parse("https://Tenant.Example.com:8443/cb?x=1#top").unwrap();
/// assert_eq!(uri.scheme, "https");
/// assert_eq!(uri.host(), Some(&Host::Name("tenant.example.com".into())));
/// assert_eq!(uri.port(), Some(8443));
/// assert_eq!(uri.query_keys(), ["x"]);
/// assert_eq!(uri.fragment.as_deref(), Some("top"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uri {
    /// The scheme, lowercased.
    pub scheme: String,
    /// The authority, when the URI has `//`.
    pub authority: Option<Authority>,
    /// The path (possibly empty).
    pub path: String,
    /// The query without `?`, if any (present even when empty).
    pub query: Option<String>,
    /// The fragment without `#`, if any (present even when empty).
    pub fragment: Option<String>,
}

/// Why a string is not an absolute URI. Its [`Display`](fmt::Display) says so in a few words
/// ("it has no scheme"), for either side to embed in its own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UriError {
    /// The string is empty.
    Empty,
    /// The string contains whitespace or a control character (anywhere, not only around it).
    Whitespace,
    /// There is no `scheme:` in front.
    NoScheme,
    /// `[` without `]`.
    Ipv6Unclosed,
    /// The bracketed host is not an IPv6 address.
    Ipv6Invalid,
    /// Something other than `:port` follows `]`.
    TextAfterIpv6,
    /// `//` with an empty host.
    NoHost,
    /// The host has a character outside RFC 3986 `reg-name` (a percent escape, non-ASCII, …).
    HostCharacter,
    /// The host ends in a number but is not a dotted-quad IPv4 address.
    HostNumber,
    /// The port does not fit in 16 bits.
    PortRange,
    /// The port is not all digits.
    PortNotNumber,
}

impl UriError {
    /// The reason in a few words, starting with "it" or "its".
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// assert_eq!(oauthflow::UriError::NoScheme.as_str(), "it has no scheme");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            UriError::Empty => "it is empty",
            UriError::Whitespace => "it contains whitespace or control characters",
            UriError::NoScheme => "it has no scheme",
            UriError::Ipv6Unclosed => "its IPv6 host has no closing `]`",
            UriError::Ipv6Invalid => "its IPv6 host is not valid",
            UriError::TextAfterIpv6 => "it has text after the IPv6 host",
            UriError::NoHost => "it has no host",
            UriError::HostCharacter => {
                "its host has a character a host name cannot have (write an international name in its `xn--` form)"
            }
            UriError::HostNumber => {
                "its host ends in a number but is not an IPv4 address of four decimal parts"
            }
            UriError::PortRange => "its port is out of range",
            UriError::PortNotNumber => "its port is not a number",
        }
    }
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for UriError {}

impl Uri {
    /// Splits an absolute URI. Never panics, whatever the input.
    ///
    /// # Errors
    ///
    /// [`UriError`] when `s` is not an absolute URI this splitter reads exactly.
    ///
    /// ```
    /// # use oauthflow_core as oauthflow;
    /// use oauthflow::{Uri, UriError};
    ///
    /// assert_eq!(Uri::parse("/callback"), Err(UriError::NoScheme));
    /// assert_eq!(Uri::parse("http://127.1/"), Err(UriError::HostNumber));
    /// ```
    pub fn parse(s: &str) -> Result<Uri, UriError> {
        if s.is_empty() {
            return Err(UriError::Empty);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(UriError::Whitespace);
        }
        let Some((scheme, rest)) = s.split_once(':') else {
            return Err(UriError::NoScheme);
        };
        let mut chars = scheme.chars();
        let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(UriError::NoScheme);
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f.to_owned())),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q.to_owned())),
            None => (rest, None),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
                (Some(parse_authority(authority)?), path)
            }
            None => (None, rest),
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

    /// Whether the host is a loopback IP literal (`127.0.0.0/8` or `[::1]`). `localhost` is
    /// not one: a name can be resolved elsewhere (RFC 8252 §8.3).
    pub fn is_loopback_ip(&self) -> bool {
        match self.host() {
            Some(Host::V4(ip)) => ip.is_loopback(),
            Some(Host::V6(ip)) => ip.is_loopback(),
            _ => false,
        }
    }

    /// Whether the host is `localhost` or a name under `.localhost` (RFC 6761 §6.3), with or
    /// without the root's trailing dot.
    pub fn is_localhost(&self) -> bool {
        match self.host() {
            Some(Host::Name(name)) => {
                let name = name.strip_suffix('.').unwrap_or(name);
                name == "localhost" || name.ends_with(".localhost")
            }
            _ => false,
        }
    }

    /// The port, when written.
    pub fn port(&self) -> Option<u16> {
        self.authority.as_ref().and_then(|a| a.port)
    }

    /// Whether the authority carries `user:pass@` (also an empty one, `@host`).
    pub fn has_userinfo(&self) -> bool {
        self.authority
            .as_ref()
            .is_some_and(|a| a.userinfo.is_some())
    }

    /// The query parameter names, decoded as `application/x-www-form-urlencoded` (`%xx` and
    /// `+`), in order.
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

fn parse_authority(s: &str) -> Result<Authority, UriError> {
    let (userinfo, hostport) = match s.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_owned()), h),
        None => (None, s),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((inner, after)) = v6.split_once(']') else {
            return Err(UriError::Ipv6Unclosed);
        };
        let ip: Ipv6Addr = inner.parse().map_err(|_| UriError::Ipv6Invalid)?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(UriError::TextAfterIpv6)?),
        };
        (Host::V6(ip), port)
    } else {
        let (h, p) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        };
        (parse_host(h)?, p)
    };
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().map_err(|_| UriError::PortRange)?)
        }
        Some(_) => return Err(UriError::PortNotNumber),
    };
    Ok(Authority {
        userinfo,
        host,
        port,
    })
}

/// A host that is not bracketed: a dotted-quad IPv4 literal or a registered name.
fn parse_host(h: &str) -> Result<Host, UriError> {
    if let Ok(ip) = h.parse::<Ipv4Addr>() {
        return Ok(Host::V4(ip));
    }
    if h.is_empty() {
        return Err(UriError::NoHost);
    }
    // RFC 3986 `reg-name` without `pct-encoded`: what a browser would decode or map (percent
    // escapes, IDNA) could turn into a different host than the one the rules looked at.
    let reg_name = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b);
    if !h.bytes().all(reg_name) {
        return Err(UriError::HostCharacter);
    }
    // A WHATWG parser reads a name whose last label is a number as an IPv4 address in any of
    // its historic forms (`127.1`, `0x7f.1`, `2130706433`); only the dotted quad parsed above
    // is accepted, so both readings agree.
    let last = h.strip_suffix('.').unwrap_or(h).rsplit('.').next();
    let numeric = last.is_some_and(|l| {
        let hex = l.strip_prefix("0x").or_else(|| l.strip_prefix("0X"));
        match hex {
            Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()),
        }
    });
    if numeric {
        return Err(UriError::HostNumber);
    }
    Ok(Host::Name(h.to_ascii_lowercase()))
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
            // Two hex digits: at most 0xFF, so the cast cannot truncate.
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
        assert_eq!(
            Uri::parse("https://a/?").unwrap().query.as_deref(),
            Some("")
        );
    }

    #[test]
    fn rejects_what_is_not_a_uri() {
        for (bad, why) in [
            ("", UriError::Empty),
            ("/callback", UriError::NoScheme),
            ("example.com/cb", UriError::NoScheme),
            ("1http://a/", UriError::NoScheme),
            ("https://exa mple.com/", UriError::Whitespace),
            ("https://a/\tb", UriError::Whitespace),
            ("https:///path", UriError::NoHost),
            ("https://u@:1/", UriError::NoHost),
            ("https://[::1/", UriError::Ipv6Unclosed),
            ("https://[::g]/", UriError::Ipv6Invalid),
            ("https://[::1]x/", UriError::TextAfterIpv6),
            ("https://a:99999/", UriError::PortRange),
            ("https://a:x/", UriError::PortNotNumber),
        ] {
            assert_eq!(Uri::parse(bad), Err(why), "{bad:?}");
        }
    }

    #[test]
    fn hosts_a_browser_would_read_differently() {
        for bad in [
            "https://%6c%6fcalhost/",
            "https://ｌｏｃａｌｈｏｓｔ/",
            "https://bücher.example/",
            "https://a.example\\evil.example/",
            "https://a<b/",
        ] {
            assert_eq!(Uri::parse(bad), Err(UriError::HostCharacter), "{bad:?}");
        }
        for bad in [
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://127.0.0.1./",
            "http://010.0.0.1/",
            "https://example.123/",
            "https://example.0x/",
        ] {
            assert_eq!(Uri::parse(bad), Err(UriError::HostNumber), "{bad:?}");
        }
        for ok in [
            "https://xn--bcher-kva.example/",
            "https://a-b_c~d.example/",
            "https://1password.example/",
            "https://123.example/",
            "https://v4.0x1g/",
        ] {
            assert!(Uri::parse(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn decodes_query_keys() {
        let u = Uri::parse("https://a/?%73tate=1&&x+y&%").unwrap();
        assert_eq!(u.query_keys(), ["state", "x y", "%"]);
    }

    #[test]
    fn never_panics() {
        // A small deterministic fuzz over the characters the splitter branches on, including
        // multi-byte ones next to every delimiter (slicing must stay on char boundaries).
        const ALPHABET: [&str; 24] = [
            "a",
            "1",
            ":",
            "/",
            "//",
            "?",
            "#",
            "@",
            "[",
            "]",
            "%",
            "%4",
            "+",
            "=",
            "&",
            ".",
            "é",
            "ｌ",
            "::1",
            "0x",
            "http",
            "127.0.0.1",
            " ",
            "\u{0}",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mut s = String::new();
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            for _ in 0..(state >> 60) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                s.push_str(ALPHABET[(state >> 33) as usize % ALPHABET.len()]);
            }
            if let Ok(u) = Uri::parse(&s) {
                let _ = (u.query_keys(), u.is_localhost(), u.is_loopback_ip());
            }
        }
    }
}
