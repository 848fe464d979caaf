//! S2 (seed figure B-2): a gateway calls the phone, the phone puts it on hold with a mid-call
//! re-INVITE (no RTP while held) and takes it off hold again. Also the gateway holding the
//! phone, a re-INVITE without SDP, and re-INVITEs that are refused, challenged, lost or collide.

use std::collections::VecDeque;

use linekey::core::phone::LineState::*;
use linekey::core::sdp::{Codec, Direction};
use linekey::core::sip::message::{Message, Method, Request, Response};

use crate::sim::*;

/// How the scripted gateway answers the phone's re-INVITEs, in order.
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// 200 with an answer that mirrors the offer's hold.
    Accept,
    /// This status and nothing else.
    Status(u16),
    /// 407 with a digest challenge.
    Challenge,
    /// No response at all.
    Ignore,
}

/// The gateway's answer to an offer: PCMU on its own address, the direction the offer allows.
fn mirror(offer: &str) -> String {
    let direction = match direction_attrs(offer).last().copied() {
        Some("inactive") => "inactive",
        Some("recvonly") => "sendonly",
        _ if offer.contains("c=IN IP4 0.0.0.0") => "recvonly",
        Some("sendonly") => "recvonly",
        _ => "sendrecv",
    };
    peer::pcmu_with("10.0.0.9", direction, false)
}

/// A gateway at `P_ADDR`: it answers an INVITE that calls it at once with 200, ACKs the 2xx to
/// its own INVITE (CSeq 101), answers BYE, and the phone's re-INVITEs as `script` says
/// (`Accept` once the script is used up).
fn gateway(script: Vec<Reply>) -> impl FnMut(&mut PeerCtx, Message) {
    let mut script: VecDeque<Reply> = script.into();
    move |ctx, msg| match msg {
        Message::Response(resp) => {
            let cseq = resp.headers.cseq().unwrap();
            if resp.status == 200 && cseq.method == Method::Invite && cseq.seq == 101 {
                let ack = peer::ack_2xx(&resp, ctx.me, "gwack1");
                ctx.reply(ack);
            }
        }
        Message::Request(req) => match req.method {
            Method::Invite if req.headers.to().unwrap().tag().is_some() => {
                match script.pop_front().unwrap_or(Reply::Accept) {
                    Reply::Accept => {
                        let mut ok = peer::reply(&req, 200);
                        ok.headers.push("Contact", format!("<sip:gw@{}>", ctx.me));
                        ok.headers.push("Content-Type", "application/sdp");
                        ok.body = mirror(&body(&Message::Request(req))).into_bytes();
                        ctx.reply(ok);
                    }
                    Reply::Status(status) => ctx.reply(peer::reply(&req, status)),
                    Reply::Challenge => {
                        let mut challenge = peer::reply(&req, 407);
                        challenge.headers.push(
                            "Proxy-Authenticate",
                            "Digest realm=\"gw\", nonce=\"n1\", qop=\"auth\", algorithm=MD5",
                        );
                        ctx.reply(challenge);
                    }
                    Reply::Ignore => {}
                }
            }
            Method::Invite => {
                ctx.reply(peer::reply(&req, 100));
                let ok = peer::ok_with_sdp(&req, ctx.me);
                ctx.reply(ok);
            }
            Method::Bye => ctx.reply(peer::reply(&req, 200)),
            _ => {}
        },
    }
}

/// The seed's B-2 setup: the gateway calls phone B, B answers, the gateway ACKs.
fn gateway_calls(overrides: &[&str], script: Vec<Reply>) -> Sim {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, overrides);
    sim.add_peer("G", P_ADDR, gateway(script));
    let g = sim.addr("G");
    let invite = peer::invite(g, "bob@10.0.0.2", "gw1", &peer::pcmu("10.0.0.9"));
    sim.send("G", "B", invite);
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.run_for(secs(1));
    sim
}

const SETUP: [&str; 5] = [
    "G->B INVITE",
    "B->G 100",
    "B->G 180",
    "B->G 200",
    "G->B ACK",
];

/// The phone's re-INVITEs to the gateway, in order.
fn reinvites(sim: &Sim) -> Vec<Request> {
    sim.find_all("B", "G", "INVITE")
        .into_iter()
        .map(request)
        .collect()
}

