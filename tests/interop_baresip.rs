//! linekey against baresip, a real UA, on 127.0.0.1 (SCENARIOS S2/S3 hold, S6 blind transfer):
//! each side holds and resumes the other, and each side transfers the other to a third party.
//! baresip is driven over its ctrl_tcp socket (tests/common/peers.rs). It holds with
//! `a=sendonly`, so linekey holds it the same way here (baresip ignores a `c=0.0.0.0` offer).

mod common;

use common::peers::Baresip;
use common::*;
use serde_json::{json, Value};

/// Whether `v` is a line event for `line` in `state`.
fn is_line(v: &Value, line: u64, state: &str) -> bool {
    v["event"] == "line" && v["line"] == line && v["state"] == state
}

/// An auto-answering agent that holds in the RFC 3264 way.
fn agent(user: &str) -> AgentConfig {
    AgentConfig {
        auto_answer: true,
        extra: "hold_style = \"sendonly\"".into(),
        ..AgentConfig::new(user)
    }
}

#[test]
fn baresip_holds_and_resumes_linekey() {
    let b = agent("bob");
    let bob = b.start();
    let alice = Baresip::start("alice");
    alice.command("dial", &b.uri());
    alice.expect_event("CALL_ESTABLISHED", &b.uri());
    bob.expect_line(1, "connected", STEP);

    alice.command("hold", "");
    bob.expect_line(1, "remote_held", STEP);
    alice.command("resume", "");
    bob.expect_line(1, "connected", STEP);

    alice.command("hangup", "");
    bob.expect_idle(1, "remote_hangup");
}

#[test]
fn linekey_holds_and_resumes_baresip() {
    let b = agent("bob");
    let bob = b.start();
    let alice = Baresip::start("alice");
    bob.dial(&alice.uri());
    bob.expect_line(1, "connected", STEP);
    alice.expect_event("CALL_ESTABLISHED", &b.user);

    // baresip takes each re-INVITE as a new offer and answers it.
    bob.send(json!({"cmd": "hold", "line": 1}));
    alice.expect_event("CALL_REMOTE_SDP", &b.user);
    bob.expect_line(1, "held", STEP);
    bob.send(json!({"cmd": "resume", "line": 1}));
    alice.expect_event("CALL_REMOTE_SDP", &b.user);
    bob.expect_line(1, "connected", STEP);

    bob.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "local_hangup");
    alice.expect_event("CALL_CLOSED", &b.user);
}

#[test]
fn baresip_transfers_linekey_to_a_third_party() {
    let (b, c) = (agent("bob"), agent("carol"));
    let (bob, carol) = (b.start(), c.start());
    let alice = Baresip::start("alice");
    alice.command("dial", &b.uri());
    alice.expect_event("CALL_ESTABLISHED", &b.uri());
    bob.expect_line(1, "connected", STEP);

    // bob takes the REFER, calls carol on his second line, and baresip hangs up on him.
    alice.command("transfer", &c.uri());
    let call = bob.expect(|v| is_line(v, 2, "connected"), STEP);
    assert_eq!(call["peer"], c.uri().as_str(), "{call}");
    bob.seen_or_expect(|v| is_line(v, 1, "idle"), STEP);
    alice.expect_event("CALL_CLOSED", &b.uri());
    let incoming = carol.expect_line(1, "connected", STEP);
    assert!(
        incoming["peer"]
            .as_str()
            .unwrap_or_default()
            .contains("bob"),
        "{incoming}"
    );

    carol.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(2, "remote_hangup");
}

#[test]
fn linekey_transfers_baresip_to_a_third_party() {
    let (b, c) = (agent("bob"), agent("carol"));
    let (bob, carol) = (b.start(), c.start());
    let alice = Baresip::start("alice");
    bob.dial(&alice.uri());
    bob.expect_line(1, "connected", STEP);
    alice.expect_event("CALL_ESTABLISHED", &b.user);

    bob.send(json!({"cmd": "transfer", "line": 1, "target": c.uri()}));
    // baresip accepts the REFER (202) and calls carol; bob hangs up at once.
    let refer = alice.expect_event("TRANSFER", &b.user);
    assert!(
        refer["param"]
            .as_str()
            .unwrap_or_default()
            .contains(&c.uri()),
        "{refer}"
    );
    bob.expect_idle(1, "transferred");
    alice.expect_event("CALL_ESTABLISHED", &c.uri());
    let call = carol.expect_line(1, "connected", STEP);
    assert!(
        call["peer"].as_str().unwrap_or_default().contains("alice"),
        "{call}"
    );
    // baresip's NOTIFYs are answered. bob hangs up on the 202, as the seed's blind transferor
    // does (B-6 step 11); baresip then sends its last NOTIFY as "500 Connection reset by peer"
    // instead of carol's 200, so bob's report is not checked here.

    carol.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_event("CALL_CLOSED", &c.uri());
}
