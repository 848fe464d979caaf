//! Local forwarding (S10, S11; seed figures B-10 to B-12 done by the phone itself): with
//! `forward_always`, `forward_busy` or `forward_no_answer` set, an incoming call is answered
//! `302 Moved Temporarily` with the target as Contact, and the caller goes there. Do Not Disturb
//! stays `486`.

use linekey::core::phone::LineState::*;

use crate::sim::*;

/// Phone D's address.
const D_ADDR: &str = "10.0.0.4:5060";

/// A and B with B's overrides, and dave at D answering by himself.
fn with_dave(b: &[&str]) -> Sim {
    let mut sim = pair(&[], b);
    sim.phone("D", "dave", D_ADDR, &["calls.auto_answer=true"]);
    sim
}

/// Checks B's `302` to A names dave and A reached him.
fn check_forwarded_to_dave(sim: &Sim) {
    let moved = sim.response("B", "A", 302);
    assert_eq!(moved.reason, "Moved Temporarily");
    assert_eq!(moved.headers.get("Contact"), Some("<sip:dave@10.0.0.4>"));
    assert!(moved.headers.to().unwrap().tag().is_some());
    assert_eq!(sim.line("A", 1).0, Connected);
    assert_eq!(sim.line("D", 1).0, Connected);
    assert!(sim
        .statuses("B")
        .contains(&"Call from sip:alice@10.0.0.1 forwarded to sip:dave@10.0.0.4".to_owned()));
}

#[test]
fn forward_always_redirects_every_call_at_once() {
    let mut sim = with_dave(&["calls.forward_always=sip:dave@10.0.0.4"]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("D", 1).0 == Connected, secs(2));
    assert_eq!(
        sim.trace_between("A", "B"),
        ["A->B INVITE", "B->A 302", "A->B ACK"]
    );
    check_forwarded_to_dave(&sim);
    assert!(
        sim.line_events("B").is_empty(),
        "B's lines never showed the call"
    );
}

#[test]
fn forward_busy_redirects_when_every_line_is_taken() {
    let mut sim = with_dave(&["calls.lines=1", "calls.forward_busy=sip:dave@10.0.0.4"]);
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));

    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("D", 1).0 == Connected, secs(2));
    assert_eq!(
        sim.trace_between("A", "B"),
        ["A->B INVITE", "B->A 302", "A->B ACK"]
    );
    check_forwarded_to_dave(&sim);
    assert_eq!(sim.line_states("B", 1), [Incoming, Connected]);
}

#[test]
fn do_not_disturb_stays_busy_even_with_forward_busy() {
    let mut sim = with_dave(&[
        "calls.do_not_disturb=true",
        "calls.forward_busy=sip:dave@10.0.0.4",
    ]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_between("A", "B"),
        ["A->B INVITE", "B->A 486", "A->B ACK"]
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("busy".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn forward_no_answer_redirects_after_ringing() {
    let mut sim = with_dave(&[
        "calls.forward_no_answer=sip:dave@10.0.0.4",
        "calls.forward_no_answer_s=5",
    ]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("D", 1).0 == Connected, secs(7));
    assert_eq!(
        sim.trace_between("A", "B"),
        [
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "B->A 302",
            "A->B ACK"
        ]
    );
    let rang_for = sim.times("B", "A", "302")[0] - sim.times("B", "A", "180")[0];
    assert_eq!(rang_for, secs(5));
    check_forwarded_to_dave(&sim);
    assert_eq!(sim.line_states("B", 1), [Incoming, Idle]);
    assert_eq!(sim.line("B", 1).1.as_deref(), Some("forwarded"));
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn an_answered_call_is_not_forwarded() {
    let mut sim = with_dave(&[
        "calls.forward_no_answer=sip:dave@10.0.0.4",
        "calls.forward_no_answer_s=5",
    ]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.run_for(secs(2));
    sim.intent("B", answer(1));
    sim.run_for(secs(10));
    assert_eq!(sim.line("B", 1).0, Connected);
    assert!(sim.find_all("B", "A", "302").is_empty());
    assert!(sim.find_all("A", "D", "INVITE").is_empty());
}
