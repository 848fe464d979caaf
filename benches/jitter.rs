//! The jitter buffer's cost per packet: a minute of 20 ms Opus packets pushed as they arrive and
//! pulled by a 20 ms media clock, on a clean network and under 60 ms of jitter with loss and
//! reordering.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use linekey::media::jitter::{JitterBuffer, Playout};

const PACKETS: usize = 3000;
const PAYLOAD: Bytes = Bytes::from_static(&[0x55; 80]);

/// One packet on the wire: sequence number, timestamp and arrival time after the start.
struct Packet {
    seq: u16,
    ts: u32,
    arrival: Duration,
}

/// A minute of packets, in arrival order: through a clean network when `jitter_ms` is zero,
/// else with that much uniform jitter, 5 % loss and 5 % reordering.
fn schedule(jitter_ms: f64) -> Vec<Packet> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut packets: Vec<Packet> = (0..PACKETS)
        .filter_map(|k| {
            let mut delay = 5.0 + rng.random::<f64>() * jitter_ms;
            if jitter_ms > 0.0 {
                if rng.random::<f64>() < 0.05 {
                    return None;
                }
                if rng.random::<f64>() < 0.05 {
                    // Overtaken by the next packet.
                    delay += 20.0;
                }
            }
            Some(Packet {
                seq: k as u16,
                ts: 960 * k as u32,
                arrival: Duration::from_secs_f64((20.0 * k as f64 + 3.0 + delay) / 1000.0),
            })
        })
        .collect();
    packets.sort_by_key(|p| p.arrival);
    packets
}

/// Feeds the schedule through a fresh buffer, pulling one 20 ms frame per tick.
fn play(packets: &[Packet], start: Instant) -> u64 {
    let mut jb = JitterBuffer::new(48_000);
    let mut next = 0;
    let mut decoded = 0u64;
    for tick in 1..=PACKETS as u32 + 10 {
        let now = Duration::from_millis(20) * tick;
        while let Some(p) = packets.get(next).filter(|p| p.arrival <= now) {
            jb.push(p.seq, p.ts, 1, PAYLOAD, start + p.arrival);
            next += 1;
        }
        if let Playout::Packet { samples, .. } = jb.pop(start + now) {
            decoded += u64::from(samples);
        }
    }
    decoded
}

fn bench(c: &mut Criterion) {
    let start = Instant::now();
    let mut group = c.benchmark_group("jitter buffer");
    for (name, jitter_ms) in [("clean network", 0.0), ("60 ms jitter, 5 % loss", 60.0)] {
        let packets = schedule(jitter_ms);
        group.throughput(Throughput::Elements(packets.len() as u64));
        group.bench_function(format!("push+pop per packet, {name}"), |b| {
            b.iter(|| play(black_box(&packets), start))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
