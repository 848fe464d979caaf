//! Two `linekey agent`s with virtual devices calling each other over 127.0.0.1: a tone played
//! into one arrives at the other's output (checked by a Goertzel analysis of the WAV), for each
//! codec; hold silences it and resume brings it back; digits cross as RFC 4733 events.

mod common;

use std::path::PathBuf;
use std::thread::sleep;
use std::time::Duration;

use common::audio::{self, Heard};
use common::*;
use serde_json::{json, Value};
use tempfile::TempDir;

/// The frequencies the two sides send: far from each other and from the ringback's 440+480 Hz
/// pair only for bob (alice hears ringback before the answer).
const ALICE_HZ: f64 = 440.0;
const BOB_HZ: f64 = 1000.0;

/// Two agents whose microphones are tones and whose speakers are WAV files.
struct Pair {
    alice: Agent,
    bob: Agent,
    bob_uri: String,
    alice_wav: PathBuf,
    bob_wav: PathBuf,
    _dir: TempDir,
}

fn pair(codec: &str) -> Pair {
    pair_via(codec, None)
}

/// A pair whose calls from alice go through `proxy`.
fn pair_via(codec: &str, proxy: Option<String>) -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let alice_wav = dir.path().join("alice.wav");
    let bob_wav = dir.path().join("bob.wav");
    let side = |user: &str, hz: f64, wav: &PathBuf| AgentConfig {
        input: format!("tone:{hz}"),
        output: format!("wav:{}", wav.display()),
        codecs: Some(vec![codec.to_owned()]),
        ..AgentConfig::new(user)
    };
    let bob = side("bob", BOB_HZ, &bob_wav);
    let bob_uri = bob.uri();
    Pair {
        alice: AgentConfig {
            proxy,
            ..side("alice", ALICE_HZ, &alice_wav)
        }
        .start(),
        bob: bob.start(),
        bob_uri,
        alice_wav,
        bob_wav,
        _dir: dir,
    }
}

impl Pair {
    fn connect(&self) {
        self.alice.dial(&self.bob_uri);
        self.bob.expect_line(1, "incoming", STEP);
        self.bob.send(json!({"cmd": "answer", "line": 1}));
        self.bob.expect_line(1, "connected", STEP);
        self.alice.expect_line(1, "connected", STEP);
    }

    /// Alice hangs up; returns each side's last media figures.
    fn hang_up(&self) -> (Value, Value) {
        self.alice.send(json!({"cmd": "hangup", "line": 1}));
        self.alice.expect_idle(1, "local_hangup");
        self.bob.expect_idle(1, "remote_hangup");
        (
            self.alice.final_media_stats(1),
            self.bob.final_media_stats(1),
        )
    }

    /// Stops both agents (which writes the WAV files) and returns what alice and bob heard.
    fn quit(mut self) -> (Vec<i16>, Vec<i16>) {
        assert!(self.alice.quit().success());
        assert!(self.bob.quit().success());
        (
            audio::read_wav(&self.alice_wav),
            audio::read_wav(&self.bob_wav),
        )
    }
}

/// Each side hears the other's tone, clearly and for nearly the whole call.
fn tone_crosses_both_ways(codec: &str) {
    let pair = pair(codec);
    pair.connect();
    sleep(Duration::from_secs(2));
    let stats = pair.hang_up();
    for s in [&stats.0, &stats.1] {
        assert_eq!(s["codec"], codec, "{s}");
        assert!(
            s["sent"].as_u64() >= Some(80),
            "about 50 packets a second: {s}"
        );
        assert!(s["received"].as_u64() >= Some(80), "{s}");
        assert_eq!(s["lost"], 0, "nothing is lost on loopback: {s}");
    }
    let (alice_pcm, bob_pcm) = pair.quit();
    let bob_heard = audio::runs(&bob_pcm, ALICE_HZ);
    let alice_heard = audio::runs(&alice_pcm, BOB_HZ);
    for (who, runs) in [("bob", &bob_heard), ("alice", &alice_heard)] {
        assert!(
            audio::total(runs, Heard::Tone) >= 17,
            "{who} hears the other's tone for most of the 2 s call ({codec}): {runs:?}"
        );
        assert!(
            audio::total(runs, Heard::Other) <= 4,
            "{who} hears nothing but the tone and silence ({codec}): {runs:?}"
        );
    }
}

#[test]
fn tone_crosses_both_ways_with_opus() {
    tone_crosses_both_ways("opus");
}

#[test]
fn tone_crosses_both_ways_with_pcmu() {
    tone_crosses_both_ways("PCMU");
}

#[test]
fn tone_crosses_both_ways_with_pcma() {
    tone_crosses_both_ways("PCMA");
}

/// Removes runs shorter than four windows and joins what is left. Those are the edges of a
/// change: when the far end stops sending, the decoder conceals the missing packets for up to
/// 150 ms, which straddles up to three windows.
fn settled(runs: &[(Heard, usize)]) -> Vec<(Heard, usize)> {
    let mut out: Vec<(Heard, usize)> = Vec::new();
    for &(heard, n) in runs.iter().filter(|(_, n)| *n >= 4) {
        match out.last_mut() {
            Some((last, m)) if *last == heard => *m += n,
            _ => out.push((heard, n)),
        }
    }
    out
}

