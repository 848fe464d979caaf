//! `calls.refer_consent` between three `linekey agent`s over 127.0.0.1: bob transfers alice to
//! carol, and alice is asked first. Yes connects her to carol; no tells bob the transfer was
//! declined and carol never rings.

mod common;

use common::*;
use serde_json::json;

/// alice (who asks before transfers) talks to bob; bob transfers her to carol (auto answer).
fn transfer_asked() -> (Agent, Agent, Agent) {
    let b = AgentConfig::new("bob");
    let c = AgentConfig {
        auto_answer: true,
        ..AgentConfig::new("carol")
    };
    let alice = Agent::start_with_args(
        "alice",
        &AgentConfig::new("alice").to_toml(),
        &["--set", "calls.refer_consent=true"],
    );
    let (bob, carol) = (b.start(), c.start());
    alice.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    alice.expect_line(1, "connected", STEP);

    bob.send(json!({"cmd": "transfer", "line": 1, "target": c.uri()}));
    let asked = alice.expect_event("transfer_request", STEP);
    assert_eq!(asked["line"], 1, "{asked}");
    assert_eq!(asked["target"], c.uri(), "{asked}");
    assert!(
        asked["referred_by"]
            .as_str()
            .is_some_and(|b| b.contains("bob")),
        "{asked}"
    );
    (alice, bob, carol)
}

#[test]
fn accepted_transfer_connects_to_the_target() {
    let (alice, _bob, carol) = transfer_asked();
    alice.send(json!({"cmd": "accept_transfer", "line": 1}));
    let ended = alice.expect_event("transfer_request_ended", STEP);
    assert_eq!(ended["reason"], "accepted", "{ended}");
    carol.expect_line(1, "connected", STEP);
    alice.expect_what(
        "a connected line to carol",
        |e| {
            e["event"] == "line"
                && e["state"] == "connected"
                && e["peer"].as_str().is_some_and(|p| p.contains("carol"))
        },
        STEP,
    );
}

#[test]
fn declined_transfer_is_reported_to_the_transferor() {
    let (mut alice, bob, mut carol) = transfer_asked();
    alice.send(json!({"cmd": "decline_transfer", "line": 1}));
    let ended = alice.expect_event("transfer_request_ended", STEP);
    assert_eq!(ended["reason"], "declined", "{ended}");
    let error = bob.expect_what(
        "the transfer declined",
        |e| {
            e["event"] == "error"
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("603 Declined"))
        },
        STEP,
    );
    assert!(
        error["message"].as_str().unwrap().contains("carol"),
        "{error}"
    );
    alice.send(json!({"cmd": "accept_transfer", "line": 1}));
    alice.expect_what(
        "an error: nothing left to accept",
        |e| e["event"] == "error" && e["message"] == "no transfer request on line 1",
        STEP,
    );
    assert!(alice.quit().success());
    assert!(carol.quit().success());
    assert!(
        carol.history().iter().all(|e| e["event"] != "line"),
        "carol never rang: {:?}",
        carol.history()
    );
}
