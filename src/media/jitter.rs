//! The receive jitter buffer: RTP packets go in whenever they arrive; the media clock takes out,
//! one step at a time, what to play next (a packet, concealment for a missing one, or silence).
//!
//! Timing. A packet's *transit* is its arrival time minus its RTP timestamp, both counted in
//! timestamp units; only differences between transits mean anything, so the unknown offset
//! between the sender's clock and ours drops out. The fastest transit of the last two seconds is
//! the reference, and a packet's *relative delay* (its transit minus the reference when it
//! arrived) is the jitter it suffered. The buffer aims to play each packet the 95th percentile
//! of relative delay after the fastest packets would have arrived; [`JitterBuffer::target_delay`]
//! reports that plus one packet, which is how much audio a packet arriving with the fastest
//! transit finds buffered.
//!
//! Policy. At every pull the buffer measures its *playout delay*: now, minus the timestamp at the
//! playout point, minus the reference transit. It depends neither on the consumer's tick phase
//! nor on which packets happen to have arrived, so it needs no smoothing.
//! - The next packet is missing and the delay is below target: it is waited for. Concealment is
//!   played without moving the playout point, which adds a packet of delay. Delay only ever grows
//!   like this, when a packet was actually not there in time.
//! - The next packet is missing and the delay is at or above target: it is given up, concealed
//!   and skipped; if it turns up later it is late.
//! - The delay stayed more than a packet and an eighth above target for a whole hold period: one
//!   packet is dropped. The gap between the two thresholds keeps the level from oscillating.
//! - Nothing has arrived for a while: after 150 ms of concealment the buffer plays silence and
//!   buffers afresh, as it does at the start.
//!
//! Clock drift moves the reference transit slowly, and the same rules absorb it: a sender whose
//! clock runs fast causes an occasional drop, a slow one an occasional concealment.

use std::time::{Duration, Instant};

use bytes::Bytes;

/// Most packets held at once (over a second of 20 ms packets, far beyond the largest target):
/// the store is a fixed array, and a packet too far ahead pushes the oldest ones out.
const CAPACITY: usize = 64;
/// How far back arrivals count towards the jitter estimate and the reference transit. Short
/// enough that a drifting sender clock moves the reference by only 10 ms at 0.5 %.
const WINDOW: Duration = Duration::from_secs(2);
/// Most arrivals kept in the window: two seconds of 10 ms packets, with room for late ones.
const WINDOW_SAMPLES: usize = 256;
/// Percentile of relative delay the target covers: higher costs delay, lower costs late packets.
const PERCENTILE: usize = 95;
/// Until the window spans this long, too few arrivals have been seen to trust the estimate...
const WARMUP: Duration = Duration::from_millis(500);
/// ...so at least this much jitter is assumed: starting a frame later costs less than
/// concealing the first packets that come a little late.
const WARMUP_JITTER: Duration = Duration::from_millis(20);
/// Smallest target: the consumer pulls a 20 ms frame at a time.
const MIN_TARGET: Duration = Duration::from_millis(20);
/// Largest target: beyond this, conversation suffers more than it gains from fewer late packets.
const MAX_TARGET: Duration = Duration::from_millis(300);
/// How long the delay must stay above target before a packet is dropped to bring it down.
const SHRINK_HOLD: Duration = Duration::from_millis(500);
/// Concealment played with nothing buffered after which the buffer gives up and plays silence.
const LONG_LOSS: Duration = Duration::from_millis(150);
/// Packet duration assumed until two consecutive packets show the real one.
const DEFAULT_PACKET: Duration = Duration::from_millis(20);
/// Longest packet duration believed (Opus packets go up to 120 ms); longer timestamp steps
/// between consecutive packets are gaps in the audio, not packet durations.
const MAX_PACKET: Duration = Duration::from_millis(120);
/// The length of silence handed out when there is nothing to play: one media frame.
const FRAME: Duration = Duration::from_millis(20);
/// Sequence numbers further ahead than this start a new stream (RFC 3550, appendix A.1).
const MAX_DROPOUT: i16 = 3000;
/// Sequence numbers further behind than this start a new stream (RFC 3550, appendix A.1).
const MAX_MISORDER: i16 = 100;
/// A transit change this large is not jitter but a timestamp jump: the stream starts over.
const MAX_TRANSIT_JUMP: Duration = Duration::from_secs(1);
/// Lowest clock rate accepted; lower rates are raised to it so that every step has a length.
const MIN_CLOCK_RATE: u32 = 1000;

/// The receive jitter buffer of one RTP audio stream.
pub struct JitterBuffer {
    clock: Clock,
    stream: Option<Stream>,
    stats: JitterStats,
}

/// What [`JitterBuffer::push`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Stored for playout.
    Accepted,
    /// A copy of a packet already received: discarded.
    Duplicate,
    /// Behind the playout point: discarded.
    Late,
    /// A new SSRC, or a timestamp or sequence number jump: the buffer was reset and this packet
    /// starts the new stream.
    Restarted,
}

/// What to play next, from [`JitterBuffer::pop`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout {
    /// The next packet: decode it. `samples` = its duration in RTP timestamp units.
    Packet {
        /// The RTP payload.
        payload: Bytes,
        /// The packet's duration in RTP timestamp units.
        samples: u32,
    },
    /// The next packet is missing: conceal `samples` units; `next` is the packet after it if
    /// already here (for Opus FEC).
    Lost {
        /// The payload of the packet after the missing one, if it is here.
        next: Option<Bytes>,
        /// How much to conceal, in RTP timestamp units.
        samples: u32,
    },
    /// Nothing to play (buffering at start, after a long gap, or stream not started): play
    /// `samples` units of silence.
    Silence {
        /// How much silence to play, in RTP timestamp units.
        samples: u32,
    },
}

