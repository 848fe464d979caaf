//! Sound cards, through cpal.
//!
//! cpal calls us on its own real-time thread. That side only moves samples through an rtrb ring
//! and converts sample format and channel count on the way: it never locks, allocates or blocks,
//! since any of those can make the card miss its deadline and click. Everything else — rate
//! conversion, the capture cushion, replacing a device that vanished — happens on the media
//! thread, in `read` and `write`.
//!
//! A stream runs only while its source or sink is active: dropping it while no call needs it
//! frees the card for other programs and means a new call never hears stale audio.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{
    BufferSize, FromSample, Sample, SampleFormat, SizedSample, StreamConfig, SupportedBufferSize,
    SupportedStreamConfigRange,
};
use rtrb::{Consumer, Producer, RingBuffer};

use super::cushion::{self, Cushion, QUEUE_MS};
use super::fallback::{Endpoint, Link};
use super::resample::Resampler;
use super::{DeviceError, Direction, Sink, Source};
use crate::core::notice::Notice;
use crate::media::{Frame, FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE};

/// The period asked of the card: 10 ms, so its own buffer (two periods) adds only 20 ms.
const PERIOD_MS: u32 = 10;

/// A sound card as listed: the name shown to the user and what it can be found by.
struct Listed {
    /// Unique in the list: the card's description, followed by its id when two share one.
    label: String,
    /// The card's description.
    name: String,
    /// The host's id for the card (for ALSA, the PCM name such as `hw:CARD=PCH,DEV=0`).
    id: String,
    device: cpal::Device,
}

/// The names of the cards for `direction`; empty when the host cannot list them.
///
/// ALSA's `null` PCM is left out: it has no clock, so a stream on it keeps a core busy, and the
/// `null` spec does the same job without a thread.
pub(super) fn names(direction: Direction) -> Vec<String> {
    list(direction)
        .map(|cards| {
            cards
                .into_iter()
                .filter(|card| card.id != "null")
                .map(|card| card.label)
                .collect()
        })
        .unwrap_or_default()
}

fn list(direction: Direction) -> Result<Vec<Listed>, cpal::Error> {
    let host = cpal::default_host();
    let devices: Vec<cpal::Device> = match direction {
        Direction::Input => host.input_devices()?.collect(),
        Direction::Output => host.output_devices()?.collect(),
    };
    let described: Vec<(String, String)> = devices
        .iter()
        .map(|device| {
            let name = device
                .description()
                .map(|description| description.name().to_owned())
                .unwrap_or_else(|_| device.to_string());
            let id = device
                .id()
                .map(|id| id.id().to_owned())
                .unwrap_or_else(|_| name.clone());
            (name, id)
        })
        .collect();
    let labels = unique_labels(&described);
    Ok(devices
        .into_iter()
        .zip(described)
        .zip(labels)
        .map(|((device, (name, id)), label)| Listed {
            label,
            name,
            id,
            device,
        })
        .collect())
}

/// Labels for `(name, id)` pairs: the name, or `name (id)` when another card has the same name
/// (ALSA lists one card under several PCM names).
fn unique_labels(described: &[(String, String)]) -> Vec<String> {
    described
        .iter()
        .map(|(name, id)| {
            if described.iter().filter(|(other, _)| other == name).count() > 1 {
                format!("{name} ({id})")
            } else {
                name.clone()
            }
        })
        .collect()
}

/// Finds the card `name` (a label, else a description, else an id) or the default card.
fn find(direction: Direction, name: Option<&str>) -> Result<(String, cpal::Device), DeviceError> {
    let unavailable = |reason: String| DeviceError::Unavailable {
        direction,
        name: name.unwrap_or("default").to_owned(),
        reason,
    };
    let Some(name) = name else {
        let host = cpal::default_host();
        let device = match direction {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        };
        return device
            .map(|device| ("default".to_owned(), device))
            .ok_or_else(|| unavailable("the system has no default device".into()));
    };
    let cards = list(direction).map_err(|e| unavailable(e.to_string()))?;
    let rank = |card: &Listed| {
        [&card.label, &card.name, &card.id]
            .iter()
            .position(|field| *field == name)
    };
    cards
        .into_iter()
        .filter_map(|card| Some((rank(&card)?, card)))
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, card)| (card.label, card.device))
        .ok_or_else(|| unavailable("it is not connected".into()))
}

