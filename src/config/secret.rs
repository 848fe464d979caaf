//! The account password: in the system keyring when there is one (Secret Service on Linux, the
//! Keychain on macOS, the Credential Manager on Windows), otherwise in the settings file, which
//! `store` writes readable by its owner only, with a warning the GUI shows.
//!
//! The stores come from the keyring-core family: the Linux one talks D-Bus in pure Rust (zbus,
//! the same as desktop notifications), so no C library is needed to build.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use super::Config;

/// The keyring service name: the application id, so the entry is recognisable in a keyring app.
pub const SERVICE: &str = "io.github.linekey.Linekey";

/// Somewhere to keep passwords, one per account (`user@domain`).
pub trait Keyring {
    /// Stores `password` for `account`, replacing any earlier one.
    fn store(&self, account: &str, password: &str) -> Result<(), String>;
    /// The password stored for `account`, `None` when there is none.
    fn fetch(&self, account: &str) -> Result<Option<String>, String>;
    /// Forgets the password of `account`; forgetting one that is not there is not an error.
    fn forget(&self, account: &str) -> Result<(), String>;
}

/// The platform's keyring, opened on first use (opening it talks to a service that may be
/// missing, as on a headless machine).
#[derive(Debug, Default)]
pub struct SystemKeyring;

impl SystemKeyring {
    fn entry(account: &str) -> Result<Entry, String> {
        let store = open_store()?;
        store
            .build(SERVICE, account, None)
            .map_err(|e| e.to_string())
    }
}

impl Keyring for SystemKeyring {
    fn store(&self, account: &str, password: &str) -> Result<(), String> {
        Self::entry(account)?
            .set_password(password)
            .map_err(|e| e.to_string())
    }

    fn fetch(&self, account: &str) -> Result<Option<String>, String> {
        match Self::entry(account)?.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn forget(&self, account: &str) -> Result<(), String> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(target_os = "linux")]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    zbus_secret_service_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| e.to_string())
}

#[cfg(target_os = "macos")]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| e.to_string())
}

#[cfg(windows)]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| e.to_string())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    Err("this system has no keyring linekey can use".into())
}

impl Config {
    /// Fills in the password from `keyring` when the settings say it is kept there; a password
    /// that cannot be had becomes a warning asking for it again (the settings still load).
    pub(super) fn password_from_keyring(
        &mut self,
        keyring: &dyn Keyring,
        origin: &str,
        warnings: &mut Vec<String>,
    ) {
        let account = &mut self.account;
        if !account.password_in_keyring || !account.password.is_empty() {
            return;
        }
        let name = account.keyring_account();
        match keyring.fetch(&name) {
            Ok(Some(password)) => account.password = password,
            Ok(None) => warnings.push(format!(
                "{origin}: the keyring has no password for {name}; enter it again in the settings"
            )),
            Err(e) => warnings.push(format!(
                "{origin}: the password for {name} could not be read from the keyring ({e}); enter it again in the settings"
            )),
        }
    }

    /// The settings as they go to disk: the password moved to `keyring` when it takes it, else
    /// left in the file with a warning. `was_in_keyring` says what the file on disk said.
    pub(super) fn password_to_keyring(
        &self,
        keyring: &dyn Keyring,
        was_in_keyring: bool,
        warnings: &mut Vec<String>,
    ) -> Config {
        let mut on_disk = self.clone();
        let account = &mut on_disk.account;
        let name = account.keyring_account();
        if account.password.is_empty() {
            // Cleared by the user: it must not linger in the keyring. (A password that could not
            // be read at load keeps `password_in_keyring`, and is left alone.)
            if was_in_keyring && !account.password_in_keyring {
                if let Err(e) = keyring.forget(&name) {
                    tracing::warn!("cannot remove the password of {name} from the keyring: {e}");
                }
            }
            return on_disk;
        }
        match keyring.store(&name, &account.password) {
            Ok(()) => {
                account.password.clear();
                account.password_in_keyring = true;
            }
            Err(e) => {
                account.password_in_keyring = false;
                warnings.push(format!(
                    "The password is kept in the settings file, readable only by you, because the system keyring is not available ({e})."
                ));
            }
        }
        on_disk
    }
}

/// A keyring that is never there: the settings file keeps the password. For tests, and for
/// whoever wants settings that travel as one file.
#[derive(Debug, Default)]
pub struct NoKeyring;

