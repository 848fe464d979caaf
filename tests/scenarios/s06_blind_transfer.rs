//! S6 (seed figure B-6): A calls B, B transfers A blind to C. B holds A, REFERs it with
//! `Refer-To: C` and `Referred-By: B` and hangs up on `202`; A calls C with `Referred-By` on a
//! new line and reports the call's progress to B in NOTIFYs (`100`, C's `180`, C's `200`); C
//! sees an ordinary call.

use linekey::core::phone::{Intent, LineState::*};
use linekey::core::sip::message::Message;

use crate::sim::*;

/// A calls B, B answers; C is a third phone, answering at once.
pub fn three_phones(c_overrides: &[&str]) -> Sim {
    let mut sim = pair(&[], &[]);
    sim.phone("C", "carol", C_ADDR, c_overrides);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
    sim.run_for(secs(1));
    sim
}

/// Blind transfer intent.
pub fn transfer_to(line: usize, target: &str) -> Intent {
    Intent::Transfer {
        line,
        target: Some(target.to_owned()),
        to_line: None,
    }
}

#[test]
fn blind_transfer_follows_the_seed() {
    let mut sim = three_phones(&["calls.auto_answer=true"]);
    sim.intent("B", transfer_to(1, "sip:carol@10.0.0.3"));
    sim.run_until(|s| s.line("A", 2).0 == Connected, secs(5));
    sim.run_for(secs(40));

    let b_a = sim.trace_between("B", "A");
    let expected_start = [
        "A->B INVITE",
        "B->A 100",
        "B->A 180",
        "B->A 200",
        "A->B ACK",
        "B->A INVITE",
        "A->B 200",
        "B->A ACK",
        "B->A REFER",
        "A->B 202",
    ];
    assert_eq!(
        b_a[..expected_start.len()],
        expected_start,
        "{}",
        sim.dump()
    );
    for step in ["B->A BYE", "A->B 200", "A->B NOTIFY", "B->A 200"] {
        assert!(b_a.iter().any(|l| l == step), "{step} missing: {b_a:?}");
    }
    // B-6 step 11: the BYE goes as soon as the 202 arrives, before any report of the new call.
    assert_eq!(
        sim.times("B", "A", "BYE"),
        [sim.times("A", "B", "202")[0] + LATENCY]
    );
    let hold = sim.find_all("B", "A", "INVITE");
    assert!(
        body(&hold[0]).contains("c=IN IP4 0.0.0.0"),
        "held before REFER"
    );

    let refer = sim.request("B", "A", "REFER");
    assert_eq!(
        refer.headers.name_addr("Refer-To").unwrap().uri.to_string(),
        "sip:carol@10.0.0.3"
    );
    let referred_by = refer.headers.name_addr("Referred-By").unwrap();
    assert_eq!(referred_by.uri.user.as_deref(), Some("bob"));

    let invite = sim.request("A", "C", "INVITE");
    assert_eq!(
        invite.headers.name_addr("Referred-By").unwrap().uri,
        referred_by.uri
    );
    assert!(!invite.headers.has("Replaces"));

    let notifies: Vec<_> = sim
        .find_all("A", "B", "NOTIFY")
        .into_iter()
        .map(request)
        .collect();
    let frags: Vec<String> = notifies
        .iter()
        .map(|n| body(&Message::Request(n.clone())))
        .collect();
    assert_eq!(
        frags,
        [
            "SIP/2.0 100 Trying\r\n",
            "SIP/2.0 180 Ringing\r\n",
            "SIP/2.0 200 OK\r\n"
        ]
    );
    for n in &notifies {
        assert_eq!(
            n.headers.get("Content-Type"),
            Some("message/sipfrag;version=2.0")
        );
        assert!(n.headers.get("Event").unwrap().starts_with("refer"));
        assert_eq!(
            n.headers.call_id().unwrap(),
            refer.headers.call_id().unwrap()
        );
    }
    let states: Vec<&str> = notifies
        .iter()
        .map(|n| n.headers.get("Subscription-State").unwrap())
        .collect();
    assert!(states[0].starts_with("active"), "{states:?}");
    assert!(states[1].starts_with("active"), "{states:?}");
    assert!(states[2].starts_with("terminated"), "{states:?}");
    // Every NOTIFY, also those after B hung up, is answered 200.
    let notify_oks = sim
        .find_all("B", "A", "200")
        .into_iter()
        .filter(|m| m.headers().cseq().unwrap().method.as_str() == "NOTIFY")
        .count();
    assert_eq!(notify_oks, 3);

    assert_eq!(
        sim.line_events("B"),
        [
            (1, Incoming, None),
            (1, Connected, None),
            (1, Held, None),
            (1, Idle, Some("transferred".into())),
        ]
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("remote_hangup".into())));
    assert_eq!(sim.line("A", 2).0, Connected);
    assert_eq!(sim.line("C", 1).0, Connected);
    assert!(sim.statuses("B").iter().any(|s| s.contains("200 OK")));
    assert!(sim.errors("B").is_empty());
}

#[test]
fn a_failed_referred_call_is_reported_to_the_transferor() {
    let mut sim = three_phones(&["calls.do_not_disturb=true"]);
    sim.intent("B", transfer_to(1, "sip:carol@10.0.0.3"));
    sim.run_for(secs(40));
    let last = sim.find_all("A", "B", "NOTIFY").pop().expect("NOTIFY");
    assert_eq!(body(&last), "SIP/2.0 486 Busy Here\r\n");
    assert!(
        sim.errors("B").iter().any(|e| e.contains("486 Busy Here")),
        "{:?}",
        sim.errors("B")
    );
    assert_eq!(sim.line("A", 2), (Idle, Some("busy".into())));
}

#[test]
fn refer_outside_a_dialog_is_refused() {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    sim.add_peer("P", P_ADDR, peer::silent());
    let p = sim.addr("P");
    let mut refer = peer::out_of_dialog(p, "bob@10.0.0.2", "REFER", "r1");
    refer.headers.push("Refer-To", "<sip:carol@10.0.0.3>");
    sim.send("P", "B", refer.clone());
    let mut stray = peer::out_of_dialog(p, "bob@10.0.0.2", "REFER", "r2");
    stray.headers.set("To", "<sip:bob@10.0.0.2>;tag=nosuch");
    stray.headers.push("Refer-To", "<sip:carol@10.0.0.3>");
    sim.send("P", "B", stray);
    sim.run_for(secs(1));
    assert_eq!(
        sim.trace_lines(),
        ["P->B REFER", "P->B REFER", "B->P 403", "B->P 481"]
    );
    assert!(sim.line_events("B").is_empty());
}

#[test]
fn transfer_needs_a_connected_call_and_one_destination() {
    let mut sim = three_phones(&[]);
    sim.intent("B", transfer_to(2, "sip:carol@10.0.0.3"));
    sim.intent(
        "B",
        Intent::Transfer {
            line: 1,
            target: None,
            to_line: None,
        },
    );
    sim.run_for(secs(1));
    let errors = sim.errors("B");
    assert!(errors[0].contains("line 2 is idle"), "{errors:?}");
    assert!(
        errors[1].contains("line 1 cannot be transferred"),
        "{errors:?}"
    );
    assert!(sim.find_all("B", "A", "REFER").is_empty());
}
