//! Media: RTP streams, codecs, the jitter buffer, tones and audio devices.
//!
//! Audio inside linekey is 48 kHz mono 16-bit PCM in frames of 20 ms; codecs with other clock
//! rates (G.711 at 8 kHz) are resampled at their edge.

pub mod codec;
pub mod cues;
pub mod device;
pub mod dtmf;
pub mod jitter;
pub mod mixer;
pub mod rtcp;
pub mod rtp;
pub mod session;
pub mod tones;

/// The sample rate of audio inside linekey.
pub const SAMPLE_RATE: u32 = 48_000;
/// The length of one frame, the unit the media clock ticks in.
pub const FRAME_MS: u32 = 20;
/// Samples in one frame at `SAMPLE_RATE`.
pub const FRAME_SAMPLES: usize = (SAMPLE_RATE / 1000 * FRAME_MS) as usize;
/// One frame of audio.
pub type Frame = [i16; FRAME_SAMPLES];
