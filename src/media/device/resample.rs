//! Sample-rate conversion by linear interpolation, for audio whose rate is not ours: WAV files
//! and sound cards that cannot run at 48 kHz.
//!
//! Linear interpolation costs one multiply per sample and is enough for speech and ring tones;
//! most sound cards run at 48 kHz, and then no conversion happens at all.

/// Converts a stream of samples from one rate to another, keeping its place between calls so a
/// stream cut into frames converts exactly as it would in one piece.
#[derive(Debug, Clone)]
pub(super) struct Resampler {
    from: u64,
    to: u64,
    /// Where the next output sample lies after `previous`, in units of 1/`to` of an input sample.
    phase: u64,
    /// The last input sample seen.
    previous: i16,
}

impl Resampler {
    /// A converter from `from` Hz to `to` Hz.
    pub(super) fn new(from: u32, to: u32) -> Resampler {
        Resampler {
            from: u64::from(from),
            to: u64::from(to),
            phase: 0,
            previous: 0,
        }
    }

    /// Converts `input`, handing each output sample to `emit` in order.
    pub(super) fn process(&mut self, input: &[i16], mut emit: impl FnMut(i16)) {
        if self.from == self.to {
            input.iter().copied().for_each(emit);
            return;
        }
        for &sample in input {
            // Output samples falling between `previous` and `sample`.
            while self.phase < self.to {
                let (a, b) = (i64::from(self.previous), i64::from(sample));
                let value = a + (b - a) * self.phase as i64 / self.to as i64;
                emit(value as i16);
                self.phase += self.from;
            }
            self.phase -= self.to;
            self.previous = sample;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::tones::tests::assert_dominates;
    use std::f64::consts::TAU;

    fn sine(hz: f64, rate: u32, samples: usize) -> Vec<i16> {
        (0..samples)
            .map(|n| (10_000.0 * (TAU * hz * n as f64 / f64::from(rate)).sin()) as i16)
            .collect()
    }

    fn convert(resampler: &mut Resampler, input: &[i16]) -> Vec<i16> {
        let mut out = Vec::new();
        resampler.process(input, |s| out.push(s));
        out
    }

    #[test]
    fn upsampling_8k_keeps_the_frequency_and_gives_six_times_the_samples() {
        let out = convert(&mut Resampler::new(8000, 48_000), &sine(1000.0, 8000, 8000));
        assert_eq!(out.len(), 48_000);
        assert_dominates(&out, &[1000.0], &[800.0, 1200.0, 7000.0]);
    }

    #[test]
    fn downsampling_to_44k1_gives_the_right_count() {
        let out = convert(
            &mut Resampler::new(48_000, 44_100),
            &sine(440.0, 48_000, 48_000),
        );
        assert!((44_099..=44_101).contains(&out.len()), "{}", out.len());
    }

    #[test]
    fn converting_in_pieces_equals_converting_at_once() {
        let input = sine(700.0, 44_100, 4410);
        let whole = convert(&mut Resampler::new(44_100, 48_000), &input);
        let mut resampler = Resampler::new(44_100, 48_000);
        let pieces: Vec<i16> = input
            .chunks(441)
            .flat_map(|piece| convert(&mut resampler, piece))
            .collect();
        assert_eq!(whole, pieces);
    }

    #[test]
    fn equal_rates_pass_samples_through() {
        let input = sine(300.0, 48_000, 960);
        assert_eq!(convert(&mut Resampler::new(48_000, 48_000), &input), input);
    }
}
