//! linekey against linphone (linphone-daemon) on 127.0.0.1 in attended transfers (SCENARIOS S8),
//! both ways: linphone transfers a linekey call to another linekey agent, whose call is replaced
//! by an INVITE with `Replaces`; and linekey transfers linphone, which sends that INVITE.
//!
//! linphone must see nothing but loopback (tests/common/peers.rs): each test runs itself again
//! inside `unshare -n` unless it is already in such a namespace, as under `make test`.

mod common;

use std::sync::Mutex;

use common::peers::{in_private_network, Linphone};
use common::*;
use serde_json::{json, Value};

/// One test at a time: the transfer target needs the well-known port (see below).
static SERIAL: Mutex<()> = Mutex::new(());

/// Whether `v` is a line event for `line` in `state`.
fn is_line(v: &Value, line: u64, state: &str) -> bool {
    v["event"] == "line" && v["line"] == line && v["state"] == state
}

/// An auto-answering agent.
fn agent(user: &str) -> AgentConfig {
    AgentConfig {
        auto_answer: true,
        ..AgentConfig::new(user)
    }
}

#[test]
fn linphone_transfers_linekey_with_replaces() {
    if !in_private_network("linphone_transfers_linekey_with_replaces") {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // linphone writes the callee's URI without its port in the To header, and builds the
    // Refer-To from it: the target must be at the default port 5060 to be reachable.
    let (b, c) = (
        agent("bob"),
        AgentConfig {
            port: 5060,
            ..agent("carol")
        },
    );
    let (bob, carol) = (b.start(), c.start());
    let dave = Linphone::start("dave", false);

    // dave talks to bob, holds him, consults carol, and transfers bob to carol.
    let to_bob = dave.call(&b.uri());
    dave.expect_state(to_bob, "LinphoneCallStreamsRunning");
    bob.expect_line(1, "connected", STEP);
    dave.command(&format!("call-pause {to_bob}"));
    bob.expect_line(1, "remote_held", STEP);
    let to_carol = dave.call(&c.uri());
    dave.expect_state(to_carol, "LinphoneCallStreamsRunning");
    carol.expect_line(1, "connected", STEP);
    dave.command(&format!("call-transfer {to_bob} {to_carol}"));

    // bob follows the REFER with an INVITE carrying Replaces; carol takes it on the same line.
    let call = bob.expect(|v| is_line(v, 2, "connected"), STEP);
    assert!(
        call["peer"].as_str().unwrap_or_default().contains("carol"),
        "{call}"
    );
    carol.expect_idle(1, "replaced");
    let joined = carol.expect_line(1, "connected", STEP);
    assert!(
        joined["peer"].as_str().unwrap_or_default().contains("bob"),
        "{joined}"
    );
    bob.expect_idle(1, "remote_hangup");

    bob.send(json!({"cmd": "hangup", "line": 2}));
    carol.expect_idle(1, "remote_hangup");
}

#[test]
fn linekey_transfers_linphone_with_replaces() {
    if !in_private_network("linekey_transfers_linphone_with_replaces") {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // linphone shows a hold only for a=sendonly (a c=0.0.0.0 offer is just an update to it).
    let b = AgentConfig {
        extra: "hold_style = \"sendonly\"".into(),
        ..AgentConfig::new("bob")
    };
    let c = agent("carol");
    let (bob, carol) = (b.start(), c.start());
    let dave = Linphone::start("dave", true);

    // bob talks to dave, holds him, consults carol on line 2, and transfers dave to carol.
    bob.dial(&dave.uri());
    bob.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hold", "line": 1}));
    bob.expect_line(1, "held", STEP);
    dave.expect_event("LinphoneCallPausedByRemote");
    bob.dial(&c.uri());
    bob.expect_line(2, "connected", STEP);
    carol.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "transfer", "line": 1, "to_line": 2}));

    // dave accepts the REFER and calls carol with Replaces; carol's line is taken over. bob
    // keeps dave's call until dave's NOTIFY reports the outcome (seed B-8 steps 24–26).
    dave.expect_event("LinphoneCallRefered");
    bob.expect_what(
        "dave's NOTIFY with the outcome",
        |v| {
            v["event"] == "status"
                && v["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("transfer to ") && t.contains(": 200 "))
        },
        STEP,
    );
    bob.expect_idle(1, "transferred");
    let consultation = bob.seen_or_expect(|v| is_line(v, 2, "idle"), STEP);
    assert_eq!(consultation["reason"], "transferred", "{consultation}");
    assert!(
        !bob.history().iter().any(|v| v["text"]
            .as_str()
            .is_some_and(|t| t.contains("still on hold"))),
        "no reminder of a line being handed over"
    );
    carol.expect_idle(1, "replaced");
    let joined = carol.expect_line(1, "connected", STEP);
    assert!(
        joined["peer"].as_str().unwrap_or_default().contains("dave"),
        "{joined}"
    );
    dave.expect_event("LinphoneCallStreamsRunning");

    carol.send(json!({"cmd": "hangup", "line": 1}));
    carol.expect_idle(1, "local_hangup");
    dave.expect_event("LinphoneCallEnd");
}
