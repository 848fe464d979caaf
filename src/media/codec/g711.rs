//! G.711 µ-law (PCMU) and A-law (PCMA), with packet-loss concealment.
//!
//! Companding is done by table lookup: an encode table indexed by the 14-bit (µ-law) or 13-bit
//! (A-law) linear value G.711 is defined on, and a 256-entry decode table per law. The tables
//! are built at compile time from the algorithms of the ITU-T G.191 reference implementation of
//! G.711, so the bytes on the wire are bit-exact with it, including its treatment of negative
//! samples (magnitude taken as the one's complement).
//!
//! Audio enters and leaves at 48 kHz; the resampler converts at the codec's edge.

use super::resample::{Downsampler, Upsampler, NARROW_FRAME, RATIO};
use crate::media::Frame;

/// Which companding law a G.711 stream uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Law {
    /// µ-law, the North American and Japanese variant (PCMU).
    Mu,
    /// A-law, the European and international variant (PCMA).
    A,
}

static ULAW_ENCODE: [u8; 1 << 14] = ulaw_encode_table();
static ULAW_DECODE: [i16; 256] = decode_table(Law::Mu);
static ALAW_ENCODE: [u8; 1 << 13] = alaw_encode_table();
static ALAW_DECODE: [i16; 256] = decode_table(Law::A);

impl Law {
    /// Compresses one 16-bit sample; only its top 14 (µ-law) or 13 (A-law) bits matter.
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Law::Mu => ULAW_ENCODE[((sample >> 2) as i32 + (1 << 13)) as usize],
            Law::A => ALAW_ENCODE[((sample >> 3) as i32 + (1 << 12)) as usize],
        }
    }

    /// Expands one code to a 16-bit sample.
    pub fn decode(self, code: u8) -> i16 {
        match self {
            Law::Mu => ULAW_DECODE[usize::from(code)],
            Law::A => ALAW_DECODE[usize::from(code)],
        }
    }
}

/// G.191 `ulaw_compress` for one 14-bit sample (−8192..=8191).
const fn ulaw_compress(x: i32) -> u8 {
    let magnitude = if x < 0 { !x } else { x } + 33;
    let magnitude = if magnitude > 0x1FFF {
        0x1FFF
    } else {
        magnitude
    };
    let mut segment = 1;
    let mut i = magnitude >> 6;
    while i != 0 {
        segment += 1;
        i >>= 1;
    }
    let high = 8 - segment;
    let low = 15 - ((magnitude >> segment) & 15);
    let code = (high << 4) | low;
    (if x >= 0 { code | 0x80 } else { code }) as u8
}

/// G.191 `ulaw_expand` for one code.
const fn ulaw_expand(code: u8) -> i16 {
    let inverted = !code as i32;
    let exponent = (inverted >> 4) & 7;
    let mantissa = inverted & 15;
    let step = 4 << (exponent + 1);
    let magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
    (if code < 0x80 { -magnitude } else { magnitude }) as i16
}

/// G.191 `alaw_compress` for one 13-bit sample (−4096..=4095).
const fn alaw_compress(x: i32) -> u8 {
    // G.191 works on the top 12 bits: A-law's finest step is two 13-bit units.
    let mut ix = if x < 0 { !(x >> 1) } else { x >> 1 };
    if ix > 15 {
        let mut exponent = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            exponent += 1;
        }
        ix -= 16;
        ix += exponent << 4;
    }
    if x >= 0 {
        ix |= 0x80;
    }
    (ix ^ 0x55) as u8
}

/// G.191 `alaw_expand` for one code.
const fn alaw_expand(code: u8) -> i16 {
    let ix = (code ^ 0x55) as i32 & 0x7F;
    let exponent = ix >> 4;
    let mut mantissa = ix & 15;
    if exponent > 0 {
        mantissa += 16;
    }
    mantissa = (mantissa << 4) + 8;
    if exponent > 1 {
        mantissa <<= exponent - 1;
    }
    (if code > 127 { mantissa } else { -mantissa }) as i16
}

