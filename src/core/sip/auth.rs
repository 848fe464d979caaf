//! SIP digest authentication (RFC 2617, RFC 7616, RFC 8760): parsing challenges, answering them,
//! and checking answers the way a registrar would. Pure functions, no I/O.
//!
//! Only `qop=auth` (or no qop, the RFC 2069 form) is answered: `auth-int` would need the message
//! body here, and no SIP server we target requires it.

use std::fmt;
use std::str::FromStr;

use md5::{Digest, Md5};
use rand::Rng;
use sha2::Sha256;

/// Errors from parsing digest challenges and credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The header value was empty or only whitespace.
    #[error("empty authentication header value")]
    Empty,
    /// The scheme is not `Digest` (e.g. `Basic`), which SIP does not allow us to answer.
    #[error("unsupported authentication scheme `{0}` (only Digest is supported)")]
    NotDigest(String),
    /// The parameter list does not follow the `name=value, ...` grammar.
    #[error("malformed digest parameters: {0}")]
    Malformed(&'static str),
    /// A parameter the scheme requires is absent.
    #[error("missing required digest parameter `{0}`")]
    MissingParam(&'static str),
    /// A parameter appeared twice, which RFC 7616 forbids and would make the meaning ambiguous.
    #[error("duplicate digest parameter `{0}`")]
    DuplicateParam(String),
    /// The algorithm is not one of MD5, MD5-sess, SHA-256, SHA-256-sess.
    #[error("unsupported digest algorithm `{0}`")]
    UnsupportedAlgorithm(String),
}

/// A digest hash algorithm; absent in a challenge means MD5 (RFC 2617).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// `MD5`, the RFC 2617 default.
    #[default]
    Md5,
    /// `MD5-sess`: HA1 is rehashed with the nonce and cnonce.
    Md5Sess,
    /// `SHA-256` (RFC 7616 / RFC 8760).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// The canonical spelling used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    fn is_sess(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// Lowercase hex digest of `data`.
    fn hash(self, data: &str) -> String {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => hex(&Md5::digest(data.as_bytes())),
            Algorithm::Sha256 | Algorithm::Sha256Sess => hex(&Sha256::digest(data.as_bytes())),
        }
    }
}

impl FromStr for Algorithm {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| AuthError::UnsupportedAlgorithm(s.to_string()))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed `WWW-Authenticate` / `Proxy-Authenticate` digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Protection space; part of HA1, so it must be echoed exactly.
    pub realm: String,
    /// Server nonce.
    pub nonce: String,
    /// Opaque server state, echoed back unchanged.
    pub opaque: Option<String>,
    /// Hash algorithm (MD5 when the challenge names none).
    pub algorithm: Algorithm,
    /// Offered qop values, as given (empty when the challenge has no qop: RFC 2069 mode).
    pub qop: Vec<String>,
    /// The previous nonce expired but the credentials were right: retry without asking the user.
    pub stale: bool,
}

