//! Call progress tones, the ringer and DTMF feedback, generated rather than recorded.
//!
//! Generating them keeps the binary free of audio assets and lets every tone follow the media
//! clock exactly: a tone advances by one frame per call, so its cadence stays in step with the
//! 20 ms tick whatever the sound card does. Frequencies and cadences are the North American ones
//! that Cisco phones use. Every cadence edge is shaped by a short linear ramp: switching a sine
//! on or off mid-cycle is heard as a click.

use std::f64::consts::TAU;

use super::{Frame, SAMPLE_RATE};

/// The peak of one tone component: -15 dBFS, loud enough to hear over a headset without the
/// sum of two components coming near full scale.
const COMPONENT_LEVEL: f64 = 32767.0 * 0.177_827_941; // 10^(-15/20)

/// The length of the attack and release ramps: 5 ms, long enough to remove the click, short
/// enough that a 250 ms reorder burst keeps its shape.
const RAMP_SAMPLES: u64 = SAMPLE_RATE as u64 / 200;

/// How long the ringtone stays on each of its two pitches: 25 ms, a 20 Hz trill like the
/// electronic ringers of desk phones. Both pitches (660 and 880 Hz) run 16.5 and 22 cycles in
/// that time, so every switch falls where both cross zero and needs no cross-fade.
const TRILL_HALF_PERIOD: u64 = SAMPLE_RATE as u64 / 40;

/// A sine oscillator whose phase carries over from one sample to the next, so consecutive frames
/// join without a discontinuity.
#[derive(Debug, Clone)]
pub(crate) struct Oscillator {
    /// The position in the current cycle, in cycles (0 ≤ phase < 1).
    phase: f64,
    /// The phase advance per sample, in cycles.
    step: f64,
}

impl Oscillator {
    /// An oscillator at `hz`, starting at phase zero.
    pub(crate) fn new(hz: f64) -> Oscillator {
        Oscillator {
            phase: 0.0,
            step: hz / f64::from(SAMPLE_RATE),
        }
    }

    /// The next sample, between -1 and 1.
    pub(crate) fn next_sample(&mut self) -> f64 {
        let value = (TAU * self.phase).sin();
        self.phase = (self.phase + self.step).fract();
        value
    }
}

/// A tone the phone plays locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The ringer for an incoming call: a 660/880 Hz trill, 2 s on, 4 s off.
    Ringtone,
    /// The far end is ringing: 440 + 480 Hz, 2 s on, 4 s off.
    Ringback,
    /// The far end is busy: 480 + 620 Hz, 0.5 s on, 0.5 s off.
    Busy,
    /// Another call is waiting: a 440 Hz beep of 0.3 s every 10 s.
    CallWaiting,
    /// Reorder (the call cannot be completed): 480 + 620 Hz, 0.25 s on, 0.25 s off.
    Error,
    /// A DTMF digit (`0`–`9`, `*`, `#`, `A`–`D`, case-insensitive), played without a pause; the
    /// caller decides how long the digit lasts. Any other character is silent.
    Dtmf(char),
}

/// One stretch of a cadence: how long it lasts and whether the tone sounds during it.
#[derive(Debug, Clone, Copy)]
struct Segment {
    samples: u64,
    on: bool,
}

const fn on(ms: u64) -> Segment {
    Segment {
        samples: ms * SAMPLE_RATE as u64 / 1000,
        on: true,
    }
}

const fn off(ms: u64) -> Segment {
    Segment {
        samples: ms * SAMPLE_RATE as u64 / 1000,
        on: false,
    }
}

const RING_CADENCE: &[Segment] = &[on(2000), off(4000)];
const BUSY_CADENCE: &[Segment] = &[on(500), off(500)];
const REORDER_CADENCE: &[Segment] = &[on(250), off(250)];
const CALL_WAITING_CADENCE: &[Segment] = &[on(300), off(9700)];

/// The DTMF row (low) and column (high) frequencies of a digit, in Hz, or `None` when `digit`
/// is not one of `0`–`9`, `*`, `#`, `A`–`D` (letters in either case).
pub fn dtmf_frequencies(digit: char) -> Option<(f64, f64)> {
    const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
    const COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
    const KEYPAD: [[char; 4]; 4] = [
        ['1', '2', '3', 'A'],
        ['4', '5', '6', 'B'],
        ['7', '8', '9', 'C'],
        ['*', '0', '#', 'D'],
    ];
    let digit = digit.to_ascii_uppercase();
    KEYPAD.iter().enumerate().find_map(|(row, keys)| {
        let column = keys.iter().position(|&key| key == digit)?;
        Some((ROWS[row], COLUMNS[column]))
    })
}

