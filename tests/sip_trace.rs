//! `[log] sip_trace = true`: the agent logs every SIP message it sends and receives, in full, to
//! stderr (the desktop phone to its log file); without the setting no message text is logged.

mod common;

use std::time::Duration;

use common::*;

#[test]
fn the_sip_trace_shows_every_message_both_ways() {
    let mut bob = AgentConfig::new("bob").start();
    let mut alice = AgentConfig {
        extra: "[log]\nsip_trace = true\n".to_owned(),
        ..AgentConfig::new("alice")
    }
    .start();
    alice.dial(&format!("sip:bob@{}", bob.sip));
    bob.expect_line(1, "incoming", Duration::from_secs(5));
    alice.expect_line(1, "ringing", Duration::from_secs(5));
    assert!(alice.quit().success());
    assert!(bob.quit().success());

    let traced = std::fs::read_to_string(alice.dir().join("stderr.log")).unwrap();
    assert!(traced.contains(&format!("sent to {}", bob.sip)), "{traced}");
    assert!(
        traced.contains(&format!("INVITE sip:bob@{} SIP/2.0", bob.sip)),
        "{traced}"
    );
    assert!(
        traced.contains(&format!("received from {}", bob.sip)),
        "{traced}"
    );
    assert!(traced.contains("SIP/2.0 180 Ringing"), "{traced}");

    let untraced = std::fs::read_to_string(bob.dir().join("stderr.log")).unwrap();
    assert!(!untraced.contains("INVITE sip:"), "{untraced}");
}
