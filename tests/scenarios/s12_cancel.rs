//! S12 (seed figure B-12): a ringing INVITE is cancelled. The ringing phone answers the CANCEL
//! `200`, the INVITE `487`, and stops ringing; the caller ACKs the `487` in the INVITE's
//! transaction.

use linekey::core::phone::LineState::*;
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

const CANCELLED: [&str; 7] = [
    "A->B INVITE",
    "B->A 100",
    "B->A 180",
    "A->B CANCEL",
    "B->A 200",
    "B->A 487",
    "A->B ACK",
];

#[test]
fn caller_hangs_up_while_ringing() {
    let mut sim = pair(&[], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("A", 1).0 == Ringing, secs(1));
    sim.run_for(secs(3));
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    assert_eq!(sim.trace_lines(), CANCELLED);

    let invite = sim.request("A", "B", "INVITE");
    let cancel = sim.request("A", "B", "CANCEL");
    assert_eq!(cancel.uri, invite.uri);
    assert_eq!(
        cancel.headers.via().unwrap().branch(),
        invite.headers.via().unwrap().branch(),
        "CANCEL uses the INVITE's branch"
    );
    assert_eq!(
        cancel.headers.call_id().unwrap(),
        invite.headers.call_id().unwrap()
    );
    assert_eq!(
        cancel.headers.cseq().unwrap().seq,
        invite.headers.cseq().unwrap().seq
    );
    assert_eq!(cancel.headers.cseq().unwrap().method, Method::Cancel);
    assert_eq!(cancel.headers.get("From"), invite.headers.get("From"));
    assert_eq!(cancel.headers.get("To"), invite.headers.get("To"));

    let cancel_ok = sim.response("B", "A", 200);
    assert_eq!(cancel_ok.headers.cseq().unwrap().method, Method::Cancel);
    let terminated = sim.response("B", "A", 487);
    assert_eq!(terminated.headers.cseq().unwrap().method, Method::Invite);
    let ringing = sim.response("B", "A", 180);
    assert_eq!(
        terminated.headers.to().unwrap().tag(),
        ringing.headers.to().unwrap().tag(),
        "the 487 keeps the early dialog's To tag"
    );

    let ack = sim.request("A", "B", "ACK");
    assert_eq!(
        ack.headers.via().unwrap().branch(),
        invite.headers.via().unwrap().branch(),
        "the ACK for a non-2xx belongs to the INVITE transaction"
    );
    assert_eq!(
        ack.headers.cseq().unwrap().seq,
        invite.headers.cseq().unwrap().seq
    );
    assert_eq!(ack.headers.get("To"), terminated.headers.get("To"));

    assert_eq!(sim.line_states("A", 1), [Dialing, Trying, Ringing, Idle]);
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("local_hangup"));
    assert_eq!(sim.line_states("B", 1), [Incoming, Idle]);
    assert_eq!(sim.line("B", 1).1.as_deref(), Some("cancelled"));
    assert!(sim.media_closed("A") && sim.media_closed("B"));
    assert!(sim.media_starts("A").is_empty() && sim.media_starts("B").is_empty());
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn hang_up_before_any_provisional_cancels_when_one_arrives() {
    // The INVITE is lost once, so the user hangs up before the 100: the CANCEL must wait for a
    // provisional response (RFC 3261 §9.1).
    let mut sim = pair(&[], &[]);
    sim.drop_nth("A", "B", "INVITE", 1);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_for(ms(200));
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE (dropped)",
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "A->B CANCEL",
            "B->A 200",
            "B->A 487",
            "A->B ACK",
        ]
    );
    assert_eq!(sim.line_states("A", 1), [Dialing, Idle]);
    assert_eq!(sim.line("B", 1), (Idle, Some("cancelled".into())));
}

