//! `account.register_backup` over real UDP against two kamailio registrars: alice registers at
//! her registrar and at the backup proxy, so bob, who only knows the backup, can call her
//! through it; at quit both bindings go.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

/// Polls a registrar until `user`'s registration is present (or absent).
fn wait_registered(k: &Kamailio, user: &str, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while k.registered_users().iter().any(|u| u == user) != want {
        assert!(
            Instant::now() < deadline,
            "{user} registered at {}: {} wanted {want}\n{}",
            k.addr(),
            !want,
            k.report()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_backup_proxy_routes_calls_to_a_phone_registered_there_too() {
    let main = Kamailio::start();
    let backup = Kamailio::start();
    let alice = AgentConfig {
        password: Some("secret".into()),
        register: true,
        registrar: Some(main.addr()),
        proxy: Some(main.addr()),
        backup: Some(backup.addr()),
        ..AgentConfig::new("alice")
    };
    let mut alice = Agent::start_with_args(
        "alice",
        &alice.to_toml(),
        &["--set", "account.register_backup=true"],
    );
    alice.expect_registration("registered", STEP);
    // The two answers may come in either order.
    let at_backup = alice.seen_or_expect(|e| e["event"] == "backup_registration", STEP);
    assert_eq!(at_backup["state"], "registered", "{at_backup}");
    wait_registered(&main, "alice", true);
    wait_registered(&backup, "alice", true);

    let bob = AgentConfig {
        password: Some("secret".into()),
        register: true,
        registrar: Some(backup.addr()),
        proxy: Some(backup.addr()),
        ..AgentConfig::new("bob")
    }
    .start();
    bob.expect_registration("registered", STEP);
    bob.dial("sip:alice@127.0.0.1");
    alice.expect_line(1, "incoming", STEP);
    alice.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "remote_hangup");

    assert!(alice.quit().success());
    wait_registered(&main, "alice", false);
    wait_registered(&backup, "alice", false);
}
