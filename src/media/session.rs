//! The media of one call, without sockets or clocks: what to send each tick, what to play each
//! tick, what the RTP and RTCP that arrive mean. The media thread owns one per call and does the
//! I/O around it.

use std::net::SocketAddr;
use std::time::{Instant, SystemTime};

use crate::core::phone::MediaStats;
use crate::core::sdp::{Codec, Negotiated, TelephoneEvent, TELEPHONE_EVENT_PT};
use crate::media::codec::{CodecError, Decoder, Encoder};
use crate::media::dtmf::{DtmfError, DtmfReceiver, DtmfSender};
use crate::media::jitter::{JitterBuffer, Playout};
use crate::media::rtcp::{ReceptionStats, Rtcp};
use crate::media::rtp::{self, RtpSender};
use crate::media::tones::{Tone, ToneGenerator};
use crate::media::{Frame, FRAME_SAMPLES, SAMPLE_RATE};

/// One call's media streams.
pub struct Session {
    line: usize,
    stream: Negotiated,
    encoder: Encoder,
    decoder: Decoder,
    sender: RtpSender,
    /// RTP timestamp units since the stream began; advances every tick, also while held, so the
    /// far end's playout stays in step after a resume.
    offset: u32,
    /// Whether the last tick sent audio; the next audio packet after a pause carries the marker.
    sending: bool,
    reception: ReceptionStats,
    rtcp: Rtcp,
    jitter: JitterBuffer,
    /// Decoded audio waiting to be played; packets need not be 20 ms long.
    pcm: Vec<i16>,
    dtmf_out: DtmfSender,
    dtmf_in: DtmfReceiver,
    /// The digit being played in-band, when the far end takes no telephone-events.
    inband: Option<(char, ToneGenerator)>,
    /// Whether any audio has arrived since the stream (re)started: early media replaces ringback.
    heard: bool,
    played_samples: u64,
    concealed_samples: u64,
    payload: Vec<u8>,
    packet: Vec<u8>,
}

impl Session {
    /// Media for a call on `line`, as negotiated.
    pub fn new(line: usize, stream: Negotiated, cname: String) -> Result<Session, CodecError> {
        let clock_rate = stream.codec.clock_rate();
        Ok(Session {
            line,
            stream,
            encoder: Encoder::new(stream.codec)?,
            decoder: Decoder::new(stream.codec)?,
            sender: RtpSender::new(),
            offset: 0,
            sending: false,
            reception: ReceptionStats::new(clock_rate),
            rtcp: Rtcp::new(clock_rate, cname),
            jitter: JitterBuffer::new(clock_rate),
            pcm: Vec::with_capacity(FRAME_SAMPLES * 8),
            dtmf_out: DtmfSender::new(),
            dtmf_in: DtmfReceiver::new(),
            inband: None,
            heard: false,
            played_samples: 0,
            concealed_samples: 0,
            payload: Vec::with_capacity(1500),
            packet: Vec::with_capacity(1500),
        })
    }

    /// A new negotiation (hold, resume, early media becoming the call). A changed codec gets new
    /// codec state; a stream that stops receiving forgets what it buffered.
    pub fn update(&mut self, line: usize, stream: Negotiated) -> Result<(), CodecError> {
        self.line = line;
        if stream.codec != self.stream.codec {
            let clock_rate = stream.codec.clock_rate();
            self.encoder = Encoder::new(stream.codec)?;
            self.decoder = Decoder::new(stream.codec)?;
            self.reception = ReceptionStats::new(clock_rate);
            self.jitter = JitterBuffer::new(clock_rate);
            self.offset = 0;
            self.pcm.clear();
        } else if !stream.direction.receives() || stream.remote_addr != self.stream.remote_addr {
            self.jitter.reset();
            self.pcm.clear();
            self.heard = false;
        }
        self.stream = stream;
        Ok(())
    }

    /// The line key the call is on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Where RTP goes, when we send at all (not while held, not to `0.0.0.0`).
    pub fn rtp_destination(&self) -> Option<SocketAddr> {
        let remote = self.stream.remote_addr;
        (self.stream.direction.sends() && !remote.ip().is_unspecified() && remote.port() != 0)
            .then_some(remote)
    }

    /// Where RTCP goes: the port after the RTP one (RFC 3550 §11), also while held.
    pub fn rtcp_destination(&self) -> Option<SocketAddr> {
        let remote = self.stream.remote_addr;
        (!remote.ip().is_unspecified() && remote.port() != 0)
            .then(|| SocketAddr::new(remote.ip(), remote.port().wrapping_add(1)))
    }

