//! S16 (seed figure B-16): 4xx, 5xx and 6xx answers to INVITE. The phone ACKs, shows the reason
//! and does not retry on its own; incompatible media is explained; as callee it refuses an offer
//! with no common codec with `488` + `Warning: 304`; and an unanswered INVITE follows timer A
//! until timer B.

use linekey::core::phone::{Event, LineState::*};
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

/// The phone calls a peer answering `100` then `status`; checks the B-16 flow and no retry.
fn rejected(status: u16, extra: &'static [(&'static str, &'static str)]) -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.add_peer("G", P_ADDR, peer::rejecting(status, extra));
    sim.intent("A", dial("sip:555@10.0.0.9"));
    // A minute of simulated time: no second INVITE, whatever the class.
    sim.run_for(secs(60));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->G INVITE".to_owned(),
            "G->A 100".to_owned(),
            format!("G->A {status}"),
            "A->G ACK".to_owned()
        ],
        "{}",
        sim.dump()
    );
    assert_eq!(sim.line_states("A", 1), [Dialing, Trying, Idle]);
    assert!(sim.media_closed("A"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
    sim
}

fn reason(sim: &Sim) -> String {
    sim.line("A", 1).1.expect("idle reason")
}

#[test]
fn client_error_404_is_shown_and_not_retried() {
    let sim = rejected(404, &[]);
    assert_eq!(reason(&sim), "failed: 404 Not Found");
}

#[test]
fn client_error_488_reports_incompatible_media() {
    let sim = rejected(
        488,
        &[("Warning", "304 10.0.0.9 \"Incompatible media format\"")],
    );
    assert_eq!(reason(&sim), "failed: 488 Not Acceptable Here");
    let statuses = sim.statuses("A");
    assert!(
        statuses.iter().any(|s| s.contains("incompatible media")),
        "{statuses:?}"
    );
}

#[test]
fn seed_style_400_with_warning_304_reports_incompatible_media() {
    let sim = rejected(
        400,
        &[("Warning", "304 10.0.0.9 \"Incompatible media format\"")],
    );
    assert_eq!(reason(&sim), "failed: 400 Bad Request");
    let statuses = sim.statuses("A");
    assert!(
        statuses.iter().any(|s| s.contains("incompatible media")),
        "{statuses:?}"
    );
}

#[test]
fn plain_400_is_not_called_a_media_problem() {
    let sim = rejected(400, &[]);
    assert_eq!(reason(&sim), "failed: 400 Bad Request");
    assert!(sim.statuses("A").iter().all(|s| !s.contains("media")));
}

#[test]
fn server_error_503_fails_without_retry() {
    // No backup proxy or other location is configured, so there is nowhere else to try.
    let sim = rejected(503, &[]);
    assert_eq!(reason(&sim), "failed: 503 Service Unavailable");
}

#[test]
fn server_error_500_fails_without_retry() {
    let sim = rejected(500, &[]);
    assert_eq!(reason(&sim), "failed: 500 Server Internal Error");
}

#[test]
fn global_error_604_stops() {
    let sim = rejected(604, &[]);
    assert_eq!(reason(&sim), "failed: 604 Does Not Exist Anywhere");
}

#[test]
fn global_error_606_reports_incompatible_media() {
    let sim = rejected(606, &[]);
    assert!(reason(&sim).starts_with("failed: 606"), "{}", reason(&sim));
    assert!(sim
        .statuses("A")
        .iter()
        .any(|s| s.contains("incompatible media")));
}

#[test]
fn g729_only_offer_is_refused_with_488_and_warning_304() {
    let mut sim = Sim::new();
    sim.phone("B", "bob", B_ADDR, &[]);
    let g = "10.0.0.9:5060".parse().unwrap();
    let offer = peer::sdp("10.0.0.9", 4000, &[(18, "G729/8000")]);
    assert!(offer.contains("m=audio 4000 RTP/AVP 18"));
    let invite = peer::invite(g, "bob@10.0.0.2", "g729", &offer);
    let sent = invite.clone();
    sim.add_peer("G", P_ADDR, move |ctx, msg| {
        if let Message::Response(resp) = msg {
            if resp.status >= 300 {
                ctx.reply(peer::ack_non_2xx(&sent, &resp));
            }
        }
    });
    sim.send("G", "B", invite.clone());
    sim.run_for(secs(40));
    assert_eq!(sim.trace_lines(), ["G->B INVITE", "B->G 488", "G->B ACK"]);
    let refused = sim.response("B", "G", 488);
    assert_eq!(refused.headers.warning_code(), Some(304));
    assert!(refused.headers.to().unwrap().tag().is_some());
    assert_eq!(refused.headers.cseq().unwrap().method, Method::Invite);
    assert!(
        sim.line_events("B").is_empty(),
        "an impossible call never rings"
    );
    assert!(sim.media("B").is_empty());
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn linekey_to_linekey_without_common_codec() {
    // A offers only PCMA, B accepts only PCMU: B refuses with 488, A says why.
    let mut sim = pair(&["calls.codecs=[\"PCMA\"]"], &["calls.codecs=[\"PCMU\"]"]);
    sim.intent("A", dial("sip:bob@10.0.0.2"));
    sim.run_for(secs(60));
    assert_eq!(sim.trace_lines(), ["A->B INVITE", "B->A 488", "A->B ACK"]);
    assert_eq!(
        sim.response("B", "A", 488).headers.warning_code(),
        Some(304)
    );
    assert_eq!(
        sim.line("A", 1),
        (Idle, Some("failed: 488 Not Acceptable Here".into()))
    );
    assert!(sim
        .statuses("A")
        .iter()
        .any(|s| s.contains("incompatible media")));
    assert!(sim.line_events("B").is_empty());
}

#[test]
fn silence_follows_timer_a_then_timer_b() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.add_peer("H", P_ADDR, peer::silent());
    sim.intent("A", dial("sip:555@10.0.0.9"));
    sim.run_for(secs(60));
    assert_eq!(sim.trace_lines(), ["A->H INVITE"; 7]);
    assert_eq!(
        sim.times("A", "H", "INVITE"),
        [
            ms(0),
            ms(500),
            ms(1500),
            ms(3500),
            ms(7500),
            ms(15500),
            ms(31500)
        ]
    );
    // Every transmission is the same request.
    let sent = sim.find_all("A", "H", "INVITE");
    assert!(sent.windows(2).all(|w| w[0] == w[1]));
    let idle: Vec<_> = sim
        .timed_events("A")
        .into_iter()
        .filter(|(_, e)| matches!(e, Event::Line { state: Idle, .. }))
        .collect();
    assert_eq!(idle.len(), 1);
    assert_eq!(idle[0].0, secs(32), "timer B = 64*T1");
    assert_eq!(reason(&sim), "failed: 408 Request Timeout");
    assert!(sim.media_closed("A"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn silence_with_a_shorter_t1_scales_the_timers() {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &["network.timer_t1_ms=100"]);
    sim.add_peer("H", P_ADDR, peer::silent());
    sim.intent("A", dial("sip:555@10.0.0.9"));
    sim.run_for(secs(60));
    assert_eq!(
        sim.times("A", "H", "INVITE"),
        [
            ms(0),
            ms(100),
            ms(300),
            ms(700),
            ms(1500),
            ms(3100),
            ms(6300)
        ]
    );
    assert_eq!(reason(&sim), "failed: 408 Request Timeout");
}
