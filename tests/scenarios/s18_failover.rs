//! S18 (seed figures B-20 and B-21): the primary proxy does not answer; after the seventh INVITE
//! the phone shows "Network Delay, Trying Backup" and the backup serves the whole call. Beyond
//! the seed: later calls go straight to the backup, and calls fail back to the primary once it
//! answers an OPTIONS probe.

use std::cell::Cell;
use std::rc::Rc;

use linekey::core::phone::{Event, LineState::*};
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

/// The status the seed's phones show when the primary proxy did not answer.
const NETWORK_DELAY: &str = "Network Delay, Trying Backup";

/// The primary proxy's address.
const PRIMARY: &str = "10.0.0.9:5060";
/// The backup proxy's address.
const BACKUP: &str = "10.0.0.8:5060";

/// Phone A with a primary and a backup proxy; the backup answers calls after 1 s of ringing.
fn world(primary: impl FnMut(&mut PeerCtx, Message) + 'static, extra: &[&str]) -> Sim {
    let mut sim = Sim::new();
    let mut overrides = vec!["proxy.primary=10.0.0.9:5060", "proxy.backup=10.0.0.8:5060"];
    overrides.extend_from_slice(extra);
    sim.phone("A", "alice", A_ADDR, &overrides);
    sim.add_peer("P", PRIMARY, primary);
    sim.add_peer("Q", BACKUP, peer::answering(secs(1)));
    sim
}

/// A primary that drops everything until `alive` is set, then answers like a proxy would.
fn flaky_primary(alive: Rc<Cell<bool>>) -> impl FnMut(&mut PeerCtx, Message) {
    let mut answering = peer::answering(secs(1));
    move |ctx, msg| {
        if alive.get() {
            answering(ctx, msg);
        }
    }
}

fn status_time(sim: &Sim, text: &str) -> Option<std::time::Duration> {
    sim.timed_events("A")
        .into_iter()
        .find_map(|(at, e)| match e {
            Event::Status { text: t, .. } if t == text => Some(at),
            _ => None,
        })
}

#[test]
fn seven_unanswered_invites_then_the_backup_serves_the_call() {
    let mut sim = world(peer::silent(), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(60));

    let primary = sim.times("A", "P", "INVITE");
    let expected: Vec<_> = [0, 500, 1500, 3500, 7500, 15500, 31500].map(ms).to_vec();
    assert_eq!(primary, expected, "{}", sim.dump());
    // The status appears when the seventh transmission's wait is over, and the INVITE to the
    // backup leaves at that moment.
    assert_eq!(
        status_time(&sim, NETWORK_DELAY),
        Some(secs(32)),
        "{}",
        sim.dump()
    );
    assert_eq!(sim.times("A", "Q", "INVITE"), [secs(32)]);

    let first = sim.request("A", "P", "INVITE");
    let backup = sim.request("A", "Q", "INVITE");
    assert_eq!(backup.headers.call_id(), first.headers.call_id());
    assert_eq!(
        backup.headers.from().unwrap().tag(),
        first.headers.from().unwrap().tag()
    );
    assert_eq!(
        backup.headers.cseq().unwrap().seq,
        first.headers.cseq().unwrap().seq + 1
    );
    assert_ne!(
        backup.headers.via().unwrap().branch(),
        first.headers.via().unwrap().branch()
    );
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected],
        "{}",
        sim.dump()
    );

    // The backup serves the whole call: the BYE goes there too.
    sim.intent("A", hangup(1));
    sim.run_for(secs(1));
    assert_eq!(
        sim.trace_between("A", "Q")[..],
        [
            "A->Q INVITE",
            "Q->A 100",
            "Q->A 180",
            "Q->A 200",
            "A->Q ACK",
            "A->Q BYE",
            "Q->A 200"
        ]
    );
    assert_eq!(sim.line("A", 1), (Idle, Some("local_hangup".into())));
}

#[test]
fn the_next_call_goes_straight_to_the_backup() {
    let mut sim = world(peer::silent(), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(60));
    sim.intent("A", hangup(1));
    sim.run_for(secs(1));
    let before = sim.times("A", "P", "INVITE").len();

    sim.intent("A", dial("sip:carol@example.com"));
    let start = sim.elapsed();
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    assert_eq!(
        sim.times("A", "P", "INVITE").len(),
        before,
        "no INVITE to the failed primary"
    );
    assert_eq!(sim.times("A", "Q", "INVITE").last(), Some(&start));
}

