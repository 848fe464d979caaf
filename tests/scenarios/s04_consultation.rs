//! S4 (seed figure B-4): hold with consultation. A calls B; B holds A, calls C on a second line,
//! hangs up C and is reminded that A is still on hold, then resumes A. Also B dialing C straight
//! from the call with A, which holds A first.

use linekey::core::phone::LineState::*;

use crate::sim::*;

/// A calls B and B answers; C is there to be called, answering by itself.
fn connected() -> Sim {
    let mut sim = pair(&[], &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("B", 1).0 == Connected,
        secs(1),
    );
    sim
}

#[test]
fn hold_call_another_line_hang_up_and_resume() {
    let mut sim = connected();
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    sim.intent("B", dial("sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("B", 2).0 == Connected, secs(1));
    assert_eq!(
        sim.line("B", 1).0,
        Held,
        "A stays on hold during the consultation"
    );
    sim.intent("B", hangup(2));
    sim.run_until(|s| s.line("C", 1).0 == Idle, secs(1));
    assert_eq!(
        sim.statuses("B").last().map(String::as_str),
        Some("Line 1 is still on hold: resume it to talk")
    );
    sim.intent("B", resume(1));
    sim.run_until(
        |s| s.line("B", 1).0 == Connected && s.line("A", 1).0 == Connected,
        secs(1),
    );
    sim.run_for(secs(40));

    let b_a: Vec<String> = sim.trace_between("B", "A").into_iter().skip(5).collect();
    assert_eq!(
        b_a,
        [
            "B->A INVITE",
            "A->B 200",
            "B->A ACK",
            "B->A INVITE",
            "A->B 200",
            "B->A ACK",
        ]
    );
    assert_eq!(
        sim.trace_between("B", "C"),
        [
            "B->C INVITE",
            "C->B 100",
            "C->B 180",
            "C->B 200",
            "B->C ACK",
            "B->C BYE",
            "C->B 200",
        ]
    );
    assert_eq!(
        sim.line_states("B", 2),
        [Dialing, Trying, Ringing, Connected, Idle]
    );
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn dialing_from_a_connected_call_holds_it_first() {
    let mut sim = connected();
    sim.intent("B", dial("sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("B", 2).0 == Connected, secs(1));
    assert_eq!(sim.line("B", 1).0, Held);
    assert_eq!(sim.line("A", 1).0, RemoteHeld);
    let lines = sim.trace_lines();
    let held_ack = lines.iter().rposition(|l| l == "B->A ACK").unwrap();
    let invite_c = lines.iter().position(|l| l == "B->C INVITE").unwrap();
    assert!(
        held_ack < invite_c,
        "A is held before C is called:\n{lines:#?}"
    );
}
