//! Call history: the calls placed, received and missed, newest first, kept in a small JSON-lines
//! file in the platform's data directory so it survives restarts.
//!
//! One call per line means a damaged file loses only the damaged lines, and the file never has to
//! be parsed as a whole to be trusted.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::core::phone::LineState;

/// How many calls are kept; older ones drop off the end like on a desk phone.
pub const CAPACITY: usize = 100;

/// Which way a call went and whether it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// We dialed.
    Placed,
    /// It rang here and was answered.
    Received,
    /// It rang here and nobody answered.
    Missed,
}

/// One call in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Placed, received or missed.
    pub kind: Kind,
    /// The other party as the engine named it (a URI, maybe with a display name).
    pub peer: String,
    /// When the call started, in seconds since the Unix epoch.
    pub at: u64,
    /// Seconds of conversation; 0 when it never connected.
    #[serde(default)]
    pub talked: u64,
}

impl Entry {
    /// A history entry for a call that started at `started` and was answered at `answered`.
    pub fn new(
        kind: Kind,
        peer: String,
        started: SystemTime,
        answered: Option<SystemTime>,
        ended: SystemTime,
    ) -> Entry {
        let talked = answered
            .and_then(|a| ended.duration_since(a).ok())
            .map_or(0, |d| d.as_secs());
        Entry {
            kind,
            peer,
            at: started
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs(),
            talked,
        }
    }

    /// What to dial to call this party back: the URI inside `Name <uri>`, or the peer as is.
    pub fn dial_string(&self) -> &str {
        dial_string(&self.peer)
    }
}

/// The URI inside `"Name" <sip:...>`, or `peer` itself.
pub fn dial_string(peer: &str) -> &str {
    match (peer.find('<'), peer.rfind('>')) {
        (Some(open), Some(close)) if open < close => &peer[open + 1..close],
        _ => peer.trim(),
    }
}

/// The calls, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<Entry>,
}

impl History {
    /// A history holding `entries` (newest first), trimmed to [`CAPACITY`].
    pub fn from_entries(mut entries: Vec<Entry>) -> History {
        entries.truncate(CAPACITY);
        History { entries }
    }

    /// The calls, newest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Adds a call at the top.
    pub fn record(&mut self, entry: Entry) {
        self.entries.insert(0, entry);
        self.entries.truncate(CAPACITY);
    }

    /// The last number dialed, for Redial.
    pub fn last_placed(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kind == Kind::Placed)
    }

    /// Distinct dial strings from the history that start with (or whose name starts with) what
    /// was typed, most recent first; nothing for an empty input, and not the input itself.
    pub fn completions(&self, typed: &str, limit: usize) -> Vec<String> {
        let typed = typed.trim().to_lowercase();
        if typed.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<String> = Vec::new();
        for entry in &self.entries {
            let target = entry.dial_string();
            let bare = target
                .strip_prefix("sip:")
                .or_else(|| target.strip_prefix("sips:"))
                .or_else(|| target.strip_prefix("tel:"))
                .unwrap_or(target)
                .to_lowercase();
            let matches = bare.starts_with(&typed)
                || target.to_lowercase().starts_with(&typed)
                || entry
                    .peer
                    .trim_start_matches('"')
                    .to_lowercase()
                    .starts_with(&typed);
            if matches && target.to_lowercase() != typed && !found.iter().any(|f| f == target) {
                found.push(target.to_owned());
                if found.len() == limit {
                    break;
                }
            }
        }
        found
    }

    /// Reads the history file; unreadable lines are skipped and counted, a missing file is an
    /// empty history.
    pub fn load(path: &Path) -> (History, usize) {
        let Ok(text) = std::fs::read_to_string(path) else {
            return (History::default(), 0);
        };
        let mut broken = 0;
        let entries = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|line| serde_json::from_str(line).map_err(|_| broken += 1).ok())
            .collect();
        (History::from_entries(entries), broken)
    }

    /// Writes the whole history (it is small) to a temporary file and renames it over the old
    /// one, so a crash mid-write never leaves half a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut text = String::new();
        for entry in &self.entries {
            text.push_str(&serde_json::to_string(entry).map_err(std::io::Error::other)?);
            text.push('\n');
        }
        let temporary = path.with_extension("jsonl.tmp");
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, path)
    }
}

/// Where the history lives: `history.jsonl` in the platform data directory.
pub fn default_path() -> Option<PathBuf> {
    crate::config::project_dirs().map(|d| d.data_dir().join("history.jsonl"))
}

