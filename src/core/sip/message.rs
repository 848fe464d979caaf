//! SIP requests and responses: parsing from datagrams, building, and typed access to the headers a
//! phone uses.
//!
//! Written here rather than on rsip because rsip 0.4 does not recognise compact header forms,
//! ignores Content-Length, rejects unknown methods, IPv6 hosts and `tel:` URIs, and leaves the
//! transfer headers (Refer-To, Replaces, Also, ...) untyped; the fixes would have been most of a
//! parser. Headers are kept as ordered text pairs and read through typed views on demand, which is
//! cheap and lets a message with one odd header still be answered.

use std::fmt::{self, Write as _};

use super::uri::{
    find_param, parse_host_port, parse_params, split_params, split_unquoted, NameAddr, Params, Uri,
    UriError,
};

/// The largest datagram we accept; anything longer is not a SIP message we can answer over UDP.
pub const MAX_MESSAGE: usize = 65_535;
const MAX_HEADERS: usize = 200;

/// Why a datagram is not a SIP message we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The start line is neither a request line nor a status line.
    #[error("bad start line")]
    StartLine,
    /// A header line has no colon, or its name is not a token.
    #[error("bad header line {0:?}")]
    HeaderLine(String),
    /// A required header is missing or unreadable.
    #[error("bad or missing {0} header")]
    Header(&'static str),
    /// Content-Length says more bytes than arrived.
    #[error("body shorter than Content-Length")]
    Truncated,
    /// The message is larger than a datagram can be, or has too many headers.
    #[error("message too large")]
    TooLarge,
    /// Not valid UTF-8 in the head.
    #[error("not text")]
    NotText,
    /// The request URI could not be read.
    #[error("{0}")]
    Uri(#[from] UriError),
}

/// A request that could not be fully parsed, but whose headers are good enough to answer `400`.
#[derive(Debug, Clone)]
pub struct Malformed {
    /// What was wrong.
    pub error: ParseError,
    /// The method token of the request line.
    pub method: Method,
    /// The headers that could be read.
    pub headers: Headers,
}

/// SIP methods. Unknown ones are kept so they can be answered `501 Not Implemented`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// Starts a call or changes its media.
    Invite,
    /// Confirms a final response to INVITE.
    Ack,
    /// Ends a call.
    Bye,
    /// Abandons a pending INVITE.
    Cancel,
    /// Asks for capabilities (and serves as a keepalive probe).
    Options,
    /// Binds an address of record to a contact.
    Register,
    /// Asks the recipient to contact a third party (transfer).
    Refer,
    /// Reports the state of a subscription (transfer progress).
    Notify,
    /// Subscribes to an event package.
    Subscribe,
    /// Mid-call information.
    Info,
    /// Changes session parameters before the call is answered.
    Update,
    /// Acknowledges a reliable provisional response.
    Prack,
    /// An instant message.
    Message,
    /// Any other token.
    Other(String),
}