#[test]
fn calls_fail_back_once_the_primary_answers_a_probe() {
    let alive = Rc::new(Cell::new(false));
    let mut sim = world(flaky_primary(alive.clone()), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(60));
    sim.intent("A", hangup(1));

    // While the primary stays dead it is probed (the first probe 30 s after the failover,
    // retransmitted like any OPTIONS) and calls stay on the backup.
    sim.run_for(secs(40));
    assert_eq!(
        sim.times("A", "P", "OPTIONS").first(),
        Some(&secs(62)),
        "{}",
        sim.dump()
    );
    assert!(sim.statuses("A").iter().all(|t| !t.contains("is back")));

    alive.set(true);
    sim.run_until(
        |s| s.statuses("A").iter().any(|t| t.contains("is back")),
        secs(60),
    );
    let options = sim.request("A", "P", "OPTIONS");
    assert_eq!(options.uri.to_string(), "sip:10.0.0.9:5060");

    let backup_invites = sim.times("A", "Q", "INVITE").len();
    sim.intent("A", dial("sip:carol@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    assert_eq!(sim.times("A", "Q", "INVITE").len(), backup_invites);
    assert_eq!(sim.find_all("A", "P", "INVITE").len(), 8, "{}", sim.dump());
}

#[test]
fn a_5xx_from_the_primary_moves_to_the_backup_at_once() {
    let mut sim = world(peer::rejecting(503, &[]), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    assert_eq!(
        sim.trace_lines()[..5],
        [
            "A->P INVITE",
            "P->A 100",
            "P->A 503",
            "A->P ACK",
            "A->Q INVITE"
        ],
        "{}",
        sim.dump()
    );
    assert!(sim
        .statuses("A")
        .iter()
        .any(|s| s.contains("Trying Backup")));
}

#[test]
fn a_4xx_from_the_primary_is_final() {
    let mut sim = world(peer::rejecting(404, &[]), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_for(secs(40));
    assert!(
        sim.find_all("A", "Q", "INVITE").is_empty(),
        "{}",
        sim.dump()
    );
    assert_eq!(
        sim.line("A", 1),
        (Idle, Some("failed: 404 Not Found".into()))
    );
}

#[test]
fn any_response_from_the_primary_stops_the_failover() {
    // A primary that only says 100 Trying and then nothing: the call keeps waiting on it.
    let primary = |ctx: &mut PeerCtx, msg: Message| {
        if let Message::Request(req) = msg {
            if req.method == Method::Invite {
                ctx.reply(peer::reply(&req, 100));
            }
        }
    };
    let mut sim = world(primary, &["calls.ring_timeout_s=50"]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_for(secs(45));
    assert_eq!(sim.times("A", "P", "INVITE"), [ms(0)]);
    assert!(sim.find_all("A", "Q", "INVITE").is_empty());
    assert!(!sim.statuses("A").iter().any(|s| s == NETWORK_DELAY));
}

#[test]
fn invite_attempts_is_a_setting() {
    let mut sim = world(peer::silent(), &["network.invite_attempts=3"]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(60));
    assert_eq!(sim.times("A", "P", "INVITE"), [ms(0), ms(500), ms(1500)]);
    assert_eq!(sim.times("A", "Q", "INVITE"), [ms(3500)]);
}

#[test]
fn timer_t1_is_a_setting() {
    let mut sim = world(peer::silent(), &["network.timer_t1_ms=100"]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(60));
    let expected: Vec<_> = [0, 100, 300, 700, 1500, 3100, 6300].map(ms).to_vec();
    assert_eq!(sim.times("A", "P", "INVITE"), expected);
    assert_eq!(status_time(&sim, NETWORK_DELAY), Some(ms(6400)));
}

#[test]
fn without_a_backup_the_call_fails_after_timer_b() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &["proxy.primary=10.0.0.9:5060"]);
    sim.add_peer("P", PRIMARY, peer::silent());
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_for(secs(40));
    assert_eq!(sim.times("A", "P", "INVITE").len(), 7);
    assert_eq!(
        sim.line("A", 1),
        (Idle, Some("failed: 408 Request Timeout".into()))
    );
    assert!(sim.statuses("A").iter().all(|s| s != NETWORK_DELAY));
}

/// RFC 3261 §8.1.3.1: the network reporting the primary unreachable (ICMP) is a 503, so the
/// call moves to the backup at once rather than after seven transmissions.
#[test]
fn an_unreachable_primary_moves_the_call_to_the_backup_at_once() {
    let mut sim = world(peer::silent(), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_for(ms(100));
    let primary = sim.addr("P");
    sim.input(
        "A",
        linekey::core::phone::Input::Unreachable { dest: primary },
    );
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(10));

    assert_eq!(sim.times("A", "P", "INVITE"), [ms(0)], "{}", sim.dump());
    assert_eq!(sim.times("A", "Q", "INVITE"), [ms(100)], "{}", sim.dump());
    assert_eq!(
        status_time(&sim, "Proxy Error, Trying Backup"),
        Some(ms(100))
    );
    assert!(
        sim.find_all("A", "P", "ACK").is_empty(),
        "no ACK for a 503 nobody sent"
    );
}

/// An ICMP error about a destination whose requests were answered changes nothing: it may be
/// about a datagram sent long ago.
#[test]
fn an_unreachable_report_after_an_answer_is_ignored() {
    let mut sim = world(peer::answering(secs(1)), &[]);
    sim.intent("A", dial("sip:bob@example.com"));
    sim.run_for(ms(200));
    let primary = sim.addr("P");
    sim.input(
        "A",
        linekey::core::phone::Input::Unreachable { dest: primary },
    );
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(10));
    assert!(
        sim.find_all("A", "Q", "INVITE").is_empty(),
        "{}",
        sim.dump()
    );
    assert!(sim.statuses("A").is_empty(), "{:?}", sim.statuses("A"));
}
