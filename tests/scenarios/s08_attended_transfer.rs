//! S8 (seed figure B-8): A calls B, B holds A and calls C, then transfers A to C. B REFERs A with
//! `Refer-To: <C?Replaces=…>`; A INVITEs C with `Replaces` and `Referred-By`; C takes the call
//! over on the consultation call's line without ringing and ends the replaced dialog with BYE.

use linekey::core::phone::{Intent, LineState::*};
use linekey::core::sip::message::Replaces;

use crate::s06_blind_transfer::three_phones;
use crate::sim::*;

/// A talks to B on B's line 1, B talks to C on B's line 2.
fn consultation() -> Sim {
    let mut sim = three_phones(&["calls.auto_answer=true"]);
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    sim.intent("B", dial("sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("B", 2).0 == Connected, secs(1));
    sim.run_for(secs(1));
    sim
}

fn attended(line: usize, to_line: usize) -> Intent {
    Intent::Transfer {
        line,
        target: None,
        to_line: Some(to_line),
    }
}

#[test]
fn attended_transfer_replaces_the_consultation_call() {
    let mut sim = consultation();
    sim.intent("B", attended(1, 2));
    sim.run_until(
        |s| s.line("C", 1).0 == Connected && s.line("A", 2).0 == Connected,
        secs(5),
    );
    sim.run_for(secs(40));

    let refer = sim.request("B", "A", "REFER");
    let refer_to = refer.headers.name_addr("Refer-To").unwrap();
    let replaces = Replaces::parse(refer_to.uri.header("Replaces").unwrap()).unwrap();
    // The consultation dialog as C sees it: C's tag is the to-tag.
    let c_ok = sim.response("C", "B", 200);
    assert_eq!(replaces.call_id, c_ok.headers.call_id().unwrap());
    assert_eq!(
        Some(replaces.to_tag.as_str()),
        c_ok.headers.to().unwrap().tag()
    );
    assert_eq!(
        Some(replaces.from_tag.as_str()),
        c_ok.headers.from().unwrap().tag()
    );
    assert!(refer.headers.has("Referred-By"));

    let invite = sim.request("A", "C", "INVITE");
    assert_eq!(invite.headers.replaces(), Some(replaces));
    assert!(invite.headers.has("Referred-By"));
    assert!(!invite.uri.to_string().contains("Replaces"));

    let a_c = sim.trace_between("A", "C");
    assert_eq!(
        a_c,
        ["A->C INVITE", "C->A 100", "C->A 200", "A->C ACK"],
        "no ringing"
    );
    assert!(sim.trace_lines().iter().any(|l| l == "C->B BYE"));
    let last = sim.find_all("A", "B", "NOTIFY").pop().expect("NOTIFY");
    assert_eq!(body(&last), "SIP/2.0 200 OK\r\n");

    assert_eq!(sim.line("B", 1), (Idle, Some("transferred".into())));
    assert_eq!(sim.line("B", 2), (Idle, Some("transferred".into())));
    let c_lines = sim.line_events("C");
    assert!(
        c_lines.contains(&(1, Idle, Some("replaced".into()))),
        "{c_lines:?}"
    );
    // After the replaced call: straight to connected on the same line, showing A.
    let after: Vec<_> = c_lines
        .iter()
        .skip_while(|e| e.2.as_deref() != Some("replaced"))
        .skip(1)
        .collect();
    assert_eq!(after, [&(1, Connected, None)]);
    let (_, peer) = sim
        .events("C")
        .into_iter()
        .rev()
        .find_map(|e| match e {
            linekey::core::phone::Event::Line { state, peer, .. } => Some((state, peer)),
            _ => None,
        })
        .unwrap();
    assert!(peer.unwrap().contains("alice"));
    assert!(sim.errors("B").is_empty() && sim.errors("C").is_empty());
}

#[test]
fn replaces_for_an_unknown_dialog_gets_481() {
    let mut sim = Sim::new();
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.add_peer("P", P_ADDR, peer::silent());
    let p = sim.addr("P");
    let mut invite = peer::invite(p, "carol@10.0.0.3", "rep1", &peer::pcmu("10.0.0.9"));
    invite
        .headers
        .push("Replaces", "nosuch@10.0.0.2;to-tag=a;from-tag=b");
    sim.send("P", "C", invite);
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines()[..2], ["P->C INVITE", "C->P 481"]);
    assert!(sim.line_events("C").is_empty());
}
