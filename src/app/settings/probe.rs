//! The dialog's work away from the UI thread — listing sound cards, the test tone, the
//! microphone meter and reading the dial plan file — each as a stream for a subscription.
//!
//! Each runs on a thread of its own (sound cards block) and sends its messages through a
//! channel. When the dialog stops asking for the subscription, iced drops the stream, the
//! channel closes, and the thread ends at its next send.

use std::time::Duration;

use iced::futures::channel::mpsc;
use iced::futures::Stream;

use super::SettingsMessage;
use crate::core::dialplan::{DialPlan, MAX_FILE_BYTES};
use crate::media::device::preview::{self, LevelMeter};
use crate::media::device::{input_names, output_names};
use crate::media::tones::Tone;

use super::fields::Problem;

/// How long the test tone plays.
const TEST_TONE: Duration = Duration::from_secs(1);

/// Which output a test tone is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The speaker or headset calls are heard on.
    Output,
    /// The device the ringtone plays on.
    Ringer,
}

/// One press of a test tone button. The serial makes a second press of the same button a new
/// subscription rather than the one that just finished.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ToneRun {
    /// Which button.
    pub role: Role,
    /// The device spec it plays on.
    pub spec: String,
    /// Counts presses.
    pub serial: u64,
}

/// Runs `work` on a new thread; `work` gets a send function that says whether anyone still
/// listens.
fn on_thread<F>(work: F) -> mpsc::UnboundedReceiver<SettingsMessage>
where
    F: FnOnce(&dyn Fn(SettingsMessage) -> bool) + Send + 'static,
{
    let (sender, receiver) = mpsc::unbounded();
    let spawned = std::thread::Builder::new()
        .name("settings-probe".into())
        .spawn(move || work(&|message| sender.unbounded_send(message).is_ok()));
    if let Err(error) = spawned {
        tracing::warn!("cannot start a thread for the settings dialog: {error}");
    }
    receiver
}

/// Lists the sound cards once.
pub fn devices(_: &()) -> impl Stream<Item = SettingsMessage> {
    on_thread(|send| {
        send(SettingsMessage::DevicesListed {
            inputs: input_names(),
            outputs: output_names(),
        });
    })
}

/// Plays the test tone and reports how it went.
pub fn tone(run: &ToneRun) -> impl Stream<Item = SettingsMessage> {
    let run = run.clone();
    on_thread(move |send| {
        let tone = match run.role {
            Role::Output => Tone::Ringback,
            Role::Ringer => Tone::Ringtone,
        };
        let result = preview::play_tone(&run.spec, tone, TEST_TONE);
        send(SettingsMessage::ToneDone {
            serial: run.serial,
            result,
        });
    })
}

/// Reports the input's level ten times a second until the dialog stops listening, or once
/// why it cannot be opened.
// `Subscription::run_with` hands its builder a reference to the data, here a String.
#[allow(clippy::ptr_arg)]
pub fn level(spec: &String) -> impl Stream<Item = SettingsMessage> {
    let spec = spec.clone();
    on_thread(move |send| {
        let mut meter = match LevelMeter::open(&spec) {
            Ok(meter) => meter,
            Err(error) => {
                send(SettingsMessage::InputLevel {
                    spec,
                    level: Err(error),
                });
                return;
            }
        };
        loop {
            let level = Ok(meter.next_reading());
            if !send(SettingsMessage::InputLevel {
                spec: spec.clone(),
                level,
            }) {
                return;
            }
        }
    })
}

/// Reads and parses a dial plan file.
#[allow(clippy::ptr_arg)] // As for `level`.
pub fn dialplan(path: &String) -> impl Stream<Item = SettingsMessage> {
    let path = path.clone();
    on_thread(move |send| {
        let result = check_dialplan(&path);
        send(SettingsMessage::DialPlanChecked { path, result });
    })
}

/// Whether the file at `path` is a dial plan linekey can use: its number of templates, or why
/// not.
pub fn check_dialplan(path: &str) -> Result<usize, Problem> {
    let metadata = std::fs::metadata(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
    // The parser refuses big files anyway; this keeps a wrong path (a disk image, say) from
    // being read into memory first.
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(Problem::DialPlan {
            line: 1,
            reason: "file is larger than 1 MB".to_owned(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
    DialPlan::parse(&text, path)
        .map(|plan| plan.templates.len())
        .map_err(|e| Problem::DialPlan {
            line: e.line,
            reason: e.reason,
        })
}
