//! S15 (seed figures B-15, B-18): nobody answers. The caller's ring timeout sends CANCEL; the
//! callee answers it `200` and the INVITE `487`, which the caller ACKs.

use linekey::core::phone::LineState::*;
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

#[test]
fn ring_timeout_cancels_after_exactly_the_setting() {
    let mut sim = pair(&["calls.ring_timeout_s=5"], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(60));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "A->B CANCEL",
            "B->A 200",
            "B->A 487",
            "A->B ACK",
        ]
    );
    assert_eq!(sim.times("A", "B", "CANCEL"), [secs(5)]);
    let invite = sim.request("A", "B", "INVITE");
    let cancel = sim.request("A", "B", "CANCEL");
    assert_eq!(
        cancel.headers.via().unwrap().branch(),
        invite.headers.via().unwrap().branch()
    );
    assert_eq!(
        cancel.headers.cseq().unwrap().seq,
        invite.headers.cseq().unwrap().seq
    );
    assert_eq!(cancel.headers.cseq().unwrap().method, Method::Cancel);
    assert_eq!(cancel.headers.get("To"), invite.headers.get("To"));

    assert_eq!(sim.line_states("A", 1), [Dialing, Trying, Ringing, Idle]);
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("no_answer"));
    let idle_at = sim
        .timed_events("A")
        .into_iter()
        .rev()
        .find(|(_, e)| matches!(e, linekey::core::phone::Event::Line { state: Idle, .. }))
        .map(|(t, _)| t);
    assert_eq!(idle_at, Some(secs(5)));
    assert_eq!(sim.line("B", 1), (Idle, Some("cancelled".into())));
    assert!(sim.media_closed("A") && sim.media_closed("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn answer_before_the_timeout_stops_it() {
    let mut sim = pair(&["calls.ring_timeout_s=5"], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(4));
    sim.intent("B", answer(1));
    sim.run_for(secs(10));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "B->A 200",
            "A->B ACK"
        ]
    );
    assert_eq!(sim.line("A", 1).0, Connected);
    assert_eq!(sim.line("B", 1).0, Connected);
}

#[test]
fn ring_timeout_against_a_gateway() {
    // Figure B-15's roles: the far end is a gateway that rings forever.
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &["calls.ring_timeout_s=7"]);
    sim.add_peer("G", P_ADDR, |ctx, msg| {
        let Message::Request(req) = msg else { return };
        match req.method {
            Method::Invite => {
                ctx.reply(peer::reply(&req, 100));
                ctx.reply(peer::reply(&req, 180));
            }
            Method::Cancel => {
                ctx.reply(peer::reply(&req, 200));
                // The INVITE's 487 is built from the CANCEL, which carries the same headers.
                let mut terminated = peer::reply(&req, 487);
                terminated.headers.set(
                    "CSeq",
                    format!("{} INVITE", req.headers.cseq().unwrap().seq),
                );
                ctx.reply(terminated);
            }
            _ => {}
        }
    });
    sim.intent("A", dial("sip:555@10.0.0.9"));
    sim.run_for(secs(60));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->G INVITE",
            "G->A 100",
            "G->A 180",
            "A->G CANCEL",
            "G->A 200",
            "G->A 487",
            "A->G ACK",
        ]
    );
    assert_eq!(sim.times("A", "G", "CANCEL"), [secs(7)]);
    assert_eq!(sim.line("A", 1), (Idle, Some("no_answer".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn ring_timeout_without_any_provisional_waits_for_one() {
    // Nothing but silence: the INVITE times out (timer B) before any CANCEL may be sent.
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &["calls.ring_timeout_s=5"]);
    sim.add_peer("G", P_ADDR, peer::silent());
    sim.intent("A", dial("sip:555@10.0.0.9"));
    sim.run_for(secs(60));
    assert!(
        sim.trace_lines().iter().all(|l| l == "A->G INVITE"),
        "no CANCEL without a provisional response: {:?}",
        sim.trace_lines()
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("no_answer".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}
