//! Mixing frames: sums in 32 bits, then a soft knee instead of hard clipping, so two loud
//! parties (or a party and a tone) distort gently rather than crackle.

use crate::media::{Frame, FRAME_SAMPLES};

/// Where the soft knee starts: below it, mixing is exact addition.
const KNEE: i32 = 24_576;
/// Full scale.
const FULL: i32 = i16::MAX as i32;

/// A frame being mixed.
pub struct Mix {
    sum: [i32; FRAME_SAMPLES],
    parts: usize,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            sum: [0; FRAME_SAMPLES],
            parts: 0,
        }
    }
}

impl Mix {
    /// Starts a new frame.
    pub fn clear(&mut self) {
        self.sum.fill(0);
        self.parts = 0;
    }

    /// Adds one source.
    pub fn add(&mut self, frame: &Frame) {
        for (sum, &sample) in self.sum.iter_mut().zip(frame.iter()) {
            *sum += i32::from(sample);
        }
        self.parts += 1;
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.parts == 0
    }

    /// Writes the mix, soft-limited to 16 bits.
    pub fn render(&self, out: &mut Frame) {
        for (out, &sum) in out.iter_mut().zip(self.sum.iter()) {
            *out = soft_clip(sum);
        }
    }

    /// What conference leg `own` is sent: the microphone and every other leg's audio, but not
    /// its own (mix-minus), so that its far end does not hear itself come back delayed.
    pub fn mix_minus(&mut self, microphone: &Frame, legs: &[Frame], own: usize, out: &mut Frame) {
        self.clear();
        self.add(microphone);
        for (i, leg) in legs.iter().enumerate() {
            if i != own {
                self.add(leg);
            }
        }
        self.render(out);
    }
}

/// Linear up to `KNEE`, then a tanh curve that approaches full scale without reaching past it.
fn soft_clip(sample: i32) -> i16 {
    let magnitude = sample.abs();
    if magnitude <= KNEE {
        return sample as i16;
    }
    let room = (FULL - KNEE) as f32;
    let over = (magnitude - KNEE) as f32 / room;
    let shaped = KNEE as f32 + room * over.tanh();
    (shaped.min(FULL as f32) as i32 * sample.signum()) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_sources_add_exactly() {
        let mut mix = Mix::default();
        mix.add(&[1000; FRAME_SAMPLES]);
        mix.add(&[-300; FRAME_SAMPLES]);
        let mut out = [0; FRAME_SAMPLES];
        mix.render(&mut out);
        assert!(out.iter().all(|&s| s == 700));
    }

    #[test]
    fn loud_sources_bend_instead_of_wrapping() {
        let mut mix = Mix::default();
        mix.add(&[30_000; FRAME_SAMPLES]);
        mix.add(&[30_000; FRAME_SAMPLES]);
        let mut out = [0; FRAME_SAMPLES];
        mix.render(&mut out);
        assert!(
            out[0] > 30_000,
            "louder than either source, without wrapping negative"
        );
        mix.clear();
        mix.add(&[-30_000; FRAME_SAMPLES]);
        mix.add(&[-30_000; FRAME_SAMPLES]);
        mix.render(&mut out);
        assert!(out[0] < -30_000);
        // The curve is monotonic: more input never gives less output.
        assert!(soft_clip(40_000) < soft_clip(50_000));
        assert_eq!(soft_clip(KNEE), KNEE as i16);
    }

    #[test]
    fn each_leg_gets_the_microphone_and_the_others_but_not_itself() {
        let microphone = [1; FRAME_SAMPLES];
        let legs = [
            [10; FRAME_SAMPLES],
            [100; FRAME_SAMPLES],
            [1000; FRAME_SAMPLES],
        ];
        let mut mix = Mix::default();
        let mut out = [0; FRAME_SAMPLES];
        for (own, expected) in [(0, 1101), (1, 1011), (2, 111)] {
            mix.mix_minus(&microphone, &legs, own, &mut out);
            assert!(out.iter().all(|&s| s == expected), "leg {own}: {}", out[0]);
        }
    }

    #[test]
    fn mix_minus_bends_loud_legs_instead_of_wrapping() {
        let legs = [[30_000; FRAME_SAMPLES], [30_000; FRAME_SAMPLES]];
        let mut mix = Mix::default();
        let mut out = [0; FRAME_SAMPLES];
        mix.mix_minus(&[30_000; FRAME_SAMPLES], &legs, 0, &mut out);
        assert!(out[0] > 30_000, "{}", out[0]);
    }
}
