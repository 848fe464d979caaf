//! S3 (seed figure B-3): phone to phone simple hold. A calls B; B holds A with a re-INVITE to
//! `c=IN IP4 0.0.0.0` (or `a=sendonly` as a setting), same Call-ID, next CSeq; B takes A off
//! hold again. Also the caller holding, both holding at once, and both re-INVITing at once.

use linekey::core::phone::LineState::{self, *};
use linekey::core::sdp::Direction::{self, *};
use linekey::core::sip::message::{Message, Request};

use crate::sim::*;

/// A calls B, B answers; each phone with its overrides.
fn connected(a: &[&str], b: &[&str]) -> Sim {
    let mut sim = pair(a, b);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("B", 1).0 == Connected,
        secs(1),
    );
    sim
}

/// Runs until both lines show these states.
fn until(sim: &mut Sim, a: LineState, b: LineState) {
    sim.run_until(|s| s.line("A", 1).0 == a && s.line("B", 1).0 == b, secs(1));
}

/// The re-INVITEs `from` sent to `to`, in order (the first INVITE A->B is the call's own).
fn reinvites(sim: &Sim, from: &str, to: &str) -> Vec<Request> {
    let mut all: Vec<Request> = sim
        .find_all(from, to, "INVITE")
        .into_iter()
        .map(request)
        .collect();
    if from == "A" {
        all.remove(0);
    }
    all
}

/// The SDP bodies of the 200s `from` sent, in order.
fn answers(sim: &Sim, from: &str, to: &str) -> Vec<String> {
    sim.find_all(from, to, "200").iter().map(body).collect()
}

fn sdp_of(req: &Request) -> String {
    body(&Message::Request(req.clone()))
}

#[test]
fn callee_holds_the_caller_with_the_zero_address_and_resumes() {
    let mut sim = connected(&[], &[]);
    sim.intent("B", hold(1));
    until(&mut sim, RemoteHeld, Held);
    sim.intent("B", resume(1));
    until(&mut sim, Connected, Connected);
    sim.run_for(secs(40));

    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "B->A 200",
            "A->B ACK",
            "B->A INVITE",
            "A->B 200",
            "B->A ACK",
            "B->A INVITE",
            "A->B 200",
            "B->A ACK",
        ]
    );
    let invite = sim.request("A", "B", "INVITE");
    let [held, resumed] = <[Request; 2]>::try_from(reinvites(&sim, "B", "A")).unwrap();
    for (n, re) in [&held, &resumed].into_iter().enumerate() {
        assert_eq!(
            re.headers.call_id().unwrap(),
            invite.headers.call_id().unwrap(),
            "Call_ID=1 throughout"
        );
        assert_eq!(re.headers.cseq().unwrap().seq, n as u32 + 1);
        assert_eq!(re.uri.host, "10.0.0.1", "to A's Contact");
        assert_eq!(
            re.headers.to().unwrap().tag(),
            invite.headers.from().unwrap().tag()
        );
    }
    let (held_sdp, resumed_sdp) = (sdp_of(&held), sdp_of(&resumed));
    assert_eq!(connection(&held_sdp), "c=IN IP4 0.0.0.0");
    assert!(direction_attrs(&held_sdp).is_empty());
    assert_eq!(connection(&resumed_sdp), "c=IN IP4 10.0.0.2");
    assert_eq!(direction_attrs(&resumed_sdp), ["sendrecv"]);
    let b_first = answers(&sim, "B", "A").remove(0);
    let (session, version) = origin(&b_first);
    assert_eq!(origin(&held_sdp), (session, version + 1));
    assert_eq!(origin(&resumed_sdp), (session, version + 2));

    // A answers with its own address: it still listens, but nothing reaches 0.0.0.0.
    let a_answers = answers(&sim, "A", "B");
    assert_eq!(connection(&a_answers[0]), "c=IN IP4 10.0.0.1");
    assert_eq!(direction_attrs(&a_answers[0]), ["recvonly"]);
    assert_eq!(direction_attrs(&a_answers[1]), ["sendrecv"]);
    let a_offer = sdp_of(&invite);
    assert_eq!(origin(&a_answers[0]).1, origin(&a_offer).1 + 1);

    assert_eq!(sim.directions("A"), [SendRecv, RecvOnly, SendRecv]);
    assert_eq!(sim.directions("B"), [SendRecv, Inactive, SendRecv]);
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected, RemoteHeld, Connected]
    );
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, Held, Connected]
    );
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn caller_holds_with_sendonly_and_its_cseq_goes_on() {
    let mut sim = connected(&["calls.hold_style=sendonly"], &[]);
    sim.intent("A", hold(1));
    until(&mut sim, Held, RemoteHeld);
    sim.intent("A", resume(1));
    until(&mut sim, Connected, Connected);

    let invite = sim.request("A", "B", "INVITE");
    let seq = invite.headers.cseq().unwrap().seq;
    let [held, resumed] = <[Request; 2]>::try_from(reinvites(&sim, "A", "B")).unwrap();
    assert_eq!(held.headers.cseq().unwrap().seq, seq + 1);
    assert_eq!(resumed.headers.cseq().unwrap().seq, seq + 2);
    assert_eq!(held.uri.host, "10.0.0.2", "to B's Contact");
    let held_sdp = sdp_of(&held);
    assert_eq!(connection(&held_sdp), "c=IN IP4 10.0.0.1");
    assert_eq!(direction_attrs(&held_sdp), ["sendonly"]);
    let offer = sdp_of(&invite);
    assert_eq!(origin(&held_sdp).0, origin(&offer).0, "same session");
    assert_eq!(origin(&held_sdp).1, origin(&offer).1 + 1);
    assert_eq!(origin(&sdp_of(&resumed)).1, origin(&offer).1 + 2);
    assert_eq!(direction_attrs(&answers(&sim, "B", "A")[1]), ["recvonly"]);

    let acks: Vec<Request> = sim
        .find_all("A", "B", "ACK")
        .into_iter()
        .map(request)
        .collect();
    let ack_seqs: Vec<String> = acks
        .iter()
        .map(|a| a.headers.cseq().unwrap().to_string())
        .collect();
    assert_eq!(
        ack_seqs,
        [seq, seq + 1, seq + 2].map(|s| format!("{s} ACK"))
    );

    assert_eq!(sim.directions("A"), [SendRecv, SendOnly, SendRecv]);
    assert_eq!(sim.directions("B"), [SendRecv, RecvOnly, SendRecv]);
}

