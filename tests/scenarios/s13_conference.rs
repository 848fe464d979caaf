//! S13 (seed B-13, 3-way calling): B calls A, holds A, calls C, then joins both calls on the
//! phone. A is resumed with the ordinary re-INVITE, both of B's lines show `conference`, and the
//! media engine is told which calls to mix. Either far end hanging up leaves the other call up;
//! Hold on a conference line splits it again.

use linekey::core::phone::LineState::{self, *};
use linekey::core::phone::{Intent, MediaCommand};
use linekey::core::sdp::Direction;

use crate::sim::*;

const C_URI: &str = "sip:carol@10.0.0.3";

fn conference(line: usize, with_line: usize) -> Intent {
    Intent::Conference { line, with_line }
}

/// A, B and C; B has called A (its line 1) and then C (its line 2), both answered. Dialing C
/// holds A first, as a user pressing Conference on a Cisco phone does.
fn consultation() -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.phone("B", "bob", B_ADDR, &[]);
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.intent("B", dial("sip:alice@10.0.0.1"));
    sim.run_until(|s| s.line("A", 1).0 == Incoming, secs(1));
    sim.intent("A", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("B", dial(C_URI));
    sim.run_until(|s| s.line("C", 1).0 == Incoming, secs(1));
    sim.intent("C", answer(1));
    sim.run_until(
        |s| s.line("B", 2).0 == Connected && s.line("C", 1).0 == Connected,
        secs(1),
    );
    assert_eq!(sim.line("B", 1).0, Held, "{}", sim.dump());
    sim
}

/// A and then C call B, which answers each at once (auto answer, which holds nothing): two
/// talking calls, B's lines 1 and 2.
fn two_talking_calls() -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.phone("B", "bob", B_ADDR, &["calls.auto_answer=true"]);
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_until(
        |s| s.line("B", 2).0 == Connected && s.line("C", 1).0 == Connected,
        secs(1),
    );
    sim
}

/// The calls `B` told its media engine to join, last command first.
fn last_join(sim: &Sim) -> Option<usize> {
    sim.media("B").into_iter().rev().find_map(|m| match m {
        MediaCommand::Conference { calls } => Some(calls.len()),
        _ => None,
    })
}

fn joined() -> Sim {
    let mut sim = consultation();
    sim.intent("B", conference(1, 2));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
    sim.run_for(secs(1));
    sim
}

fn states(sim: &Sim) -> [LineState; 4] {
    [
        sim.line("A", 1).0,
        sim.line("B", 1).0,
        sim.line("B", 2).0,
        sim.line("C", 1).0,
    ]
}

#[test]
fn joining_resumes_the_held_call_and_both_lines_show_conference() {
    let sim = joined();
    assert_eq!(states(&sim), [Connected, Conference, Conference, Connected]);
    assert_eq!(
        sim.line_states("B", 1),
        [Dialing, Trying, Ringing, Connected, Held, Conference]
    );
    assert_eq!(
        sim.line_states("B", 2),
        [Dialing, Trying, Ringing, Connected, Conference]
    );
    // The original INVITE, the hold and the resume; C's call is left alone.
    let to_a = sim.find_all("B", "A", "INVITE");
    assert_eq!(to_a.len(), 3, "{}", sim.dump());
    let resume = body(&to_a[2]);
    assert!(!resume.contains("0.0.0.0"), "{resume}");
    assert_eq!(sim.find_all("B", "C", "INVITE").len(), 1);
    assert_eq!(last_join(&sim), Some(2));
    // Both of B's streams send and receive again: A's (resumed) and C's.
    let directions = sim.directions("B");
    assert_eq!(
        directions.last(),
        Some(&Direction::SendRecv),
        "{directions:?}"
    );
    assert!(sim.errors("B").is_empty(), "{:?}", sim.errors("B"));
}

#[test]
fn joining_two_talking_calls_sends_no_reinvite() {
    let mut sim = two_talking_calls();
    sim.intent("B", conference(2, 1));
    sim.run_for(secs(1));
    assert_eq!(states(&sim), [Connected, Conference, Conference, Connected]);
    assert!(
        sim.find_all("B", "A", "INVITE").is_empty(),
        "{}",
        sim.dump()
    );
    assert!(
        sim.find_all("B", "C", "INVITE").is_empty(),
        "{}",
        sim.dump()
    );
    assert_eq!(last_join(&sim), Some(2));
}

