//! Links that place calls: `sip:`, `sips:`, `tel:` and `callto:` URIs handed to linekey by the
//! desktop (a click in a browser, a mail client, `xdg-open`) become the dial target of
//! `Intent::Dial`.
//!
//! A link comes from anywhere on the web, so it may only ever place a call: URI headers
//! (`?Replaces=…`, `?Subject=…`, anything that would end up in the INVITE) and parameters that
//! change where or how a request is sent (`;method=`, `;maddr=`, `;lr`) are refused, as are
//! control characters and absurd lengths. What comes out is either a `sip:`/`sips:` URI written
//! afresh from its parsed parts, or a dial string of digits (or a user name) that goes through
//! the dial plan exactly as if it had been typed.

use std::fmt;

use crate::core::sip::uri::{percent_decode, Uri};

/// Links longer than this are refused; a real address is a few dozen characters.
pub const MAX_LEN: usize = 512;

/// The schemes linekey registers as a handler for.
pub const SCHEMES: [&str; 4] = ["sip", "sips", "tel", "callto"];

/// Parameters of a `sip:`/`sips:` link that only say how to call, and so are kept.
const SIP_PARAMS: [&str; 2] = ["user", "transport"];

/// Why a link was refused; displays as one sentence quoting the link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    /// The link, shortened and with control characters escaped, fit to print.
    pub link: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot call {}: {}", self.link, self.reason)
    }
}

impl std::error::Error for LinkError {}

/// Whether a command-line argument is meant as a link (it starts with a URI scheme), rather
/// than an option or a command.
pub fn looks_like_link(arg: &str) -> bool {
    scheme_of(arg.trim()).is_some()
}

