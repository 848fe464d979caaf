//! The GUI's way of loading settings: it always starts. An unknown key is a warning, a bad value
//! falls back to its default with a warning naming the key, and a file that cannot be read or
//! parsed leaves the defaults in place and is reported, never rewritten (see `store`).
//! `linekey agent` keeps the strict `Config::load`, which refuses to start instead.

use std::io;
use std::path::Path;

use super::{
    schema, syntax_error, unknown_keys, value_problem, Config, ConfigError, Keyring, SystemKeyring,
};

/// Settings loaded for the GUI, with everything that had to be overlooked.
#[derive(Clone, Debug, PartialEq)]
pub struct Tolerant {
    /// The settings to use: the file's, with defaults wherever it had nothing usable.
    pub config: Config,
    /// One sentence per thing ignored or replaced by its default, each naming file and key.
    pub warnings: Vec<String>,
    /// What was found on disk.
    pub file: FileState,
}

/// What the settings file on disk was like when it was loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileState {
    /// There is no file yet: a first start.
    Missing,
    /// The file was read (possibly with warnings).
    Read,
    /// The file is not valid TOML; it is left as it is and the next save moves it aside.
    Unparsable {
        /// The file, line and problem, on one line.
        problem: String,
    },
    /// The file exists but cannot be read; saving will not replace it.
    Unreadable {
        /// The file and what the OS said.
        problem: String,
    },
}

impl Config {
    /// Loads settings for the GUI and never fails: see `Tolerant` and `FileState`. A password
    /// kept in the system keyring is fetched from it.
    pub fn load_tolerant(path: &Path) -> Tolerant {
        Self::load_tolerant_with(path, &SystemKeyring)
    }

    /// `load_tolerant` with the password fetched from `keyring`.
    pub fn load_tolerant_with(path: &Path, keyring: &dyn Keyring) -> Tolerant {
        let origin = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Tolerant {
                    config: Config::default(),
                    warnings: Vec::new(),
                    file: FileState::Missing,
                }
            }
            Err(e) => {
                let problem = format!("{origin}: cannot read: {e}");
                return Tolerant {
                    config: Config::default(),
                    warnings: vec![problem.clone()],
                    file: FileState::Unreadable { problem },
                };
            }
        };
        let unparsable = |problem: String| Tolerant {
            config: Config::default(),
            warnings: vec![problem.clone()],
            file: FileState::Unparsable { problem },
        };
        let Ok(text) = String::from_utf8(text) else {
            return unparsable(format!("{origin}: not a text file"));
        };
        match Config::from_toml_tolerant(&text, &origin) {
            Ok((mut config, mut warnings)) => {
                config.password_from_keyring(keyring, &origin, &mut warnings);
                Tolerant {
                    config,
                    warnings,
                    file: FileState::Read,
                }
            }
            Err(e) => unparsable(e.to_string()),
        }
    }

    /// Parses settings text keeping every usable value; fails only when the text is not TOML.
    pub fn from_toml_tolerant(
        text: &str,
        origin: &str,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| syntax_error(text, origin, &e))?;
        let schema = schema();
        let mut warnings = Vec::new();
        unknown_keys(&table, &schema, "", &mut |key| {
            warnings.push(format!("{origin}: unknown key {key}, ignored"));
        });

        let mut reset = |table: &mut toml::Table, key: &str, problem: &str| {
            warnings.push(format!(
                "{origin}: key {key}: {problem}; using the default instead"
            ));
            remove_dotted(table, key)
        };

        // Values of the wrong type: each is tried alone on top of the defaults.
        let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
        let mut wrong = Vec::new();
        for (section, value) in &table {
            if !schema.contains_key(section) {
                continue;
            }
            let toml::Value::Table(fields) = value else {
                if let Some(problem) = value_problem(&defaults, section, None, value) {
                    wrong.push((section.clone(), problem));
                }
                continue;
            };
            for (key, value) in fields {
                if let Some(problem) = value_problem(&defaults, section, Some(key), value) {
                    wrong.push((format!("{section}.{key}"), problem));
                }
            }
        }
        for (key, problem) in wrong {
            reset(&mut table, &key, &problem);
        }

        // Values of the right type that are unusable: validation names one at a time.
        loop {
            let mut config: Config = toml::Value::Table(table.clone())
                .try_into()
                .unwrap_or_default();
            config.normalise();
            match config.validate_values(origin) {
                Ok(()) => return Ok((config, warnings)),
                Err(ConfigError::Key { key, problem, .. }) if reset(&mut table, &key, &problem) => {
                }
                // Not expected (defaults are valid): keep what we have rather than loop.
                Err(_) => return Ok((config, warnings)),
            }
        }
    }
}

