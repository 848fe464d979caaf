//! The whole media path of one side of a call, per 20 ms frame: encode the microphone's frame,
//! packetise it, and on the far side parse, jitter-buffer, decode and play it. A call costs this
//! once per direction, so `time / 20 ms` is the share of one core a call's media takes per side.
//! Also the mix of two frames (two calls heard at once, or a call and a tone), and a local
//! conference's frame: the speaker hears both legs, each leg gets the microphone and the other.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

use linekey::core::sdp::{Codec, Direction, Negotiated};
use linekey::media::mixer::Mix;
use linekey::media::session::Session;
use linekey::media::{Frame, FRAME_SAMPLES, SAMPLE_RATE};

/// Speech-like input: two tones and a little noise, so codecs do real work.
fn voice() -> Frame {
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut noise = 12345u32;
    for (i, sample) in frame.iter_mut().enumerate() {
        let t = i as f64 / f64::from(SAMPLE_RATE);
        noise = noise.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let hiss = f64::from((noise >> 16) as u16 as i16) / 40.0;
        let tone = 6000.0 * (2.0 * std::f64::consts::PI * 220.0 * t).sin()
            + 3000.0 * (2.0 * std::f64::consts::PI * 1_330.0 * t).sin();
        *sample = (tone + hiss) as i16;
    }
    frame
}

fn stream(codec: Codec) -> Negotiated {
    Negotiated {
        codec,
        payload_type: codec.payload_type(),
        local_payload_type: codec.payload_type(),
        telephone_event: None,
        remote_addr: SocketAddr::from(([127, 0, 0, 1], 40_000)),
        direction: Direction::SendRecv,
        ptime: 20,
    }
}

fn one_side_of_a_call(c: &mut Criterion) {
    let input = voice();
    for codec in [Codec::Opus, Codec::Pcmu, Codec::Pcma] {
        let mut near = Session::new(1, stream(codec), "near@bench".into()).unwrap();
        let mut far = Session::new(1, stream(codec), "far@bench".into()).unwrap();
        let mut packet = Vec::with_capacity(1500);
        let mut played = [0i16; FRAME_SAMPLES];
        let mut now = Instant::now();
        c.bench_function(&format!("media path, one side, {}", codec.name()), |b| {
            b.iter(|| {
                near.send_tick(black_box(&input), &mut |p| {
                    packet.clear();
                    packet.extend_from_slice(p);
                });
                far.on_rtp(&packet, now);
                far.receive_tick(now, &mut played);
                now += Duration::from_millis(20);
                black_box(&played);
            })
        });
    }
}

fn three_way_mix(c: &mut Criterion) {
    let (a, b) = (voice(), voice());
    let mut mix = Mix::default();
    let mut out = [0i16; FRAME_SAMPLES];
    c.bench_function("mix two frames", |bench| {
        bench.iter(|| {
            mix.clear();
            mix.add(black_box(&a));
            mix.add(black_box(&b));
            mix.render(&mut out);
            black_box(&out);
        })
    });
}

/// One conference frame: the two legs mixed for the speaker, and the mix-minus each leg is sent.
fn conference_mix_minus(c: &mut Criterion) {
    let microphone = voice();
    let legs = [voice(), voice()];
    let mut mix = Mix::default();
    let mut speaker = [0i16; FRAME_SAMPLES];
    let mut sent = [[0i16; FRAME_SAMPLES]; 2];
    c.bench_function(
        "conference frame, speaker and two mix-minus legs",
        |bench| {
            bench.iter(|| {
                mix.clear();
                for leg in &legs {
                    mix.add(black_box(leg));
                }
                mix.render(&mut speaker);
                for (own, out) in sent.iter_mut().enumerate() {
                    mix.mix_minus(black_box(&microphone), black_box(&legs), own, out);
                }
                black_box((&speaker, &sent));
            })
        },
    );
}

criterion_group!(
    benches,
    one_side_of_a_call,
    three_way_mix,
    conference_mix_minus
);
criterion_main!(benches);
