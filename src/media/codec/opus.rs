//! Opus (RFC 6716, RTP payload per RFC 7587) through libopus.
//!
//! linekey sends 48 kHz mono in 20 ms frames, the same frames it works in, so no resampling or
//! re-framing happens here. Received packets may be of any duration Opus allows and may be
//! stereo; libopus downmixes those to mono.

use ::opus::{Application, Bitrate, Channels, ErrorCode, Signal};

use super::CodecError;
use crate::media::{Frame, SAMPLE_RATE};

/// Target bitrate. 32 kb/s lets libopus code fullband speech (hybrid mode) and still fund the
/// in-band FEC copy; at 24 kb/s it drops to wideband.
const BITRATE: i32 = 32_000;

/// Encoder complexity, chosen by measurement: 10 s of synthetic voiced speech (harmonics of a
/// gliding 100–180 Hz pitch under three formants, syllabic envelope, noise) at 32 kb/s with FEC,
/// release build, on a shared two-core x86-64 machine; encoding time is the thread's CPU time
/// (best of five runs), instructions are counted by callgrind:
///
/// | complexity | encode µs / frame | instructions / frame | SNR dB |
/// |-----------:|------------------:|---------------------:|-------:|
/// |          0 |                54 |                      |  12.2  |
/// |          3 |               145 |                      |  11.1  |
/// |          4 |               188 |                1.50 M |  12.7  |
/// |          5 |               217 |                1.50 M |  12.7  |
/// |          6 |               198 |                1.51 M |  12.9  |
/// |          7 |               215 |                      |  12.9  |
/// |          8 |               266 |                1.73 M |  13.1  |
/// |         10 |               281 |                      |  13.1  |
///
/// SNR is a blunt measure for a perceptual codec, but it ranks settings of one codec on one
/// signal consistently. Complexity 0–1 fall back to wideband and 2–3 drop SILK's delayed-decision
/// quantiser (a clear loss); 4 and 5 save only 1 % of 6's instructions for 0.2 dB less, while 6
/// is within 0.2 dB of 8 and above. From 7 on, libopus also runs its tonality/music analysis,
/// which a call already told `Signal::Voice` gains little from, and 8 adds a fourth
/// delayed-decision state and longer noise shaping. Encoding is most of a call's media cost (87 %
/// of the instructions of a 3-way conference host's frame, which runs two encoders), so 6 saves a
/// quarter of that encoding time (an eighth of its instructions) for a difference no listener
/// would notice.
const COMPLEXITY: i32 = 6;

/// The loss rate the encoder plans its FEC for.
const EXPECTED_LOSS_PERCENT: i32 = 10;

/// The longest packet Opus allows: 120 ms.
const MAX_PACKET_SAMPLES: usize = SAMPLE_RATE as usize * 120 / 1000;

/// Loss can only be concealed in whole steps of 2.5 ms, the shortest Opus frame.
const CONCEAL_STEP: usize = SAMPLE_RATE as usize * 25 / 10_000;

/// Room for one encoded 20 ms frame: a code-0 packet is a TOC byte and at most 1275 bytes of
/// frame (RFC 6716 §3.2.1).
const MAX_ENCODED_BYTES: usize = 1 + 1275;

/// No RTP payload exceeds what fits in a UDP datagram; anything longer is refused before it
/// reaches libopus, whose binding panics on lengths beyond `i32`.
const MAX_PAYLOAD_BYTES: usize = 65_535;

/// Encodes 20 ms frames to Opus.
pub struct OpusEncoder {
    inner: ::opus::Encoder,
}

impl OpusEncoder {
    /// A 48 kHz mono VoIP encoder with in-band FEC.
    pub fn new() -> Result<OpusEncoder, CodecError> {
        let setup = |e: ::opus::Error| CodecError::OpusSetup(e.code());
        let mut inner =
            ::opus::Encoder::new(SAMPLE_RATE, Channels::Mono, Application::Voip).map_err(setup)?;
        inner.set_bitrate(Bitrate::Bits(BITRATE)).map_err(setup)?;
        inner.set_complexity(COMPLEXITY).map_err(setup)?;
        inner.set_signal(Signal::Voice).map_err(setup)?;
        inner.set_inband_fec(true).map_err(setup)?;
        inner
            .set_packet_loss_perc(EXPECTED_LOSS_PERCENT)
            .map_err(setup)?;
        // Packet sizes that follow the words spoken leak what was said even through SRTP
        // (RFC 6562); constrained VBR keeps them close to the average.
        inner.set_vbr_constraint(true).map_err(setup)?;
        Ok(OpusEncoder { inner })
    }

    /// Replaces the contents of `out` with the packet for `frame`.
    pub fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.clear();
        out.resize(MAX_ENCODED_BYTES, 0);
        match self.inner.encode(frame, out) {
            Ok(len) => {
                out.truncate(len);
                Ok(())
            }
            Err(e) => {
                out.clear();
                Err(CodecError::OpusEncode(e.code()))
            }
        }
    }
}