impl Method {
    /// The method's token as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Options => "OPTIONS",
            Method::Register => "REGISTER",
            Method::Refer => "REFER",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Prack => "PRACK",
            Method::Message => "MESSAGE",
            Method::Other(s) => s,
        }
    }

    /// Reads a method token; `None` when it is not a token.
    pub fn parse(token: &str) -> Option<Method> {
        if token.is_empty() || !token.chars().all(super::uri::is_token_char) {
            return None;
        }
        Some(match token {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "OPTIONS" => Method::Options,
            "REGISTER" => Method::Register,
            "REFER" => Method::Refer,
            "NOTIFY" => Method::Notify,
            "SUBSCRIBE" => Method::Subscribe,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "PRACK" => Method::Prack,
            "MESSAGE" => Method::Message,
            other => Method::Other(other.to_owned()),
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Full header names with their canonical spelling and compact form (RFC 3261 §7.3.3, RFC 3515,
/// RFC 3892). Parsing maps both forms, in any case, to the canonical name.
const KNOWN_HEADERS: &[(&str, Option<&str>)] = &[
    ("Via", Some("v")),
    ("From", Some("f")),
    ("To", Some("t")),
    ("Call-ID", Some("i")),
    ("CSeq", None),
    ("Contact", Some("m")),
    ("Max-Forwards", None),
    ("Route", None),
    ("Record-Route", None),
    ("Content-Type", Some("c")),
    ("Content-Length", Some("l")),
    ("Content-Encoding", Some("e")),
    ("Supported", Some("k")),
    ("Subject", Some("s")),
    ("Refer-To", Some("r")),
    ("Referred-By", Some("b")),
    ("Event", Some("o")),
    ("Allow", None),
    ("Accept", None),
    ("Require", None),
    ("Unsupported", None),
    ("Warning", None),
    ("Expires", None),
    ("WWW-Authenticate", None),
    ("Proxy-Authenticate", None),
    ("Authorization", None),
    ("Proxy-Authorization", None),
    ("Subscription-State", None),
    ("Replaces", None),
    ("Also", None),
    ("Requested-By", None),
    ("User-Agent", None),
    ("Server", None),
    ("Retry-After", None),
    ("Min-Expires", None),
    ("Allow-Events", Some("u")),
];

fn canonical_name(name: &str) -> Option<&'static str> {
    KNOWN_HEADERS.iter().find_map(|(full, compact)| {
        let matches = full.eq_ignore_ascii_case(name)
            || compact.is_some_and(|c| c.eq_ignore_ascii_case(name));
        matches.then_some(*full)
    })
}

/// Headers in arrival order. Names are stored canonically for known headers, so lookups by the
/// full name find compact forms too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// An empty header list.
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    /// The first value of a header, by name (case-insensitive, compact forms understood).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    /// Every header line with this name, in order.
    pub fn all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        let name = canonical_name(name).unwrap_or(name);
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every comma-separated element of a list header (Via, Contact, Route, Allow, ...), in order.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.all(name)
            .flat_map(|v| split_unquoted(v, ','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether a header is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Appends a header line.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        let name = canonical_name(name).unwrap_or(name);
        self.0.push((name.to_owned(), value.into()));
    }

    /// Replaces every line of this header with one value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        let canonical = canonical_name(name).unwrap_or(name);
        match self
            .0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(canonical))
        {
            Some(pos) => {
                self.0[pos].1 = value;
                let mut i = 0;
                self.0.retain(|(n, _)| {
                    i += 1;
                    i - 1 == pos || !n.eq_ignore_ascii_case(canonical)
                });
            }
            None => self.0.push((canonical.to_owned(), value)),
        }
    }

    /// Removes every line of this header.
    pub fn remove(&mut self, name: &str) {
        let canonical = canonical_name(name).unwrap_or(name);
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(canonical));
    }

    /// Puts a header line first (a new top Via).
    pub fn push_front(&mut self, name: &str, value: impl Into<String>) {
        let name = canonical_name(name).unwrap_or(name);
        self.0.insert(0, (name.to_owned(), value.into()));
    }

    /// Every (name, value) pair.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The top Via.
    pub fn via(&self) -> Result<Via, ParseError> {
        self.vias()?
            .into_iter()
            .next()
            .ok_or(ParseError::Header("Via"))
    }

    /// Every Via, top first.
    pub fn vias(&self) -> Result<Vec<Via>, ParseError> {
        self.list("Via").into_iter().map(Via::parse).collect()
    }

    /// The From header.
    pub fn from(&self) -> Result<NameAddr, ParseError> {
        self.name_addr("From")
    }

    /// The To header.
    pub fn to(&self) -> Result<NameAddr, ParseError> {
        self.name_addr("To")
    }

    /// The Call-ID.
    pub fn call_id(&self) -> Result<&str, ParseError> {
        self.get("Call-ID")
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains(char::is_whitespace))
            .ok_or(ParseError::Header("Call-ID"))
    }

    /// The CSeq.
    pub fn cseq(&self) -> Result<CSeq, ParseError> {
        self.get("CSeq")
            .and_then(CSeq::parse)
            .ok_or(ParseError::Header("CSeq"))
    }

    /// Every Contact (a `*` Contact yields none).
    pub fn contacts(&self) -> Vec<NameAddr> {
        self.list("Contact")
            .into_iter()
            .filter(|v| *v != "*")
            .filter_map(|v| NameAddr::parse(v).ok())
            .collect()
    }

    /// Record-Route entries in order.
    pub fn record_routes(&self) -> Vec<NameAddr> {
        self.list("Record-Route")
            .into_iter()
            .filter_map(|v| NameAddr::parse(v).ok())
            .collect()
    }

    /// Max-Forwards (70 when absent, per RFC 3261's recommended start value).
    pub fn max_forwards(&self) -> Result<u32, ParseError> {
        match self.get("Max-Forwards") {
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| ParseError::Header("Max-Forwards")),
            None => Ok(70),
        }
    }

    /// A header holding one name-addr (From, To, Refer-To, Referred-By, Also, Requested-By).
    pub fn name_addr(&self, name: &'static str) -> Result<NameAddr, ParseError> {
        self.get(name)
            .and_then(|v| NameAddr::parse(v).ok())
            .ok_or(ParseError::Header(name))
    }

    /// The Replaces header (RFC 3891).
    pub fn replaces(&self) -> Option<Replaces> {
        self.get("Replaces").and_then(Replaces::parse)
    }

    /// The warning code of the first Warning header (`Warning: 304 host "text"`).
    pub fn warning_code(&self) -> Option<u16> {
        self.get("Warning")?.split_whitespace().next()?.parse().ok()
    }

    /// The Content-Type without parameters, lowercased.
    pub fn content_type(&self) -> Option<String> {
        self.get("Content-Type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// A value with parameters, such as Event or Subscription-State: (`refer`, [`id`=`5`]).
    pub fn with_params(&self, name: &str) -> Option<(String, Params)> {
        let v = self.get(name)?;
        let (main, params) = split_params(v);
        Some((
            main.trim().to_owned(),
            parse_params(params).unwrap_or_default(),
        ))
    }

    /// The Expires header in seconds.
    pub fn expires(&self) -> Option<u32> {
        self.get("Expires")?.trim().parse().ok()
    }
}

/// A Via header value: `SIP/2.0/UDP host:port;branch=z9hG4bK...;rport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP`, `TCP`, ...
    pub transport: String,
    /// The sent-by host.
    pub host: String,
    /// The sent-by port.
    pub port: Option<u16>,
    /// Parameters (`branch`, `rport`, `received`).
    pub params: Params,
}