impl Challenge {
    /// Parses the value of a WWW-Authenticate or Proxy-Authenticate header (after the header name).
    ///
    /// Unknown algorithms are an error rather than a variant, so a caller offered several
    /// challenges (RFC 8760) can simply skip the ones that fail to parse.
    pub fn parse(value: &str) -> Result<Challenge, AuthError> {
        let params = parse_digest(value)?;
        let realm = take(&params, "realm").ok_or(AuthError::MissingParam("realm"))?;
        let nonce = take(&params, "nonce").ok_or(AuthError::MissingParam("nonce"))?;
        let algorithm = match take(&params, "algorithm") {
            Some(a) => a.parse()?,
            None => Algorithm::Md5,
        };
        let qop = take(&params, "qop")
            .map(|q| {
                q.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let stale = take(&params, "stale").is_some_and(|s| s.trim().eq_ignore_ascii_case("true"));
        Ok(Challenge {
            realm,
            nonce,
            opaque: take(&params, "opaque"),
            algorithm,
            qop,
            stale,
        })
    }

    /// Whether we can answer it (digest with a supported algorithm, and qop absent or including "auth").
    pub fn supported(&self) -> bool {
        // The algorithm is already known to be supported: `parse` rejects the others.
        self.qop.is_empty() || self.offers_auth()
    }

    fn offers_auth(&self) -> bool {
        self.qop.iter().any(|q| q.eq_ignore_ascii_case("auth"))
    }
}

/// The user's SIP credentials.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// Authentication user name (may differ from the AOR user part).
    pub username: &'a str,
    /// Plain-text password.
    pub password: &'a str,
}

impl fmt::Debug for Credentials<'_> {
    // Keeps passwords out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Builds the Authorization / Proxy-Authorization header value answering `challenge` for a request.
///
/// `nc` counts requests made with this nonce (starting at 1) and is written as 8 hex digits.
/// Without qop the RFC 2069 form is used; a `-sess` algorithm still sends `cnonce`, since HA1
/// cannot be computed without it. Check [`Challenge::supported`] first: an `auth-int`-only
/// challenge would get an RFC 2069 answer the server will reject.
pub fn authorization(
    challenge: &Challenge,
    creds: &Credentials,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let with_qop = challenge.offers_auth();
    let alg = challenge.algorithm;
    let mut auth = Authorization {
        username: creds.username.to_string(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: uri.to_string(),
        response: String::new(),
        algorithm: alg,
        qop: with_qop.then(|| "auth".to_string()),
        nc: with_qop.then(|| format!("{nc:08x}")),
        cnonce: (with_qop || alg.is_sess()).then(|| cnonce.to_string()),
        opaque: challenge.opaque.clone(),
    };
    // Every field the response depends on is set, so this cannot fail.
    auth.response = auth
        .expected_response(creds.password, method)
        .unwrap_or_default();
    auth.to_string()
}

/// A random cnonce (hex, 16 chars).
pub fn new_cnonce() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

/// A parsed `Authorization` / `Proxy-Authorization` digest answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// User name being authenticated.
    pub username: String,
    /// Realm copied from the challenge.
    pub realm: String,
    /// Nonce copied from the challenge.
    pub nonce: String,
    /// Request-URI the response was computed over (`digest-uri`).
    pub uri: String,
    /// The hex digest proving knowledge of the password.
    pub response: String,
    /// Hash algorithm (MD5 when absent).
    pub algorithm: Algorithm,
    /// Chosen qop, if the challenge offered any.
    pub qop: Option<String>,
    /// Nonce count as sent (8 hex digits), present with qop.
    pub nc: Option<String>,
    /// Client nonce, present with qop or a `-sess` algorithm.
    pub cnonce: Option<String>,
    /// Opaque value echoed from the challenge.
    pub opaque: Option<String>,
}

impl Authorization {
    /// Parses an Authorization / Proxy-Authorization value (used by test proxies and registrars).
    pub fn parse(value: &str) -> Result<Authorization, AuthError> {
        let params = parse_digest(value)?;
        let req = |name: &'static str| take(&params, name).ok_or(AuthError::MissingParam(name));
        let algorithm = match take(&params, "algorithm") {
            Some(a) => a.parse()?,
            None => Algorithm::Md5,
        };
        Ok(Authorization {
            username: req("username")?,
            realm: req("realm")?,
            nonce: req("nonce")?,
            uri: req("uri")?,
            response: req("response")?,
            algorithm,
            qop: take(&params, "qop"),
            nc: take(&params, "nc"),
            cnonce: take(&params, "cnonce"),
            opaque: take(&params, "opaque"),
        })
    }

    /// Checks the response against a password, as a server would.
    ///
    /// Only the digest is checked; whether the nonce is fresh and the nonce count increasing is
    /// the caller's business.
    pub fn verify(&self, password: &str, method: &str) -> bool {
        match self.expected_response(password, method) {
            Some(expected) => ct_eq_ignore_case(&expected, &self.response),
            None => false,
        }
    }