    /// Whether audio from the far end has been heard since the stream started.
    pub fn heard(&self) -> bool {
        self.heard
    }

    /// Whether the stream plays what arrives.
    pub fn receives(&self) -> bool {
        self.stream.direction.receives()
    }

    /// Queues digits to send.
    pub fn send_digits(&mut self, digits: &str) -> Result<(), DtmfError> {
        self.dtmf_out.push(digits)
    }

    /// An RTP datagram arrived; returns a DTMF digit the far end pressed, if it was one.
    pub fn on_rtp(&mut self, datagram: &[u8], arrival: Instant) -> Option<char> {
        let packet = rtp::parse(datagram).ok()?;
        if !self.stream.direction.receives() {
            return None;
        }
        if self.is_telephone_event(packet.payload_type) {
            return self.dtmf_in.on_packet(packet.timestamp, &packet.payload);
        }
        // Peers send with their own number for the codec or, by mistake, ours: take either.
        if packet.payload_type != self.stream.local_payload_type
            && packet.payload_type != self.stream.payload_type
        {
            return None;
        }
        self.reception
            .on_packet(packet.ssrc, packet.sequence, packet.timestamp, arrival);
        self.jitter.push(
            packet.sequence,
            packet.timestamp,
            packet.ssrc,
            packet.payload,
            arrival,
        );
        self.heard = true;
        None
    }

    /// An RTCP datagram arrived.
    pub fn on_rtcp(&mut self, datagram: &[u8], now: Instant) {
        if let Err(e) = self.rtcp.on_datagram(datagram, now, self.sender.ssrc()) {
            tracing::debug!("line {}: RTCP ignored: {e}", self.line);
        }
    }

    fn is_telephone_event(&self, payload_type: u8) -> bool {
        self.stream
            .telephone_event
            .is_some_and(|te| te.payload_type == payload_type)
            || payload_type == TELEPHONE_EVENT_PT
    }

    /// One tick of sending: encodes `frame` (or plays a digit) and hands each RTP packet to
    /// `send`. The RTP clock advances whether or not anything is sent.
    pub fn send_tick(&mut self, frame: &Frame, send: &mut dyn FnMut(&[u8])) {
        let step = self.encoder.timestamp_step();
        let offset = self.offset;
        self.offset = self.offset.wrapping_add(step);
        if self.rtp_destination().is_none() {
            self.sending = false;
            return;
        }
        if let Some(te) = self.stream.telephone_event {
            if self.send_telephone_events(te, offset, step, send) {
                return;
            }
        } else if self.inband_digit(offset, step, frame, send) {
            return;
        }
        self.send_audio(frame, offset, send);
    }

    fn send_audio(&mut self, frame: &Frame, offset: u32, send: &mut dyn FnMut(&[u8])) {
        if let Err(e) = self.encoder.encode(frame, &mut self.payload) {
            tracing::warn!("line {}: cannot encode: {e}", self.line);
            return;
        }
        let marker = !self.sending;
        self.sender.write(
            self.stream.payload_type,
            offset,
            marker,
            &self.payload,
            &mut self.packet,
        );
        send(&self.packet);
        self.sending = true;
    }

    /// RFC 4733 events in place of audio while a digit plays; their timing is in the event's
    /// clock, which may differ from the audio's (telephone-event/8000 beside Opus).
    fn send_telephone_events(
        &mut self,
        te: TelephoneEvent,
        offset: u32,
        step: u32,
        send: &mut dyn FnMut(&[u8]),
    ) -> bool {
        let audio_rate = u64::from(self.stream.codec.clock_rate());
        let te_rate = u64::from(te.clock_rate);
        let to_te = |units: u32| (u64::from(units) * te_rate / audio_rate) as u32;
        let Some(tick) = self.dtmf_out.tick(to_te(offset), to_te(step)) else {
            return false;
        };
        for event in &tick.packets {
            let event_offset = (u64::from(event.offset) * audio_rate / te_rate) as u32;
            self.sender.write(
                te.payload_type,
                event_offset,
                event.marker,
                &event.payload,
                &mut self.packet,
            );
            send(&self.packet);
        }
        self.sending = false;
        true
    }