/// The dial target for a link, e.g. `sip:555-0002@companyb.com;user=phone` for that link,
/// `+15550100` for `tel:+1-555-0100`, `sip:bob@example.com` for `callto:bob@example.com`.
pub fn dial_target(link: &str) -> Result<String, LinkError> {
    let refuse = |reason: &str| LinkError {
        link: printable(link),
        reason: reason.to_owned(),
    };
    if link.len() > MAX_LEN {
        return Err(refuse(&format!(
            "it is longer than {MAX_LEN} characters, which no phone address is"
        )));
    }
    let link = link.trim();
    if link.chars().any(char::is_control) {
        return Err(refuse("it contains control characters"));
    }
    let Some((scheme, rest)) = scheme_of(link) else {
        return Err(refuse(
            "it is not a link (sip:, sips:, tel: or callto: followed by an address)",
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !SCHEMES.contains(&scheme.as_str()) {
        return Err(refuse(&format!(
            "linekey only places calls from sip:, sips:, tel: and callto: links, not {scheme}:"
        )));
    }
    // `callto://+15550100` is common on web pages; `//` has no meaning in these schemes.
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    if rest.contains('?') {
        return Err(refuse(
            "it carries headers (after \"?\"), which could do more than place a call",
        ));
    }
    if rest.is_empty() {
        return Err(refuse("there is no address after the scheme"));
    }
    match scheme.as_str() {
        "sip" | "sips" => sip_target(&scheme, rest),
        "tel" => tel_target(rest),
        _ if rest.contains('@') => sip_target("sip", rest),
        _ => callto_target(rest),
    }
    .map_err(|reason| refuse(&reason))
}

/// `(scheme, rest)` when `text` starts with `scheme:` (RFC 3986: a letter, then letters,
/// digits, `+`, `-`, `.`).
fn scheme_of(text: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    // `bob@host:5060` and `127.0.0.1:5060` are addresses, not schemes.
    (first_ok && rest_ok && !scheme.contains('.')).then_some((scheme, rest))
}

fn sip_target(scheme: &str, rest: &str) -> Result<String, String> {
    let uri = Uri::parse(&format!("{scheme}:{rest}"))
        .map_err(|e| format!("it is not a SIP address ({})", e.reason))?;
    if uri
        .user
        .as_deref()
        .is_some_and(|u| u.chars().any(char::is_control))
    {
        return Err("it contains control characters".into());
    }
    for (name, value) in &uri.params {
        let name = name.to_ascii_lowercase();
        if !SIP_PARAMS.contains(&name.as_str()) {
            return Err(format!(
                "the parameter \";{name}\" could do more than place a call"
            ));
        }
        let value = value.as_deref().unwrap_or("").to_ascii_lowercase();
        match name.as_str() {
            "user" if value == "phone" || value == "ip" => {}
            "transport" if value == "udp" => {}
            "transport" => {
                return Err(format!(
                    "linekey calls over UDP, and this link asks for {value:?}"
                ))
            }
            _ => return Err(format!("\";{name}={value}\" is not understood")),
        }
    }
    Ok(uri.to_string())
}

/// `tel:` (RFC 3966): the number without visual separators, dialled as if typed. Routing it
/// through the dial plan and the account's domain reaches the phone network the way a typed
/// number does, where a `tel:` request URI would need a proxy that takes one.
fn tel_target(rest: &str) -> Result<String, String> {
    let (number, params) = rest.split_once(';').unwrap_or((rest, ""));
    for param in params.split(';').filter(|p| !p.is_empty()) {
        let name = param.split('=').next().unwrap_or("").to_ascii_lowercase();
        // A local number's context says where it is valid; dialling it as typed is what a
        // user in that context would do.
        if name != "phone-context" {
            return Err(format!(
                "the parameter \";{name}\" of a telephone number is not understood"
            ));
        }
    }
    phone_number(number).ok_or_else(|| "it is not a telephone number".to_owned())
}

/// `callto:` without `@`: a telephone number, or a user name dialled as typed.
fn callto_target(rest: &str) -> Result<String, String> {
    if let Some(number) = phone_number(rest) {
        return Ok(number);
    }
    let name = percent_decode(rest).ok_or("it has a broken %-escape")?;
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if plain {
        Ok(name)
    } else {
        Err("it is neither a telephone number nor a user name".into())
    }
}

/// A telephone number with its visual separators (`-`, `.`, `(`, `)`, spaces) removed:
/// an optional `+`, then digits, `*` and `#`; `None` if it is anything else.
fn phone_number(text: &str) -> Option<String> {
    let decoded = percent_decode(text)?;
    let (plus, body) = match decoded.strip_prefix('+') {
        Some(body) => ("+", body),
        None => ("", decoded.as_str()),
    };
    let mut digits = String::from(plus);
    for c in body.chars() {
        match c {
            '0'..='9' | '*' | '#' => digits.push(c),
            '-' | '.' | '(' | ')' | ' ' => {}
            _ => return None,
        }
    }
    let count = digits.chars().filter(char::is_ascii_digit).count();
    (1..=32).contains(&count).then_some(digits)
}

/// The link as it may be shown: at most 80 characters, control characters escaped.
fn printable(link: &str) -> String {
    let escaped: String = link.chars().flat_map(char::escape_debug).collect();
    let short: String = escaped.chars().take(80).collect();
    if short.len() < escaped.len() {
        format!("\"{short}…\"")
    } else {
        format!("\"{short}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::phone::address_text;
    use crate::core::sip::uri::Scheme;
    use proptest::prelude::*;

    fn ok(link: &str) -> String {
        dial_target(link).unwrap_or_else(|e| panic!("{link}: {e}"))
    }

    fn refused(link: &str) -> String {
        match dial_target(link) {
            Ok(t) => panic!("{link} was accepted as {t}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn links_of_the_seed_and_the_web() {
        assert_eq!(
            ok("sip:555-0002@companyb.com;user=phone"),
            "sip:555-0002@companyb.com;user=phone"
        );
        assert_eq!(ok("sip:bob@127.0.0.1:5062"), "sip:bob@127.0.0.1:5062");
        assert_eq!(ok("SIPS:bob@example.com"), "sips:bob@example.com");
        assert_eq!(
            ok("sip:bob@[::1]:5062;transport=UDP"),
            "sip:bob@[::1]:5062;transport=UDP"
        );
        assert_eq!(ok("tel:+1-555-0100"), "+15550100");
        assert_eq!(ok("tel:(555)%20010.0;phone-context=example.com"), "5550100");
        assert_eq!(ok("tel:*69#"), "*69#");
        assert_eq!(ok("callto:bob@example.com"), "sip:bob@example.com");
        assert_eq!(ok("callto://+15550100"), "+15550100");
        assert_eq!(ok("callto:front.desk"), "front.desk");
        assert_eq!(ok(" sip:bob@example.com\t"), "sip:bob@example.com");
    }

    #[test]
    fn percent_encoding_is_decoded() {
        assert_eq!(
            ok("sip:555%2D0002@companyb.com"),
            "sip:555-0002@companyb.com"
        );
        assert_eq!(ok("sip:b%6Fb@example.com"), "sip:bob@example.com");
        assert_eq!(ok("tel:%2B1%20555%200100"), "+15550100");
        assert_eq!(ok("callto:%2B15550100"), "+15550100");
        assert!(refused("sip:b%0Ab@example.com").contains("control characters"));
        assert!(refused("tel:%2").contains("not a telephone number"));
    }

    #[test]
    fn anything_but_a_call_is_refused() {
        let e = refused("http://example.com/");
        assert_eq!(
            e,
            "cannot call \"http://example.com/\": linekey only places calls from sip:, sips:, tel: and callto: links, not http:"
        );
        assert!(refused("file:///etc/passwd").contains("not file:"));
        assert!(refused("javascript:alert(1)").contains("not javascript:"));
        assert!(refused("bob@example.com").contains("not a link"));
        assert!(refused("--help").contains("not a link"));
        assert!(refused("sip:").contains("no address"));
        assert!(refused("sip:bob@example.com?Replaces=abc%3Bto-tag%3D1").contains("headers"));
        assert!(refused("sip:bob@example.com?subject=hi&priority=urgent").contains("headers"));
        assert!(refused("callto:bob?call").contains("headers"));
        assert!(refused("sip:bob@example.com;method=REGISTER").contains("\";method\""));
        assert!(refused("sip:bob@example.com;maddr=203.0.113.9").contains("\";maddr\""));
        assert!(refused("sip:bob@example.com;lr").contains("\";lr\""));
        assert!(refused("sip:bob@example.com;user=dialstring").contains("not understood"));
        assert!(refused("sip:bob@example.com;transport=tcp").contains("UDP"));
        assert!(refused("tel:+15550100;ext=12").contains("\";ext\""));
        assert!(refused("tel:555-CALL").contains("not a telephone number"));
        assert!(refused("callto:bob smith").contains("neither"));
        assert!(refused("sip:bob@exa mple.com").contains("not a SIP address"));
        assert!(refused("sip:bob@example.com\r\nINVITE").contains("control characters"));
        let long = format!("sip:{}@example.com", "a".repeat(MAX_LEN));
        let e = refused(&long);
        assert!(e.contains("longer than 512"), "{e}");
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn only_links_look_like_links() {
        assert!(looks_like_link("sip:bob@example.com"));
        assert!(looks_like_link("http://example.com"));
        assert!(!looks_like_link("--help"));
        assert!(!looks_like_link("agent"));
        assert!(!looks_like_link("127.0.0.1:5060"));
        assert!(!looks_like_link("bob@example.com:5060"));
    }

    /// What the phone makes of a target: a URI it parses, or a dial string.
    fn phone_reads(target: &str) -> Option<Uri> {
        address_text(target).map(|text| Uri::parse(&text).expect("a URI the core accepts"))
    }

    fn user() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9][a-zA-Z0-9._-]{0,15}"
    }

    fn host() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{0,8}){0,3}",
            (1u8..=254, 0u8..=255, 0u8..=255, 1u8..=254)
                .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        ]
    }

    /// Percent-encodes some characters of `text` (chosen by `mask`), as links in the wild do.
    fn encode_some(text: &str, mask: u64) -> String {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                if mask >> (i % 64) & 1 == 1 {
                    format!("%{:02X}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn never_panics_and_only_yields_calls(link in "\\PC{0,80}|[a-z]{2,6}:[ -~]{0,60}") {
            if let Ok(target) = dial_target(&link) {
                prop_assert!(!target.contains('?'));
                prop_assert!(!target.chars().any(char::is_control));
                prop_assert!(target.len() <= MAX_LEN * 3);
                match phone_reads(&target) {
                    Some(uri) => {
                        prop_assert!(matches!(uri.scheme, Scheme::Sip | Scheme::Sips));
                        prop_assert!(uri.headers.is_empty());
                        prop_assert!(uri.params.iter().all(|(n, _)| SIP_PARAMS.contains(&n.to_ascii_lowercase().as_str())));
                    }
                    None => prop_assert!(!target.contains(':') && !target.contains('@')),
                }
            }
        }

        #[test]
        fn sip_links_call_their_address(user in user(), host in host(), port in proptest::option::of(1u16..), mask: u64, phone: bool) {
            let port_text = port.map(|p| format!(":{p}")).unwrap_or_default();
            let param = if phone { ";user=phone" } else { "" };
            let link = format!("sip:{}@{host}{port_text}{param}", encode_some(&user, mask));
            let target = dial_target(&link).unwrap();
            prop_assert_eq!(&target, &format!("sip:{user}@{host}{port_text}{param}"));
            let uri = phone_reads(&target).unwrap();
            prop_assert_eq!(uri.user.as_deref(), Some(user.as_str()));
            prop_assert_eq!(uri.host, host);
            prop_assert_eq!(uri.port, port);
            // A target is itself a link to the same call.
            prop_assert_eq!(dial_target(&target).unwrap(), target);
        }

        #[test]
        fn numbers_lose_only_their_separators(
            plus: bool,
            groups in proptest::collection::vec("[0-9]{1,4}", 1..5),
            sep in "[-. ]",
            scheme in "tel:|callto:|callto://",
            mask: u64,
        ) {
            let digits = format!("{}{}", if plus { "+" } else { "" }, groups.concat());
            let written = format!("{}{}", if plus { "+" } else { "" }, groups.join(&sep));
            let link = format!("{scheme}{}", encode_some(&written, mask));
            let target = dial_target(&link).unwrap();
            prop_assert_eq!(&target, &digits);
            prop_assert!(phone_reads(&target).is_none(), "a dial string, for the dial plan");
        }

        #[test]
        fn headers_and_other_schemes_are_refused(
            user in user(), host in host(),
            header in "[a-zA-Z-]{1,10}=[a-zA-Z0-9%]{0,10}",
            scheme in "[a-z][a-z0-9+.-]{0,8}",
        ) {
            for s in SCHEMES {
                let link = format!("{s}:{user}@{host}?{header}");
                prop_assert!(dial_target(&link).is_err());
            }
            prop_assume!(!SCHEMES.contains(&scheme.as_str()));
            let link = format!("{scheme}:{user}@{host}");
            prop_assert!(dial_target(&link).is_err());
        }
    }
}