#[test]
fn cancel_from_a_gateway_stops_ringing() {
    // The phone is the ringing callee; a scripted gateway gives up with CANCEL after 180.
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    let g = "10.0.0.9:5060".parse().unwrap();
    let invite = peer::invite(g, "bob@10.0.0.2", "gwc1", &peer::pcmu("10.0.0.9"));
    let sent = invite.clone();
    sim.add_peer("G", P_ADDR, move |ctx, msg| {
        let Message::Response(resp) = msg else { return };
        match resp.status {
            180 => {
                assert_eq!(ctx.now, ms(20), "180 after one round trip");
                ctx.send_later(ctx.from, peer::cancel(&sent), secs(5))
            }
            487 => ctx.reply(peer::ack_non_2xx(&sent, &resp)),
            _ => {}
        }
    });
    sim.send("G", "B", invite.clone());
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "G->B INVITE",
            "B->G 100",
            "B->G 180",
            "G->B CANCEL",
            "B->G 200",
            "B->G 487",
            "G->B ACK",
        ]
    );
    assert_eq!(sim.times("G", "B", "CANCEL"), [ms(5020)]);
    let cancel_ok = sim.response("B", "G", 200);
    assert_eq!(cancel_ok.headers.cseq().unwrap().method, Method::Cancel);
    assert_eq!(
        cancel_ok.headers.via().unwrap().branch(),
        Some("z9hG4bKgwc1")
    );
    let terminated = sim.response("B", "G", 487);
    assert_eq!(terminated.headers.cseq().unwrap().seq, 101);
    assert_eq!(terminated.headers.cseq().unwrap().method, Method::Invite);
    assert_eq!(
        terminated.headers.to().unwrap().tag(),
        sim.response("B", "G", 180).headers.to().unwrap().tag()
    );
    assert_eq!(sim.line_states("B", 1), [Incoming, Idle]);
    assert_eq!(sim.line("B", 1).1.as_deref(), Some("cancelled"));
    assert!(sim.media_closed("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn unacknowledged_487_is_retransmitted_until_the_ack() {
    // The gateway's first ACK is lost: the phone repeats the 487 (timer G) until it comes.
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    let g = "10.0.0.9:5060".parse().unwrap();
    let invite = peer::invite(g, "bob@10.0.0.2", "gwc2", &peer::pcmu("10.0.0.9"));
    let sent = invite.clone();
    sim.add_peer("G", P_ADDR, move |ctx, msg| {
        let Message::Response(resp) = msg else { return };
        match resp.status {
            180 => ctx.reply(peer::cancel(&sent)),
            487 => ctx.reply(peer::ack_non_2xx(&sent, &resp)),
            _ => {}
        }
    });
    sim.drop_nth("G", "B", "ACK", 1);
    sim.send("G", "B", invite);
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "G->B INVITE",
            "B->G 100",
            "B->G 180",
            "G->B CANCEL",
            "B->G 200",
            "B->G 487",
            "G->B ACK (dropped)",
            "B->G 487",
            "G->B ACK",
        ]
    );
    let t = sim.times("B", "G", "487");
    assert_eq!(t[1] - t[0], ms(500), "timer G starts at T1");
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn cancel_for_an_unknown_transaction_gets_481() {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    sim.add_peer("G", P_ADDR, peer::silent());
    let g = "10.0.0.9:5060".parse().unwrap();
    let invite = peer::invite(g, "bob@10.0.0.2", "gwc3", &peer::pcmu("10.0.0.9"));
    sim.send("G", "B", peer::cancel(&invite));
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines(), ["G->B CANCEL", "B->G 481"]);
    assert!(sim.line_events("B").is_empty());
}

#[test]
fn hangup_crossing_the_200_ends_with_bye() {
    // The caller hangs up 5 ms after the callee answered: the CANCEL and the 200 cross. The
    // CANCEL no longer matters; the caller ends the call it got with ACK and BYE.
    let mut sim = pair(&[], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("A", 1).0 == Ringing, secs(1));
    sim.intent("B", answer(1));
    sim.run_for(ms(5));
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    let lines = sim.trace_lines();
    assert_eq!(
        lines[..6],
        [
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "B->A 200",
            "A->B CANCEL",
            "A->B ACK"
        ],
        "{}",
        sim.dump()
    );
    assert!(lines.contains(&"A->B BYE".to_owned()), "{}", sim.dump());
    // The CANCEL matched the answered INVITE, so it gets 200, not 481 (RFC 3261 §9.2).
    assert!(!lines.contains(&"B->A 481".to_owned()), "{}", sim.dump());
    let cancel_answered = sim.find_all("B", "A", "200").iter().any(|m| {
        m.headers()
            .cseq()
            .is_ok_and(|c| c.method.as_str() == "CANCEL")
    });
    assert!(cancel_answered, "{}", sim.dump());
    assert_eq!(sim.line_states("A", 1), [Dialing, Trying, Ringing, Idle]);
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("local_hangup"));
    // B answered, so for B the call connected and was then hung up by the far end.
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, Idle],
        "{}",
        sim.dump()
    );
    assert_eq!(sim.line("B", 1).1.as_deref(), Some("remote_hangup"));
    assert!(sim.media_closed("A") && sim.media_closed("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}