/// Plays a [`Tone`] frame by frame, following its cadence from the moment it was created.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    /// The components, summed.
    oscillators: Vec<Oscillator>,
    /// Whether the two components alternate (the ringtone's trill) instead of sounding together.
    trill: bool,
    /// The repeating on/off pattern; empty for a continuous tone.
    cadence: &'static [Segment],
    /// Samples produced since the start.
    elapsed: u64,
    /// The sample at which [`ToneGenerator::stop`] began the release.
    stopped_at: Option<u64>,
}

impl ToneGenerator {
    /// A generator for `tone`, at the start of its cadence (the first burst begins at once).
    ///
    /// A [`Tone::Dtmf`] whose character is not a DTMF digit gives a silent generator rather than
    /// an error, since a stray key should not end a call's audio; [`dtmf_frequencies`] tells
    /// the two apart beforehand.
    pub fn new(tone: Tone) -> ToneGenerator {
        let (frequencies, cadence): (Vec<f64>, &'static [Segment]) = match tone {
            Tone::Ringtone => (vec![660.0, 880.0], RING_CADENCE),
            Tone::Ringback => (vec![440.0, 480.0], RING_CADENCE),
            Tone::Busy => (vec![480.0, 620.0], BUSY_CADENCE),
            Tone::Error => (vec![480.0, 620.0], REORDER_CADENCE),
            Tone::CallWaiting => (vec![440.0], CALL_WAITING_CADENCE),
            Tone::Dtmf(digit) => (
                dtmf_frequencies(digit).map_or(Vec::new(), |(low, high)| vec![low, high]),
                &[],
            ),
        };
        ToneGenerator {
            oscillators: frequencies.into_iter().map(Oscillator::new).collect(),
            trill: tone == Tone::Ringtone,
            cadence,
            elapsed: 0,
            stopped_at: None,
        }
    }

    /// Adds the tone's next 20 ms into `frame` (saturating), following its cadence.
    pub fn mix_into(&mut self, frame: &mut Frame) {
        for sample in frame.iter_mut() {
            let gain = self.gain(self.elapsed);
            let sum = match &mut self.oscillators[..] {
                [low, high] if self.trill => {
                    // Both keep running, so each stays on its zero-crossing grid.
                    let (low, high) = (low.next_sample(), high.next_sample());
                    if (self.elapsed / TRILL_HALF_PERIOD).is_multiple_of(2) {
                        low
                    } else {
                        high
                    }
                }
                all => all.iter_mut().map(Oscillator::next_sample).sum(),
            };
            // The float-to-int cast saturates, and so does the addition.
            let value = (sum * COMPONENT_LEVEL * gain).round() as i16;
            *sample = sample.saturating_add(value);
            self.elapsed += 1;
        }
    }

    /// Ends the tone with a release ramp instead of a hard cut: the ramp fits in the next frame,
    /// after which [`ToneGenerator::is_finished`] is true and the generator adds nothing.
    pub fn stop(&mut self) {
        self.stopped_at.get_or_insert(self.elapsed);
    }

    /// Whether the release begun by [`ToneGenerator::stop`] is over.
    pub fn is_finished(&self) -> bool {
        self.stopped_at
            .is_some_and(|at| self.elapsed >= at + RAMP_SAMPLES)
    }

