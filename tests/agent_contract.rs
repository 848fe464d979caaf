//! The `linekey agent` command line and JSON-lines contract itself (AGENT.md): `--set`
//! overrides, unusable configs, bad input, end of stdin.

mod common;

use std::process::Command;

use common::*;
use serde_json::json;

#[test]
fn set_overrides_the_config_file() {
    let cfg = AgentConfig::new("alice");
    let other = free_udp_port();
    let bind = format!("network.bind=127.0.0.1:{other}");
    let mut alice = Agent::start_with_args("alice", &cfg.to_toml(), &["--set", &bind]);
    assert_eq!(alice.sip.port(), other, "ready reports the --set address");
    assert!(alice.quit().success());
}

#[test]
fn unusable_config_exits_nonzero_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    let mut cfg = AgentConfig::new("alice");
    cfg.extra = String::new();
    let text = cfg.to_toml().replace("lines = 6", "lines = \"many\"");
    assert!(text.contains("lines = \"many\""));
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_linekey"))
        .args(["agent", "--config"])
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run linekey agent");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exit status {}", out.status);
    assert!(stderr.contains("broken.toml"), "names the file: {stderr}");
    assert!(stderr.contains("lines"), "names the key: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "no events: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A missing file, likewise.
    let out = Command::new(env!("CARGO_BIN_EXE_linekey"))
        .args(["agent", "--config"])
        .arg(dir.path().join("missing.toml"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run linekey agent");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("missing.toml"), "names the file: {stderr}");
}

#[test]
fn end_of_stdin_hangs_up_and_exits_0() {
    let (a, b) = (AgentConfig::new("alice"), AgentConfig::new("bob"));
    let mut alice = a.start();
    let bob = b.start();
    alice.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    alice.expect_line(1, "connected", STEP);
    alice.close_stdin();
    let status = alice
        .wait_exit(STEP)
        .unwrap_or_else(|| alice.fail("did not exit at end of stdin"));
    assert!(status.success(), "exit status {status}");
    bob.expect_idle(1, "remote_hangup");
}

#[test]
fn bad_input_yields_error_and_agent_goes_on() {
    let (a, b) = (AgentConfig::new("alice"), AgentConfig::new("bob"));
    let mut alice = a.start();
    let bob = b.start();
    alice.send_raw("this is not json");
    alice.expect_event("error", STEP);
    alice.send(json!({"cmd": "no-such-command"}));
    alice.expect_event("error", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1})); // nothing to hang up
    alice.expect_event("error", STEP);
    // Unknown keys are ignored.
    alice.send(json!({"cmd": "dial", "target": b.uri(), "colour": "blue"}));
    bob.expect_line(1, "incoming", STEP);
    alice.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "local_hangup");
    bob.expect_idle(1, "cancelled");
    assert!(alice.alive());
    assert!(alice.quit().success());
}

#[test]
fn unknown_settings_key_is_reported_after_ready_and_the_phone_goes_on() {
    let mut cfg = AgentConfig::new("alice");
    cfg.extra = "[colours]\nbackground = \"teal\"\n".to_owned();
    let mut alice = cfg.start();
    let warning = alice.expect_event("error", STEP);
    let message = warning["message"].as_str().unwrap_or_default();
    assert!(message.contains("unknown key colours"), "{message}");
    assert!(alice.quit().success());
}

#[test]
fn status_and_error_carry_a_stable_key_and_arguments_beside_the_english_text() {
    let cfg = AgentConfig::new("alice");
    let mut alice = cfg.start();

    alice.send(json!({"cmd": "hangup", "line": 1}));
    let error = alice.expect_event("error", STEP);
    assert_eq!(error["message"], "line 1 is idle");
    assert_eq!(error["key"], "error-line-idle");
    assert_eq!(error["args"], json!({"line": "1"}));

    // Other RTP ports cannot be taken while running: a status says so.
    let (low, high) = (cfg.rtp_ports.0 + 100, cfg.rtp_ports.1 + 100);
    alice.send(json!({"cmd": "configure", "config": {
        "account": {"user": "alice", "domain": "127.0.0.1"},
        "network": {"bind": format!("127.0.0.1:{}", cfg.port), "rtp_ports": [low, high]},
    }}));
    let status = alice.expect_event("status", STEP);
    let (bind, low, high) = (
        format!("127.0.0.1:{}", cfg.port),
        cfg.rtp_ports.0,
        cfg.rtp_ports.1,
    );
    assert_eq!(
        status["text"].as_str(),
        Some(
            format!(
                "Restart linekey to use the new network.bind and network.rtp_ports; until then \
                 it keeps {bind} and ports {low}-{high}"
            )
            .as_str()
        )
    );
    assert_eq!(status["key"], "status-restart-for-network");
    assert_eq!(
        status["args"],
        json!({"bind": bind, "low": low.to_string(), "high": high.to_string()})
    );
    alice.expect_event("configured", STEP);
    assert!(alice.quit().success());
}
