//! 48 kHz ↔ 8 kHz conversion for the G.711 codecs.
//!
//! Both directions use the same linear-phase low-pass: a Kaiser-windowed sinc of 192 taps at
//! 48 kHz, cut off at 3.9 kHz. Going down it removes everything an 8 kHz stream cannot carry
//! before it folds back into the speech band; going up it removes the images zero-stuffing
//! creates. The filters run polyphase (only the taps that meet a non-zero sample are computed)
//! and keep their last input across calls, so a stream cut into frames sounds exactly like the
//! same stream filtered in one go.

use std::sync::OnceLock;

use crate::media::{Frame, FRAME_SAMPLES, SAMPLE_RATE};

/// The rate ratio between linekey's audio and G.711.
pub const RATIO: usize = 6;
/// Samples in one 20 ms frame at 8 kHz.
pub const NARROW_FRAME: usize = FRAME_SAMPLES / RATIO;
/// Taps of the low-pass at 48 kHz: six phases of 32.
const TAPS: usize = RATIO * PHASE_TAPS;
/// Taps per polyphase branch (the upsampler's history length plus one).
const PHASE_TAPS: usize = 32;
/// Delay of a signal sent down then up, in 48 kHz samples: each pass delays by half the filter.
pub const ROUND_TRIP_DELAY: usize = TAPS - 1;
/// −6 dB point of the low-pass. With the Kaiser window below the pass band is flat (±0.05 dB)
/// to 3.4 kHz, the telephone band of G.712, and the stop band is more than 70 dB down from
/// 4.5 kHz on. Whatever folds back into 0–3.4 kHz therefore comes from above 4.6 kHz and is
/// over 80 dB down; only the little left between 4 and 4.5 kHz folds to 3.5–4 kHz.
const CUTOFF_HZ: f64 = 3_900.0;
/// Kaiser window shape: about 70 dB of stop-band rejection.
const KAISER_BETA: f64 = 7.0;
/// 8 kHz samples the upsampler filters per pass; 20 ms, so a normal packet is one pass.
const UP_CHUNK: usize = NARROW_FRAME;

/// The low-pass, laid out for the two directions. Each set is stored reversed so that every
/// output sample is a plain dot product with a contiguous slice of input.
struct Taps {
    /// All taps, reversed, unit gain at DC.
    down: [f32; TAPS],
    /// Branch `p` produces output samples `6m + p`; gain 6 restores the level zero-stuffing
    /// took away.
    up: [[f32; PHASE_TAPS]; RATIO],
}

fn taps() -> &'static Taps {
    static TAPS_CELL: OnceLock<Taps> = OnceLock::new();
    TAPS_CELL.get_or_init(design)
}

/// Windowed-sinc design of the shared low-pass.
fn design() -> Taps {
    let centre = (TAPS - 1) as f64 / 2.0;
    let fc = CUTOFF_HZ / f64::from(SAMPLE_RATE);
    let mut h = [0f64; TAPS];
    for (n, tap) in h.iter_mut().enumerate() {
        let t = n as f64 - centre;
        let x = std::f64::consts::TAU * fc * t;
        let sinc = if t == 0.0 { 1.0 } else { x.sin() / x };
        let r = t / centre;
        let window =
            bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(KAISER_BETA);
        *tap = 2.0 * fc * sinc * window;
    }
    let dc: f64 = h.iter().sum();
    let mut taps = Taps {
        down: [0.0; TAPS],
        up: [[0.0; PHASE_TAPS]; RATIO],
    };
    for (k, &tap) in h.iter().enumerate() {
        let tap = tap / dc;
        taps.down[TAPS - 1 - k] = tap as f32;
        let (j, p) = (k / RATIO, k % RATIO);
        taps.up[p][PHASE_TAPS - 1 - j] = (tap * RATIO as f64) as f32;
    }
    taps
}

