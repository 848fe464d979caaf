//! Where the settings file lives and how it is written so that nothing the user saved is lost:
//! an atomic replace (temporary file in the same directory, fsync, rename, fsync of the
//! directory), the previous version kept as `linekey.toml.bak`, a file that is not TOML moved
//! aside under a dated name instead of being overwritten, and an unreadable file never replaced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{schema, Config, Keyring, SystemKeyring};

/// The file name of the settings file inside the platform's config directory.
pub const FILE_NAME: &str = "linekey.toml";

/// The platform's directories for linekey (`~/.config/linekey`, `~/.local/state/linekey`, …).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    // On macOS this yields `io.github.linekey.Linekey`, the application id used everywhere else.
    directories::ProjectDirs::from("io.github", "linekey", "Linekey")
}

/// What a successful save has to tell the user.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Saved {
    /// Sentences for the user, e.g. that a broken file was moved aside, or where the password is.
    pub warnings: Vec<String>,
}

/// Why settings could not be saved; the file on disk is then exactly as it was.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The existing file cannot be read, so it is not replaced (it may hold settings we cannot see).
    #[error("{path}: cannot read the existing settings file ({source}), so it was not replaced; fix its permissions or move it away")]
    Unreadable {
        /// The settings file.
        path: String,
        /// What the OS said.
        source: io::Error,
    },
    /// Writing, syncing or renaming failed.
    #[error("{path}: cannot save settings: {source}")]
    Write {
        /// The file being written.
        path: String,
        /// What the OS said.
        source: io::Error,
    },
}

impl Config {
    /// The settings file of the GUI: `linekey.toml` in the platform's config directory
    /// (`$XDG_CONFIG_HOME/linekey` or `~/.config/linekey` on Linux); `None` when the system
    /// names no home directory.
    pub fn default_path() -> Option<PathBuf> {
        project_dirs().map(|d| d.config_dir().join(FILE_NAME))
    }

    /// Saves the settings to `path` atomically, keeping the previous version as `PATH.bak`.
    ///
    /// A file there that is not valid TOML is moved aside to `PATH.broken-YYYYMMDD-HHMMSS`
    /// first (and a warning says so); a file that cannot be read is never replaced. Keys in the
    /// old file that this version of linekey does not know are carried over. The password goes
    /// to the system keyring when there is one; otherwise the file keeps it, and a warning in
    /// `Saved` says so. The file is readable by its owner only either way. Talking to the
    /// keyring may take a moment: call this off the UI thread.
    pub fn save(&self, path: &Path) -> Result<Saved, SaveError> {
        self.save_with(path, &SystemKeyring)
    }

    /// `save` with the password going to `keyring` (the file keeps it when the keyring refuses).
    pub fn save_with(&self, path: &Path, keyring: &dyn Keyring) -> Result<Saved, SaveError> {
        let mut saved = Saved::default();
        let write_err = |source| SaveError::Write {
            path: path.display().to_string(),
            source,
        };
        let dir = parent_dir(path);
        fs::create_dir_all(&dir).map_err(write_err)?;

        let previous = match fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(SaveError::Unreadable {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let previous_table = previous.as_deref().map(|bytes| {
            std::str::from_utf8(bytes)
                .ok()
                .and_then(|text| text.parse::<toml::Table>().ok())
        });

        let was_in_keyring = matches!(&previous_table, Some(Some(old))
            if old.get("account").and_then(|a| a.get("password_in_keyring")) == Some(&toml::Value::Boolean(true)));
        let on_disk = self.password_to_keyring(keyring, was_in_keyring, &mut saved.warnings);
        let mut table =
            toml::Table::try_from(&on_disk).map_err(|e| write_err(io::Error::other(e)))?;
        if let Some(Some(old)) = &previous_table {
            carry_unknown_keys(old, &schema(), &mut table);
        }
        let text = toml::to_string(&table).map_err(|e| write_err(io::Error::other(e)))?;

        match (&previous, &previous_table) {
            (Some(bytes), Some(Some(_))) => {
                write_atomically(&backup_path(path), bytes).map_err(write_err)?;
            }
            (Some(_), Some(None)) => {
                let aside = aside_path(path, "broken", SystemTime::now());
                fs::rename(path, &aside).map_err(write_err)?;
                saved.warnings.push(format!(
                    "{}: the settings file could not be read as settings; it was kept as {}",
                    path.display(),
                    aside.display()
                ));
            }
            _ => {}
        }
        write_atomically(path, text.as_bytes()).map_err(write_err)?;
        Ok(saved)
    }
}

/// `PATH.bak`: the version before the last save.
pub fn backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".bak")
}