const fn ulaw_encode_table() -> [u8; 1 << 14] {
    let mut table = [0; 1 << 14];
    let mut i = 0;
    while i < table.len() {
        table[i] = ulaw_compress(i as i32 - (1 << 13));
        i += 1;
    }
    table
}

const fn alaw_encode_table() -> [u8; 1 << 13] {
    let mut table = [0; 1 << 13];
    let mut i = 0;
    while i < table.len() {
        table[i] = alaw_compress(i as i32 - (1 << 12));
        i += 1;
    }
    table
}

const fn decode_table(law: Law) -> [i16; 256] {
    let mut table = [0; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = match law {
            Law::Mu => ulaw_expand(code as u8),
            Law::A => alaw_expand(code as u8),
        };
        code += 1;
    }
    table
}

/// Encodes 48 kHz frames into G.711 payloads of 160 bytes.
pub struct G711Encoder {
    law: Law,
    down: Downsampler,
    narrow: [i16; NARROW_FRAME],
}

impl G711Encoder {
    /// An encoder for `law`.
    pub fn new(law: Law) -> G711Encoder {
        G711Encoder {
            law,
            down: Downsampler::new(),
            narrow: [0; NARROW_FRAME],
        }
    }

    /// Replaces the contents of `out` with the payload for `frame`.
    pub fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) {
        self.down.process(frame, &mut self.narrow);
        out.clear();
        out.extend(self.narrow.iter().map(|&s| self.law.encode(s)));
    }
}

/// Decodes G.711 payloads to 48 kHz and conceals lost ones.
pub struct G711Decoder {
    law: Law,
    up: Upsampler,
    plc: Concealer,
    narrow: [i16; NARROW_FRAME],
}

impl G711Decoder {
    /// A decoder for `law`.
    pub fn new(law: Law) -> G711Decoder {
        G711Decoder {
            law,
            up: Upsampler::new(),
            plc: Concealer::new(),
            narrow: [0; NARROW_FRAME],
        }
    }

    /// Appends six 48 kHz samples per payload byte to `out`; returns how many.
    pub fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize {
        for chunk in payload.chunks(NARROW_FRAME) {
            let narrow = &mut self.narrow[..chunk.len()];
            for (s, &code) in narrow.iter_mut().zip(chunk) {
                *s = self.law.decode(code);
            }
            self.plc.accept(narrow);
            self.up.process(narrow, out);
        }
        payload.len() * RATIO
    }

    /// Appends exactly `samples` 48 kHz samples of concealment to `out`.
    ///
    /// Concealment runs at 8 kHz; when `samples` is not a multiple of six, the last 8 kHz
    /// sample is only partly used.
    pub fn conceal(&mut self, samples: usize, out: &mut Vec<i16>) -> usize {
        let start = out.len();
        let mut left = samples.div_ceil(RATIO);
        while left > 0 {
            let narrow = &mut self.narrow[..left.min(NARROW_FRAME)];
            self.plc.fill(narrow);
            self.up.process(narrow, out);
            left -= narrow.len();
        }
        out.truncate(start + samples);
        samples
    }
}

/// Concealment after ITU-T G.711 Appendix I, at 8 kHz.
///
/// A lost stretch is filled by repeating the last pitch period of the received speech, blended
/// at the seam so the repetition is smooth. Repeating one period for long sounds buzzy, so after
/// 10 ms the repetition widens to the last two periods and after 20 ms to three. From 10 ms on
/// the level falls by 20 % per 10 ms, reaching silence at 60 ms: longer losses are better heard
/// as a gap than as a synthetic drone. When speech resumes, its first few ms are cross-faded
/// from the still-running synthesis, longer after longer losses, so the restart does not click.
struct Concealer {
    /// The most recent received samples, oldest first. During a loss it is frozen: the
    /// synthesis is a pure function of it and of the time since the loss began.
    history: [i16; HISTORY],
    /// The pitch period found when the current loss began.
    pitch: usize,
    /// Samples concealed since the last received one.
    lost: usize,
}

