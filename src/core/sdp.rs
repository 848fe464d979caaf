//! SDP offer/answer (RFC 3264) for a single audio stream.
//!
//! Parsing goes through the `sdp` crate; the SDP we write is built by hand with `format!` so that
//! its text is exactly what we want on the wire (attribute order, CRLF, no stray lines). Nothing
//! here does I/O: callers hand in bodies and get back strings and negotiated parameters.

use std::fmt;
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use ::sdp::description::common::Attribute;
use ::sdp::description::media::MediaDescription;
use ::sdp::description::session::SessionDescription;

/// Payload type we always use for telephone-event (RFC 4733) in our offers.
pub const TELEPHONE_EVENT_PT: u8 = 101;
/// Payload type we use for opus in our offers (it has no static one).
pub const OPUS_PT: u8 = 111;
/// Packetisation time we ask for, in milliseconds.
pub const PTIME_MS: u32 = 20;

const SESSION_NAME: &str = "linekey";
const RTP_AVP: &str = "RTP/AVP";

/// An audio codec linekey can send and receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Codec {
    /// Opus, 48 kHz, dynamic payload type.
    #[serde(rename = "opus")]
    Opus,
    /// G.711 µ-law, static payload type 0.
    #[serde(rename = "PCMU")]
    Pcmu,
    /// G.711 A-law, static payload type 8.
    #[serde(rename = "PCMA")]
    Pcma,
}

impl Codec {
    /// RTP clock rate in Hz.
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Opus => 48_000,
            Codec::Pcmu | Codec::Pcma => 8_000,
        }
    }

    /// The RFC 3551 static payload type, if the codec has one.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Codec::Opus => None,
            Codec::Pcmu => Some(0),
            Codec::Pcma => Some(8),
        }
    }

    /// The payload type we put in our own offers (static one, or 111 for opus).
    pub fn payload_type(self) -> u8 {
        self.static_payload_type().unwrap_or(OPUS_PT)
    }

    /// The encoding name as written in `a=rtpmap` and in configuration.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The `a=rtpmap` value after the payload type, e.g. `opus/48000/2`.
    fn rtpmap(self) -> &'static str {
        match self {
            // RFC 7587 requires opus to be signalled as two channels whatever is actually sent.
            Codec::Opus => "opus/48000/2",
            Codec::Pcmu => "PCMU/8000",
            Codec::Pcma => "PCMA/8000",
        }
    }

    /// The `a=fmtp` parameters we attach, if any.
    fn fmtp(self) -> Option<&'static str> {
        match self {
            Codec::Opus => Some("useinbandfec=1"),
            Codec::Pcmu | Codec::Pcma => None,
        }
    }

    /// Maps an rtpmap encoding name and clock rate to a codec we know.
    fn from_rtpmap(name: &str, rate: u32) -> Option<Codec> {
        let codec = name.parse::<Codec>().ok()?;
        (codec.clock_rate() == rate).then_some(codec)
    }
}

impl FromStr for Codec {
    type Err = SdpError;

    /// Case-insensitive, because encoding names in SDP are (RFC 4855 §3).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Codec::Opus, Codec::Pcmu, Codec::Pcma]
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SdpError::Parse(format!("unknown codec `{s}`")))
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Media stream direction (RFC 3264 §5.1), from the point of view of whoever wrote the SDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Sends and receives.
    SendRecv,
    /// Sends only.
    SendOnly,
    /// Receives only.
    RecvOnly,
    /// Neither sends nor receives.
    Inactive,
}

