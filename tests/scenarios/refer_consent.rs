//! `calls.refer_consent`: a REFER is accepted (`202`, NOTIFY `100 Trying`) and the user asked;
//! yes places the call as an unasked transfer would, no (or no answer within 30 s) ends the
//! subscription with a `603 Declined` sipfrag while the call goes on.

use linekey::core::phone::{Event, Intent, LineState::*};
use linekey::core::sip::message::{Message, Method};

use crate::s06_blind_transfer::transfer_to;
use crate::sim::*;

const CONSENT: &str = "calls.refer_consent=true";

/// A gateway that calls B and answers whatever B sends inside the call.
fn gateway() -> impl FnMut(&mut PeerCtx, Message) {
    move |ctx, msg| match msg {
        Message::Response(resp) => {
            let cseq = resp.headers.cseq().unwrap();
            if resp.status == 200 && cseq.method == Method::Invite && cseq.seq == 101 {
                ctx.reply(peer::ack_2xx(&resp, ctx.me, "gwack"));
            }
        }
        Message::Request(req) if req.method != Method::Ack => ctx.reply(peer::reply(&req, 200)),
        Message::Request(_) => {}
    }
}

/// The gateway calls B (who asks before transfers) and B answers; then the gateway REFERs B.
fn referred_by_gateway() -> Sim {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[CONSENT]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.add_peer("G", P_ADDR, gateway());
    let g = sim.addr("G");
    sim.send(
        "G",
        "B",
        peer::invite(g, "bob@10.0.0.2", "gw1", &peer::pcmu("10.0.0.9")),
    );
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    refer(&mut sim, 102);
    sim.run_for(secs(1));
    sim
}

fn refer(sim: &mut Sim, seq: u32) {
    let ok = sim.response("B", "G", 200);
    let g = sim.addr("G");
    let mut refer = peer::in_dialog(&ok, g, Method::Refer, seq, &format!("refer{seq}"), "");
    refer.headers.push("Refer-To", "<sip:carol@10.0.0.3>");
    refer.headers.push("Referred-By", "<sip:gw@10.0.0.9>");
    sim.send("G", "B", refer);
}

fn asked(sim: &Sim, name: &str) -> Vec<Event> {
    sim.events(name)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::TransferRequest { .. } | Event::TransferRequestEnded { .. }
            )
        })
        .collect()
}

fn ended(line: usize, reason: &str) -> Event {
    Event::TransferRequestEnded {
        line,
        reason: reason.into(),
    }
}

/// The NOTIFYs B sent the gateway: (Subscription-State, sipfrag).
fn notifies(sim: &Sim) -> Vec<(String, String)> {
    sim.find_all("B", "G", "NOTIFY")
        .into_iter()
        .map(|m| {
            let state = request(m.clone())
                .headers
                .get("Subscription-State")
                .unwrap_or_default()
                .to_owned();
            (state, body(&m))
        })
        .collect()
}

#[test]
fn the_user_is_asked_and_a_decline_keeps_the_call() {
    let mut sim = referred_by_gateway();
    assert_eq!(sim.response("B", "G", 202).status, 202);
    assert_eq!(
        asked(&sim, "B"),
        [Event::TransferRequest {
            line: 1,
            target: "sip:carol@10.0.0.3".into(),
            referred_by: Some("<sip:gw@10.0.0.9>".into()),
        }]
    );
    assert_eq!(
        notifies(&sim),
        [("active;expires=60".into(), "SIP/2.0 100 Trying\r\n".into())]
    );
    assert!(
        sim.find_all("B", "C", "INVITE").is_empty(),
        "nothing placed yet"
    );

    sim.intent("B", Intent::DeclineTransfer { line: 1 });
    sim.run_for(secs(1));
    let last = notifies(&sim).pop().unwrap();
    assert!(last.0.starts_with("terminated"), "{last:?}");
    assert_eq!(last.1, "SIP/2.0 603 Declined\r\n");
    assert_eq!(asked(&sim, "B").last(), Some(&ended(1, "declined")));
    // The call goes on, and nothing more is sent.
    sim.run_for(secs(60));
    assert_eq!(sim.line("B", 1).0, Connected);
    assert!(sim.find_all("B", "C", "INVITE").is_empty());
    assert!(sim.find_all("B", "G", "BYE").is_empty());
    assert_eq!(notifies(&sim).len(), 2);
}

#[test]
fn an_unanswered_request_expires_as_declined() {
    let mut sim = referred_by_gateway();
    sim.run_for(secs(28));
    assert_eq!(notifies(&sim).len(), 1, "still asking at 29 s");
    sim.run_for(secs(2));
    assert_eq!(notifies(&sim).pop().unwrap().1, "SIP/2.0 603 Declined\r\n");
    assert_eq!(asked(&sim, "B").last(), Some(&ended(1, "expired")));
    assert_eq!(sim.line("B", 1).0, Connected);
    // Too late to accept.
    sim.intent("B", Intent::AcceptTransfer { line: 1 });
    assert!(
        sim.errors("B")
            .iter()
            .any(|e| e == "no transfer request on line 1"),
        "{:?}",
        sim.errors("B")
    );
}

#[test]
fn a_second_refer_while_asking_waits_its_turn() {
    let mut sim = referred_by_gateway();
    refer(&mut sim, 103);
    sim.run_for(secs(1));
    assert_eq!(sim.response("B", "G", 491).status, 491);
    assert_eq!(asked(&sim, "B").len(), 1);
}

#[test]
fn accepting_transfers_like_an_unasked_refer() {
    let mut sim = pair(&[CONSENT], &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("B", 1).0 == Connected, secs(1));
    sim.intent("B", transfer_to(1, "sip:carol@10.0.0.3"));
    sim.run_for(secs(2));
    // Bob hung up on the 202, as the seed's transferor does; alice is still being asked.
    assert_eq!(sim.line("B", 1), (Idle, Some("transferred".into())));
    assert!(matches!(
        asked(&sim, "A")[..],
        [Event::TransferRequest { line: 1, .. }]
    ));
    assert!(sim.find_all("A", "C", "INVITE").is_empty());

    sim.intent("A", Intent::AcceptTransfer { line: 1 });
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    sim.run_for(secs(1));
    assert_eq!(asked(&sim, "A").last(), Some(&ended(1, "accepted")));
    let invite = sim.request("A", "C", "INVITE");
    assert!(invite.headers.name_addr("Referred-By").is_ok());
    let last = sim.find_all("A", "B", "NOTIFY").pop().expect("NOTIFY");
    assert_eq!(body(&last), "SIP/2.0 200 OK\r\n");
}

#[test]
fn quitting_declines_an_open_request() {
    let mut sim = referred_by_gateway();
    sim.intent("B", Intent::Quit);
    sim.run_for(secs(2));
    assert_eq!(notifies(&sim).pop().unwrap().1, "SIP/2.0 603 Declined\r\n");
    assert!(sim.find_all("B", "C", "INVITE").is_empty());
}
