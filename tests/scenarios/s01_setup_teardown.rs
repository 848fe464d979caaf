//! S1 (seed figure B-1): setup with 100/180/200/ACK and teardown with BYE/200, linekey as caller
//! and as callee, against linekey and against a scripted gateway.

use linekey::core::phone::LineState::*;
use linekey::core::sdp::Codec;
use linekey::core::sip::message::{Message, Method, Request, Response};
use linekey::core::sip::uri::Uri;

use crate::sim::*;

/// A calls B, B answers; returns once both lines are connected.
fn connected_pair() -> Sim {
    let mut sim = pair(&[], &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("A", 1).0 == Ringing, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("B", 1).0 == Connected,
        secs(1),
    );
    // Nothing more: the 200 is not retransmitted once ACKed.
    sim.run_for(secs(2));
    sim
}

fn tag(value: Result<linekey::core::sip::uri::NameAddr, impl std::fmt::Debug>) -> String {
    value.expect("name-addr").tag().expect("tag").to_owned()
}

const SETUP: [&str; 5] = [
    "A->B INVITE",
    "B->A 100",
    "B->A 180",
    "B->A 200",
    "A->B ACK",
];

#[test]
fn setup_messages_and_headers() {
    let sim = connected_pair();
    assert_eq!(sim.trace_lines(), SETUP);

    let invite = sim.request("A", "B", "INVITE");
    assert_eq!(invite.uri.to_string(), "sip:bob@10.0.0.2");
    assert_eq!(
        invite.headers.content_type().as_deref(),
        Some("application/sdp")
    );
    let offer = String::from_utf8(invite.body.clone()).unwrap();
    assert!(offer.contains("m=audio "), "offer: {offer}");
    assert!(offer.contains("c=IN IP4 10.0.0.1"), "offer: {offer}");
    assert!(!invite.headers.contacts().is_empty(), "INVITE Contact");
    assert_eq!(invite.headers.contacts()[0].uri.host, "10.0.0.1");
    let from_tag = tag(invite.headers.from());
    assert!(invite.headers.to().unwrap().tag().is_none());
    let cseq = invite.headers.cseq().unwrap();
    assert_eq!(cseq.method, Method::Invite);
    let call_id = invite.headers.call_id().unwrap().to_owned();
    let branch = invite.headers.via().unwrap().branch().unwrap().to_owned();
    assert!(branch.starts_with("z9hG4bK"));

    let trying = sim.response("B", "A", 100);
    let ringing = sim.response("B", "A", 180);
    let ok = sim.response("B", "A", 200);
    for resp in [&trying, &ringing, &ok] {
        assert_eq!(resp.headers.call_id().unwrap(), call_id);
        assert_eq!(resp.headers.cseq().unwrap(), cseq);
        assert_eq!(tag(resp.headers.from()), from_tag);
        assert_eq!(resp.headers.via().unwrap().branch(), Some(branch.as_str()));
    }
    let to_tag = tag(ringing.headers.to());
    assert_eq!(tag(ok.headers.to()), to_tag, "180 and 200 share the To tag");
    assert_eq!(ok.headers.contacts()[0].uri.host, "10.0.0.2");
    assert_eq!(
        ok.headers.content_type().as_deref(),
        Some("application/sdp")
    );
    let answer = String::from_utf8(ok.body.clone()).unwrap();
    assert!(answer.contains("m=audio "), "answer: {answer}");
    assert!(answer.contains("c=IN IP4 10.0.0.2"), "answer: {answer}");

    let ack = sim.request("A", "B", "ACK");
    assert_eq!(ack.headers.call_id().unwrap(), call_id);
    assert_eq!(ack.headers.cseq().unwrap().seq, cseq.seq);
    assert_eq!(ack.headers.cseq().unwrap().method, Method::Ack);
    assert_eq!(tag(ack.headers.to()), to_tag);
    assert_eq!(tag(ack.headers.from()), from_tag);
    assert_ne!(
        ack.headers.via().unwrap().branch(),
        Some(branch.as_str()),
        "the ACK for a 2xx is a new transaction"
    );
    assert_eq!(ack.uri.host, "10.0.0.2", "ACK goes to the 200's Contact");

    // Both ends started media with a common codec, each towards the other's SDP address.
    let a_media = sim.media_starts("A");
    let b_media = sim.media_starts("B");
    assert_eq!(a_media.len(), 1, "{a_media:?}");
    assert_eq!(b_media.len(), 1, "{b_media:?}");
    assert_eq!(a_media[0].1, b_media[0].1);
    assert_eq!(a_media[0].1, Codec::Opus, "both prefer opus");
    assert_eq!(a_media[0].0.ip().to_string(), "10.0.0.2");
    assert_eq!(b_media[0].0.ip().to_string(), "10.0.0.1");

    assert_eq!(
        sim.line_events("A"),
        vec![
            (1, Dialing, None),
            (1, Trying, None),
            (1, Ringing, None),
            (1, Connected, None)
        ]
    );
    assert_eq!(
        sim.line_events("B"),
        vec![(1, Incoming, None), (1, Connected, None)]
    );
}