impl Via {
    /// Parses one Via element.
    pub fn parse(text: &str) -> Result<Via, ParseError> {
        let bad = || ParseError::Header("Via");
        let text = text.trim();
        let (proto, rest) = text.split_once(char::is_whitespace).ok_or_else(bad)?;
        let mut parts = proto.split('/').map(str::trim);
        let (Some(name), Some(_version), Some(transport), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if !name.eq_ignore_ascii_case("SIP") {
            return Err(bad());
        }
        let (sent_by, params) = split_params(rest.trim());
        let (host, port) = parse_host_port(sent_by.trim()).ok_or_else(bad)?;
        let params = parse_params(params).ok_or_else(bad)?;
        Ok(Via {
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        })
    }

    /// The branch parameter, the transaction's identity.
    pub fn branch(&self) -> Option<&str> {
        find_param(&self.params, "branch").flatten()
    }

    /// A parameter by name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "SIP/2.0/{} {}", self.transport, host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        for (n, v) in &self.params {
            match v {
                Some(v) => write!(f, ";{n}={v}")?,
                None => write!(f, ";{n}")?,
            }
        }
        Ok(())
    }
}

/// A CSeq value: sequence number and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    /// The sequence number.
    pub seq: u32,
    /// The method it counts.
    pub method: Method,
}

impl CSeq {
    /// Parses `314159 INVITE`.
    pub fn parse(text: &str) -> Option<CSeq> {
        let mut parts = text.split_whitespace();
        let seq = parts.next()?.parse().ok()?;
        let method = Method::parse(parts.next()?)?;
        parts.next().is_none().then_some(CSeq { seq, method })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// The Replaces header (RFC 3891): which dialog an incoming INVITE takes over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaces {
    /// Call-ID of the dialog to replace.
    pub call_id: String,
    /// Its to-tag (as seen by the sender of the Replaces).
    pub to_tag: String,
    /// Its from-tag.
    pub from_tag: String,
    /// Replace only an early dialog.
    pub early_only: bool,
}

impl Replaces {
    /// Parses `callid;to-tag=a;from-tag=b[;early-only]`.
    pub fn parse(text: &str) -> Option<Replaces> {
        let (call_id, params) = split_params(text.trim());
        let params = parse_params(params)?;
        Some(Replaces {
            call_id: call_id.trim().to_owned(),
            to_tag: find_param(&params, "to-tag")??.to_owned(),
            from_tag: find_param(&params, "from-tag")??.to_owned(),
            early_only: find_param(&params, "early-only").is_some(),
        })
        .filter(|r| !r.call_id.is_empty())
    }
}

impl fmt::Display for Replaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};to-tag={};from-tag={}",
            self.call_id, self.to_tag, self.from_tag
        )?;
        if self.early_only {
            f.write_str(";early-only")?;
        }
        Ok(())
    }
}

