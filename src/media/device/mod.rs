//! Audio devices: where the microphone's audio comes from and where the far end's goes.
//!
//! The media thread sees every device as a [`Source`] or a [`Sink`] of 48 kHz mono frames and
//! never waits on one, so a slow or vanished sound card cannot stall the media clock. Sound
//! cards (through cpal) are one kind; virtual devices — silence, a test tone, WAV files, a null
//! output — let the phone run without a sound card and let tests hear exactly what was sent.
//! A device is named by a spec string from the settings, read by [`open_input`] and
//! [`open_output`].

mod cpal_device;
mod cushion;
mod fallback;
pub mod preview;
mod resample;
mod virtual_device;

use std::fmt;
use std::path::Path;

use super::Frame;
use crate::core::notice::Notice;
use virtual_device::{NullSink, Silence, ToneSource, WavSink, WavSource};

/// Which way audio flows through a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A microphone or another source of audio to send.
    Input,
    /// A speaker, headset or ringer, or another place to play audio.
    Output,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Input => "input",
            Direction::Output => "output",
        })
    }
}

/// Why a device could not be opened or kept going. The messages are sentences for the user,
/// from [`DeviceError::notice`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// The spec is not one of the accepted forms.
    InvalidSpec {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A WAV file to play could not be read.
    WavRead {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A WAV file to record to could not be written.
    WavWrite {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// No sound card could be opened for this direction.
    Unavailable {
        /// Input or output.
        direction: Direction,
        /// The device asked for (`default` for the system's default).
        name: String,
        /// What went wrong.
        reason: String,
    },
}

impl DeviceError {
    /// The error as a sentence for the user.
    pub fn notice(&self) -> Notice {
        match self.clone() {
            DeviceError::InvalidSpec { spec, reason } => Notice::DeviceInvalid { spec, reason },
            DeviceError::WavRead { path, reason } => Notice::WavRead { path, reason },
            DeviceError::WavWrite { path, reason } => Notice::WavWrite { path, reason },
            DeviceError::Unavailable {
                direction,
                name,
                reason,
            } => Notice::DeviceUnavailable {
                direction: direction.to_string(),
                name,
                reason,
            },
        }
    }

    /// The same error without a full stop at the end of its reason.
    pub fn trimmed(mut self) -> DeviceError {
        let (DeviceError::InvalidSpec { reason, .. }
        | DeviceError::WavRead { reason, .. }
        | DeviceError::WavWrite { reason, .. }
        | DeviceError::Unavailable { reason, .. }) = &mut self;
        let kept = reason.trim_end_matches('.').len();
        reason.truncate(kept);
        self
    }
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.notice().fmt(f)
    }
}

impl std::error::Error for DeviceError {}

/// Where audio to send comes from.
pub trait Source: Send {
    /// Fills one frame; never blocks: if the device has not captured enough yet, the rest is silence.
    fn read(&mut self, frame: &mut Frame);

    /// Pause or resume capture (real devices stop their stream while no call needs them).
    /// A source starts active.
    fn set_active(&mut self, _active: bool) {}

    /// A message for the status line when something changed (e.g. the device vanished and the
    /// default is used now), once.
    fn notice(&mut self) -> Option<Notice> {
        None
    }
}

/// Where audio to hear goes.
pub trait Sink: Send {
    /// Queues one frame for playout; never blocks. Audio that cannot be played in time is
    /// dropped, oldest first, so delay cannot build up.
    fn write(&mut self, frame: &Frame);

    /// Pause or resume playout (real devices stop their stream while no call needs them).
    /// A sink starts active.
    fn set_active(&mut self, _active: bool) {}

    /// A message for the status line when something changed (e.g. the device vanished and the
    /// default is used now), once.
    fn notice(&mut self) -> Option<Notice> {
        None
    }

    /// Flush what must be kept (a WAV file's header); called at exit.
    fn finish(&mut self) -> Result<(), DeviceError> {
        Ok(())
    }
}

/// A device spec, read.
#[derive(Debug, Clone, PartialEq)]
enum Spec<'a> {
    Default,
    Named(&'a str),
    Silence,
    Null,
    Tone(f64),
    Wav(&'a Path),
}

/// Reads a spec. Keywords and prefixes are case-insensitive; anything else is a device name.
fn parse(spec: &str) -> Result<Spec<'_>, DeviceError> {
    let invalid = |reason: &str| DeviceError::InvalidSpec {
        spec: spec.to_owned(),
        reason: reason.to_owned(),
    };
    let text = spec.trim();
    let prefixed = |prefix: &str| {
        text.get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
            .map(|_| text[prefix.len()..].trim())
    };
    if text.is_empty() {
        Err(invalid("no device is named"))
    } else if text.eq_ignore_ascii_case("default") {
        Ok(Spec::Default)
    } else if text.eq_ignore_ascii_case("silence") {
        Ok(Spec::Silence)
    } else if text.eq_ignore_ascii_case("null") {
        Ok(Spec::Null)
    } else if let Some(hz) = prefixed("tone:") {
        match hz.parse::<f64>() {
            Ok(hz) if (1.0..=24_000.0).contains(&hz) => Ok(Spec::Tone(hz)),
            _ => Err(invalid(
                "the tone's frequency must be a number of hertz from 1 to 24000, as in tone:440",
            )),
        }
    } else if let Some(path) = prefixed("wav:") {
        if path.is_empty() {
            Err(invalid(
                "a WAV file path must follow wav:, as in wav:/tmp/call.wav",
            ))
        } else {
            Ok(Spec::Wav(Path::new(path)))
        }
    } else {
        Ok(Spec::Named(text))
    }
}

/// Opens an input: "default", a device name (as listed by [`input_names`]), "silence",
/// "tone:HZ" (e.g. tone:440, tone:1000.5), "wav:PATH".
///
/// A named sound card that is missing is replaced by the default one (with a
/// [`Source::notice`]); only when no sound card works at all is it an error, and the caller
/// then falls back to silence.
pub fn open_input(spec: &str) -> Result<Box<dyn Source>, DeviceError> {
    Ok(match parse(spec)? {
        Spec::Default => Box::new(cpal_device::CpalSource::open(None)?),
        Spec::Named(name) => Box::new(cpal_device::CpalSource::open(Some(name))?),
        Spec::Silence => Box::new(Silence),
        Spec::Tone(hz) => Box::new(ToneSource::new(hz)),
        Spec::Wav(path) => Box::new(WavSource::open(path)?),
        Spec::Null => {
            return Err(DeviceError::InvalidSpec {
                spec: spec.to_owned(),
                reason: "null is an output; a silent input is silence".into(),
            })
        }
    })
}

/// Opens an output: "default", a device name (as listed by [`output_names`]), "null",
/// "wav:PATH" (48 kHz mono 16-bit WAV, written as frames arrive).
///
/// A named sound card that is missing is replaced by the default one (with a
/// [`Sink::notice`]); only when no sound card works at all is it an error, and the caller
/// then falls back to null.
pub fn open_output(spec: &str) -> Result<Box<dyn Sink>, DeviceError> {
    Ok(match parse(spec)? {
        Spec::Default => Box::new(cpal_device::CpalSink::open(None)?),
        Spec::Named(name) => Box::new(cpal_device::CpalSink::open(Some(name))?),
        Spec::Null => Box::new(NullSink),
        Spec::Wav(path) => Box::new(WavSink::create(path)?),
        Spec::Silence | Spec::Tone(_) => {
            return Err(DeviceError::InvalidSpec {
                spec: spec.to_owned(),
                reason: "silence and tones are inputs; an output that discards audio is null"
                    .into(),
            })
        }
    })
}

/// The names of the sound cards that can capture, for a settings dialog.
pub fn input_names() -> Vec<String> {
    cpal_device::names(Direction::Input)
}

/// The names of the sound cards that can play, for a settings dialog.
pub fn output_names() -> Vec<String> {
    cpal_device::names(Direction::Output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::FRAME_SAMPLES;

    fn reason(spec: &str) -> String {
        match parse(spec) {
            Err(DeviceError::InvalidSpec { reason, .. }) => reason,
            other => panic!("{spec:?} gave {other:?}"),
        }
    }

    #[test]
    fn specs_are_read() {
        assert_eq!(parse("default"), Ok(Spec::Default));
        assert_eq!(parse(" Default "), Ok(Spec::Default));
        assert_eq!(parse("silence"), Ok(Spec::Silence));
        assert_eq!(parse("NULL"), Ok(Spec::Null));
        assert_eq!(parse("tone:440"), Ok(Spec::Tone(440.0)));
        assert_eq!(parse("tone: 1000.5"), Ok(Spec::Tone(1000.5)));
        assert_eq!(parse("tone:1"), Ok(Spec::Tone(1.0)));
        assert_eq!(parse("tone:24000"), Ok(Spec::Tone(24_000.0)));
        assert_eq!(
            parse("wav:/tmp/a b.wav"),
            Ok(Spec::Wav(Path::new("/tmp/a b.wav")))
        );
        assert_eq!(parse("USB Headset"), Ok(Spec::Named("USB Headset")));
        assert_eq!(
            parse("hw:CARD=Headset,DEV=0"),
            Ok(Spec::Named("hw:CARD=Headset,DEV=0"))
        );
    }

    #[test]
    fn bad_specs_say_what_is_expected() {
        for spec in [
            "tone:abc",
            "tone:",
            "tone:0",
            "tone:0.5",
            "tone:24001",
            "tone:-440",
            "tone:nan",
            "tone:inf",
        ] {
            assert!(reason(spec).contains("from 1 to 24000"), "{spec}");
        }
        assert!(reason("wav:").contains("path"));
        assert!(reason("wav:  ").contains("path"));
        assert!(reason("").contains("no device"));
        let message = parse("tone:abc").unwrap_err().to_string();
        assert!(
            message.starts_with("Invalid audio device \"tone:abc\": "),
            "{message}"
        );
    }

    #[test]
    fn inputs_and_outputs_are_not_mixed_up() {
        assert!(matches!(
            open_input("null").err(),
            Some(DeviceError::InvalidSpec { .. })
        ));
        assert!(matches!(
            open_output("tone:440").err(),
            Some(DeviceError::InvalidSpec { .. })
        ));
        assert!(matches!(
            open_output("silence").err(),
            Some(DeviceError::InvalidSpec { .. })
        ));
    }

    #[test]
    fn virtual_devices_open_through_their_specs() {
        let mut frame = [1; FRAME_SAMPLES];
        open_input("silence").unwrap().read(&mut frame);
        assert!(frame.iter().all(|&s| s == 0));
        open_input("tone:1000").unwrap().read(&mut frame);
        assert!(frame.iter().any(|&s| s > 8000));
        let mut null = open_output("null").unwrap();
        null.write(&frame);
        assert_eq!(null.finish(), Ok(()));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        let mut sink = open_output(&format!("wav:{}", path.display())).unwrap();
        sink.write(&frame);
        sink.finish().unwrap();
        let mut source = open_input(&format!("wav:{}", path.display())).unwrap();
        let mut back = [0; FRAME_SAMPLES];
        source.read(&mut back);
        assert_eq!(back, frame);
    }

    #[test]
    fn a_wav_output_in_a_missing_directory_is_an_error_naming_it() {
        let error = open_output("wav:/nonexistent-dir/out.wav").err().unwrap();
        assert!(matches!(error, DeviceError::WavWrite { .. }));
        assert!(error.to_string().contains("/nonexistent-dir/out.wav"));
    }

    #[test]
    fn sound_cards_open_or_fail_cleanly() {
        // Whether this machine has a sound card or not, these must not panic; an error must
        // name the device and the direction.
        let _ = input_names();
        let _ = output_names();
        if let Err(error) = open_output("default") {
            assert!(matches!(
                error,
                DeviceError::Unavailable {
                    direction: Direction::Output,
                    ..
                }
            ));
        }
        if let Err(error) = open_input("default") {
            assert!(error.to_string().starts_with("No audio input device"));
        }
        if let Err(error) = open_output("No Such Headset") {
            assert!(error.to_string().contains("No Such Headset"), "{error}");
        }
    }
}
