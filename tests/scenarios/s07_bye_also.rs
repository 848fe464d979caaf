//! S7 and S9 (seed figures B-7, B-9): the transferee answers REFER `501`, so the transferor falls
//! back to BYE with `Also: C` (and ends the consultation call too); a transferee receiving BYE
//! with `Also` calls C with `Requested-By`.

use linekey::core::phone::{Intent, LineState::*};
use linekey::core::sip::message::{Message, Method};

use crate::s06_blind_transfer::transfer_to;
use crate::sim::*;

/// A gateway that calls B and answers REFER 501, re-INVITEs and BYEs 200.
fn old_gateway() -> impl FnMut(&mut PeerCtx, Message) {
    move |ctx, msg| match msg {
        Message::Response(resp) => {
            let cseq = resp.headers.cseq().unwrap();
            if resp.status == 200 && cseq.method == Method::Invite && cseq.seq == 101 {
                ctx.reply(peer::ack_2xx(&resp, ctx.me, "gwack"));
            }
        }
        Message::Request(req) => match req.method {
            Method::Refer => ctx.reply(peer::reply(&req, 501)),
            Method::Invite => {
                let mut ok = peer::reply(&req, 200);
                ok.headers.push("Contact", format!("<sip:gw@{}>", ctx.me));
                ok.headers.push("Content-Type", "application/sdp");
                ok.body = peer::pcmu("10.0.0.9").into_bytes();
                ctx.reply(ok);
            }
            Method::Ack => {}
            _ => ctx.reply(peer::reply(&req, 200)),
        },
    }
}

fn gateway_calls_b() -> Sim {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.add_peer("G", P_ADDR, old_gateway());
    let g = sim.addr("G");
    sim.send(
        "G",
        "B",
        peer::invite(g, "bob@10.0.0.2", "gw1", &peer::pcmu("10.0.0.9")),
    );
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.run_for(secs(1));
    sim
}

#[test]
fn refer_refused_501_falls_back_to_bye_also() {
    let mut sim = gateway_calls_b();
    sim.intent("B", transfer_to(1, "sip:carol@10.0.0.3"));
    sim.run_for(secs(5));
    let b_g = sim.trace_between("B", "G");
    assert_eq!(
        b_g[5..],
        [
            "B->G INVITE",
            "G->B 200",
            "B->G ACK",
            "B->G REFER",
            "G->B 501",
            "B->G BYE",
            "G->B 200"
        ]
    );
    let bye = sim.request("B", "G", "BYE");
    assert_eq!(
        bye.headers.name_addr("Also").unwrap().uri.to_string(),
        "sip:carol@10.0.0.3"
    );
    assert_eq!(sim.line("B", 1), (Idle, Some("transferred".into())));
    assert!(sim.errors("B").is_empty());
}

#[test]
fn attended_refer_refused_501_ends_both_calls_with_bye() {
    let mut sim = gateway_calls_b();
    sim.intent("B", hold(1));
    sim.run_until(|s| s.line("B", 1).0 == Held, secs(1));
    sim.intent("B", dial("sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("B", 2).0 == Connected, secs(1));
    sim.intent(
        "B",
        Intent::Transfer {
            line: 1,
            target: None,
            to_line: Some(2),
        },
    );
    sim.run_for(secs(5));
    let bye = sim.request("B", "G", "BYE");
    let also = bye.headers.name_addr("Also").unwrap();
    assert!(also.uri.headers.is_empty(), "no Replaces in Also");
    assert_eq!(also.uri.user.as_deref(), Some("carol"));
    assert!(sim.trace_lines().iter().any(|l| l == "B->C BYE"));
    assert_eq!(sim.line("B", 1), (Idle, Some("transferred".into())));
    assert_eq!(sim.line("B", 2), (Idle, Some("transferred".into())));
    assert_eq!(sim.line("C", 1), (Idle, Some("remote_hangup".into())));
}

#[test]
fn bye_with_also_makes_the_transferee_call_the_target() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.add_peer("P", P_ADDR, peer::answering(ms(100)));
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
    let ok = response(sim.find("P", "A", "200"));
    let p = sim.addr("P");
    let mut bye = peer::in_dialog(&ok, p, Method::Bye, 1, "bye1", "");
    // The peer is the callee: its requests go the other way round.
    let (from, to) = (
        ok.headers.get("To").unwrap(),
        ok.headers.get("From").unwrap(),
    );
    bye.headers.set("From", from);
    bye.headers.set("To", to);
    bye.uri = request(sim.find("A", "P", "INVITE"))
        .headers
        .contacts()
        .remove(0)
        .uri;
    bye.headers.push("Also", "<sip:carol@10.0.0.3>");
    sim.send("P", "A", bye);
    sim.run_until(
        |s| s.line("A", 1).0 == Connected && s.line("C", 1).0 == Connected,
        secs(5),
    );

    let invite = sim.request("A", "C", "INVITE");
    let requested_by = invite.headers.name_addr("Requested-By").unwrap();
    assert_eq!(requested_by.uri.to_string(), "sip:bob@10.0.0.9");
    let a_events = sim.line_events("A");
    assert!(a_events.contains(&(1, Idle, Some("remote_hangup".into()))));
}
