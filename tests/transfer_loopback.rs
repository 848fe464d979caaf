//! Transfers between three `linekey agent`s over 127.0.0.1 (SCENARIOS S6, S8): bob transfers
//! alice to carol, blind and after a consultation call, and alice ends up talking to carol.

mod common;

use common::*;
use serde_json::json;

/// `caller` dials `callee`, who answers; both lines given are connected afterwards.
fn connect(caller: &Agent, caller_line: u64, callee: &Agent, callee_uri: &str, callee_line: u64) {
    caller.dial(callee_uri);
    callee.expect_line(callee_line, "incoming", STEP);
    callee.send(json!({"cmd": "answer", "line": callee_line}));
    callee.expect_line(callee_line, "connected", STEP);
    caller.expect_line(caller_line, "connected", STEP);
}

fn three() -> (Agent, Agent, Agent, AgentConfig, AgentConfig) {
    let (a, b, c) = (
        AgentConfig::new("alice"),
        AgentConfig::new("bob"),
        AgentConfig::new("carol"),
    );
    let (alice, bob, carol) = (a.start(), b.start(), c.start());
    (alice, bob, carol, b, c)
}

#[test]
fn blind_transfer_connects_the_transferee_to_the_target() {
    let (alice, bob, carol, b, c) = three();
    connect(&alice, 1, &bob, &b.uri(), 1);

    bob.send(json!({"cmd": "transfer", "line": 1, "target": c.uri()}));
    bob.expect_idle(1, "transferred");
    // alice follows the REFER on a new line; carol's phone rings as for any call.
    let incoming = carol.expect_line(1, "incoming", STEP);
    assert!(
        incoming["peer"]
            .as_str()
            .unwrap_or_default()
            .contains("alice"),
        "{incoming}"
    );
    carol.send(json!({"cmd": "answer", "line": 1}));
    carol.expect_line(1, "connected", STEP);
    let transferred = alice.expect_what(
        "a connected line to carol",
        |e| {
            e["event"] == "line"
                && e["state"] == "connected"
                && e["peer"].as_str().is_some_and(|p| p.contains("carol"))
        },
        STEP,
    );
    // bob hangs up on alice once the REFER is accepted, before or after carol answers.
    let ended = alice.seen_or_expect(
        |e| e["event"] == "line" && e["line"] == 1 && e["state"] == "idle",
        STEP,
    );
    assert_eq!(ended["reason"], "remote_hangup", "{ended}");

    let line = transferred["line"].as_u64().unwrap();
    alice.send(json!({"cmd": "hangup", "line": line}));
    alice.expect_idle(line, "local_hangup");
    carol.expect_idle(1, "remote_hangup");
}

#[test]
fn attended_transfer_replaces_the_consultation_call() {
    let (alice, bob, carol, b, c) = three();
    connect(&alice, 1, &bob, &b.uri(), 1);
    // bob holds alice and consults carol on his second line.
    bob.send(json!({"cmd": "hold", "line": 1}));
    bob.expect_line(1, "held", STEP);
    alice.expect_line(1, "remote_held", STEP);
    connect(&bob, 2, &carol, &c.uri(), 1);

    bob.send(json!({"cmd": "transfer", "line": 1, "to_line": 2}));
    // bob keeps both calls until alice's NOTIFY reports the outcome (seed B-8 steps 24–26).
    bob.expect_what(
        "the NOTIFY with the outcome",
        |e| {
            e["event"] == "status"
                && e["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("transfer to ") && t.ends_with(": 200 OK"))
        },
        STEP,
    );
    bob.expect_idle(1, "transferred");
    let consultation = bob.seen_or_expect(
        |e| e["event"] == "line" && e["line"] == 2 && e["state"] == "idle",
        STEP,
    );
    assert_eq!(consultation["reason"], "transferred", "{consultation}");
    // carol takes alice's INVITE with Replaces on the same line, without ringing.
    carol.expect_idle(1, "replaced");
    let joined = carol.expect_line(1, "connected", STEP);
    assert!(
        joined["peer"]
            .as_str()
            .unwrap_or_default()
            .contains("alice"),
        "{joined}"
    );
    assert!(
        !carol
            .history()
            .iter()
            .any(|e| e["state"] == "incoming" && e["line"] != 1),
        "no second ringing line at the target"
    );
    let alice_line = alice.expect_what(
        "a connected line to carol",
        |e| {
            e["event"] == "line"
                && e["state"] == "connected"
                && e["peer"].as_str().is_some_and(|p| p.contains("carol"))
        },
        STEP,
    )["line"]
        .as_u64()
        .unwrap();
    carol.send(json!({"cmd": "hangup", "line": 1}));
    carol.expect_idle(1, "local_hangup");
    alice.expect_idle(alice_line, "remote_hangup");
}
