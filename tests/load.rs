//! Load: sipp's built-in UAC places 1000 calls at 100 calls/s (at most 200 at once) into an
//! agent that answers automatically. Every call must complete; no timing is asserted.

mod common;

use std::time::Duration;

use common::*;

const CALLS: u64 = 1000;

#[test]
fn a_thousand_calls_from_sipp() {
    let rtp = free_port_block(1000);
    let mut alice = AgentConfig {
        auto_answer: true,
        lines: 200,
        rtp_ports: (rtp, rtp + 999),
        ..AgentConfig::new("alice")
    }
    .start();
    let calls = CALLS.to_string();
    let out = sipp(
        &[
            "-sn",
            "uac",
            "-s",
            "alice",
            "-r",
            "100",
            "-m",
            &calls,
            "-l",
            "200",
            "-d",
            "0",
            "-recv_timeout",
            "30000",
            &alice.sip.to_string(),
        ],
        Duration::from_secs(240),
    );
    out.assert_success();
    assert_eq!(out.stat_u64("FailedCall(C)"), 0, "{}", out.report());
    assert_eq!(out.stat_u64("SuccessfulCall(C)"), CALLS, "{}", out.report());

    // The agent saw every call end with the caller's BYE, and is still up.
    let mut ended = alice
        .history()
        .iter()
        .filter(|e| e["event"] == "line" && e["state"] == "idle")
        .count() as u64;
    while ended < CALLS {
        let e = alice.expect_what(
            &format!("{CALLS} calls to end (seen {ended})"),
            |e| e["event"] == "line" && e["state"] == "idle",
            STEP,
        );
        assert_eq!(e["reason"], "remote_hangup", "{e}");
        ended += 1;
    }
    assert!(alice.alive());
    assert!(alice.quit().success());
}