impl Direction {
    /// The attribute name, e.g. `sendrecv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Parses a direction attribute name (exact, as SDP attribute names are case-sensitive).
    pub fn from_attribute(name: &str) -> Option<Direction> {
        match name {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }

    /// Whether this side sends media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether this side receives media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// Builds a direction from its send and receive halves.
    pub fn from_parts(sends: bool, receives: bool) -> Direction {
        match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// The direction seen from the other end: their sendonly is our recvonly.
    pub fn reverse(self) -> Direction {
        Direction::from_parts(self.receives(), self.sends())
    }

    /// What both directions allow, e.g. to apply our own hold to a negotiated direction.
    pub fn intersect(self, other: Direction) -> Direction {
        Direction::from_parts(
            self.sends() && other.sends(),
            self.receives() && other.receives(),
        )
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How we put a call on hold in our offers (the `calls.hold_style` setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HoldStyle {
    /// RFC 2543 style, as old Cisco phones do: `c=IN IP4 0.0.0.0` and no direction attribute.
    #[default]
    ZeroAddress,
    /// RFC 3264 style: our real address and `a=sendonly`.
    // One word in settings, like the SDP attribute, not kebab-cased "send-only".
    #[serde(rename = "sendonly")]
    SendOnly,
}

/// What we offer or answer with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalMedia {
    /// Address we receive RTP on (goes in `c=` and `o=`).
    pub addr: IpAddr,
    /// Port we receive RTP on.
    pub port: u16,
    /// Codecs we support, most preferred first.
    pub codecs: Vec<Codec>,
    /// `o=` session id, stable for the dialog.
    pub session_id: u64,
    /// `o=` session version; [`next_version`] moves it on when a new SDP in the dialog differs.
    pub version: u64,
    /// `o=` username.
    pub username: String,
}

/// One m-line of a remote description, kept so an answer can mirror every m-line (RFC 3264 §6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaLine {
    /// Media type, e.g. `audio` or `video`.
    pub media: String,
    /// Transport protocol, e.g. `RTP/AVP`.
    pub proto: String,
    /// First format listed; a rejected m-line still needs one.
    pub format: String,
}

/// A telephone-event (RFC 4733) payload type and its clock rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// RTP payload type.
    pub payload_type: u8,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
}

/// The media description of the other side, as far as a softphone cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteMedia {
    /// `c=` address of the audio m-line, or the session-level one.
    pub addr: IpAddr,
    /// Audio port; 0 means the stream is rejected/disabled.
    pub port: u16,
    /// Transport protocol of the audio m-line (we only speak `RTP/AVP`).
    pub proto: String,
    /// Codecs we know, with the peer's payload types, in the peer's order.
    pub codecs: Vec<(u8, Codec)>,
    /// Every telephone-event payload type offered, in the peer's order.
    pub telephone_events: Vec<TelephoneEvent>,
    /// Direction attribute (media level wins over session level; default sendrecv).
    pub direction: Direction,
    /// Whether the address is `0.0.0.0` (RFC 2543 hold).
    pub zero_address: bool,
    /// `a=ptime`, if given.
    pub ptime: Option<u32>,
    /// Index of the audio m-line among `m_lines`.
    pub audio_index: usize,
    /// All m-lines of the description, in order.
    pub m_lines: Vec<MediaLine>,
}

impl RemoteMedia {
    /// Parses an SDP body; errors for unparsable SDP or no audio m-line.
    pub fn parse(body: &str) -> Result<RemoteMedia, SdpError> {
        let desc = SessionDescription::unmarshal(&mut Cursor::new(body.as_bytes()))
            .map_err(|e| SdpError::Parse(e.to_string()))?;

        let m_lines: Vec<MediaLine> = desc
            .media_descriptions
            .iter()
            .map(|m| MediaLine {
                media: m.media_name.media.clone(),
                proto: m.media_name.protos.join("/"),
                format: m.media_name.formats.first().cloned().unwrap_or_default(),
            })
            .collect();

        // Prefer a live RTP/AVP audio stream; fall back to any audio one so that a rejected
        // (port 0) or SRTP-only stream is still reported rather than looking like no audio.
        let is_audio = |m: &&MediaDescription| m.media_name.media == "audio";
        let audio = desc
            .media_descriptions
            .iter()
            .enumerate()
            .filter(|(_, m)| is_audio(m));
        let (audio_index, media) = audio
            .clone()
            .find(|(i, m)| m.media_name.port.value != 0 && m_lines[*i].proto == RTP_AVP)
            .or_else(|| audio.clone().find(|(i, _)| m_lines[*i].proto == RTP_AVP))
            .or_else(|| audio.clone().next())
            .ok_or(SdpError::NoAudio)?;

        let port = u16::try_from(media.media_name.port.value)
            .map_err(|_| SdpError::Parse("bad port".into()))?;

        let connection = media
            .connection_information
            .as_ref()
            .or(desc.connection_information.as_ref())
            .and_then(|c| c.address.as_ref())
            .ok_or_else(|| SdpError::Parse("no connection address".into()))?;
        // Strip a multicast TTL/range suffix; hostnames are legal SDP but unusable sans DNS.
        let addr_text = connection.address.split('/').next().unwrap_or_default();
        let addr = addr_text
            .parse::<IpAddr>()
            .map_err(|_| SdpError::Parse(format!("unusable address `{addr_text}`")))?;

        let (codecs, telephone_events) = payloads(media);

        let direction = direction_of(&media.attributes)
            .or_else(|| direction_of(&desc.attributes))
            .unwrap_or(Direction::SendRecv);

        let ptime = attribute(&media.attributes, "ptime")
            .or_else(|| attribute(&desc.attributes, "ptime"))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|&p| p > 0);

        Ok(RemoteMedia {
            addr,
            port,
            proto: m_lines[audio_index].proto.clone(),
            codecs,
            telephone_events,
            direction,
            zero_address: addr.is_unspecified(),
            ptime,
            audio_index,
            m_lines,
        })
    }

    /// Whether this description puts us on hold (a=sendonly, a=inactive, or c=0.0.0.0): its
    /// writer will not receive what we send. A `recvonly` peer only listens, which is no hold.
    ///
    /// Port 0 is a rejected stream, not hold; see [`RemoteMedia::is_rejected`].
    pub fn is_hold(&self) -> bool {
        self.zero_address || !self.direction.receives()
    }

    /// Whether the audio stream is rejected or disabled (port 0).
    pub fn is_rejected(&self) -> bool {
        self.port == 0
    }

