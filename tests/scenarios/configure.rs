//! New settings while the phone runs (`Intent::Configure`) and the mute key: calls in progress
//! go on, and what the settings govern changes from the next request on.

use linekey::core::dialplan::DialPlan;
use linekey::core::phone::{Event, Input, Intent, LineState::*, MediaCommand, RegistrationState};

use crate::sim::*;

/// A calls B, and B answers.
fn talking(b: &[&str]) -> Sim {
    let mut sim = pair(&[], b);
    sim.phone("C", "carol", C_ADDR, &[]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 1).0 == Incoming, secs(1));
    sim.intent("B", answer(1));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(1));
    sim
}

#[test]
fn do_not_disturb_switched_on_refuses_the_next_call_and_keeps_the_current_one() {
    let mut sim = talking(&[]);
    sim.intent(
        "B",
        configure("bob", B_ADDR, &["calls.do_not_disturb=true"]),
    );
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(5));
    assert_eq!(sim.line("C", 1), (Idle, Some("busy".into())));
    assert_eq!(sim.response("B", "C", 486).reason, "Busy Here");
    // Nothing happened to the call in progress.
    assert_eq!(sim.line("B", 1).0, Connected);
    assert!(sim.find_all("B", "A", "BYE").is_empty() && sim.find_all("A", "B", "BYE").is_empty());

    sim.intent("B", configure("bob", B_ADDR, &[]));
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(1));
    assert_eq!(sim.line("B", 2).0, Incoming);
}

#[test]
fn forwarding_set_while_running_redirects_the_next_call() {
    let mut sim = pair(&[], &[]);
    sim.phone("C", "carol", C_ADDR, &["calls.auto_answer=true"]);
    sim.intent(
        "B",
        configure("bob", B_ADDR, &["calls.forward_always=sip:carol@10.0.0.3"]),
    );
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    assert_eq!(sim.response("B", "A", 302).status, 302);
    assert!(sim.line_events("B").is_empty());
}

#[test]
fn fewer_lines_never_drop_a_call_and_the_key_goes_when_it_ends() {
    let mut sim = talking(&["calls.lines=2"]);
    sim.intent("C", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("B", 2).0 == Incoming, secs(1));

    sim.intent("B", configure("bob", B_ADDR, &["calls.lines=1"]));
    sim.run_for(secs(1));
    assert_eq!(sim.line("B", 2).0, Incoming, "the call on line 2 goes on");
    // A third caller finds no line.
    sim.phone("D", "dave", "10.0.0.4:5060", &[]);
    sim.intent("D", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(1));
    assert_eq!(sim.line("D", 1), (Idle, Some("busy".into())));

    // When line 2's call ends, the key goes; line 1 stays.
    sim.intent("C", hangup(1));
    sim.run_for(secs(1));
    sim.intent("B", answer(2));
    assert!(
        sim.errors("B")
            .iter()
            .any(|e| e.contains("there is no line 2")),
        "{:?}",
        sim.errors("B")
    );
    assert_eq!(sim.line("B", 1).0, Connected);

    // More lines take calls again.
    sim.intent("B", configure("bob", B_ADDR, &["calls.lines=3"]));
    sim.intent("D", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(1));
    assert_eq!(sim.line("B", 2).0, Incoming);
}

const REGISTRAR: [&str; 2] = ["account.register=true", "account.registrar=10.0.0.9:5060"];

fn registered() -> Sim {
    let mut sim = Sim::new();
    sim.add_peer("R", P_ADDR, peer::answering(secs(1)));
    sim.phone("A", "alice", A_ADDR, &REGISTRAR);
    sim.run_for(secs(1));
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)]
    );
    sim
}

fn expires(sim: &Sim, nth: usize) -> (String, Option<u32>) {
    let reg = request(sim.find_all("A", "R", "REGISTER").remove(nth));
    let user = reg.headers.from().unwrap().uri.user.unwrap_or_default();
    (user, reg.headers.expires())
}

#[test]
fn a_new_account_unbinds_the_old_one_and_registers() {
    let mut sim = registered();
    let overrides = [REGISTRAR[0], REGISTRAR[1], "account.user=alice2"];
    sim.intent("A", configure("alice", A_ADDR, &overrides));
    sim.run_for(secs(1));
    assert_eq!(expires(&sim, 1), ("alice".into(), Some(0)));
    assert_eq!(expires(&sim, 2), ("alice2".into(), Some(3600)));
    let (old, new) = (
        request(sim.find_all("A", "R", "REGISTER").remove(1)),
        request(sim.find_all("A", "R", "REGISTER").remove(2)),
    );
    assert_ne!(old.headers.call_id(), new.headers.call_id());
    // The new binding is refreshed like any other.
    sim.run_for(secs(3600));
    assert_eq!(expires(&sim, 3), ("alice2".into(), Some(3600)));

    // Settings that do not touch the account leave the registration alone.
    let before = sim.find_all("A", "R", "REGISTER").len();
    let overrides = [
        REGISTRAR[0],
        REGISTRAR[1],
        "account.user=alice2",
        "calls.lines=3",
    ];
    sim.intent("A", configure("alice", A_ADDR, &overrides));
    sim.run_for(secs(1));
    assert_eq!(sim.find_all("A", "R", "REGISTER").len(), before);
}

