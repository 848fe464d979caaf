//! DTMF from the user: on a talking line the digits go to the media engine of that call (no SIP
//! is sent); bad digits, idle or ringing lines and held lines get an error event instead.

use linekey::core::phone::LineState::*;
use linekey::core::phone::MediaCommand;

use crate::sim::*;

fn connected() -> Sim {
    let mut sim = pair(&[], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("B", 1).0 == Connected,
        secs(1),
    );
    sim
}

/// The DTMF commands a phone gave, as `(call of the line's Start, digits)`.
fn sent_digits(sim: &Sim, name: &str) -> Vec<String> {
    let media = sim.media(name);
    let started = media.iter().find_map(|m| match m {
        MediaCommand::Start { call, .. } => Some(*call),
        _ => None,
    });
    media
        .iter()
        .filter_map(|m| match m {
            MediaCommand::Dtmf { call, digits } => {
                assert_eq!(Some(*call), started, "digits for the line's call");
                Some(digits.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn digits_go_to_the_call_media() {
    let mut sim = connected();
    let before = sim.trace_lines().len();
    sim.intent("A", dtmf(1, "0123456789*#"));
    sim.intent("A", dtmf(1, "abcD"));
    sim.intent("B", dtmf(1, "5"));
    sim.run_for(secs(1));
    assert_eq!(sent_digits(&sim, "A"), ["0123456789*#", "ABCD"]);
    assert_eq!(sent_digits(&sim, "B"), ["5"]);
    assert_eq!(sim.trace_lines().len(), before, "DTMF is not SIP");
    assert!(sim.errors("A").is_empty() && sim.errors("B").is_empty());
}

#[test]
fn bad_digits_and_lines_are_refused() {
    let mut sim = pair(&[], &[]);
    sim.intent("A", dtmf(1, "1"));
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("A", dtmf(1, "1"));
    sim.intent("B", dtmf(1, "1"));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
    sim.intent("A", dtmf(1, "12x4"));
    sim.intent("A", dtmf(1, ""));
    sim.intent("A", dtmf(2, "1"));
    sim.intent("A", dtmf(9, "1"));
    sim.intent("A", hold(1));
    sim.run_until(|s| s.line("A", 1).0 == Held, secs(1));
    sim.intent("A", dtmf(1, "1"));
    sim.intent("B", dtmf(1, "1"));

    assert_eq!(
        sim.errors("A"),
        [
            "line 1 is idle",
            "line 1 has no connected call to send digits on",
            "cannot send 'x' as DTMF: the digits are 0-9, *, # and A-D",
            "no digits to send",
            "line 2 is idle",
            "there is no line 9: lines are 1 to 6",
            "line 1 is on hold: resume it to send digits",
        ]
    );
    assert_eq!(
        sim.errors("B"),
        [
            "line 1 has no connected call to send digits on",
            "line 1 is on hold at the other end, which cannot hear digits now",
        ]
    );
    assert!(sent_digits(&sim, "A").is_empty() && sent_digits(&sim, "B").is_empty());
}