#[test]
fn both_hold_then_both_resume() {
    let style = ["calls.hold_style=sendonly"];
    let mut sim = connected(&style, &style);
    sim.intent("B", hold(1));
    until(&mut sim, RemoteHeld, Held);
    // A holds too: it may not send (B holds it) nor receive.
    sim.intent("A", hold(1));
    until(&mut sim, Held, Held);
    // B resumes while A still holds: B offers to receive only.
    sim.intent("B", resume(1));
    until(&mut sim, Held, RemoteHeld);
    sim.intent("A", resume(1));
    until(&mut sim, Connected, Connected);

    let from_b: Vec<String> = reinvites(&sim, "B", "A").iter().map(sdp_of).collect();
    let from_a: Vec<String> = reinvites(&sim, "A", "B").iter().map(sdp_of).collect();
    let attrs = |sdps: &[String]| -> Vec<String> {
        sdps.iter().map(|s| direction_attrs(s).join(" ")).collect()
    };
    assert_eq!(attrs(&from_b), ["sendonly", "recvonly"]);
    assert_eq!(attrs(&from_a), ["inactive", "sendrecv"]);
    // Each side's answers: A to B's hold and resume, B to A's hold and resume.
    assert_eq!(attrs(&answers(&sim, "A", "B")), ["recvonly", "sendonly"]);
    assert_eq!(
        attrs(&answers(&sim, "B", "A")[1..]),
        ["inactive", "sendrecv"]
    );

    assert_eq!(
        sim.directions("A"),
        [SendRecv, RecvOnly, Inactive, SendOnly, SendRecv]
    );
    assert_eq!(
        sim.directions("B"),
        [SendRecv, SendOnly, Inactive, RecvOnly, SendRecv]
    );
    // Our own hold wins the line key: B shows held throughout A's hold of it.
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected, RemoteHeld, Held, Connected]
    );
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, Held, RemoteHeld, Connected]
    );
}

#[test]
fn both_hold_with_the_zero_address() {
    let mut sim = connected(&[], &[]);
    sim.intent("A", hold(1));
    until(&mut sim, Held, RemoteHeld);
    sim.intent("B", hold(1));
    until(&mut sim, Held, Held);
    let b_hold = sdp_of(&reinvites(&sim, "B", "A")[0]);
    assert_eq!(connection(&b_hold), "c=IN IP4 0.0.0.0");
    assert!(direction_attrs(&b_hold).is_empty());
    // A, holding in its answer too, answers from the zero address.
    assert_eq!(connection(&answers(&sim, "A", "B")[0]), "c=IN IP4 0.0.0.0");
    assert_eq!(sim.directions("A"), [SendRecv, Inactive, Inactive]);
    assert_eq!(sim.directions("B"), [SendRecv, RecvOnly, Inactive]);

    sim.intent("A", resume(1));
    until(&mut sim, RemoteHeld, Held);
    sim.intent("B", resume(1));
    until(&mut sim, Connected, Connected);
    assert_eq!(sim.directions("A").last(), Some(&SendRecv));
    assert_eq!(sim.directions("B").last(), Some(&SendRecv));
}

