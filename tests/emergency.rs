//! S19 over real UDP: a dial-plan template with `Route="emergency"` sends the call to the
//! emergency proxy (a sipp that answers) at once, while the primary proxy is a black hole that
//! must see nothing; a broken dial plan file is reported with its line.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const PLAN: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="911" Timeout="0" User="Phone" Route="emergency"/>
  <TEMPLATE MATCH="*" Timeout="5"/>
</DIALTEMPLATE>"#;

fn write_plan(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("dialplan.xml");
    std::fs::write(&path, text).expect("write dial plan");
    path.to_string_lossy().into_owned()
}

#[test]
fn emergency_number_goes_to_the_emergency_proxy() {
    let primary = Blackhole::start();
    let emergency = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        Duration::from_secs(60),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(&dir, PLAN);
    let config = AgentConfig {
        proxy: Some(format!("127.0.0.1:{}", primary.port)),
        ..AgentConfig::new("alice")
    };
    let alice = Agent::start_with_args(
        "alice",
        &config.to_toml(),
        &[
            "--set",
            &format!("proxy.emergency={}", emergency.addr()),
            "--set",
            &format!("dialplan.file={plan}"),
        ],
    );
    alice.send(json!({"cmd": "dial", "target": "911"}));
    alice.expect_line(1, "connected", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    emergency.wait().assert_success();
    assert!(
        primary.arrivals().is_empty(),
        "the primary proxy saw the emergency call"
    );
    assert!(
        alice.history().iter().all(|e| e["event"] != "status"),
        "{:?}",
        alice.history()
    );
}

#[test]
fn broken_dial_plan_is_reported_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(
        &dir,
        "<DIALTEMPLATE>\n  <TEMPLATE Timeout=\"0\"/>\n</DIALTEMPLATE>\n",
    );
    let config = AgentConfig::new("alice");
    let mut alice = Agent::start_with_args(
        "alice",
        &config.to_toml(),
        &["--set", &format!("dialplan.file={plan}")],
    );
    let error = alice.expect_event("error", STEP);
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("dialplan.xml: line 2"), "{message}");
    // The phone goes on: it still quits cleanly.
    assert!(alice.quit().success());
}
