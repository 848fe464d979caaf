//! Audio codecs: linekey's 48 kHz frames to RTP payloads and back.
//!
//! [`Encoder`] and [`Decoder`] hide which codec a call negotiated: both sides of the media path
//! deal in 48 kHz mono samples whatever goes on the wire. G.711 is resampled to and from its
//! 8 kHz at this edge ([`resample`]); Opus runs at 48 kHz natively.
//!
//! Both are built once per stream and then reuse their buffers: encoding and decoding do not
//! allocate once the caller's output vectors have grown to a packet's size.

mod g711;
mod opus;
pub mod resample;

use self::g711::{G711Decoder, G711Encoder, Law};
use self::opus::{OpusDecoder, OpusEncoder};
use crate::core::sdp::Codec;
use crate::media::{Frame, FRAME_SAMPLES};

/// Why audio could not be encoded or decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// libopus refused to create or configure an encoder or decoder.
    #[error("could not start the Opus codec: {}", .0.description())]
    OpusSetup(::opus::ErrorCode),
    /// libopus failed to encode a frame.
    #[error("could not encode audio with Opus: {}", .0.description())]
    OpusEncode(::opus::ErrorCode),
    /// A received packet is not valid Opus.
    #[error("received Opus audio that cannot be decoded: {}", .0.description())]
    OpusDecode(::opus::ErrorCode),
    /// A received packet carries no audio at all.
    #[error("received an audio packet with no audio in it")]
    EmptyPayload,
}

/// Turns 20 ms frames into RTP payloads of one codec.
pub struct Encoder {
    kind: EncoderKind,
}

enum EncoderKind {
    Opus(OpusEncoder),
    G711(Box<G711Encoder>),
}

impl Encoder {
    /// An encoder for `codec`, with linekey's settings for it.
    pub fn new(codec: Codec) -> Result<Encoder, CodecError> {
        let kind = match codec {
            Codec::Opus => EncoderKind::Opus(OpusEncoder::new()?),
            Codec::Pcmu => EncoderKind::G711(Box::new(G711Encoder::new(Law::Mu))),
            Codec::Pcma => EncoderKind::G711(Box::new(G711Encoder::new(Law::A))),
        };
        Ok(Encoder { kind })
    }

    /// Encodes one 20 ms frame of 48 kHz audio into an RTP payload (`out` is cleared first).
    pub fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match &mut self.kind {
            EncoderKind::Opus(enc) => enc.encode(frame, out),
            EncoderKind::G711(enc) => {
                enc.encode(frame, out);
                Ok(())
            }
        }
    }

    /// RTP timestamp units one frame spans (960 for Opus, 160 for G.711).
    pub fn timestamp_step(&self) -> u32 {
        match self.kind {
            EncoderKind::Opus(_) => FRAME_SAMPLES as u32,
            EncoderKind::G711(_) => resample::NARROW_FRAME as u32,
        }
    }
}

/// Turns RTP payloads of one codec back into 48 kHz audio, and stands in for lost ones.
pub struct Decoder {
    kind: DecoderKind,
}

enum DecoderKind {
    Opus(OpusDecoder),
    G711(Box<G711Decoder>),
}

impl Decoder {
    /// A decoder for `codec`.
    pub fn new(codec: Codec) -> Result<Decoder, CodecError> {
        let kind = match codec {
            Codec::Opus => DecoderKind::Opus(OpusDecoder::new()?),
            Codec::Pcmu => DecoderKind::G711(Box::new(G711Decoder::new(Law::Mu))),
            Codec::Pcma => DecoderKind::G711(Box::new(G711Decoder::new(Law::A))),
        };
        Ok(Decoder { kind })
    }

    /// Decodes one RTP payload, appending 48 kHz samples to `out`; returns how many were
    /// appended.
    ///
    /// Any packet duration the codec allows is accepted: G.711 of any length, Opus of
    /// 2.5–120 ms, mono or stereo. A payload that is empty or not valid for the codec is an
    /// error and appends nothing.
    pub fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::EmptyPayload);
        }
        match &mut self.kind {
            DecoderKind::Opus(dec) => dec.decode(payload, out),
            DecoderKind::G711(dec) => Ok(dec.decode(payload, out)),
        }
    }

    /// Conceals one lost packet lasting `samples` 48 kHz samples, appending them to `out`;
    /// returns how many were appended (always `samples`).
    ///
    /// Opus recovers the lost audio from the in-band FEC of `next`, the packet after the lost
    /// one, when it is given and carries some; otherwise it extrapolates (PLC). G.711 has no
    /// FEC and ignores `next`: it repeats the last pitch period with a fade, reaching silence
    /// after 60 ms of consecutive loss.
    pub fn conceal(&mut self, next: Option<&[u8]>, samples: usize, out: &mut Vec<i16>) -> usize {
        match &mut self.kind {
            DecoderKind::Opus(dec) => dec.conceal(next, samples, out),
            DecoderKind::G711(dec) => dec.conceal(samples, out),
        }
    }
}

/// Signals and measurements shared by the codec tests.
#[cfg(test)]
mod test_audio {
    use std::f64::consts::TAU;