#[test]
fn callee_hangs_up() {
    // The seed's flow: the phone that was called ends the call.
    let mut sim = connected_pair();
    sim.intent("B", hangup(1));
    sim.run_for(secs(40));
    let mut expected = SETUP.to_vec();
    expected.extend(["B->A BYE", "A->B 200"]);
    assert_eq!(sim.trace_lines(), expected);

    let invite = sim.request("A", "B", "INVITE");
    let ok = sim.response("B", "A", 200);
    let bye = sim.request("B", "A", "BYE");
    assert_eq!(
        bye.headers.call_id().unwrap(),
        invite.headers.call_id().unwrap()
    );
    assert_eq!(tag(bye.headers.from()), tag(ok.headers.to()));
    assert_eq!(tag(bye.headers.to()), tag(invite.headers.from()));
    assert_eq!(bye.uri.host, "10.0.0.1", "BYE goes to the INVITE's Contact");
    assert!(!bye.headers.contacts().is_empty());
    let bye_ok = response(sim.find_all("A", "B", "200").remove(0));
    assert_eq!(bye_ok.headers.cseq().unwrap(), bye.headers.cseq().unwrap());

    assert_eq!(sim.line("A", 1), (Idle, Some("remote_hangup".into())));
    assert_eq!(sim.line("B", 1), (Idle, Some("local_hangup".into())));
    assert!(sim.media_closed("A") && sim.media_closed("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn caller_hangs_up() {
    let mut sim = connected_pair();
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    let mut expected = SETUP.to_vec();
    expected.extend(["A->B BYE", "B->A 200"]);
    assert_eq!(sim.trace_lines(), expected);

    let invite = sim.request("A", "B", "INVITE");
    let ok = sim.response("B", "A", 200);
    let bye = sim.request("A", "B", "BYE");
    let invite_seq = invite.headers.cseq().unwrap().seq;
    assert_eq!(bye.headers.cseq().unwrap().seq, invite_seq + 1);
    assert_eq!(bye.headers.cseq().unwrap().method, Method::Bye);
    assert_eq!(
        bye.headers.call_id().unwrap(),
        invite.headers.call_id().unwrap()
    );
    assert_eq!(tag(bye.headers.from()), tag(invite.headers.from()));
    assert_eq!(tag(bye.headers.to()), tag(ok.headers.to()));
    assert_eq!(bye.uri.host, "10.0.0.2");

    assert_eq!(
        sim.line_states("A", 1),
        vec![Dialing, Trying, Ringing, Connected, Idle]
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("local_hangup".into())));
    assert_eq!(sim.line_states("B", 1), vec![Incoming, Connected, Idle]);
    assert_eq!(sim.line("B", 1), (Idle, Some("remote_hangup".into())));
    assert!(sim.media_closed("A") && sim.media_closed("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn lost_invite_200_and_ack_are_recovered() {
    let mut sim = pair(&[], &[]);
    sim.drop_nth("A", "B", "INVITE", 1);
    sim.drop_nth("B", "A", "200", 1);
    sim.drop_nth("A", "B", "ACK", 1);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(2));
    sim.run_for(secs(1));
    sim.intent("B", answer(1));
    let answered = sim.elapsed();
    sim.run_for(secs(5));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE (dropped)",
            "A->B INVITE",
            "B->A 100",
            "B->A 180",
            "B->A 200 (dropped)",
            "B->A 200",
            "A->B ACK (dropped)",
            "B->A 200",
            "A->B ACK",
        ]
    );
    // Timer A: the INVITE again after T1; the 200 again after T1, then 2*T1.
    assert_eq!(sim.times("A", "B", "INVITE"), [ms(0), ms(500)]);
    assert_eq!(
        sim.times("B", "A", "200"),
        [answered, answered + ms(500), answered + ms(1500)]
    );
    assert_eq!(sim.line("A", 1).0, Connected);
    assert_eq!(sim.line("B", 1).0, Connected);
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected]
    );
}

