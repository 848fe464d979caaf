//! linekey against sipp on 127.0.0.1 in the mid-call flows (SCENARIOS S2/S3 hold, S6 blind
//! transfer, S7 BYE/Also, S8 INVITE with Replaces, S10 redirects): sipp checks the headers and
//! SDP linekey sends with `<ereg check_it>`, so a scenario fails when a feature breaks.
//! The scenarios are in tests/interop/*.xml.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const SIPP_TIMEOUT: Duration = Duration::from_secs(60);

/// A sipp run of `scenario` (one call) with `-key NAME VALUE` pairs, plus `extra` arguments.
fn spawn_sipp(scenario_file: &str, keys: &[(&str, &str)], extra: &[&str]) -> Sipp {
    let path = scenario(scenario_file);
    let mut args = vec!["-sf", path.as_str(), "-m", "1"];
    for (name, value) in keys {
        args.extend(["-key", name, value]);
    }
    args.extend(extra);
    Sipp::spawn(&args, SIPP_TIMEOUT)
}

/// Whether `v` is a line event for `line` in `state`.
fn is_line(v: &Value, line: u64, state: &str) -> bool {
    v["event"] == "line" && v["line"] == line && v["state"] == state
}

/// An agent holding its call to sipp in `style`: sipp checks the hold and the resume SDP.
fn hold_and_resume_against_sipp(style: &str, scenario_file: &str) {
    let sipp = spawn_sipp(scenario_file, &[], &[]);
    let alice = AgentConfig {
        extra: format!("hold_style = \"{style}\""),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hold", "line": 1}));
    alice.expect_line(1, "held", STEP);
    alice.send(json!({"cmd": "resume", "line": 1}));
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    sipp.wait().assert_success();
}

#[test]
fn hold_with_the_zero_address_and_resume() {
    hold_and_resume_against_sipp("zero-address", "uas_hold_zero.xml");
}

#[test]
fn hold_with_sendonly_and_resume() {
    hold_and_resume_against_sipp("sendonly", "uas_hold_sendonly.xml");
}

/// sipp holds an auto-answering agent and resumes: sipp checks the agent's answers (recvonly,
/// then sendrecv), the agent shows the remote hold.
fn held_by_sipp(scenario_file: &str) {
    let bob = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    }
    .start();
    let out = sipp_call(&bob, scenario_file, &[]);
    out.assert_success();
    bob.expect_line(1, "connected", STEP);
    bob.expect_line(1, "remote_held", STEP);
    bob.expect_line(1, "connected", STEP);
    bob.expect_idle(1, "remote_hangup");
}

#[test]
fn held_by_sipp_with_sendonly_answers_recvonly_and_shows_remote_hold() {
    held_by_sipp("uac_hold.xml");
}

#[test]
fn held_by_sipp_with_the_zero_address_answers_recvonly_and_shows_remote_hold() {
    held_by_sipp("uac_hold_zero.xml");
}

/// Runs a sipp UAC `scenario_file` against `agent` to completion (`-s` is the agent's user).
fn sipp_call(agent: &Agent, scenario_file: &str, keys: &[(&str, &str)]) -> SippOutput {
    let to = agent.sip.to_string();
    spawn_sipp(scenario_file, keys, &["-s", &agent.name, &to]).wait()
}

/// The `BY: ...` header a transfer target logged (see uas_target.xml).
fn logged_by(target: &SippOutput) -> String {
    target
        .log()
        .lines()
        .find_map(|l| l.split_once("BY: ").map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("the target logged no BY: line\n{}", target.report()))
}

#[test]
fn refer_from_sipp_is_followed_and_reported_in_notifies() {
    let target = spawn_sipp("uas_target.xml", &[], &[]);
    let bob = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    }
    .start();
    let target_uri = format!("sip:carol@{}", target.addr());
    let out = sipp_call(&bob, "uac_refer.xml", &[("target", &target_uri)]);
    out.assert_success();
    // bob called the target on line 2 while the transferor hung up line 1.
    let call = bob.seen_or_expect(|v| is_line(v, 2, "connected"), STEP);
    assert_eq!(call["peer"], target_uri.as_str(), "{call}");
    bob.seen_or_expect(|v| is_line(v, 1, "idle"), STEP);
    bob.send(json!({"cmd": "hangup", "line": 2}));
    bob.expect_idle(2, "local_hangup");
    let target = target.wait();
    target.assert_success();
    assert!(
        logged_by(&target).starts_with("Referred-By:"),
        "{}",
        target.report()
    );
}

#[test]
fn bye_also_from_sipp_is_followed_with_requested_by() {
    let target = spawn_sipp("uas_target.xml", &[], &[]);
    let bob = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    }
    .start();
    let target_uri = format!("sip:carol@{}", target.addr());
    let out = sipp_call(&bob, "uac_bye_also.xml", &[("target", &target_uri)]);
    out.assert_success();
    bob.seen_or_expect(|v| is_line(v, 1, "idle"), STEP);
    let call = bob.expect(
        |v| v["event"] == "line" && v["state"] == "connected" && v["peer"] == target_uri.as_str(),
        STEP,
    );
    let line = call["line"].as_u64().unwrap();
    bob.send(json!({"cmd": "hangup", "line": line}));
    bob.expect_idle(line, "local_hangup");
    let target = target.wait();
    target.assert_success();
    assert!(
        logged_by(&target).starts_with("Requested-By:"),
        "{}",
        target.report()
    );
}

