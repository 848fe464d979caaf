//! The whole media path of one side of a call, per 20 ms frame: encode the microphone's frame,
//! packetise it, and on the far side parse, jitter-buffer, decode and play it. A call costs this
//! once per direction, so `time / 20 ms` is the share of one core a call's media takes per side.
//! Also the mix of two frames (two calls heard at once, or a call and a tone), and a local
//! conference's frame: the speaker hears both legs, each leg gets the microphone and the other.
//! The whole host of a 3-way conference per frame (both legs received, decoded, mixed for the
//! speaker and mix-minus, encoded and packetised) is what one core spends on its media: `time /
//! 20 ms` is its share.

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

/// Speech-like audio that changes from frame to frame (a gliding pitch with harmonics, a
/// syllable envelope, noise), so encoders do not see one frame repeated. `pitch` sets the voice.
fn talker(pitch: f64, frames: usize) -> Vec<Frame> {
    let tau = std::f64::consts::TAU;
    let mut noise = 1u32;
    let mut phase = 0.0f64;
    let samples: Vec<i16> = (0..frames * FRAME_SAMPLES)
        .map(|n| {
            let t = n as f64 / f64::from(SAMPLE_RATE);
            phase += tau * pitch * (1.0 + 0.2 * (tau * 0.7 * t).sin()) / f64::from(SAMPLE_RATE);
            let voiced: f64 = [(1.0, 1.0), (3.0, 0.6), (8.0, 0.3), (17.0, 0.1)]
                .iter()
                .map(|(h, a)| a * (phase * h).sin())
                .sum();
            noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let hiss = f64::from(noise >> 16) / 65_536.0 - 0.5;
            let envelope = 0.3 + 0.7 * (tau * 3.0 * t).sin().abs();
            (envelope * (6_000.0 * voiced + 1_500.0 * hiss)) as i16
        })
        .collect();
    samples
        .chunks_exact(FRAME_SAMPLES)
        .map(|frame| frame.try_into().unwrap())
        .collect()
}

/// The host of a 3-way conference: its two legs, and what it mixes.
struct Host {
    legs: [Session; 2],
    heard: [Frame; 2],
    sent: [Frame; 2],
    speaker: Frame,
    mix: Mix,
}

impl Host {
    /// One frame: each leg's packet is taken in, jitter-buffered and decoded; the speaker gets
    /// both legs; each leg is sent the microphone and the other leg, in its own codec. Not
    /// inlined, so that an instruction count can be taken of it alone
    /// (`valgrind --tool=callgrind --toggle-collect='*Host*frame*'`).
    #[inline(never)]
    fn frame(&mut self, packets: &[Vec<u8>; 2], microphone: &Frame, now: Instant) {
        self.mix.clear();
        for ((session, packet), heard) in self.legs.iter_mut().zip(packets).zip(&mut self.heard) {
            session.on_rtp(packet, now);
            session.receive_tick(now, heard);
            self.mix.add(heard);
        }
        self.mix.render(&mut self.speaker);
        for (own, out) in self.sent.iter_mut().enumerate() {
            self.mix.mix_minus(microphone, &self.heard, own, out);
        }
        for (session, out) in self.legs.iter_mut().zip(&self.sent) {
            session.send_tick(out, &mut |p| {
                black_box(p);
            });
        }
        black_box(&self.speaker);
    }
}

/// The host of a 3-way conference, one frame, with an Opus leg and a leg in Opus or PCMU. The
/// far ends' encoding is done outside the timed part.
fn conference_host(c: &mut Criterion) {
    const FRAMES: usize = 50;
    let microphone = talker(120.0, FRAMES);
    let far_voices = [talker(210.0, FRAMES), talker(95.0, FRAMES)];
    for codecs in [[Codec::Opus, Codec::Opus], [Codec::Opus, Codec::Pcmu]] {
        let open = |codec, cname: &str| Session::new(1, stream(codec), cname.into()).unwrap();
        let mut host = Host {
            legs: codecs.map(|codec| open(codec, "host@bench")),
            heard: [[0; FRAME_SAMPLES]; 2],
            sent: [[0; FRAME_SAMPLES]; 2],
            speaker: [0; FRAME_SAMPLES],
            mix: Mix::default(),
        };
        let mut far = codecs.map(|codec| open(codec, "far@bench"));
        let mut packets = [Vec::with_capacity(1500), Vec::with_capacity(1500)];
        let mut now = Instant::now();
        let mut frame = 0;
        let name = format!(
            "conference frame, host of an {} and a {} leg",
            codecs[0].name(),
            codecs[1].name()
        );
        c.bench_function(&name, |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    frame = (frame + 1) % FRAMES;
                    for ((far, packet), voice) in far.iter_mut().zip(&mut packets).zip(&far_voices)
                    {
                        far.send_tick(&voice[frame], &mut |p| {
                            packet.clear();
                            packet.extend_from_slice(p);
                        });
                    }
                    let start = Instant::now();
                    host.frame(&packets, &microphone[frame], now);
                    spent += start.elapsed();
                    now += Duration::from_millis(20);
                }
                spent
            })
        });
    }
}

criterion_group!(
    benches,
    one_side_of_a_call,
    three_way_mix,
    conference_mix_minus,
    conference_host
);
criterion_main!(benches);