    /// The envelope at sample `at`: 0 in silent segments, 1 in the middle of a burst, and a
    /// linear ramp over `RAMP_SAMPLES` at every edge.
    fn gain(&self, at: u64) -> f64 {
        let ramp = |samples: u64| (samples as f64 / RAMP_SAMPLES as f64).min(1.0);
        let release = self
            .stopped_at
            .map_or(1.0, |stop| 1.0 - ramp(at.saturating_sub(stop)));
        let cadence = if self.cadence.is_empty() {
            ramp(at)
        } else {
            let cycle: u64 = self.cadence.iter().map(|segment| segment.samples).sum();
            let mut offset = at % cycle;
            let mut gain = 0.0;
            for segment in self.cadence {
                if offset < segment.samples {
                    if segment.on {
                        gain = ramp(offset).min(ramp(segment.samples - 1 - offset));
                    }
                    break;
                }
                offset -= segment.samples;
            }
            gain
        };
        cadence * release
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::media::FRAME_SAMPLES;

    /// The power of `samples` at `hz` (Goertzel), in dB relative to an arbitrary reference;
    /// only differences between two calls on the same samples mean anything.
    pub(crate) fn power_db(samples: &[i16], hz: f64) -> f64 {
        let coefficient = 2.0 * (TAU * hz / f64::from(SAMPLE_RATE)).cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &x in samples {
            let s0 = f64::from(x) + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        10.0 * (power + 1e-9).log10()
    }

    /// Asserts that the tone at each of `present` is at least 20 dB above each of `absent`.
    pub(crate) fn assert_dominates(samples: &[i16], present: &[f64], absent: &[f64]) {
        for &p in present {
            for &a in absent {
                let margin = power_db(samples, p) - power_db(samples, a);
                assert!(margin > 20.0, "{p} Hz is only {margin:.1} dB above {a} Hz");
            }
        }
    }

    fn generate(tone: Tone, ms: usize) -> Vec<i16> {
        let mut generator = ToneGenerator::new(tone);
        let frames = ms / 20;
        let mut out = Vec::with_capacity(frames * FRAME_SAMPLES);
        for _ in 0..frames {
            let mut frame = [0; FRAME_SAMPLES];
            generator.mix_into(&mut frame);
            out.extend_from_slice(&frame);
        }
        out
    }

    fn at_ms(samples: &[i16], from: usize, to: usize) -> &[i16] {
        &samples[from * 48..to * 48]
    }

    fn peak(samples: &[i16]) -> i16 {
        samples
            .iter()
            .map(|s| s.saturating_abs())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn ringback_is_440_plus_480_for_two_seconds_then_four_silent() {
        let samples = generate(Tone::Ringback, 12_000);
        assert_dominates(
            at_ms(&samples, 100, 1900),
            &[440.0, 480.0],
            &[400.0, 520.0, 620.0],
        );
        assert_cadence(&samples, &[(0, 2000, true), (2000, 6000, false)], 6000);
    }

    #[test]
    fn busy_is_480_plus_620_half_a_second_each_way() {
        let samples = generate(Tone::Busy, 2000);
        assert_dominates(
            at_ms(&samples, 0, 500),
            &[480.0, 620.0],
            &[440.0, 550.0, 700.0],
        );
        assert_cadence(&samples, &[(0, 500, true), (500, 1000, false)], 1000);
    }

    #[test]
    fn reorder_is_480_plus_620_a_quarter_second_each_way() {
        let samples = generate(Tone::Error, 2000);
        assert_dominates(
            at_ms(&samples, 0, 250),
            &[480.0, 620.0],
            &[400.0, 550.0, 700.0],
        );
        assert_cadence(&samples, &[(0, 250, true), (250, 500, false)], 500);
    }

    #[test]
    fn call_waiting_beeps_440_for_300_ms_every_ten_seconds() {
        let samples = generate(Tone::CallWaiting, 20_000);
        assert_dominates(at_ms(&samples, 0, 300), &[440.0], &[350.0, 480.0, 530.0]);
        assert_cadence(&samples, &[(0, 300, true), (300, 10_000, false)], 10_000);
    }

    #[test]
    fn ringtone_trills_between_660_and_880_on_the_ring_cadence() {
        let samples = generate(Tone::Ringtone, 12_000);
        assert_dominates(
            at_ms(&samples, 0, 2000),
            &[660.0, 880.0],
            &[550.0, 770.0, 990.0],
        );
        assert_cadence(&samples, &[(0, 2000, true), (2000, 6000, false)], 6000);
    }

    #[test]
    fn dtmf_digits_have_their_row_and_column() {
        let rows = [697.0, 770.0, 852.0, 941.0];
        let columns = [1209.0, 1336.0, 1477.0, 1633.0];
        for (digit, row, column) in [
            ('1', 0, 0),
            ('5', 1, 1),
            ('9', 2, 2),
            ('#', 3, 2),
            ('d', 3, 3),
        ] {
            let samples = generate(Tone::Dtmf(digit), 200);
            let others: Vec<f64> = rows
                .iter()
                .chain(&columns)
                .copied()
                .filter(|&f| f != rows[row] && f != columns[column])
                .collect();
            assert_dominates(&samples, &[rows[row], columns[column]], &others);
        }
    }

    #[test]
    fn dtmf_is_continuous_and_a_non_digit_is_silent() {
        let samples = generate(Tone::Dtmf('0'), 3000);
        assert!(samples[RAMP_SAMPLES as usize..]
            .chunks(480)
            .all(|window| peak(window) > 8000));
        assert_eq!(peak(&generate(Tone::Dtmf('x'), 200)), 0);
        assert_eq!(dtmf_frequencies('x'), None);
    }

    #[test]
    fn each_component_is_about_minus_15_dbfs() {
        let samples = generate(Tone::CallWaiting, 300);
        let level = 20.0 * (f64::from(peak(&samples)) / 32767.0).log10();
        assert!((level + 15.0).abs() < 0.1, "{level} dBFS");
    }

    #[test]
    fn no_sample_jumps_more_than_the_tone_itself_allows() {
        // A sine of amplitude A at f moves at most 2πfA/fs per sample, and an edge shaped over
        // at least 2.5 ms (120 samples) adds at most A/120 per component; anything faster is a
        // click, at a frame boundary or at a cadence edge.
        let cases: [(Tone, &[f64]); 6] = [
            (Tone::Ringback, &[440.0, 480.0]),
            (Tone::Busy, &[480.0, 620.0]),
            (Tone::Error, &[480.0, 620.0]),
            (Tone::CallWaiting, &[440.0]),
            (Tone::Ringtone, &[660.0, 880.0]),
            (Tone::Dtmf('D'), &[941.0, 1633.0]),
        ];
        for (tone, frequencies) in cases {
            let samples = generate(tone, 7000);
            let per_component = |f: f64| {
                TAU * f * COMPONENT_LEVEL / f64::from(SAMPLE_RATE) + COMPONENT_LEVEL / 120.0
            };
            let bound = frequencies.iter().copied().map(per_component).sum::<f64>() + 2.0;
            for (n, pair) in samples.windows(2).enumerate() {
                let step = (i32::from(pair[1]) - i32::from(pair[0])).abs();
                assert!(
                    f64::from(step) <= bound,
                    "{tone:?}: jump of {step} at sample {n} (bound {bound:.0})"
                );
            }
        }
    }

    #[test]
    fn mixing_adds_to_what_is_there_and_saturates() {
        let mut frame = [i16::MAX - 10; FRAME_SAMPLES];
        let mut generator = ToneGenerator::new(Tone::Dtmf('1'));
        for _ in 0..5 {
            generator.mix_into(&mut frame);
        }
        assert!(frame.contains(&i16::MAX));
        assert!(frame.iter().any(|&s| s < i16::MAX - 1000));
    }

    #[test]
    fn stop_ramps_down_within_a_frame_then_stays_silent() {
        let mut generator = ToneGenerator::new(Tone::Dtmf('5'));
        let mut frame = [0; FRAME_SAMPLES];
        generator.mix_into(&mut frame);
        generator.stop();
        assert!(!generator.is_finished());
        let mut last = [0; FRAME_SAMPLES];
        generator.mix_into(&mut last);
        assert!(generator.is_finished());
        assert!(peak(&last[..100]) > 1000);
        assert_eq!(peak(&last[RAMP_SAMPLES as usize..]), 0);
        let mut after = [0; FRAME_SAMPLES];
        generator.mix_into(&mut after);
        assert_eq!(peak(&after), 0);
    }

    /// Checks on/off segments `(from_ms, to_ms, sounding)` in each `cycle_ms` cycle of
    /// `samples`: silent segments are exactly zero, sounding ones have signal in every 10 ms
    /// once past the edge ramps.
    fn assert_cadence(samples: &[i16], segments: &[(usize, usize, bool)], cycle_ms: usize) {
        let cycles = samples.len() / (cycle_ms * 48);
        assert!(cycles >= 2, "test needs two cycles");
        for cycle in 0..cycles {
            let base = cycle * cycle_ms;
            for &(from, to, sounding) in segments {
                if sounding {
                    for start in (base + from + 5..base + to - 15).step_by(10) {
                        let window = at_ms(samples, start, start + 10);
                        assert!(peak(window) > 3000, "silent at {start} ms");
                    }
                } else {
                    let window = at_ms(samples, base + from, base + to);
                    assert_eq!(peak(window), 0, "sound between {from} and {to} ms");
                }
            }
        }
    }
}