    /// In-band DTMF: the digit's tone pair replaces the microphone while it plays, and fades
    /// out over the microphone's next frame when it ends (a cut-off sine clicks).
    fn inband_digit(
        &mut self,
        offset: u32,
        step: u32,
        microphone: &Frame,
        send: &mut dyn FnMut(&[u8]),
    ) -> bool {
        let Some(tick) = self.dtmf_out.tick(offset, step) else {
            let Some((_, mut generator)) = self.inband.take() else {
                return false;
            };
            generator.stop();
            let mut tail = *microphone;
            generator.mix_into(&mut tail);
            self.send_audio(&tail, offset, send);
            return true;
        };
        if self.inband.as_ref().map(|(digit, _)| *digit) != Some(tick.digit) {
            self.inband = Some((tick.digit, ToneGenerator::new(Tone::Dtmf(tick.digit))));
        }
        let mut tone = [0i16; FRAME_SAMPLES];
        if let Some((_, generator)) = &mut self.inband {
            generator.mix_into(&mut tone);
        }
        self.send_audio(&tone, offset, send);
        true
    }

    /// One tick of playout: writes the next 20 ms of the far end's audio into `frame`
    /// (silence when the stream does not receive or nothing has arrived).
    pub fn receive_tick(&mut self, now: Instant, frame: &mut Frame) {
        if !self.stream.direction.receives() {
            frame.fill(0);
            return;
        }
        let rate = self.stream.codec.clock_rate();
        let to_48k =
            |units: u32| (u64::from(units) * u64::from(SAMPLE_RATE) / u64::from(rate)) as usize;
        while self.pcm.len() < FRAME_SAMPLES {
            match self.jitter.pop(now) {
                Playout::Packet { payload, samples } => {
                    match self.decoder.decode(&payload, &mut self.pcm) {
                        Ok(n) => self.played_samples += n as u64,
                        Err(e) => {
                            tracing::debug!("line {}: undecodable packet: {e}", self.line);
                            let n = self.decoder.conceal(None, to_48k(samples), &mut self.pcm);
                            self.concealed_samples += n as u64;
                        }
                    }
                }
                Playout::Lost { next, samples } => {
                    let n = self
                        .decoder
                        .conceal(next.as_deref(), to_48k(samples), &mut self.pcm);
                    self.concealed_samples += n as u64;
                }
                Playout::Silence { samples } => {
                    let n = to_48k(samples).max(1);
                    self.pcm.resize(self.pcm.len() + n, 0);
                }
            }
        }
        frame.copy_from_slice(&self.pcm[..FRAME_SAMPLES]);
        self.pcm.drain(..FRAME_SAMPLES);
    }

    /// Writes an RTCP report into `out` when one is due; returns whether it did.
    pub fn rtcp_tick(&mut self, now: Instant, wallclock: SystemTime, out: &mut Vec<u8>) -> bool {
        if now < self.rtcp.next_report() {
            return false;
        }
        let rtp_timestamp = self.sender.timestamp(self.offset);
        self.rtcp.write_report(
            now,
            wallclock,
            &self.sender,
            rtp_timestamp,
            &mut self.reception,
            out,
        );
        true
    }

    /// Writes the RTCP that ends the stream (a last report and BYE, RFC 3550 §6.6) into `out`.
    pub fn rtcp_bye(&mut self, now: Instant, wallclock: SystemTime, out: &mut Vec<u8>) {
        let rtp_timestamp = self.sender.timestamp(self.offset);
        self.rtcp.write_bye(
            now,
            wallclock,
            &self.sender,
            rtp_timestamp,
            &mut self.reception,
            out,
        );
    }

    /// The figures for the `media` event.
    pub fn stats(&self) -> MediaStats {
        let jitter = self.jitter.stats();
        let played = self.played_samples + self.concealed_samples;
        MediaStats {
            codec: self.stream.codec.name().to_owned(),
            sent: self.sender.packets_sent(),
            received: self.reception.received(),
            lost: self.reception.lost(),
            late: jitter.late,
            concealed: if played == 0 {
                0.0
            } else {
                self.concealed_samples as f64 / played as f64
            },
            jitter_ms: self.reception.jitter_ms(),
            buffer_ms: self.jitter.target_delay().as_secs_f64() * 1000.0,
            rtt_ms: self.rtcp.rtt().map(|d| d.as_secs_f64() * 1000.0),
        }
    }

