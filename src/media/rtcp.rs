//! RTCP (RFC 3550 §6): statistics about the peer's stream, and the reports the two ends exchange
//! every few seconds so that each learns the loss, jitter and round-trip time the other sees.
//!
//! Sans-IO: the caller passes in the time and the datagrams and sends what is written.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rtcp::goodbye::Goodbye;
use rtcp::receiver_report::ReceiverReport;
use rtcp::reception_report::ReceptionReport;
use rtcp::sender_report::SenderReport;
use rtcp::source_description::{
    SdesType, SourceDescription, SourceDescriptionChunk, SourceDescriptionItem,
};
use webrtc_util::marshal::{Marshal, Unmarshal};

use super::rtp::RtpSender;

/// A jump of fewer sequence numbers than this is taken as loss; a larger one as a restart of the
/// stream (RFC 3550 A.1).
const MAX_DROPOUT: u16 = 3000;
/// Sequence numbers this far behind the highest are late packets, not a new stream (A.1).
const MAX_MISORDER: u16 = 100;
/// The largest cumulative loss a report block can carry (a signed 24-bit field).
const MAX_REPORTED_LOST: i64 = 0x7f_ffff;
/// The shortest mean report interval (RFC 3550 §6.2). With two participants and voice
/// bandwidths, the bandwidth-derived interval is always shorter, so this is the interval.
const MIN_INTERVAL: Duration = Duration::from_secs(5);
/// SDES items carry at most this many octets.
const MAX_CNAME: usize = 255;
/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
/// How many of our sender reports are remembered for matching the peer's LSR fields; the peer
/// answers the last one it received, which is one of the latest unless reports were lost for
/// half a minute.
const REMEMBERED_REPORTS: usize = 4;

/// Why a datagram on the RTCP port was not used.
#[derive(Debug, thiserror::Error)]
pub enum RtcpError {
    /// Empty, or a packet whose header or length runs past the datagram.
    #[error("RTCP packet truncated")]
    Truncated,
    /// Not version 2.
    #[error("RTCP version {0}, expected 2")]
    Version(u8),
    /// A report or BYE whose contents do not fit its length.
    #[error("malformed RTCP packet: {0}")]
    Malformed(#[from] webrtc_util::Error),
}

/// Reception statistics for the peer's stream: RFC 3550 A.1 (sequence tracking), A.3 (loss) and
/// A.8 (interarrival jitter). A new SSRC starts them afresh, as the peer's stream has changed
/// (a re-INVITE or transfer to another device).
#[derive(Debug)]
pub struct ReceptionStats {
    clock_rate: u32,
    source: Option<Source>,
}

/// One source's counters.
#[derive(Debug)]
struct Source {
    ssrc: u32,
    base_seq: u16,
    max_seq: u16,
    /// Sequence number wraps seen, times 65536, so that `cycles + max_seq` is the extended
    /// highest sequence number.
    cycles: u64,
    /// The sequence number after a large jump: if it comes next, the stream has restarted.
    bad_seq: Option<u16>,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Arrival times are measured from here, in timestamp units.
    first_arrival: Instant,
    /// Timestamp and relative transit time of the last packet that counted for jitter.
    last_transit: Option<(u32, u32)>,
    /// Interarrival jitter in timestamp units, kept unrounded.
    jitter: f64,
}

impl Source {
    /// RFC 3550 `init_seq`, for a new source or a restarted one.
    fn new(ssrc: u32, seq: u16, arrival: Instant) -> Source {
        Source {
            ssrc,
            base_seq: seq,
            max_seq: seq,
            cycles: 0,
            bad_seq: None,
            received: 1,
            expected_prior: 0,
            received_prior: 0,
            first_arrival: arrival,
            last_transit: None,
            jitter: 0.0,
        }
    }