#[test]
fn a_far_end_hanging_up_leaves_the_other_call_connected() {
    for (far, far_line, other_line) in [("C", 2, 1), ("A", 1, 2)] {
        let mut sim = joined();
        sim.intent(far, hangup(1));
        sim.run_until(|s| s.line("B", far_line).0 == Idle, secs(1));
        sim.run_for(secs(1));
        assert_eq!(
            sim.line("B", far_line),
            (Idle, Some("remote_hangup".into()))
        );
        assert_eq!(sim.line("B", other_line).0, Connected, "{far} hung up");
        assert_eq!(last_join(&sim), Some(0), "the media engine splits the mix");
        let other = if far == "A" { "C" } else { "A" };
        assert_eq!(sim.line(other, 1).0, Connected);
        assert!(sim
            .trace_between("B", other)
            .iter()
            .all(|l| !l.contains("BYE")));
    }
}

#[test]
fn hanging_up_one_conference_line_keeps_the_other_call() {
    let mut sim = joined();
    sim.intent("B", hangup(1));
    sim.run_for(secs(1));
    assert_eq!(sim.line("B", 1), (Idle, Some("local_hangup".into())));
    assert_eq!(sim.line("A", 1), (Idle, Some("remote_hangup".into())));
    assert_eq!(sim.line("B", 2).0, Connected);
    assert_eq!(sim.line("C", 1).0, Connected);
    assert_eq!(last_join(&sim), Some(0));
}

#[test]
fn hold_on_a_conference_line_splits_it() {
    let mut sim = joined();
    sim.intent("B", hold(2));
    sim.run_until(|s| s.line("B", 2).0 == Held, secs(1));
    assert_eq!(states(&sim), [Connected, Connected, Held, RemoteHeld]);
    assert_eq!(last_join(&sim), Some(0));
    // Split lines are ordinary lines again: they can be joined once more.
    sim.intent("B", conference(1, 2));
    sim.run_until(|s| s.line("C", 1).0 == Connected, secs(1));
    assert_eq!(states(&sim), [Connected, Conference, Conference, Connected]);
    assert_eq!(last_join(&sim), Some(2));
}

#[test]
fn what_cannot_be_joined_is_refused_with_a_reason() {
    let mut sim = joined();
    sim.intent("B", conference(1, 1));
    sim.intent("B", conference(1, 3));
    sim.intent("B", conference(1, 2));
    sim.intent("B", resume(1));
    let errors = sim.errors("B");
    assert_eq!(
        errors,
        [
            "line 1 cannot be joined with itself",
            "line 3 is idle",
            "lines 1 and 2 are already in a conference; only one can be held at a time",
            "line 1 is in a conference, not on hold",
        ]
    );

    let mut sim = two_talking_calls();
    sim.intent("C", hold(1));
    sim.run_until(|s| s.line("B", 2).0 == RemoteHeld, secs(1));
    sim.intent("B", conference(1, 2));
    sim.run_for(secs(1));
    assert_eq!(
        sim.errors("B"),
        ["line 2 cannot join a conference: the other party holds the call"]
    );
    assert_eq!(sim.line("B", 1).0, Connected);
    assert_eq!(last_join(&sim), None);
}

#[test]
fn joining_while_the_hold_is_under_way_resumes_when_it_completes() {
    let mut sim = two_talking_calls();
    sim.intent("B", hold(1));
    sim.intent("B", conference(1, 2));
    sim.run_for(secs(1));
    assert_eq!(states(&sim), [Connected, Conference, Conference, Connected]);
    // A called B: the hold and then the resume are B's only INVITEs to A.
    let to_a = sim.find_all("B", "A", "INVITE");
    assert_eq!(to_a.len(), 2, "{}", sim.dump());
    assert!(body(&to_a[0]).contains("0.0.0.0"));
    assert!(!body(&to_a[1]).contains("0.0.0.0"));
    assert_eq!(sim.directions("B").last(), Some(&Direction::SendRecv));
}
