//! linekey against sipp on 127.0.0.1: as caller (answered, busy, 407 digest challenge) and as
//! callee. The scenarios are in tests/interop/*.xml.

mod common;

use std::time::Duration;

use common::*;
use linekey::core::sip::auth::Authorization;
use serde_json::json;

const SIPP_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
fn agent_calls_sipp_which_answers() {
    let sipp = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        SIPP_TIMEOUT,
    );
    let alice = AgentConfig::new("alice").start();
    let target = format!("sip:sipp@{}", sipp.addr());
    alice.dial(&target);
    alice.expect_line(1, "dialing", STEP);
    alice.expect_line(1, "ringing", STEP);
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    sipp.wait().assert_success();
}

#[test]
fn agent_calls_sipp_which_is_busy() {
    let sipp = Sipp::spawn(&["-sf", &scenario("uas_busy.xml"), "-m", "1"], SIPP_TIMEOUT);
    let alice = AgentConfig::new("alice").start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_idle(1, "busy");
    // sipp passes only if the 486 was ACKed.
    sipp.wait().assert_success();
}

#[test]
fn agent_follows_a_300_from_sipp_by_q_past_a_busy_choice() {
    let bob = AgentConfig {
        extra: "do_not_disturb = true".into(),
        ..AgentConfig::new("bob")
    };
    let carol = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    };
    let sipp = Sipp::spawn(
        &[
            "-sf",
            &scenario("uas_redirect.xml"),
            "-m",
            "1",
            "-key",
            "first",
            &bob.uri(),
            "-key",
            "second",
            &carol.uri(),
        ],
        SIPP_TIMEOUT,
    );
    let (_bob, carol_agent) = (bob.start(), carol.start());
    let alice = AgentConfig::new("alice").start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect(
        |v| v["event"] == "line" && v["peer"] == bob.uri().as_str(),
        STEP,
    );
    alice.expect(
        |v| v["event"] == "line" && v["peer"] == carol.uri().as_str(),
        STEP,
    );
    alice.expect_line(1, "connected", STEP);
    carol_agent.expect_line(1, "connected", STEP);
    // sipp passes only if the 300 was ACKed.
    sipp.wait().assert_success();
}

#[test]
fn agent_answers_a_407_challenge_with_a_valid_digest() {
    let nonce = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let sipp = Sipp::spawn(
        &[
            "-sf",
            &scenario("uas_auth.xml"),
            "-m",
            "1",
            "-key",
            "realm",
            "127.0.0.1",
            "-key",
            "nonce",
            &nonce,
        ],
        SIPP_TIMEOUT,
    );
    let alice = AgentConfig {
        password: Some("secret".into()),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&format!("sip:sipp@{}", sipp.addr()));
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    let out = sipp.wait();
    out.assert_success();

    let log = out.log();
    let value = log
        .lines()
        .find_map(|l| l.split_once("PROXY-AUTHORIZATION:").map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("no Proxy-Authorization logged\n{}", out.report()));
    let auth = Authorization::parse(value)
        .unwrap_or_else(|e| panic!("unparsable Proxy-Authorization {value:?}: {e}"));
    assert_eq!(auth.username, "alice", "{value}");
    assert_eq!(auth.realm, "127.0.0.1", "{value}");
    assert_eq!(auth.nonce, nonce, "{value}");
    assert_eq!(auth.qop.as_deref(), Some("auth"), "{value}");
    assert!(
        auth.verify("secret", "INVITE"),
        "digest does not verify with password \"secret\": {value}"
    );
    assert!(!auth.verify("wrong", "INVITE"));
}

#[test]
fn sipp_calls_agent_which_answers_automatically() {
    let bob = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    }
    .start();
    let out = sipp(
        &[
            "-sf",
            &scenario("uac_call.xml"),
            "-s",
            "bob",
            "-m",
            "1",
            &bob.sip.to_string(),
        ],
        SIPP_TIMEOUT,
    );
    out.assert_success();
    bob.expect_line(1, "connected", STEP);
    bob.expect_idle(1, "remote_hangup");
}