    /// RFC 3550 `update_seq`: whether the packet counts (the first packet after a large jump does
    /// not, until the next one confirms it).
    fn update_seq(&mut self, seq: u16) -> bool {
        let delta = seq.wrapping_sub(self.max_seq);
        if delta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += 1 << 16;
            }
            self.max_seq = seq;
        } else if delta <= u16::MAX - MAX_MISORDER + 1 {
            if self.bad_seq != Some(seq) {
                self.bad_seq = Some(seq.wrapping_add(1));
                return false;
            }
            let restarted = Source::new(self.ssrc, seq, self.first_arrival);
            *self = Source {
                jitter: self.jitter,
                ..restarted
            };
            return true;
        }
        // Otherwise a duplicate or a late packet: counted as received, as A.3 expects, so
        // duplicates can make the loss negative.
        self.received += 1;
        true
    }

    /// RFC 3550 A.8, with the arrival time converted to timestamp units.
    ///
    /// Packets repeating the previous timestamp (telephone events, which hold their start
    /// timestamp for their whole duration) carry no new sampling instant, so they are left out;
    /// counting them would read a held key as jitter.
    fn update_jitter(&mut self, timestamp: u32, arrival: Instant, clock_rate: u32) {
        let elapsed = arrival.saturating_duration_since(self.first_arrival);
        // Truncation to 32 bits is the timestamp's own wraparound.
        let arrival = (elapsed.as_nanos() * u128::from(clock_rate) / 1_000_000_000) as u32;
        let transit = arrival.wrapping_sub(timestamp);
        match self.last_transit {
            Some((last, _)) if last == timestamp => return,
            Some((_, last)) => {
                let d = transit.wrapping_sub(last) as i32;
                self.jitter += (f64::from(d.unsigned_abs()) - self.jitter) / 16.0;
            }
            None => {}
        }
        self.last_transit = Some((timestamp, transit));
    }

    fn extended_max(&self) -> u64 {
        self.cycles + u64::from(self.max_seq)
    }

    fn expected(&self) -> u64 {
        self.extended_max() + 1 - u64::from(self.base_seq)
    }

    fn lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }
}

impl ReceptionStats {
    /// Statistics for a stream whose timestamps tick at `clock_rate` Hz.
    pub fn new(clock_rate: u32) -> Self {
        ReceptionStats {
            clock_rate,
            source: None,
        }
    }

    /// Accounts for one received RTP packet. Feed every packet of the stream, telephone events
    /// included, so that sequence gaps mean loss.
    pub fn on_packet(&mut self, ssrc: u32, seq: u16, timestamp: u32, arrival: Instant) {
        let clock_rate = self.clock_rate;
        match &mut self.source {
            Some(source) if source.ssrc == ssrc => {
                if source.update_seq(seq) {
                    source.update_jitter(timestamp, arrival, clock_rate);
                }
            }
            slot => slot
                .insert(Source::new(ssrc, seq, arrival))
                .update_jitter(timestamp, arrival, clock_rate),
        }
    }

    /// Packets received from the current source, duplicates included.
    pub fn received(&self) -> u64 {
        self.source.as_ref().map_or(0, |s| s.received)
    }

    /// Packets of the current source never received. Duplicates can outnumber losses, which
    /// RFC 3550 reports as a negative count; here that reads as none lost.
    pub fn lost(&self) -> u64 {
        self.source.as_ref().map_or(0, |s| s.lost().max(0) as u64)
    }

    /// Interarrival jitter in milliseconds.
    pub fn jitter_ms(&self) -> f64 {
        self.source
            .as_ref()
            .map_or(0.0, |s| s.jitter * 1000.0 / f64::from(self.clock_rate))
    }

    /// A report block for the current source (without LSR and DLSR, which the caller knows), and
    /// the start of a new interval for its fraction lost (A.3).
    fn report_block(&mut self) -> Option<ReceptionReport> {
        let s = self.source.as_mut()?;
        let expected = s.expected();
        let expected_interval = expected.saturating_sub(s.expected_prior);
        let received_interval = s.received - s.received_prior;
        s.expected_prior = expected;
        s.received_prior = s.received;
        let lost_interval = expected_interval as i64 - received_interval as i64;
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        };
        Some(ReceptionReport {
            ssrc: s.ssrc,
            fraction_lost,
            total_lost: s.lost().clamp(0, MAX_REPORTED_LOST) as u32,
            // The field is the extended sequence number modulo 2^32.
            last_sequence_number: s.extended_max() as u32,
            jitter: s.jitter.round() as u32,
            last_sender_report: 0,
            delay: 0,
        })
    }
}

/// The peer's last sender report, which our next report block acknowledges.
#[derive(Debug)]
struct PeerReport {
    ssrc: u32,
    /// The middle 32 bits of its NTP timestamp (the LSR field).
    ntp_middle: u32,
    arrived: Instant,
}

/// The RTCP side of one call.
#[derive(Debug)]
pub struct Rtcp {
    clock_rate: u32,
    cname: Bytes,
    next_report: Instant,
    /// Our packet count when each of the last two reports was written, older first.
    sent_at_reports: [u64; 2],
    /// Our recent sender reports: the middle of their NTP timestamp and when they were written.
    our_reports: VecDeque<(u32, Instant)>,
    peer_report: Option<PeerReport>,
    rtt: Option<Duration>,
    /// The peer's latest report block about our stream.
    about_us: Option<ReceptionReport>,
    bye: bool,
}