    /// The response this answer should carry, or `None` if its fields are inconsistent
    /// (qop without nc/cnonce, a qop we do not implement, `-sess` without cnonce).
    fn expected_response(&self, password: &str, method: &str) -> Option<String> {
        let alg = self.algorithm;
        let mut ha1 = alg.hash(&format!("{}:{}:{}", self.username, self.realm, password));
        if alg.is_sess() {
            let cnonce = self.cnonce.as_deref()?;
            ha1 = alg.hash(&format!("{ha1}:{}:{cnonce}", self.nonce));
        }
        let ha2 = alg.hash(&format!("{method}:{}", self.uri));
        match self.qop.as_deref() {
            None => Some(alg.hash(&format!("{ha1}:{}:{ha2}", self.nonce))),
            Some(q) if q.eq_ignore_ascii_case("auth") => {
                let nc = self.nc.as_deref()?;
                let cnonce = self.cnonce.as_deref()?;
                Some(alg.hash(&format!("{ha1}:{}:{nc}:{cnonce}:{q}:{ha2}", self.nonce)))
            }
            Some(_) => None,
        }
    }
}

impl fmt::Display for Authorization {
    /// Formats the header value; the field order follows RFC 2617's examples.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest username={}, realm={}, nonce={}, uri={}, response={}, algorithm={}",
            quote(&self.username),
            quote(&self.realm),
            quote(&self.nonce),
            quote(&self.uri),
            quote(&self.response),
            self.algorithm
        )?;
        if let Some(cnonce) = &self.cnonce {
            write!(f, ", cnonce={}", quote(cnonce))?;
        }
        if let Some(opaque) = &self.opaque {
            write!(f, ", opaque={}", quote(opaque))?;
        }
        if let Some(qop) = &self.qop {
            write!(f, ", qop={qop}")?;
        }
        if let Some(nc) = &self.nc {
            write!(f, ", nc={nc}")?;
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Compares without an early exit, so response timing leaks nothing to a guessing client.
fn ct_eq_ignore_case(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| {
            acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
        }) == 0
}

/// Renders a quoted-string, escaping what RFC 3261 requires.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn take(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// Checks the `Digest` scheme and returns its parameters with lowercased names.
fn parse_digest(value: &str) -> Result<Vec<(String, String)>, AuthError> {
    let value = value.trim_start();
    if value.trim_end().is_empty() {
        return Err(AuthError::Empty);
    }
    let (scheme, rest) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(AuthError::NotDigest(scheme.to_string()));
    }
    parse_params(rest)
}

/// Parses `name=value, name="quoted, \"value\"", ...`.
fn parse_params(s: &str) -> Result<Vec<(String, String)>, AuthError> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        // Separators: whitespace and (tolerated empty) list elements.
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| is_token_char(*c)) {
            name.push(c.to_ascii_lowercase());
        }
        if name.is_empty() {
            return Err(AuthError::Malformed("expected a parameter name"));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'=').is_none() {
            return Err(AuthError::Malformed("expected `=` after a parameter name"));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut val = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => val.push(c),
                        None => return Err(AuthError::Malformed("unterminated quoted string")),
                    },
                    Some(c) => val.push(c),
                    None => return Err(AuthError::Malformed("unterminated quoted string")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| is_token_char(*c)) {
                val.push(c);
            }
            if val.is_empty() {
                return Err(AuthError::Malformed("expected a parameter value"));
            }
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            None | Some(',') => {}
            Some(_) => return Err(AuthError::Malformed("expected `,` between parameters")),
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(AuthError::DuplicateParam(name));
        }
        out.push((name, val));
    }
    Ok(out)
}