/// Decodes Opus packets to 48 kHz mono and conceals lost ones.
pub struct OpusDecoder {
    inner: ::opus::Decoder,
    /// Room for the longest packet; libopus writes here, then the samples are appended.
    pcm: Box<[i16; MAX_PACKET_SAMPLES]>,
}

impl OpusDecoder {
    /// A 48 kHz mono decoder.
    pub fn new() -> Result<OpusDecoder, CodecError> {
        let inner = ::opus::Decoder::new(SAMPLE_RATE, Channels::Mono)
            .map_err(|e| CodecError::OpusSetup(e.code()))?;
        Ok(OpusDecoder {
            inner,
            pcm: Box::new([0; MAX_PACKET_SAMPLES]),
        })
    }

    /// Appends the packet's samples to `out`; returns how many.
    pub fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError> {
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(CodecError::OpusDecode(ErrorCode::InvalidPacket));
        }
        let n = self
            .inner
            .decode(payload, &mut self.pcm[..], false)
            .map_err(|e| CodecError::OpusDecode(e.code()))?;
        out.extend_from_slice(&self.pcm[..n]);
        Ok(n)
    }

    /// Appends exactly `samples` samples standing in for a lost packet: the FEC data in `next`
    /// where it has some for this stretch, libopus's PLC otherwise.
    ///
    /// libopus conceals in steps of 2.5 ms; a request that is not a whole number of steps is
    /// rounded up and the surplus is not played.
    pub fn conceal(&mut self, next: Option<&[u8]>, samples: usize, out: &mut Vec<i16>) -> usize {
        let start = out.len();
        let next = next.filter(|p| !p.is_empty() && p.len() <= MAX_PAYLOAD_BYTES);
        let mut left = samples.next_multiple_of(CONCEAL_STEP);
        while left > 0 {
            // FEC describes the audio just before `next`, so only the last piece can use it,
            // and that piece is made as long as a packet can be. libopus itself conceals the
            // part FEC does not cover, or all of it when `next` carries no FEC.
            let n = if left > MAX_PACKET_SAMPLES {
                (left - MAX_PACKET_SAMPLES).min(MAX_PACKET_SAMPLES)
            } else {
                left
            };
            left -= n;
            let fec = next.filter(|_| left == 0);
            let pcm = &mut self.pcm[..n];
            let recovered = fec.and_then(|packet| self.inner.decode(packet, pcm, true).ok());
            let decoded = match recovered {
                Some(got) => Ok(got),
                None => self.inner.decode(&[], pcm, false),
            };
            match decoded {
                Ok(got) => out.extend_from_slice(&pcm[..got.min(n)]),
                Err(_) => out.resize(out.len() + n, 0),
            }
        }
        // Drop the rounding surplus; pad should libopus ever return less than asked.
        out.resize(start + samples, 0);
        samples
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_audio::{amplitude_at, speech, tone};
    use super::*;
    use crate::media::FRAME_SAMPLES;

    fn encode_all(input: &[i16]) -> Vec<Vec<u8>> {
        let mut enc = OpusEncoder::new().unwrap();
        input
            .chunks_exact(FRAME_SAMPLES)
            .map(|frame| {
                let mut packet = Vec::new();
                enc.encode(frame.try_into().unwrap(), &mut packet).unwrap();
                packet
            })
            .collect()
    }

    /// How a test treats the packet at the loss position.
    #[derive(Clone, Copy)]
    enum Loss {
        None,
        Plc,
        Fec,
    }

    /// Frame `at` as a fresh decoder outputs it after the eight packets before it.
    fn decode_frame(packets: &[Vec<u8>], at: usize, loss: Loss) -> Vec<i16> {
        let mut dec = OpusDecoder::new().unwrap();
        let mut out = Vec::new();
        for packet in &packets[at - 8..at] {
            dec.decode(packet, &mut out).unwrap();
        }
        out.clear();
        match loss {
            Loss::None => dec.decode(&packets[at], &mut out).map(drop).unwrap(),
            Loss::Plc => drop(dec.conceal(None, FRAME_SAMPLES, &mut out)),
            Loss::Fec => drop(dec.conceal(Some(&packets[at + 1]), FRAME_SAMPLES, &mut out)),
        }
        out
    }

    #[test]
    fn fec_recovers_a_lost_frame_better_than_plc() {
        let input = speech(FRAME_SAMPLES * 60);
        let packets = encode_all(&input);
        // Squared error of frame `at` against the input, which is `delay` samples earlier.
        let error = |out: &[i16], at: usize, delay: usize| -> f64 {
            let original = &input[at * FRAME_SAMPLES - delay..];
            out.iter()
                .zip(original)
                .map(|(&o, &i)| (f64::from(o) - f64::from(i)).powi(2))
                .sum()
        };
        // The codec's delay: where loss-free output matches the input best over 20 frames
        // (a single frame of a periodic signal would match at several delays).
        let mut dec = OpusDecoder::new().unwrap();
        let mut clean = Vec::new();
        for packet in &packets[..30] {
            dec.decode(packet, &mut clean).unwrap();
        }
        let settled = &clean[FRAME_SAMPLES * 10..];
        let delay = (0..FRAME_SAMPLES)
            .min_by(|&a, &b| error(settled, 10, a).total_cmp(&error(settled, 10, b)))
            .unwrap();
        // The encoder leaves FEC out of frames its voice detector rates as inactive, so the
        // comparison is over many losses: on average FEC must beat PLC by 3 dB or more, and
        // never be clearly worse.
        let (mut fec_db, mut plc_db) = (0.0, 0.0);
        let losses = 10..58;
        for at in losses.clone() {
            let exact = error(&decode_frame(&packets, at, Loss::None), at, delay);
            let plc = error(&decode_frame(&packets, at, Loss::Plc), at, delay);
            let fec = error(&decode_frame(&packets, at, Loss::Fec), at, delay);
            assert!(fec < plc * 1.25, "frame {at}: FEC {fec:.3e}, PLC {plc:.3e}");
            assert!(fec > exact, "frame {at}: FEC cannot beat the real packet");
            fec_db += 10.0 * (fec / exact).log10();
            plc_db += 10.0 * (plc / exact).log10();
        }
        let n = losses.len() as f64;
        let (fec_db, plc_db) = (fec_db / n, plc_db / n);
        assert!(
            fec_db + 3.0 < plc_db,
            "FEC {fec_db:.1} dB, PLC {plc_db:.1} dB above the loss-free error"
        );
    }

    #[test]
    fn every_packet_duration_decodes() {
        let mut enc =
            ::opus::Encoder::new(SAMPLE_RATE, Channels::Mono, Application::Audio).unwrap();
        let mut dec = OpusDecoder::new().unwrap();
        let input = tone(440.0, 8_000.0, MAX_PACKET_SAMPLES);
        let mut packet = [0u8; 4_000];
        let mut out = Vec::new();
        // 2.5, 5, 10, 20, 40, 60, 80, 100 and 120 ms.
        for samples in [120, 240, 480, 960, 1_920, 2_880, 3_840, 4_800, 5_760] {
            let len = enc.encode(&input[..samples], &mut packet).unwrap();
            out.clear();
            assert_eq!(dec.decode(&packet[..len], &mut out), Ok(samples));
            assert_eq!(out.len(), samples);
        }
    }

    #[test]
    fn stereo_from_a_peer_decodes_to_mono() {
        let mut enc =
            ::opus::Encoder::new(SAMPLE_RATE, Channels::Stereo, Application::Voip).unwrap();
        let mut dec = OpusDecoder::new().unwrap();
        let left = tone(440.0, 8_000.0, FRAME_SAMPLES * 20);
        let right = tone(1_000.0, 8_000.0, FRAME_SAMPLES * 20);
        let stereo: Vec<i16> = left
            .iter()
            .zip(&right)
            .flat_map(|(&l, &r)| [l, r])
            .collect();
        let mut packet = [0u8; MAX_ENCODED_BYTES];
        let mut out = Vec::new();
        for frame in stereo.chunks_exact(FRAME_SAMPLES * 2) {
            let len = enc.encode(frame, &mut packet).unwrap();
            assert_eq!(
                ::opus::packet::get_nb_channels(&packet[..len]).unwrap(),
                Channels::Stereo
            );
            assert_eq!(dec.decode(&packet[..len], &mut out), Ok(FRAME_SAMPLES));
        }
        // Both channels are heard, each at half its level.
        let settled = &out[FRAME_SAMPLES * 10..];
        for freq in [440.0, 1_000.0] {
            let level = amplitude_at(settled, freq);
            assert!((3_000.0..5_000.0).contains(&level), "{freq} Hz at {level}");
        }
    }

    #[test]
    fn malformed_packets_are_refused() {
        let mut dec = OpusDecoder::new().unwrap();
        let mut out = Vec::new();
        for packet in [
            &[0x01, 0x00][..],          // two equal frames in an odd number of bytes
            &[0x02, 200, 0, 0][..],     // first frame longer than the packet
            &[0x03, 0x00][..],          // zero frames
            &[0x4B, 0x07, 0, 0, 0][..], // seven 20 ms frames: 140 ms
        ] {
            assert_eq!(
                dec.decode(packet, &mut out),
                Err(CodecError::OpusDecode(ErrorCode::InvalidPacket)),
                "{packet:02x?}"
            );
        }
        assert_eq!(
            dec.decode(&vec![0x08; MAX_PAYLOAD_BYTES + 1], &mut out),
            Err(CodecError::OpusDecode(ErrorCode::InvalidPacket))
        );
        assert!(out.is_empty());
    }
}
