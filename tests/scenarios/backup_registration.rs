//! `account.register_backup`: a backup proxy that routes calls only to phones registered with it
//! gets a binding of its own, kept fresh like the registrar's and removed at quit. Without the
//! setting the backup sees no REGISTER (the seed's figures need none).

use linekey::core::phone::{Event, Intent, RegistrationState};

use crate::sim::*;

const REGISTRAR: &str = "10.0.0.9:5060";
const BACKUP: &str = "10.0.0.8:5060";

fn overrides(register_backup: bool) -> Vec<String> {
    vec![
        "account.register=true".into(),
        format!("account.registrar={REGISTRAR}"),
        format!("proxy.primary={REGISTRAR}"),
        format!("proxy.backup={BACKUP}"),
        format!("account.register_backup={register_backup}"),
    ]
}

fn world(
    register_backup: bool,
    backup: impl FnMut(&mut PeerCtx, linekey::core::sip::message::Message) + 'static,
) -> Sim {
    let mut sim = Sim::new();
    sim.add_peer("R", REGISTRAR, peer::answering(secs(1)));
    sim.add_peer("Q", BACKUP, backup);
    let o = overrides(register_backup);
    let o: Vec<&str> = o.iter().map(String::as_str).collect();
    sim.phone("A", "alice", A_ADDR, &o);
    sim
}

fn backup_events(sim: &Sim) -> Vec<(RegistrationState, Option<String>)> {
    sim.events("A")
        .into_iter()
        .filter_map(|e| match e {
            Event::BackupRegistration { state, reason, .. } => Some((state, reason)),
            _ => None,
        })
        .collect()
}

fn expires(sim: &Sim, to: &str) -> Vec<Option<u32>> {
    sim.find_all("A", to, "REGISTER")
        .into_iter()
        .map(|m| request(m).headers.expires())
        .collect()
}

#[test]
fn both_bindings_are_made_refreshed_and_removed() {
    let mut sim = world(true, peer::answering(secs(1)));
    sim.run_for(secs(1));
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)]
    );
    assert_eq!(backup_events(&sim), [(RegistrationState::Registered, None)]);
    let to_backup = request(sim.find_all("A", "Q", "REGISTER").remove(0));
    let to_registrar = request(sim.find_all("A", "R", "REGISTER").remove(0));
    assert_eq!(to_backup.uri.to_string(), format!("sip:{BACKUP}"));
    assert_eq!(
        to_backup.headers.to().unwrap().uri.user.as_deref(),
        Some("alice")
    );
    assert_eq!(
        to_backup.headers.get("Contact"),
        to_registrar.headers.get("Contact")
    );
    assert_ne!(to_backup.headers.call_id(), to_registrar.headers.call_id());

    // Refreshed at 85 % of the hour, each in its own Call-ID.
    sim.run_for(secs(3100));
    assert_eq!(expires(&sim, "Q"), [Some(3600), Some(3600)]);
    let refresh = request(sim.find_all("A", "Q", "REGISTER").remove(1));
    assert_eq!(refresh.headers.call_id(), to_backup.headers.call_id());
    assert_eq!(refresh.headers.cseq().unwrap().seq, 2);

    sim.intent("A", Intent::Quit);
    sim.run_for(secs(2));
    assert_eq!(expires(&sim, "Q").last(), Some(&Some(0)));
    assert_eq!(expires(&sim, "R").last(), Some(&Some(0)));
    assert!(sim.phone_ref("A").is_finished());
}

#[test]
fn without_the_setting_the_backup_sees_no_register() {
    let mut sim = world(false, peer::answering(secs(1)));
    sim.run_for(secs(4000));
    assert!(sim.find_all("A", "Q", "REGISTER").is_empty());
    assert!(backup_events(&sim).is_empty());
    assert_eq!(
        expires(&sim, "R").len(),
        2,
        "the registrar's binding is refreshed"
    );
}

#[test]
fn a_silent_backup_fails_alone_and_is_tried_again() {
    let mut sim = world(true, peer::silent());
    sim.run_for(secs(40));
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)],
        "the registrar's binding is unaffected"
    );
    let failed = backup_events(&sim);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, RegistrationState::Failed);
    assert!(
        failed[0]
            .1
            .as_deref()
            .unwrap()
            .contains("no answer from the backup proxy"),
        "{failed:?}"
    );
    let before = sim.find_all("A", "Q", "REGISTER").len();
    sim.run_for(secs(60));
    assert!(
        sim.find_all("A", "Q", "REGISTER").len() > before,
        "tried again"
    );
}

#[test]
fn switching_the_setting_binds_and_unbinds_the_backup_only() {
    let mut sim = world(false, peer::answering(secs(1)));
    sim.run_for(secs(1));
    let on = overrides(true);
    let on: Vec<&str> = on.iter().map(String::as_str).collect();
    sim.intent("A", configure("alice", A_ADDR, &on));
    sim.run_for(secs(1));
    assert_eq!(expires(&sim, "Q"), [Some(3600)]);
    assert_eq!(expires(&sim, "R").len(), 1, "the registrar's binding stays");

    let off = overrides(false);
    let off: Vec<&str> = off.iter().map(String::as_str).collect();
    sim.intent("A", configure("alice", A_ADDR, &off));
    sim.run_for(secs(1));
    assert_eq!(expires(&sim, "Q"), [Some(3600), Some(0)]);
    assert_eq!(
        backup_events(&sim).last(),
        Some(&(RegistrationState::Unregistered, None))
    );
    assert_eq!(expires(&sim, "R").len(), 1);
}
