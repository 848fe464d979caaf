//! Devices that are not sound cards: silence, a test tone, WAV files, and a sink that discards.
//!
//! They let the phone run where there is no sound card (servers, tests, the headless agent), feed
//! a call from a file and record one, and give tests a known signal to look for at the far end.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};

use super::resample::Resampler;
use super::{DeviceError, Sink, Source};
use crate::core::notice::Notice;
use crate::media::tones::Oscillator;
use crate::media::{Frame, FRAME_MS, SAMPLE_RATE};

/// The peak of the test tone: -12 dBFS, clearly audible with headroom for anything mixed with it.
const TONE_LEVEL: f64 = 32767.0 * 0.251_188_643; // 10^(-12/20)

/// How often a WAV recording's header is brought up to date: once a second, so a process that is
/// killed leaves a file that plays up to the last second.
const FLUSH_EVERY_FRAMES: u32 = 1000 / FRAME_MS;

/// An input that is always silent.
#[derive(Debug)]
pub(super) struct Silence;

impl Source for Silence {
    fn read(&mut self, frame: &mut Frame) {
        frame.fill(0);
    }
}

/// An input that plays a continuous sine.
#[derive(Debug)]
pub(super) struct ToneSource {
    oscillator: Oscillator,
}

impl ToneSource {
    /// A sine at `hz`, which the spec parser has checked to lie in 1..=24000.
    pub(super) fn new(hz: f64) -> ToneSource {
        ToneSource {
            oscillator: Oscillator::new(hz),
        }
    }
}

impl Source for ToneSource {
    fn read(&mut self, frame: &mut Frame) {
        for sample in frame.iter_mut() {
            *sample = (self.oscillator.next_sample() * TONE_LEVEL).round() as i16;
        }
    }
}

/// An input that plays a WAV file over and over, converted to 48 kHz mono when it is loaded.
#[derive(Debug)]
pub(super) struct WavSource {
    samples: Vec<i16>,
    position: usize,
}

impl WavSource {
    /// Loads the whole file: reading it on the media thread, frame by frame, would put disk
    /// latency on the media clock.
    pub(super) fn open(path: &Path) -> Result<WavSource, DeviceError> {
        let error = |reason: String| DeviceError::WavRead {
            path: path.display().to_string(),
            reason,
        };
        let mut reader = WavReader::open(path).map_err(|e| error(e.to_string()))?;
        let spec = reader.spec();
        let mono = match spec.sample_format {
            SampleFormat::Float => downmix(
                reader
                    .samples::<f32>()
                    .map(|s| s.map(|v| (v * 32768.0).round() as i16)),
                spec.channels,
            ),
            SampleFormat::Int => {
                let bits = u32::from(spec.bits_per_sample);
                downmix(
                    reader.samples::<i32>().map(|s| {
                        s.map(|v| {
                            if bits > 16 {
                                (v >> (bits - 16)) as i16
                            } else {
                                (v << (16 - bits)) as i16
                            }
                        })
                    }),
                    spec.channels,
                )
            }
        }
        .map_err(|e| error(e.to_string()))?;
        let mut samples = Vec::with_capacity(
            (mono.len() as u64 * u64::from(SAMPLE_RATE) / u64::from(spec.sample_rate)) as usize + 1,
        );
        Resampler::new(spec.sample_rate, SAMPLE_RATE).process(&mono, |s| samples.push(s));
        if samples.is_empty() {
            return Err(error("it contains no audio".into()));
        }
        Ok(WavSource {
            samples,
            position: 0,
        })
    }
}

/// Averages the channels of interleaved `samples` into one.
fn downmix(
    samples: impl Iterator<Item = Result<i16, hound::Error>>,
    channels: u16,
) -> Result<Vec<i16>, hound::Error> {
    let mut mono = Vec::with_capacity(samples.size_hint().0 / usize::from(channels));
    let (mut sum, mut count) = (0i32, 0u16);
    for sample in samples {
        sum += i32::from(sample?);
        count += 1;
        if count == channels {
            mono.push((sum / i32::from(channels)) as i16);
            (sum, count) = (0, 0);
        }
    }
    Ok(mono)
}

