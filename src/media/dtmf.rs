//! DTMF as RTP telephone events (RFC 4733): keys pressed during a call travel as their own
//! packets rather than as tones in the audio, which compressing codecs would distort.
//!
//! Every event payload is four octets: the event code, the end bit with the volume, and the
//! duration so far in timestamp units.

use std::collections::VecDeque;

/// The keys of a telephone keypad with its fourth column, in event code order (RFC 4733 §3.2).
const DIGITS: &[u8; 16] = b"0123456789*#ABCD";
/// Ticks a digit sounds: 100 ms of 20 ms packets, long enough for any receiver to detect.
const DIGIT_TICKS: u32 = 5;
/// Times the end packet is sent, once per tick, so that one lost packet does not lose the end
/// (RFC 4733 §2.5.1.4).
const END_PACKETS: u32 = 3;
/// Ticks of audio between two digits, so that a repeated key reads as two presses.
const GAP_TICKS: u32 = 3;
/// Power level in dBm0 below zero (RFC 4733 §2.3.4): -10 dBm0, a typical keypad level.
const VOLUME: u8 = 10;
/// The end bit in the second octet.
const END: u8 = 0x80;

/// The event code of a DTMF key (`a` to `d` also name the fourth column).
pub fn event_code(digit: char) -> Option<u8> {
    let digit = u8::try_from(digit.to_ascii_uppercase()).ok()?;
    DIGITS
        .iter()
        .position(|&d| d == digit)
        .map(|code| code as u8)
}

/// The key of a DTMF event code; other events (flash, tones) have none.
pub fn event_digit(code: u8) -> Option<char> {
    DIGITS.get(usize::from(code)).map(|&d| char::from(d))
}

/// A character that is not a DTMF key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a DTMF digit (0-9, *, #, A-D)")]
pub struct DtmfError(pub char);

/// One telephone-event packet to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    /// Event code, end bit and volume, duration.
    pub payload: [u8; 4],
    /// Set on the first packet of an event, as RFC 4733 §2.5.1.3 asks.
    pub marker: bool,
    /// The timestamp offset to send it with: the event's start, held for all its packets.
    pub offset: u32,
}

/// What replaces the audio packet in a tick while a digit plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtmfTick {
    /// The key being sent, for showing or playing it locally.
    pub digit: char,
    /// The packets to send this tick; one per tick, the end packet being repeated on the
    /// following ticks at the same interval.
    pub packets: Vec<DtmfPacket>,
}

/// Where the sender is in its queue.
#[derive(Debug, Clone, Copy)]
enum State {
    Idle,
    /// Playing the event `code` since `start`; `ticks` packets sent so far.
    Tone {
        code: u8,
        start: u32,
        ticks: u32,
    },
    /// Audio ticks left before the next digit may start.
    Gap(u32),
}

/// Plays queued digits as telephone events, one 20 ms tick at a time.
#[derive(Debug)]
pub struct DtmfSender {
    /// Event codes still to play.
    queue: VecDeque<u8>,
    state: State,
}

impl Default for DtmfSender {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfSender {
    /// A sender with nothing queued.
    pub fn new() -> Self {
        DtmfSender {
            queue: VecDeque::new(),
            state: State::Idle,
        }
    }

    /// Queues digits to play after any already queued. A character that is not a DTMF key is
    /// an error naming it, and then nothing is queued, so that a mistyped string is not half
    /// dialed.
    pub fn push(&mut self, digits: &str) -> Result<(), DtmfError> {
        let codes = digits
            .chars()
            .map(|c| event_code(c).ok_or(DtmfError(c)))
            .collect::<Result<Vec<_>, _>>()?;
        self.queue.extend(codes);
        Ok(())
    }

    /// Whether no digit is queued or playing (audio flows on every tick).
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && !matches!(self.state, State::Tone { .. })
    }