/// Counters since the buffer was created; [`JitterBuffer::reset`] keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    /// Packets handed out for decoding.
    pub played: u64,
    /// Concealment steps handed out ([`Playout::Lost`]).
    pub concealed: u64,
    /// Packets that arrived behind the playout point.
    pub late: u64,
    /// Copies of packets already received.
    pub duplicates: u64,
    /// Packets discarded to shrink the delay or to make room.
    pub dropped: u64,
}

impl JitterBuffer {
    /// An empty buffer for a stream with this RTP clock rate (Hz); it plays silence until the
    /// first packet has been buffered.
    pub fn new(clock_rate: u32) -> JitterBuffer {
        JitterBuffer {
            clock: Clock(clock_rate.max(MIN_CLOCK_RATE)),
            stream: None,
            stats: JitterStats::default(),
        }
    }

    /// Takes a packet that arrived at `arrival`: `seq`, `timestamp` and `ssrc` come straight from
    /// its RTP header, and `payload` is kept until it is played or discarded.
    pub fn push(
        &mut self,
        seq: u16,
        timestamp: u32,
        ssrc: u32,
        payload: Bytes,
        arrival: Instant,
    ) -> Arrival {
        let restarted = self
            .stream
            .as_ref()
            .is_some_and(|s| s.ssrc != ssrc || s.is_jump(seq, timestamp, arrival));
        if restarted {
            self.stream = None;
        }
        let clock = self.clock;
        let stream = self
            .stream
            .get_or_insert_with(|| Stream::new(clock, ssrc, seq, timestamp, arrival));
        let outcome = stream.insert(seq, timestamp, payload, arrival, &mut self.stats);
        if restarted {
            Arrival::Restarted
        } else {
            outcome
        }
    }

    /// What to play next. Each call covers the `samples` it returns; the consumer calls again
    /// until it has enough audio for its frame.
    pub fn pop(&mut self, now: Instant) -> Playout {
        let silence = Playout::Silence {
            samples: self.clock.ticks(FRAME) as u32,
        };
        match &mut self.stream {
            Some(stream) => stream.pop(now, &mut self.stats).unwrap_or(silence),
            None => silence,
        }
    }

    /// The delay the buffer currently aims for: the 95th percentile of recent jitter plus one
    /// packet, between 20 and 300 ms.
    pub fn target_delay(&self) -> Duration {
        match &self.stream {
            Some(s) => self.clock.duration(s.target()),
            // What a new stream starts from.
            None => WARMUP_JITTER + DEFAULT_PACKET,
        }
    }

    /// The audio currently buffered ahead of playout.
    pub fn buffered(&self) -> Duration {
        let Some(s) = &self.stream else {
            return Duration::ZERO;
        };
        let Some(newest) = (0..CAPACITY as u16)
            .rev()
            .find_map(|k| s.held(s.next_seq.wrapping_add(k)))
        else {
            return Duration::ZERO;
        };
        let start = if s.playing {
            s.playout_ts()
        } else {
            s.earliest().map_or(newest.ts, |(_, slot)| slot.ts)
        };
        self.clock.duration(newest.ts + s.packet - start)
    }

    /// Counters since the buffer was created.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Forget everything (call held, stream changed); statistics are kept.
    pub fn reset(&mut self) {
        self.stream = None;
    }
}

/// An RTP clock rate: converts between durations and timestamp units.
#[derive(Debug, Clone, Copy)]
struct Clock(u32);

impl Clock {
    fn ticks(self, d: Duration) -> i64 {
        (d.as_nanos() * u128::from(self.0) / 1_000_000_000) as i64
    }

    /// Timestamp units from `from` to `to`, negative when `to` is earlier.
    fn elapsed(self, from: Instant, to: Instant) -> i64 {
        match to.checked_duration_since(from) {
            Some(d) => self.ticks(d),
            None => -self.ticks(from.duration_since(to)),
        }
    }

    /// The duration of `ticks`, to the nearest nanosecond.
    fn duration(self, ticks: i64) -> Duration {
        let rate = u128::from(self.0);
        let nanos = (ticks.max(0) as u128 * 1_000_000_000 + rate / 2) / rate;
        Duration::from_nanos(nanos as u64)
    }
}

/// A packet waiting to be played.
struct Slot {
    seq: u16,
    /// Extended (unwrapped) timestamp.
    ts: i64,
    payload: Bytes,
}

/// Everything known about the current stream. All times are in timestamp units: arrivals
/// counted from `epoch`, timestamps extended beyond 32 bits.
struct Stream {
    clock: Clock,
    ssrc: u32,
    epoch: Instant,
    /// Held packets, each at index `seq % CAPACITY`; their sequence numbers all lie in
    /// `next_seq..next_seq + CAPACITY`, so each index holds at most one of them.
    slots: [Option<Slot>; CAPACITY],
    /// The sequence number of the next packet to play.
    next_seq: u16,
    /// Where the next pull starts when the packet for it is missing.
    play_ts: i64,
    /// Which of the 64 sequence numbers before `next_seq` arrived (bit `i` is
    /// `next_seq - 1 - i`), to tell copies from late packets.
    history: u64,
    /// The last packet stored: unwraps timestamps and measures packet durations.
    last_seq: u16,
    last_ts: i64,
    last_transit: i64,
    /// Duration of one packet: the latest timestamp step between consecutive packets.
    packet: i64,
    /// False while buffering: at the start and after a long gap.
    playing: bool,
    /// Concealment handed out since the last packet, and the sequence number it started at.
    conceal_run: i64,
    conceal_from: u16,
    /// Start of the current shrink hold period, and the lowest playout delay seen in it.
    hold_start: i64,
    hold_low: i64,
    transits: Transits,
}