/// A registrar that answers every REGISTER 200 after two seconds.
fn slow_registrar() -> impl FnMut(&mut PeerCtx, linekey::core::sip::message::Message) {
    |ctx, msg| {
        if let linekey::core::sip::message::Message::Request(req) = msg {
            let from = ctx.from;
            ctx.send_later(from, peer::reply(&req, 200), secs(2));
        }
    }
}

#[test]
fn answers_about_a_replaced_binding_are_ignored() {
    let mut sim = Sim::new();
    sim.add_peer("R", P_ADDR, slow_registrar());
    sim.phone("A", "alice", A_ADDR, &REGISTRAR);
    sim.run_for(ms(500));
    let overrides = [REGISTRAR[0], REGISTRAR[1], "account.user=alice2"];
    sim.intent("A", configure("alice", A_ADDR, &overrides));
    sim.run_for(secs(5));
    // The first REGISTER's 200 (at 2 s) is about alice; only alice2's (at 2.5 s) counts.
    let registered: Vec<_> = sim
        .timed_events("A")
        .into_iter()
        .filter(|(_, e)| matches!(e, Event::Registration { .. }))
        .collect();
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert!(registered[0].0 >= ms(2500), "{registered:?}");
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)]
    );
}

#[test]
fn register_switched_off_unregisters_and_on_registers_again() {
    let mut sim = registered();
    sim.intent("A", configure("alice", A_ADDR, &[REGISTRAR[1]]));
    sim.run_for(secs(1));
    assert_eq!(expires(&sim, 1).1, Some(0));
    assert_eq!(
        sim.registrations("A").last(),
        Some(&(RegistrationState::Unregistered, None))
    );
    sim.run_for(secs(7200));
    assert_eq!(sim.find_all("A", "R", "REGISTER").len(), 2, "no refresh");

    sim.intent("A", configure("alice", A_ADDR, &REGISTRAR));
    sim.run_for(secs(1));
    assert_eq!(expires(&sim, 2).1, Some(3600));
    assert_eq!(
        sim.registrations("A").last(),
        Some(&(RegistrationState::Registered, None))
    );
}

#[test]
fn new_codecs_are_offered_in_the_next_call() {
    let mut sim = pair(&[], &["calls.auto_answer=true"]);
    sim.intent(
        "A",
        configure("alice", A_ADDR, &["calls.codecs=[\"PCMA\"]"]),
    );
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(2));
    let offer = body(&sim.find("A", "B", "INVITE"));
    let media = offer.lines().find(|l| l.starts_with("m=audio")).unwrap();
    assert!(
        media.ends_with(" 8 101"),
        "PCMA and telephone-event only: {media}"
    );
}

#[test]
fn new_timers_apply_to_the_next_request() {
    let mut sim = Sim::new();
    sim.add_peer("P", P_ADDR, peer::silent());
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.intent(
        "A",
        configure("alice", A_ADDR, &["network.timer_t1_ms=100"]),
    );
    sim.intent("A", dial("sip:bob@10.0.0.9"));
    sim.run_for(ms(350));
    // 100 ms, then 200 ms: timer A doubling from the new T1.
    assert_eq!(
        sim.times("A", "P", "INVITE"),
        [ms(0), ms(100), ms(300)],
        "{}",
        sim.dump()
    );
}

const PLAN: &str = include_str!("../fixtures/dialplan/cisco_example.xml");

#[test]
fn the_dial_plan_stays_until_the_driver_hands_a_new_one() {
    let mut sim = Sim::new();
    let overrides = ["proxy.emergency=10.0.0.7:5060"];
    sim.add_peer("E", "10.0.0.7:5060", peer::answering(secs(1)));
    sim.phone("A", "alice", A_ADDR, &overrides);
    let plan = DialPlan::parse(PLAN, "cisco_example.xml").expect("fixture parses");
    sim.input("A", Input::DialPlan(plan));
    // Settings carry no plan: the one in use stays.
    sim.intent("A", configure("alice", A_ADDR, &overrides));
    sim.intent("A", dial("911"));
    sim.run_for(secs(2));
    assert_eq!(sim.line("A", 1).0, Connected, "{}", sim.dump());
    sim.intent("A", hangup(1));
    sim.run_for(secs(1));

    // An empty plan replaces it: 911 is then just a user at no host.
    sim.input("A", Input::DialPlan(DialPlan::default()));
    let invites = sim.find_all("A", "E", "INVITE").len();
    sim.intent("A", dial("911"));
    sim.run_for(secs(2));
    assert_eq!(sim.find_all("A", "E", "INVITE").len(), invites);
}

#[test]
fn mute_tells_media_and_the_front_end() {
    let mut sim = talking(&[]);
    sim.intent("A", Intent::Mute { muted: true });
    sim.intent("A", Intent::Mute { muted: false });
    let mutes: Vec<_> = sim
        .media("A")
        .into_iter()
        .filter(|m| matches!(m, MediaCommand::Mute { .. }))
        .collect();
    assert_eq!(
        mutes,
        [
            MediaCommand::Mute { muted: true },
            MediaCommand::Mute { muted: false }
        ]
    );
    let events: Vec<_> = sim
        .events("A")
        .into_iter()
        .filter(|e| matches!(e, Event::Mute { .. }))
        .collect();
    assert_eq!(
        events,
        [Event::Mute { muted: true }, Event::Mute { muted: false }]
    );
    // Muting changes nothing in SIP.
    assert_eq!(sim.line("A", 1).0, Connected);
}