/// The stream to ask a card for.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Format {
    config: StreamConfig,
    sample_format: SampleFormat,
}

/// Picks the best of the configurations a card offers: 48 kHz if it can (no rate conversion),
/// then a common format (i16 or f32), then mono, then stereo. Returns `None` when no
/// configuration has a sample format we convert.
fn choose(ranges: impl IntoIterator<Item = SupportedStreamConfigRange>) -> Option<Format> {
    let best = ranges
        .into_iter()
        .filter(|range| {
            range.channels() > 0
                && matches!(
                    range.sample_format(),
                    SampleFormat::I16 | SampleFormat::F32 | SampleFormat::I32
                )
        })
        .max_by_key(|range| {
            (
                range.contains_rate(SAMPLE_RATE),
                range.contains_rate(cpal::SAMPLE_RATE_CD),
                matches!(range.sample_format(), SampleFormat::I16 | SampleFormat::F32),
                range.channels() <= 2,
                std::cmp::Reverse(range.channels()),
            )
        })?;
    let rate = if best.contains_rate(SAMPLE_RATE) {
        SAMPLE_RATE
    } else if best.contains_rate(cpal::SAMPLE_RATE_CD) {
        cpal::SAMPLE_RATE_CD
    } else {
        SAMPLE_RATE.clamp(best.min_sample_rate(), best.max_sample_rate())
    };
    let period = (rate * PERIOD_MS / 1000).max(1);
    let buffer_size = match *best.buffer_size() {
        SupportedBufferSize::Range { min, max } => BufferSize::Fixed(period.clamp(min, max)),
        SupportedBufferSize::Unknown => BufferSize::Fixed(period),
    };
    Some(Format {
        config: StreamConfig {
            channels: best.channels(),
            sample_rate: rate,
            buffer_size,
        },
        sample_format: best.sample_format(),
    })
}

/// A stream playing on a card, and the end of its ring that the media thread keeps.
struct Started<R> {
    label: String,
    /// Kept for its lifetime: dropping it stops the callback and releases the card.
    _stream: cpal::Stream,
    ring: R,
    /// The card's sample rate.
    rate: u32,
    /// Raised by the error callback when the card goes away.
    lost: Arc<AtomicBool>,
}

/// Finds the card, picks its format, builds a stream with `build_stream` (with our period, else
/// with the card's own if it refuses ours) and starts it.
fn start<R>(
    direction: Direction,
    name: Option<&str>,
    build_stream: impl Fn(
        &cpal::Device,
        StreamConfig,
        SampleFormat,
        Arc<AtomicBool>,
    ) -> Result<(cpal::Stream, R), cpal::Error>,
) -> Result<Started<R>, DeviceError> {
    let (label, device) = find(direction, name)?;
    let fail = |error: cpal::Error| DeviceError::Unavailable {
        direction,
        name: label.clone(),
        reason: error.to_string(),
    };
    let ranges: Vec<SupportedStreamConfigRange> = match direction {
        Direction::Input => device.supported_input_configs().map(Iterator::collect),
        Direction::Output => device.supported_output_configs().map(Iterator::collect),
    }
    .map_err(fail)?;
    let format = choose(ranges).ok_or_else(|| DeviceError::Unavailable {
        direction,
        name: label.clone(),
        reason: "it offers no sample format linekey can use".into(),
    })?;
    let lost = Arc::new(AtomicBool::new(false));
    let attempt = |config: StreamConfig| {
        build_stream(&device, config, format.sample_format, lost.clone())
            .map(|(stream, ring)| (stream, ring, config.sample_rate))
    };
    let (stream, ring, rate) = attempt(format.config)
        .or_else(|_| {
            attempt(StreamConfig {
                buffer_size: BufferSize::Default,
                ..format.config
            })
        })
        .map_err(fail)?;
    stream.play().map_err(fail)?;
    Ok(Started {
        label,
        _stream: stream,
        ring,
        rate,
        lost,
    })
}

/// The error callback: raises `lost` when the card is gone. Other errors (an xrun) pass.
fn on_error(lost: Arc<AtomicBool>) -> impl FnMut(cpal::Error) + Send + 'static {
    move |error| {
        if matches!(
            error.kind(),
            cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
        ) {
            lost.store(true, Ordering::Relaxed);
        }
    }
}