impl Keyring for NoKeyring {
    fn store(&self, _: &str, _: &str) -> Result<(), String> {
        Err("no keyring is used".into())
    }

    fn fetch(&self, _: &str) -> Result<Option<String>, String> {
        Err("no keyring is used".into())
    }

    fn forget(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::fs;

    /// A keyring in memory that can be switched off, like a Secret Service that went away.
    #[derive(Default)]
    struct MemoryKeyring {
        entries: RefCell<HashMap<String, String>>,
        down: bool,
    }

    impl Keyring for MemoryKeyring {
        fn store(&self, account: &str, password: &str) -> Result<(), String> {
            if self.down {
                return Err("no Secret Service".into());
            }
            self.entries
                .borrow_mut()
                .insert(account.to_owned(), password.to_owned());
            Ok(())
        }

        fn fetch(&self, account: &str) -> Result<Option<String>, String> {
            if self.down {
                return Err("no Secret Service".into());
            }
            Ok(self.entries.borrow().get(account).cloned())
        }

        fn forget(&self, account: &str) -> Result<(), String> {
            self.entries.borrow_mut().remove(account);
            Ok(())
        }
    }

    fn alice() -> Config {
        let mut c = Config::default();
        c.account.user = "alice".into();
        c.account.domain = "example.com".into();
        c.account.password = "secret".into();
        c
    }

    #[test]
    fn the_keyring_keeps_the_password_out_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let keyring = MemoryKeyring::default();
        let saved = alice().save_with(&path, &keyring).unwrap();
        assert!(saved.warnings.is_empty(), "{:?}", saved.warnings);
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("password_in_keyring = true"), "{text}");
        assert_eq!(
            keyring
                .entries
                .borrow()
                .get("alice@example.com")
                .map(String::as_str),
            Some("secret")
        );

        let loaded = Config::load_tolerant_with(&path, &keyring);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.config.account.password, "secret");
        assert!(loaded.config.account.password_in_keyring);
    }

    #[test]
    fn without_a_keyring_the_file_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let keyring = MemoryKeyring {
            down: true,
            ..MemoryKeyring::default()
        };
        let saved = alice().save_with(&path, &keyring).unwrap();
        assert!(
            saved.warnings[0].contains("no Secret Service"),
            "{:?}",
            saved.warnings
        );
        let loaded = Config::load_tolerant_with(&path, &keyring);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.config.account.password, "secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_keyring_that_went_away_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let mut keyring = MemoryKeyring::default();
        alice().save_with(&path, &keyring).unwrap();

        keyring.down = true;
        let loaded = Config::load_tolerant_with(&path, &keyring);
        assert_eq!(loaded.warnings.len(), 1);
        assert!(
            loaded.warnings[0].contains("enter it again"),
            "{:?}",
            loaded.warnings
        );
        assert_eq!(loaded.config.account.password, "");

        // Saving other settings meanwhile keeps the password where it is.
        let mut config = loaded.config;
        config.calls.lines = 2;
        config.save_with(&path, &keyring).unwrap();
        keyring.down = false;
        let loaded = Config::load_tolerant_with(&path, &keyring);
        assert_eq!(loaded.config.account.password, "secret");
        assert_eq!(loaded.config.calls.lines, 2);
    }

    #[test]
    fn a_cleared_password_leaves_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let keyring = MemoryKeyring::default();
        alice().save_with(&path, &keyring).unwrap();
        let mut config = Config::load_tolerant_with(&path, &keyring).config;
        config.account.password.clear();
        config.account.password_in_keyring = false;
        config.save_with(&path, &keyring).unwrap();
        assert!(keyring.entries.borrow().is_empty());
        let loaded = Config::load_tolerant_with(&path, &keyring);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.config.account.password, "");
    }

    #[test]
    fn the_agent_reads_a_password_from_the_keyring_file_as_before() {
        // Files without the keyring flag (every agent test's) never touch a keyring.
        let text = "[account]\nuser = \"a\"\ndomain = \"b\"\npassword = \"p\"\n";
        let loaded = Config::from_toml(text, "x.toml", &[]).unwrap();
        assert_eq!(loaded.config.account.password, "p");
        assert!(!loaded.config.account.password_in_keyring);
    }
}
