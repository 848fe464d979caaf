//! The test harness itself, without linekey: the sipp scenarios complete against each other and
//! kamailio starts and challenges. When these fail, the interop tests' failures are not linekey's.

mod common;

use std::time::Duration;

use common::*;

#[test]
fn sipp_scenarios_complete_against_each_other() {
    let uas = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        Duration::from_secs(30),
    );
    let uac = sipp(
        &[
            "-sf",
            &scenario("uac_call.xml"),
            "-s",
            "bob",
            "-m",
            "1",
            &uas.addr(),
        ],
        Duration::from_secs(30),
    );
    uac.assert_success();
    uas.wait().assert_success();
    assert_eq!(uac.stat_u64("SuccessfulCall(C)"), 1, "{}", uac.report());
}

#[test]
fn kamailio_starts_and_challenges() {
    let k = Kamailio::start();
    let raw = RawSip::new();
    let to = k.addr().parse().unwrap();
    raw.send(to, &raw.options(to, "harness-options"));
    let reply = raw
        .recv_until(STEP, |r| {
            call_id_of(r).as_deref() == Some("harness-options")
        })
        .unwrap_or_else(|| panic!("no reply from kamailio\n{}", k.report()));
    assert_eq!(
        status_of(&reply),
        Some(407),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert!(k.registered_users().is_empty());
}