    /// The first telephone-event payload type, preferring one at `clock_rate`, else at 8 kHz.
    pub fn telephone_event_for(&self, clock_rate: u32) -> Option<TelephoneEvent> {
        let at = |rate: u32| {
            self.telephone_events
                .iter()
                .find(|t| t.clock_rate == rate)
                .copied()
        };
        at(clock_rate).or_else(|| at(8_000))
    }

    /// The address RTP goes to.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.addr, self.port)
    }
}

/// The result of negotiation: the codec chosen and payload types to use in each direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The codec to send and expect.
    pub codec: Codec,
    /// Payload type for RTP we send (the one the peer listed for `codec`).
    pub payload_type: u8,
    /// Payload type of `codec` in our own SDP, i.e. what we expect to receive.
    pub local_payload_type: u8,
    /// telephone-event payload type and clock, if both sides support it.
    pub telephone_event: Option<TelephoneEvent>,
    /// Where to send RTP (may be `0.0.0.0` when the peer holds us).
    pub remote_addr: SocketAddr,
    /// Our direction: whether we should send and/or expect media.
    pub direction: Direction,
    /// Packetisation time the peer asked for, else 20 ms.
    pub ptime: u32,
}

/// Errors from parsing or negotiating SDP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// The body is not SDP we can understand.
    #[error("invalid SDP: {0}")]
    Parse(String),
    /// The SDP has no audio m-line.
    #[error("no audio stream in SDP")]
    NoAudio,
    /// No codec (or transport) in common.
    #[error("no common codec")]
    Incompatible,
    /// The audio stream has port 0: the peer refused or disabled it.
    #[error("audio stream rejected")]
    Rejected,
}

/// Builds an offer. `hold` puts the stream on hold in the given style; `held` says the peer
/// holds us, so we do not offer to send (RFC 3264 §8.4: `inactive` when both hold, `recvonly`
/// when only the peer does). A zero-address hold carries no direction attribute at all.
pub fn offer(local: &LocalMedia, hold: Option<HoldStyle>, held: bool) -> String {
    let payloads: Vec<(u8, Codec)> = local
        .codecs
        .iter()
        .map(|&c| (c.payload_type(), c))
        .collect();
    let te = TelephoneEvent {
        payload_type: TELEPHONE_EVENT_PT,
        clock_rate: 8_000,
    };
    let (zero, direction) = match hold {
        // Old Cisco phones send only the zero address (seed figure B-3); a direction attribute
        // alongside it confuses some of the RFC 2543 era peers this style exists for.
        Some(HoldStyle::ZeroAddress) => (true, None),
        _ => (false, Some(hold_direction(hold, held))),
    };
    write_sdp(local, zero, &payloads, Some(te), direction, &[], 0)
}

/// The most our stream may do while `hold` (ours, in its style) and `held` (the peer's) are in
/// effect: what our offers say, and the limit on what an answer can start.
///
/// A zero-address hold stops our sending too: the seed's phones send no RTP while holding
/// (figure B-2, step 13), and the peer cannot send to 0.0.0.0.
pub fn hold_direction(hold: Option<HoldStyle>, held: bool) -> Direction {
    match hold {
        None => Direction::from_parts(!held, true),
        Some(HoldStyle::SendOnly) => Direction::from_parts(!held, false),
        Some(HoldStyle::ZeroAddress) => Direction::Inactive,
    }
}

/// Gives `body`, an SDP we wrote from `local`, the `o=` version RFC 3264 §8 asks for: the
/// version of `previous` (the last SDP we sent in the session) when nothing else changed, the
/// next one when something did. `local.version` follows, so later bodies start from it.
pub fn next_version(local: &mut LocalMedia, previous: Option<&str>, body: String) -> String {
    if previous.is_none_or(|p| p == body) {
        return body;
    }
    let old = origin(local);
    local.version += 1;
    body.replacen(&old, &origin(local), 1)
}

/// Answers a remote offer.
///
/// The answer lists the codecs common to both sides in the offerer's order and the first of
/// them is used (RFC 3264 §6.1 lets the offerer's preference stand; this avoids a mismatch
/// where each side sends a different codec). Payload types mirror the offer's. Our direction
/// is the reverse of the offer's; against a zero-address hold we answer `recvonly` with our
/// real address. `hold` lets us answer while we hold (a sendrecv offer gets `sendonly`).
/// Other m-lines (video, ...) are rejected with port 0, as RFC 3264 §6 requires.
pub fn answer(
    offer: &RemoteMedia,
    local: &LocalMedia,
    hold: Option<HoldStyle>,
) -> Result<(String, Negotiated), SdpError> {
    if offer.is_rejected() {
        return Err(SdpError::Rejected);
    }
    if offer.proto != RTP_AVP {
        return Err(SdpError::Incompatible);
    }
    let mut common: Vec<(u8, Codec)> = Vec::new();
    for &(pt, codec) in &offer.codecs {
        if local.codecs.contains(&codec) && !common.iter().any(|&(_, c)| c == codec) {
            common.push((pt, codec));
        }
    }
    let &(payload_type, codec) = common.first().ok_or(SdpError::Incompatible)?;
    let te = offer.telephone_event_for(codec.clock_rate());

    let mut direction = offer.direction.reverse();
    if offer.zero_address {
        // Nothing can be sent to 0.0.0.0.
        direction = direction.intersect(Direction::RecvOnly);
    }
    if hold.is_some() {
        direction = direction.intersect(Direction::SendOnly);
    }
    let zero = hold == Some(HoldStyle::ZeroAddress);
    let text = write_sdp(
        local,
        zero,
        &common,
        te,
        Some(direction),
        &offer.m_lines,
        offer.audio_index,
    );
    let negotiated = Negotiated {
        codec,
        payload_type,
        local_payload_type: payload_type,
        telephone_event: te,
        remote_addr: offer.socket_addr(),
        direction,
        ptime: offer.ptime.unwrap_or(PTIME_MS),
    };
    Ok((text, negotiated))
}

