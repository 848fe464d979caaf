//! RTP packets (RFC 3550 §5): writing our stream and reading the peer's.
//!
//! Sans-IO: the media thread owns the sockets and the clock; this module only turns frames into
//! datagrams and datagrams into frames.

use bytes::Bytes;
use rtp::header::{Header, EXTENSION_PROFILE_ONE_BYTE, EXTENSION_PROFILE_TWO_BYTE};
use rtp::packet::Packet;
use webrtc_util::marshal::{Marshal, MarshalSize, Unmarshal};

/// The only RTP version there is.
const VERSION: u8 = 2;
/// Length of the fixed header, before any CSRCs.
const FIXED_HEADER: usize = 12;

/// Why a datagram is not an RTP packet we can use.
#[derive(Debug, thiserror::Error)]
pub enum RtpError {
    /// Shorter than the fixed header.
    #[error("RTP packet of {0} bytes is shorter than its header")]
    Truncated(usize),
    /// Not version 2 (often STUN or stray traffic on the port).
    #[error("RTP version {0}, expected 2")]
    Version(u8),
    /// A header extension whose elements run past its declared length.
    #[error("RTP header extension overruns its length")]
    Extension,
    /// Rejected by the packet parser (CSRCs, extension or padding longer than the packet).
    #[error("malformed RTP packet: {0}")]
    Malformed(#[from] webrtc_util::Error),
}

/// Our outgoing stream: one SSRC, its sequence numbers and its counters for sender reports.
#[derive(Debug)]
pub struct RtpSender {
    ssrc: u32,
    /// Sequence number of the next packet.
    sequence: u16,
    /// Added to every offset, so the stream's timestamps do not start at a guessable value.
    timestamp_base: u32,
    packets_sent: u64,
    octets_sent: u64,
}

impl Default for RtpSender {
    fn default() -> Self {
        Self::new()
    }
}

impl RtpSender {
    /// A new stream with a random SSRC, initial sequence number and initial timestamp, as RFC 3550
    /// §5.1 asks so that known-plaintext attacks on encryption are harder and streams of
    /// different calls cannot be confused.
    pub fn new() -> RtpSender {
        RtpSender {
            ssrc: rand::random(),
            sequence: rand::random(),
            timestamp_base: rand::random(),
            packets_sent: 0,
            octets_sent: 0,
        }
    }

    /// Our synchronization source identifier.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Writes one RTP packet into `out` (cleared first).
    ///
    /// `offset` counts timestamp units since the stream began. The caller advances it every frame,
    /// also while the call is held and nothing is sent, so that the RTP clock still matches the
    /// wall clock after resuming (receivers size their jitter buffers from it). The sequence
    /// number, in contrast, grows by one per packet actually sent, so that gaps mean loss.
    pub fn write(
        &mut self,
        payload_type: u8,
        offset: u32,
        marker: bool,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) {
        debug_assert!(payload_type < 0x80, "payload type {payload_type} is 7 bits");
        let header = Header {
            version: VERSION,
            marker,
            payload_type,
            sequence_number: self.sequence,
            timestamp: self.timestamp(offset),
            ssrc: self.ssrc,
            ..Header::default()
        };
        out.clear();
        out.resize(header.marshal_size(), 0);
        header
            .marshal_to(out)
            .expect("a header without CSRCs or extensions fits its own size");
        out.extend_from_slice(payload);
        self.sequence = self.sequence.wrapping_add(1);
        self.packets_sent += 1;
        self.octets_sent += payload.len() as u64;
    }

    /// Packets written so far (the sender report's packet count).
    pub fn packets_sent(&self) -> u64 {
        self.packets_sent
    }

    /// Payload octets written so far, headers excluded (the sender report's octet count).
    pub fn octets_sent(&self) -> u64 {
        self.octets_sent
    }

    /// The RTP timestamp for an `offset`, as `write` puts it into packets; a sender report uses it
    /// to tie the RTP clock to the wall clock.
    pub fn timestamp(&self, offset: u32) -> u32 {
        self.timestamp_base.wrapping_add(offset)
    }
}

/// An RTP packet from the peer, reduced to what the media path needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The peer's synchronization source.
    pub ssrc: u32,
    /// Sequence number, for loss accounting and reordering in the jitter buffer.
    pub sequence: u16,
    /// Sampling instant of the payload's first sample, in the payload format's clock.
    pub timestamp: u32,
    /// Which negotiated payload format (codec or telephone events) the payload is.
    pub payload_type: u8,
    /// Start of a talkspurt for audio, start of an event for telephone events.
    pub marker: bool,
    /// The payload without padding.
    pub payload: Bytes,
}