/// RFC 3261 `token` characters (plus `/` and `:` so unquoted nonces and URIs from sloppy peers parse).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~/:@".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MUFASA: Credentials<'static> = Credentials {
        username: "Mufasa",
        password: "Circle Of Life",
    };

    #[test]
    fn rfc2617_example() {
        let ch = Challenge::parse(
            "Digest\r\n realm=\"testrealm@host.com\",\r\n qop=\"auth,auth-int\",\r\n \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        assert_eq!(ch.realm, "testrealm@host.com");
        assert_eq!(ch.algorithm, Algorithm::Md5);
        assert_eq!(ch.qop, vec!["auth", "auth-int"]);
        assert!(ch.supported());
        assert!(!ch.stale);
        let v = authorization(&ch, &MUFASA, "GET", "/dir/index.html", 1, "0a4f113b");
        assert!(
            v.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{v}"
        );
        assert!(v.contains(", qop=auth,"), "{v}");
        assert!(v.contains("nc=00000001"), "{v}");
        assert!(v.contains("cnonce=\"0a4f113b\""), "{v}");
        assert!(
            v.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
            "{v}"
        );
        assert!(v.contains("algorithm=MD5"), "{v}");
        assert!(v.starts_with("Digest username=\"Mufasa\""), "{v}");
    }

    #[test]
    fn rfc7616_sha256_example() {
        let ch = Challenge::parse(
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
             algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        )
        .unwrap();
        assert_eq!(ch.algorithm, Algorithm::Sha256);
        assert!(ch.supported());
        let creds = Credentials {
            username: "Mufasa",
            password: "Circle of Life",
        };
        let v = authorization(
            &ch,
            &creds,
            "GET",
            "/dir/index.html",
            1,
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        );
        assert!(
            v.contains(
                "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
            ),
            "{v}"
        );
        assert!(v.contains("algorithm=SHA-256,"), "{v}");
        let parsed = Authorization::parse(&v).unwrap();
        assert!(parsed.verify("Circle of Life", "GET"));
        assert!(!parsed.verify("Circle of Life", "REGISTER"));
    }

    #[test]
    fn nonce_count_is_hex() {
        let ch = Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=auth").unwrap();
        let v = authorization(&ch, &MUFASA, "REGISTER", "sip:example.com", 10, "c");
        assert!(v.contains("nc=0000000a"), "{v}");
        let v = authorization(&ch, &MUFASA, "REGISTER", "sip:example.com", 0x1234abcd, "c");
        assert!(v.contains("nc=1234abcd"), "{v}");
        assert!(Authorization::parse(&v)
            .unwrap()
            .verify("Circle Of Life", "REGISTER"));
    }

    #[test]
    fn rfc2069_form_without_qop() {
        let ch = Challenge::parse("digest REALM=\"r\",NONCE=\"n\"").unwrap();
        assert!(ch.qop.is_empty());
        assert!(ch.supported());
        let v = authorization(&ch, &MUFASA, "INVITE", "sip:bob@example.com", 1, "c");
        assert!(!v.contains("nc="), "{v}");
        assert!(!v.contains("cnonce="), "{v}");
        assert!(!v.contains("qop="), "{v}");
        let a = Authorization::parse(&v).unwrap();
        assert!(a.verify("Circle Of Life", "INVITE"));
        assert!(!a.verify("circle of life", "INVITE"));
    }

    #[test]
    fn qop_auth_int_only_is_not_supported() {
        let ch = Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"").unwrap();
        assert!(!ch.supported());
    }

    #[test]
    fn algorithms_parse_case_insensitively() {
        for (s, a) in [
            ("md5", Algorithm::Md5),
            ("MD5-SESS", Algorithm::Md5Sess),
            ("sha-256", Algorithm::Sha256),
            ("Sha-256-Sess", Algorithm::Sha256Sess),
        ] {
            assert_eq!(s.parse::<Algorithm>().unwrap(), a);
            let ch = Challenge::parse(&format!("Digest realm=r, nonce=n, algorithm={s}")).unwrap();
            assert_eq!(ch.algorithm, a);
            let v = authorization(&ch, &MUFASA, "REGISTER", "sip:x", 1, "cn");
            let want = format!("algorithm={}", a.as_str());
            assert!(v.split(", ").any(|p| p == want), "{v}");
            assert_eq!(v.contains("cnonce="), a.is_sess(), "{v}");
            assert!(Authorization::parse(&v)
                .unwrap()
                .verify("Circle Of Life", "REGISTER"));
            let ch = Challenge::parse(&format!("Digest realm=r, nonce=n, qop=auth, algorithm={s}"))
                .unwrap();
            let v = authorization(&ch, &MUFASA, "REGISTER", "sip:x", 2, "cn");
            assert!(v.split(", ").any(|p| p == want), "{v}");
            assert!(Authorization::parse(&v)
                .unwrap()
                .verify("Circle Of Life", "REGISTER"));
        }
        assert_eq!(
            Challenge::parse("Digest realm=r, nonce=n, algorithm=SHA-512-256"),
            Err(AuthError::UnsupportedAlgorithm("SHA-512-256".into()))
        );
    }

    #[test]
    fn robust_parsing() {
        let ch = Challenge::parse(
            "  DIGEST   Realm = \"a, \\\"quoted\\\" realm\" ,  foo=bar,baz=\"x,y\", \
             nonce=abc/def+=,  stale=TRUE , , ",
        );
        // `nonce=abc/def+=` has a stray `=` after the token: reject rather than guess.
        assert!(ch.is_err());
        let ch = Challenge::parse(
            "  DIGEST   Realm = \"a, \\\"quoted\\\" realm\" ,  foo=bar,baz=\"x,y\", \
             nonce=\"abc/def+=\",  stale=TRUE , , ",
        )
        .unwrap();
        assert_eq!(ch.realm, "a, \"quoted\" realm");
        assert_eq!(ch.nonce, "abc/def+=");
        assert!(ch.stale);
        assert!(ch.opaque.is_none());
        // Escaping survives a round trip.
        let v = authorization(&ch, &MUFASA, "REGISTER", "sip:x", 1, "c");
        let a = Authorization::parse(&v).unwrap();
        assert_eq!(a.realm, ch.realm);
        assert!(a.verify("Circle Of Life", "REGISTER"));
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "   ",
            "Digest",
            "Digest ",
            "Basic realm=\"x\"",
            "Digest realm",
            "Digest realm=",
            "Digest realm=\"x",
            "Digest realm=\"x\\",
            "Digest realm=\"x\" nonce=\"y\"",
            "Digest realm=\"x\", nonce=\"y",
            "Digest nonce=\"y\"",
            "Digest realm=\"x\"",
            "Digest realm=\"x\", realm=\"z\", nonce=\"y\"",
            "Digest =\"x\"",
            "Digest \"realm\"=\"x\"",
            "Digest realm=\"x\", nonce=\"y\", algorithm=",
            "Digest realm=\"x\", nonce=\"y\", algorithm=\"\"",
            "Digestrealm=\"x\", nonce=\"y\"",
            "\u{00e9}\u{00e9} \u{00e9}=\u{00e9}",
            "Digest r\u{00e9}alm=\"x\", nonce=\"y\"",
        ] {
            assert!(Challenge::parse(bad).is_err(), "accepted {bad:?}");
            assert!(Authorization::parse(bad).is_err(), "accepted {bad:?}");
        }
        // Every prefix of a valid header either parses or errors, never panics.
        let full = "Digest username=\"Mufasa\", realm=\"r\u{00e9}\", nonce=\"n\", \
                    uri=\"sip:x\", response=\"00\", qop=auth, nc=00000001, cnonce=\"c\"";
        for (i, _) in full.char_indices() {
            let _ = Challenge::parse(&full[..i]);
            let _ = Authorization::parse(&full[..i]);
        }
        assert!(Authorization::parse(full).is_ok());
        assert_eq!(
            Authorization::parse("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\""),
            Err(AuthError::MissingParam("response"))
        );
    }

    #[test]
    fn round_trip_verify() {
        let ch = Challenge::parse(
            "Digest realm=\"asterisk\", nonce=\"1a2b3c\", qop=\"auth\", opaque=\"op\"",
        )
        .unwrap();
        let cnonce = new_cnonce();
        let v = authorization(&ch, &MUFASA, "REGISTER", "sip:pbx.example.com", 3, &cnonce);
        let a = Authorization::parse(&v).unwrap();
        assert_eq!(a.username, "Mufasa");
        assert_eq!(a.uri, "sip:pbx.example.com");
        assert_eq!(a.qop.as_deref(), Some("auth"));
        assert_eq!(a.nc.as_deref(), Some("00000003"));
        assert_eq!(a.cnonce.as_deref(), Some(cnonce.as_str()));
        assert_eq!(a.opaque.as_deref(), Some("op"));
        assert!(a.verify("Circle Of Life", "REGISTER"));
        assert!(!a.verify("wrong password", "REGISTER"));
        // Tampering with the nonce count breaks the digest.
        let tampered = Authorization {
            nc: Some("00000004".into()),
            ..a.clone()
        };
        assert!(!tampered.verify("Circle Of Life", "REGISTER"));
        // qop=auth without cnonce cannot verify.
        let missing = Authorization { cnonce: None, ..a };
        assert!(!missing.verify("Circle Of Life", "REGISTER"));
    }

    #[test]
    fn cnonce_shape() {
        let c = new_cnonce();
        assert_eq!(c.len(), 16);
        assert!(c
            .chars()
            .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()));
        assert_ne!(c, new_cnonce());
    }

    #[test]
    fn debug_hides_password() {
        assert!(!format!("{MUFASA:?}").contains("Circle"));
    }
}
