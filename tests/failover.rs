//! S18 over real UDP: the primary proxy is a black hole (binds its port, answers nothing); after
//! `invite_attempts` transmissions the agent reports "Network Delay, Trying Backup" and the call
//! goes to the backup proxy (a sipp that answers). T1 is shortened so this takes seconds.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

#[test]
fn silent_primary_then_backup_serves_the_call() {
    let primary = Blackhole::start();
    let backup = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        Duration::from_secs(60),
    );
    let alice = AgentConfig {
        proxy: Some(format!("127.0.0.1:{}", primary.port)),
        backup: Some(backup.addr()),
        timer_t1_ms: Some(50),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial("sip:bob@127.0.0.1");
    alice.expect_what(
        "status \"Network Delay, Trying Backup\"",
        |e| e["event"] == "status" && e["text"] == "Network Delay, Trying Backup",
        STEP,
    );
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    backup.wait().assert_success();

    let invites: Vec<_> = primary
        .arrivals()
        .into_iter()
        .filter(|(_, d)| d.starts_with(b"INVITE "))
        .collect();
    assert_eq!(
        invites.len(),
        7,
        "the primary got {} INVITEs, expected the default invite_attempts (7)",
        invites.len()
    );
    let call_ids: Vec<_> = invites.iter().map(|(_, d)| call_id_of(d)).collect();
    assert!(
        call_ids.windows(2).all(|w| w[0] == w[1]),
        "retransmissions of one INVITE: {call_ids:?}"
    );
}
