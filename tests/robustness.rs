//! A running agent fed ~5000 hostile datagrams: random bytes and mutated copies of valid
//! requests. It must stay up, answer only with well-formed SIP, answer a malformed request whose
//! Via/From/To/Call-ID/CSeq survived with 400, and afterwards still answer OPTIONS and calls.
//!
//! Mutations never touch the Via line's host, so a response can only go back to 127.0.0.1.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::*;
use linekey::core::sip::message::{Message, Method};
use serde_json::json;

const DATAGRAMS: usize = 5000;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn invite(agent: SocketAddr, me: SocketAddr, id: &str) -> String {
    let body = "v=0\r\no=fuzz 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    format!(
        "INVITE sip:alice@{agent} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {me};branch=z9hG4bK-{id};rport\r\n\
         Max-Forwards: 70\r\n\
         From: \"Fuzz\" <sip:fuzz@127.0.0.1>;tag=f-{id}\r\n\
         To: <sip:alice@{agent}>\r\n\
         Call-ID: {id}\r\n\
         CSeq: 1 INVITE\r\n\
         Contact: <sip:fuzz@{me}>\r\n\
         Content-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn options(agent: SocketAddr, me: SocketAddr, id: &str) -> String {
    format!(
        "OPTIONS sip:alice@{agent} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {me};branch=z9hG4bK-{id};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:fuzz@127.0.0.1>;tag=f-{id}\r\n\
         To: <sip:alice@{agent}>\r\n\
         Call-ID: {id}\r\n\
         CSeq: 7 OPTIONS\r\n\
         Accept: application/sdp\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

/// Byte range of the Via line (kept intact by byte-level mutations).
fn via_range(msg: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(msg);
    let start = text.find("\r\nVia:").map(|i| i + 2).unwrap_or(0);
    let end = text[start..]
        .find("\r\n")
        .map(|i| start + i)
        .unwrap_or(start);
    (start, end)
}

fn lines(msg: &str) -> (Vec<String>, String) {
    let (head, body) = msg.split_once("\r\n\r\n").unwrap_or((msg, ""));
    (
        head.split("\r\n").map(str::to_owned).collect(),
        body.to_owned(),
    )
}

fn join(lines: &[String], body: &str) -> Vec<u8> {
    format!("{}\r\n\r\n{body}", lines.join("\r\n")).into_bytes()
}

fn mutate(rng: &mut Rng, base: &str) -> Vec<u8> {
    let bytes = base.as_bytes();
    let (via_start, via_end) = via_range(bytes);
    let (mut hdrs, body) = lines(base);
    // Header lines other than the start line and Via.
    let pick = |rng: &mut Rng, hdrs: &[String]| loop {
        let i = 1 + rng.below(hdrs.len() - 1);
        if !hdrs[i].starts_with("Via:") {
            return i;
        }
    };
    match rng.below(12) {
        // random bytes
        0 => {
            let n = rng.below(1500);
            rng.bytes(n)
        }
        // flip bytes outside the Via line
        1 => {
            let mut m = bytes.to_vec();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(m.len());
                if !(via_start..via_end).contains(&i) {
                    m[i] ^= 1 << rng.below(8);
                }
            }
            m
        }
        // cut anywhere
        2 => bytes[..rng.below(bytes.len())].to_vec(),
        // duplicate header lines
        3 => {
            for _ in 0..1 + rng.below(5) {
                let i = pick(rng, &hdrs);
                let copy = hdrs[i].clone();
                hdrs.insert(i, copy);
            }
            join(&hdrs, &body)
        }
        // absurd Content-Length
        4 => {
            let v = [
                "99999999999999999999999",
                "4294967296",
                "-1",
                "abc",
                "",
                "1e3",
                "65536",
                "5000",
            ][rng.below(8)];
            for h in hdrs.iter_mut() {
                if h.starts_with("Content-Length:") {
                    *h = format!("Content-Length: {v}");
                }
            }
            join(&hdrs, &body)
        }
        // binary in a header value
        5 => {
            let i = pick(rng, &hdrs);
            let junk: String = rng.bytes(20).iter().map(|&b| char::from(b)).collect();
            hdrs[i].push_str(&junk);
            let mut m = join(&hdrs, &body);
            let n = m.len();
            m[n / 2] = 0;
            m
        }
        // a missing header (Via included)
        6 => {
            let i = 1 + rng.below(hdrs.len() - 1);
            hdrs.remove(i);
            join(&hdrs, &body)
        }
        // a 60 KB header value
        7 => {
            let i = pick(rng, &hdrs);
            let big = "x".repeat(60_000);
            hdrs[i].push_str(&big);
            join(&hdrs, &body)
        }
        // many headers
        8 => {
            for k in 0..300 + rng.below(500) {
                hdrs.insert(2, format!("X-Fuzz-{k}: {k}"));
            }
            join(&hdrs, &body)
        }
        // mangled start line
        9 => {
            hdrs[0] = [
                "INVITE  SIP/2.0",
                "INVITE sip:alice@127.0.0.1 SIP/3.0",
                "IN\0VITE sip:alice@127.0.0.1 SIP/2.0",
                "FOO sip:alice@127.0.0.1 SIP/2.0",
                "INVITE sip: SIP/2.0",
                "INVITE <sip:alice@127.0.0.1> SIP/2.0",
                "SIP/2.0 200",
                "SIP/2.0 99999 Huge",
            ][rng.below(8)]
            .to_owned();
            join(&hdrs, &body)
        }
        // bare LF line ends, folded headers
        10 => {
            let i = pick(rng, &hdrs);
            hdrs[i] = hdrs[i].replacen(": ", ":\r\n  ", 1);
            join(&hdrs, &body)
                .into_iter()
                .filter(|&b| b != b'\r' || rng.below(2) == 0)
                .collect()
        }
        // garbage body
        _ => {
            let n = rng.below(3000);
            let junk = rng.bytes(n);
            let mut m = Vec::new();
            for h in &hdrs {
                if h.starts_with("Content-Length:") {
                    m.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
                } else {
                    m.extend_from_slice(h.as_bytes());
                    m.extend_from_slice(b"\r\n");
                }
            }
            m.extend_from_slice(b"\r\n");
            m.extend_from_slice(&junk);
            m
        }
    }
}

/// Whether linekey's own parser says this is a request that deserves a 400: not parseable, but
/// with Via, From, To, Call-ID and CSeq readable, and not an ACK (never answered).
fn deserves_400(d: &[u8]) -> Option<String> {
    match Message::parse(d) {
        Err(Ok(m)) => {
            let h = &m.headers;
            let ok = h.via().is_ok()
                && h.from().is_ok()
                && h.to().is_ok()
                && h.call_id().is_ok()
                && h.cseq().is_ok()
                && m.method != Method::Ack;
            ok.then(|| h.call_id().unwrap().to_owned())
        }
        _ => None,
    }
}

type Collected = Arc<Mutex<Vec<Vec<u8>>>>;

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// Collects everything the agent sends to `sock` while running.
fn collector(raw: &RawSip) -> (Collected, Arc<AtomicBool>) {
    let sock = raw.sock.try_clone().unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (g, s) = (got.clone(), stop.clone());
    thread::spawn(move || {
        let mut buf = vec![0u8; 70_000];
        while !s.load(Ordering::Relaxed) {
            if let Ok((n, _)) = sock.recv_from(&mut buf) {
                g.lock().unwrap().push(buf[..n].to_vec());
            }
        }
    });
    (got, stop)
}

/// Rejects every ringing line and waits until all lines the agent reported are idle again.
fn settle(agent: &Agent) {
    let mut state: BTreeMap<u64, String> = BTreeMap::new();
    let note = |state: &mut BTreeMap<u64, String>, e: &serde_json::Value| {
        if e["event"] == "line" {
            if let (Some(l), Some(s)) = (e["line"].as_u64(), e["state"].as_str()) {
                state.insert(l, s.to_owned());
            }
        }
    };
    for e in agent
        .history()
        .iter()
        .chain(agent.drain(Duration::from_secs(2)).iter())
    {
        note(&mut state, e);
    }
    for (line, s) in &state {
        if s != "idle" {
            let cmd = if s == "incoming" { "reject" } else { "hangup" };
            agent.send(json!({"cmd": cmd, "line": line}));
        }
    }
    while state.values().any(|s| s != "idle") {
        let e = agent.expect_what(
            &format!("all lines idle (now {state:?})"),
            |e| e["event"] == "line",
            STEP,
        );
        note(&mut state, &e);
    }
}

#[test]
fn survives_hostile_datagrams() {
    let cfg = AgentConfig::new("alice");
    let mut alice = cfg.start();
    let target = alice.sip;
    let raw = RawSip::new();
    let me = raw.addr;
    let (got, stop) = collector(&raw);

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sent = Vec::with_capacity(DATAGRAMS);
    for i in 0..DATAGRAMS {
        let id = format!("fuzz-{i}");
        let base = if i % 2 == 0 {
            invite(target, me, &id)
        } else {
            options(target, me, &id)
        };
        let d = mutate(&mut rng, &base);
        raw.send(target, &d);
        // Pace a little so the agent's socket buffer is not simply overrun.
        if d.len() > 10_000 || i % 25 == 0 {
            thread::sleep(Duration::from_millis(2));
        }
        sent.push(d);
    }
    thread::sleep(Duration::from_secs(3));
    assert!(alice.alive(), "agent died under hostile datagrams");

    // The flood socket keeps receiving retransmitted final responses to the INVITEs (nobody
    // ACKs them) for half a minute, enough to fill its buffer: check from a fresh socket.
    let flood = raw;
    let raw = RawSip::new();
    let me = raw.addr;

    // Still answering right after the flood.
    raw.send(target, options(target, me, "after-flood").as_bytes());
    raw.recv_until(STEP, |r| call_id_of(r).as_deref() == Some("after-flood"))
        .unwrap_or_else(|| alice.fail("no answer to OPTIONS right after the flood"));

    // Mutated requests whose key headers survived get 400, checked one by one: each is sent
    // again with new identifiers and the new socket in its Via.
    let mut checked = 0;
    for d in &sent {
        if checked == 25 {
            break;
        }
        let d = replace_bytes(
            d,
            flood.addr.to_string().as_bytes(),
            me.to_string().as_bytes(),
        );
        let d = replace_bytes(&d, b"fuzz-", b"redo-");
        let Some(call_id) = deserves_400(&d) else {
            continue;
        };
        raw.send(target, &d);
        let reply = raw
            .recv_until(STEP, |r| call_id_of(r).as_deref() == Some(&call_id))
            .unwrap_or_else(|| {
                alice.fail(&format!(
                    "no response to a malformed request with intact headers:\n{}",
                    String::from_utf8_lossy(&d)
                ))
            });
        assert_eq!(
            status_of(&reply),
            Some(400),
            "malformed request:\n{}\nanswered:\n{}",
            String::from_utf8_lossy(&d),
            String::from_utf8_lossy(&reply)
        );
        checked += 1;
    }
    assert!(
        checked > 0,
        "no mutated request deserved a 400: the mutator is too weak"
    );

    // Crafted ones: bad Content-Length must be answered 400.
    for (n, cl) in ["5000", "abc", "99999999999999999999"].iter().enumerate() {
        let id = format!("crafted-cl-{n}");
        let msg = invite(target, me, &id);
        let msg = msg.replace(
            &format!(
                "Content-Length: {}",
                msg.split("\r\n\r\n").nth(1).unwrap().len()
            ),
            &format!("Content-Length: {cl}"),
        );
        assert!(msg.contains(&format!("Content-Length: {cl}\r\n")));
        raw.send(target, msg.as_bytes());
        let reply = raw
            .recv_until(STEP, |r| call_id_of(r).as_deref() == Some(&id))
            .unwrap_or_else(|| {
                alice.fail(&format!("no response to INVITE with Content-Length: {cl}"))
            });
        assert_eq!(
            status_of(&reply),
            Some(400),
            "INVITE with Content-Length: {cl} answered:\n{}",
            String::from_utf8_lossy(&reply)
        );
    }

    // Still healthy: OPTIONS is answered 200 ...
    settle(&alice);
    raw.send(target, options(target, me, "after-fuzz").as_bytes());
    let reply = raw
        .recv_until(STEP, |r| call_id_of(r).as_deref() == Some("after-fuzz"))
        .unwrap_or_else(|| alice.fail("no answer to OPTIONS after the fuzzing"));
    assert_eq!(
        status_of(&reply),
        Some(200),
        "{}",
        String::from_utf8_lossy(&reply)
    );

    // Whatever came back to the flood socket must be well-formed SIP responses.
    stop.store(true, Ordering::Relaxed);
    thread::sleep(Duration::from_millis(300));
    let responses = got.lock().unwrap().clone();
    for r in &responses {
        match Message::parse(r) {
            Ok(Message::Response(_)) => {}
            Ok(Message::Request(q)) => panic!(
                "agent sent a request to the fuzzer: {}",
                String::from_utf8_lossy(&q.to_bytes())
            ),
            Err(e) => panic!(
                "agent sent a malformed message ({e:?}):\n{}",
                String::from_utf8_lossy(r)
            ),
        }
    }
    eprintln!("{DATAGRAMS} datagrams sent, {} responses", responses.len());
    assert!(
        !responses.is_empty(),
        "the agent answered none of the surviving requests"
    );
    drop(flood);

    // ... and a real call works.
    let bob = AgentConfig::new("bob").start();
    bob.dial(&cfg.uri());
    let incoming = alice.expect_what(
        "an incoming call from bob",
        |e| {
            e["event"] == "line"
                && e["state"] == "incoming"
                && e["peer"].as_str().unwrap_or_default().contains("bob")
        },
        STEP,
    );
    let line = incoming["line"].as_u64().unwrap();
    alice.send(json!({"cmd": "answer", "line": line}));
    alice.expect_line(line, "connected", STEP);
    bob.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "local_hangup");
    alice.expect_idle(line, "remote_hangup");
    assert!(alice.alive(), "agent died");
    assert!(alice.quit().success());
}