/// The modified Bessel function of the first kind, order 0, by its power series (converges
/// quickly for the arguments a Kaiser window needs).
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > sum * 1e-12 {
        term *= q / (k * k);
        sum += term;
        k += 1.0;
    }
    sum
}

/// Dot product with eight independent accumulators, which the compiler turns into SIMD.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    for (ca, cb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for ((s, x), y) in acc.iter_mut().zip(ca).zip(cb) {
            *s += x * y;
        }
    }
    acc.iter().sum()
}

fn to_i16(v: f32) -> i16 {
    // `as` saturates, which is the clipping a full-scale overshoot of the filter needs.
    v.round() as i16
}

/// 48 kHz → 8 kHz, one 20 ms frame at a time.
pub struct Downsampler {
    /// The last `TAPS - 1` input samples of the previous frame, then the current frame.
    buf: [f32; TAPS - 1 + FRAME_SAMPLES],
}

impl Default for Downsampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Downsampler {
    /// A downsampler whose past input is silence.
    pub fn new() -> Downsampler {
        Downsampler {
            buf: [0.0; TAPS - 1 + FRAME_SAMPLES],
        }
    }

    /// Filters one frame and keeps every sixth sample.
    pub fn process(&mut self, input: &Frame, output: &mut [i16; NARROW_FRAME]) {
        let taps = &taps().down;
        for (dst, &src) in self.buf[TAPS - 1..].iter_mut().zip(input) {
            *dst = f32::from(src);
        }
        for (m, out) in output.iter_mut().enumerate() {
            let start = m * RATIO;
            *out = to_i16(dot(taps, &self.buf[start..start + TAPS]));
        }
        self.buf.copy_within(FRAME_SAMPLES.., 0);
    }
}

/// 8 kHz → 48 kHz, any number of samples at a time.
pub struct Upsampler {
    /// The last `PHASE_TAPS - 1` input samples, then the chunk being filtered.
    buf: [f32; PHASE_TAPS - 1 + UP_CHUNK],
}

impl Default for Upsampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Upsampler {
    /// An upsampler whose past input is silence.
    pub fn new() -> Upsampler {
        Upsampler {
            buf: [0.0; PHASE_TAPS - 1 + UP_CHUNK],
        }
    }