    /// The codec in use.
    pub fn codec(&self) -> Codec {
        self.stream.codec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sdp::Direction;
    use crate::media::rtp::Received;
    use std::time::Duration;

    fn stream(codec: Codec, telephone_event: Option<TelephoneEvent>) -> Negotiated {
        Negotiated {
            codec,
            payload_type: codec.payload_type(),
            local_payload_type: codec.payload_type(),
            telephone_event,
            remote_addr: SocketAddr::from(([127, 0, 0, 1], 40_000)),
            direction: Direction::SendRecv,
            ptime: 20,
        }
    }

    /// Runs `ticks` send ticks of `frame` and returns the packets sent, parsed.
    fn send(session: &mut Session, frame: &Frame, ticks: usize) -> Vec<Received> {
        let mut sent = Vec::new();
        for _ in 0..ticks {
            session.send_tick(frame, &mut |p| sent.push(rtp::parse(p).unwrap()));
        }
        sent
    }

    fn power(samples: &[i16], hz: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * hz / f64::from(SAMPLE_RATE);
        let (mut s1, mut s2) = (0.0, 0.0);
        for &x in samples {
            let s0 = f64::from(x) + 2.0 * w.cos() * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2
    }

    #[test]
    fn rtp_clock_keeps_time_through_hold() {
        let mut session = Session::new(1, stream(Codec::Pcmu, None), "t".into()).unwrap();
        let quiet = [0; FRAME_SAMPLES];
        let before = send(&mut session, &quiet, 10);
        assert_eq!(before.len(), 10);
        assert!(before[0].marker && !before[1].marker);

        let mut held = stream(Codec::Pcmu, None);
        held.direction = Direction::Inactive;
        session.update(1, held).unwrap();
        assert!(
            send(&mut session, &quiet, 5).is_empty(),
            "nothing is sent while held"
        );

        session.update(1, stream(Codec::Pcmu, None)).unwrap();
        let after = send(&mut session, &quiet, 1);
        let last = before.last().unwrap();
        assert_eq!(after[0].timestamp, last.timestamp.wrapping_add(6 * 160));
        assert_eq!(after[0].sequence, last.sequence.wrapping_add(1));
        assert!(after[0].marker, "a new talkspurt after the pause");
    }

    #[test]
    fn digits_go_in_band_without_telephone_events() {
        let mut near = Session::new(1, stream(Codec::Pcmu, None), "near".into()).unwrap();
        let mut far = Session::new(1, stream(Codec::Pcmu, None), "far".into()).unwrap();
        near.send_digits("5").unwrap();
        let mut heard = Vec::new();
        let mut frame = [0; FRAME_SAMPLES];
        let start = Instant::now();
        for tick in 0..8u32 {
            let now = start + Duration::from_millis(20 * u64::from(tick));
            let mut packets = Vec::new();
            near.send_tick(&[0; FRAME_SAMPLES], &mut |p| packets.push(p.to_vec()));
            for packet in packets {
                assert_eq!(far.on_rtp(&packet, now), None);
            }
            far.receive_tick(now, &mut frame);
            heard.extend_from_slice(&frame);
        }
        // 5 is 770 Hz + 1336 Hz; 697 Hz and 1209 Hz (its neighbours on the keypad) stay quiet.
        for (on, off) in [(770.0, 697.0), (1336.0, 1209.0)] {
            assert!(
                power(&heard, on) > 100.0 * power(&heard, off),
                "{on} Hz vs {off} Hz"
            );
        }
    }

    #[test]
    fn telephone_events_use_their_own_clock_beside_opus() {
        let te = TelephoneEvent {
            payload_type: 101,
            clock_rate: 8_000,
        };
        let mut near = Session::new(1, stream(Codec::Opus, Some(te)), "near".into()).unwrap();
        let mut far = Session::new(1, stream(Codec::Opus, Some(te)), "far".into()).unwrap();
        near.send_digits("7").unwrap();
        let mut packets = Vec::new();
        for _ in 0..12 {
            near.send_tick(&[0; FRAME_SAMPLES], &mut |p| packets.push(p.to_vec()));
        }
        let parsed: Vec<Received> = packets.iter().map(|p| rtp::parse(p).unwrap()).collect();
        let events: Vec<&Received> = parsed.iter().filter(|p| p.payload_type == 101).collect();
        assert!(events.len() >= 5, "{} event packets", events.len());
        // Durations count 8 kHz units: 160 per 20 ms tick, not Opus's 960.
        let duration = |p: &Received| u16::from_be_bytes([p.payload[2], p.payload[3]]);
        assert_eq!(duration(events[0]), 160);
        assert_eq!(duration(events[1]), 320);
        assert!(events.iter().all(|e| e.timestamp == events[0].timestamp));
        assert!(parsed.last().unwrap().payload_type == Codec::Opus.payload_type());
        let digits: Vec<char> = packets
            .iter()
            .filter_map(|p| far.on_rtp(p, Instant::now()))
            .collect();
        assert_eq!(digits, ['7']);
    }
}