/// The shortest pitch period searched: 5 ms, a 200 Hz voice.
const MIN_PITCH: usize = 40;
/// The longest pitch period searched: 15 ms, a 66 Hz voice.
const MAX_PITCH: usize = 120;
/// How much recent speech the pitch search compares with the past: 20 ms.
const PITCH_WINDOW: usize = 160;
/// Three periods of the longest pitch plus the quarter period blended at the seam.
const HISTORY: usize = 3 * MAX_PITCH + MAX_PITCH / 4;
/// Every 10 ms of loss, one more period is repeated and the level drops by a step.
const STAGE: usize = 80;
/// Samples into a loss from which only silence is played: the level reaches zero after six
/// stages (60 ms).
const SILENT_AFTER: usize = 6 * STAGE;

impl Concealer {
    fn new() -> Concealer {
        Concealer {
            history: [0; HISTORY],
            pitch: MIN_PITCH,
            lost: 0,
        }
    }

    /// Takes in received speech, first fading it in from the synthesis if it ends a loss.
    fn accept(&mut self, samples: &mut [i16]) {
        if self.lost > 0 {
            // Appendix I: 4 ms of overlap, 4 ms more per further 10 ms lost, at most 10 ms.
            let overlap = (STAGE * 2 / 5 * (1 + (self.lost - 1) / STAGE)).min(STAGE);
            for (j, s) in samples.iter_mut().take(overlap).enumerate() {
                let w = (j + 1) as f32 / (overlap + 1) as f32;
                let synth = self.synthesize(self.lost + j);
                *s = (w * f32::from(*s) + (1.0 - w) * synth).round() as i16;
            }
            self.lost = 0;
        }
        let n = samples.len().min(HISTORY);
        self.history.copy_within(n.., 0);
        self.history[HISTORY - n..].copy_from_slice(&samples[samples.len() - n..]);
    }

    /// Fills `out` with the continuation of the loss.
    fn fill(&mut self, out: &mut [i16]) {
        if self.lost == 0 {
            self.pitch = self.find_pitch();
        }
        for s in out {
            *s = self.synthesize(self.lost).round() as i16;
            self.lost = (self.lost + 1).min(SILENT_AFTER);
        }
    }

    /// The lag at which the last 20 ms best match the speech before them (normalised
    /// cross-correlation).
    fn find_pitch(&self) -> usize {
        let recent = &self.history[HISTORY - PITCH_WINDOW..];
        let mut best = (MIN_PITCH, 0.0f32);
        for lag in MIN_PITCH..=MAX_PITCH {
            let past = &self.history[HISTORY - PITCH_WINDOW - lag..HISTORY - lag];
            let (mut corr, mut energy) = (0.0f32, 0.0f32);
            for (&a, &b) in recent.iter().zip(past) {
                corr += f32::from(a) * f32::from(b);
                energy += f32::from(b) * f32::from(b);
            }
            if corr > 0.0 && energy > 0.0 {
                let score = corr / energy.sqrt();
                if score > best.1 {
                    best = (lag, score);
                }
            }
        }
        best.0
    }

    /// The concealment `t` samples into a loss: the repetition, cross-faded over a quarter
    /// period whenever it widens, times the fade-out.
    fn synthesize(&self, t: usize) -> f32 {
        if t >= SILENT_AFTER {
            return 0.0;
        }
        let gain = 1.0 - t.saturating_sub(STAGE) as f32 / (SILENT_AFTER - STAGE) as f32;
        let periods = (1 + t / STAGE).min(3);
        let mut value = self.repeat(periods, t);
        let blend = self.pitch / 4;
        if t < blend {
            // The loop starts at the sample one period back, whose predecessor differs from the
            // last one actually played by `offset`; fading that difference out over a quarter
            // period makes the onset as smooth as the loop's own seam.
            let at = |k: usize| f32::from(self.history[k]);
            let offset = at(HISTORY - 1) - at(HISTORY - 1 - self.pitch);
            value += offset * (1.0 - (t + 1) as f32 / (blend + 1) as f32);
        }
        let since_widening = t - (periods - 1) * STAGE;
        if periods > 1 && since_widening < blend {
            let w = (since_widening + 1) as f32 / (blend + 1) as f32;
            value = w * value + (1.0 - w) * self.repeat(periods - 1, t);
        }
        gain * value
    }