/// A SIP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The request URI.
    pub uri: Uri,
    /// The headers.
    pub headers: Headers,
    /// The body (Content-Length is written from its size).
    pub body: Vec<u8>,
}

impl Request {
    /// A request with no headers yet.
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Serialises to wire format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let start = format!("{} {} SIP/2.0", self.method, self.uri);
        write_message(&start, &self.headers, &self.body)
    }
}

/// A SIP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response to `req` per RFC 3261 §8.2.6: Via, From, To, Call-ID and CSeq copied.
    pub fn to(req_headers: &Headers, status: u16, reason: Option<&str>) -> Response {
        let mut headers = Headers::new();
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            for v in req_headers.all(name) {
                headers.push(name, v);
            }
        }
        // A response to a request with Record-Route copies it (RFC 3261 §12.1.1).
        if (101..300).contains(&status) {
            for v in req_headers.all("Record-Route") {
                headers.push("Record-Route", v);
            }
        }
        Response {
            status,
            reason: reason.unwrap_or_else(|| reason_phrase(status)).to_owned(),
            headers,
            body: Vec::new(),
        }
    }

    /// Serialises to wire format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let start = format!("SIP/2.0 {} {}", self.status, self.reason);
        write_message(&start, &self.headers, &self.body)
    }

    /// The status line's text, such as `404 Not Found`.
    pub fn status_line(&self) -> String {
        format!("{} {}", self.status, self.reason)
    }
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

impl Message {
    /// Parses one datagram. A request with a bad line but readable headers comes back as
    /// `Err(Ok(Malformed))` so the caller can answer `400`; anything else unusable is `Err(Err(_))`.
    pub fn parse(data: &[u8]) -> Result<Message, Result<Malformed, ParseError>> {
        parse_message(data)
    }

    /// The headers of either kind.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    /// Serialises to wire format.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

fn write_message(start: &str, headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut head = String::with_capacity(512);
    head.push_str(start);
    head.push_str("\r\n");
    for (name, value) in headers.iter() {
        if name == "Content-Length" {
            continue;
        }
        let _ = write!(head, "{name}: {value}\r\n");
    }
    let _ = write!(head, "Content-Length: {}\r\n\r\n", body.len());
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The standard reason phrase for a status code.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => "Unknown",
    }
}

fn parse_message(data: &[u8]) -> Result<Message, Result<Malformed, ParseError>> {
    if data.len() > MAX_MESSAGE {
        return Err(Err(ParseError::TooLarge));
    }
    // Keepalives (CRLF, RFC 5626) and leading blank lines are not messages.
    let start = data
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .ok_or(Err(ParseError::StartLine))?;
    let data = &data[start..];
    let (head_end, body_start) = find_head_end(data).ok_or(Err(ParseError::Truncated))?;
    let head = std::str::from_utf8(&data[..head_end]).map_err(|_| Err(ParseError::NotText))?;
    let mut lines = unfold(head).into_iter();
    let start_line = lines.next().ok_or(Err(ParseError::StartLine))?;

    let mut headers = Headers::new();
    let mut header_error = None;
    for line in lines {
        if headers.0.len() >= MAX_HEADERS {
            return Err(Err(ParseError::TooLarge));
        }
        match line.split_once(':') {
            Some((name, value))
                if !name.trim().is_empty()
                    && name.trim().chars().all(super::uri::is_token_char) =>
            {
                headers.push(name.trim(), value.trim());
            }
            _ => {
                header_error.get_or_insert(ParseError::HeaderLine(line.chars().take(60).collect()));
            }
        }
    }

    let raw_body = &data[body_start..];
    let body = match headers.get("Content-Length") {
        Some(v) => match v.trim().parse::<usize>() {
            Ok(len) if len <= raw_body.len() => Ok(raw_body[..len].to_vec()),
            Ok(_) => Err(ParseError::Truncated),
            Err(_) => Err(ParseError::Header("Content-Length")),
        },
        // Over UDP the datagram's end is the body's end (RFC 3261 §18.3).
        None => Ok(raw_body.to_vec()),
    };

    if let Some(rest) = start_line.strip_prefix("SIP/2.0 ") {
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let status = code
            .parse::<u16>()
            .ok()
            .filter(|s| (100..700).contains(s))
            .ok_or(Err(ParseError::StartLine))?;
        let body = body.map_err(Err)?;
        if let Some(e) = header_error {
            return Err(Err(e));
        }
        check_required(&headers).map_err(Err)?;
        return Ok(Message::Response(Response {
            status,
            reason: reason.trim().to_owned(),
            headers,
            body,
        }));
    }

    let mut parts = start_line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Err(ParseError::StartLine));
    };
    let method = Method::parse(method).ok_or(Err(ParseError::StartLine))?;
    let malformed = |error: ParseError, headers: Headers| {
        Err(Ok(Malformed {
            error,
            method: method.clone(),
            headers,
        }))
    };
    if version != "SIP/2.0" {
        return malformed(ParseError::StartLine, headers);
    }
    if let Some(e) = header_error {
        return malformed(e, headers);
    }
    if let Err(e) = check_required(&headers) {
        return malformed(e, headers);
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => return malformed(e, headers),
    };
    let uri = match Uri::parse(uri) {
        Ok(u) => u,
        Err(e) => return malformed(ParseError::Uri(e), headers),
    };
    if headers.cseq().map(|c| c.method != method).unwrap_or(true) {
        return malformed(ParseError::Header("CSeq"), headers);
    }
    Ok(Message::Request(Request {
        method,
        uri,
        headers,
        body,
    }))
}