impl Source for WavSource {
    fn read(&mut self, frame: &mut Frame) {
        for sample in frame.iter_mut() {
            *sample = self.samples[self.position];
            self.position = (self.position + 1) % self.samples.len();
        }
    }
}

/// An output that discards everything.
#[derive(Debug)]
pub(super) struct NullSink;

impl Sink for NullSink {
    fn write(&mut self, _frame: &Frame) {}
}

/// An output that records to a 48 kHz mono 16-bit WAV file as frames arrive.
pub(super) struct WavSink {
    path: PathBuf,
    /// `None` once finished, or after a write failed.
    writer: Option<WavWriter<BufWriter<File>>>,
    frames_since_flush: u32,
    notice: Option<Notice>,
}

impl WavSink {
    /// Creates (or truncates) the file at `path`.
    pub(super) fn create(path: &Path) -> Result<WavSink, DeviceError> {
        let spec = WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let writer = WavWriter::create(path, spec).map_err(|e| DeviceError::WavWrite {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(WavSink {
            path: path.to_owned(),
            writer: Some(writer),
            frames_since_flush: 0,
            notice: None,
        })
    }
}

impl Sink for WavSink {
    fn write(&mut self, frame: &Frame) {
        let Some(writer) = &mut self.writer else {
            return;
        };
        let mut result = frame.iter().try_for_each(|&s| writer.write_sample(s));
        self.frames_since_flush += 1;
        if result.is_ok() && self.frames_since_flush >= FLUSH_EVERY_FRAMES {
            self.frames_since_flush = 0;
            result = writer.flush();
        }
        if let Err(error) = result {
            self.writer = None;
            self.notice = Some(Notice::WavStopped {
                path: self.path.display().to_string(),
                reason: error.to_string(),
            });
        }
    }

    fn notice(&mut self) -> Option<Notice> {
        self.notice.take()
    }

    fn finish(&mut self) -> Result<(), DeviceError> {
        match self.writer.take() {
            Some(writer) => writer.finalize().map_err(|e| DeviceError::WavWrite {
                path: self.path.display().to_string(),
                reason: e.to_string(),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::tones::tests::{assert_dominates, power_db};
    use crate::media::FRAME_SAMPLES;
    use std::f64::consts::TAU;

    fn read_ms(source: &mut dyn Source, ms: usize) -> Vec<i16> {
        let mut out = Vec::new();
        for _ in 0..ms / 20 {
            let mut frame = [1; FRAME_SAMPLES];
            source.read(&mut frame);
            out.extend_from_slice(&frame);
        }
        out
    }

    fn write_wav(path: &Path, spec: WavSpec, frames: usize, sample: impl Fn(usize, u16) -> i32) {
        let mut writer = WavWriter::create(path, spec).unwrap();
        for n in 0..frames {
            for channel in 0..spec.channels {
                let value = sample(n, channel);
                if spec.bits_per_sample == 16 {
                    writer.write_sample(value as i16).unwrap();
                } else {
                    writer.write_sample(value).unwrap();
                }
            }
        }
        writer.finalize().unwrap();
    }

    #[test]
    fn silence_is_zero() {
        assert!(read_ms(&mut Silence, 100).iter().all(|&s| s == 0));
    }

    #[test]
    fn the_tone_is_at_its_frequency_level_and_joins_across_frames() {
        let samples = read_ms(&mut ToneSource::new(1000.5), 1000);
        assert_dominates(&samples, &[1000.5], &[900.0, 1100.0]);
        let peak = samples.iter().map(|s| s.abs()).max().unwrap();
        assert!((peak - TONE_LEVEL as i16).abs() <= 1, "peak {peak}");
        // A 1 kHz sine at this level moves at most 2π·1000·A/48000 per sample.
        let bound = TAU * 1000.5 * TONE_LEVEL / 48_000.0 + 1.0;
        assert!(samples
            .windows(2)
            .all(|w| f64::from((w[1] - w[0]).abs()) <= bound));
    }

    #[test]
    fn an_8k_stereo_wav_plays_as_48k_mono_at_the_same_frequency_and_loops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("voice.wav");
        let spec = WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        // 0.25 s of 1 kHz on the left, the same inverted and halved on the right: a mono sum
        // keeps a quarter of the amplitude, proving the channels were averaged.
        write_wav(&path, spec, 2000, |n, channel| {
            let value = 16_000.0 * (TAU * 1000.0 * n as f64 / 8000.0).sin();
            (if channel == 0 { value } else { -value / 2.0 }) as i32
        });
        let mut source = WavSource::open(&path).unwrap();
        assert_eq!(source.samples.len(), 12_000);
        let samples = read_ms(&mut source, 1000);
        assert_dominates(&samples, &[1000.0], &[800.0, 1200.0, 7000.0]);
        let peak = samples.iter().map(|s| s.abs()).max().unwrap();
        assert!((3900..=4100).contains(&peak), "peak {peak}");
        // Four loops of the file: the second half of the second is the file again.
        assert_eq!(&samples[24_000..36_000], &samples[..12_000]);
    }

    #[test]
    fn float_and_24_bit_wavs_are_scaled_to_16_bits() {
        let dir = tempfile::tempdir().unwrap();
        let float_path = dir.path().join("float.wav");
        let mut writer = WavWriter::create(
            &float_path,
            WavSpec {
                channels: 1,
                sample_rate: SAMPLE_RATE,
                bits_per_sample: 32,
                sample_format: SampleFormat::Float,
            },
        )
        .unwrap();
        for _ in 0..960 {
            writer.write_sample(0.5f32).unwrap();
        }
        writer.finalize().unwrap();
        assert!(WavSource::open(&float_path)
            .unwrap()
            .samples
            .iter()
            .all(|&s| s == 16_384));

        let int24_path = dir.path().join("int24.wav");
        let spec = WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 24,
            sample_format: SampleFormat::Int,
        };
        write_wav(&int24_path, spec, 960, |_, _| -(1 << 22));
        assert!(WavSource::open(&int24_path)
            .unwrap()
            .samples
            .iter()
            .all(|&s| s == -16_384));
    }

    #[test]
    fn a_missing_or_broken_wav_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.wav");
        let error = WavSource::open(&missing).unwrap_err();
        assert!(error.to_string().contains("missing.wav"), "{error}");

        let broken = dir.path().join("broken.wav");
        std::fs::write(&broken, b"RIFF\x10\0\0\0not a wave file").unwrap();
        let error = WavSource::open(&broken).unwrap_err();
        assert!(error.to_string().contains("broken.wav"), "{error}");

        let empty = dir.path().join("empty.wav");
        let spec = WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        write_wav(&empty, spec, 0, |_, _| 0);
        let error = WavSource::open(&empty).unwrap_err();
        assert!(error.to_string().contains("no audio"), "{error}");
    }

    #[test]
    fn a_recording_reads_back_sample_for_sample() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("call.wav");
        let mut sink = WavSink::create(&path).unwrap();
        let mut source = ToneSource::new(440.0);
        let mut written = Vec::new();
        for _ in 0..10 {
            let mut frame = [0; FRAME_SAMPLES];
            source.read(&mut frame);
            sink.write(&frame);
            written.extend_from_slice(&frame);
        }
        sink.finish().unwrap();
        let mut reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.spec().sample_rate, SAMPLE_RATE);
        assert_eq!(reader.spec().channels, 1);
        let read: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(read, written);
        assert!(power_db(&read, 440.0) > power_db(&read, 600.0) + 20.0);
    }

    #[test]
    fn a_recording_is_readable_before_it_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.wav");
        let mut sink = WavSink::create(&path).unwrap();
        for n in 0..60 {
            sink.write(&[n; FRAME_SAMPLES]);
        }
        // The sink is still open, as it would be in a process that gets killed now.
        let reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.len(), 50 * FRAME_SAMPLES as u32);
        let samples: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
        assert_eq!(samples[49 * FRAME_SAMPLES], 49);
        drop(sink);
    }

    #[test]
    fn null_takes_anything() {
        let mut sink = NullSink;
        sink.write(&[7; FRAME_SAMPLES]);
        assert_eq!(sink.finish(), Ok(()));
        assert_eq!(sink.notice(), None);
    }
}