/// `PATH.WHY-YYYYMMDD-HHMMSS` (UTC), with `-2`, `-3`… added if that name is taken.
fn aside_path(path: &Path, why: &str, now: SystemTime) -> PathBuf {
    let stamp = utc_stamp(now);
    let first = with_suffix(path, &format!(".{why}-{stamp}"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| with_suffix(&first, &format!("-{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Copies keys of `old` that `schema` does not know into `new`, so a file written by a newer
/// linekey keeps its settings after an older one saves.
fn carry_unknown_keys(old: &toml::Table, schema: &toml::Table, new: &mut toml::Table) {
    for (key, value) in old {
        match (schema.get(key), value, new.get_mut(key)) {
            (None, _, _) => {
                new.insert(key.clone(), value.clone());
            }
            (
                Some(toml::Value::Table(inner_schema)),
                toml::Value::Table(inner_old),
                Some(toml::Value::Table(inner_new)),
            ) => carry_unknown_keys(inner_old, inner_schema, inner_new),
            _ => {}
        }
    }
}

/// Replaces `path` with `bytes` so that a crash leaves either the old or the new content:
/// a temporary file in the same directory (renames are atomic only within one file system),
/// fsync, rename over `path`, fsync of the directory so the rename itself is durable.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = owner_only()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn owner_only() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

#[cfg(not(unix))]
fn owner_only() -> OpenOptions {
    // On Windows the profile directory already restricts access to its owner.
    OpenOptions::new()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Windows cannot open a directory as a file; its rename is durable once it returns.
    Ok(())
}

/// `YYYYMMDD-HHMMSS` in UTC, for file names.
fn utc_stamp(now: SystemTime) -> String {
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm), so a dated file
/// name needs no date crate.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        let at = |s| utc_stamp(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "19700101-000000");
        assert_eq!(at(951_782_400), "20000229-000000");
        assert_eq!(at(1_795_251_425), "20261121-085705");
    }

    #[test]
    fn aside_names_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let now = SystemTime::UNIX_EPOCH;
        let first = aside_path(&path, "broken", now);
        assert!(first.ends_with("linekey.toml.broken-19700101-000000"));
        fs::write(&first, "x").unwrap();
        let second = aside_path(&path, "broken", now);
        assert!(second.ends_with("linekey.toml.broken-19700101-000000-2"));
    }
}

#[cfg(test)]
mod save_tests {
    use super::*;
    use crate::config::NoKeyring;

    fn alice() -> Config {
        let mut c = Config::default();
        c.account.user = "alice".into();
        c.account.domain = "example.com".into();
        c
    }

    #[test]
    fn default_path_is_in_the_config_dir() {
        let path = Config::default_path().expect("a home directory");
        assert!(path.ends_with("linekey.toml"), "{path:?}");
        #[cfg(target_os = "linux")]
        assert!(path.ends_with("linekey/linekey.toml"), "{path:?}");
    }

    #[test]
    fn save_creates_the_directory_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/linekey.toml");
        let mut c = alice();
        c.calls.lines = 3;
        c.account.password = "secret".into();
        let saved = c.save_with(&path, &NoKeyring).unwrap();
        assert_eq!(saved.warnings.len(), 1, "{:?}", saved.warnings);
        assert!(saved.warnings[0].contains("readable only by you"));
        let back = Config::load(&path, &[]).unwrap();
        assert_eq!(back.config, c);
        assert!(back.warnings.is_empty());
        assert!(!backup_path(&path).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn previous_version_is_kept_as_bak() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        let mut c = alice();
        c.save(&path).unwrap();
        let first = fs::read_to_string(&path).unwrap();
        c.calls.auto_answer = true;
        c.save(&path).unwrap();
        assert_eq!(fs::read_to_string(backup_path(&path)).unwrap(), first);
        assert!(Config::load(&path, &[]).unwrap().config.calls.auto_answer);
    }

    #[test]
    fn unknown_keys_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linekey.toml");
        fs::write(
            &path,
            "theme = \"dark\"\n[account]\nuser = \"alice\"\ndomain = \"example.com\"\navatar = \"a.png\"\n[calls]\nlines = 2\n",
        )
        .unwrap();
        let loaded = Config::load_tolerant(&path);
        assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
        let mut c = loaded.config;
        c.calls.lines = 4;
        c.save(&path).unwrap();
        let table: toml::Table = fs::read_to_string(&path).unwrap().parse().unwrap();
        assert_eq!(table["theme"].as_str(), Some("dark"));
        assert_eq!(table["account"]["avatar"].as_str(), Some("a.png"));
        assert_eq!(table["calls"]["lines"].as_integer(), Some(4));
    }
}
