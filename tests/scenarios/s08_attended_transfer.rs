//! S8 (seed figure B-8): A calls B, B holds A and calls C, then transfers A to C. B REFERs A with
//! `Refer-To: <C?Replaces=…>`; A INVITEs C with `Replaces` and `Referred-By`; C takes the call
//! over on the consultation call's line without ringing and, once A's ACK confirms it, ends the
//! replaced dialog with BYE. B keeps both calls until A's NOTIFY reports the outcome: `200` →
//! B's BYE to A; a failure → both calls stay; no word → B hangs up after 64·T1.

use std::net::SocketAddr;

use linekey::core::phone::{Intent, LineState::*};
use linekey::core::sip::message::{Message, Method, Replaces, Request, Response};

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
    let frags: Vec<String> = sim.find_all("A", "B", "NOTIFY").iter().map(body).collect();
    assert_eq!(frags, ["SIP/2.0 100 Trying\r\n", "SIP/2.0 200 OK\r\n"]);

    // B-8 steps 20–27: C's BYE of the replaced dialog follows A's ACK; B's BYE to A follows
    // the NOTIFY with the outcome; the target, not B, ends the consultation call.
    let trace = sim.trace_lines();
    let at = |line: &str| {
        trace
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("no {line}\n{}", sim.dump()))
    };
    assert!(at("A->C ACK") < at("C->B BYE"), "{}", sim.dump());
    assert_eq!(
        sim.times("C", "B", "BYE"),
        [sim.times("A", "C", "ACK")[0] + LATENCY]
    );
    let outcome = sim.times("A", "B", "NOTIFY")[1];
    assert_eq!(sim.times("B", "A", "BYE"), [outcome + LATENCY]);
    assert!(sim.find_all("B", "C", "BYE").is_empty(), "{}", sim.dump());

    // While the transfer is under way B's lines stay as they were: A held, C connected; then
    // both go idle as transferred, A's line at the outcome, C's with C's BYE.
    let b_lines = sim.line_events("B");
    let from_transfer = b_lines
        .iter()
        .rposition(|e| e.0 == 2 && e.1 == Connected)
        .unwrap();
    assert_eq!(
        b_lines[from_transfer + 1..],
        [
            (1, Idle, Some("transferred".into())),
            (2, Idle, Some("transferred".into()))
        ]
    );
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

#[test]
fn the_targets_bye_before_the_outcome_ends_the_consultation_line_as_transferred() {
    let mut sim = consultation();
    // A's NOTIFY with the outcome is lost once: C's BYE of the consultation call comes first,
    // as in the seed (B-8 steps 22 and 24), and the NOTIFY's retransmission after it.
    sim.drop_nth("A", "B", "NOTIFY", 2);
    sim.intent("B", attended(1, 2));
    sim.run_for(secs(40));

    let trace = sim.trace_lines();
    let c_bye = trace.iter().position(|l| l == "C->B BYE").unwrap();
    let b_bye = trace.iter().position(|l| l == "B->A BYE").unwrap();
    assert!(c_bye < b_bye, "{}", sim.dump());
    assert!(sim.find_all("B", "C", "BYE").is_empty(), "{}", sim.dump());
    let b_lines = sim.line_events("B");
    assert_eq!(
        b_lines[b_lines.len() - 2..],
        [
            (2, Idle, Some("transferred".into())),
            (1, Idle, Some("transferred".into()))
        ]
    );
    // Line 1 is being handed over, not waiting for the user: no reminder that it is held.
    let statuses = sim.statuses("B");
    assert!(
        !statuses.iter().any(|s| s.contains("still on hold")),
        "{statuses:?}"
    );
}