#[test]
fn simultaneous_holds_collide_and_the_callee_retries_first() {
    let mut sim = connected(&[], &[]);
    sim.run_for(secs(1));
    let before = sim.trace_lines().len();
    sim.intent("A", hold(1));
    sim.intent("B", hold(1));
    let collided = sim.elapsed();
    sim.run_until(
        |s| s.line("A", 1).0 == Held && s.line("B", 1).0 == Held,
        secs(5),
    );
    sim.run_for(secs(40));

    assert_eq!(
        sim.trace_lines()[before..],
        [
            "A->B INVITE",
            "B->A INVITE",
            "B->A 491",
            "A->B 491",
            "A->B ACK",
            "B->A ACK",
            "B->A INVITE",
            "A->B 200",
            "B->A ACK",
        ]
    );
    // B does not own the Call-ID: it retries within 0–2 s of the 491's arrival.
    let retry = sim.times("B", "A", "INVITE")[1];
    let refused = collided + 2 * LATENCY;
    assert!(retry >= refused && retry - refused <= secs(2), "{retry:?}");
    // A's answer to B's retry carried A's hold too, so A's own retry found nothing to do.
    let a_answer = answers(&sim, "A", "B").pop().unwrap();
    assert_eq!(connection(&a_answer), "c=IN IP4 0.0.0.0");
    assert_eq!(sim.directions("A").last(), Some(&Inactive));
    assert_eq!(sim.directions("B").last(), Some(&Inactive));
    assert!(sim.errors("A").is_empty() && sim.errors("B").is_empty());
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn hold_and_resume_in_the_wrong_state_are_refused() {
    let mut sim = pair(&[], &[]);
    sim.intent("A", hold(1));
    sim.intent("A", hold(7));
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("A", hold(1));
    sim.intent("B", hold(1));
    sim.intent("B", answer(1));
    until(&mut sim, Connected, Connected);
    sim.intent("A", resume(1));
    let before = sim.trace_lines().len();
    sim.intent("A", hold(1));
    sim.intent("A", hold(1));
    until(&mut sim, Held, RemoteHeld);
    sim.intent("A", hold(1));
    sim.intent("B", resume(1));
    sim.run_for(secs(1));

    assert_eq!(
        sim.errors("A"),
        [
            "line 1 is idle",
            "there is no line 7: lines are 1 to 6",
            "line 1 cannot be put on hold: it has no connected call",
            "line 1 is not on hold",
            "line 1 is already being put on hold",
            "line 1 is already on hold",
        ]
    );
    assert_eq!(
        sim.errors("B"),
        [
            "line 1 cannot be put on hold: it has no connected call",
            "line 1 is not on hold here: the other party holds the call",
        ]
    );
    // Only the one accepted hold went out.
    assert_eq!(
        sim.trace_lines()[before..],
        ["A->B INVITE", "B->A 200", "A->B ACK"]
    );
}

#[test]
fn resume_while_the_hold_is_in_flight_follows_it() {
    let mut sim = connected(&[], &[]);
    sim.intent("A", hold(1));
    sim.intent("A", resume(1));
    until(&mut sim, Connected, Connected);
    sim.run_for(secs(1));
    let offers: Vec<String> = reinvites(&sim, "A", "B").iter().map(sdp_of).collect();
    assert_eq!(offers.len(), 2, "{}", sim.dump());
    assert_eq!(connection(&offers[0]), "c=IN IP4 0.0.0.0");
    assert_eq!(direction_attrs(&offers[1]), ["sendrecv"]);
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected, Held, Connected]
    );
    assert_eq!(
        sim.directions("A"),
        [SendRecv, Direction::Inactive, SendRecv]
    );
}

#[test]
fn a_lost_ack_for_the_hold_is_sent_again_for_the_retransmitted_200() {
    let mut sim = connected(&[], &[]);
    sim.drop_nth("B", "A", "ACK", 1);
    sim.intent("B", hold(1));
    sim.run_for(secs(40));
    let before_hold = 5;
    assert_eq!(
        sim.trace_lines()[before_hold..],
        [
            "B->A INVITE",
            "A->B 200",
            "B->A ACK (dropped)",
            "A->B 200",
            "B->A ACK",
        ]
    );
    let acks = sim.find_all("B", "A", "ACK");
    assert_eq!(body(&acks[0]), body(&acks[1]));
    assert_eq!(
        request(acks[0].clone()).headers.get("Via"),
        request(acks[1].clone()).headers.get("Via"),
        "the same ACK again"
    );
    assert_eq!(sim.line_states("B", 1), [Incoming, Connected, Held]);
    assert_eq!(sim.directions("B"), [SendRecv, Inactive], "started once");
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}
