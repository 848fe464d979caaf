//! S14 (seed figures B-14, B-17, page B-51): the called user is busy. As callee linekey answers
//! `486 Busy Here` when every line is taken or Do Not Disturb is on, and absorbs the ACK; as
//! caller it ACKs `486`/`600` and shows busy, `603` declined.

use linekey::core::phone::LineState::*;
use linekey::core::sip::message::Method;

use crate::sim::*;

/// A calls B and B answers, so B's only line is taken.
fn busy_b(b: &[&str]) -> Sim {
    let mut sim = pair(&[], b);
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
    sim.run_for(secs(1));
    sim
}

fn check_busy_flow(sim: &Sim) {
    // B-17: INVITE, 486, ACK, and nothing else.
    assert_eq!(
        sim.trace_between("C", "B"),
        ["C->B INVITE", "B->C 486", "C->B ACK"]
    );
    let invite = sim.request("C", "B", "INVITE");
    let busy = sim.response("B", "C", 486);
    assert_eq!(busy.reason, "Busy Here");
    assert_eq!(
        busy.headers.call_id().unwrap(),
        invite.headers.call_id().unwrap()
    );
    assert_eq!(busy.headers.cseq().unwrap(), invite.headers.cseq().unwrap());
    assert!(
        busy.headers.to().unwrap().tag().is_some(),
        "486 carries a To tag"
    );
    let ack = sim.request("C", "B", "ACK");
    assert_eq!(ack.headers.cseq().unwrap().method, Method::Ack);
    assert_eq!(
        ack.headers.via().unwrap().branch(),
        invite.headers.via().unwrap().branch()
    );
    assert_eq!(ack.headers.get("To"), busy.headers.get("To"));

    assert_eq!(sim.line_states("C", 1), [Dialing, Idle]);
    assert_eq!(sim.line("C", 1).1.as_deref(), Some("busy"));
    assert!(sim.media_closed("C"));
}

#[test]
fn all_lines_taken_answers_486() {
    let mut sim = busy_b(&["calls.lines=1"]);
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(40));
    check_busy_flow(&sim);
    // The call in progress is untouched and B never showed the second call.
    assert_eq!(sim.line_states("B", 1), [Incoming, Connected]);
    assert_eq!(sim.line_events("B").len(), 2);
    assert_eq!(sim.line("A", 1).0, Connected);
    assert!(sim.trace_between("A", "B").len() == 5);
}

#[test]
fn second_line_rings_when_there_is_one() {
    // With two lines the second call rings instead (call waiting, S5), no 486.
    let mut sim = busy_b(&["calls.lines=2"]);
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(2));
    assert_eq!(
        sim.trace_between("C", "B"),
        ["C->B INVITE", "B->C 100", "B->C 180"]
    );
    assert_eq!(sim.line("B", 2).0, Incoming);
}

#[test]
fn do_not_disturb_answers_486() {
    let mut sim = Sim::new();
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.phone("B", "bob", B_ADDR, &["calls.do_not_disturb=true"]);
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(40));
    check_busy_flow(&sim);
    assert!(sim.line_events("B").is_empty(), "DND never rings");
    assert!(sim.media("B").is_empty());
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn lost_ack_gets_the_486_again() {
    let mut sim = Sim::new();
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.phone("B", "bob", B_ADDR, &["calls.do_not_disturb=true"]);
    sim.drop_nth("C", "B", "ACK", 1);
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "C->B INVITE",
            "B->C 486",
            "C->B ACK (dropped)",
            "B->C 486",
            "C->B ACK"
        ]
    );
    assert_eq!(sim.times("B", "C", "486"), [ms(10), ms(510)]);
    // The repeated 486 does not reach the user again.
    assert_eq!(sim.line_states("C", 1), [Dialing, Idle]);
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

/// The phone calls a gateway that answers `100` then `status` (figure B-14's shape).
fn call_rejected_by(status: u16) -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.add_peer("G", P_ADDR, peer::rejecting(status, &[]));
    sim.intent("A", dial("sip:555@10.0.0.9"));
    sim.run_for(secs(60));
    let s = status.to_string();
    assert_eq!(
        sim.trace_lines(),
        [
            "A->G INVITE".to_owned(),
            "G->A 100".to_owned(),
            format!("G->A {s}"),
            "A->G ACK".to_owned()
        ]
    );
    let invite = sim.request("A", "G", "INVITE");
    let ack = sim.request("A", "G", "ACK");
    assert_eq!(
        ack.headers.via().unwrap().branch(),
        invite.headers.via().unwrap().branch()
    );
    assert_eq!(
        ack.headers.cseq().unwrap().seq,
        invite.headers.cseq().unwrap().seq
    );
    assert_eq!(
        ack.headers.to().unwrap().tag(),
        Some(peer::TAG),
        "ACK copies the final response's To"
    );
    assert_eq!(sim.line_states("A", 1), [Dialing, Trying, Idle]);
    assert!(sim.media_closed("A"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
    sim
}

#[test]
fn gateway_486_is_busy() {
    let sim = call_rejected_by(486);
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("busy"));
}

#[test]
fn global_600_is_busy() {
    let sim = call_rejected_by(600);
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("busy"));
}

#[test]
fn global_603_is_declined() {
    let sim = call_rejected_by(603);
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("declined"));
}

#[test]
fn callee_rejecting_sends_603() {
    // The user presses Reject on a ringing call: linekey as callee answers 603 Decline.
    let mut sim = pair(&[], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("A", 1).0 == Ringing, secs(1));
    sim.intent("B", linekey::core::phone::Intent::Reject { line: 1 });
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "B->A 603",
            "A->B ACK"
        ]
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("declined".into())));
    assert_eq!(sim.line("B", 1), (Idle, Some("declined".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}