/// The answer in the phone's first 200 to the gateway (the call's first SDP).
fn first_answer(sim: &Sim) -> String {
    body(&sim.find("B", "G", "200"))
}

#[test]
fn phone_holds_and_resumes_the_gateway_with_the_zero_address() {
    let mut sim = gateway_calls(&[], vec![]);
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    sim.intent("B", resume(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.run_for(secs(40));

    let mut expected = SETUP.to_vec();
    expected.extend([
        "B->G INVITE",
        "G->B 200",
        "B->G ACK",
        "B->G INVITE",
        "G->B 200",
        "B->G ACK",
    ]);
    assert_eq!(sim.trace_lines(), expected);

    let invite = sim.request("G", "B", "INVITE");
    let ok = sim.response("B", "G", 200);
    let [held, resumed] = <[Request; 2]>::try_from(reinvites(&sim)).unwrap();
    for (n, re) in [&held, &resumed].into_iter().enumerate() {
        assert_eq!(re.uri.to_string(), "sip:gw@10.0.0.9:5060", "to the Contact");
        assert_eq!(
            re.headers.call_id().unwrap(),
            invite.headers.call_id().unwrap()
        );
        assert_eq!(
            re.headers.from().unwrap().tag(),
            ok.headers.to().unwrap().tag()
        );
        assert_eq!(re.headers.to().unwrap().tag(), Some("gwgw1"));
        let cseq = re.headers.cseq().unwrap();
        assert_eq!((cseq.seq, cseq.method), (n as u32 + 1, Method::Invite));
        assert_eq!(re.headers.contacts()[0].uri.host, "10.0.0.2");
        assert_eq!(
            re.headers.content_type().as_deref(),
            Some("application/sdp")
        );
    }

    // The seed's hold: the zero address and nothing else; then our address back, sendrecv.
    let (first, held_sdp, resumed_sdp) = (
        first_answer(&sim),
        body(&Message::Request(held.clone())),
        body(&Message::Request(resumed.clone())),
    );
    assert_eq!(connection(&held_sdp), "c=IN IP4 0.0.0.0");
    assert!(direction_attrs(&held_sdp).is_empty(), "{held_sdp}");
    assert_eq!(connection(&resumed_sdp), "c=IN IP4 10.0.0.2");
    assert_eq!(direction_attrs(&resumed_sdp), ["sendrecv"]);
    let (session, version) = origin(&first);
    assert_eq!(origin(&held_sdp), (session, version + 1));
    assert_eq!(origin(&resumed_sdp), (session, version + 2));

    // Each 200 is ACKed in its own transaction with the re-INVITE's CSeq.
    let acks: Vec<Request> = sim
        .find_all("B", "G", "ACK")
        .into_iter()
        .map(request)
        .collect();
    for (ack, re) in acks.iter().zip([&held, &resumed]) {
        let seq = re.headers.cseq().unwrap().seq;
        assert_eq!(
            ack.headers.cseq().unwrap().to_string(),
            format!("{seq} ACK")
        );
        assert_ne!(
            ack.headers.via().unwrap().branch(),
            re.headers.via().unwrap().branch()
        );
    }

    // No RTP while held: the stream neither sends nor receives, then flows again.
    use Direction::*;
    assert_eq!(sim.directions("B"), [SendRecv, Inactive, SendRecv]);
    assert!(sim
        .media_starts("B")
        .iter()
        .all(|s| *s == ("10.0.0.9:4000".parse().unwrap(), Codec::Pcmu)));
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, Held, Connected]
    );
    assert!(sim.errors("B").is_empty());
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn phone_holds_the_gateway_with_sendonly() {
    let mut sim = gateway_calls(&["calls.hold_style=sendonly"], vec![]);
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    sim.intent("B", resume(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));

    let [held, resumed] = <[Request; 2]>::try_from(reinvites(&sim)).unwrap();
    let held_sdp = body(&Message::Request(held));
    assert_eq!(connection(&held_sdp), "c=IN IP4 10.0.0.2");
    assert_eq!(direction_attrs(&held_sdp), ["sendonly"]);
    let resumed_sdp = body(&Message::Request(resumed));
    assert_eq!(direction_attrs(&resumed_sdp), ["sendrecv"]);
    let version = origin(&first_answer(&sim)).1;
    assert_eq!(origin(&held_sdp).1, version + 1);
    assert_eq!(origin(&resumed_sdp).1, version + 2);

    use Direction::*;
    assert_eq!(sim.directions("B"), [SendRecv, SendOnly, SendRecv]);
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, Held, Connected]
    );
}