/// Reads the answer to our offer: the codec is the first one in the answer that we offered.
///
/// Our direction is the reverse of the answer's (less sending if it has the zero address). It
/// assumes we offered sendrecv; after any other offer, intersect it with [`hold_direction`].
pub fn negotiate_answer(answer: &RemoteMedia, local: &LocalMedia) -> Result<Negotiated, SdpError> {
    if answer.is_rejected() {
        return Err(SdpError::Rejected);
    }
    if answer.proto != RTP_AVP {
        return Err(SdpError::Incompatible);
    }
    let &(payload_type, codec) = answer
        .codecs
        .iter()
        .find(|(_, c)| local.codecs.contains(c))
        .ok_or(SdpError::Incompatible)?;
    let mut direction = answer.direction.reverse();
    if answer.zero_address {
        direction = direction.intersect(Direction::RecvOnly);
    }
    Ok(Negotiated {
        codec,
        payload_type,
        local_payload_type: codec.payload_type(),
        telephone_event: answer.telephone_event_for(codec.clock_rate()),
        remote_addr: answer.socket_addr(),
        direction,
        ptime: answer.ptime.unwrap_or(PTIME_MS),
    })
}

/// Writes one SDP body: our audio m-line at `audio_index` among `m_lines` (rejected copies of
/// the peer's other m-lines), or just the audio m-line when `m_lines` is empty.
fn write_sdp(
    local: &LocalMedia,
    zero_address: bool,
    payloads: &[(u8, Codec)],
    te: Option<TelephoneEvent>,
    direction: Option<Direction>,
    m_lines: &[MediaLine],
    audio_index: usize,
) -> String {
    let c_addr = if zero_address {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    } else {
        local.addr
    };

    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(s);
        out.push_str("\r\n");
    };
    line("v=0");
    line(&origin(local));
    line(&format!("s={SESSION_NAME}"));
    line(&format!("c=IN {} {c_addr}", ip_type(c_addr)));
    line("t=0 0");

    let audio_block = |line: &mut dyn FnMut(&str)| {
        let mut fmts: Vec<String> = payloads.iter().map(|(pt, _)| pt.to_string()).collect();
        fmts.extend(te.map(|t| t.payload_type.to_string()));
        line(&format!(
            "m=audio {} {RTP_AVP} {}",
            local.port,
            fmts.join(" ")
        ));
        for &(pt, codec) in payloads {
            line(&format!("a=rtpmap:{pt} {}", codec.rtpmap()));
            if let Some(fmtp) = codec.fmtp() {
                line(&format!("a=fmtp:{pt} {fmtp}"));
            }
        }
        if let Some(t) = te {
            line(&format!(
                "a=rtpmap:{} telephone-event/{}",
                t.payload_type, t.clock_rate
            ));
            line(&format!("a=fmtp:{} 0-16", t.payload_type));
        }
        line(&format!("a=ptime:{PTIME_MS}"));
        if let Some(d) = direction {
            line(&format!("a={d}"));
        }
    };

    if m_lines.is_empty() {
        audio_block(&mut line);
    } else {
        for (i, m) in m_lines.iter().enumerate() {
            if i == audio_index {
                audio_block(&mut line);
            } else {
                let format = if m.format.is_empty() { "0" } else { &m.format };
                line(&format!("m={} 0 {} {format}", m.media, m.proto));
            }
        }
    }
    out
}

/// `IP4` or `IP6`, for `o=` and `c=` lines.
fn ip_type(addr: IpAddr) -> &'static str {
    if addr.is_ipv4() {
        "IP4"
    } else {
        "IP6"
    }
}

/// Our `o=` line, without its CRLF.
fn origin(local: &LocalMedia) -> String {
    // The o= username is a single token; anything else would break the line.
    let username: String = local
        .username
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    let username = if username.is_empty() {
        "-"
    } else {
        username.as_str()
    };
    format!(
        "o={username} {} {} IN {} {}",
        local.session_id,
        local.version,
        ip_type(local.addr),
        local.addr
    )
}

/// The value of the first attribute named `key`.
fn attribute<'a>(attrs: &'a [Attribute], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_deref())
}