/// The headers without which no transaction can be matched or answered.
fn check_required(headers: &Headers) -> Result<(), ParseError> {
    headers.via()?;
    headers.from()?;
    headers.to()?;
    headers.call_id()?;
    headers.cseq()?;
    headers.max_forwards()?;
    Ok(())
}

/// Finds the blank line ending the head: returns (end of head, start of body).
fn find_head_end(data: &[u8]) -> Option<(usize, usize)> {
    let crlf = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let lf = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Splits the head into lines, joining folded continuation lines (RFC 3261 §7.3.1).
fn unfold(head: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in head.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let continues = line.starts_with([' ', '\t']) && lines.len() > 1;
        match lines.last_mut() {
            Some(last) if continues => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => lines.push(line.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const INVITE: &str = "INVITE sip:bob@127.0.0.1:5062 SIP/2.0\r\n\
v: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
t: Bob <sip:bob@127.0.0.1>\r\n\
f: \"Alice\" <sip:alice@127.0.0.1>;tag=1928301774\r\n\
i: a84b4c76e66710@127.0.0.1\r\n\
CSeq: 314159 INVITE\r\n\
m: <sip:alice@127.0.0.1:5061>\r\n\
c: application/sdp\r\n\
l: 4\r\n\
\r\n\
v=0\r\nextra";

    fn request(text: &str) -> Request {
        match Message::parse(text.as_bytes()) {
            Ok(Message::Request(r)) => r,
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn compact_forms_and_content_length() {
        let req = request(INVITE);
        assert_eq!(req.method, Method::Invite);
        assert_eq!(req.headers.call_id().unwrap(), "a84b4c76e66710@127.0.0.1");
        assert_eq!(req.headers.from().unwrap().tag(), Some("1928301774"));
        assert_eq!(req.headers.to().unwrap().tag(), None);
        assert_eq!(
            req.headers.via().unwrap().branch(),
            Some("z9hG4bK776asdhds")
        );
        assert_eq!(req.headers.via().unwrap().param("rport"), Some(None));
        assert_eq!(
            req.headers.content_type().as_deref(),
            Some("application/sdp")
        );
        assert_eq!(req.body, b"v=0\r");
        assert_eq!(req.headers.contacts()[0].uri.port, Some(5061));
    }

    #[test]
    fn round_trip_writes_full_names() {
        let req = request(INVITE);
        let text = String::from_utf8(req.to_bytes()).unwrap();
        assert!(text.starts_with("INVITE sip:bob@127.0.0.1:5062 SIP/2.0\r\nVia: SIP/2.0/UDP"));
        assert!(text.contains("\r\nCall-ID: a84b4c76e66710@127.0.0.1\r\n"));
        assert!(text.ends_with("Content-Length: 4\r\n\r\nv=0\r"));
        assert_eq!(request(&text), req);
    }

    #[test]
    fn truncated_body_is_malformed_request() {
        let text = INVITE.replace("l: 4", "l: 400");
        match Message::parse(text.as_bytes()) {
            Err(Ok(m)) => {
                assert_eq!(m.error, ParseError::Truncated);
                assert_eq!(m.method, Method::Invite);
                assert!(m.headers.via().is_ok());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_method_parses() {
        let text = INVITE
            .replace("INVITE sip", "FROB sip")
            .replace("314159 INVITE", "314159 FROB");
        assert_eq!(request(&text).method, Method::Other("FROB".into()));
    }

    #[test]
    fn response_parses() {
        let text = "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKx\r\n\
From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        let Ok(Message::Response(r)) = Message::parse(text.as_bytes()) else {
            panic!()
        };
        assert_eq!(r.status, 486);
        assert_eq!(r.reason, "Busy Here");
        assert_eq!(r.headers.cseq().unwrap().method, Method::Invite);
    }

    #[test]
    fn folded_header_and_multiple_vias() {
        let text = INVITE.replace(
            "Max-Forwards: 70\r\n",
            "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp,\r\n SIP/2.0/UDP [::1]:5070;branch=z9hG4bKq\r\nMax-Forwards: 70\r\n",
        );
        let vias = request(&text).headers.vias().unwrap();
        assert_eq!(vias.len(), 3);
        assert_eq!(vias[2].host, "::1");
        assert_eq!(
            vias[2].to_string(),
            "SIP/2.0/UDP [::1]:5070;branch=z9hG4bKq"
        );
    }

    #[test]
    fn transfer_headers_are_typed() {
        let text = INVITE.replace(
            "Max-Forwards: 70\r\n",
            "Max-Forwards: 70\r\nr: <sip:carol@h?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\nb: <sip:bob@h>\r\n\
Replaces: 425928@bobster.example.org;to-tag=7743;from-tag=6472\r\nAlso: <sip:carol@h>\r\nRequested-By: <sip:bob@h>\r\n\
Warning: 304 h \"Media type not available\"\r\nEvent: refer;id=93809824\r\nSubscription-State: terminated;reason=noresource\r\n",
        );
        let req = request(&text);
        let h = &req.headers;
        let refer_to = h.name_addr("Refer-To").unwrap();
        assert_eq!(
            Replaces::parse(refer_to.uri.header("Replaces").unwrap())
                .unwrap()
                .to_tag,
            "1"
        );
        assert_eq!(
            h.name_addr("Referred-By").unwrap().uri.user.as_deref(),
            Some("bob")
        );
        let rep = h.replaces().unwrap();
        assert_eq!(
            (
                rep.call_id.as_str(),
                rep.to_tag.as_str(),
                rep.from_tag.as_str()
            ),
            ("425928@bobster.example.org", "7743", "6472")
        );
        assert_eq!(
            h.name_addr("Also").unwrap().uri.user.as_deref(),
            Some("carol")
        );
        assert!(h.name_addr("Requested-By").is_ok());
        assert_eq!(h.warning_code(), Some(304));
        let (event, params) = h.with_params("Event").unwrap();
        assert_eq!(event, "refer");
        assert_eq!(find_param(&params, "id"), Some(Some("93809824")));
        assert_eq!(h.with_params("Subscription-State").unwrap().0, "terminated");
    }

    #[test]
    fn garbage_never_panics() {
        let samples: &[&[u8]] = &[
            b"",
            b"\r\n\r\n",
            b"\xff\xfe\x00",
            b"INVITE\r\n\r\n",
            b"SIP/2.0 99999 X\r\n\r\n",
            b"SIP/2.0\r\n\r\n",
        ];
        for s in samples {
            assert!(Message::parse(s).is_err());
        }
        let bytes = INVITE.as_bytes();
        for cut in 0..bytes.len() {
            let _ = Message::parse(&bytes[..cut]);
        }
    }

    #[test]
    fn response_copies_request_headers() {
        let req = request(INVITE);
        let resp = Response::to(&req.headers, 180, None);
        assert_eq!(resp.reason, "Ringing");
        assert_eq!(
            resp.headers.call_id().unwrap(),
            req.headers.call_id().unwrap()
        );
        assert_eq!(resp.headers.cseq().unwrap().seq, 314159);
    }

    #[test]
    fn set_replaces_all_lines() {
        let mut h = Headers::new();
        h.push("Contact", "<sip:a@b>");
        h.push("Via", "SIP/2.0/UDP x;branch=z9hG4bK1");
        h.push("m", "<sip:c@d>");
        h.set("Contact", "<sip:e@f>");
        assert_eq!(h.all("Contact").collect::<Vec<_>>(), vec!["<sip:e@f>"]);
        assert_eq!(h.iter().next().unwrap().0, "Contact");
    }
}