    /// Appends six output samples per input sample to `out`.
    pub fn process(&mut self, input: &[i16], out: &mut Vec<i16>) {
        let phases = &taps().up;
        out.reserve(input.len() * RATIO);
        for chunk in input.chunks(UP_CHUNK) {
            for (dst, &src) in self.buf[PHASE_TAPS - 1..].iter_mut().zip(chunk) {
                *dst = f32::from(src);
            }
            for m in 0..chunk.len() {
                let window = &self.buf[m..m + PHASE_TAPS];
                out.extend(phases.iter().map(|phase| to_i16(dot(phase, window))));
            }
            self.buf
                .copy_within(chunk.len()..chunk.len() + PHASE_TAPS - 1, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, rate: f64, amplitude: f64, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| (amplitude * (std::f64::consts::TAU * freq * n as f64 / rate).sin()) as i16)
            .collect()
    }

    fn rms(x: &[i16]) -> f64 {
        (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    fn down_all(input: &[i16]) -> Vec<i16> {
        let mut down = Downsampler::new();
        let mut out = Vec::new();
        let mut narrow = [0; NARROW_FRAME];
        for frame in input.chunks_exact(FRAME_SAMPLES) {
            down.process(frame.try_into().unwrap(), &mut narrow);
            out.extend_from_slice(&narrow);
        }
        out
    }

    /// Gain of the low-pass at `freq`, from its taps.
    fn response_db(freq: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for (k, &h) in taps().down.iter().enumerate() {
            let w = std::f64::consts::TAU * freq * k as f64 / f64::from(SAMPLE_RATE);
            re += f64::from(h) * w.cos();
            im -= f64::from(h) * w.sin();
        }
        10.0 * (re * re + im * im).log10()
    }

    #[test]
    fn low_pass_is_flat_in_the_telephone_band_and_deep_above_nyquist() {
        for f in [0.0, 300.0, 1_000.0, 2_000.0, 3_000.0, 3_400.0] {
            let db = response_db(f);
            assert!(db.abs() < 0.05, "{f} Hz: {db:.2} dB");
        }
        for f in [4_600.0, 5_000.0, 8_000.0, 12_000.0, 20_000.0] {
            let db = response_db(f);
            assert!(db < -75.0, "{f} Hz: {db:.2} dB");
        }
    }

    #[test]
    fn tone_survives_down_and_up() {
        for freq in [440.0, 1_000.0, 3_000.0] {
            let input = tone(freq, 48_000.0, 10_000.0, FRAME_SAMPLES * 20);
            let mut up = Upsampler::new();
            let mut output = Vec::new();
            up.process(&down_all(&input), &mut output);
            assert_eq!(output.len(), input.len());
            // Skip the start, where the filters are still filling.
            let settled = 2 * ROUND_TRIP_DELAY;
            let err: Vec<i16> = output[settled..]
                .iter()
                .zip(&input[settled - ROUND_TRIP_DELAY..])
                .map(|(&o, &i)| o - i)
                .collect();
            let snr = 20.0 * (rms(&input) / rms(&err)).log10();
            assert!(snr > 40.0, "{freq} Hz: SNR {snr:.1} dB");
        }
    }

    #[test]
    fn five_khz_does_not_alias_to_three_khz() {
        let input = tone(5_000.0, 48_000.0, 20_000.0, FRAME_SAMPLES * 10);
        let narrow = down_all(&input);
        let level = 20.0 * (rms(&narrow[NARROW_FRAME..]) / rms(&input)).log10();
        assert!(level < -60.0, "5 kHz leaks through at {level:.1} dB");
    }

    #[test]
    fn frames_filter_like_one_long_signal() {
        // A straight convolution of the whole signal is the reference for the framed,
        // polyphase one; any state lost at a frame edge shows up as a mismatch there.
        let input: Vec<i16> = (0..FRAME_SAMPLES * 4)
            .map(|n| ((n * 7919) % 20_011) as i16 - 10_000)
            .collect();
        let narrow = down_all(&input);
        let mut h = taps().down;
        h.reverse();
        for (m, &got) in narrow.iter().enumerate() {
            let want: f32 = (0..TAPS)
                .filter(|&k| k <= m * RATIO)
                .map(|k| h[k] * f32::from(input[m * RATIO - k]))
                .sum();
            assert!((f32::from(got) - want).abs() <= 1.0, "sample {m}");
        }

        let mut whole = Vec::new();
        Upsampler::new().process(&narrow, &mut whole);
        let mut pieces = Vec::new();
        let mut up = Upsampler::new();
        for piece in [
            &narrow[..7],
            &narrow[7..300],
            &narrow[300..301],
            &narrow[301..],
        ] {
            up.process(piece, &mut pieces);
        }
        assert_eq!(whole, pieces);
    }

    #[test]
    fn frame_edges_do_not_click() {
        // The largest step between neighbouring samples of a clean 1 kHz tone is
        // amplitude × 2π × 1000 / 48000 ≈ 1309; a discontinuity at a frame edge would be far
        // larger.
        let input = tone(1_000.0, 48_000.0, 10_000.0, FRAME_SAMPLES * 10);
        let mut up = Upsampler::new();
        let mut output = Vec::new();
        for frame in down_all(&input).chunks(NARROW_FRAME) {
            up.process(frame, &mut output);
        }
        let worst = output[ROUND_TRIP_DELAY + 50..]
            .windows(2)
            .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
            .max()
            .unwrap();
        assert!(worst < 1_400, "step of {worst}");
    }
}