/// The transfer as far as the REFER: P (a scripted transferee) calls B, B holds P and consults C.
/// P answers the REFER `202` and then sends `notifies` (sipfrag, Subscription-State), one a
/// second; it answers every other request `200`.
fn refer_to_scripted_transferee(notifies: &'static [(&'static str, &'static str)]) -> Sim {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &["calls.auto_answer=true"]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.add_peer("P", P_ADDR, transferee(notifies));
    let p = sim.addr("P");
    sim.send(
        "P",
        "B",
        peer::invite(p, "bob@10.0.0.2", "xfer1", &peer::pcmu("10.0.0.9")),
    );
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    sim.intent("B", dial("sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("B", 2).0 == Connected, secs(1));
    sim.intent("B", attended(1, 2));
    sim.run_until(|s| !s.find_all("P", "B", "202").is_empty(), secs(1));
    sim
}

/// A transferee that accepts the REFER and reports what `notifies` says, without calling
/// anyone.
fn transferee(
    notifies: &'static [(&'static str, &'static str)],
) -> impl FnMut(&mut PeerCtx, Message) {
    let mut ok: Option<Response> = None;
    move |ctx, msg| match msg {
        Message::Response(resp) if resp.status == 200 && ok.is_none() => {
            ctx.reply(peer::ack_2xx(&resp, ctx.me, "ack1"));
            ok = Some(resp);
        }
        Message::Request(req) if req.method == Method::Refer => {
            ctx.reply(peer::reply(&req, 202));
            let ok = ok.as_ref().expect("the call is up");
            for (n, (frag, state)) in notifies.iter().enumerate() {
                let notify = sipfrag_notify(ok, ctx.me, 2 + n as u32, frag, state);
                ctx.send_later(ctx.from, notify, secs(n as u64));
            }
        }
        Message::Request(req) if req.method == Method::Invite => {
            ctx.reply(peer::ok_with_sdp(&req, ctx.me));
        }
        Message::Request(req) if req.method != Method::Ack => ctx.reply(peer::reply(&req, 200)),
        _ => {}
    }
}

/// A NOTIFY in the dialog `ok` made, reporting `frag` for the REFER.
fn sipfrag_notify(ok: &Response, me: SocketAddr, seq: u32, frag: &str, state: &str) -> Request {
    let mut notify = peer::in_dialog(ok, me, Method::Notify, seq, &format!("n{seq}"), "");
    notify.headers.push("Event", "refer");
    notify.headers.push("Subscription-State", state);
    notify
        .headers
        .push("Content-Type", "message/sipfrag;version=2.0");
    notify.body = format!("SIP/2.0 {frag}\r\n").into_bytes();
    notify
}

#[test]
fn a_failed_attended_transfer_leaves_both_calls_to_the_user() {
    let mut sim = refer_to_scripted_transferee(&[
        ("100 Trying", "active;expires=60"),
        ("486 Busy Here", "terminated;reason=noresource"),
    ]);
    sim.run_for(secs(120));

    let errors = sim.errors("B");
    assert!(
        errors.iter().any(|e| e.contains("failed: 486 Busy Here")),
        "{errors:?}"
    );
    // Nothing was ended: A is still held on line 1, C still connected on line 2.
    assert_eq!(sim.line("B", 1), (Held, None));
    assert_eq!(sim.line("B", 2), (Connected, None));
    assert_eq!(sim.line("C", 1), (Connected, None));
    for (from, to) in [("B", "P"), ("B", "C"), ("C", "B")] {
        assert!(sim.find_all(from, to, "BYE").is_empty(), "{}", sim.dump());
    }
    let notify_oks = sim
        .find_all("B", "P", "200")
        .into_iter()
        .filter(|m| m.headers().cseq().unwrap().method == Method::Notify)
        .count();
    assert_eq!(notify_oks, 2, "both NOTIFYs answered");

    // The user goes back to A: the consultation call ends, A is resumed.
    sim.intent("B", hangup(2));
    sim.intent("B", resume(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
}

#[test]
fn an_attended_transfer_without_news_is_handed_over_after_64_t1() {
    let mut sim = refer_to_scripted_transferee(&[]);
    let accepted = sim.elapsed();
    sim.run_for(secs(31));
    assert_eq!(sim.line("B", 1), (Held, None), "still waiting");
    assert_eq!(sim.line("B", 2), (Connected, None));
    sim.run_for(secs(30));

    // 64·T1 (32 s) after the 202 B hangs up on A as if the transfer had worked; the target
    // never heard of it, so B ends the consultation call itself a little later.
    let bye = sim.times("B", "P", "BYE");
    assert_eq!(bye.len(), 1, "{}", sim.dump());
    assert!(
        bye[0] >= accepted + secs(32) && bye[0] < accepted + secs(33),
        "{bye:?}"
    );
    let bye_c = sim.times("B", "C", "BYE");
    assert_eq!(bye_c.len(), 1, "{}", sim.dump());
    assert!(bye_c[0] > bye[0]);
    assert_eq!(sim.line("B", 1), (Idle, Some("transferred".into())));
    assert_eq!(sim.line("B", 2), (Idle, Some("transferred".into())));
    assert!(
        sim.statuses("B")
            .iter()
            .any(|s| s.contains("no word on the transfer")),
        "{:?}",
        sim.statuses("B")
    );
}

/// C with a consultation call from B on line 1, and the Replaces naming it as C sees it.
fn target_with_consultation() -> (Sim, String) {
    let mut sim = pair(&[], &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.add_peer("P", P_ADDR, peer::silent());
    sim.intent("B", dial("sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("C", 1).0 == Connected, secs(1));
    let ok = sim.response("C", "B", 200);
    let replaces = format!(
        "{};to-tag={};from-tag={}",
        ok.headers.call_id().unwrap(),
        ok.headers.to().unwrap().tag().unwrap(),
        ok.headers.from().unwrap().tag().unwrap()
    );
    (sim, replaces)
}

/// An INVITE from P replacing the dialog `replaces` names.
fn replacing_invite(sim: &Sim, replaces: &str) -> Request {
    let p = sim.addr("P");
    let mut invite = peer::invite(p, "carol@10.0.0.3", "rep2", &peer::pcmu("10.0.0.9"));
    invite.headers.push("Replaces", replaces);
    invite
}

#[test]
fn a_replacement_never_acknowledged_ends_the_replaced_call_when_the_ack_timer_runs_out() {
    let (mut sim, replaces) = target_with_consultation();
    let invite = replacing_invite(&sim, &replaces);
    sim.send("P", "C", invite);
    let sent = sim.elapsed();
    sim.run_for(secs(20));
    // Answered, but until the ACK the consultation call goes on.
    assert!(!sim.find_all("C", "P", "200").is_empty());
    assert_eq!(sim.line("C", 1), (Connected, None));
    assert!(sim.find_all("C", "B", "BYE").is_empty());

    sim.run_for(secs(20));
    let bye = sim.times("C", "B", "BYE");
    assert_eq!(bye.len(), 1, "{}", sim.dump());
    assert!(bye[0] >= sent + secs(32), "{bye:?}");
    assert_eq!(sim.line("C", 1), (Idle, Some("replaced".into())));
    assert_eq!(sim.line("B", 1), (Idle, Some("remote_hangup".into())));
    assert!(
        !sim.find_all("C", "P", "BYE").is_empty(),
        "the unconfirmed call ends too"
    );
}

#[test]
fn a_replacement_ended_before_its_ack_leaves_the_replaced_call_up() {
    let (mut sim, replaces) = target_with_consultation();
    let invite = replacing_invite(&sim, &replaces);
    sim.send("P", "C", invite);
    sim.run_until(|s| !s.find_all("C", "P", "200").is_empty(), secs(1));
    // P gives up at once: BYE instead of ACK.
    let ok = sim.response("C", "P", 200);
    let bye = peer::in_dialog(&ok, sim.addr("P"), Method::Bye, 102, "bye2", "");
    sim.send("P", "C", bye);
    sim.run_for(secs(60));

    assert_eq!(sim.line("C", 1), (Connected, None));
    assert_eq!(sim.line("B", 1), (Connected, None));
    assert!(sim.find_all("C", "B", "BYE").is_empty(), "{}", sim.dump());
    assert!(sim
        .line_events("C")
        .iter()
        .all(|e| e.2.as_deref() != Some("replaced")));
}
