//! S10, S11 and S16 as the caller meeting a redirect (seed figures B-10, B-11): a `302` or `300`
//! sends the call on to the Contacts, highest `q` first, each in a new INVITE transaction; a
//! busy or failing target falls through to the next one, a `6xx` stops the search, and loops
//! and endless chains of redirects end with the last failure.

use linekey::core::phone::Event;
use linekey::core::phone::LineState::*;
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

/// Another scripted peer's address.
const Q_ADDR: &str = "10.0.0.8:5060";

/// The peers A's line 1 showed, in order, without repeats.
fn peers(sim: &Sim) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for event in sim.events("A") {
        if let Event::Line {
            line: 1,
            peer: Some(peer),
            ..
        } = event
        {
            if seen.last() != Some(&peer) {
                seen.push(peer);
            }
        }
    }
    seen
}

/// A with a redirect server at P answering `status` with `contacts`, and carol at C answering.
fn redirected(status: u16, contacts: &'static [(&'static str, &'static str)]) -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.add_peer("P", P_ADDR, peer::rejecting(status, contacts));
    sim
}

#[test]
fn moved_temporarily_reaches_the_contact_in_a_new_transaction() {
    let mut sim = redirected(302, &[("Contact", "<sip:carol@10.0.0.3>")]);
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("C", 1).0 == Connected,
        secs(2),
    );

    assert_eq!(
        sim.trace_between("A", "P"),
        ["A->P INVITE", "P->A 100", "P->A 302", "A->P ACK"]
    );
    let first = sim.request("A", "P", "INVITE");
    let second = sim.request("A", "C", "INVITE");
    assert_eq!(second.uri.to_string(), "sip:carol@10.0.0.3");
    assert_eq!(
        second.headers.call_id().unwrap(),
        first.headers.call_id().unwrap()
    );
    assert_eq!(second.headers.get("From"), first.headers.get("From"));
    assert_eq!(second.headers.get("To"), first.headers.get("To"));
    assert_eq!(second.headers.cseq().unwrap().seq, 2);
    assert_ne!(
        second.headers.via().unwrap().branch(),
        first.headers.via().unwrap().branch()
    );
    assert_eq!(peers(&sim), ["sip:bob@10.0.0.9", "sip:carol@10.0.0.3"]);
    assert!(sim
        .statuses("A")
        .contains(&"Call forwarded to sip:carol@10.0.0.3".to_owned()));

    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    assert_eq!(
        sim.request("A", "C", "BYE").uri.to_string(),
        "sip:carol@10.0.0.3:5060"
    );
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn multiple_choices_go_by_q_and_a_busy_first_choice_falls_through() {
    // B-11: the first choice is busy (Do Not Disturb), the second answers.
    let mut sim = redirected(
        300,
        &[
            ("Contact", "<sip:carol@10.0.0.3>;q=0.5"),
            ("Contact", "<sip:bob@10.0.0.2>;q=0.9"),
        ],
    );
    sim.phone("B", "bob", B_ADDR, &["calls.do_not_disturb=true"]);
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(2));

    assert_eq!(
        sim.trace_between("A", "B"),
        ["A->B INVITE", "B->A 486", "A->B ACK"]
    );
    assert_eq!(
        sim.request("A", "C", "INVITE").headers.cseq().unwrap().seq,
        3
    );
    assert_eq!(
        peers(&sim),
        ["sip:bob@10.0.0.9", "sip:bob@10.0.0.2", "sip:carol@10.0.0.3"]
    );
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Dialing, Dialing, Trying, Ringing, Connected]
    );
}

#[test]
fn a_server_error_tries_the_next_contact_and_a_global_failure_stops() {
    let mut sim = redirected(
        300,
        &[
            ("Contact", "<sip:x@10.0.0.8>"),
            ("Contact", "<sip:carol@10.0.0.3>"),
        ],
    );
    sim.add_peer("Q", Q_ADDR, peer::rejecting(503, &[]));
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(2));
    assert_eq!(sim.find_all("A", "C", "INVITE").len(), 1);

    let mut sim = redirected(
        300,
        &[
            ("Contact", "<sip:x@10.0.0.8>"),
            ("Contact", "<sip:carol@10.0.0.3>"),
        ],
    );
    sim.add_peer("Q", Q_ADDR, peer::rejecting(603, &[]));
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_for(secs(40));
    assert!(
        sim.find_all("A", "C", "INVITE").is_empty(),
        "6xx ends the search"
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("declined".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn redirect_loops_end_with_the_last_failure() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.add_peer(
        "P",
        P_ADDR,
        peer::rejecting(302, &[("Contact", "<sip:bob@10.0.0.8>")]),
    );
    sim.add_peer(
        "Q",
        Q_ADDR,
        peer::rejecting(302, &[("Contact", "<sip:bob@10.0.0.9>")]),
    );
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_for(secs(40));
    assert_eq!(sim.find_all("A", "P", "INVITE").len(), 1);
    assert_eq!(sim.find_all("A", "Q", "INVITE").len(), 1);
    assert_eq!(
        sim.line("A", 1),
        (Idle, Some("failed: 302 Moved Temporarily".into()))
    );
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn an_endless_chain_of_redirects_stops_after_five() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    let mut n = 0;
    sim.add_peer("P", P_ADDR, move |ctx, msg| {
        let Message::Request(req) = msg else { return };
        if req.method == Method::Invite {
            n += 1;
            let mut moved = peer::reply(&req, 302);
            moved
                .headers
                .push("Contact", format!("<sip:hop{n}@10.0.0.9>"));
            ctx.reply(moved);
        }
    });
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_for(secs(40));
    assert_eq!(sim.find_all("A", "P", "INVITE").len(), 6);
    assert_eq!(
        sim.line("A", 1),
        (Idle, Some("failed: 302 Moved Temporarily".into()))
    );
    assert!(sim
        .statuses("A")
        .contains(&"Call failed: too many redirections".to_owned()));
}
