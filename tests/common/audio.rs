//! Listening to what an agent played: reads the `wav:` output and finds which tones it holds,
//! and when, with the Goertzel algorithm (one DFT bin, exact at any frequency).

use std::path::Path;

/// The rate of linekey's WAV output.
pub const RATE: u32 = 48_000;
/// The analysis window: long enough to tell 440 Hz from its neighbours, short enough to time
/// a hold to a tenth of a second.
pub const WINDOW_MS: u32 = 100;

/// The samples of a 48 kHz mono WAV file written by linekey.
pub fn read_wav(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let spec = reader.spec();
    assert_eq!((spec.sample_rate, spec.channels), (RATE, 1), "{spec:?}");
    reader.samples::<i16>().map(|s| s.unwrap()).collect()
}

/// The power of `hz` in `samples`, scaled so a full sine of amplitude A gives about A².
pub fn tone_power(samples: &[i16], hz: f64) -> f64 {
    let n = samples.len() as f64;
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(RATE);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    power * 4.0 / (n * n)
}

/// Mean square of `samples`.
pub fn mean_square(samples: &[i16]) -> f64 {
    samples.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / samples.len().max(1) as f64
}

/// What a window holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Heard {
    /// Next to nothing (below -50 dBFS).
    Silence,
    /// The tone carries most of the window's energy.
    Tone,
    /// Sound, but not the tone.
    Other,
}

/// Classifies one window for the tone `hz`.
pub fn classify(samples: &[i16], hz: f64) -> Heard {
    let energy = mean_square(samples);
    if energy < (32768.0f64 * 0.003_16).powi(2) {
        return Heard::Silence;
    }
    // A sine holds its power A² against a mean square of A²/2.
    if tone_power(samples, hz) / (2.0 * energy) > 0.6 {
        Heard::Tone
    } else {
        Heard::Other
    }
}

/// Runs of equal classification through the file: (what, how many windows).
pub fn runs(samples: &[i16], hz: f64) -> Vec<(Heard, usize)> {
    let mut runs: Vec<(Heard, usize)> = Vec::new();
    for chunk in windows(samples) {
        let heard = classify(chunk, hz);
        match runs.last_mut() {
            Some((last, n)) if *last == heard => *n += 1,
            _ => runs.push((heard, 1)),
        }
    }
    runs
}

/// Total windows of `what`.
pub fn total(runs: &[(Heard, usize)], what: Heard) -> usize {
    runs.iter()
        .filter(|(h, _)| *h == what)
        .map(|&(_, n)| n)
        .sum()
}

/// The share of a window's energy in the ringback pair, 440 + 480 Hz (1.0 for pure ringback).
pub fn ringback_share(samples: &[i16]) -> f64 {
    let energy = mean_square(samples).max(1.0);
    (tone_power(samples, 440.0) + tone_power(samples, 480.0)) / (2.0 * energy)
}

/// The analysis windows of a recording.
pub fn windows(samples: &[i16]) -> std::slice::ChunksExact<'_, i16> {
    samples.chunks_exact((RATE / 1000 * WINDOW_MS) as usize)
}

/// The share of a window's energy at `hz`: 1.0 for a pure sine at `hz`, about 0.5 for each of
/// two equally loud sines.
pub fn share(samples: &[i16], hz: f64) -> f64 {
    tone_power(samples, hz) / (2.0 * mean_square(samples).max(1.0))
}
