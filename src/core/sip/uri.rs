//! SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966) and name-addr values (`"Bob" <sip:bob@host>;tag=x`).
//!
//! Written here rather than taken from rsip because rsip rejects IPv6 hosts and `tel:` URIs, and
//! puts `?Replaces=` URI headers into the host.

use std::fmt;

/// Why a URI or name-addr could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URI {text:?}: {reason}")]
pub struct UriError {
    /// The text that was being parsed (shortened when long).
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

fn uri_error(text: &str, reason: &'static str) -> UriError {
    UriError {
        text: text.chars().take(80).collect(),
        reason,
    }
}

/// The URI schemes a phone dials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `sip:`
    Sip,
    /// `sips:` (TLS end to end)
    Sips,
    /// `tel:` (a telephone number, RFC 3966)
    Tel,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Sip => "sip",
            Scheme::Sips => "sips",
            Scheme::Tel => "tel",
        }
    }
}

/// A `;name=value` or `;flag` parameter list, order kept.
pub type Params = Vec<(String, Option<String>)>;

/// Looks a parameter up by name, case-insensitively. `Some(None)` is a flag without a value.
pub fn find_param<'a>(params: &'a Params, name: &str) -> Option<Option<&'a str>> {
    params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_deref())
}

/// A parsed `sip:`, `sips:` or `tel:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    /// The scheme.
    pub scheme: Scheme,
    /// The user part (`sip:USER@host`), or the number of a `tel:` URI.
    pub user: Option<String>,
    /// The host without brackets (an IPv6 address is stored bare); empty for `tel:`.
    pub host: String,
    /// The port, when given.
    pub port: Option<u16>,
    /// URI parameters (`;transport=udp`, `;lr`, `;user=phone`).
    pub params: Params,
    /// URI headers (`?Replaces=...`), percent-decoded.
    pub headers: Vec<(String, String)>,
}

impl Uri {
    /// A `sip:` URI with a user, host and optional port.
    pub fn sip(user: Option<&str>, host: &str, port: Option<u16>) -> Uri {
        Uri {
            scheme: Scheme::Sip,
            user: user.map(str::to_owned),
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            params: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Parses a URI such as `sip:bob@[::1]:5062;transport=udp?Replaces=a%40b`.
    pub fn parse(text: &str) -> Result<Uri, UriError> {
        let text = text.trim();
        let (scheme_text, rest) = text
            .split_once(':')
            .ok_or_else(|| uri_error(text, "no scheme"))?;
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "sip" => Scheme::Sip,
            "sips" => Scheme::Sips,
            "tel" => Scheme::Tel,
            _ => return Err(uri_error(text, "the scheme is not sip, sips or tel")),
        };
        if rest.is_empty() {
            return Err(uri_error(text, "nothing after the scheme"));
        }
        if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(uri_error(text, "white space inside"));
        }
        let (rest, headers_text) = match rest.split_once('?') {
            Some((r, h)) => (r, Some(h)),
            None => (rest, None),
        };
        let headers = match headers_text {
            Some(h) => parse_uri_headers(h).ok_or_else(|| uri_error(text, "bad URI header"))?,
            None => Vec::new(),
        };
        if scheme == Scheme::Tel {
            let (number, params) = split_params(rest);
            let valid = !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || "+-.()*#".contains(c));
            if !valid {
                return Err(uri_error(text, "not a telephone number"));
            }
            return Ok(Uri {
                scheme,
                user: Some(number.to_owned()),
                host: String::new(),
                port: None,
                params: parse_params(params).ok_or_else(|| uri_error(text, "bad parameter"))?,
                headers,
            });
        }
        let (userinfo, hostpart) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let user = match userinfo {
            // A password in a URI is deprecated (RFC 3261 §19.1.1); keep only the user.
            Some(u) => {
                let u = u.split(':').next().unwrap_or("");
                if u.is_empty() {
                    return Err(uri_error(text, "empty user part"));
                }
                Some(percent_decode(u).ok_or_else(|| uri_error(text, "bad escape in user"))?)
            }
            None => None,
        };
        let (hostport, params) = split_params(hostpart);
        let (host, port) =
            parse_host_port(hostport).ok_or_else(|| uri_error(text, "bad host or port"))?;
        Ok(Uri {
            scheme,
            user,
            host,
            port,
            params: parse_params(params).ok_or_else(|| uri_error(text, "bad parameter"))?,
            headers,
        })
    }

    /// A URI parameter by name (`Some(None)` for a flag such as `lr`).
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }

    /// A URI header (`?Replaces=...`) by name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `host` or `host:port`, with brackets around an IPv6 address.
    pub fn host_port(&self) -> String {
        let host = bracket_host(&self.host);
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    /// The same URI without parameters and headers, as used in a request line or for comparison.
    pub fn without_params(&self) -> Uri {
        Uri {
            params: Vec::new(),
            headers: Vec::new(),
            ..self.clone()
        }
    }

    /// The same URI without its headers (`?Replaces=...`), as it is called.
    pub fn without_headers(&self) -> Uri {
        Uri {
            headers: Vec::new(),
            ..self.clone()
        }
    }

    /// Whether this is a `sip:`/`sips:` URI (one that names a host we can send to).
    pub fn is_sip(&self) -> bool {
        matches!(self.scheme, Scheme::Sip | Scheme::Sips)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.scheme.as_str())?;
        if self.scheme == Scheme::Tel {
            f.write_str(self.user.as_deref().unwrap_or(""))?;
        } else {
            if let Some(user) = &self.user {
                write!(f, "{}@", percent_encode(user, USER_UNRESERVED))?;
            }
            f.write_str(&self.host_port())?;
        }
        write_params(f, &self.params)?;
        for (i, (name, value)) in self.headers.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(
                f,
                "{sep}{name}={}",
                percent_encode(value, HEADER_UNRESERVED)
            )?;
        }
        Ok(())
    }
}