#[test]
fn hold_silences_both_ways_and_resume_brings_the_tone_back() {
    let pair = pair("opus");
    pair.connect();
    sleep(Duration::from_millis(1500));
    pair.alice.send(json!({"cmd": "hold", "line": 1}));
    pair.alice.expect_line(1, "held", STEP);
    pair.bob.expect_line(1, "remote_held", STEP);
    sleep(Duration::from_millis(2000));
    pair.alice.send(json!({"cmd": "resume", "line": 1}));
    pair.alice.expect_line(1, "connected", STEP);
    pair.bob.expect_line(1, "connected", STEP);
    sleep(Duration::from_millis(1500));
    pair.hang_up();
    let (alice_pcm, bob_pcm) = pair.quit();

    for (who, pcm, hz) in [("bob", &bob_pcm, ALICE_HZ), ("alice", &alice_pcm, BOB_HZ)] {
        let runs = audio::runs(pcm, hz);
        let shape = settled(&runs);
        let core: Vec<Heard> = shape.iter().map(|(h, _)| *h).collect();
        let pattern = [Heard::Tone, Heard::Silence, Heard::Tone];
        let at = core
            .windows(3)
            .position(|w| w == pattern)
            .unwrap_or_else(|| panic!("{who}: tone, silence while held, tone again: {runs:?}"));
        let (tone1, hold, tone2) = (shape[at].1, shape[at + 1].1, shape[at + 2].1);
        assert!(tone1 >= 10 && tone2 >= 10, "{who}: {runs:?}");
        assert!(
            (15..=30).contains(&hold),
            "{who}: about 2 s of silence while held: {runs:?}"
        );
    }
}

#[test]
fn digits_cross_as_telephone_events() {
    let pair = pair("opus");
    pair.connect();
    pair.alice
        .send(json!({"cmd": "dtmf", "line": 1, "digits": "1590*#ABCD"}));
    let mut heard = String::new();
    while heard.len() < 10 {
        let event = pair.bob.expect_event("dtmf", STEP);
        assert_eq!(event["line"], 1, "{event}");
        heard += event["digit"].as_str().unwrap();
    }
    assert_eq!(heard, "1590*#ABCD");
    pair.alice
        .send(json!({"cmd": "dtmf", "line": 1, "digits": "12x"}));
    let error = pair.alice.expect_event("error", STEP);
    assert!(
        error["message"].as_str().unwrap().contains('x'),
        "names the bad digit: {error}"
    );
    pair.hang_up();
    pair.quit();
}

#[test]
fn tone_survives_loss_reordering_and_jitter() {
    let relay = relay::Relay::start(relay::Impairment {
        loss: 0.05,
        jitter_ms: (0, 60),
        duplicate: 0.01,
        seed: 7,
    });
    let pair = pair_via("opus", Some(relay.sip_addr()));
    pair.connect();
    sleep(Duration::from_secs(4));
    let (alice_stats, bob_stats) = pair.hang_up();
    assert!(relay.rtp_dropped() > 0, "the relay dropped packets");
    for (who, s) in [("alice", &alice_stats), ("bob", &bob_stats)] {
        let concealed = s["concealed"].as_f64().unwrap();
        assert!(s["lost"].as_u64() > Some(0), "{who} counts the loss: {s}");
        assert!(
            (0.01..0.25).contains(&concealed),
            "{who} conceals about the 5 % lost, plus a few late packets: {s}"
        );
        assert!(
            s["jitter_ms"].as_f64() > Some(5.0),
            "{who} measures the jitter: {s}"
        );
    }
    let (alice_pcm, bob_pcm) = pair.quit();
    for (who, pcm, hz) in [("bob", &bob_pcm, ALICE_HZ), ("alice", &alice_pcm, BOB_HZ)] {
        let runs = audio::runs(pcm, hz);
        let tone = audio::total(&runs, Heard::Tone);
        assert!(
            tone >= 30,
            "{who} hears the tone through most of the 4 s call despite the network: {runs:?}"
        );
    }
}

#[test]
fn ringback_plays_while_the_far_end_rings() {
    let pair = pair("PCMU");
    pair.alice.dial(&pair.bob_uri);
    pair.alice.expect_line(1, "ringing", STEP);
    sleep(Duration::from_millis(1500));
    pair.bob.send(json!({"cmd": "answer", "line": 1}));
    pair.alice.expect_line(1, "connected", STEP);
    sleep(Duration::from_millis(500));
    pair.hang_up();
    let (alice_pcm, _) = pair.quit();
    let ringback = audio::windows(&alice_pcm)
        .take(15)
        .filter(|w| audio::ringback_share(w) > 0.8)
        .count();
    assert!(
        ringback >= 12,
        "alice hears 440 + 480 Hz while bob rings: {ringback} of 15 windows"
    );
}