/// The last direction attribute in a list, if any (the last one wins if a peer repeats it).
fn direction_of(attrs: &[Attribute]) -> Option<Direction> {
    attrs
        .iter()
        .filter(|a| a.value.is_none())
        .filter_map(|a| Direction::from_attribute(&a.key))
        .next_back()
}

/// Known codecs and telephone-events of an m-line, in the m-line's format order.
fn payloads(media: &MediaDescription) -> (Vec<(u8, Codec)>, Vec<TelephoneEvent>) {
    let mut codecs = Vec::new();
    let mut events = Vec::new();
    for fmt in &media.media_name.formats {
        let Ok(pt) = fmt.parse::<u8>() else { continue };
        if pt > 127 {
            continue;
        }
        match rtpmap_of(&media.attributes, pt) {
            Some((name, rate)) => {
                if name.eq_ignore_ascii_case("telephone-event") {
                    events.push(TelephoneEvent {
                        payload_type: pt,
                        clock_rate: rate,
                    });
                } else if let Some(codec) = Codec::from_rtpmap(&name, rate) {
                    codecs.push((pt, codec));
                }
            }
            // Static payload types need no rtpmap (RFC 3551), and many phones omit it.
            None => match pt {
                0 => codecs.push((pt, Codec::Pcmu)),
                8 => codecs.push((pt, Codec::Pcma)),
                _ => {}
            },
        }
    }
    (codecs, events)
}