impl Rtcp {
    /// RTCP for a call whose stream uses `clock_rate` (for reading the peer's jitter figures) and
    /// which identifies itself by `cname` (cut to the 255 octets an SDES item holds). The first
    /// report is scheduled from now.
    pub fn new(clock_rate: u32, mut cname: String) -> Rtcp {
        let mut end = cname.len().min(MAX_CNAME);
        while !cname.is_char_boundary(end) {
            end -= 1;
        }
        cname.truncate(end);
        Rtcp {
            clock_rate,
            cname: Bytes::from(cname),
            next_report: Instant::now() + interval(true),
            sent_at_reports: [0; 2],
            our_reports: VecDeque::with_capacity(REMEMBERED_REPORTS),
            peer_report: None,
            rtt: None,
            about_us: None,
            bye: false,
        }
    }

    /// When the next report is due: 5 s on average, randomized between 0.5 and 1.5 times so that
    /// the two ends do not synchronize, and the first one after half that, so that the peer
    /// learns our CNAME early (RFC 3550 §6.2, §6.3).
    pub fn next_report(&self) -> Instant {
        self.next_report
    }

    /// Writes a compound report into `out` (cleared first) and schedules the next one.
    ///
    /// It is a sender report if we sent RTP since the report before the last one (RFC 3550 §6.4,
    /// so that a short pause does not drop us from the peer's senders), else a receiver report;
    /// then an SDES with our CNAME. The report block, if the peer has sent RTP, starts a new
    /// interval of `reception`'s fraction lost and acknowledges the peer's last sender report.
    /// `rtp_timestamp` is our stream's timestamp at `wallclock`.
    pub fn write_report(
        &mut self,
        now: Instant,
        wallclock: SystemTime,
        sender: &RtpSender,
        rtp_timestamp: u32,
        reception: &mut ReceptionStats,
        out: &mut Vec<u8>,
    ) {
        let ssrc = sender.ssrc();
        let reports: Vec<_> = reception
            .report_block()
            .map(|block| self.acknowledge(block, now))
            .into_iter()
            .collect();
        out.clear();
        if sender.packets_sent() > self.sent_at_reports[0] {
            let ntp_time = ntp(wallclock);
            if self.our_reports.len() == REMEMBERED_REPORTS {
                self.our_reports.pop_front();
            }
            self.our_reports.push_back(((ntp_time >> 16) as u32, now));
            append(
                out,
                &SenderReport {
                    ssrc,
                    ntp_time,
                    rtp_time: rtp_timestamp,
                    // Both counts wrap modulo 2^32 (RFC 3550 §6.4.1).
                    packet_count: sender.packets_sent() as u32,
                    octet_count: sender.octets_sent() as u32,
                    reports,
                    profile_extensions: Bytes::new(),
                },
            );
        } else {
            append(
                out,
                &ReceiverReport {
                    ssrc,
                    reports,
                    profile_extensions: Bytes::new(),
                },
            );
        }
        self.sent_at_reports = [self.sent_at_reports[1], sender.packets_sent()];
        append(
            out,
            &SourceDescription {
                chunks: vec![SourceDescriptionChunk {
                    source: ssrc,
                    items: vec![SourceDescriptionItem {
                        sdes_type: SdesType::SdesCname,
                        text: self.cname.clone(),
                    }],
                }],
            },
        );
        self.next_report = now + interval(false);
    }

    /// Writes a last report followed by a BYE for our source (RFC 3550 §6.6), for when the call
    /// ends, so that the peer closes its statistics at once rather than timing us out.
    pub fn write_bye(
        &mut self,
        now: Instant,
        wallclock: SystemTime,
        sender: &RtpSender,
        rtp_timestamp: u32,
        reception: &mut ReceptionStats,
        out: &mut Vec<u8>,
    ) {
        self.write_report(now, wallclock, sender, rtp_timestamp, reception, out);
        append(
            out,
            &Goodbye {
                sources: vec![sender.ssrc()],
                reason: Bytes::new(),
            },
        );
    }

    /// Takes in a datagram from the peer's RTCP port. A sender report is remembered so that our
    /// next report block can acknowledge it; report blocks about `our_ssrc` give the peer's view
    /// of our stream and, when they acknowledge one of our sender reports, the round-trip time
    /// (RFC 3550 §6.4.1); a BYE is noted. Packet types we have no use for are skipped. A
    /// malformed datagram is an error and changes nothing.
    pub fn on_datagram(
        &mut self,
        datagram: &[u8],
        now: Instant,
        our_ssrc: u32,
    ) -> Result<(), RtcpError> {
        for part in split(datagram)? {
            let blocks = match part {
                Part::Sender(sr) => {
                    self.peer_report = Some(PeerReport {
                        ssrc: sr.ssrc,
                        ntp_middle: (sr.ntp_time >> 16) as u32,
                        arrived: now,
                    });
                    sr.reports
                }
                Part::Receiver(rr) => rr.reports,
                Part::Bye => {
                    self.bye = true;
                    continue;
                }
            };
            for block in blocks.into_iter().filter(|b| b.ssrc == our_ssrc) {
                self.on_block_about_us(block, now);
            }
        }
        Ok(())
    }