    /// Called every tick with the tick's timestamp offset (the units of
    /// [`RtpSender::write`](super::rtp::RtpSender::write)) and the units per tick. `None` means
    /// send audio this tick; otherwise the digit playing and the telephone-event packets to send
    /// instead.
    ///
    /// A digit sends five packets with durations growing by `step` (the first with the marker),
    /// the fifth with the end bit, which is repeated on the next two ticks; then three ticks of
    /// audio pass before the next digit.
    pub fn tick(&mut self, offset: u32, step: u32) -> Option<DtmfTick> {
        let (code, start, ticks) = match self.state {
            State::Gap(left) => {
                self.state = if left > 1 {
                    State::Gap(left - 1)
                } else {
                    State::Idle
                };
                return None;
            }
            State::Idle => (self.queue.pop_front()?, offset, 1),
            State::Tone { code, start, ticks } => (code, start, ticks + 1),
        };
        self.state = if ticks == DIGIT_TICKS + END_PACKETS - 1 {
            State::Gap(GAP_TICKS)
        } else {
            State::Tone { code, start, ticks }
        };
        let duration = u16::try_from(ticks.min(DIGIT_TICKS) * step).unwrap_or(u16::MAX);
        let [high, low] = duration.to_be_bytes();
        let flags = if ticks >= DIGIT_TICKS {
            END | VOLUME
        } else {
            VOLUME
        };
        Some(DtmfTick {
            digit: char::from(DIGITS[usize::from(code)]),
            packets: vec![DtmfPacket {
                payload: [code, flags, high, low],
                marker: ticks == 1,
                offset: start,
            }],
        })
    }
}

/// Turns received telephone events back into key presses.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    /// Start timestamps of the latest events, newest last, so that repeats and late
    /// retransmissions of an event are recognised.
    recent: VecDeque<u32>,
}

/// Events remembered: enough for a late end packet of the previous digits.
const REMEMBERED_EVENTS: usize = 4;

impl DtmfReceiver {
    /// A receiver that has seen no event.
    pub fn new() -> Self {
        Self::default()
    }