/// A gateway calling the phone (the seed's B-1 roles exactly): INVITE with a PCMU offer.
#[test]
fn gateway_calls_phone_which_hangs_up() {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    sim.add_peer("G", P_ADDR, |ctx, msg| match msg {
        Message::Response(resp)
            if resp.status == 200 && resp.headers.cseq().unwrap().method == Method::Invite =>
        {
            let ack = peer::ack_2xx(&resp, ctx.me, "gwack1");
            ctx.reply(ack);
        }
        Message::Request(req) if req.method == Method::Bye => ctx.reply(peer::reply(&req, 200)),
        _ => {}
    });
    let g = sim.addr("G");
    let invite: Request = peer::invite(g, "bob@10.0.0.2", "gw1", &peer::pcmu("10.0.0.9"));
    sim.send("G", "B", invite.clone());
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("B", hangup(1));
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "G->B INVITE",
            "B->G 100",
            "B->G 180",
            "B->G 200",
            "G->B ACK",
            "B->G BYE",
            "G->B 200"
        ]
    );
    let ok: Response = sim.response("B", "G", 200);
    let body = String::from_utf8(ok.body.clone()).unwrap();
    assert!(body.contains("RTP/AVP 0"), "answer keeps PCMU only: {body}");
    assert!(body.contains("c=IN IP4 10.0.0.2"));
    assert_eq!(
        sim.media_starts("B"),
        [("10.0.0.9:4000".parse().unwrap(), Codec::Pcmu)]
    );
    let bye = sim.request("B", "G", "BYE");
    assert_eq!(bye.uri.to_string(), "sip:gw@10.0.0.9:5060");
    assert_eq!(
        bye.headers.call_id().unwrap(),
        invite.headers.call_id().unwrap()
    );
    assert_eq!(tag(bye.headers.to()), "gwgw1");
    assert_eq!(tag(bye.headers.from()), tag(ok.headers.to()));
    assert_eq!(sim.line_states("B", 1), [Incoming, Connected, Idle]);
    assert_eq!(sim.line("B", 1).1.as_deref(), Some("local_hangup"));
    assert!(sim.media_closed("B"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

/// The phone calls a gateway that answers after two seconds of ringing and then hangs up.
#[test]
fn phone_calls_gateway_which_hangs_up() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.add_peer("G", P_ADDR, peer::answering(secs(2)));
    sim.intent("A", dial("sip:gw@10.0.0.9"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    assert_eq!(sim.elapsed(), ms(2020), "connected on the 200's arrival");
    let ok = sim.response("G", "A", 200);
    let a_tag = tag(sim.request("A", "G", "INVITE").headers.from());
    // The gateway hangs up.
    let mut bye = Request::new(Method::Bye, Uri::parse("sip:alice@10.0.0.1:5060").unwrap());
    bye.headers
        .push("Via", "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKgwbye");
    bye.headers.push("Max-Forwards", "70");
    bye.headers.push("From", ok.headers.get("To").unwrap());
    bye.headers.push("To", ok.headers.get("From").unwrap());
    bye.headers.push("Call-ID", ok.headers.call_id().unwrap());
    bye.headers.push("CSeq", "1 BYE");
    sim.send("G", "A", bye);
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->G INVITE",
            "G->A 100",
            "G->A 180",
            "G->A 200",
            "A->G ACK",
            "G->A BYE",
            "A->G 200"
        ]
    );
    assert_eq!(tag(sim.response("A", "G", 200).headers.from()), PEER_TAG);
    assert_eq!(tag(sim.response("A", "G", 200).headers.to()), a_tag);
    assert_eq!(
        sim.media_starts("A"),
        [("10.0.0.9:4000".parse().unwrap(), Codec::Pcmu)]
    );
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected, Idle]
    );
    assert_eq!(sim.line("A", 1).1.as_deref(), Some("remote_hangup"));
    assert!(sim.media_closed("A"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

const PEER_TAG: &str = peer::TAG;

#[test]
fn lost_provisionals_are_repeated_for_the_retransmitted_invite() {
    let mut sim = pair(&[], &[]);
    sim.drop_nth("B", "A", "100", 1);
    sim.drop_nth("B", "A", "180", 1);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(2));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->B INVITE",
            "B->A 100 (dropped)",
            "B->A 180 (dropped)",
            "A->B INVITE",
            "B->A 180",
        ]
    );
    // The retransmission is absorbed: B rings once.
    assert_eq!(sim.line_states("B", 1), [Incoming]);
    assert_eq!(sim.line_states("A", 1), [Dialing, Ringing]);
    assert!(sim.line_events("B").iter().all(|(l, ..)| *l == 1));
}

#[test]
fn two_calls_in_a_row_use_fresh_identifiers() {
    let mut sim = connected_pair();
    sim.intent("A", hangup(1));
    sim.run_for(secs(1));
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line_states("B", 1).len() == 4, secs(1));
    sim.intent("B", answer(1));
    sim.run_for(secs(1));
    let invites = sim.find_all("A", "B", "INVITE");
    assert_eq!(invites.len(), 2);
    let (first, second) = (request(invites[0].clone()), request(invites[1].clone()));
    assert_ne!(
        first.headers.call_id().unwrap(),
        second.headers.call_id().unwrap()
    );
    assert_ne!(
        first.headers.from().unwrap().tag(),
        second.headers.from().unwrap().tag()
    );
    assert_eq!(sim.line("A", 1).0, Connected);
    assert_eq!(sim.line("B", 1).0, Connected);
}
