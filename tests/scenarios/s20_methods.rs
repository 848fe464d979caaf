//! S20: the methods list. OPTIONS is answered with Allow, Accept and Supported; unknown methods
//! get `501`, known but unsupported ones `405`, both with Allow; BYE outside a dialog `481`;
//! malformed requests `400`; garbage nothing; REGISTER and its removal on quit.

use linekey::core::phone::{Intent, RegistrationState};
use linekey::core::sip::message::{Message, Method, Request};

use crate::sim::*;

fn phone_and_peer() -> Sim {
    let mut sim = Sim::new();
    sim.add_peer("P", P_ADDR, peer::silent());
    sim.phone("B", "bob", B_ADDR, &[]);
    sim
}

fn p() -> std::net::SocketAddr {
    P_ADDR.parse().unwrap()
}

fn allow_list(value: &str) -> Vec<String> {
    value.split(',').map(|m| m.trim().to_owned()).collect()
}

fn check_allow(resp: &linekey::core::sip::message::Response) {
    let allow = allow_list(resp.headers.get("Allow").expect("Allow header"));
    for m in ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS"] {
        assert!(allow.iter().any(|a| a == m), "{m} missing from {allow:?}");
    }
}

#[test]
fn options_lists_capabilities() {
    let mut sim = phone_and_peer();
    sim.send(
        "P",
        "B",
        peer::out_of_dialog(p(), "bob@10.0.0.2", "OPTIONS", "opt1"),
    );
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines(), ["P->B OPTIONS", "B->P 200"]);
    let ok = sim.response("B", "P", 200);
    check_allow(&ok);
    assert_eq!(ok.headers.get("Accept"), Some("application/sdp"));
    assert!(ok.headers.has("Supported"), "Supported header");
    assert_eq!(ok.headers.cseq().unwrap().method, Method::Options);
    assert_eq!(ok.headers.via().unwrap().branch(), Some("z9hG4bKopt1"));
    assert!(ok.headers.to().unwrap().tag().is_some());
    assert!(sim.events("B").is_empty());
}

#[test]
fn options_retransmission_gets_the_same_answer() {
    let mut sim = phone_and_peer();
    let options = peer::out_of_dialog(p(), "bob@10.0.0.2", "OPTIONS", "opt2");
    sim.send("P", "B", options.clone());
    sim.run_for(secs(1));
    sim.send("P", "B", options);
    sim.run_for(secs(1));
    assert_eq!(
        sim.trace_lines(),
        ["P->B OPTIONS", "B->P 200", "P->B OPTIONS", "B->P 200"]
    );
    let answers = sim.find_all("B", "P", "200");
    assert_eq!(answers[0], answers[1], "the cached response, same To tag");
}

#[test]
fn unknown_method_gets_501_with_allow() {
    let mut sim = phone_and_peer();
    sim.send(
        "P",
        "B",
        peer::out_of_dialog(p(), "bob@10.0.0.2", "FROB", "frob1"),
    );
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines(), ["P->B FROB", "B->P 501"]);
    let resp = sim.response("B", "P", 501);
    check_allow(&resp);
    assert_eq!(resp.headers.cseq().unwrap().method.as_str(), "FROB");
}

#[test]
fn known_unsupported_methods_get_405_with_allow() {
    for method in ["SUBSCRIBE", "MESSAGE", "INFO", "UPDATE"] {
        let mut sim = phone_and_peer();
        sim.send(
            "P",
            "B",
            peer::out_of_dialog(p(), "bob@10.0.0.2", method, "m405"),
        );
        sim.run_for(secs(1));
        assert_eq!(
            sim.trace_lines(),
            [format!("P->B {method}"), "B->P 405".to_owned()]
        );
        check_allow(&sim.response("B", "P", 405));
    }
}

#[test]
fn bye_for_an_unknown_dialog_gets_481() {
    let mut sim = phone_and_peer();
    let mut bye = peer::out_of_dialog(p(), "bob@10.0.0.2", "BYE", "bye1");
    bye.headers.set("To", "<sip:bob@10.0.0.2>;tag=nosuchdialog");
    sim.send("P", "B", bye);
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines(), ["P->B BYE", "B->P 481"]);
    assert!(sim.line_events("B").is_empty());
}

#[test]
fn reinvite_for_an_unknown_dialog_gets_481() {
    let mut sim = phone_and_peer();
    let mut invite = peer::invite(p(), "bob@10.0.0.2", "reinv", &peer::pcmu("10.0.0.9"));
    invite
        .headers
        .set("To", "<sip:bob@10.0.0.2>;tag=nosuchdialog");
    sim.send("P", "B", invite);
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines()[..2], ["P->B INVITE", "B->P 481"]);
    assert!(sim.line_events("B").is_empty());
}

#[test]
fn content_length_beyond_the_body_gets_400() {
    let mut sim = phone_and_peer();
    let text = "OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\n\
                Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKbad1\r\n\
                Max-Forwards: 70\r\n\
                From: <sip:gw@10.0.0.9>;tag=bad1\r\n\
                To: <sip:bob@10.0.0.2>\r\n\
                Call-ID: bad1@10.0.0.9\r\n\
                CSeq: 1 OPTIONS\r\n\
                Content-Length: 500\r\n\r\nshort body";
    sim.send_raw("P", "B", text);
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines(), ["P->B <garbage>", "B->P 400"]);
    let resp = sim.response("B", "P", 400);
    assert_eq!(resp.headers.call_id().unwrap(), "bad1@10.0.0.9");
    assert_eq!(resp.headers.via().unwrap().branch(), Some("z9hG4bKbad1"));
}