/// The gateway's re-INVITE with `sdp` (empty: none) and CSeq `seq`, answered and ACKed; returns
/// the phone's 200.
fn gateway_reinvite(sim: &mut Sim, seq: u32, sdp: &str, ack_sdp: &str) -> Response {
    let ok = sim.response("B", "G", 200);
    let g = sim.addr("G");
    let branch = format!("gwre{seq}");
    sim.send(
        "G",
        "B",
        peer::in_dialog(&ok, g, Method::Invite, seq, &branch, sdp),
    );
    sim.run_for(ms(100));
    let answer = response(
        sim.find_all("B", "G", "200")
            .into_iter()
            .rfind(|m| response(m.clone()).headers.cseq().unwrap().seq == seq)
            .expect("200 to the re-INVITE"),
    );
    let ack = peer::in_dialog(
        &answer,
        g,
        Method::Ack,
        seq,
        &format!("{branch}ack"),
        ack_sdp,
    );
    sim.send("G", "B", ack);
    sim.run_for(ms(100));
    answer
}

#[test]
fn gateway_holds_the_phone_in_either_style_and_resumes() {
    let mut sim = gateway_calls(&[], vec![]);
    let first = first_answer(&sim);
    let zero = gateway_reinvite(&mut sim, 102, &peer::pcmu_with("10.0.0.9", "", true), "");
    assert_eq!(sim.line("B", 1).0, RemoteHeld);
    let sendonly = gateway_reinvite(
        &mut sim,
        103,
        &peer::pcmu_with("10.0.0.9", "sendonly", false),
        "",
    );
    let inactive = gateway_reinvite(
        &mut sim,
        104,
        &peer::pcmu_with("10.0.0.9", "inactive", false),
        "",
    );
    let resumed = gateway_reinvite(&mut sim, 105, &peer::pcmu("10.0.0.9"), "");
    sim.run_for(secs(40));

    let answers: Vec<String> = [&zero, &sendonly, &inactive, &resumed]
        .into_iter()
        .map(|r| body(&Message::Response(r.clone())))
        .collect();
    for a in &answers {
        assert_eq!(connection(a), "c=IN IP4 10.0.0.2", "our address stays: {a}");
    }
    let dirs: Vec<Vec<&str>> = answers.iter().map(|a| direction_attrs(a)).collect();
    assert_eq!(
        dirs,
        [["recvonly"], ["recvonly"], ["inactive"], ["sendrecv"]]
    );
    // The version moves with each change of our description, not with an identical one.
    let v = origin(&first).1;
    let versions: Vec<u64> = answers.iter().map(|a| origin(a).1).collect();
    assert_eq!(versions, [v + 1, v + 1, v + 2, v + 3]);

    use Direction::*;
    assert_eq!(
        sim.directions("B"),
        [SendRecv, RecvOnly, RecvOnly, Inactive, SendRecv]
    );
    assert_eq!(
        sim.line_states("B", 1),
        [Incoming, Connected, RemoteHeld, Connected]
    );
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn gateway_reinvite_without_a_common_codec_gets_488_and_the_call_goes_on() {
    let mut sim = gateway_calls(&[], vec![]);
    let ok = sim.response("B", "G", 200);
    let g = sim.addr("G");
    let g729 = peer::sdp("10.0.0.9", 4000, &[(18, "G729/8000")]);
    sim.send(
        "G",
        "B",
        peer::in_dialog(&ok, g, Method::Invite, 102, "g729", &g729),
    );
    sim.run_for(ms(100));
    let refusal = sim.response("B", "G", 488);
    assert_eq!(refusal.headers.warning_code(), Some(304));
    assert_eq!(sim.line_states("B", 1), [Incoming, Connected]);
    assert_eq!(sim.directions("B"), [Direction::SendRecv]);

    // The old session goes on, and the next offer is answered as usual.
    let sendonly = peer::pcmu_with("10.0.0.9", "sendonly", false);
    gateway_reinvite(&mut sim, 103, &sendonly, "");
    assert_eq!(sim.line("B", 1).0, RemoteHeld);
}

#[test]
fn reinvite_without_sdp_gets_our_offer_and_the_ack_answers() {
    let mut sim = gateway_calls(&[], vec![]);
    let first = first_answer(&sim);
    let ok = gateway_reinvite(
        &mut sim,
        102,
        "",
        &peer::pcmu_with("10.0.0.9", "sendonly", false),
    );
    let offer = body(&Message::Response(ok));
    assert_eq!(connection(&offer), "c=IN IP4 10.0.0.2");
    assert_eq!(direction_attrs(&offer), ["sendrecv"]);
    assert!(
        offer.contains("m=audio 20000 RTP/AVP 111 0 8 101"),
        "{offer}"
    );
    assert_eq!(origin(&offer).1, origin(&first).1 + 1);
    assert_eq!(sim.line("B", 1).0, RemoteHeld, "held by the ACK's answer");

    // The same without SDP again: the gateway resumes in its answer.
    gateway_reinvite(&mut sim, 103, "", &peer::pcmu("10.0.0.9"));
    assert_eq!(sim.line("B", 1).0, Connected);
    use Direction::*;
    assert_eq!(sim.directions("B"), [SendRecv, RecvOnly, SendRecv]);
    let mut expected = SETUP.to_vec();
    expected.extend([
        "G->B INVITE",
        "B->G 200",
        "G->B ACK",
        "G->B INVITE",
        "B->G 200",
        "G->B ACK",
    ]);
    assert_eq!(sim.trace_lines(), expected);
}

#[test]
fn hold_waits_until_the_gateways_reinvite_is_acked() {
    let mut sim = gateway_calls(&[], vec![]);
    let ok = sim.response("B", "G", 200);
    let g = sim.addr("G");
    sim.send(
        "G",
        "B",
        peer::in_dialog(&ok, g, Method::Invite, 102, "late", ""),
    );
    sim.run_for(ms(100));
    // The user holds while the gateway has not yet ACKed: only one INVITE transaction at a time.
    sim.intent("B", hold(1));
    sim.run_for(ms(300));
    assert!(reinvites(&sim).is_empty(), "{}", sim.dump());
    let offer = response(sim.find_all("B", "G", "200").pop().unwrap());
    let answer = peer::pcmu_with("10.0.0.9", "", false);
    sim.send(
        "G",
        "B",
        peer::in_dialog(&offer, g, Method::Ack, 102, "lateack", &answer),
    );
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    let held = body(&Message::Request(reinvites(&sim).remove(0)));
    assert_eq!(connection(&held), "c=IN IP4 0.0.0.0");
    assert!(sim.errors("B").is_empty());
}

#[test]
fn refused_hold_leaves_the_call_as_it_was() {
    let mut sim = gateway_calls(&[], vec![Reply::Status(488)]);
    sim.intent("B", hold(1));
    sim.run_for(secs(1));
    let mut expected = SETUP.to_vec();
    expected.extend(["B->G INVITE", "G->B 488", "B->G ACK"]);
    assert_eq!(sim.trace_lines(), expected);
    assert_eq!(
        sim.errors("B"),
        ["line 1 could not be put on hold: 488 Not Acceptable Here"]
    );
    assert_eq!(sim.line_states("B", 1), [Incoming, Connected]);
    assert_eq!(sim.directions("B"), [Direction::SendRecv]);

    // The user may try again; this time the gateway accepts.
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    let [refused, accepted] = <[Request; 2]>::try_from(reinvites(&sim)).unwrap();
    assert_eq!(
        accepted.headers.cseq().unwrap().seq,
        refused.headers.cseq().unwrap().seq + 1
    );
}

#[test]
fn a_481_or_408_to_the_reinvite_ends_the_call() {
    for status in [481, 408] {
        let mut sim = gateway_calls(&[], vec![Reply::Status(status)]);
        sim.intent("B", hold(1));
        sim.run_for(secs(40));
        let mut expected = SETUP.to_vec();
        let refusal = format!("G->B {status}");
        expected.extend(["B->G INVITE", &refusal, "B->G ACK", "B->G BYE", "G->B 200"]);
        assert_eq!(sim.trace_lines(), expected);
        let (state, reason) = sim.line("B", 1);
        assert_eq!(state, Idle);
        assert!(
            reason
                .as_deref()
                .unwrap()
                .starts_with(&format!("failed: {status} ")),
            "{reason:?}"
        );
        assert!(sim.media_closed("B"));
        assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
    }
}

#[test]
fn an_unanswered_reinvite_ends_the_call_after_timer_b() {
    // Every transmission of the re-INVITE goes unanswered.
    let mut sim = gateway_calls(&[], vec![Reply::Ignore; 11]);
    let start = sim.elapsed();
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Idle, secs(40));
    assert_eq!(sim.elapsed() - start, secs(32), "64*T1");
    assert_eq!(
        sim.line("B", 1).1.as_deref(),
        Some("failed: 408 Request Timeout")
    );
    sim.run_for(secs(1));
    assert_eq!(
        sim.trace_lines().last().unwrap(),
        "G->B 200",
        "BYE answered"
    );
}

