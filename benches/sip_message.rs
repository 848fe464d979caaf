//! Parsing and building the messages of every call: a typical INVITE with SDP and its 200 OK.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use linekey::core::sip::message::{Message, Response};

const INVITE: &[u8] = include_bytes!("../tests/fixtures/invite_with_sdp.sip");

fn invite() -> linekey::core::sip::message::Request {
    match Message::parse(INVITE) {
        Ok(Message::Request(r)) => r,
        other => panic!("fixture is not a request: {other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    c.bench_function("parse INVITE with SDP", |b| {
        b.iter(|| Message::parse(black_box(INVITE)).is_ok())
    });

    let req = invite();
    c.bench_function("build INVITE with SDP", |b| {
        b.iter(|| black_box(&req).to_bytes())
    });

    let ok = {
        let mut ok = Response::to(&req.headers, 200, None);
        ok.headers.set("To", "<sip:bob@127.0.0.1:5062>;tag=77aa");
        ok.headers.push("Contact", "<sip:bob@127.0.0.1:5062>");
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = req.body.clone();
        ok.to_bytes()
    };
    c.bench_function("parse 200 OK with SDP", |b| {
        b.iter(|| Message::parse(black_box(&ok)).is_ok())
    });
    c.bench_function("build 200 OK for an INVITE", |b| {
        b.iter(|| {
            let mut resp = Response::to(&black_box(&req).headers, 200, None);
            resp.headers.push("Contact", "<sip:bob@127.0.0.1:5062>");
            resp.to_bytes()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