impl Stream {
    fn new(clock: Clock, ssrc: u32, seq: u16, timestamp: u32, arrival: Instant) -> Stream {
        Stream {
            clock,
            ssrc,
            epoch: arrival,
            slots: std::array::from_fn(|_| None),
            next_seq: seq,
            play_ts: i64::from(timestamp),
            history: 0,
            last_seq: seq,
            last_ts: i64::from(timestamp),
            last_transit: -i64::from(timestamp),
            packet: clock.ticks(DEFAULT_PACKET),
            playing: false,
            conceal_run: 0,
            conceal_from: seq,
            hold_start: 0,
            hold_low: i64::MAX,
            transits: Transits::new(clock),
        }
    }

    /// The extended timestamp nearest to the last one stored.
    fn unwrap(&self, timestamp: u32) -> i64 {
        self.last_ts + i64::from(timestamp.wrapping_sub(self.last_ts as u32) as i32)
    }

    /// Whether a packet of this stream belongs to a new timeline rather than this one.
    fn is_jump(&self, seq: u16, timestamp: u32, arrival: Instant) -> bool {
        let ahead = seq.wrapping_sub(self.next_seq) as i16;
        let transit = self.clock.elapsed(self.epoch, arrival) - self.unwrap(timestamp);
        !(-MAX_MISORDER..=MAX_DROPOUT).contains(&ahead)
            || (transit - self.last_transit).abs() > self.clock.ticks(MAX_TRANSIT_JUMP)
    }

    fn insert(
        &mut self,
        seq: u16,
        timestamp: u32,
        payload: Bytes,
        arrival: Instant,
        stats: &mut JitterStats,
    ) -> Arrival {
        let ts = self.unwrap(timestamp);
        let at = self.clock.elapsed(self.epoch, arrival);
        let ahead = seq.wrapping_sub(self.next_seq) as i16;
        if ahead < 0 {
            let back = u32::from(ahead.unsigned_abs());
            let bit = 1u64.checked_shl(back - 1).unwrap_or(0);
            if self.history & bit != 0 {
                stats.duplicates += 1;
                return Arrival::Duplicate;
            }
            if self.playing || !self.fits_from(seq) {
                self.history |= bit;
                // A late packet is jitter the target should have covered: it counts.
                self.transits.add(at, at - ts);
                stats.late += 1;
                return Arrival::Late;
            }
            // Still buffering: an earlier packet simply becomes the first one.
            self.rewind(seq);
        }
        let index = usize::from(seq) % CAPACITY;
        if self.slots[index].as_ref().is_some_and(|s| s.seq == seq) {
            stats.duplicates += 1;
            return Arrival::Duplicate;
        }
        while usize::from(seq.wrapping_sub(self.next_seq)) >= CAPACITY {
            if self.advance().0.is_some() {
                stats.dropped += 1;
            }
        }
        self.learn_packet(seq, ts);
        self.slots[index] = Some(Slot { seq, ts, payload });
        self.last_seq = seq;
        self.last_ts = ts;
        self.last_transit = at - ts;
        self.transits.add(at, at - ts);
        Arrival::Accepted
    }

    /// Whether every held packet stays within reach if `seq`, behind `next_seq`, becomes first.
    fn fits_from(&self, seq: u16) -> bool {
        (0..CAPACITY as u16)
            .rev()
            .find(|&k| self.held(self.next_seq.wrapping_add(k)).is_some())
            .is_none_or(|k| usize::from(self.next_seq.wrapping_add(k).wrapping_sub(seq)) < CAPACITY)
    }

    fn learn_packet(&mut self, seq: u16, ts: i64) {
        let step = match seq.wrapping_sub(self.last_seq) {
            1 => ts - self.last_ts,
            u16::MAX => self.last_ts - ts,
            _ => return,
        };
        if (1..=self.clock.ticks(MAX_PACKET)).contains(&step) {
            self.packet = step;
        }
    }

    fn held(&self, seq: u16) -> Option<&Slot> {
        self.slots[usize::from(seq) % CAPACITY]
            .as_ref()
            .filter(|s| s.seq == seq)
    }

    /// The first held packet at or after `next_seq`, with its distance from it.
    fn earliest(&self) -> Option<(u16, &Slot)> {
        (0..CAPACITY as u16).find_map(|k| self.held(self.next_seq.wrapping_add(k)).map(|s| (k, s)))
    }

    /// The timestamp of the next audio to play.
    fn playout_ts(&self) -> i64 {
        self.held(self.next_seq).map_or(self.play_ts, |s| s.ts)
    }

    /// The aimed delay, as reported by `target_delay`.
    fn target(&self) -> i64 {
        let min = self.clock.ticks(MIN_TARGET);
        let max = self.clock.ticks(MAX_TARGET).max(min);
        (self.transits.jitter + self.packet).clamp(min, max)
    }