/// A capturing card: its stream, the ring the callback fills, and the media-thread side that
/// converts to 48 kHz and keeps the cushion.
struct Capture {
    card: Started<Consumer<i16>>,
    resampler: Resampler,
    /// Captured audio at 48 kHz, not yet read.
    pending: VecDeque<i16>,
    cushion: Cushion,
}

impl Endpoint for Capture {
    const DIRECTION: Direction = Direction::Input;

    fn open(name: Option<&str>) -> Result<Capture, DeviceError> {
        let card = start(Direction::Input, name, |device, config, format, lost| {
            let (producer, consumer) =
                RingBuffer::new(cushion::samples(config.sample_rate, QUEUE_MS));
            let on_error = on_error(lost);
            // `choose` only picks these three formats.
            let stream = match format {
                SampleFormat::I16 => capture::<i16>(device, config, producer, on_error),
                SampleFormat::F32 => capture::<f32>(device, config, producer, on_error),
                _ => capture::<i32>(device, config, producer, on_error),
            }?;
            Ok((stream, consumer))
        })?;
        Ok(Capture {
            resampler: Resampler::new(card.rate, SAMPLE_RATE),
            pending: VecDeque::with_capacity(cushion::samples(SAMPLE_RATE, 2 * QUEUE_MS)),
            cushion: Cushion::new(SAMPLE_RATE),
            card,
        })
    }

    fn label(&self) -> &str {
        &self.card.label
    }

    fn is_lost(&self) -> bool {
        self.card.lost.load(Ordering::Relaxed)
    }
}

/// The capture callback: averages each frame's channels and queues the result; when the ring is
/// full (the media thread has stalled) the newest audio is dropped.
fn capture<T>(
    device: &cpal::Device,
    config: StreamConfig,
    mut producer: Producer<i16>,
    on_error: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    i16: FromSample<T>,
{
    let channels = usize::from(config.channels);
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            queue_captured(data, channels, &mut producer)
        },
        on_error,
        None,
    )
}

/// The body of the capture callback, apart for testing.
fn queue_captured<T>(data: &[T], channels: usize, producer: &mut Producer<i16>)
where
    T: Sample,
    i16: FromSample<T>,
{
    let frames = data.chunks_exact(channels);
    let room = producer.slots().min(frames.len());
    if let Ok(chunk) = producer.write_chunk_uninit(room) {
        chunk.fill_from_iter(frames.map(|frame| {
            let sum: i32 = frame.iter().map(|&s| i32::from(s.to_sample::<i16>())).sum();
            (sum / channels as i32) as i16
        }));
    }
}

impl Capture {
    fn read(&mut self, frame: &mut Frame) {
        let consumer = &mut self.card.ring;
        if let Ok(chunk) = consumer.read_chunk(consumer.slots()) {
            let (first, second) = chunk.as_slices();
            let pending = &mut self.pending;
            self.resampler.process(first, |s| pending.push_back(s));
            self.resampler.process(second, |s| pending.push_back(s));
            chunk.commit_all();
        }
        let (discard, take) = self.cushion.plan(self.pending.len(), FRAME_SAMPLES);
        self.pending.drain(..discard);
        let mut captured = self.pending.drain(..take);
        for sample in frame.iter_mut() {
            *sample = captured.next().unwrap_or(0);
        }
    }
}

/// A playing card: its stream and the media-thread side that converts from 48 kHz and fills the
/// ring the callback drains.
struct Playback {
    card: Started<Producer<i16>>,
    resampler: Resampler,
    /// One frame at the card's rate, reused.
    converted: Vec<i16>,
}

impl Endpoint for Playback {
    const DIRECTION: Direction = Direction::Output;

    fn open(name: Option<&str>) -> Result<Playback, DeviceError> {
        let card = start(Direction::Output, name, |device, config, format, lost| {
            let (producer, consumer) =
                RingBuffer::new(cushion::samples(config.sample_rate, QUEUE_MS));
            let on_error = on_error(lost);
            // `choose` only picks these three formats.
            let stream = match format {
                SampleFormat::I16 => play::<i16>(device, config, consumer, on_error),
                SampleFormat::F32 => play::<f32>(device, config, consumer, on_error),
                _ => play::<i32>(device, config, consumer, on_error),
            }?;
            Ok((stream, producer))
        })?;
        Ok(Playback {
            resampler: Resampler::new(SAMPLE_RATE, card.rate),
            converted: Vec::with_capacity(cushion::samples(card.rate, 2 * FRAME_MS)),
            card,
        })
    }