/// A name-addr or addr-spec header value: `"Bob" <sip:bob@host>;tag=abc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted.
    pub display_name: Option<String>,
    /// The address.
    pub uri: Uri,
    /// Header parameters after the address (`tag`, `expires`, `q`).
    pub params: Params,
}

impl NameAddr {
    /// A bare address with no display name or parameters.
    pub fn new(uri: Uri) -> NameAddr {
        NameAddr {
            display_name: None,
            uri,
            params: Vec::new(),
        }
    }

    /// Parses a From/To/Contact/Refer-To style value.
    pub fn parse(text: &str) -> Result<NameAddr, UriError> {
        let text = text.trim();
        if let Some(lt) = find_unquoted(text, '<') {
            let gt = text[lt..]
                .find('>')
                .map(|i| i + lt)
                .ok_or_else(|| uri_error(text, "missing '>'"))?;
            let name = text[..lt].trim();
            let display_name = if name.is_empty() {
                None
            } else {
                Some(unquote(name))
            };
            let uri = Uri::parse(&text[lt + 1..gt])?;
            let params =
                parse_params(&text[gt + 1..]).ok_or_else(|| uri_error(text, "bad parameter"))?;
            Ok(NameAddr {
                display_name,
                uri,
                params,
            })
        } else {
            // addr-spec form: parameters after the URI belong to the header (RFC 3261 §20).
            let (uri_text, params) = split_params(text);
            let uri = Uri::parse(uri_text)?;
            let params = parse_params(params).ok_or_else(|| uri_error(text, "bad parameter"))?;
            Ok(NameAddr {
                display_name: None,
                uri,
                params,
            })
        }
    }

    /// A header parameter by name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }

    /// The `tag` parameter (From/To).
    pub fn tag(&self) -> Option<&str> {
        self.param("tag").flatten()
    }

    /// Sets or replaces a header parameter.
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        self.params.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.params
            .push((name.to_owned(), value.map(str::to_owned)));
    }
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write!(
                f,
                "\"{}\" ",
                name.replace('\\', "\\\\").replace('"', "\\\"")
            )?;
        }
        write!(f, "<{}>", self.uri)?;
        write_params(f, &self.params)
    }
}

fn write_params(f: &mut fmt::Formatter<'_>, params: &Params) -> fmt::Result {
    for (name, value) in params {
        match value {
            Some(v) => write!(f, ";{name}={v}")?,
            None => write!(f, ";{name}")?,
        }
    }
    Ok(())
}

fn bracket_host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// Splits `host:port` (IPv6 in brackets) into a bare host and a port.
pub fn parse_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let (host, port_text) = if let Some(rest) = text.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &rest[..end];
        host.parse::<std::net::Ipv6Addr>().ok()?;
        let after = &rest[end + 1..];
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c));
    if !host_ok {
        return None;
    }
    let port = match port_text {
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
        None => None,
    };
    Some((host.to_owned(), port))
}

/// Splits `main;a=1;b` into `main` and `;a=1;b`, ignoring `;` inside quotes.
pub fn split_params(text: &str) -> (&str, &str) {
    match find_unquoted(text, ';') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    }
}

/// Parses `;a=1;b;c="x;y"` into a list. Returns `None` for an empty name.
pub fn parse_params(text: &str) -> Option<Params> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Vec::new());
    }
    let text = text.strip_prefix(';')?;
    split_unquoted(text, ';')
        .into_iter()
        .map(|p| {
            let p = p.trim();
            let (name, value) = match p.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim().to_owned())),
                None => (p, None),
            };
            if name.is_empty() || !name.chars().all(is_token_char) {
                None
            } else {
                Some((name.to_owned(), value))
            }
        })
        .collect()
}

