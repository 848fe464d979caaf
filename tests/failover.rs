//! S18 over real UDP: the primary proxy is a black hole (binds its port, answers nothing); after
//! `invite_attempts` transmissions the agent reports "Network Delay, Trying Backup" and the call
//! goes to the backup proxy (a sipp that answers). T1 is shortened so this takes seconds.
//! A primary whose port is closed (the network answers with ICMP) is a transport error, which
//! RFC 3261 treats as 503: the call moves to the backup at once.

mod common;

use std::time::{Duration, Instant};

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

#[test]
fn closed_primary_port_moves_to_the_backup_at_once() {
    let closed = free_udp_port();
    let backup = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        Duration::from_secs(60),
    );
    // The default T1 (500 ms): seven silent transmissions would take 32 s.
    let alice = AgentConfig {
        proxy: Some(format!("127.0.0.1:{closed}")),
        backup: Some(backup.addr()),
        ..AgentConfig::new("alice")
    }
    .start();
    let dialled = Instant::now();
    alice.dial("sip:bob@127.0.0.1");
    alice.expect_what(
        "status \"Proxy Error, Trying Backup\"",
        |e| e["event"] == "status" && e["text"] == "Proxy Error, Trying Backup",
        STEP,
    );
    let waited = dialled.elapsed();
    assert!(
        waited < Duration::from_secs(4),
        "the ICMP error ended the INVITE after {waited:?}, before its retransmissions could"
    );
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    backup.wait().assert_success();
}
