//! Two or three `linekey agent`s calling each other directly over UDP on 127.0.0.1 (SCENARIOS S1,
//! S11/S14 busy, S12 cancel, reject, auto answer), driven through the JSON-lines contract.

mod common;

use common::*;
use serde_json::json;

/// Alice dials bob and bob answers; returns once both lines are connected.
fn connect(alice: &Agent, bob: &Agent, bob_uri: &str, bob_line: u64) {
    alice.dial(bob_uri);
    let dialing = alice.expect_line(1, "dialing", STEP);
    assert_eq!(dialing["peer"], bob_uri, "dialing event names the target");
    let incoming = bob.expect_line(bob_line, "incoming", STEP);
    let peer = incoming["peer"].as_str().unwrap_or_default();
    assert!(
        peer.contains("alice"),
        "incoming peer names the caller: {incoming}"
    );
    alice.expect_line(1, "ringing", STEP);
    bob.send(json!({"cmd": "answer", "line": bob_line}));
    bob.expect_line(bob_line, "connected", STEP);
    alice.expect_line(1, "connected", STEP);
}

#[test]
fn call_then_hang_up_from_each_side() {
    let (a, b) = (AgentConfig::new("alice"), AgentConfig::new("bob"));
    let mut alice = a.start();
    let mut bob = b.start();
    assert_eq!(bob.sip.port(), b.port, "ready reports the bound address");

    // First call: the caller hangs up.
    connect(&alice, &bob, &b.uri(), 1);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    bob.expect_idle(1, "remote_hangup");

    // Second call on the same lines: the callee hangs up.
    connect(&alice, &bob, &b.uri(), 1);
    bob.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "local_hangup");
    alice.expect_idle(1, "remote_hangup");

    assert!(alice.quit().success());
    assert!(bob.quit().success());
}

#[test]
fn busy_when_all_lines_are_in_use() {
    let (a, c) = (AgentConfig::new("alice"), AgentConfig::new("carol"));
    let b = AgentConfig {
        lines: 1,
        ..AgentConfig::new("bob")
    };
    let alice = a.start();
    let bob = b.start();
    let carol = c.start();

    // carol takes bob's only line.
    carol.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    carol.expect_line(1, "connected", STEP);

    // alice gets 486 Busy Here.
    alice.dial(&b.uri());
    alice.expect_idle(1, "busy");

    // bob's call with carol is untouched and still ends normally.
    carol.send(json!({"cmd": "hangup", "line": 1}));
    carol.expect_idle(1, "local_hangup");
    let idle = bob.expect_idle(1, "remote_hangup");
    let unexpected: Vec<_> = bob
        .history()
        .into_iter()
        .filter(|e| e["event"] == "line" && e["line"] != 1)
        .collect();
    assert!(
        unexpected.is_empty(),
        "bob has one line, yet: {unexpected:?} (then {idle})"
    );
}

#[test]
fn caller_cancels_while_ringing() {
    let (a, b) = (AgentConfig::new("alice"), AgentConfig::new("bob"));
    let alice = a.start();
    let bob = b.start();
    alice.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    alice.expect_line(1, "ringing", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    bob.expect_idle(1, "cancelled");

    // Both are usable again.
    connect(&alice, &bob, &b.uri(), 1);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    bob.expect_idle(1, "remote_hangup");
}

#[test]
fn callee_rejects() {
    let (a, b) = (AgentConfig::new("alice"), AgentConfig::new("bob"));
    let alice = a.start();
    let bob = b.start();
    alice.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    alice.expect_line(1, "ringing", STEP);
    bob.send(json!({"cmd": "reject", "line": 1}));
    bob.expect_line(1, "idle", STEP);
    // 603 Decline or 486 Busy Here, depending on how reject is answered.
    alice.expect_idle_one_of(1, &["declined", "busy"]);
}

#[test]
fn auto_answer() {
    let a = AgentConfig::new("alice");
    let b = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("bob")
    };
    let alice = a.start();
    let bob = b.start();
    alice.dial(&b.uri());
    bob.expect_line(1, "connected", STEP);
    alice.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "local_hangup");
    alice.expect_idle(1, "remote_hangup");
}

#[test]
fn quit_hangs_up_calls_first() {
    let (a, b) = (AgentConfig::new("alice"), AgentConfig::new("bob"));
    let mut alice = a.start();
    let bob = b.start();
    connect(&alice, &bob, &b.uri(), 1);
    let status = alice.quit();
    assert!(status.success(), "alice exits 0 after quit: {status}");
    bob.expect_idle(1, "remote_hangup");
}