    fn label(&self) -> &str {
        &self.card.label
    }

    fn is_lost(&self) -> bool {
        self.card.lost.load(Ordering::Relaxed)
    }
}

/// The playback callback: keeps the cushion (dropping the oldest audio when too far ahead),
/// copies each queued sample to every channel, and plays silence for what is missing.
fn play<T>(
    device: &cpal::Device,
    config: StreamConfig,
    mut consumer: Consumer<i16>,
    on_error: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<i16>,
{
    let channels = usize::from(config.channels);
    let mut cushion = Cushion::new(config.sample_rate);
    device.build_output_stream(
        config,
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
            play_queued(data, channels, &mut consumer, &mut cushion)
        },
        on_error,
        None,
    )
}

/// The body of the playback callback, apart for testing.
fn play_queued<T>(
    data: &mut [T],
    channels: usize,
    consumer: &mut Consumer<i16>,
    cushion: &mut Cushion,
) where
    T: Sample + FromSample<i16>,
{
    let frames = data.len() / channels;
    let (discard, take) = cushion.plan(consumer.slots(), frames);
    if let Ok(chunk) = consumer.read_chunk(discard) {
        chunk.commit_all();
    }
    let mut queued = consumer.read_chunk(take).into_iter().flatten();
    for frame in data.chunks_mut(channels) {
        frame.fill(T::from_sample(queued.next().unwrap_or(0)));
    }
}

impl Playback {
    fn write(&mut self, frame: &Frame) {
        self.converted.clear();
        let converted = &mut self.converted;
        self.resampler.process(frame, |s| converted.push(s));
        let producer = &mut self.card.ring;
        if let Ok(chunk) = producer.write_chunk_uninit(producer.slots().min(converted.len())) {
            chunk.fill_from_iter(converted.iter().copied());
        }
    }
}

/// A capturing sound card as a [`Source`].
pub(super) struct CpalSource(Link<Capture>);

impl CpalSource {
    /// Opens the card `name` (`None`: the default), or the default when it is missing.
    pub(super) fn open(name: Option<&str>) -> Result<CpalSource, DeviceError> {
        Link::open(name).map(CpalSource)
    }
}

impl Source for CpalSource {
    fn read(&mut self, frame: &mut Frame) {
        match self.0.current() {
            Some(capture) => capture.read(frame),
            None => frame.fill(0),
        }
    }

    fn set_active(&mut self, active: bool) {
        self.0.set_active(active);
    }

    fn notice(&mut self) -> Option<Notice> {
        self.0.take_notice()
    }
}

/// A playing sound card as a [`Sink`].
pub(super) struct CpalSink(Link<Playback>);

impl CpalSink {
    /// Opens the card `name` (`None`: the default), or the default when it is missing.
    pub(super) fn open(name: Option<&str>) -> Result<CpalSink, DeviceError> {
        Link::open(name).map(CpalSink)
    }
}

impl Sink for CpalSink {
    fn write(&mut self, frame: &Frame) {
        if let Some(playback) = self.0.current() {
            playback.write(frame);
        }
    }

    fn set_active(&mut self, active: bool) {
        self.0.set_active(active);
    }

    fn notice(&mut self) -> Option<Notice> {
        self.0.take_notice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(
        channels: u16,
        min: u32,
        max: u32,
        format: SampleFormat,
    ) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(
            channels,
            min,
            max,
            SupportedBufferSize::Range { min: 64, max: 8192 },
            format,
        )
    }

    #[test]
    fn prefers_48k_then_a_common_format_then_mono() {
        let format = choose([
            range(2, 44_100, 44_100, SampleFormat::I16),
            range(2, 8000, 192_000, SampleFormat::I32),
            range(1, 8000, 192_000, SampleFormat::F32),
            range(2, 8000, 192_000, SampleFormat::F32),
            range(6, 8000, 192_000, SampleFormat::I16),
        ])
        .unwrap();
        assert_eq!(format.sample_format, SampleFormat::F32);
        assert_eq!(format.config.channels, 1);
        assert_eq!(format.config.sample_rate, 48_000);
        assert_eq!(format.config.buffer_size, BufferSize::Fixed(480));
    }