    /// A sine of `freq` Hz at 48 kHz.
    pub fn tone(freq: f64, amplitude: f64, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| (amplitude * (TAU * freq * n as f64 / 48_000.0).sin()) as i16)
            .collect()
    }

    /// Something a speech codec treats as voiced speech: harmonics of a gliding pitch shaped
    /// by three formants, a syllable-rate envelope and some breath noise.
    pub fn speech(len: usize) -> Vec<i16> {
        let mut seed = 12_345u32;
        let (mut phase, mut breath) = (0.0f64, 0.0f64);
        (0..len)
            .map(|n| {
                let t = n as f64 / 48_000.0;
                let pitch = 140.0 + 40.0 * (TAU * 0.7 * t).sin();
                phase += TAU * pitch / 48_000.0;
                let voiced: f64 = (1..=20)
                    .map(|h| {
                        let f = pitch * f64::from(h);
                        let formants = (-((f - 700.0) / 300.0).powi(2)).exp()
                            + 0.5 * (-((f - 1_800.0) / 400.0).powi(2)).exp()
                            + 0.2 * (-((f - 2_800.0) / 500.0).powi(2)).exp();
                        formants * (phase * f64::from(h)).sin()
                    })
                    .sum();
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5;
                breath = 0.7 * breath + 0.3 * noise;
                let envelope = 0.5 + 0.5 * (TAU * 3.0 * t).sin().abs();
                (envelope * (6_000.0 * voiced + 1_500.0 * breath)) as i16
            })
            .collect()
    }

    /// Amplitude of the `freq` component of 48 kHz audio (Goertzel).
    pub fn amplitude_at(x: &[i16], freq: f64) -> f64 {
        let coeff = 2.0 * (TAU * freq / 48_000.0).cos();
        let (mut s1, mut s2) = (0.0, 0.0);
        for &v in x {
            let s0 = f64::from(v) + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        2.0 * (s1 * s1 + s2 * s2 - coeff * s1 * s2).sqrt() / x.len() as f64
    }

    /// Mean power of the samples.
    pub fn power(x: &[i16]) -> f64 {
        x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::test_audio::{amplitude_at, power, tone};
    use super::*;
    use rand::{Rng, SeedableRng};

    const ALL: [Codec; 3] = [Codec::Opus, Codec::Pcmu, Codec::Pcma];

    #[test]
    fn timestamp_step_follows_the_clock_rate() {
        for codec in ALL {
            let enc = Encoder::new(codec).unwrap();
            assert_eq!(enc.timestamp_step(), codec.clock_rate() / 50, "{codec:?}");
        }
    }

    #[test]
    fn tones_come_back_pure_and_at_their_level() {
        for codec in ALL {
            for freq in [440.0, 1_000.0] {
                let mut enc = Encoder::new(codec).unwrap();
                let mut dec = Decoder::new(codec).unwrap();
                let (mut payload, mut out) = (Vec::new(), Vec::new());
                let input = tone(freq, 10_000.0, FRAME_SAMPLES * 50);
                for frame in input.chunks_exact(FRAME_SAMPLES) {
                    enc.encode(frame.try_into().unwrap(), &mut payload).unwrap();
                    let n = dec.decode(&payload, &mut out).unwrap();
                    assert_eq!(n, FRAME_SAMPLES);
                }
                // The last 30 frames, once every codec has settled.
                let settled = &out[FRAME_SAMPLES * 20..];
                let level = amplitude_at(settled, freq);
                assert!(
                    (9_000.0..11_000.0).contains(&level),
                    "{codec:?} {freq} Hz at {level}"
                );
                // Nearly all the power is the tone: what else there is stays 20 dB below it.
                let purity = level * level / 2.0 / power(settled);
                assert!(
                    purity > 0.99,
                    "{codec:?} {freq} Hz: only {purity:.3} of the power"
                );
            }
        }
    }

    #[test]
    fn empty_payloads_are_refused() {
        for codec in ALL {
            let mut dec = Decoder::new(codec).unwrap();
            let mut out = Vec::new();
            assert_eq!(dec.decode(&[], &mut out), Err(CodecError::EmptyPayload));
            assert!(out.is_empty());
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x0bad_f00d);
        for codec in ALL {
            let mut dec = Decoder::new(codec).unwrap();
            let mut out = Vec::new();
            let mut refused = 0;
            for _ in 0..500 {
                let mut payload = vec![0u8; rng.random_range(0..500)];
                rng.fill(&mut payload[..]);
                out.clear();
                match dec.decode(&payload, &mut out) {
                    Ok(n) => assert_eq!(n, out.len(), "{codec:?}"),
                    Err(_) => {
                        assert!(out.is_empty(), "{codec:?}");
                        refused += 1;
                    }
                }
                let lost = rng.random_range(0..2_000);
                assert_eq!(dec.conceal(Some(&payload), lost, &mut out), lost);
            }
            // Every byte is a G.711 sample, but most random bytes are not valid Opus.
            match codec {
                Codec::Opus => assert!(refused > 100, "only {refused} refused"),
                _ => assert!(refused < 5, "{refused} refused"),
            }
        }
    }

    #[test]
    fn concealment_gives_the_samples_asked_for() {
        for codec in ALL {
            let mut enc = Encoder::new(codec).unwrap();
            let mut dec = Decoder::new(codec).unwrap();
            let (mut payload, mut out) = (Vec::new(), Vec::new());
            enc.encode(&[1_000; FRAME_SAMPLES], &mut payload).unwrap();
            dec.decode(&payload, &mut out).unwrap();
            for samples in [0, 1, 119, 120, 959, 960, 961, 5_760, 6_000] {
                out.clear();
                assert_eq!(dec.conceal(None, samples, &mut out), samples);
                assert_eq!(out.len(), samples, "{codec:?}");
                out.clear();
                assert_eq!(dec.conceal(Some(&payload), samples, &mut out), samples);
                assert_eq!(out.len(), samples, "{codec:?}");
            }
        }
    }

    #[test]
    fn errors_read_as_sentences() {
        let err = CodecError::OpusDecode(::opus::ErrorCode::InvalidPacket);
        assert_eq!(
            err.to_string(),
            "received Opus audio that cannot be decoded: corrupted stream"
        );
    }

    #[test]
    fn codecs_can_move_to_the_audio_thread() {
        fn send<T: Send>() {}
        send::<Encoder>();
        send::<Decoder>();
    }
}