/// The history panel: the recent calls; picking one puts its address in the dial field.
pub fn view(app: &super::App) -> iced::Element<'_, super::Message> {
    use iced::widget::{button, column, container, row, scrollable, text};
    use iced::{Alignment, Length};

    use super::display::split_peer;
    use super::theme;
    use crate::i18n::tr;

    let mut list = column![].spacing(2);
    if app.history.entries().is_empty() {
        list = list.push(text(tr("history-empty")).size(14).color(theme::BODY_DIM));
    }
    for entry in app.history.entries() {
        let (kind, colour) = match entry.kind {
            Kind::Placed => (tr("history-placed"), theme::BODY_DIM),
            Kind::Received => (
                tr("history-received"),
                theme::lamp(LineState::Connected, true),
            ),
            Kind::Missed => (tr("history-missed"), theme::RED),
        };
        let talked = if entry.talked > 0 {
            format!("{}:{:02}", entry.talked / 60, entry.talked % 60)
        } else {
            String::new()
        };
        let content = row![
            column![
                text(split_peer(&entry.peer).0.to_owned())
                    .size(14)
                    .wrapping(text::Wrapping::None),
                text(kind).size(11).color(colour),
            ]
            .width(Length::Fill),
            column![
                text(clock(entry.at, app.now))
                    .size(12)
                    .color(theme::BODY_DIM),
                text(talked).size(11).color(theme::BODY_DIM),
            ]
            .align_x(Alignment::End),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        list = list.push(theme::with_tip(
            button(content)
                .padding([4, 8])
                .width(Length::Fill)
                .clip(true)
                .style(button::text)
                .on_press(super::Message::UseAddress(entry.dial_string().to_owned())),
            crate::i18n::tr_with(
                "tip-history",
                &[("address", entry.dial_string().to_owned().into())],
            ),
        ));
    }
    container(
        column![
            text(tr("history-title")).size(13).color(theme::BODY_DIM),
            scrollable(list).height(Length::Fill),
        ]
        .spacing(6),
    )
    .padding(10)
    .width(Length::Fill)
    .height(Length::Fill)
    .style(theme::panel)
    .into()
}

/// When a call was: the time of day for today's calls, the date for older ones, in local time.
fn clock(at: u64, now: SystemTime) -> String {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let (date, time) = local(at);
    if local(now).0 == date {
        time
    } else {
        date
    }
}

/// (`YYYY-MM-DD`, `HH:MM`) in the local time zone.
#[cfg(target_os = "linux")]
fn local(at: u64) -> (String, String) {
    let t = at as libc::time_t;
    // SAFETY: localtime_r only writes the tm we pass and reads the time we pass.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = !unsafe { libc::localtime_r(&t, &mut tm) }.is_null();
    if !ok {
        return utc(at);
    }
    (
        format!(
            "{:04}-{:02}-{:02}",
            tm.tm_year + 1900,
            tm.tm_mon + 1,
            tm.tm_mday
        ),
        format!("{:02}:{:02}", tm.tm_hour, tm.tm_min),
    )
}

/// Without a portable local-time call, other platforms show UTC.
#[cfg(not(target_os = "linux"))]
fn local(at: u64) -> (String, String) {
    utc(at)
}

fn utc(at: u64) -> (String, String) {
    // Days to civil date (Howard Hinnant's algorithm).
    let days = (at / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = at % 86_400;
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{:02}:{:02}", secs / 3600, secs / 60 % 60),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, peer: &str, at: u64) -> Entry {
        Entry {
            kind,
            peer: peer.to_owned(),
            at,
            talked: 0,
        }
    }

    #[test]
    fn utc_dates_are_civil_dates() {
        assert_eq!(utc(0), ("1970-01-01".into(), "00:00".into()));
        assert_eq!(utc(1_795_000_000), ("2026-11-18".into(), "11:06".into()));
    }

    #[test]
    fn talk_time_counts_from_the_answer() {
        let start = UNIX_EPOCH + Duration::from_secs(1000);
        let e = Entry::new(
            Kind::Received,
            "bob".into(),
            start,
            Some(start + Duration::from_secs(5)),
            start + Duration::from_secs(65),
        );
        assert_eq!((e.at, e.talked), (1000, 60));
        let missed = Entry::new(Kind::Missed, "bob".into(), start, None, start);
        assert_eq!(missed.talked, 0);
    }

    #[test]
    fn newest_first_and_capped() {
        let mut h = History::default();
        for i in 0..(CAPACITY as u64 + 5) {
            h.record(entry(Kind::Placed, &format!("sip:{i}@h"), i));
        }
        assert_eq!(h.entries().len(), CAPACITY);
        assert_eq!(h.entries()[0].at, CAPACITY as u64 + 4);
    }

    #[test]
    fn redial_is_the_last_placed_call() {
        let mut h = History::default();
        h.record(entry(Kind::Placed, "sip:old@h", 1));
        h.record(entry(Kind::Missed, "sip:caller@h", 2));
        assert_eq!(h.last_placed().unwrap().peer, "sip:old@h");
    }

    #[test]
    fn completions_match_user_uri_and_name_once_each() {
        let mut h = History::default();
        h.record(entry(Kind::Placed, "sip:bob@10.0.0.2", 1));
        h.record(entry(Kind::Received, "\"Bobby\" <sip:bobby@pbx>", 2));
        h.record(entry(Kind::Placed, "sip:bob@10.0.0.2", 3));
        h.record(entry(Kind::Placed, "sip:carol@pbx", 4));
        assert_eq!(
            h.completions("bo", 5),
            vec!["sip:bob@10.0.0.2".to_owned(), "sip:bobby@pbx".to_owned()]
        );
        assert_eq!(
            h.completions("sip:car", 5),
            vec!["sip:carol@pbx".to_owned()]
        );
        assert!(h.completions("", 5).is_empty());
        assert!(h.completions("sip:carol@pbx", 5).is_empty());
    }

    #[test]
    fn saved_history_loads_back_and_broken_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("history.jsonl");
        let mut h = History::default();
        h.record(entry(Kind::Placed, "sip:a@h", 1));
        h.record(entry(Kind::Missed, "sip:b@h", 2));
        h.save(&path).unwrap();
        assert_eq!(History::load(&path), (h.clone(), 0));

        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{not json\n\u{0}\u{1}garbage\n");
        std::fs::write(&path, text).unwrap();
        assert_eq!(History::load(&path), (h, 2));

        assert_eq!(
            History::load(&dir.path().join("missing")),
            (History::default(), 0)
        );
    }
}