    /// Moves the playout point past `next_seq`: returns its packet if held, and how many units
    /// it covers (up to the next packet's timestamp when that is here).
    fn advance(&mut self) -> (Option<Slot>, i64) {
        let seq = self.next_seq;
        let slot = self.slots[usize::from(seq) % CAPACITY].take_if(|s| s.seq == seq);
        let start = slot.as_ref().map_or(self.play_ts, |s| s.ts);
        let next = seq.wrapping_add(1);
        let max = self.clock.ticks(MAX_PACKET);
        let len = self
            .held(next)
            .map(|s| s.ts - start)
            .filter(|step| (1..=max).contains(step))
            .unwrap_or(self.packet);
        self.play_ts = start + len;
        self.history = self.history << 1 | u64::from(slot.is_some());
        self.next_seq = next;
        (slot, len)
    }

    /// Plays the packet at `next_seq`, if it is here: its payload and duration.
    fn take(&mut self) -> Option<(Bytes, i64)> {
        self.held(self.next_seq)?;
        let (slot, len) = self.advance();
        slot.map(|s| (s.payload, len))
    }

    /// Moves `next_seq` back to `seq`; held packets must stay within `CAPACITY` of it.
    fn rewind(&mut self, seq: u16) {
        let back = u32::from(self.next_seq.wrapping_sub(seq));
        self.history = self.history.checked_shr(back).unwrap_or(0);
        self.next_seq = seq;
    }

    /// The next step of playout; `None` means silence.
    fn pop(&mut self, now: Instant, stats: &mut JitterStats) -> Option<Playout> {
        let now = self.clock.elapsed(self.epoch, now);
        let target = self.target() - self.packet;
        if !self.playing {
            let (skip, first) = self.earliest().map(|(k, s)| (k, s.ts))?;
            if now - first - self.transits.fastest < target {
                return None;
            }
            for _ in 0..skip {
                self.advance();
            }
            self.playing = true;
            self.conceal_run = 0;
            self.hold_start = now;
            self.hold_low = i64::MAX;
        }
        let delay = now - self.playout_ts() - self.transits.fastest;
        self.hold_low = self.hold_low.min(delay);

        let next = self.next_seq.wrapping_add(1);
        if self.held(self.next_seq).is_some()
            && self.held(next).is_some()
            && self.shrink_due(now, target)
        {
            self.advance();
            stats.dropped += 1;
        }
        if let Some((payload, samples)) = self.take() {
            stats.played += 1;
            self.conceal_run = 0;
            return Some(Playout::Packet {
                payload,
                samples: samples as u32,
            });
        }

        if self.conceal_run >= self.clock.ticks(LONG_LOSS) && self.earliest().is_none() {
            self.rewind(self.conceal_from);
            self.playing = false;
            return None;
        }
        if self.conceal_run == 0 {
            self.conceal_from = self.next_seq;
        }
        stats.concealed += 1;
        if delay < target {
            // Wait for it: this concealment adds to the delay.
            self.conceal_run += self.packet;
            return Some(Playout::Lost {
                next: None,
                samples: self.packet as u32,
            });
        }
        let next = self.held(next).map(|s| s.payload.clone());
        let (_, samples) = self.advance();
        self.conceal_run += samples;
        Some(Playout::Lost {
            next,
            samples: samples as u32,
        })
    }

    /// Whether the delay has stayed above target for a whole hold period (by more than a
    /// packet and an eighth, so that dropping one leaves it an eighth of a packet above);
    /// a new period starts when the answer is known.
    fn shrink_due(&mut self, now: i64, target: i64) -> bool {
        if now - self.hold_start < self.clock.ticks(SHRINK_HOLD) {
            return false;
        }
        let above = self
            .hold_low
            .saturating_sub(target + self.packet + self.packet / 8)
            >= 0;
        self.hold_start = now;
        self.hold_low = i64::MAX;
        above
    }
}

/// Recent arrivals, for the reference transit and the jitter estimate.
struct Transits {
    clock: Clock,
    /// A ring with the oldest at `head`.
    samples: [Sample; WINDOW_SAMPLES],
    head: usize,
    len: usize,
    /// The fastest transit in the window: the reference for relative delays.
    fastest: i64,
    /// The chosen percentile of relative delay in the window.
    jitter: i64,
}

/// One arrival, in timestamp units.
#[derive(Clone, Copy, Default)]
struct Sample {
    at: i64,
    transit: i64,
    /// Transit minus the reference as it stood when the packet arrived. When the sender's clock
    /// drifts slow, the reference lags behind the transits by up to the window's worth of
    /// drift; the playout delay is measured against that same lagging reference, so relative
    /// delays must include the lag too, and measured this way they do.
    relative: i64,
}

impl Transits {
    fn new(clock: Clock) -> Transits {
        Transits {
            clock,
            samples: [Sample::default(); WINDOW_SAMPLES],
            head: 0,
            len: 0,
            fastest: 0,
            jitter: clock.ticks(WARMUP_JITTER),
        }
    }

    fn sample(&self, i: usize) -> &Sample {
        &self.samples[(self.head + i) % WINDOW_SAMPLES]
    }

