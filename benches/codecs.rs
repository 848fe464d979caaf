//! Cost of one 20 ms frame through each codec, and through the G.711 resampler alone.
//!
//! The input is speech-like rather than silence or a pure tone, which codecs handle with
//! shortcuts: a few harmonics with a syllable-rate envelope plus noise. One second of it is
//! cycled through, so the encoders see changing audio.

use criterion::{criterion_group, criterion_main, Criterion};
use std::f64::consts::TAU;
use std::hint::black_box;

use linekey::core::sdp::Codec;
use linekey::media::codec::resample::{Downsampler, Upsampler, NARROW_FRAME};
use linekey::media::codec::{Decoder, Encoder};
use linekey::media::{Frame, FRAME_SAMPLES};

const FRAMES: usize = 50;

fn speech_like() -> Vec<Frame> {
    let mut seed = 1u32;
    let samples: Vec<i16> = (0..FRAMES * FRAME_SAMPLES)
        .map(|n| {
            let t = n as f64 / 48_000.0;
            let voiced: f64 = [(150.0, 1.0), (450.0, 0.6), (1_200.0, 0.3), (2_500.0, 0.1)]
                .iter()
                .map(|(f, a)| a * (TAU * f * t).sin())
                .sum();
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from(seed >> 16) / 65_536.0 - 0.5;
            let envelope = 0.3 + 0.7 * (TAU * 3.0 * t).sin().abs();
            (envelope * (7_000.0 * voiced + 2_000.0 * noise)) as i16
        })
        .collect();
    samples
        .chunks_exact(FRAME_SAMPLES)
        .map(|frame| frame.try_into().unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let frames = speech_like();
    for codec in [Codec::Opus, Codec::Pcmu, Codec::Pcma] {
        let mut encoder = Encoder::new(codec).unwrap();
        let mut payload = Vec::new();
        let mut i = 0;
        c.bench_function(&format!("{} encode 20 ms", codec.name()), |b| {
            b.iter(|| {
                i = (i + 1) % FRAMES;
                encoder.encode(black_box(&frames[i]), &mut payload).unwrap();
            })
        });

        let packets: Vec<Vec<u8>> = frames
            .iter()
            .map(|frame| {
                let mut packet = Vec::new();
                encoder.encode(frame, &mut packet).unwrap();
                packet
            })
            .collect();
        let mut decoder = Decoder::new(codec).unwrap();
        let mut pcm = Vec::with_capacity(FRAME_SAMPLES);
        c.bench_function(&format!("{} decode 20 ms", codec.name()), |b| {
            b.iter(|| {
                i = (i + 1) % FRAMES;
                pcm.clear();
                decoder.decode(black_box(&packets[i]), &mut pcm).unwrap();
            })
        });
    }

    let mut down = Downsampler::new();
    let mut narrow = [0i16; NARROW_FRAME];
    let mut i = 0;
    c.bench_function("resample 48 -> 8 kHz 20 ms", |b| {
        b.iter(|| {
            i = (i + 1) % FRAMES;
            down.process(black_box(&frames[i]), &mut narrow);
        })
    });
    let mut up = Upsampler::new();
    let mut wide = Vec::with_capacity(FRAME_SAMPLES);
    c.bench_function("resample 8 -> 48 kHz 20 ms", |b| {
        b.iter(|| {
            wide.clear();
            up.process(black_box(&narrow), &mut wide);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
