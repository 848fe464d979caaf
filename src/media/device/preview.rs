//! Trying devices out before a call: a short tone on an output and the level of an input, for
//! the settings dialog.
//!
//! Both run in real time and block, so callers give them a thread of their own; a window must
//! never wait on a sound card. Errors are the same [`DeviceError`] sentences a call would give,
//! so a machine with no sound card gets a message instead of a silent button.

use std::thread;
use std::time::{Duration, Instant};

use super::{open_input, open_output, DeviceError, Sink, Source};
use crate::core::notice::Notice;
use crate::media::tones::{Tone, ToneGenerator};
use crate::media::{Frame, FRAME_MS, FRAME_SAMPLES};

/// The length of one frame, the pace at which devices are fed and read.
const FRAME: Duration = Duration::from_millis(FRAME_MS as u64);

/// How long the last frames may still sit in a sound card's buffer after the tone is written;
/// closing the device at once would cut off its end.
const DRAIN: Duration = Duration::from_millis(100);

/// The quietest level the meter shows, in dBFS: anything below reads as silence.
const FLOOR_DB: f32 = -60.0;

/// Frames summarised in one meter reading: 100 ms, fast enough to follow speech.
const FRAMES_PER_READING: u32 = 5;

/// Plays `tone` for `duration` on the output `spec` (see [`open_output`]), in real time, and
/// closes the device. Returns the device's notice, if it had one (e.g. that the named card is
/// missing and the default played the tone instead).
pub fn play_tone(
    spec: &str,
    tone: Tone,
    duration: Duration,
) -> Result<Option<Notice>, DeviceError> {
    let mut sink = open_output(spec)?;
    let mut generator = ToneGenerator::new(tone);
    let frames = duration.as_millis().div_ceil(u128::from(FRAME_MS));
    let mut pacer = Pacer::new();
    for _ in 0..frames {
        write_next(sink.as_mut(), &mut generator);
        pacer.wait();
    }
    // One more frame carries the release ramp, so the tone ends without a click.
    generator.stop();
    write_next(sink.as_mut(), &mut generator);
    thread::sleep(DRAIN);
    let notice = sink.notice();
    sink.finish()?;
    Ok(notice)
}

fn write_next(sink: &mut dyn Sink, generator: &mut ToneGenerator) {
    let mut frame: Frame = [0; FRAME_SAMPLES];
    generator.mix_into(&mut frame);
    sink.write(&frame);
}

/// Reads an input in real time and reports how loud it is.
pub struct LevelMeter {
    source: Box<dyn Source>,
    pacer: Pacer,
}

impl LevelMeter {
    /// Opens the input `spec` (see [`open_input`]).
    pub fn open(spec: &str) -> Result<LevelMeter, DeviceError> {
        Ok(LevelMeter {
            source: open_input(spec)?,
            pacer: Pacer::new(),
        })
    }

    /// Waits for the next 100 ms of audio and returns its peak [`level`].
    pub fn next_reading(&mut self) -> f32 {
        let mut loudest = 0.0_f32;
        for _ in 0..FRAMES_PER_READING {
            let mut frame: Frame = [0; FRAME_SAMPLES];
            self.source.read(&mut frame);
            loudest = loudest.max(level(&frame));
            self.pacer.wait();
        }
        loudest
    }

    /// The device's notice, once (e.g. that the default card is used instead of the named one).
    pub fn notice(&mut self) -> Option<Notice> {
        self.source.notice()
    }
}

/// The peak of `samples` on a meter's scale: 0 at -60 dBFS or below, 1 at full scale, linear
/// in decibels in between, as level meters are read.
pub fn level(samples: &[i16]) -> f32 {
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    if peak == 0 {
        return 0.0;
    }
    let db = 20.0 * (f32::from(peak) / 32768.0).log10();
    ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0)
}

/// Keeps a loop at one frame per 20 ms of wall time, without drifting: each wait aims at the
/// next frame boundary rather than 20 ms after the work.
struct Pacer {
    next: Instant,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            next: Instant::now() + FRAME,
        }
    }

    fn wait(&mut self) {
        let now = Instant::now();
        if self.next > now {
            thread::sleep(self.next - now);
        }
        self.next += FRAME;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_scale() {
        assert_eq!(level(&[0; 4]), 0.0);
        assert_eq!(level(&[]), 0.0);
        assert_eq!(level(&[i16::MIN, 3]), 1.0);
        // -20 dBFS is two thirds of the way up a 60 dB scale.
        let at_minus_20 = level(&[3277]);
        assert!((at_minus_20 - 2.0 / 3.0).abs() < 0.01, "{at_minus_20}");
        // Below the floor reads as silence.
        assert_eq!(level(&[1]), 0.0);
    }

    #[test]
    fn a_tone_input_shows_a_level_and_silence_none() {
        let mut meter = LevelMeter::open("tone:440").unwrap();
        let started = Instant::now();
        let reading = meter.next_reading();
        assert!(reading > 0.5, "{reading}");
        // Readings come in real time, so a meter loop does not spin.
        assert!(started.elapsed() >= Duration::from_millis(80));
        assert_eq!(meter.notice(), None);
        assert_eq!(LevelMeter::open("silence").unwrap().next_reading(), 0.0);
    }

    #[test]
    fn a_wav_output_receives_the_tone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tone.wav");
        let spec = format!("wav:{}", path.display());
        let started = Instant::now();
        let notice = play_tone(&spec, Tone::Ringtone, Duration::from_millis(200)).unwrap();
        assert_eq!(notice, None);
        assert!(started.elapsed() >= Duration::from_millis(200));

        let reader = hound::WavReader::open(&path).unwrap();
        let samples: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
        // 200 ms plus the frame that carries the release ramp.
        assert_eq!(samples.len(), 11 * FRAME_SAMPLES);
        assert!(level(&samples[..FRAME_SAMPLES * 10]) > 0.5);
        assert!(samples.last().unwrap().unsigned_abs() < 100);
    }

    #[test]
    fn unusable_devices_are_errors_not_panics() {
        assert!(matches!(
            play_tone("tone:440", Tone::Ringback, FRAME),
            Err(DeviceError::InvalidSpec { .. })
        ));
        assert!(matches!(
            play_tone("wav:/nonexistent-dir/x.wav", Tone::Ringback, FRAME),
            Err(DeviceError::WavWrite { .. })
        ));
        assert!(matches!(
            LevelMeter::open("null"),
            Err(DeviceError::InvalidSpec { .. })
        ));
        // With or without a sound card, the default devices either work or say why.
        if let Err(error) = LevelMeter::open("default") {
            assert!(
                error.to_string().starts_with("No audio input device"),
                "{error}"
            );
        }
        if let Err(error) = play_tone("default", Tone::Ringtone, FRAME) {
            assert!(
                error.to_string().starts_with("No audio output device"),
                "{error}"
            );
        }
    }
}