/// The encoding name and clock rate from `a=rtpmap:<pt> <name>/<rate>[/<channels>]`.
fn rtpmap_of(attrs: &[Attribute], pt: u8) -> Option<(String, u32)> {
    attrs
        .iter()
        .filter(|a| a.key == "rtpmap")
        .filter_map(|a| a.value.as_deref())
        .find_map(|v| {
            let (num, rest) = v.trim().split_once(char::is_whitespace)?;
            if num.parse::<u8>().ok()? != pt {
                return None;
            }
            let mut parts = rest.trim().split('/');
            let name = parts.next()?.trim().to_string();
            let rate = parts.next()?.trim().parse::<u32>().ok()?;
            Some((name, rate))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CISCO_HOLD: &str = include_str!("../../tests/fixtures/cisco_hold_offer.sdp");
    const BARESIP: &str = include_str!("../../tests/fixtures/baresip_offer.sdp");
    const LINPHONE: &str = include_str!("../../tests/fixtures/linphone_offer.sdp");

    fn local() -> LocalMedia {
        LocalMedia {
            addr: "127.0.0.1".parse().unwrap(),
            port: 20000,
            codecs: vec![Codec::Opus, Codec::Pcmu, Codec::Pcma],
            session_id: 1234,
            version: 1,
            username: "alice".into(),
        }
    }

    /// A minimal offer with the given m-line formats and extra media-level lines.
    fn remote(formats: &str, extra: &[&str]) -> String {
        let mut s = String::from(
            "v=0\r\no=bob 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n",
        );
        s.push_str(&format!("m=audio 30000 RTP/AVP {formats}\r\n"));
        for l in extra {
            s.push_str(l);
            s.push_str("\r\n");
        }
        s
    }

    #[test]
    fn offer_text_is_exact() {
        let expected = "v=0\r\n\
            o=alice 1234 1 IN IP4 127.0.0.1\r\n\
            s=linekey\r\n\
            c=IN IP4 127.0.0.1\r\n\
            t=0 0\r\n\
            m=audio 20000 RTP/AVP 111 0 8 101\r\n\
            a=rtpmap:111 opus/48000/2\r\n\
            a=fmtp:111 useinbandfec=1\r\n\
            a=rtpmap:0 PCMU/8000\r\n\
            a=rtpmap:8 PCMA/8000\r\n\
            a=rtpmap:101 telephone-event/8000\r\n\
            a=fmtp:101 0-16\r\n\
            a=ptime:20\r\n\
            a=sendrecv\r\n";
        assert_eq!(offer(&local(), None, false), expected);
    }

    #[test]
    fn offer_without_opus_and_hold_styles() {
        let mut l = local();
        l.codecs = vec![Codec::Pcma];
        let text = offer(&l, Some(HoldStyle::SendOnly), false);
        assert!(text.contains("m=audio 20000 RTP/AVP 8 101\r\n"));
        assert!(!text.contains("opus"));
        assert!(text.contains("c=IN IP4 127.0.0.1\r\n"));
        assert!(text.ends_with("a=sendonly\r\n"));

        let text = offer(&l, Some(HoldStyle::ZeroAddress), false);
        assert!(text.contains("o=alice 1234 1 IN IP4 127.0.0.1\r\n"));
        assert!(text.contains("c=IN IP4 0.0.0.0\r\n"));
        assert!(!text.contains("a=send") && !text.contains("a=recv"));
        let parsed = RemoteMedia::parse(&text).unwrap();
        assert!(parsed.is_hold());
    }

    #[test]
    fn offers_while_the_peer_holds_us() {
        let cases = [
            (None, false, "a=sendrecv"),
            (None, true, "a=recvonly"),
            (Some(HoldStyle::SendOnly), false, "a=sendonly"),
            (Some(HoldStyle::SendOnly), true, "a=inactive"),
        ];
        for (hold, held, want) in cases {
            let text = offer(&local(), hold, held);
            assert!(
                text.ends_with(&format!("{want}\r\n")),
                "{hold:?} {held}: {text}"
            );
            assert!(text.contains("c=IN IP4 127.0.0.1\r\n"));
        }
        let text = offer(&local(), Some(HoldStyle::ZeroAddress), true);
        assert!(text.contains("c=IN IP4 0.0.0.0\r\n"));
        assert!(text.ends_with("a=ptime:20\r\n"), "{text}");
    }

    #[test]
    fn hold_direction_limits_the_stream() {
        use Direction::*;
        assert_eq!(hold_direction(None, false), SendRecv);
        assert_eq!(hold_direction(None, true), RecvOnly);
        assert_eq!(hold_direction(Some(HoldStyle::SendOnly), false), SendOnly);
        assert_eq!(hold_direction(Some(HoldStyle::SendOnly), true), Inactive);
        assert_eq!(
            hold_direction(Some(HoldStyle::ZeroAddress), false),
            Inactive
        );
    }

    #[test]
    fn hold_is_what_the_peer_will_not_receive() {
        for (attr, hold) in [
            ("a=sendonly", true),
            ("a=inactive", true),
            ("a=recvonly", false),
            ("a=sendrecv", false),
        ] {
            let r = RemoteMedia::parse(&remote("0", &[attr])).unwrap();
            assert_eq!(r.is_hold(), hold, "{attr}");
        }
    }

    #[test]
    fn version_moves_only_when_the_description_changes() {
        let mut l = local();
        let first = offer(&l, None, false);
        assert_eq!(next_version(&mut l, None, first.clone()), first);
        let again = offer(&l, None, false);
        let same = next_version(&mut l, Some(&first), again);
        assert_eq!(same, first);
        assert_eq!(l.version, 1);

        let hold = offer(&l, Some(HoldStyle::SendOnly), false);
        let hold = next_version(&mut l, Some(&same), hold);
        assert_eq!(l.version, 2);
        assert!(
            hold.contains("o=alice 1234 2 IN IP4 127.0.0.1\r\n"),
            "{hold}"
        );
        assert!(hold.ends_with("a=sendonly\r\n"));
        let resume = offer(&l, None, false);
        let resume = next_version(&mut l, Some(&hold), resume);
        assert!(
            resume.contains("o=alice 1234 3 IN IP4 127.0.0.1\r\n"),
            "{resume}"
        );
        assert_eq!(l.version, 3);
    }

    #[test]
    fn round_trip() {
        let parsed = RemoteMedia::parse(&offer(&local(), None, false)).unwrap();
        assert_eq!(
            parsed.codecs,
            vec![(111, Codec::Opus), (0, Codec::Pcmu), (8, Codec::Pcma)]
        );
        assert_eq!(parsed.port, 20000);
        assert_eq!(parsed.addr, "127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(parsed.direction, Direction::SendRecv);
        assert_eq!(parsed.ptime, Some(20));
        assert_eq!(
            parsed.telephone_events,
            vec![TelephoneEvent {
                payload_type: 101,
                clock_rate: 8000
            }]
        );
        assert!(!parsed.is_hold());

        let mut v6 = local();
        v6.addr = "2001:db8::1".parse().unwrap();
        let text = offer(&v6, None, false);
        assert!(text.contains("c=IN IP6 2001:db8::1\r\n"));
        assert_eq!(RemoteMedia::parse(&text).unwrap().addr, v6.addr);
    }

    #[test]
    fn cisco_zero_address_offer_is_hold() {
        let r = RemoteMedia::parse(CISCO_HOLD).unwrap();
        assert!(r.zero_address);
        assert!(r.is_hold());
        assert_eq!(r.port, 49172);
        assert_eq!(r.codecs, vec![(0, Codec::Pcmu)]);
        assert_eq!(r.direction, Direction::SendRecv);

        let (text, n) = answer(&r, &local(), None).unwrap();
        assert_eq!(n.direction, Direction::RecvOnly);
        assert_eq!(n.codec, Codec::Pcmu);
        assert!(text.contains("c=IN IP4 127.0.0.1\r\n"));
        assert!(text.contains("m=audio 20000 RTP/AVP 0\r\n"));
        assert!(text.ends_with("a=recvonly\r\n"));
    }

    #[test]
    fn answer_picks_pcmu_from_0_8() {
        let r = RemoteMedia::parse(&remote("0 8", &[])).unwrap();
        let (text, n) = answer(&r, &local(), None).unwrap();
        assert_eq!(n.codec, Codec::Pcmu);
        assert_eq!(n.payload_type, 0);
        assert_eq!(n.telephone_event, None);
        assert_eq!(n.direction, Direction::SendRecv);
        assert_eq!(n.remote_addr, "10.0.0.2:30000".parse().unwrap());
        assert!(text.contains("m=audio 20000 RTP/AVP 0 8\r\n"));
        assert!(!text.contains("telephone-event"));
        assert!(text.ends_with("a=sendrecv\r\n"));
        let back = RemoteMedia::parse(&text).unwrap();
        assert_eq!(back.codecs, vec![(0, Codec::Pcmu), (8, Codec::Pcma)]);
    }

    #[test]
    fn answer_g729_only_is_incompatible() {
        let r = RemoteMedia::parse(&remote("18", &["a=rtpmap:18 G729/8000"])).unwrap();
        assert!(r.codecs.is_empty());
        assert_eq!(
            answer(&r, &local(), None).unwrap_err(),
            SdpError::Incompatible
        );
    }

    #[test]
    fn answer_mirrors_direction() {
        let cases = [
            ("a=sendonly", None, Direction::RecvOnly),
            ("a=inactive", None, Direction::Inactive),
            ("a=recvonly", None, Direction::SendOnly),
            ("a=sendrecv", Some(HoldStyle::SendOnly), Direction::SendOnly),
            ("a=sendonly", Some(HoldStyle::SendOnly), Direction::Inactive),
        ];
        for (attr, hold, want) in cases {
            let r = RemoteMedia::parse(&remote("8", &[attr])).unwrap();
            let (text, n) = answer(&r, &local(), hold).unwrap();
            assert_eq!(n.direction, want, "{attr} {hold:?}");
            assert!(text.ends_with(&format!("a={want}\r\n")), "{text}");
        }
    }

    #[test]
    fn answer_while_holding_zero_address() {
        let r = RemoteMedia::parse(&remote("0", &[])).unwrap();
        let (text, n) = answer(&r, &local(), Some(HoldStyle::ZeroAddress)).unwrap();
        assert_eq!(n.direction, Direction::SendOnly);
        assert!(text.contains("c=IN IP4 0.0.0.0\r\n"));
        assert!(text.ends_with("a=sendonly\r\n"));
    }

    #[test]
    fn session_level_direction_and_media_override() {
        let session = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
                       a=sendonly\r\nm=audio 30000 RTP/AVP 0\r\n";
        assert_eq!(
            RemoteMedia::parse(session).unwrap().direction,
            Direction::SendOnly
        );
        let both = format!("{session}a=inactive\r\n");
        assert_eq!(
            RemoteMedia::parse(&both).unwrap().direction,
            Direction::Inactive
        );
    }

    #[test]
    fn media_level_connection_wins() {
        let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
                    m=audio 30000 RTP/AVP 0\r\nc=IN IP4 10.0.0.9\r\n";
        assert_eq!(
            RemoteMedia::parse(text).unwrap().addr,
            "10.0.0.9".parse::<IpAddr>().unwrap()
        );
        let media_only = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nt=0 0\r\n\
                          m=audio 30000 RTP/AVP 0\r\nc=IN IP4 10.0.0.7\r\n";
        assert_eq!(
            RemoteMedia::parse(media_only).unwrap().addr,
            "10.0.0.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn negotiate_answer_uses_answer_order() {
        let r = RemoteMedia::parse(&remote(
            "8 0 101",
            &["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"],
        ))
        .unwrap();
        let n = negotiate_answer(&r, &local()).unwrap();
        assert_eq!(n.codec, Codec::Pcma);
        assert_eq!(n.payload_type, 8);
        assert_eq!(n.local_payload_type, 8);
        assert_eq!(n.telephone_event.map(|t| t.payload_type), Some(101));
        assert_eq!(n.direction, Direction::SendRecv);

        // A different dynamic PT for opus in the answer is what we send with.
        let r = RemoteMedia::parse(&remote("96 0", &["a=rtpmap:96 opus/48000/2"])).unwrap();
        let n = negotiate_answer(&r, &local()).unwrap();
        assert_eq!(
            (n.codec, n.payload_type, n.local_payload_type),
            (Codec::Opus, 96, 111)
        );

        let r = RemoteMedia::parse(&remote("0", &["a=recvonly"])).unwrap();
        assert_eq!(
            negotiate_answer(&r, &local()).unwrap().direction,
            Direction::SendOnly
        );
    }

    #[test]
    fn port_zero_is_rejected() {
        let text = remote("0", &[]).replace("30000", "0");
        let r = RemoteMedia::parse(&text).unwrap();
        assert!(r.is_rejected());
        assert!(!r.is_hold());
        assert_eq!(
            negotiate_answer(&r, &local()).unwrap_err(),
            SdpError::Rejected
        );
        assert_eq!(answer(&r, &local(), None).unwrap_err(), SdpError::Rejected);
    }

    #[test]
    fn srtp_only_is_incompatible() {
        let text = remote("0", &[]).replace("RTP/AVP", "RTP/SAVP");
        let r = RemoteMedia::parse(&text).unwrap();
        assert_eq!(
            answer(&r, &local(), None).unwrap_err(),
            SdpError::Incompatible
        );
    }

    #[test]
    fn no_audio() {
        let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
                    m=video 30000 RTP/AVP 96\r\n";
        assert_eq!(RemoteMedia::parse(text).unwrap_err(), SdpError::NoAudio);
        let none = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nt=0 0\r\n";
        assert_eq!(RemoteMedia::parse(none).unwrap_err(), SdpError::NoAudio);
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "\r\n",
            "hello world",
            "v=0",
            "v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\n",
            "v=0\r\no=alice\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 99999 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 host.example\r\nt=0 0\r\n\
             m=audio 5 RTP/AVP 0\r\n",
            "\u{0}\u{1}=\u{ff}",
        ] {
            assert!(RemoteMedia::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        let text = offer(&local(), None, false);
        for end in 0..text.len() {
            let _ = RemoteMedia::parse(&text[..end]);
        }
        // A tiny deterministic generator: flip characters of a valid body.
        let mut seed: u32 = 0x1234_5678;
        let alphabet = b"v=oscmta:/ 0123456789\r\nIP4RTP";
        for _ in 0..2000 {
            let mut bytes = LINPHONE.as_bytes().to_vec();
            for _ in 0..4 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let pos = (seed >> 8) as usize % bytes.len();
                bytes[pos] = alphabet[(seed >> 20) as usize % alphabet.len()];
            }
            let _ = RemoteMedia::parse(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn baresip_offer() {
        let r = RemoteMedia::parse(BARESIP).unwrap();
        assert_eq!(
            r.codecs,
            vec![(96, Codec::Opus), (0, Codec::Pcmu), (8, Codec::Pcma)]
        );
        assert_eq!(r.addr, "192.168.1.10".parse::<IpAddr>().unwrap());
        assert_eq!(r.port, 10002);
        assert_eq!(r.ptime, Some(20));
        let (text, n) = answer(&r, &local(), None).unwrap();
        assert_eq!((n.codec, n.payload_type), (Codec::Opus, 96));
        assert_eq!(
            n.telephone_event,
            Some(TelephoneEvent {
                payload_type: 101,
                clock_rate: 8000
            })
        );
        assert!(text.contains("m=audio 20000 RTP/AVP 96 0 8 101\r\n"));
        assert!(text.contains("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n"));

        // Without opus locally we fall back to the offerer's next choice.
        let mut l = local();
        l.codecs = vec![Codec::Pcma, Codec::Pcmu];
        let (_, n) = answer(&r, &l, None).unwrap();
        assert_eq!(n.codec, Codec::Pcmu);
    }

    #[test]
    fn linphone_offer() {
        let r = RemoteMedia::parse(LINPHONE).unwrap();
        assert_eq!(
            r.codecs,
            vec![(96, Codec::Opus), (0, Codec::Pcmu), (8, Codec::Pcma)]
        );
        assert_eq!(r.audio_index, 0);
        assert_eq!(r.m_lines.len(), 2);
        let (text, n) = answer(&r, &local(), None).unwrap();
        assert_eq!(n.codec, Codec::Opus);
        // Matching clock rate wins over the 8 kHz event.
        assert_eq!(n.telephone_event.map(|t| t.payload_type), Some(101));
        assert!(text.contains("a=rtpmap:101 telephone-event/48000\r\n"));
        assert!(
            text.ends_with("a=sendrecv\r\nm=video 0 RTP/AVP 96\r\n"),
            "{text}"
        );

        let mut l = local();
        l.codecs = vec![Codec::Pcmu];
        let (text, n) = answer(&r, &l, None).unwrap();
        assert_eq!(n.codec, Codec::Pcmu);
        assert_eq!(n.telephone_event.map(|t| t.payload_type), Some(100));
        assert!(text.contains("m=audio 20000 RTP/AVP 0 100\r\n"));
        let back = RemoteMedia::parse(&text).unwrap();
        assert_eq!(back.m_lines.len(), 2);
        assert_eq!(back.codecs, vec![(0, Codec::Pcmu)]);
    }

    #[test]
    fn codec_names() {
        assert_eq!("OPUS".parse::<Codec>().unwrap(), Codec::Opus);
        assert_eq!("pcmu".parse::<Codec>().unwrap(), Codec::Pcmu);
        assert!("g729".parse::<Codec>().is_err());
        assert_eq!(Codec::Pcma.to_string(), "PCMA");
        assert_eq!(Codec::Opus.static_payload_type(), None);
        assert_eq!(Codec::Pcma.static_payload_type(), Some(8));
        assert_eq!(Codec::Opus.clock_rate(), 48_000);
        let json = serde_json::to_string(&[Codec::Opus, Codec::Pcmu, Codec::Pcma]).unwrap();
        assert_eq!(json, r#"["opus","PCMU","PCMA"]"#);
        let back: Vec<Codec> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![Codec::Opus, Codec::Pcmu, Codec::Pcma]);
    }

    #[test]
    fn case_insensitive_rtpmap_and_wrong_rate() {
        let r = RemoteMedia::parse(&remote(
            "97 98 3",
            &["a=rtpmap:97 pcma/8000", "a=rtpmap:98 opus/16000"],
        ))
        .unwrap();
        assert_eq!(r.codecs, vec![(97, Codec::Pcma)]);
    }
}