    /// Round-trip time from the latest report block that acknowledged one of our sender reports.
    pub fn rtt(&self) -> Option<Duration> {
        self.rtt
    }

    /// What the peer says it lost of our stream: the fraction (0–1) in its last report interval,
    /// and the cumulative count of packets.
    pub fn remote_loss(&self) -> Option<(f64, u32)> {
        self.about_us.as_ref().map(|block| {
            // A negative cumulative loss (duplicates) is shown as none.
            let total = if block.total_lost & 0x80_0000 != 0 {
                0
            } else {
                block.total_lost
            };
            (f64::from(block.fraction_lost) / 256.0, total)
        })
    }

    /// The interarrival jitter the peer measures on our stream, in milliseconds.
    pub fn remote_jitter_ms(&self) -> Option<f64> {
        self.about_us
            .as_ref()
            .map(|block| f64::from(block.jitter) * 1000.0 / f64::from(self.clock_rate))
    }

    /// Whether the peer has sent a BYE.
    pub fn bye_received(&self) -> bool {
        self.bye
    }

    /// Fills in LSR and DLSR when the block's source is the one whose sender report we hold.
    fn acknowledge(&self, mut block: ReceptionReport, now: Instant) -> ReceptionReport {
        if let Some(peer) = self.peer_report.as_ref().filter(|p| p.ssrc == block.ssrc) {
            block.last_sender_report = peer.ntp_middle;
            block.delay = to_units_of_65536(now.saturating_duration_since(peer.arrived));
        }
        block
    }

    fn on_block_about_us(&mut self, block: ReceptionReport, now: Instant) {
        if block.last_sender_report != 0 {
            let sent = self
                .our_reports
                .iter()
                .find(|(middle, _)| *middle == block.last_sender_report);
            if let Some((_, sent)) = sent {
                // RFC 3550 §6.4.1 computes A - LSR - DLSR on the NTP clock; since we kept the
                // moment each report left, the monotonic clock gives the same without trusting
                // the wall clock to stay put.
                let delay = Duration::from_nanos((u64::from(block.delay) * 1_000_000_000) >> 16);
                self.rtt = Some(now.saturating_duration_since(*sent).saturating_sub(delay));
            }
        }
        self.about_us = Some(block);
    }
}

/// The parts of a compound RTCP packet that matter to us.
enum Part {
    Sender(SenderReport),
    Receiver(ReceiverReport),
    Bye,
}

/// Splits a compound packet by the length fields of its headers and parses the parts we use.
fn split(datagram: &[u8]) -> Result<Vec<Part>, RtcpError> {
    if datagram.is_empty() {
        return Err(RtcpError::Truncated);
    }
    let mut parts = Vec::new();
    let mut rest = datagram;
    while !rest.is_empty() {
        let &[first, packet_type, high, low, ..] = rest else {
            return Err(RtcpError::Truncated);
        };
        if first >> 6 != 2 {
            return Err(RtcpError::Version(first >> 6));
        }
        let length = 4 * (usize::from(u16::from_be_bytes([high, low])) + 1);
        let Some(mut packet) = rest.get(..length) else {
            return Err(RtcpError::Truncated);
        };
        rest = &rest[length..];
        parts.push(match packet_type {
            200 => Part::Sender(SenderReport::unmarshal(&mut packet)?),
            201 => Part::Receiver(ReceiverReport::unmarshal(&mut packet)?),
            203 => {
                Goodbye::unmarshal(&mut packet)?;
                Part::Bye
            }
            _ => continue,
        });
    }
    Ok(parts)
}

/// Appends one RTCP packet to a compound packet being written.
fn append(out: &mut Vec<u8>, packet: &impl Marshal) {
    let start = out.len();
    out.resize(start + packet.marshal_size(), 0);
    packet
        .marshal_to(&mut out[start..])
        .expect("reports hold at most one block, a bounded loss and a CNAME of at most 255 octets");
}

/// The time until a report, randomized per RFC 3550 §6.3.1.
fn interval(first: bool) -> Duration {
    let mean = if first {
        MIN_INTERVAL / 2
    } else {
        MIN_INTERVAL
    };
    mean.mul_f64(rand::random_range(0.5..1.5))
}

/// A wall-clock time as a 64-bit NTP timestamp (32.32 fixed point seconds since 1900).
fn ntp(wallclock: SystemTime) -> u64 {
    let since_unix = wallclock.duration_since(UNIX_EPOCH).unwrap_or_default();
    // The seconds field wraps in 2036 (NTP era 1), as every NTP clock does.
    let seconds = (since_unix.as_secs() + NTP_UNIX_OFFSET) as u32;
    let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (u64::from(seconds) << 32) | fraction
}

