//! New settings and mute over the agent's contract, with real processes on 127.0.0.1: `reload`
//! re-reads the settings file (a broken file or dial plan keeps what is in use), `mute` silences
//! the microphone while packets keep flowing, and new audio devices take over a live call.

mod common;

use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use common::audio::{self, Heard};
use common::*;
use serde_json::json;

/// Rewrites an agent's settings file with `edit`.
fn edit_settings(agent: &Agent, edit: impl FnOnce(String) -> String) {
    let path = agent.dir().join("linekey.toml");
    let text = std::fs::read_to_string(&path).expect("read settings");
    std::fs::write(&path, edit(text)).expect("write settings");
}

#[test]
fn reload_switches_do_not_disturb_on_and_keeps_the_call() {
    let bob_config = AgentConfig::new("bob");
    let bob = bob_config.start();
    let alice = AgentConfig::new("alice").start();
    let carol = AgentConfig::new("carol").start();
    alice.dial(&bob_config.uri());
    bob.expect_line(1, "incoming", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    alice.expect_line(1, "connected", STEP);

    let moved = free_udp_port();
    edit_settings(&bob, |text| {
        text.replace("[calls]\n", "[calls]\ndo_not_disturb = true\n")
            .replace(
                &format!("127.0.0.1:{}", bob_config.port),
                &format!("127.0.0.1:{moved}"),
            )
    });
    bob.send(json!({"cmd": "reload"}));
    let status = bob.expect_event("status", STEP);
    bob.expect_event("configured", STEP);
    assert!(
        status["text"].as_str().unwrap().contains("Restart"),
        "{status}"
    );
    // Still reachable where it was, and refusing: Do Not Disturb.
    carol.dial(&bob_config.uri());
    carol.expect_idle(1, "busy");
    assert!(!udp_port_bound(moved), "the SIP socket must not move");

    // The call in progress was untouched.
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    bob.expect_idle(1, "remote_hangup");
}

#[test]
fn reload_of_a_broken_file_keeps_the_settings_in_use() {
    let bob_config = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    };
    let mut bob = bob_config.start();
    let alice = AgentConfig::new("alice").start();
    edit_settings(&bob, |text| {
        text.replace("[calls]\n", "[calls]\ndo_not_disturb = \"yes\"\n")
    });
    bob.send(json!({"cmd": "reload"}));
    let error = bob.expect_event("error", STEP);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("linekey.toml") && message.contains("calls.do_not_disturb"),
        "{message}"
    );
    // Auto answer is still on, Do Not Disturb still off.
    alice.dial(&bob_config.uri());
    alice.expect_line(1, "connected", STEP);
    assert!(bob.alive());
    assert!(bob.quit().success());
}

#[test]
fn configure_with_unusable_settings_is_refused_and_the_phone_goes_on() {
    let bob_config = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    };
    let mut bob = bob_config.start();
    bob.send(json!({"cmd": "configure", "config": {
        "account": {"user": "bob", "domain": "127.0.0.1"},
        "calls": {"lines": 0, "do_not_disturb": true}
    }}));
    let error = bob.expect_event("error", STEP);
    assert!(
        error["message"].as_str().unwrap().contains("calls.lines"),
        "{error}"
    );
    bob.send(json!({"cmd": "configure", "config": {"calls": {"lines": "many"}}}));
    bob.expect_event("error", STEP);
    let alice = AgentConfig::new("alice").start();
    alice.dial(&bob_config.uri());
    alice.expect_line(1, "connected", STEP);
    assert!(bob.quit().success());
}

fn write_plan(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("dialplan.xml");
    std::fs::write(&path, text).expect("write dial plan");
    path
}

#[test]
fn reload_with_a_broken_dial_plan_keeps_the_last_good_plan() {
    let bob_config = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    };
    let _bob = bob_config.start();
    // Dial strings go to user@domain, and the domain is bob's address.
    let alice_config = AgentConfig {
        domain: format!("127.0.0.1:{}", bob_config.port),
        extra: "[dialplan]\nfile = \"dialplan.xml\"\n".into(),
        ..AgentConfig::new("alice")
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(
        dir.path(),
        r#"<DIALTEMPLATE><TEMPLATE MATCH="*" Timeout="0"/></DIALTEMPLATE>"#,
    );
    let alice = Agent::start_with_args(
        "alice",
        &alice_config.to_toml(),
        &["--set", &format!("dialplan.file={}", plan.display())],
    );

    write_plan(
        dir.path(),
        "<DIALTEMPLATE>\n  <TEMPLATE Timeout=\"0\"/>\n</DIALTEMPLATE>\n",
    );
    alice.send(json!({"cmd": "reload"}));
    let error = alice.expect_event("error", STEP);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("dialplan.xml: line 2") && message.contains("previous dial plan"),
        "{message}"
    );
    alice.dial("bob");
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");

    // A good plan that does not take "bob" replaces it.
    write_plan(
        dir.path(),
        r#"<DIALTEMPLATE><TEMPLATE MATCH="1..." Timeout="0"/></DIALTEMPLATE>"#,
    );
    alice.send(json!({"cmd": "reload"}));
    alice.expect_event("configured", STEP);
    alice.dial("bob");
    let error = alice.expect_event("error", STEP);
    assert!(
        error["message"].as_str().unwrap().contains("no dial plan"),
        "{error}"
    );
}

