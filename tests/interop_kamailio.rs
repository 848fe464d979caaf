//! Two agents registered with a real registrar/proxy (kamailio, digest auth: 401 for REGISTER,
//! 407 for INVITE) call each other through it.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn registered(k: &Kamailio, user: &str) -> bool {
    k.registered_users().iter().any(|u| u == user)
}

/// Polls the registrar until `user`'s registration is present (or absent).
fn wait_registered(k: &Kamailio, user: &str, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while registered(k, user) != want {
        if Instant::now() > deadline {
            panic!(
                "{user} {} at the registrar; registered: {:?}\n{}",
                if want {
                    "not registered"
                } else {
                    "still registered"
                },
                k.registered_users(),
                k.report()
            );
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn user(name: &str, k: &Kamailio) -> AgentConfig {
    AgentConfig {
        password: Some("secret".into()),
        register: true,
        registrar: Some(k.addr()),
        proxy: Some(k.addr()),
        ..AgentConfig::new(name)
    }
}

#[test]
fn register_and_call_through_kamailio() {
    let k = Kamailio::start();
    let mut alice = user("alice", &k).start();
    let mut bob = user("bob", &k).start();
    alice.expect_registration("registered", STEP);
    bob.expect_registration("registered", STEP);
    wait_registered(&k, "alice", true);
    wait_registered(&k, "bob", true);

    // Through the proxy: 407 challenge, then the authenticated INVITE is routed to bob's contact.
    alice.dial("sip:bob@127.0.0.1");
    let incoming = bob.expect_line(1, "incoming", STEP);
    assert!(
        incoming["peer"]
            .as_str()
            .unwrap_or_default()
            .contains("alice"),
        "{incoming}"
    );
    alice.expect_line(1, "ringing", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    bob.expect_idle(1, "remote_hangup");

    let log = k.log();
    assert!(
        log.contains("REQ BYE"),
        "the BYE went through the record-routing proxy\n{}",
        k.report()
    );

    // Explicit unregister.
    bob.send(json!({"cmd": "unregister"}));
    bob.expect_registration("unregistered", STEP);
    wait_registered(&k, "bob", false);

    // Quitting unregisters too.
    assert!(alice.quit().success());
    wait_registered(&k, "alice", false);
    assert!(bob.quit().success());
}

#[test]
fn wrong_password_fails_registration() {
    let k = Kamailio::start();
    let carol = AgentConfig {
        password: Some("not-the-password".into()),
        ..user("carol", &k)
    }
    .start();
    let ev = carol.expect_registration("failed", Duration::from_secs(30));
    assert!(
        ev.get("reason").is_some(),
        "failed registration has a reason: {ev}"
    );
    assert!(!registered(&k, "carol"));
}

/// S18 with a real proxy as the backup: the primary is a black hole; after seven INVITEs the
/// call goes to kamailio, which challenges it (407) and routes it to bob, who is registered there.
#[test]
fn kamailio_as_the_backup_serves_the_call() {
    let k = Kamailio::start();
    let primary = Blackhole::start();
    let bob = user("bob", &k).start();
    bob.expect_registration("registered", STEP);
    wait_registered(&k, "bob", true);
    let alice = AgentConfig {
        password: Some("secret".into()),
        proxy: Some(format!("127.0.0.1:{}", primary.port)),
        backup: Some(k.addr()),
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
    bob.expect_line(1, "incoming", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    alice.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "local_hangup");
    alice.expect_idle(1, "remote_hangup");

    let invites = primary
        .arrivals()
        .into_iter()
        .filter(|(_, d)| d.starts_with(b"INVITE "))
        .count();
    assert_eq!(
        invites, 7,
        "exactly invite_attempts INVITEs reach the silent primary"
    );
    assert!(k.log().contains("REQ BYE"), "{}", k.report());
}
