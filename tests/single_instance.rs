//! `linekey LINK` as a second process: it hands the link to the running linekey (held open here
//! through the library's `ipc::claim_in`) and exits 0; a link that cannot place a call is
//! refused with exit status 2 and a sentence saying why.

use std::path::Path;
use std::process::{Command, Output};

use linekey::ipc::{self, Claim, Request};

fn linekey(runtime_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linekey"))
        .args(args)
        .env(ipc::RUNTIME_DIR_ENV, runtime_dir)
        .output()
        .expect("linekey runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_second_linekey_forwards_its_link_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let Ok(Claim::Primary(mut primary)) = ipc::claim_in(dir.path(), None) else {
        panic!("the test should be the running linekey");
    };

    let out = linekey(dir.path(), &["sip:555-0002@companyb.com;user=phone"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        primary.requests.try_recv(),
        Ok(Request::Dial("sip:555-0002@companyb.com;user=phone".into()))
    );

    let out = linekey(dir.path(), &["callto://+1-555-0100"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        primary.requests.try_recv(),
        Ok(Request::Dial("+15550100".into()))
    );

    // The launcher again: the running window is asked to come forward.
    let out = linekey(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(primary.requests.try_recv(), Ok(Request::Show));
}

#[test]
fn a_link_with_other_settings_goes_to_the_phone_that_uses_them() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work.toml");
    std::fs::write(&work, "").unwrap();
    let Ok(Claim::Primary(mut usual)) = ipc::claim_in(dir.path(), None) else {
        panic!("the test should be the usual linekey");
    };
    let work_dir = ipc::instance_dir(dir.path(), Some(&work), None);
    let Ok(Claim::Primary(mut work_phone)) = ipc::claim_in(&work_dir, None) else {
        panic!("the test should be the linekey with the work settings");
    };

    let out = linekey(
        dir.path(),
        &[
            "--config",
            &work.display().to_string(),
            "sip:bob@example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        work_phone.requests.try_recv(),
        Ok(Request::Dial("sip:bob@example.com".into()))
    );
    assert!(usual.requests.try_recv().is_err());
}

#[test]
fn links_that_do_not_place_calls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = linekey(dir.path(), &["http://x"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "linekey: cannot call \"http://x\": linekey only places calls from sip:, sips:, tel: and callto: links, not http:"
    );
    let out = linekey(dir.path(), &["sip:bob@example.com?Replaces=abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("headers"),
        "{}",
        text(&out.stderr)
    );
    // Nothing was started or claimed for a refused link.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn help_version_and_unknown_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let out = linekey(dir.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("linekey LINK"));
    let out = linekey(dir.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout).trim_end(),
        format!("linekey {}", env!("CARGO_PKG_VERSION"))
    );
    let out = linekey(dir.path(), &["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("usage: linekey"));
}