/// Removes `section.key` (or a whole section) from `table`; false when it was not there.
fn remove_dotted(table: &mut toml::Table, dotted: &str) -> bool {
    match dotted.split_once('.') {
        None => table.remove(dotted).is_some(),
        Some((section, key)) => match table.get_mut(section) {
            Some(toml::Value::Table(fields)) => fields.remove(key).is_some(),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const MINIMAL: &str = "[account]\nuser = \"alice\"\ndomain = \"example.com\"\n";

    fn tolerant(text: &str) -> (Config, Vec<String>) {
        Config::from_toml_tolerant(text, "x.toml").unwrap()
    }

    #[test]
    fn missing_file_is_a_first_start() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = Config::load_tolerant(&dir.path().join("linekey.toml"));
        assert_eq!(loaded.file, FileState::Missing);
        assert!(loaded.warnings.is_empty());
        assert_eq!(loaded.config, Config::default());
    }

    #[test]
    fn no_account_is_not_a_problem() {
        let (config, warnings) = tolerant("[calls]\nlines = 2\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.calls.lines, 2);
        assert_eq!(config.account.user, "");
    }

    #[test]
    fn wrong_types_fall_back_one_key_at_a_time() {
        let text = format!(
            "{MINIMAL}[calls]\nlines = \"six\"\nauto_answer = true\n[network]\nrtp_ports = [1, 2, 3]\ntimer_t1_ms = 200\n"
        );
        let (config, warnings) = tolerant(&text);
        assert_eq!(config.calls.lines, 6);
        assert!(config.calls.auto_answer);
        assert_eq!(config.network.rtp_ports, [20000, 20999]);
        assert_eq!(config.network.timer_t1_ms, 200);
        assert_eq!(config.account.user, "alice");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings
            .iter()
            .any(|w| w.starts_with("x.toml: key calls.lines: ")));
        assert!(warnings
            .iter()
            .any(|w| w.starts_with("x.toml: key network.rtp_ports: ")));
        assert!(warnings
            .iter()
            .all(|w| w.ends_with("using the default instead")));

        let (config, warnings) = tolerant(&format!("calls = 5\n{MINIMAL}"));
        assert_eq!(config.calls, Config::default().calls);
        assert!(
            warnings[0].starts_with("x.toml: key calls: "),
            "{warnings:?}"
        );
    }

    #[test]
    fn unusable_values_fall_back() {
        let text = format!(
            "{MINIMAL}[network]\nbind = \"127.0.0.1\"\ninvite_attempts = 3\n[calls]\ncodecs = [\"G729\"]\nlines = 0\n[proxy]\nprimary = \"p.example.com\"\n"
        );
        let (config, warnings) = tolerant(&text);
        assert_eq!(config.network.bind, "0.0.0.0:5060");
        assert_eq!(config.network.invite_attempts, 3);
        assert_eq!(config.calls.codecs, ["opus", "PCMU", "PCMA"]);
        assert_eq!(config.calls.lines, 6);
        assert_eq!(config.proxy.primary.as_deref(), Some("p.example.com"));
        let keys: Vec<&str> = warnings
            .iter()
            .map(|w| w.split(": ").nth(1).unwrap())
            .collect();
        assert_eq!(
            keys,
            ["key network.bind", "key calls.lines", "key calls.codecs"]
        );
    }

    #[test]
    fn unknown_keys_are_warnings() {
        let (config, warnings) =
            tolerant(&format!("{MINIMAL}colour = \"blue\"\n[future]\nx = 1\n"));
        assert_eq!(config.account.user, "alice");
        assert_eq!(
            warnings,
            [
                "x.toml: unknown key account.colour, ignored",
                "x.toml: unknown key future, ignored"
            ]
        );
    }

    #[test]
    fn truncated_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let broken = format!("{MINIMAL}[network]\nbind = \"127.0");
        fs::write(&path, &broken).unwrap();
        let loaded = Config::load_tolerant(&path);
        let FileState::Unparsable { problem } = &loaded.file else {
            panic!("{:?}", loaded.file)
        };
        assert!(
            problem.starts_with(&format!("{}: line 5: ", path.display())),
            "{problem}"
        );
        assert_eq!(loaded.config, Config::default());
        assert_eq!(fs::read_to_string(&path).unwrap(), broken);

        // Saving moves the broken file aside under a dated name instead of overwriting it.
        let saved = loaded.config.save(&path).unwrap();
        assert_eq!(saved.warnings.len(), 1, "{:?}", saved.warnings);
        let aside: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("linekey.toml.broken-"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert!(saved.warnings[0].contains(&aside[0]));
        assert_eq!(
            fs::read_to_string(dir.path().join(&aside[0])).unwrap(),
            broken
        );
        assert_eq!(Config::load_tolerant(&path).file, FileState::Read);
    }

    #[test]
    fn unreadable_file_is_reported_and_never_replaced() {
        // A directory where the file should be cannot be read even by root (tests run as root
        // in CI, where chmod 000 would not stop a read).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), "x").unwrap();
        let loaded = Config::load_tolerant(&path);
        assert!(
            matches!(&loaded.file, FileState::Unreadable { problem } if problem.contains("cannot read")),
            "{:?}",
            loaded.file
        );
        assert_eq!(loaded.warnings.len(), 1);
        let err = loaded.config.save(&path).unwrap_err().to_string();
        assert!(err.contains("was not replaced"), "{err}");
        assert_eq!(fs::read_to_string(path.join("keep")).unwrap(), "x");
    }

    #[test]
    fn not_utf8_is_unparsable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(
            Config::load_tolerant(&path).file,
            FileState::Unparsable { .. }
        ));
    }
}
