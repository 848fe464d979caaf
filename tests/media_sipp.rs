//! linekey's media against sipp: RFC 4733 digits from sipp's own captures are reported, what
//! linekey sends to sipp's RTP echo comes back and is played, early media from a 183 is played
//! instead of ringback, and audio devices that do not exist are reported, not fatal.

mod common;

use std::time::Duration;

use common::audio::{self, Heard};
use common::*;
use serde_json::json;

const SIPP_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
fn digits_played_by_sipp_are_reported() {
    let bob = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    }
    .start();
    let out = sipp(
        &[
            "-sf",
            &scenario("uac_dtmf.xml"),
            "-s",
            "bob",
            "-m",
            "1",
            &bob.sip.to_string(),
        ],
        SIPP_TIMEOUT,
    );
    out.assert_success();
    bob.expect_idle(1, "remote_hangup");
    let digits: String = bob
        .history()
        .iter()
        .filter(|e| e["event"] == "dtmf")
        .inspect(|e| assert_eq!(e["line"], 1, "{e}"))
        .map(|e| e["digit"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(digits, "15#", "each captured digit once, in order");
}

#[test]
fn audio_sent_to_sipp_echo_comes_back() {
    let sipp = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1", "-rtp_echo"],
        SIPP_TIMEOUT,
    );
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("alice.wav");
    let mut alice = AgentConfig {
        input: "tone:440".into(),
        output: format!("wav:{}", wav.display()),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "connected", STEP);
    std::thread::sleep(Duration::from_secs(2));
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    let stats = alice.final_media_stats(1);
    assert_eq!(stats["codec"], "PCMU", "{stats}");
    assert!(stats["sent"].as_u64() > Some(50), "{stats}");
    assert!(stats["received"].as_u64() > Some(50), "{stats}");
    sipp.wait().assert_success();
    assert!(alice.quit().success());

    let runs = audio::runs(&audio::read_wav(&wav), 440.0);
    assert!(
        audio::total(&runs, Heard::Tone) >= 15,
        "the echoed tone plays for most of the call: {runs:?}"
    );
}

#[test]
fn early_media_plays_instead_of_ringback() {
    let sipp = Sipp::spawn(
        &["-sf", &scenario("uas_early_media.xml"), "-m", "1"],
        SIPP_TIMEOUT,
    );
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("alice.wav");
    let mut alice = AgentConfig {
        output: format!("wav:{}", wav.display()),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "ringing", STEP);
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    sipp.wait().assert_success();
    assert!(alice.quit().success());

    // The 2.5 s before the answer: sipp's recorded speech, and never our ringback.
    let pcm = audio::read_wav(&wav);
    let before_answer: Vec<&[i16]> = audio::windows(&pcm).take(24).collect();
    let spoken = before_answer
        .iter()
        .filter(|w| audio::classify(w, 440.0) != Heard::Silence)
        .count();
    assert!(
        spoken >= 12,
        "the far end's early media is heard: {spoken} windows of 24"
    );
    for (i, window) in before_answer.iter().enumerate() {
        let share = audio::ringback_share(window);
        assert!(share < 0.5, "window {i} sounds like ringback ({share:.2})");
    }
}

#[test]
fn missing_audio_devices_are_reported_and_calls_go_on() {
    let sipp = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        SIPP_TIMEOUT,
    );
    let alice = AgentConfig {
        input: "Imaginary Microphone".into(),
        output: "Imaginary Speaker".into(),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "connected", STEP);
    for device in ["Imaginary Microphone", "Imaginary Speaker"] {
        alice.seen_or_expect(
            |e| e["event"] == "status" && e["text"].as_str().is_some_and(|t| t.contains(device)),
            STEP,
        );
    }
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    sipp.wait().assert_success();
}