const ALICE_HZ: f64 = 440.0;
const NEW_HZ: f64 = 1000.0;

/// Alice (a tone) calls bob (who records); returns them and bob's recording.
fn tone_call(dir: &Path) -> (Agent, Agent, PathBuf) {
    let bob_wav = dir.join("bob.wav");
    let bob_config = AgentConfig {
        output: format!("wav:{}", bob_wav.display()),
        auto_answer: true,
        ..AgentConfig::new("bob")
    };
    let bob = bob_config.start();
    let alice = AgentConfig {
        input: format!("tone:{ALICE_HZ}"),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&bob_config.uri());
    alice.expect_line(1, "connected", STEP);
    (alice, bob, bob_wav)
}

/// Runs of at least four windows, joined: the edges of a change straddle a few windows.
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
fn mute_sends_silence_and_unmute_brings_the_tone_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, mut bob, bob_wav) = tone_call(dir.path());
    sleep(Duration::from_millis(1500));
    alice.send(json!({"cmd": "mute", "muted": true}));
    assert_eq!(alice.expect_event("mute", STEP)["muted"], true);
    sleep(Duration::from_millis(2000));
    alice.send(json!({"cmd": "mute", "muted": false}));
    assert_eq!(alice.expect_event("mute", STEP)["muted"], false);
    sleep(Duration::from_millis(1500));
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    let heard = bob.final_media_stats(1);
    // About 5 s at 50 packets a second: muted, alice kept sending.
    assert!(heard["received"].as_u64() >= Some(225), "{heard}");
    assert!(alice.quit().success() && bob.quit().success());

    let runs = audio::runs(&audio::read_wav(&bob_wav), ALICE_HZ);
    let shape: Vec<Heard> = settled(&runs).iter().map(|(h, _)| *h).collect();
    assert!(
        shape
            .windows(3)
            .any(|w| w == [Heard::Tone, Heard::Silence, Heard::Tone]),
        "tone, silence while muted, tone again: {runs:?}"
    );
}

#[test]
fn a_new_input_device_takes_over_the_live_call() {
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, mut bob, bob_wav) = tone_call(dir.path());
    sleep(Duration::from_millis(1500));
    edit_settings(&alice, |text| {
        text.replace(&format!("tone:{ALICE_HZ}"), &format!("tone:{NEW_HZ}"))
    });
    alice.send(json!({"cmd": "reload"}));
    alice.expect_event("configured", STEP);
    sleep(Duration::from_millis(1500));
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    assert!(alice.quit().success() && bob.quit().success());

    let pcm = audio::read_wav(&bob_wav);
    let old = settled(&audio::runs(&pcm, ALICE_HZ));
    let new = settled(&audio::runs(&pcm, NEW_HZ));
    assert!(
        old.iter().any(|&(h, n)| h == Heard::Tone && n >= 10),
        "the first tone: {old:?}"
    );
    assert!(
        new.iter().any(|&(h, n)| h == Heard::Tone && n >= 10),
        "the new device's tone in the same call: {new:?}"
    );
}

#[test]
fn a_new_output_device_takes_over_and_the_old_recording_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, mut bob, first_wav) = tone_call(dir.path());
    sleep(Duration::from_millis(1500));
    let second_wav = dir.path().join("bob-2.wav");
    edit_settings(&bob, |text| {
        text.replace(
            &first_wav.display().to_string(),
            &second_wav.display().to_string(),
        )
    });
    bob.send(json!({"cmd": "reload"}));
    bob.expect_event("configured", STEP);
    sleep(Duration::from_millis(1500));
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    assert!(alice.quit().success() && bob.quit().success());

    // The first file was written out when the device changed; the call went on in the second.
    for wav in [&first_wav, &second_wav] {
        let runs = settled(&audio::runs(&audio::read_wav(wav), ALICE_HZ));
        assert!(
            runs.iter().any(|&(h, n)| h == Heard::Tone && n >= 10),
            "{}: {runs:?}",
            wav.display()
        );
    }
}