    fn add(&mut self, at: i64, transit: i64) {
        let oldest_kept = at - self.clock.ticks(WINDOW);
        while self.len == WINDOW_SAMPLES || (self.len > 0 && self.sample(0).at < oldest_kept) {
            self.head = (self.head + 1) % WINDOW_SAMPLES;
            self.len -= 1;
        }
        self.fastest = (0..self.len)
            .map(|i| self.sample(i).transit)
            .fold(transit, i64::min);
        self.samples[(self.head + self.len) % WINDOW_SAMPLES] = Sample {
            at,
            transit,
            relative: transit - self.fastest,
        };
        self.len += 1;

        let mut relative = [0i64; WINDOW_SAMPLES];
        let relative = &mut relative[..self.len];
        for (i, r) in relative.iter_mut().enumerate() {
            *r = self.sample(i).relative;
        }
        let (_, jitter, _) = relative.select_nth_unstable((self.len - 1) * PERCENTILE / 100);
        let span = at - self.sample(0).at;
        self.jitter = if span < self.clock.ticks(WARMUP) {
            (*jitter).max(self.clock.ticks(WARMUP_JITTER))
        } else {
            *jitter
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const SSRC: u32 = 0x1234_5678;
    /// One consumer frame at 48 kHz.
    const FRAME_48K: i64 = 960;

    /// A sender, a network path and a consumer pulling a 20 ms frame every 20 ms.
    #[derive(Debug, Clone)]
    struct Net {
        seconds: u32,
        clock_rate: u32,
        ptime_ms: u32,
        /// Chance that a packet is lost.
        loss: f64,
        /// Extra delay, uniform in `0..jitter_ms`, for packets sent in the first `jitter_s`.
        jitter_ms: f64,
        jitter_s: u32,
        /// Scheduling noise, uniform in `-noise_ms..noise_ms`.
        noise_ms: f64,
        /// Chance that a packet is overtaken by the next one: it arrives just after it.
        reorder: f64,
        /// Chance that a packet arrives a second time, a little later.
        duplicate: f64,
        /// How much faster the sender's clock runs than the consumer's (0.005 = 0.5 %).
        drift: f64,
        /// When the sender sends relative to the consumer's ticks.
        phase_ms: f64,
        first_seq: u16,
        first_ts: u32,
        seed: u64,
        /// When waits and buffer levels start being measured.
        measure_from_s: u32,
    }

    impl Default for Net {
        fn default() -> Net {
            Net {
                seconds: 60,
                clock_rate: 48_000,
                ptime_ms: 20,
                loss: 0.0,
                jitter_ms: 0.0,
                jitter_s: u32::MAX,
                noise_ms: 1.5,
                reorder: 0.0,
                duplicate: 0.0,
                drift: 0.0,
                phase_ms: 7.3,
                first_seq: 1000,
                first_ts: 123_456,
                seed: 1,
                measure_from_s: 5,
            }
        }
    }

    /// What happened, measured from outside the buffer.
    #[derive(Debug, Default)]
    struct Report {
        /// Packets the sender sent.
        sent: u64,
        /// Of those, lost by the network.
        lost: u64,
        /// Extra copies the network delivered.
        copies: u64,
        restarts: u64,
        stats: JitterStats,
        /// Mean time a played packet waited in the buffer, once measuring.
        wait_ms: f64,
        /// Most audio buffered after a tick's pulls, once measuring.
        max_buffered_ms: f64,
        /// Target delay at the end.
        target_ms: f64,
    }

    impl Report {
        /// Share of the packets sent.
        fn share(&self, n: u64) -> f64 {
            n as f64 / self.sent as f64
        }
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    fn run(net: &Net) -> Report {
        let mut rng = StdRng::seed_from_u64(net.seed);
        let packets = (f64::from(net.seconds) * 1000.0 / f64::from(net.ptime_ms)
            * (1.0 + net.drift)) as usize;
        let step = net.clock_rate / 1000 * net.ptime_ms;
        let mut arrivals: Vec<Option<f64>> = (0..packets)
            .map(|k| {
                let sent = net.phase_ms + k as f64 * f64::from(net.ptime_ms) / (1.0 + net.drift);
                let jitter = rng.random::<f64>() * net.jitter_ms;
                let jitter = if sent < f64::from(net.jitter_s) * 1000.0 {
                    jitter
                } else {
                    0.0
                };
                let noise = (rng.random::<f64>() * 2.0 - 1.0) * net.noise_ms;
                (rng.random::<f64>() >= net.loss).then_some(sent + 5.0 + jitter + noise)
            })
            .collect();
        for k in 0..packets.saturating_sub(1) {
            if let (Some(a), Some(b)) = (arrivals[k], arrivals[k + 1]) {
                if a < b && rng.random::<f64>() < net.reorder {
                    arrivals[k] = Some(b + rng.random::<f64>() * 2.0);
                }
            }
        }
        let mut events: Vec<(f64, usize)> = Vec::new();
        let mut report = Report {
            sent: packets as u64,
            ..Report::default()
        };
        for (k, arrival) in arrivals.iter().enumerate() {
            let Some(a) = *arrival else {
                report.lost += 1;
                continue;
            };
            events.push((a, k));
            if rng.random::<f64>() < net.duplicate {
                events.push((a + 1.0 + rng.random::<f64>() * (net.jitter_ms + 20.0), k));
                report.copies += 1;
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));

        let start = Instant::now();
        let at = |ms: f64| start + Duration::from_secs_f64(ms.max(0.0) / 1000.0);
        let mut jb = JitterBuffer::new(net.clock_rate);
        let mut next_event = 0;
        let mut fifo = 0i64;
        let mut last_played: Option<usize> = None;
        let (mut waits, mut waited_ms) = (0u64, 0.0);
        for tick in 0..net.seconds as usize * 50 {
            let now_ms = tick as f64 * 20.0;
            while let Some(&(ms, k)) = events.get(next_event).filter(|e| e.0 <= now_ms) {
                let seq = net.first_seq.wrapping_add(k as u16);
                let ts = net.first_ts.wrapping_add((k as u32).wrapping_mul(step));
                let payload = Bytes::copy_from_slice(&(k as u32).to_be_bytes());
                if jb.push(seq, ts, SSRC, payload, at(ms)) == Arrival::Restarted {
                    report.restarts += 1;
                }
                next_event += 1;
            }
            let settled = now_ms >= f64::from(net.measure_from_s) * 1000.0;
            let mut pulls = 0;
            while fifo < FRAME_48K {
                pulls += 1;
                assert!(pulls <= 12, "pulls do not fill a frame");
                let samples = match jb.pop(at(now_ms)) {
                    Playout::Packet { payload, samples } => {
                        let k = u32::from_be_bytes(payload[..].try_into().unwrap()) as usize;
                        assert!(
                            last_played.is_none_or(|l| k > l),
                            "played {k} after {last_played:?}"
                        );
                        if last_played.is_some() {
                            assert_eq!(samples, step, "duration of packet {k}");
                        }
                        last_played = Some(k);
                        if settled {
                            waits += 1;
                            waited_ms += now_ms - arrivals[k].unwrap();
                        }
                        // The decoder knows the real duration.
                        step
                    }
                    Playout::Lost { next, samples } => {
                        if let Some(next) = next {
                            let k = u32::from_be_bytes(next[..].try_into().unwrap()) as usize;
                            assert!(last_played.is_none_or(|l| k > l + 1), "FEC from {k}");
                        }
                        samples
                    }
                    Playout::Silence { samples } => samples,
                };
                assert!(samples > 0);
                fifo += i64::from(samples) * 48_000 / i64::from(net.clock_rate);
            }
            fifo -= FRAME_48K;
            if settled {
                report.max_buffered_ms = report.max_buffered_ms.max(ms(jb.buffered()));
            }
        }
        report.stats = jb.stats();
        report.wait_ms = waited_ms / waits.max(1) as f64;
        report.target_ms = ms(jb.target_delay());
        report
    }

    fn print(name: &str, r: &Report) {
        println!(
            "{name}: target {:.1} ms, wait {:.1} ms, max buffered {:.1} ms, lost {:.2} %, \
             concealed {:.2} %, late {:.2} %, dropped {}, duplicates {}/{}, restarts {}",
            r.target_ms,
            r.wait_ms,
            r.max_buffered_ms,
            100.0 * r.share(r.lost),
            100.0 * r.share(r.stats.concealed),
            100.0 * r.share(r.stats.late),
            r.stats.dropped,
            r.stats.duplicates,
            r.copies,
            r.restarts
        );
    }

    #[test]
    fn clean_network_plays_with_about_one_frame_of_delay() {
        for phase in 0..20u32 {
            let net = Net {
                phase_ms: f64::from(phase) + 0.5,
                seed: u64::from(phase),
                ..Net::default()
            };
            let r = run(&net);
            print(&format!("clean, phase {}", net.phase_ms), &r);
            assert_eq!(r.stats.concealed, 0);
            assert_eq!(r.stats.late, 0);
            assert!(r.stats.dropped <= 2);
            // Every packet played or dropped, but for the last ones still on their way.
            assert!(r.sent - r.stats.played - r.stats.dropped <= 3);
            assert!(r.target_ms <= 25.0);
            assert!(r.wait_ms <= 25.0);
            assert!(r.max_buffered_ms <= 40.0);
        }
    }

    #[test]
    fn jitter_of_60_ms_with_loss_and_reordering() {
        for seed in 0..4 {
            let net = Net {
                jitter_ms: 60.0,
                loss: 0.05,
                reorder: 0.05,
                duplicate: 0.01,
                seed,
                ..Net::default()
            };
            let r = run(&net);
            print(&format!("jitter 60 ms, seed {seed}"), &r);
            assert!(r.share(r.stats.concealed) <= r.share(r.lost) + 0.02);
            assert!(r.share(r.stats.late) < 0.02);
            assert!(r.stats.dropped <= 3);
            assert_eq!(r.stats.duplicates, r.copies);
            assert!((60.0..=110.0).contains(&r.target_ms));
        }
    }

    #[test]
    fn jitter_of_100_ms() {
        for seed in 0..4 {
            let net = Net {
                jitter_ms: 100.0,
                loss: 0.02,
                reorder: 0.02,
                seed,
                ..Net::default()
            };
            let r = run(&net);
            print(&format!("jitter 100 ms, seed {seed}"), &r);
            assert!(r.share(r.stats.concealed) <= r.share(r.lost) + 0.02);
            assert!(r.share(r.stats.late) < 0.02);
            assert!((100.0..=200.0).contains(&r.target_ms));
        }
    }

    #[test]
    fn clock_drift_is_held_over_ten_minutes() {
        for drift in [0.005, -0.005] {
            let net = Net {
                seconds: 600,
                jitter_ms: 10.0,
                drift,
                ..Net::default()
            };
            let r = run(&net);
            print(&format!("drift {drift}"), &r);
            assert!(r.max_buffered_ms <= 80.0);
            assert!(r.wait_ms <= 40.0);
            assert!(r.share(r.stats.late) < 0.01);
            // 0.5 % of ten minutes is 3 s, 150 packets: dropped when the sender is fast,
            // concealed when it is slow (besides a concealment for each late packet).
            let (corrected, other) = if drift > 0.0 {
                (r.stats.dropped, r.stats.concealed)
            } else {
                (r.stats.concealed - r.stats.late, r.stats.dropped)
            };
            assert!((140..=200).contains(&corrected), "{corrected}");
            assert!(other <= 20, "{other}");
        }
    }

    #[test]
    fn clean_network_with_other_packet_sizes() {
        for (clock_rate, ptime_ms) in [(8000, 10), (8000, 30), (48_000, 40), (48_000, 60)] {
            let net = Net {
                clock_rate,
                ptime_ms,
                ..Net::default()
            };
            let r = run(&net);
            print(&format!("clean, {clock_rate} Hz, {ptime_ms} ms"), &r);
            assert_eq!(r.stats.concealed, 0);
            assert_eq!(r.stats.late, 0);
            assert!(r.stats.dropped <= 2);
            assert!(r.wait_ms <= f64::from(ptime_ms.max(20)) + 10.0);
        }
    }

    #[test]
    fn sequence_numbers_and_timestamps_wrap() {
        let net = Net {
            first_seq: 65_000,
            first_ts: u32::MAX - 50_000,
            jitter_ms: 40.0,
            loss: 0.03,
            reorder: 0.05,
            seconds: 30,
            ..Net::default()
        };
        let r = run(&net);
        print("wrap", &r);
        assert_eq!(r.restarts, 0);
        assert!(r.share(r.stats.concealed) <= r.share(r.lost) + 0.02);
        // Every packet that arrived was played, but for the late ones and the last few.
        let arrived = r.sent - r.lost;
        assert!(arrived - r.stats.played - r.stats.late - r.stats.dropped <= 5);
    }

    #[test]
    fn delay_comes_back_down_when_jitter_stops() {
        let net = Net {
            jitter_ms: 100.0,
            jitter_s: 30,
            loss: 0.02,
            measure_from_s: 45,
            ..Net::default()
        };
        let r = run(&net);
        print("jitter 100 ms for 30 s, then none", &r);
        assert!(r.target_ms <= 25.0);
        assert!(r.wait_ms <= 25.0);
        // From about 100 ms to about 10 ms, a packet at a time, and no back and forth.
        assert!((3..=8).contains(&r.stats.dropped), "{}", r.stats.dropped);
        assert!(r.share(r.stats.concealed) <= r.share(r.lost) + 0.01);
    }

    fn payload(k: u8) -> Bytes {
        Bytes::copy_from_slice(&[k])
    }

    /// Pulls until a packet comes out, collecting what came before it.
    fn until_packet(jb: &mut JitterBuffer, now: Instant) -> (Vec<Playout>, Option<Bytes>) {
        let mut before = Vec::new();
        for _ in 0..100 {
            match jb.pop(now) {
                Playout::Packet { payload, .. } => return (before, Some(payload)),
                other => before.push(other),
            }
        }
        (before, None)
    }

    #[test]
    fn duplicates_late_packets_and_holes() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut jb = JitterBuffer::new(8000);
        assert_eq!(
            jb.push(10, 1600, SSRC, payload(10), ms(0)),
            Arrival::Accepted
        );
        assert_eq!(
            jb.push(10, 1600, SSRC, payload(10), ms(1)),
            Arrival::Duplicate
        );
        for k in [11u8, 12, 14] {
            let at = ms(20 * u64::from(k - 10));
            let arrival = jb.push(u16::from(k), 160 * u32::from(k), SSRC, payload(k), at);
            assert_eq!(arrival, Arrival::Accepted);
        }
        let now = ms(200);
        let plays: Vec<Playout> = (0..5).map(|_| jb.pop(now)).collect();
        let packet = |k: u8| Playout::Packet {
            payload: payload(k),
            samples: 160,
        };
        let hole = Playout::Lost {
            next: Some(payload(14)),
            samples: 160,
        };
        assert_eq!(
            plays,
            [packet(10), packet(11), packet(12), hole, packet(14)]
        );

        assert_eq!(
            jb.push(10, 1600, SSRC, payload(10), now),
            Arrival::Duplicate
        );
        assert_eq!(jb.push(13, 2080, SSRC, payload(13), now), Arrival::Late);
        assert_eq!(
            jb.push(13, 2080, SSRC, payload(13), now),
            Arrival::Duplicate
        );
        let stats = jb.stats();
        assert_eq!(
            stats,
            JitterStats {
                played: 4,
                concealed: 1,
                late: 1,
                duplicates: 3,
                dropped: 0
            }
        );
    }

    #[test]
    fn new_ssrc_restarts() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(48_000);
        for k in 0..5u8 {
            let at = t0 + Duration::from_millis(20 * u64::from(k));
            jb.push(u16::from(k), 960 * u32::from(k), 1, payload(k), at);
        }
        let now = t0 + Duration::from_millis(200);
        assert_eq!(until_packet(&mut jb, now).1, Some(payload(0)));
        assert_eq!(jb.push(777, 5, 2, payload(50), now), Arrival::Restarted);
        // The first stream's packets are gone; the new one buffers, then plays.
        let later = now + Duration::from_millis(100);
        let (before, played) = until_packet(&mut jb, later);
        assert_eq!(played, Some(payload(50)));
        assert!(before.iter().all(|p| matches!(p, Playout::Silence { .. })));
        assert_eq!(jb.stats().played, 2);
    }

    #[test]
    fn timestamp_and_sequence_jumps_restart() {
        let t0 = Instant::now();
        let at = |k: u64| t0 + Duration::from_millis(20 * k);
        let mut jb = JitterBuffer::new(8000);
        for k in 0..10u16 {
            assert_eq!(
                jb.push(k, 160 * u32::from(k), SSRC, payload(0), at(u64::from(k))),
                Arrival::Accepted
            );
        }
        // The timestamp leaps 10 s ahead while the packet comes on time.
        assert_eq!(
            jb.push(10, 81_600, SSRC, payload(1), at(10)),
            Arrival::Restarted
        );
        assert_eq!(
            jb.push(11, 81_760, SSRC, payload(2), at(11)),
            Arrival::Accepted
        );
        // The sequence number leaps.
        assert_eq!(
            jb.push(9000, 81_920, SSRC, payload(3), at(12)),
            Arrival::Restarted
        );
        // A timestamp gap that matches the time that passed is a pause, not a new stream.
        let resumed = 81_920 + 8000 * 5;
        let arrival = jb.push(9001, resumed, SSRC, payload(4), at(12 + 250));
        assert_eq!(arrival, Arrival::Accepted);
    }

    #[test]
    fn long_gap_plays_silence_then_buffers_again() {
        let t0 = Instant::now();
        let tick = |n: u64| t0 + Duration::from_millis(20 * n);
        let mut jb = JitterBuffer::new(48_000);
        let mut outputs = Vec::new();
        for n in 0..200u64 {
            // Packets 0..50, then a second with none, then the rest; the timestamps keep time.
            if !(50..100).contains(&n) {
                let arrival = jb.push(
                    n as u16,
                    960 * n as u32,
                    SSRC,
                    payload(n as u8),
                    tick(n) + Duration::from_millis(3),
                );
                assert_ne!(arrival, Arrival::Restarted);
            }
            outputs.push(jb.pop(tick(n + 1)));
        }
        let gap = &outputs[50..100];
        let lost = gap
            .iter()
            .filter(|p| matches!(p, Playout::Lost { .. }))
            .count();
        assert!((1..=8).contains(&lost), "{lost} concealments");
        assert!(gap[lost..]
            .iter()
            .all(|p| matches!(p, Playout::Silence { .. })));
        let resumed = outputs[100..]
            .iter()
            .filter(|p| matches!(p, Playout::Packet { .. }))
            .count();
        assert!(resumed >= 98, "{resumed} packets after the gap");
    }

    #[test]
    fn holds_a_bounded_number_of_packets() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(48_000);
        for k in 0..1000u32 {
            let arrival = jb.push(k as u16, 960 * k, SSRC, payload(0), t0);
            assert_eq!(arrival, Arrival::Accepted);
        }
        assert_eq!(jb.buffered(), Duration::from_millis(20) * CAPACITY as u32);
        assert_eq!(jb.stats().dropped, 1000 - CAPACITY as u64);
    }