    /// The last `periods` pitch periods of the history looped, sample `t` of the loop. The
    /// last quarter period before each wrap is cross-faded into the speech that preceded the
    /// loop's start, so the wrap itself is continuous.
    fn repeat(&self, periods: usize, t: usize) -> f32 {
        let len = periods * self.pitch;
        let blend = self.pitch / 4;
        let start = HISTORY - len;
        let i = t % len;
        let at = |k: usize| f32::from(self.history[k]);
        if i < len - blend {
            at(start + i)
        } else {
            let j = i - (len - blend);
            let w = (j + 1) as f32 / (blend + 1) as f32;
            (1.0 - w) * at(HISTORY - blend + j) + w * at(start - blend + j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_audio::{amplitude_at, tone};
    use super::*;
    use crate::media::FRAME_SAMPLES;

    #[test]
    fn known_codes() {
        // Zero, full scale both ways and the smallest negative value, from G.191.
        for (x, mu, a) in [
            (0, 0xFF, 0xD5),
            (-1, 0x7F, 0x55),
            (i16::MAX, 0x80, 0xAA),
            (i16::MIN, 0x00, 0x2A),
            (1000, 0xCE, 0xFA),
            (-1000, 0x4E, 0x7A),
        ] {
            assert_eq!(Law::Mu.encode(x), mu, "µ-law of {x}");
            assert_eq!(Law::A.encode(x), a, "A-law of {x}");
        }
        for (code, x) in [
            (0xFF, 0),
            (0x7F, 0),
            (0x80, 32_124),
            (0x00, -32_124),
            (0xCE, 988),
        ] {
            assert_eq!(Law::Mu.decode(code), x, "µ-law code {code:#04x}");
        }
        for (code, x) in [
            (0xD5, 8),
            (0x55, -8),
            (0xAA, 32_256),
            (0x2A, -32_256),
            (0xFA, 1008),
        ] {
            assert_eq!(Law::A.decode(code), x, "A-law code {code:#04x}");
        }
    }

    #[test]
    fn ulaw_decision_thresholds() {
        // G.711 table 2a, in 14-bit units: 0 is code 0 (0xFF), 1..=2 is code 1, the first
        // segment ends at 30 and the second starts at 31, the last starts at 4063.
        for (x14, code) in [
            (0, 0xFF),
            (1, 0xFE),
            (2, 0xFE),
            (3, 0xFD),
            (30, 0xF0),
            (31, 0xEF),
        ] {
            assert_eq!(Law::Mu.encode(x14 * 4), code, "14-bit {x14}");
            assert_eq!(
                Law::Mu.encode(x14 * 4 + 3),
                code,
                "14-bit {x14}, low bits set"
            );
        }
        assert_eq!(Law::Mu.encode(4062 * 4), 0x90);
        assert_eq!(Law::Mu.encode(4063 * 4), 0x8F);
        assert_eq!(Law::Mu.encode(8158 * 4), 0x80);
    }

    #[test]
    fn alaw_decision_thresholds() {
        // G.711 table 1a, in 13-bit units: the first two segments have steps of 2, then each
        // segment doubles; the top segment starts at 2048.
        for (x13, code) in [
            (0, 0xD5),
            (1, 0xD5),
            (2, 0xD4),
            (31, 0xDA),
            (32, 0xC5),
            (64, 0xF5),
        ] {
            assert_eq!(Law::A.encode(x13 * 8), code, "13-bit {x13}");
        }
        assert_eq!(Law::A.encode(2047 * 8), 0xBA);
        assert_eq!(Law::A.encode(2048 * 8), 0xA5);
    }

    #[test]
    fn every_code_decodes_to_a_value_that_encodes_back_to_it() {
        for code in 0..=255u8 {
            // µ-law has two zeros; the negative one encodes as the positive one.
            let mu = if code == 0x7F { 0xFF } else { code };
            assert_eq!(
                Law::Mu.encode(Law::Mu.decode(code)),
                mu,
                "µ-law {code:#04x}"
            );
            assert_eq!(
                Law::A.encode(Law::A.decode(code)),
                code,
                "A-law {code:#04x}"
            );
        }
    }

    #[test]
    fn round_trip_error_is_within_half_a_step() {
        for x in i16::MIN..=i16::MAX {
            let magnitude = i32::from(x).abs();
            // µ-law: the step is 1/16 of the segment's base (biased by 132), plus clipping
            // above 32124. A-law: steps of 16 up to 512, then 1/16 of the segment's base.
            let mu_err = (i32::from(Law::Mu.decode(Law::Mu.encode(x))) - i32::from(x)).abs();
            let mu_bound = if magnitude > 32_124 {
                644
            } else {
                (magnitude + 132) / 32 + 4
            };
            assert!(mu_err <= mu_bound, "µ-law {x}: error {mu_err}");
            let a_err = (i32::from(Law::A.decode(Law::A.encode(x))) - i32::from(x)).abs();
            let a_bound = if magnitude > 32_256 {
                512
            } else {
                (magnitude / 32).max(8) + 8
            };
            assert!(a_err <= a_bound, "A-law {x}: error {a_err}");
        }
    }

    fn max_step(x: &[i16]) -> i32 {
        x.windows(2)
            .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
            .max()
            .unwrap()
    }

    fn run(law: Law, input: &[i16]) -> Vec<i16> {
        let mut enc = G711Encoder::new(law);
        let mut dec = G711Decoder::new(law);
        let (mut payload, mut out) = (Vec::new(), Vec::new());
        for frame in input.chunks_exact(FRAME_SAMPLES) {
            enc.encode(frame.try_into().unwrap(), &mut payload);
            assert_eq!(payload.len(), NARROW_FRAME);
            assert_eq!(dec.decode(&payload, &mut out), FRAME_SAMPLES);
        }
        out
    }

    #[test]
    fn tones_round_trip_with_high_snr() {
        use super::super::resample::ROUND_TRIP_DELAY;
        for law in [Law::Mu, Law::A] {
            for freq in [440.0, 1_000.0] {
                let input = tone(freq, 12_000.0, FRAME_SAMPLES * 25);
                let output = run(law, &input);
                let settled = 2 * ROUND_TRIP_DELAY;
                let (mut signal, mut noise) = (0.0, 0.0);
                for (&o, &i) in output[settled..]
                    .iter()
                    .zip(&input[settled - ROUND_TRIP_DELAY..])
                {
                    signal += f64::from(i).powi(2);
                    noise += (f64::from(o) - f64::from(i)).powi(2);
                }
                let snr = 10.0 * (signal / noise).log10();
                // G.711 itself gives about 38 dB on a loud tone.
                assert!(snr > 33.0, "{law:?} {freq} Hz: SNR {snr:.1} dB");
            }
        }
    }

    fn decoder_after_tone(law: Law, freq: f64) -> (G711Decoder, Vec<i16>) {
        let mut enc = G711Encoder::new(law);
        let mut dec = G711Decoder::new(law);
        let (mut payload, mut out) = (Vec::new(), Vec::new());
        for frame in tone(freq, 10_000.0, FRAME_SAMPLES * 10).chunks_exact(FRAME_SAMPLES) {
            enc.encode(frame.try_into().unwrap(), &mut payload);
            dec.decode(&payload, &mut out);
        }
        (dec, out)
    }

    #[test]
    fn concealment_gives_the_samples_asked_for() {
        let (mut dec, _) = decoder_after_tone(Law::Mu, 440.0);
        for samples in [0, 1, 5, 6, 7, 959, 960, 961, 5_760] {
            let mut out = vec![1, 2, 3];
            assert_eq!(dec.conceal(samples, &mut out), samples);
            assert_eq!(out.len(), 3 + samples);
            assert_eq!(out[..3], [1, 2, 3]);
        }
    }

    #[test]
    fn concealment_continues_the_tone_then_fades_to_silence() {
        for freq in [440.0, 1_000.0] {
            let (mut dec, before) = decoder_after_tone(Law::A, freq);
            let mut out = Vec::new();
            dec.conceal(FRAME_SAMPLES * 5, &mut out);
            let level = amplitude_at(&before[before.len() - 480..], freq);
            // The first 10 ms repeat the tone at full level, without a click at the start.
            let first = amplitude_at(&out[..480], freq);
            assert!(
                (first / level - 1.0).abs() < 0.1,
                "{freq} Hz: {first:.0} vs {level:.0}"
            );
            // No sample-to-sample step larger than the clean tone's (plus G.711 noise) on the
            // way into the concealment or within its first 30 ms.
            let clean = 10_000.0 * std::f64::consts::TAU * freq / 48_000.0;
            let joined: Vec<i16> = before[before.len() - 480..]
                .iter()
                .chain(&out[..1_440])
                .copied()
                .collect();
            let steepest = max_step(&joined);
            assert!(
                f64::from(steepest) < clean * 1.1 + 100.0,
                "{freq} Hz: step of {steepest}"
            );
            // 30–40 ms in the level is down to 40–60 %.
            let mid = amplitude_at(&out[1_440..1_920], freq);
            assert!((0.35..0.65).contains(&(mid / level)), "{freq} Hz: {mid:.0}");
            // After 60 ms (plus the resampler's delay) there is nothing left.
            assert!(out[FRAME_SAMPLES * 3 + 200..].iter().all(|&s| s == 0));
        }
    }

    #[test]
    fn concealment_of_inharmonic_sound_has_no_seams() {
        // Partials with no common period: wherever the loop starts or wraps, the samples that
        // meet do not belong together, and only the blending keeps those joins from clicking.
        let mut source = [0i16; HISTORY];
        for (n, s) in source.iter_mut().enumerate() {
            let t = n as f64 / 8_000.0;
            *s = [97.0, 151.0, 233.0, 389.0]
                .iter()
                .map(|f| 3_000.0 * (std::f64::consts::TAU * f * t + f).sin())
                .sum::<f64>() as i16;
        }
        let mut plc = Concealer::new();
        plc.accept(&mut source.clone());
        let mut out = [0i16; SILENT_AFTER];
        plc.fill(&mut out);
        let joined: Vec<i16> = source.iter().chain(&out).copied().collect();
        let (within, across) = (max_step(&source), max_step(&joined[HISTORY - 1..]));
        assert!(
            across <= within * 3 / 2,
            "step of {across} in the concealment, {within} before"
        );
        // The loops themselves, at full level, through two wraps each.
        for periods in 1..=3 {
            let looped: Vec<i16> = (0..2 * periods * plc.pitch)
                .map(|t| plc.repeat(periods, t) as i16)
                .collect();
            let step = max_step(&looped);
            assert!(
                step <= within * 3 / 2,
                "step of {step} in a loop of {periods} periods"
            );
        }
    }

    #[test]
    fn speech_fades_back_in_after_a_long_loss() {
        let (mut dec, _) = decoder_after_tone(Law::Mu, 440.0);
        let mut out = Vec::new();
        dec.conceal(FRAME_SAMPLES * 4, &mut out);
        let mut enc = G711Encoder::new(Law::Mu);
        let mut payload = Vec::new();
        // The second frame, once the encoder's filter has settled: a constant 12 000.
        enc.encode(&[12_000; FRAME_SAMPLES], &mut payload);
        enc.encode(&[12_000; FRAME_SAMPLES], &mut payload);
        out.clear();
        dec.decode(&payload, &mut out);
        // A step from silence to a loud level, ramped over 10 ms instead of at once.
        let steepest = max_step(&out);
        assert!(steepest < 300, "step of {steepest}");
        assert!(out[FRAME_SAMPLES - 1] > 11_000);
    }

    #[test]
    fn any_payload_decodes() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(711);
        for law in [Law::Mu, Law::A] {
            let mut dec = G711Decoder::new(law);
            let mut out = Vec::new();
            for _ in 0..200 {
                let mut payload = vec![0u8; rng.random_range(1..400)];
                rng.fill(&mut payload[..]);
                out.clear();
                assert_eq!(dec.decode(&payload, &mut out), payload.len() * RATIO);
                assert_eq!(out.len(), payload.len() * RATIO);
                if rng.random_bool(0.3) {
                    dec.conceal(rng.random_range(0..3_000), &mut out);
                }
            }
        }
    }
}
