//! Where the log goes. `linekey agent` writes it to stderr (stdout is its JSON contract); the
//! desktop phone has no terminal, so it writes a daily file in the platform's state directory
//! (`$XDG_STATE_HOME/linekey/logs` or `~/.local/state/linekey/logs` on Linux), keeping a week.
//!
//! `LINEKEY_LOG` (error, warn, info, debug, trace) chooses how much; the SIP trace (setting
//! `log.sip_trace`) is logged at info under `engine::SIP_TRACE_TARGET` and always let through.

use std::path::{Path, PathBuf};

use tracing::Level;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::engine::SIP_TRACE_TARGET;

/// Environment variable with the log level.
pub const LEVEL_ENV: &str = "LINEKEY_LOG";

/// Log files kept: a week of daily files.
const KEEP_FILES: usize = 7;

/// Keeps the file writer's background thread alive; dropping it flushes what is left.
#[must_use = "the log stops being written when this is dropped"]
pub struct FileLog {
    _guard: WorkerGuard,
    /// The directory the log files are in, to show the user.
    pub dir: PathBuf,
}

/// The directory of the desktop phone's log files.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = crate::config::project_dirs()?;
    // Only Linux has a state directory; elsewhere local data is the place for logs.
    let base = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(base.join("logs"))
}

/// Logs to stderr, warnings and worse unless `LINEKEY_LOG` asks for more, plus the SIP trace.
pub fn to_stderr() {
    tracing_subscriber::fmt()
        .with_max_level(Level::TRACE)
        .with_writer(std::io::stderr)
        .with_target(false)
        .finish()
        .with(filter(level(Level::WARN)))
        .init();
}

/// `level` and worse, and the SIP trace whatever the level: the engine only writes the trace
/// when the setting asks for it, and whoever set it wants to see it.
fn filter(level: Level) -> Targets {
    Targets::new()
        .with_default(level)
        .with_target(SIP_TRACE_TARGET, Level::INFO)
}

/// Logs to daily files in `dir` (info and worse unless `LINEKEY_LOG` says otherwise).
pub fn to_file(dir: &Path) -> Result<FileLog, String> {
    let (subscriber, log) = file_subscriber(dir, level(Level::INFO))?;
    tracing::subscriber::set_global_default(subscriber).map_err(|e| e.to_string())?;
    Ok(log)
}

/// A subscriber writing to daily files `linekey.YYYY-MM-DD.log` in `dir`, through a background
/// thread so a slow disk never holds up SIP or the window.
pub fn file_subscriber(
    dir: &Path,
    level: Level,
) -> Result<(impl tracing::Subscriber + Send + Sync, FileLog), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("linekey")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(Level::TRACE)
        .with_writer(writer)
        .with_ansi(false)
        .finish()
        .with(filter(level));
    Ok((
        subscriber,
        FileLog {
            _guard: guard,
            dir: dir.to_owned(),
        },
    ))
}

/// The level from `LINEKEY_LOG`, or `default`.
fn level(default: Level) -> Level {
    std::env::var(LEVEL_ENV)
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_gets_the_log_and_the_sip_trace() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let (subscriber, log) = file_subscriber(&logs, Level::WARN).unwrap();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("registered as alice");
            tracing::info!("not at warn");
            tracing::info!(target: SIP_TRACE_TARGET, "sent to 127.0.0.1:5060\nINVITE sip:bob@example.com SIP/2.0");
        });
        assert_eq!(log.dir, logs);
        drop(log);
        let files: Vec<_> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("linekey.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("registered as alice"), "{text}");
        assert!(!text.contains("not at warn"), "{text}");
        assert!(text.contains("linekey::sip_trace"), "{text}");
        assert!(
            text.contains("INVITE sip:bob@example.com SIP/2.0"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "no colour codes in a file");
    }

    #[test]
    fn logs_live_in_the_state_directory() {
        let dir = log_dir().expect("a home directory");
        assert!(
            dir.ends_with("linekey/logs") || dir.ends_with("Linekey/logs"),
            "{dir:?}"
        );
    }
}