#[test]
fn blind_transfer_of_sipp_sends_refer_and_reads_its_notifies() {
    let sipp = spawn_sipp("uas_refer.xml", &[], &[]);
    let alice = AgentConfig::new("alice").start();
    // carol only appears in the Refer-To: sipp checks it and reports a call to her.
    let carol = AgentConfig::new("carol");
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "transfer", "line": 1, "target": carol.uri()}));
    alice.expect_idle(1, "transferred");
    let done = format!("transfer to {}: 200 OK", carol.uri());
    alice.expect_what(
        &format!("status {done:?}"),
        |v| v["event"] == "status" && v["text"] == done.as_str(),
        STEP,
    );
    sipp.wait().assert_success();
}

#[test]
fn refer_refused_501_falls_back_to_bye_also() {
    // S7 with three parties: sipp, the transferee, knows no REFER; alice hangs up with Also and
    // sipp calls carol itself.
    let c = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    };
    let carol = c.start();
    let sipp = spawn_sipp("uas_refer_501.xml", &[], &[]);
    let alice = AgentConfig::new("alice").start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "transfer", "line": 1, "target": c.uri()}));
    alice.expect_idle(1, "transferred");
    let call = carol.expect_line(1, "connected", STEP);
    assert!(
        call["peer"].as_str().unwrap_or_default().contains("sipp"),
        "{call}"
    );
    carol.expect_idle(1, "remote_hangup");
    sipp.wait().assert_success();
}

/// Waits for the file a sipp scenario writes with `<exec>` and returns its trimmed text.
fn wait_for_file(path: &std::path::Path) -> String {
    let deadline = std::time::Instant::now() + STEP;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text.trim().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} was not written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn invite_with_replaces_takes_over_a_live_call_without_ringing() {
    let carol = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    }
    .start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("replaces");
    let file_text = file.to_string_lossy().into_owned();
    // The consultation call: sipp calls carol and writes down the dialog.
    let to = carol.sip.to_string();
    let consultation = spawn_sipp(
        "uac_replaced.xml",
        &[("replaces_file", &file_text)],
        &["-s", "carol", &to],
    );
    carol.expect_line(1, "connected", STEP);
    let replaces = wait_for_file(&file);

    // The transferee arrives with Replaces naming it; it waits a moment before its ACK, and
    // until the ACK the replaced call stays (seed B-8: the BYE follows the ACK).
    let answered = dir.path().join("answered");
    let answered_text = answered.to_string_lossy().into_owned();
    let transferee = spawn_sipp(
        "uac_replaces.xml",
        &[("replaces", &replaces), ("answered_file", &answered_text)],
        &["-s", "carol", &to],
    );
    wait_for_file(&answered);
    let before_ack = carol.drain(Duration::from_millis(150));
    assert!(
        !before_ack.iter().any(|v| v["event"] == "line"),
        "the replaced call ended before the ACK: {before_ack:?}"
    );
    carol.expect_idle(1, "replaced");
    transferee.wait().assert_success();
    let taken = carol.expect_line(1, "connected", STEP);
    assert_ne!(taken["peer"], Value::Null, "{taken}");
    carol.expect_idle(1, "remote_hangup");
    let history = carol.history();
    let replaced = history
        .iter()
        .position(|v| v["reason"] == "replaced")
        .unwrap();
    assert!(
        !history[replaced..].iter().any(|v| v["state"] == "incoming"),
        "the replacing call must not ring"
    );
    // The replaced party got carol's BYE.
    consultation.wait().assert_success();
}

#[test]
fn invite_with_replaces_for_no_dialog_gets_481() {
    let carol = AgentConfig::new("carol").start();
    sipp_call(&carol, "uac_replaces_unknown.xml", &[]).assert_success();
    assert!(
        carol
            .drain(Duration::from_millis(300))
            .iter()
            .all(|v| v["event"] != "line"),
        "a refused Replaces shows nothing on the lines"
    );
}

#[test]
fn agent_follows_a_302_from_sipp() {
    let c = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    };
    let carol = c.start();
    let sipp = spawn_sipp("uas_moved.xml", &[("target", &c.uri())], &[]);
    let alice = AgentConfig::new("alice").start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    let moved = alice.expect(
        |v| v["event"] == "line" && v["peer"] == c.uri().as_str(),
        STEP,
    );
    assert_eq!(moved["state"], "dialing", "{moved}");
    alice.expect_line(1, "connected", STEP);
    carol.expect_line(1, "connected", STEP);
    // sipp passes only if the 302 was ACKed.
    sipp.wait().assert_success();
}

#[test]
fn forward_always_answers_sipp_with_302() {
    let carol = AgentConfig::new("carol");
    let bob = AgentConfig {
        extra: format!("forward_always = \"{}\"", carol.uri()),
        ..AgentConfig::new("bob")
    }
    .start();
    sipp_call(&bob, "uac_forwarded.xml", &[]).assert_success();
}