/// A duration in the DLSR field's units of 1/65536 s.
fn to_units_of_65536(duration: Duration) -> u32 {
    let units = duration.as_nanos() * 65536 / 1_000_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::rtp;
    use proptest::prelude::*;

    const RATE: u32 = 8000;

    /// Feeds packets as (sequence, timestamp, arrival in ms after `start`).
    fn feed(stats: &mut ReceptionStats, start: Instant, packets: &[(u16, u32, u64)]) {
        for &(seq, ts, ms) in packets {
            stats.on_packet(7, seq, ts, start + Duration::from_millis(ms));
        }
    }

    /// Packets with the given sequence numbers, 20 ms and 160 units apart by sequence.
    fn sequence(stats: &mut ReceptionStats, start: Instant, seqs: &[u16]) {
        let first = seqs[0];
        for &seq in seqs {
            let n = u64::from(seq.wrapping_sub(first));
            feed(stats, start, &[(seq, n as u32 * 160, n * 20)]);
        }
    }

    #[test]
    fn counts_losses_in_gaps() {
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, Instant::now(), &[0, 1, 2, 4, 5, 6, 8, 9]);
        assert_eq!((stats.received(), stats.lost()), (8, 2));
        let block = stats.report_block().unwrap();
        assert_eq!(block.ssrc, 7);
        assert_eq!(block.total_lost, 2);
        assert_eq!(block.last_sequence_number, 9);
        // 2 of 10 expected: 2 * 256 / 10.
        assert_eq!(block.fraction_lost, 51);
    }

    #[test]
    fn fraction_lost_covers_only_the_last_interval() {
        let start = Instant::now();
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, start, &[10, 11, 13, 14, 16, 17, 18, 19]);
        assert_eq!(stats.report_block().unwrap().fraction_lost, 51);
        sequence(&mut stats, start, &[20, 21, 22, 23]);
        let block = stats.report_block().unwrap();
        assert_eq!((block.fraction_lost, block.total_lost), (0, 2));
        // 3 of the next 4 lost: 3 * 256 / 4.
        sequence(&mut stats, start, &[27]);
        let block = stats.report_block().unwrap();
        assert_eq!((block.fraction_lost, block.total_lost), (192, 5));
        // Nothing arrived: nothing expected, nothing lost in this interval.
        assert_eq!(stats.report_block().unwrap().fraction_lost, 0);
    }

    #[test]
    fn duplicates_do_not_make_loss_negative() {
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, Instant::now(), &[0, 1, 2, 2, 3, 4]);
        assert_eq!((stats.received(), stats.lost()), (6, 0));
        let block = stats.report_block().unwrap();
        assert_eq!((block.total_lost, block.fraction_lost), (0, 0));
        assert_eq!(block.last_sequence_number, 4);
    }

    #[test]
    fn reordering_is_not_loss() {
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, Instant::now(), &[0, 1, 3, 2, 4]);
        assert_eq!((stats.received(), stats.lost()), (5, 0));
        assert_eq!(stats.report_block().unwrap().last_sequence_number, 4);
    }

    #[test]
    fn sequence_wrap_extends_the_highest_number() {
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, Instant::now(), &[65533, 65534, 65535, 0, 2, 3]);
        assert_eq!((stats.received(), stats.lost()), (6, 1));
        assert_eq!(
            stats.report_block().unwrap().last_sequence_number,
            65536 + 3
        );
        // A late packet from before the wrap counts but does not move the highest number.
        sequence(&mut stats, Instant::now(), &[65532]);
        let block = stats.report_block().unwrap();
        assert_eq!(block.last_sequence_number, 65536 + 3);
    }

    #[test]
    fn a_large_jump_restarts_only_when_confirmed() {
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, Instant::now(), &[0, 1, 2]);
        // A lone stray packet far ahead is ignored.
        sequence(&mut stats, Instant::now(), &[40000]);
        assert_eq!((stats.received(), stats.lost()), (3, 0));
        // Two in a row: the peer restarted its sequence.
        sequence(&mut stats, Instant::now(), &[20000, 20001, 20002]);
        assert_eq!((stats.received(), stats.lost()), (2, 0));
        assert_eq!(stats.report_block().unwrap().last_sequence_number, 20002);
    }

    #[test]
    fn a_new_ssrc_starts_afresh() {
        let mut stats = ReceptionStats::new(RATE);
        sequence(&mut stats, Instant::now(), &[0, 2, 4]);
        assert_eq!(stats.lost(), 2);
        stats.on_packet(8, 500, 0, Instant::now());
        assert_eq!((stats.received(), stats.lost()), (1, 0));
        assert_eq!(stats.report_block().unwrap().ssrc, 8);
    }

    #[test]
    fn constant_transit_has_no_jitter() {
        let mut stats = ReceptionStats::new(RATE);
        let base = u32::MAX - 300; // the timestamps wrap on the way
        let packets: Vec<_> = (0..50u16)
            .map(|n| {
                (
                    n,
                    base.wrapping_add(u32::from(n) * 160),
                    1000 + u64::from(n) * 20,
                )
            })
            .collect();
        feed(&mut stats, Instant::now(), &packets);
        assert_eq!(stats.jitter_ms(), 0.0);
        assert_eq!(stats.report_block().unwrap().jitter, 0);
    }

    #[test]
    fn varying_transit_follows_rfc_3550_a8() {
        let mut stats = ReceptionStats::new(RATE);
        // Second packet 10 ms (80 units) late: D = 80 then -80.
        // J1 = 80/16 = 5; J2 = 5 + (80 - 5)/16 = 9.6875 units = 1.2109375 ms.
        feed(
            &mut stats,
            Instant::now(),
            &[(0, 0, 0), (1, 160, 30), (2, 320, 40)],
        );
        assert!((stats.jitter_ms() - 1.2109375).abs() < 1e-9);
        assert_eq!(stats.report_block().unwrap().jitter, 10);
    }

    #[test]
    fn repeated_timestamps_are_not_jitter() {
        let mut stats = ReceptionStats::new(RATE);
        // A telephone event holding timestamp 160 for three packets, then audio resumes.
        feed(
            &mut stats,
            Instant::now(),
            &[
                (0, 0, 0),
                (1, 160, 20),
                (2, 160, 40),
                (3, 160, 60),
                (4, 640, 80),
            ],
        );
        assert_eq!(stats.jitter_ms(), 0.0);
        assert_eq!(stats.received(), 5);
    }

    fn parse_compound(datagram: &[u8]) -> Vec<Box<dyn rtcp::packet::Packet + Send + Sync>> {
        rtcp::packet::unmarshal(&mut &datagram[..]).unwrap()
    }

    fn sender_report(packet: &(dyn rtcp::packet::Packet + Send + Sync)) -> &SenderReport {
        packet.as_any().downcast_ref().expect("a sender report")
    }

    fn receiver_report(packet: &(dyn rtcp::packet::Packet + Send + Sync)) -> &ReceiverReport {
        packet.as_any().downcast_ref().expect("a receiver report")
    }

    #[test]
    fn schedules_reports_around_five_seconds() {
        let created = Instant::now();
        let mut rtcp = Rtcp::new(RATE, "a@example.com".into());
        let first = rtcp.next_report() - created;
        assert!(first >= Duration::from_millis(1250) && first <= Duration::from_millis(3800));
        let now = rtcp.next_report();
        let mut out = Vec::new();
        rtcp.write_report(
            now,
            SystemTime::now(),
            &RtpSender::new(),
            0,
            &mut ReceptionStats::new(RATE),
            &mut out,
        );
        let next = rtcp.next_report() - now;
        assert!(next >= Duration::from_millis(2500) && next <= Duration::from_millis(7500));
    }

    #[test]
    fn sender_report_carries_counts_and_cname() {
        let mut rtcp = Rtcp::new(RATE, "alice@192.0.2.1".into());
        let mut sender = RtpSender::new();
        let mut packet = Vec::new();
        for frame in 0..3 {
            sender.write(0, frame * 160, false, &[0xff; 160], &mut packet);
        }
        let mut out = Vec::new();
        let wallclock = UNIX_EPOCH + Duration::from_millis(1500);
        let now = Instant::now();
        rtcp.write_report(
            now,
            wallclock,
            &sender,
            sender.timestamp(480),
            &mut ReceptionStats::new(RATE),
            &mut out,
        );
        let packets = parse_compound(&out);
        assert_eq!(packets.len(), 2);
        let sr = sender_report(&*packets[0]);
        assert_eq!(sr.ssrc, sender.ssrc());
        assert_eq!((sr.packet_count, sr.octet_count), (3, 480));
        assert_eq!(sr.rtp_time, sender.timestamp(480));
        assert_eq!(sr.ntp_time, (2_208_988_801 << 32) | (1 << 31));
        assert!(sr.reports.is_empty());
        let sdes: &SourceDescription = packets[1].as_any().downcast_ref().unwrap();
        assert_eq!(sdes.chunks[0].source, sender.ssrc());
        assert_eq!(sdes.chunks[0].items[0].sdes_type, SdesType::SdesCname);
        assert_eq!(sdes.chunks[0].items[0].text, Bytes::from("alice@192.0.2.1"));
    }

    #[test]
    fn stops_sending_sender_reports_two_reports_after_rtp_stops() {
        let mut rtcp = Rtcp::new(RATE, "x".into());
        let mut sender = RtpSender::new();
        let mut reception = ReceptionStats::new(RATE);
        let mut out = Vec::new();
        let mut report = |rtcp: &mut Rtcp, sender: &RtpSender, out: &mut Vec<u8>| {
            rtcp.write_report(
                Instant::now(),
                SystemTime::now(),
                sender,
                0,
                &mut reception,
                out,
            );
            parse_compound(out)[0].header().packet_type
        };
        use rtcp::header::PacketType::{ReceiverReport as Rr, SenderReport as Sr};
        assert_eq!(report(&mut rtcp, &sender, &mut out), Rr);
        sender.write(0, 0, true, &[1], &mut Vec::new());
        assert_eq!(report(&mut rtcp, &sender, &mut out), Sr);
        // Held: no RTP since the last report, but some since the one before.
        assert_eq!(report(&mut rtcp, &sender, &mut out), Sr);
        assert_eq!(report(&mut rtcp, &sender, &mut out), Rr);
    }

    #[test]
    fn receiver_report_acknowledges_the_peer_sender_report() {
        let start = Instant::now();
        let mut ours = Rtcp::new(RATE, "b".into());
        let mut reception = ReceptionStats::new(RATE);
        sequence(&mut reception, start, &[100, 101, 103]);
        let peer_sr = SenderReport {
            ssrc: 7,
            ntp_time: 0x0123_4567_89ab_cdef,
            ..SenderReport::default()
        };
        let datagram = peer_sr.marshal().unwrap();
        ours.on_datagram(&datagram, start, 99).unwrap();
        let mut out = Vec::new();
        let later = start + Duration::from_millis(1500);
        ours.write_report(
            later,
            SystemTime::now(),
            &RtpSender::new(),
            0,
            &mut reception,
            &mut out,
        );
        let packets = parse_compound(&out);
        let rr = receiver_report(&*packets[0]);
        assert_eq!(rr.reports.len(), 1);
        let block = &rr.reports[0];
        assert_eq!(block.ssrc, 7);
        assert_eq!(block.last_sender_report, 0x4567_89ab);
        assert_eq!(block.delay, 98304); // 1.5 s in 1/65536 s
        assert_eq!((block.total_lost, block.last_sequence_number), (1, 103));
        assert_eq!(block.fraction_lost, 64);
    }

    #[test]
    fn block_about_another_source_carries_no_lsr() {
        let start = Instant::now();
        let mut ours = Rtcp::new(RATE, "b".into());
        let mut reception = ReceptionStats::new(RATE);
        sequence(&mut reception, start, &[1, 2]);
        let peer_sr = SenderReport {
            ssrc: 1234,
            ntp_time: 1 << 40,
            ..SenderReport::default()
        };
        ours.on_datagram(&peer_sr.marshal().unwrap(), start, 99)
            .unwrap();
        let mut out = Vec::new();
        ours.write_report(
            start,
            SystemTime::now(),
            &RtpSender::new(),
            0,
            &mut reception,
            &mut out,
        );
        let packets = parse_compound(&out);
        let block = &receiver_report(&*packets[0]).reports[0];
        assert_eq!((block.last_sender_report, block.delay), (0, 0));
    }

    /// Two ends exchanging RTP and RTCP over a path with a one-way delay.
    #[test]
    fn round_trip_time_from_an_sr_rr_exchange() {
        let one_way = Duration::from_millis(40);
        let t0 = Instant::now();
        let wall0 = SystemTime::now();
        let (mut a_rtp, b_rtp) = (RtpSender::new(), RtpSender::new());
        let (mut a, mut b) = (Rtcp::new(RATE, "a".into()), Rtcp::new(RATE, "b".into()));
        let (mut a_stats, mut b_stats) = (ReceptionStats::new(RATE), ReceptionStats::new(RATE));

        let mut datagram = Vec::new();
        for frame in 0..10u32 {
            a_rtp.write(0, frame * 160, false, &[0; 160], &mut datagram);
            if frame == 4 {
                continue; // lost on the way
            }
            let got = rtp::parse(&datagram).unwrap();
            let arrival = t0 + Duration::from_millis(20 * u64::from(frame)) + one_way;
            b_stats.on_packet(got.ssrc, got.sequence, got.timestamp, arrival);
        }

        let a_sends = t0 + Duration::from_millis(200);
        let mut sr = Vec::new();
        a.write_report(
            a_sends,
            wall0,
            &a_rtp,
            a_rtp.timestamp(1600),
            &mut a_stats,
            &mut sr,
        );
        b.on_datagram(&sr, a_sends + one_way, b_rtp.ssrc()).unwrap();
        assert_eq!(b.rtt(), None);

        // B holds the report 1.234 s before answering.
        let b_sends = a_sends + one_way + Duration::from_millis(1234);
        let mut rr = Vec::new();
        b.write_report(b_sends, SystemTime::now(), &b_rtp, 0, &mut b_stats, &mut rr);
        a.on_datagram(&rr, b_sends + one_way, a_rtp.ssrc()).unwrap();

        let rtt = a.rtt().expect("an RTT");
        let error = rtt.abs_diff(2 * one_way);
        assert!(error < Duration::from_micros(100), "rtt {rtt:?}");
        let (fraction, cumulative) = a.remote_loss().unwrap();
        assert_eq!(cumulative, 1);
        assert!((fraction - 25.0 / 256.0).abs() < 1e-9); // 1 of 10: 256 / 10 = 25
        assert_eq!(a.remote_jitter_ms(), Some(0.0));
    }

    #[test]
    fn notes_bye_and_writes_one() {
        let mut ours = Rtcp::new(RATE, "a".into());
        let mut theirs = Rtcp::new(RATE, "b".into());
        let sender = RtpSender::new();
        let mut out = Vec::new();
        theirs.write_bye(
            Instant::now(),
            SystemTime::now(),
            &sender,
            0,
            &mut ReceptionStats::new(RATE),
            &mut out,
        );
        let packets = parse_compound(&out);
        let bye: &Goodbye = packets[2].as_any().downcast_ref().unwrap();
        assert_eq!(bye.sources, [sender.ssrc()]);
        assert!(!ours.bye_received());
        ours.on_datagram(&out, Instant::now(), 1).unwrap();
        assert!(ours.bye_received());
    }

    #[test]
    fn skips_packet_types_it_does_not_use() {
        let mut ours = Rtcp::new(RATE, "a".into());
        let rr = ReceiverReport {
            ssrc: 5,
            reports: vec![ReceptionReport {
                ssrc: 1,
                fraction_lost: 128,
                total_lost: 40,
                ..ReceptionReport::default()
            }],
            ..ReceiverReport::default()
        };
        let mut datagram = rr.marshal().unwrap().to_vec();
        // An APP packet (type 204): name "TEST", no data.
        datagram.extend_from_slice(&[0x80, 204, 0, 2, 0, 0, 0, 5, b'T', b'E', b'S', b'T']);
        ours.on_datagram(&datagram, Instant::now(), 1).unwrap();
        assert_eq!(ours.remote_loss(), Some((0.5, 40)));
    }

    #[test]
    fn rejects_malformed_datagrams_without_change() {
        let mut ours = Rtcp::new(RATE, "a".into());
        let rr = ReceiverReport {
            ssrc: 5,
            reports: vec![ReceptionReport {
                ssrc: 1,
                ..ReceptionReport::default()
            }],
            ..ReceiverReport::default()
        };
        let good = rr.marshal().unwrap().to_vec();
        assert!(matches!(
            ours.on_datagram(&[], Instant::now(), 1),
            Err(RtcpError::Truncated)
        ));
        assert!(matches!(
            ours.on_datagram(&good[..good.len() - 4], Instant::now(), 1),
            Err(RtcpError::Truncated)
        ));
        let mut version = good.clone();
        version[0] &= 0x3f;
        assert!(matches!(
            ours.on_datagram(&version, Instant::now(), 1),
            Err(RtcpError::Version(0))
        ));
        // Two report blocks announced, room for one; the valid RR before it is not applied.
        let mut count = good.clone();
        count[0] += 1;
        let mut both = good.clone();
        both.extend_from_slice(&count);
        assert!(matches!(
            ours.on_datagram(&both, Instant::now(), 1),
            Err(RtcpError::Malformed(_))
        ));
        assert_eq!(ours.remote_loss(), None);
        ours.on_datagram(&good, Instant::now(), 1).unwrap();
        assert_eq!(ours.remote_loss(), Some((0.0, 0)));
    }

    #[test]
    fn long_cnames_are_cut_at_a_character() {
        let rtcp = Rtcp::new(RATE, "é".repeat(200));
        assert_eq!(rtcp.cname.len(), 254);
    }

    proptest! {
        #[test]
        fn random_datagrams_never_panic(datagram in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = Rtcp::new(RATE, "a".into()).on_datagram(&datagram, Instant::now(), 1);
        }

        #[test]
        fn random_packets_with_valid_headers_never_panic(
            count in 0u8..32,
            packet_type in 198u8..210,
            words in 0u16..8,
            body in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut datagram = vec![0x80 | count, packet_type];
            datagram.extend_from_slice(&words.to_be_bytes());
            datagram.extend_from_slice(&body);
            let _ = Rtcp::new(RATE, "a".into()).on_datagram(&datagram, Instant::now(), 1);
        }
    }
}