    /// A telephone-event payload with its RTP timestamp. Returns the key once per event, at the
    /// first packet seen with a new timestamp, whatever that packet is: the update packets and
    /// the repeated end packets that follow share the timestamp and are ignored, and an event
    /// whose first packets were lost still counts. Other events and malformed payloads give
    /// `None`.
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        if payload.len() < 4 {
            return None;
        }
        let digit = event_digit(payload[0])?;
        if self.recent.contains(&timestamp) {
            return None;
        }
        if self.recent.len() == REMEMBERED_EVENTS {
            self.recent.pop_front();
        }
        self.recent.push_back(timestamp);
        Some(digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::rtp;

    const STEP: u32 = 160;

    /// Runs the sender for `ticks` ticks from offset 1000, returning each tick's result.
    fn run(sender: &mut DtmfSender, ticks: u32) -> Vec<Option<DtmfTick>> {
        (0..ticks)
            .map(|n| sender.tick(1000 + n * STEP, STEP))
            .collect()
    }

    fn packet(code: u8, end: bool, duration: u16, marker: bool, offset: u32) -> DtmfPacket {
        let [high, low] = duration.to_be_bytes();
        DtmfPacket {
            payload: [code, if end { 0x8a } else { 0x0a }, high, low],
            marker,
            offset,
        }
    }

    #[test]
    fn codes_and_digits_map_both_ways() {
        for (code, digit) in "0123456789*#ABCD".chars().enumerate() {
            assert_eq!(event_code(digit), Some(code as u8));
            assert_eq!(event_digit(code as u8), Some(digit));
        }
        assert_eq!(event_code('b'), Some(13));
        for bad in ['E', 'e', ' ', 'p', ',', 'é', '٣'] {
            assert_eq!(event_code(bad), None, "{bad:?}");
        }
        assert_eq!(event_digit(16), None); // flash
        assert_eq!(event_digit(255), None);
    }

    #[test]
    fn plays_one_then_pound() {
        let mut sender = DtmfSender::new();
        assert!(sender.is_idle());
        sender.push("1#").unwrap();
        assert!(!sender.is_idle());
        let ticks = run(&mut sender, 20);

        let tone = |code: u8, digit: char, start: u32| {
            let mut expected: Vec<_> = (1..=5u16)
                .map(|n| packet(code, n == 5, n * 160, n == 1, start))
                .collect();
            expected.extend([packet(code, true, 800, false, start); 2]);
            expected
                .into_iter()
                .map(|p| {
                    Some(DtmfTick {
                        digit,
                        packets: vec![p],
                    })
                })
                .collect::<Vec<_>>()
        };
        // '1' from tick 0 for 7 ticks, 3 ticks of audio, '#' from tick 10 for 7 ticks.
        assert_eq!(ticks[0..7], tone(1, '1', 1000)[..]);
        assert_eq!(ticks[7..10], [None, None, None]);
        assert_eq!(ticks[10..17], tone(11, '#', 1000 + 10 * STEP)[..]);
        assert!(ticks[17..].iter().all(Option::is_none));
        assert!(sender.is_idle());
    }

    #[test]
    fn digits_pushed_during_a_gap_wait_for_it() {
        let mut sender = DtmfSender::new();
        sender.push("5").unwrap();
        run(&mut sender, 8);
        assert!(sender.is_idle());
        sender.push("5").unwrap();
        let ticks = run(&mut sender, 3);
        assert_eq!(ticks[..2], [None, None]);
        assert_eq!(ticks[2].as_ref().unwrap().packets[0].payload[0], 5);
        assert!(ticks[2].as_ref().unwrap().packets[0].marker);
    }

    #[test]
    fn invalid_digits_queue_nothing() {
        let mut sender = DtmfSender::new();
        assert_eq!(sender.push("12x3"), Err(DtmfError('x')));
        assert_eq!(
            DtmfError('x').to_string(),
            "'x' is not a DTMF digit (0-9, *, #, A-D)"
        );
        assert!(sender.is_idle());
        assert_eq!(sender.tick(0, STEP), None);
        sender.push("d").unwrap();
        assert_eq!(sender.tick(0, STEP).unwrap().digit, 'D');
    }

    #[test]
    fn durations_saturate_instead_of_wrapping() {
        let mut sender = DtmfSender::new();
        sender.push("0").unwrap();
        let last = (0..5)
            .filter_map(|n| sender.tick(n, 20_000))
            .last()
            .unwrap();
        assert_eq!(last.packets[0].payload[2..], [0xff, 0xff]);
    }

    #[test]
    fn receiver_reports_each_event_once() {
        let mut sender = DtmfSender::new();
        sender.push("1#1").unwrap();
        let mut receiver = DtmfReceiver::new();
        let mut heard = String::new();
        for tick in run(&mut sender, 40).into_iter().flatten() {
            for p in tick.packets {
                // Every packet arrives twice.
                for _ in 0..2 {
                    heard.extend(receiver.on_packet(p.offset, &p.payload));
                }
            }
        }
        assert_eq!(heard, "1#1");
    }

    #[test]
    fn receiver_counts_events_whose_start_was_lost() {
        let mut receiver = DtmfReceiver::new();
        assert_eq!(receiver.on_packet(8000, &[9, 0x8a, 0x03, 0x20]), Some('9'));
        assert_eq!(receiver.on_packet(8000, &[9, 0x8a, 0x03, 0x20]), None);
        assert_eq!(receiver.on_packet(9600, &[9, 0x0a, 0x01, 0x40]), Some('9'));
        // A late end packet of the first event after the second began.
        assert_eq!(receiver.on_packet(8000, &[9, 0x8a, 0x03, 0x20]), None);
    }

    #[test]
    fn receiver_ignores_malformed_and_other_events() {
        let mut receiver = DtmfReceiver::new();
        assert_eq!(receiver.on_packet(0, &[]), None);
        assert_eq!(receiver.on_packet(0, &[1, 0x0a, 0]), None);
        assert_eq!(receiver.on_packet(0, &[16, 0x0a, 0, 160]), None);
        // Neither counted as seen: the event at that timestamp is still reported.
        assert_eq!(receiver.on_packet(0, &[2, 0x0a, 0, 160, 0xff]), Some('2'));
    }

    /// UDP payloads of an Ethernet/IPv4 capture in the classic pcap format.
    fn udp_payloads(pcap: &[u8]) -> Vec<&[u8]> {
        let mut payloads = Vec::new();
        let mut at = 24;
        while at + 16 <= pcap.len() {
            let length = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
            let ip = &pcap[at + 16 + 14..at + 16 + length];
            payloads.push(&ip[usize::from(ip[0] & 0x0f) * 4 + 8..]);
            at += 16 + length;
        }
        payloads
    }

    /// The telephone-event captures SIPp ships (from another implementation: first packet with
    /// duration 0, durations of 320, end packet three times).
    #[test]
    fn decodes_sipp_captures() {
        let directory = std::path::Path::new("/usr/share/sip-tester");
        let names = [
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "star", "pound",
        ];
        for (name, expected) in names.iter().zip("0123456789*#".chars()) {
            let path = directory.join(format!("dtmf_2833_{name}.pcap"));
            let pcap = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{path:?}: {e} (the sip-tester package has it; `make test` installs it)")
            });
            let mut receiver = DtmfReceiver::new();
            let mut heard = String::new();
            for datagram in udp_payloads(&pcap) {
                let packet = rtp::parse(datagram).unwrap();
                assert_eq!(packet.payload_type, 101, "{path:?}");
                assert_eq!(packet.payload.len(), 4, "{path:?}");
                heard.extend(receiver.on_packet(packet.timestamp, &packet.payload));
            }
            assert_eq!(heard, expected.to_string(), "{path:?}");
        }
    }
}
