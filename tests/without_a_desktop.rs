//! linekey on a machine with no desktop session (no D-Bus session bus, so no notification server
//! and no Secret Service): notifications fail quietly on their own threads, and the password
//! falls back to the settings file, readable only by its owner, with a warning.

use std::time::Duration;

use linekey::config::Config;
use linekey::notify;

#[test]
fn without_a_session_bus_the_phone_goes_on() {
    // The only test in this binary, so changing the environment cannot race another test: the
    // session bus is made unreachable whatever machine runs this.
    let nowhere = tempfile::tempdir().unwrap();
    let bus = format!("unix:path={}", nowhere.path().join("bus").display());
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus);
    std::env::set_var("XDG_RUNTIME_DIR", nowhere.path());

    notifications_fail_quietly();
    the_password_falls_back_to_the_file(nowhere.path());
}

fn notifications_fail_quietly() {
    let mut incoming = notify::incoming("\"Bob\" <sip:bob@example.com>", 1);
    notify::missed("sip:carol@example.com");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let choice = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), incoming.actions.recv()).await
    });
    assert_eq!(
        choice,
        Ok(None),
        "the channel ends once the notification failed"
    );
    incoming.close();
}

fn the_password_falls_back_to_the_file(dir: &std::path::Path) {
    let path = dir.join("settings/linekey.toml");
    let mut config = Config::default();
    config.account.user = "alice".into();
    config.account.domain = "example.com".into();
    config.account.password = "secret".into();
    let saved = config.save(&path).unwrap();
    assert_eq!(saved.warnings.len(), 1, "{:?}", saved.warnings);
    assert!(
        saved.warnings[0].contains("system keyring is not available"),
        "{:?}",
        saved.warnings
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let loaded = Config::load_tolerant(&path);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.config.account.password, "secret");
    assert!(!loaded.config.account.password_in_keyring);
}
