//! S5 (seed figure B-5): call waiting. While A and B talk, C calls B: it rings on B's second
//! line; answering it puts A on hold first; B swaps back and forth; when B hangs up A it is told
//! C is still on hold, and resumes C. Also a hold the far end refuses.

use linekey::core::phone::LineState::*;
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

/// A calls B and B answers, then C calls B.
fn waiting() -> Sim {
    let mut sim = pair(&[], &[]);
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("B", 1).0 == Connected,
        secs(1),
    );
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("C", 1).0 == Ringing, secs(1));
    sim
}

/// Where in the trace a line first appears after `from`.
fn position_after(sim: &Sim, line: &str, from: usize) -> usize {
    let lines = sim.trace_lines();
    from + lines[from..]
        .iter()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no {line} after {from}:\n{lines:#?}"))
}

#[test]
fn answering_the_waiting_call_holds_the_first_and_swapping_works() {
    let mut sim = waiting();
    assert_eq!(sim.line("B", 1).0, Connected, "the first call goes on");
    assert_eq!(sim.line("C", 1).0, Ringing);

    sim.intent("B", answer(2));
    sim.run_until(
        |s| s.line("B", 2).0 == Connected && s.line("C", 1).0 == Connected,
        secs(1),
    );
    assert_eq!(sim.line("B", 1).0, Held);
    assert_eq!(sim.line("A", 1).0, RemoteHeld);
    // B-5: the hold re-INVITE to A (B's first request to A) completes before the 200 to C.
    let hold = position_after(&sim, "B->A INVITE", 0);
    let hold_ack = position_after(&sim, "B->A ACK", hold);
    assert!(hold_ack < position_after(&sim, "B->C 200", 0));

    // Swap: back to A, which puts C on hold first.
    sim.intent("B", resume(1));
    sim.run_until(
        |s| s.line("B", 1).0 == Connected && s.line("B", 2).0 == Held,
        secs(1),
    );
    assert_eq!(sim.line("C", 1).0, RemoteHeld);
    assert_eq!(sim.line("A", 1).0, Connected);
    // And to C again.
    sim.intent("B", resume(2));
    sim.run_until(
        |s| s.line("B", 2).0 == Connected && s.line("B", 1).0 == Held,
        secs(1),
    );

    // Back to A, then A hangs up: B is told C is still there.
    sim.intent("B", resume(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("B", hangup(1));
    sim.run_until(|s| s.line("A", 1).0 == Idle, secs(1));
    assert_eq!(
        sim.statuses("B").last().map(String::as_str),
        Some("Line 2 is still on hold: resume it to talk")
    );
    sim.intent("B", resume(2));
    sim.run_until(
        |s| s.line("B", 2).0 == Connected && s.line("C", 1).0 == Connected,
        secs(1),
    );
    sim.intent("B", hangup(2));
    sim.run_for(secs(40));
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, Held, Connected, Held, Connected, Idle]
    );
    assert_eq!(
        sim.line_states("B", 2),
        [Incoming, Connected, Held, Connected, Held, Connected, Idle]
    );
    assert!(sim.errors("B").is_empty(), "{:?}", sim.errors("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn a_refused_hold_still_answers_and_says_the_first_call_is_connected() {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    sim.phone("C", "carol", C_ADDR, &[]);
    // A gateway that takes B's call but refuses every re-INVITE.
    sim.add_peer("P", P_ADDR, |ctx, msg| {
        let Message::Request(req) = msg else { return };
        match req.method {
            Method::Invite if req.headers.to().unwrap().tag().is_some() => {
                ctx.reply(peer::reply(&req, 488))
            }
            Method::Invite => {
                ctx.reply(peer::reply(&req, 100));
                ctx.reply(peer::ok_with_sdp(&req, ctx.me));
            }
            Method::Ack => {}
            _ => ctx.reply(peer::reply(&req, 200)),
        }
    });
    sim.intent("B", dial("sip:gw@10.0.0.9"));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 2).0 == Incoming, secs(1));
    sim.intent("B", answer(2));
    sim.run_until(
        |s| s.line("C", 1).0 == Connected && s.line("B", 2).0 == Connected,
        secs(1),
    );

    assert_eq!(sim.line("B", 1).0, Connected);
    assert_eq!(sim.line("B", 2).0, Connected);
    assert!(sim
        .statuses("B")
        .contains(&"Line 1 could not be put on hold and is still connected".to_owned()));
    assert_eq!(
        sim.errors("B"),
        ["line 1 could not be put on hold: 488 Not Acceptable Here"]
    );
}

#[test]
fn quitting_does_not_remind_of_held_lines() {
    let mut sim = waiting();
    sim.intent("B", answer(2));
    sim.run_until(|s| s.line("B", 2).0 == Connected, secs(1));
    // Line 1 talks and line 2 is held, so hanging up line 1 first would leave a held line.
    sim.intent("B", resume(1));
    sim.run_until(
        |s| s.line("B", 1).0 == Connected && s.line("B", 2).0 == Held,
        secs(1),
    );
    sim.intent("B", linekey::core::phone::Intent::Quit);
    sim.run_for(secs(40));
    assert!(
        sim.statuses("B").is_empty(),
        "no reminder while quitting: {:?}",
        sim.statuses("B")
    );
    assert!(sim.phone_ref("B").is_finished());
}