/// Parses an RTP datagram. CSRCs and header extensions are skipped and padding is removed.
/// Anything that is not a well-formed version 2 packet is an error; nothing here panics, since
/// anyone can send datagrams to our port.
pub fn parse(datagram: &[u8]) -> Result<Received, RtpError> {
    if datagram.len() < FIXED_HEADER {
        return Err(RtpError::Truncated(datagram.len()));
    }
    let version = datagram[0] >> 6;
    if version != VERSION {
        return Err(RtpError::Version(version));
    }
    check_extension(datagram)?;
    let packet = Packet::unmarshal(&mut &datagram[..])?;
    Ok(Received {
        ssrc: packet.header.ssrc,
        sequence: packet.header.sequence_number,
        timestamp: packet.header.timestamp,
        payload_type: packet.header.payload_type,
        marker: packet.header.marker,
        payload: packet.payload,
    })
}

/// Checks that the elements of an RFC 8285 header extension stay inside the extension block.
///
/// The packet parser reads element lengths as they come and would run past the end of a short
/// datagram (a panic), so they are walked here first. Other extension profiles are one opaque
/// block, which the parser bounds itself.
fn check_extension(datagram: &[u8]) -> Result<(), RtpError> {
    if datagram[0] & 0x10 == 0 {
        return Ok(());
    }
    let start = FIXED_HEADER + 4 * usize::from(datagram[0] & 0x0f);
    let Some(head) = datagram.get(start..start + 4) else {
        return Err(RtpError::Extension);
    };
    let profile = u16::from_be_bytes([head[0], head[1]]);
    if profile != EXTENSION_PROFILE_ONE_BYTE && profile != EXTENSION_PROFILE_TWO_BYTE {
        return Ok(());
    }
    let end = start + 4 + 4 * usize::from(u16::from_be_bytes([head[2], head[3]]));
    let Some(block) = datagram.get(start + 4..end) else {
        return Err(RtpError::Extension);
    };
    let mut at = 0;
    while at < block.len() {
        let first = block[at];
        at += 1;
        if first == 0 {
            continue; // padding between elements
        }
        if profile == EXTENSION_PROFILE_ONE_BYTE {
            if first >> 4 == 0x0f {
                return Ok(()); // ID 15: stop reading, per RFC 8285 §4.2
            }
            at += usize::from(first & 0x0f) + 1;
        } else {
            let Some(&length) = block.get(at) else {
                return Err(RtpError::Extension);
            };
            at += 1 + usize::from(length);
        }
    }
    if at > block.len() {
        return Err(RtpError::Extension);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sender_at(sequence: u16, timestamp_base: u32) -> RtpSender {
        RtpSender {
            ssrc: 0x1234_5678,
            sequence,
            timestamp_base,
            packets_sent: 0,
            octets_sent: 0,
        }
    }

    #[test]
    fn written_packets_parse_back() {
        let mut sender = RtpSender::new();
        let mut out = Vec::new();
        sender.write(0, 160, true, b"hello", &mut out);
        let got = parse(&out).unwrap();
        assert_eq!(
            got,
            Received {
                ssrc: sender.ssrc(),
                sequence: got.sequence,
                timestamp: sender.timestamp(160),
                payload_type: 0,
                marker: true,
                payload: Bytes::from_static(b"hello"),
            }
        );
        assert_eq!(out.len(), 12 + 5);
        sender.write(111, 320, false, b"x", &mut out);
        let next = parse(&out).unwrap();
        assert_eq!(next.sequence, got.sequence.wrapping_add(1));
        assert_eq!(next.timestamp, got.timestamp.wrapping_add(160));
        assert_eq!((next.payload_type, next.marker), (111, false));
        assert_eq!((sender.packets_sent(), sender.octets_sent()), (2, 6));
    }

    #[test]
    fn sequence_and_timestamp_wrap() {
        let mut sender = sender_at(65534, u32::MAX - 100);
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for frame in 0..4u32 {
            sender.write(8, frame * 160, false, &[0xd5; 160], &mut out);
            let got = parse(&out).unwrap();
            seen.push((got.sequence, got.timestamp));
        }
        assert_eq!(
            seen,
            [(65534, u32::MAX - 100), (65535, 59), (0, 219), (1, 379)]
        );
    }

    #[test]
    fn offsets_skipped_while_held_keep_the_clock() {
        let mut sender = sender_at(10, 1000);
        let mut out = Vec::new();
        sender.write(0, 0, false, &[0; 160], &mut out);
        // Fifty frames on hold: nothing sent, the offset still advances.
        sender.write(0, 51 * 160, true, &[0; 160], &mut out);
        let got = parse(&out).unwrap();
        assert_eq!((got.sequence, got.timestamp), (11, 1000 + 51 * 160));
        assert_eq!(sender.timestamp(51 * 160), got.timestamp);
    }

    #[test]
    fn random_start_differs_between_streams() {
        let streams: Vec<_> = (0..4).map(|_| RtpSender::new()).collect();
        let ssrcs: std::collections::HashSet<_> = streams.iter().map(RtpSender::ssrc).collect();
        let bases: std::collections::HashSet<_> = streams.iter().map(|s| s.timestamp(0)).collect();
        assert!(ssrcs.len() > 1 && bases.len() > 1);
    }

    #[test]
    fn parses_padding_csrcs_and_extensions() {
        let mut datagram = vec![
            0xb2,
            0x80 | 96,
            0x00,
            0x07, // V=2 P X CC=2, M, PT 96, seq 7
            0x00,
            0x00,
            0x01,
            0x00, // timestamp 256
            0xca,
            0xfe,
            0xba,
            0xbe, // SSRC
            0x00,
            0x00,
            0x00,
            0x01, // CSRC 1
            0x00,
            0x00,
            0x00,
            0x02, // CSRC 2
            0xbe,
            0xde,
            0x00,
            0x01, // one-byte extension, one word
            0x10,
            0xaa,
            0x00,
            0x00, // id 1, one byte, padding
        ];
        datagram.extend_from_slice(b"abc");
        datagram.extend_from_slice(&[0, 0, 3]);
        let got = parse(&datagram).unwrap();
        assert_eq!(got.payload, Bytes::from_static(b"abc"));
        assert_eq!(
            (got.ssrc, got.sequence, got.timestamp),
            (0xcafe_babe, 7, 256)
        );
        assert_eq!((got.payload_type, got.marker), (96, true));

        // An RFC 3550 profile-specific extension of two words.
        let mut plain = vec![
            0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8,
        ];
        plain.extend_from_slice(b"pcm");
        assert_eq!(parse(&plain).unwrap().payload, Bytes::from_static(b"pcm"));

        // A two-byte extension element.
        let mut two = vec![
            0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0, 1, 5, 2, 9, 9,
        ];
        two.extend_from_slice(b"op");
        assert_eq!(parse(&two).unwrap().payload, Bytes::from_static(b"op"));
    }

    #[test]
    fn rejects_garbage() {
        let header = [0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        assert!(matches!(parse(&[]), Err(RtpError::Truncated(0))));
        assert!(matches!(parse(&header[..11]), Err(RtpError::Truncated(11))));
        let mut stun = header;
        stun[0] = 0x00;
        assert!(matches!(parse(&stun), Err(RtpError::Version(0))));
        // Two CSRCs announced, one present.
        let mut csrc = header.to_vec();
        csrc[0] = 0x82;
        csrc.extend_from_slice(&[0, 0, 0, 9]);
        assert!(parse(&csrc).is_err());
        // Padding longer than the payload, and padding with no payload at all.
        let mut padding = header.to_vec();
        padding[0] = 0xa0;
        assert!(parse(&padding).is_err());
        padding.extend_from_slice(&[1, 9]);
        assert!(parse(&padding).is_err());
        // Extension header cut short, extension longer than the packet.
        let mut extension = header.to_vec();
        extension[0] = 0x90;
        extension.extend_from_slice(&[0xbe, 0xde]);
        assert!(matches!(parse(&extension), Err(RtpError::Extension)));
        extension.extend_from_slice(&[0, 2, 0x10, 0xaa]);
        assert!(matches!(parse(&extension), Err(RtpError::Extension)));
    }

    #[test]
    fn rejects_extension_elements_past_their_block() {
        let header = [0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        // One-byte element claiming 16 bytes inside a one-word block, at the end of the datagram.
        let mut one = header.to_vec();
        one.extend_from_slice(&[0xbe, 0xde, 0, 1, 0, 0, 0, 0x1f]);
        assert!(matches!(parse(&one), Err(RtpError::Extension)));
        // Two-byte element whose length byte is outside the block.
        let mut two = header.to_vec();
        two.extend_from_slice(&[0x10, 0x00, 0, 1, 0, 0, 0, 0x07]);
        assert!(matches!(parse(&two), Err(RtpError::Extension)));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(datagram in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse(&datagram);
        }

        #[test]
        fn random_extensions_never_panic(
            first in 0x80u8..0xc0,
            profile in prop_oneof![Just(0xbedeu16), Just(0x1000), any::<u16>()],
            words in 0u16..4,
            rest in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut datagram = vec![first | 0x10, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
            datagram.extend_from_slice(&profile.to_be_bytes());
            datagram.extend_from_slice(&words.to_be_bytes());
            datagram.extend_from_slice(&rest);
            let _ = parse(&datagram);
        }
    }
}
