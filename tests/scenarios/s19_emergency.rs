//! S19 (seed figures B-22 and B-23): a dial-plan template with `Route="emergency"` sends the
//! INVITE to the emergency proxy for the whole call, never delayed by the primary's failover;
//! other templates rewrite the number and add `user=phone`.

use linekey::core::dialplan::DialPlan;
use linekey::core::phone::{Event, LineState::*};

use crate::sim::*;

/// The status the seed's phones show when the primary proxy did not answer.
const NETWORK_DELAY: &str = "Network Delay, Trying Backup";

const PLAN: &str = include_str!("../fixtures/dialplan/cisco_example.xml");

/// Phone A with a dead primary, a backup, an emergency proxy and the Cisco example plan.
fn world() -> Sim {
    let mut sim = Sim::new();
    let mut settings = settings(
        "alice",
        A_ADDR,
        &[
            "proxy.primary=10.0.0.9:5060",
            "proxy.backup=10.0.0.8:5060",
            "proxy.emergency=10.0.0.7:5060",
        ],
    );
    settings.dial_plan = DialPlan::parse(PLAN, "cisco_example.xml").expect("fixture parses");
    sim.add_phone("A", A_ADDR, settings);
    sim.add_peer("P", "10.0.0.9:5060", peer::silent());
    sim.add_peer("Q", "10.0.0.8:5060", peer::answering(secs(1)));
    sim.add_peer("E", "10.0.0.7:5060", peer::answering(secs(1)));
    sim
}

#[test]
fn emergency_number_goes_to_the_emergency_proxy_at_once() {
    let mut sim = world();
    sim.intent("A", dial("911"));
    sim.run_until(|s| s.line("A", 1).0 == Connected, secs(5));
    assert_eq!(
        sim.trace_lines()[..5],
        [
            "A->E INVITE",
            "E->A 100",
            "E->A 180",
            "E->A 200",
            "A->E ACK"
        ],
        "{}",
        sim.dump()
    );
    let invite = sim.request("A", "E", "INVITE");
    assert_eq!(invite.uri.user.as_deref(), Some("911"));
    assert_eq!(invite.uri.param("user"), Some(Some("phone")));
    assert!(sim.statuses("A").iter().all(|s| s != NETWORK_DELAY));

    // The whole call stays with the emergency proxy.
    sim.intent("A", hangup(1));
    sim.run_for(secs(1));
    assert_eq!(
        sim.request("A", "E", "BYE").headers.call_id(),
        invite.headers.call_id()
    );
    assert!(sim.find_all("A", "P", "INVITE").is_empty());
}

#[test]
fn emergency_calls_never_fail_over_to_the_backup() {
    let mut sim = world();
    // An emergency proxy that does not answer: the call is not moved elsewhere.
    let mut settings = settings(
        "alice",
        "10.0.0.11:5060",
        &[
            "proxy.primary=10.0.0.9:5060",
            "proxy.backup=10.0.0.8:5060",
            "proxy.emergency=10.0.0.9:5060",
        ],
    );
    settings.dial_plan = DialPlan::parse(PLAN, "cisco_example.xml").expect("fixture parses");
    sim.add_phone("B", "10.0.0.11:5060", settings);
    sim.intent("B", dial("911"));
    sim.run_for(secs(40));
    assert_eq!(sim.times("B", "P", "INVITE").len(), 7, "{}", sim.dump());
    assert!(sim.find_all("B", "Q", "INVITE").is_empty());
    assert_eq!(
        sim.line("B", 1),
        (Idle, Some("failed: 408 Request Timeout".into()))
    );
}

#[test]
fn outside_line_prefix_is_rewritten() {
    let mut sim = world();
    sim.intent("A", dial("95551234"));
    sim.run_for(secs(33));
    // Not an emergency: the normal route, so the primary is tried (and fails over).
    let invite = sim.request("A", "P", "INVITE");
    assert_eq!(invite.uri.to_string(), "sip:5551234@10.0.0.1;user=phone");
    assert_eq!(
        sim.request("A", "Q", "INVITE").uri.user.as_deref(),
        Some("5551234")
    );
}

#[test]
fn a_dial_string_no_template_matches_is_an_error() {
    let mut sim = Sim::new();
    let mut settings = settings("alice", A_ADDR, &["proxy.emergency=10.0.0.7:5060"]);
    let plan =
        r#"<DIALTEMPLATE><TEMPLATE MATCH="911" Timeout="0" Route="emergency"/></DIALTEMPLATE>"#;
    settings.dial_plan = DialPlan::parse(plan, "short.xml").expect("plan parses");
    sim.add_phone("A", A_ADDR, settings);
    sim.intent("A", dial("12"));
    sim.run_for(secs(1));
    assert!(sim.trace().is_empty());
    let errors: Vec<String> = sim
        .events("A")
        .into_iter()
        .filter_map(|e| match e {
            Event::Error { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(errors, ["no dial plan template matches \"12\""]);
}