#[test]
fn a_challenged_reinvite_is_sent_again_with_credentials() {
    let mut sim = gateway_calls(&["account.password=secret"], vec![Reply::Challenge]);
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    let mut expected = SETUP.to_vec();
    expected.extend([
        "B->G INVITE",
        "G->B 407",
        "B->G ACK",
        "B->G INVITE",
        "G->B 200",
        "B->G ACK",
    ]);
    assert_eq!(sim.trace_lines(), expected);
    let [first, second] = <[Request; 2]>::try_from(reinvites(&sim)).unwrap();
    assert!(first.headers.get("Proxy-Authorization").is_none());
    assert!(second.headers.get("Proxy-Authorization").is_some());
    let seq = first.headers.cseq().unwrap().seq;
    assert_eq!(second.headers.cseq().unwrap().seq, seq + 1);
    assert_eq!(first.body, second.body, "the same offer");
    let ack = request(sim.find_all("B", "G", "ACK").pop().unwrap());
    assert_eq!(
        ack.headers.cseq().unwrap().to_string(),
        format!("{} ACK", seq + 1)
    );

    // The next re-INVITE follows on from the retried one's CSeq.
    sim.intent("B", resume(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    assert_eq!(reinvites(&sim)[2].headers.cseq().unwrap().seq, seq + 2);
}

/// When the retried re-INVITE left, measured from the arrival of the 491.
fn glare_retry_delay(sim: &Sim, us: &str) -> std::time::Duration {
    let refused = sim.times("G", us, "491")[0] + LATENCY;
    let sent = sim.times(us, "G", "INVITE");
    sent[sent.len() - 1] - refused
}

#[test]
fn glare_retry_waits_up_to_two_seconds_when_the_gateway_owns_the_call_id() {
    for _ in 0..20 {
        let mut sim = gateway_calls(&[], vec![Reply::Status(491)]);
        sim.intent("B", hold(1));
        sim.run_until(|s| s.line("B", 1).0 == Held, secs(5));
        let delay = glare_retry_delay(&sim, "B");
        assert!(delay <= secs(2), "{delay:?}");
        assert!(sim.errors("B").is_empty());
    }
}

#[test]
fn glare_retry_waits_2_1_to_4_seconds_when_the_phone_owns_the_call_id() {
    for _ in 0..20 {
        let mut sim = Sim::new();
        sim.phone("A", "alice", A_ADDR, &[]);
        sim.add_peer("G", P_ADDR, gateway(vec![Reply::Status(491)]));
        sim.intent("A", dial("sip:gw@10.0.0.9"));
        sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
        sim.intent("A", hold(1));
        sim.run_until(|s| s.line("A", 1).0 == Held, secs(5));
        let delay = glare_retry_delay(&sim, "A");
        assert!(delay >= ms(2100) && delay <= secs(4), "{delay:?}");
        assert_eq!(delay.as_millis() % 10, 0, "in units of 10 ms");
        // The caller's re-INVITEs continue its CSeq: INVITE 1, then 2 (refused), then 3.
        let seqs: Vec<u32> = sim
            .find_all("A", "G", "INVITE")
            .into_iter()
            .map(|m| request(m).headers.cseq().unwrap().seq)
            .collect();
        assert_eq!(seqs, [1, 2, 3]);
    }
}