#[test]
fn garbage_is_ignored() {
    let mut sim = phone_and_peer();
    let inputs: [&[u8]; 6] = [
        b"",
        b"\r\n\r\n",
        b"hello there",
        &[0xff, 0x00, 0x13, 0x37, 0xfe],
        b"SIP/2.0 200 OK\r\n\r\n",
        b"INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: nonsense\r\n\r\n",
    ];
    for data in inputs {
        sim.send_raw("P", "B", data);
    }
    sim.run_for(secs(5));
    assert!(
        sim.trace().iter().all(|t| t.from == "P"),
        "the phone answered garbage:\n{}",
        sim.dump()
    );
    assert!(sim.events("B").is_empty());
    assert!(sim.is_quiet());
    // And it still works afterwards.
    sim.send(
        "P",
        "B",
        peer::out_of_dialog(p(), "bob@10.0.0.2", "OPTIONS", "after"),
    );
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines().last().unwrap(), "B->P 200");
}

#[test]
fn stray_responses_are_dropped() {
    let mut sim = phone_and_peer();
    let invite = peer::invite(p(), "bob@10.0.0.2", "stray", &peer::pcmu("10.0.0.9"));
    sim.send("P", "B", peer::reply(&invite, 200));
    sim.send("P", "B", peer::reply(&invite, 180));
    sim.run_for(secs(5));
    assert_eq!(sim.trace_lines(), ["P->B 200", "P->B 180"]);
    assert!(sim.events("B").is_empty());
}

/// A registrar accepting everything; on an un-REGISTER it answers without Contact.
fn registrar() -> impl FnMut(&mut PeerCtx, Message) {
    |ctx, msg| {
        let Message::Request(req) = msg else { return };
        let mut ok = peer::reply(&req, 200);
        if req.headers.expires() != Some(0) {
            if let Some(c) = req.headers.get("Contact") {
                ok.headers.push("Contact", format!("{c};expires=600"));
            }
        }
        ctx.reply(ok);
    }
}

#[test]
fn register_then_unregister_on_quit() {
    let mut sim = Sim::new();
    sim.add_peer("R", P_ADDR, registrar());
    sim.phone(
        "A",
        "alice",
        A_ADDR,
        &[
            "account.register=true",
            "account.registrar=10.0.0.9:5060",
            "account.register_expires=600",
        ],
    );
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines(), ["A->R REGISTER", "R->A 200"]);
    let reg: Request = sim.request("A", "R", "REGISTER");
    assert_eq!(reg.uri.to_string(), "sip:10.0.0.9:5060");
    assert_eq!(reg.headers.expires(), Some(600));
    let contact = reg.headers.contacts();
    assert_eq!(contact.len(), 1);
    assert_eq!(contact[0].uri.to_string(), "sip:alice@10.0.0.1:5060");
    let to = reg.headers.to().unwrap();
    assert!(to.tag().is_none());
    assert_eq!(to.uri.to_string(), "sip:alice@10.0.0.1");
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)]
    );

    sim.intent("A", Intent::Quit);
    sim.run_for(secs(1));
    assert_eq!(
        sim.trace_lines(),
        ["A->R REGISTER", "R->A 200", "A->R REGISTER", "R->A 200"]
    );
    let regs: Vec<Request> = sim
        .find_all("A", "R", "REGISTER")
        .into_iter()
        .map(request)
        .collect();
    let removal = &regs[1];
    assert_eq!(removal.headers.expires(), Some(0));
    assert_eq!(removal.headers.call_id(), regs[0].headers.call_id());
    assert_eq!(removal.headers.cseq().unwrap().seq, 2);
    assert_eq!(removal.headers.contacts().len(), 1);
    assert_eq!(
        sim.registrations("A"),
        [
            (RegistrationState::Registered, None),
            (RegistrationState::Unregistered, None)
        ]
    );
    assert!(sim.phone_ref("A").is_finished());
    sim.run_for(secs(3600));
    assert_eq!(sim.trace_lines().len(), 4, "no refresh after quitting");
}

#[test]
fn quit_hangs_up_calls_and_unregisters() {
    let mut sim = Sim::new();
    sim.add_peer("R", P_ADDR, registrar());
    sim.phone(
        "A",
        "alice",
        A_ADDR,
        &["account.register=true", "account.registrar=10.0.0.9:5060"],
    );
    sim.phone("B", "bob", B_ADDR, &["calls.auto_answer=true"]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(
        |s| s.line("A", 1).0 == linekey::core::phone::LineState::Connected,
        secs(2),
    );
    sim.intent("A", Intent::Quit);
    sim.run_until(|s| s.phone_ref("A").is_finished(), secs(5));
    let lines = sim.trace_lines();
    assert!(lines.contains(&"A->B BYE".to_owned()), "{lines:?}");
    assert!(lines.contains(&"B->A 200".to_owned()), "{lines:?}");
    assert_eq!(
        request(sim.find_all("A", "R", "REGISTER").pop().unwrap())
            .headers
            .expires(),
        Some(0)
    );
    assert_eq!(sim.line("B", 1).1.as_deref(), Some("remote_hangup"));
}

#[test]
fn incoming_invite_while_quitting_is_refused() {
    let mut sim = Sim::new();
    sim.add_peer("P", P_ADDR, peer::silent());
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.intent("A", Intent::Quit);
    assert!(sim.phone_ref("A").is_finished());
    let invite = peer::invite(p(), "alice@10.0.0.1", "late", &peer::pcmu("10.0.0.9"));
    sim.send("P", "A", invite);
    sim.run_for(secs(1));
    assert_eq!(sim.trace_lines()[..2], ["P->A INVITE", "A->P 503"]);
}