fn parse_uri_headers(text: &str) -> Option<Vec<(String, String)>> {
    text.split('&')
        .map(|h| {
            let (name, value) = h.split_once('=')?;
            Some((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

/// Characters of RFC 3261's `token`.
pub fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

/// The byte index of the first `needle` outside double quotes.
pub fn find_unquoted(text: &str, needle: char) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if !quoted && c == needle {
            return Some(i);
        }
    }
    None
}

/// Splits on `sep` outside double quotes and angle brackets.
pub fn split_unquoted(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut angle = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            c if c == sep && !quoted && !angle => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Removes surrounding double quotes and backslash escapes.
pub fn unquote(text: &str) -> String {
    let text = text.trim();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut escaped = false;
            for c in inner.chars() {
                if escaped || c != '\\' {
                    out.push(c);
                    escaped = false;
                } else {
                    escaped = true;
                }
            }
            out
        }
        None => text.to_owned(),
    }
}

const USER_UNRESERVED: &str = "-_.!~*'()&=+$,;?/";
const HEADER_UNRESERVED: &str = "-_.!~*'()[]/?:+$";

fn percent_encode(text: &str, unreserved: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || unreserved.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sip_uri_with_everything() {
        let uri = Uri::parse("sip:bob@example.com:5062;transport=udp;lr").unwrap();
        assert_eq!(uri.scheme, Scheme::Sip);
        assert_eq!(uri.user.as_deref(), Some("bob"));
        assert_eq!(uri.host, "example.com");
        assert_eq!(uri.port, Some(5062));
        assert_eq!(uri.param("transport"), Some(Some("udp")));
        assert_eq!(uri.param("lr"), Some(None));
        assert_eq!(uri.to_string(), "sip:bob@example.com:5062;transport=udp;lr");
    }

    #[test]
    fn ipv6_host_round_trips() {
        let uri = Uri::parse("sip:alice@[2001:db8::1]:5060").unwrap();
        assert_eq!(uri.host, "2001:db8::1");
        assert_eq!(uri.port, Some(5060));
        assert_eq!(uri.to_string(), "sip:alice@[2001:db8::1]:5060");
        assert!(Uri::parse("sip:alice@[not-v6]").is_err());
    }

    #[test]
    fn tel_uri() {
        let uri = Uri::parse("tel:+1-555-0100;phone-context=example.com").unwrap();
        assert_eq!(uri.scheme, Scheme::Tel);
        assert_eq!(uri.user.as_deref(), Some("+1-555-0100"));
        assert_eq!(uri.to_string(), "tel:+1-555-0100;phone-context=example.com");
        assert!(Uri::parse("tel:abc xyz").is_err());
    }

    #[test]
    fn replaces_uri_header_is_not_the_host() {
        let uri =
            Uri::parse("sip:carol@10.0.0.3?Replaces=12345%4010.0.0.2%3Bto-tag%3D7%3Bfrom-tag%3D8")
                .unwrap();
        assert_eq!(uri.host, "10.0.0.3");
        assert_eq!(
            uri.header("replaces"),
            Some("12345@10.0.0.2;to-tag=7;from-tag=8")
        );
        let again = Uri::parse(&uri.to_string()).unwrap();
        assert_eq!(again, uri);
    }

    #[test]
    fn seed_user_phone_uri() {
        let uri = Uri::parse("sip:555-0002@companyb.com;user=phone").unwrap();
        assert_eq!(uri.user.as_deref(), Some("555-0002"));
        assert_eq!(uri.param("user"), Some(Some("phone")));
    }

    #[test]
    fn bad_uris_are_errors() {
        for bad in [
            "",
            "sip:",
            "http://x",
            "sip:@host",
            "sip:bob@host:99999",
            "sip:bob@ho st",
            "sip:a@b;=x",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn name_addr_forms() {
        let na = NameAddr::parse("\"Bob \\\"B\\\"\" <sip:bob@host;lr>;tag=abc").unwrap();
        assert_eq!(na.display_name.as_deref(), Some("Bob \"B\""));
        assert_eq!(na.uri.param("lr"), Some(None));
        assert_eq!(na.tag(), Some("abc"));
        let spec = NameAddr::parse("sip:bob@host;tag=xyz").unwrap();
        assert_eq!(spec.tag(), Some("xyz"));
        assert!(spec.uri.params.is_empty());
        let bare = NameAddr::parse("Bob <sip:bob@host>").unwrap();
        assert_eq!(bare.display_name.as_deref(), Some("Bob"));
        assert_eq!(bare.to_string(), "\"Bob\" <sip:bob@host>");
    }

    #[test]
    fn split_respects_quotes_and_brackets() {
        assert_eq!(
            split_unquoted("<sip:a@b;x=1,2>, \"c,d\" <sip:c@d>", ','),
            vec!["<sip:a@b;x=1,2>", " \"c,d\" <sip:c@d>"]
        );
    }
}