    #[test]
    fn reset_forgets_packets_but_keeps_statistics() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(8000);
        for k in 0..5u16 {
            jb.push(k, 160 * u32::from(k), SSRC, payload(0), t0);
        }
        until_packet(&mut jb, t0 + Duration::from_millis(100));
        let stats = jb.stats();
        assert_eq!(stats.played, 1);
        jb.reset();
        assert_eq!(jb.buffered(), Duration::ZERO);
        assert_eq!(
            jb.pop(t0 + Duration::from_millis(120)),
            Playout::Silence { samples: 160 }
        );
        assert_eq!(jb.stats(), stats);
        assert_eq!(jb.push(5, 800, SSRC, payload(0), t0), Arrival::Accepted);
    }

    #[test]
    fn any_input_is_survived() {
        let mut rng = StdRng::seed_from_u64(99);
        let t0 = Instant::now();
        for clock_rate in [0, 8000, 48_000, u32::MAX] {
            let mut jb = JitterBuffer::new(clock_rate);
            let mut seq = 0u16;
            let mut ts = 0u32;
            for _ in 0..20_000 {
                let at = t0 + Duration::from_micros(rng.random_range(0..100_000_000));
                if rng.random::<bool>() {
                    // Mostly a plausible stream, sometimes anything at all.
                    seq = seq.wrapping_add(rng.random_range(0..3));
                    ts = ts.wrapping_add(rng.random_range(0..2000));
                    let (seq, ts) = if rng.random::<f64>() < 0.1 {
                        (rng.random(), rng.random())
                    } else {
                        (seq, ts)
                    };
                    jb.push(seq, ts, rng.random_range(0..2), Bytes::new(), at);
                } else {
                    let samples = match jb.pop(at) {
                        Playout::Packet { samples, .. }
                        | Playout::Lost { samples, .. }
                        | Playout::Silence { samples } => samples,
                    };
                    assert!(samples > 0);
                }
                assert!(jb.buffered() <= MAX_PACKET * CAPACITY as u32);
                let target = jb.target_delay();
                assert!(
                    (MIN_TARGET..=MAX_TARGET).contains(&target),
                    "{clock_rate}: {target:?}"
                );
            }
        }
    }
}
