//! Several lines and local forwarding with real `linekey agent`s over UDP on 127.0.0.1
//! (SCENARIOS S4 hold with consultation, S5 call waiting, S10 forwarding), driven through the
//! JSON-lines contract.

mod common;

use common::*;
use serde_json::{json, Value};

/// Whether `v` is a line event for `line` in `state`.
fn is_line(v: &Value, line: u64, state: &str) -> bool {
    v["event"] == "line" && v["line"] == line && v["state"] == state
}

/// Three phones, alice and bob in a call bob answered, and the addresses to dial.
struct Three {
    alice: Agent,
    bob: Agent,
    carol: Agent,
    bob_uri: String,
    carol_uri: String,
}

fn alice_talking_to_bob() -> Three {
    let (a, b, c) = (
        AgentConfig::new("alice"),
        AgentConfig::new("bob"),
        AgentConfig::new("carol"),
    );
    let three = Three {
        alice: a.start(),
        bob: b.start(),
        carol: c.start(),
        bob_uri: b.uri(),
        carol_uri: c.uri(),
    };
    let Three { alice, bob, .. } = &three;
    alice.dial(&three.bob_uri);
    bob.expect_line(1, "incoming", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    alice.expect_line(1, "connected", STEP);
    three
}

#[test]
fn call_waiting_holds_the_first_call_and_reminds_of_it() {
    let Three {
        alice,
        bob,
        carol,
        bob_uri,
        ..
    } = alice_talking_to_bob();

    // carol's call waits on bob's second line; answering it holds alice first.
    carol.dial(&bob_uri);
    bob.expect_line(2, "incoming", STEP);
    carol.expect_line(1, "ringing", STEP);
    bob.send(json!({"cmd": "answer", "line": 2}));
    bob.seen_or_expect(|v| is_line(v, 1, "held"), STEP);
    bob.seen_or_expect(|v| is_line(v, 2, "connected"), STEP);
    alice.expect_line(1, "remote_held", STEP);
    carol.expect_line(1, "connected", STEP);

    // carol hangs up: bob is told alice is still on hold, and takes her back.
    carol.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(2, "remote_hangup");
    let status = bob.expect_event("status", STEP);
    assert_eq!(status["text"], "Line 1 is still on hold: resume it to talk");
    bob.send(json!({"cmd": "resume", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    alice.expect_line(1, "connected", STEP);

    alice.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "remote_hangup");
}

#[test]
fn forward_always_sends_the_caller_on() {
    let a = AgentConfig::new("alice");
    let c = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    };
    let b = AgentConfig {
        extra: format!("forward_always = \"{}\"", c.uri()),
        ..AgentConfig::new("bob")
    };
    let alice = a.start();
    let bob = b.start();
    let carol = c.start();

    alice.dial(&b.uri());
    let moved = alice.expect(
        |v| v["event"] == "line" && v["line"] == 1 && v["peer"] == c.uri().as_str(),
        STEP,
    );
    assert_eq!(moved["state"], "dialing");
    alice.expect_line(1, "connected", STEP);
    carol.expect_line(1, "connected", STEP);
    let status = bob.expect_event("status", STEP);
    assert_eq!(
        status["text"],
        format!("Call from sip:alice@127.0.0.1 forwarded to {}", c.uri())
    );
    assert!(
        bob.history().iter().all(|v| v["event"] != "line"),
        "bob's lines never showed the call"
    );
}

#[test]
fn forward_no_answer_after_ringing() {
    let a = AgentConfig::new("alice");
    let c = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    };
    let b = AgentConfig {
        extra: format!(
            "forward_no_answer = \"{}\"\nforward_no_answer_s = 1",
            c.uri()
        ),
        ..AgentConfig::new("bob")
    };
    let alice = a.start();
    let bob = b.start();
    let carol = c.start();

    alice.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    bob.expect_idle(1, "forwarded");
    alice.expect_line(1, "connected", STEP);
    carol.expect_line(1, "connected", STEP);
}

#[test]
fn hold_with_consultation_then_back_to_the_first_call() {
    // S4: alice talks to bob, dials carol (which holds bob), hangs up carol, resumes bob.
    let Three {
        alice,
        bob,
        carol,
        carol_uri,
        ..
    } = alice_talking_to_bob();

    // Dialing while bob talks puts him on hold before carol's phone rings.
    alice.dial(&carol_uri);
    alice.expect_line(1, "held", STEP);
    bob.expect_line(1, "remote_held", STEP);
    carol.expect_line(1, "incoming", STEP);
    carol.send(json!({"cmd": "answer", "line": 1}));
    carol.expect_line(1, "connected", STEP);
    let consulting = alice.expect_line(2, "connected", STEP);
    assert_eq!(consulting["peer"], carol_uri.as_str(), "{consulting}");

    alice.send(json!({"cmd": "hangup", "line": 2}));
    alice.expect_idle(2, "local_hangup");
    carol.expect_idle(1, "remote_hangup");
    let status = alice.expect_event("status", STEP);
    assert_eq!(status["text"], "Line 1 is still on hold: resume it to talk");

    alice.send(json!({"cmd": "resume", "line": 1}));
    alice.expect_line(1, "connected", STEP);
    bob.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "remote_hangup");
}