    #[test]
    fn takes_another_rate_and_the_period_the_card_allows_when_it_must() {
        let cd = SupportedStreamConfigRange::new(
            2,
            44_100,
            44_100,
            SupportedBufferSize::Range {
                min: 1024,
                max: 4096,
            },
            SampleFormat::I16,
        );
        let format = choose([cd]).unwrap();
        assert_eq!(format.config.sample_rate, 44_100);
        assert_eq!(format.config.buffer_size, BufferSize::Fixed(1024));
        let odd = choose([range(1, 16_000, 32_000, SampleFormat::I16)]).unwrap();
        assert_eq!(odd.config.sample_rate, 32_000);
        assert_eq!(choose([range(2, 48_000, 48_000, SampleFormat::U8)]), None);
    }

    #[test]
    fn cards_sharing_a_name_are_told_apart_by_id() {
        let described = [
            ("PCH".to_owned(), "hw:CARD=PCH,DEV=0".to_owned()),
            ("PCH".to_owned(), "front:CARD=PCH,DEV=0".to_owned()),
            ("USB Headset".to_owned(), "hw:CARD=Headset,DEV=0".to_owned()),
        ];
        assert_eq!(
            unique_labels(&described),
            [
                "PCH (hw:CARD=PCH,DEV=0)",
                "PCH (front:CARD=PCH,DEV=0)",
                "USB Headset"
            ]
        );
    }

    #[test]
    fn capture_averages_the_channels_of_any_format() {
        let (mut producer, mut consumer) = RingBuffer::new(8);
        queue_captured(&[0.5f32, 0.0, -0.25, -0.25], 2, &mut producer);
        queue_captured(&[i32::MAX, i32::MAX], 2, &mut producer);
        let captured: Vec<i16> = std::iter::from_fn(|| consumer.pop().ok()).collect();
        assert_eq!(captured, [8192, -8192, i16::MAX]);
    }

    #[test]
    fn capture_drops_what_does_not_fit() {
        let (mut producer, mut consumer) = RingBuffer::new(2);
        queue_captured(&[1i16, 2, 3], 1, &mut producer);
        assert_eq!(consumer.pop(), Ok(1));
        assert_eq!(consumer.pop(), Ok(2));
        assert!(consumer.pop().is_err());
    }

    #[test]
    fn playback_waits_for_the_cushion_then_copies_to_every_channel() {
        let rate = 8000; // 30 ms of prefill is 240 samples
        let (mut producer, mut consumer) = RingBuffer::new(800);
        let mut cushion = Cushion::new(rate);
        let mut data = [1.0f32; 8];
        producer.push_entire_slice(&[16_384; 100]).unwrap();
        play_queued(&mut data, 2, &mut consumer, &mut cushion);
        assert_eq!(data, [0.0; 8]);
        producer.push_entire_slice(&[-16_384; 140]).unwrap();
        play_queued(&mut data, 2, &mut consumer, &mut cushion);
        assert_eq!(data, [0.5; 8]);
        assert_eq!(consumer.slots(), 236);
    }

    #[test]
    fn playback_drops_the_oldest_audio_when_too_far_ahead() {
        let (mut producer, mut consumer) = RingBuffer::new(800);
        let mut cushion = Cushion::new(8000);
        producer.push_entire_slice(&[1; 500]).unwrap();
        producer.push_entire_slice(&[2; 300]).unwrap();
        let mut data = [0i16; 4];
        play_queued(&mut data, 1, &mut consumer, &mut cushion);
        // 800 queued is 100 ms: cut back to the newest 40 ms (320 samples) before playing.
        assert_eq!(data, [1; 4]);
        assert_eq!(consumer.slots(), 316);
    }

    #[test]
    fn real_streams_run_on_the_alsa_null_card() {
        // ALSA's null PCM (defined by libasound2's own alsa.conf, so present wherever linekey
        // builds) has no clock and its callbacks spin, so this test keeps it brief.
        let mut playback = Playback::open(Some("null")).expect("ALSA's null device");
        for _ in 0..3 {
            playback.write(&[1000; FRAME_SAMPLES]);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let producer = &playback.card.ring;
        assert_eq!(producer.slots(), producer.buffer().capacity());
        assert!(!playback.is_lost());
        drop(playback);

        let mut capture = Capture::open(Some("null")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let mut frame = [1; FRAME_SAMPLES];
        capture.read(&mut frame);
        assert!(!capture.pending.is_empty());
        assert_eq!(frame, [0; FRAME_SAMPLES]);
    }
}
