//! The settings dialog, and the short account form of the first start.
//!
//! The dialog edits a draft: nothing reaches the phone until Save, which hands the window a
//! whole, validated [`Config`] to write and apply. Every field is checked as it is typed, and
//! the reason a value is refused is shown under it in the user's language; Save is refused
//! while any field is. `update` is pure; the sound card probes and the dial plan check run as
//! subscriptions (see `probe`), and only while the dialog is shown.
//!
//! A window shows it by keeping a [`Settings`], mapping [`Settings::view`] and
//! [`Settings::subscription`] into its own messages while it is open, and passing each
//! [`SettingsMessage`] to [`Settings::update`]: [`Outcome::Save`] carries the configuration to
//! write and apply, and both it and [`Outcome::Cancel`] close the dialog.

mod fields;
mod probe;
mod style;
mod view;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use iced::{keyboard, Element, Subscription};

use crate::config::{Config, HoldStyle};
use crate::media::device::DeviceError;

pub use fields::{Field, Problem, Tab};
pub use probe::Role;
use probe::ToneRun;

/// What a key nobody else took does in the dialog: Escape closes it, as dialogs do. (A
/// focused field or an open list takes its keys first.)
fn key_message(event: keyboard::Event) -> Option<SettingsMessage> {
    match event {
        keyboard::Event::KeyPressed {
            key: keyboard::Key::Named(keyboard::key::Named::Escape),
            ..
        } => Some(SettingsMessage::Cancel),
        _ => None,
    }
}

/// Codec names in the order the dialog lists the ones a configuration leaves out.
const CODECS: [&str; 3] = ["opus", "PCMU", "PCMA"];

/// The dialog's state: a draft of the configuration, the text of its fields, and what the
/// device probes found.
// Debug is written by hand so the password never reaches logs or test output.
pub struct Settings {
    /// Opened as the first-run account form.
    first_run: bool,
    /// On the first run, whether the user asked for every setting.
    more: bool,
    tab: Tab,
    /// Every setting not edited as text (switches, choices, devices); text fields are read
    /// over it.
    base: Config,
    texts: BTreeMap<Field, String>,
    /// Every known codec, in preference order, and whether it is offered.
    codecs: Vec<(String, bool)>,
    password_shown: bool,
    /// Fields the user has edited: their problems show at once, others' only after Save.
    touched: BTreeSet<Field>,
    save_pressed: bool,
    /// The fields read and checked, renewed after every message.
    checked: fields::Checked,
    /// Sound cards found, once listed.
    devices: Option<Devices>,
    tone: Option<ToneRun>,
    /// How the last test tone went: the role, and its notice or error.
    tone_result: Option<(
        Role,
        Result<Option<crate::core::notice::Notice>, DeviceError>,
    )>,
    tone_serial: u64,
    /// The input's latest level (0–1), or why it cannot be measured.
    level: Option<Result<f32, DeviceError>>,
    /// The dial plan path being read; `None` when none is pending.
    dialplan_pending: Option<String>,
    /// What reading the dial plan path last typed found: its number of templates, or why it
    /// is refused.
    dialplan_checked: Option<Result<usize, Problem>>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("first_run", &self.first_run)
            .field("more", &self.more)
            .field("tab", &self.tab)
            // Config's Debug hides the password.
            .field("draft", &self.checked.config)
            .field("problems", &self.checked.problems)
            .finish_non_exhaustive()
    }
}

/// Text typed into a field. Its Debug shows only the length, since one field is the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Typed(pub String);

impl fmt::Debug for Typed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} characters>", self.0.chars().count())
    }
}

/// Sound cards found on this machine.
#[derive(Debug, Clone, Default)]
struct Devices {
    inputs: Vec<String>,
    outputs: Vec<String>,
}

/// What the dialog's controls say.
#[derive(Debug, Clone)]
pub enum SettingsMessage {
    /// A tab of the navigation was chosen.
    TabSelected(Tab),
    /// A text field was edited.
    Edited(Field, Typed),
    /// The password's "show" switch.
    PasswordShown(bool),
    /// Register on start.
    RegisterToggled(bool),
    /// Answer incoming calls at once.
    AutoAnswerToggled(bool),
    /// Do not disturb.
    DoNotDisturbToggled(bool),
    /// How calls are put on hold.
    HoldStyleSelected(HoldStyle),
    /// Move the codec at this index one place up (more preferred).
    CodecUp(usize),
    /// Move the codec at this index one place down.
    CodecDown(usize),
    /// Offer the codec at this index, or not.
    CodecToggled(usize, bool),
    /// The microphone (a device spec).
    InputSelected(String),
    /// The speaker or headset (a device spec).
    OutputSelected(String),
    /// The ringer (a device spec).
    RingerSelected(String),
    /// A language code, or `i18n::SYSTEM`.
    LanguageSelected(String),
    /// On the first-run form: show every setting.
    ShowMore,
    /// Play the test tone on the output or the ringer.
    TestTone(Role),
    /// The test tone with this serial ended: the device's notice, or why it could not play.
    ToneDone {
        /// Which press of the button.
        serial: u64,
        /// The device's notice, or the error.
        result: Result<Option<crate::core::notice::Notice>, DeviceError>,
    },
    /// The sound cards were listed.
    DevicesListed {
        /// Cards that capture.
        inputs: Vec<String>,
        /// Cards that play.
        outputs: Vec<String>,
    },
    /// A reading of the microphone meter for the input `spec`, or why it cannot be read.
    InputLevel {
        /// The input measured.
        spec: String,
        /// 0 (silence) to 1 (full scale), or the error.
        level: Result<f32, DeviceError>,
    },
    /// The dial plan file at `path` was read.
    DialPlanChecked {
        /// The file.
        path: String,
        /// Its number of templates, or why it cannot be used.
        result: Result<usize, Problem>,
    },
    /// Save and close.
    Save,
    /// Close without saving.
    Cancel,
}

/// What the window should do after a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Keep the dialog open.
    Continue,
    /// Close it; nothing changes.
    Cancel,
    /// Close it, write this configuration and apply it.
    Save(Box<Config>),
}

impl Settings {
    /// The dialog over `config`; `first_run` opens the short account form, with registration
    /// on, since a new account should be tried at once.
    pub fn new(config: &Config, first_run: bool) -> Self {
        let mut base = config.clone();
        if first_run {
            base.account.register = true;
        }
        let texts = Field::TEXT
            .iter()
            .map(|field| (*field, field.text_of(config)))
            .collect();
        let mut codecs: Vec<(String, bool)> = config
            .calls
            .codecs
            .iter()
            .map(|c| (c.clone(), true))
            .collect();
        for codec in CODECS {
            if !codecs.iter().any(|(c, _)| c == codec) {
                codecs.push((codec.to_owned(), false));
            }
        }
        let mut settings = Settings {
            first_run,
            more: false,
            tab: Tab::Account,
            base,
            texts,
            codecs,
            password_shown: false,
            touched: BTreeSet::new(),
            save_pressed: false,
            checked: fields::Checked::default(),
            devices: None,
            tone: None,
            tone_result: None,
            tone_serial: 0,
            level: None,
            dialplan_pending: None,
            dialplan_checked: None,
        };
        settings.recheck();
        settings
    }

    /// Applies a message; the outcome tells the window whether to close the dialog.
    pub fn update(&mut self, message: SettingsMessage) -> Outcome {
        use SettingsMessage as M;
        match message {
            M::TabSelected(tab) => self.tab = tab,
            M::Edited(field, Typed(text)) => {
                if field == Field::DialPlanFile {
                    self.dialplan_edited(&text);
                }
                self.texts.insert(field, text);
                self.touched.insert(field);
            }
            M::PasswordShown(shown) => self.password_shown = shown,
            M::RegisterToggled(on) => self.base.account.register = on,
            M::AutoAnswerToggled(on) => self.base.calls.auto_answer = on,
            M::DoNotDisturbToggled(on) => self.base.calls.do_not_disturb = on,
            M::HoldStyleSelected(style) => self.base.calls.hold_style = style,
            M::CodecUp(index) => {
                if (1..self.codecs.len()).contains(&index) {
                    self.codecs.swap(index - 1, index);
                }
            }
            M::CodecDown(index) => {
                if index + 1 < self.codecs.len() {
                    self.codecs.swap(index, index + 1);
                }
            }
            M::CodecToggled(index, on) => {
                if let Some(codec) = self.codecs.get_mut(index) {
                    codec.1 = on;
                }
            }
            M::InputSelected(spec) => {
                if spec != self.base.audio.input {
                    self.level = None;
                }
                self.base.audio.input = spec;
            }
            M::OutputSelected(spec) => self.base.audio.output = spec,
            M::RingerSelected(spec) => self.base.audio.ringer = spec,
            M::LanguageSelected(code) => self.base.ui.language = code,
            M::ShowMore => self.more = true,
            M::TestTone(role) => {
                if self.tone.is_none() {
                    self.tone_serial += 1;
                    self.tone = Some(ToneRun {
                        role,
                        spec: self.device(role).to_owned(),
                        serial: self.tone_serial,
                    });
                    self.tone_result = None;
                }
            }
            M::ToneDone { serial, result } => {
                if let Some(run) = self.tone.take_if(|run| run.serial == serial) {
                    self.tone_result = Some((run.role, result));
                }
            }
            M::DevicesListed { inputs, outputs } => {
                self.devices = Some(Devices { inputs, outputs });
            }
            M::InputLevel { spec, level } => {
                // A reading from the input chosen before may still be on its way.
                if spec == self.base.audio.input {
                    self.level = Some(level);
                }
            }
            M::DialPlanChecked { path, result } => {
                if self.dialplan_pending.as_deref() == Some(path.as_str()) {
                    self.dialplan_pending = None;
                    self.dialplan_checked = Some(result);
                }
            }
            M::Save => {
                self.recheck();
                let Some(first) = self.checked.problems.keys().next().copied() else {
                    return Outcome::Save(Box::new(self.checked.config.clone()));
                };
                self.save_pressed = true;
                // Take the user to a refused field if none is in view.
                if !self.checked.problems.keys().any(|f| self.in_view(*f)) {
                    self.more = true;
                    self.tab = first.tab();
                }
            }
            M::Cancel => return Outcome::Cancel,
        }
        self.recheck();
        Outcome::Continue
    }

    /// The dialog's background work: Escape to cancel, the sound card list and the
    /// microphone meter while the audio tab is in view, a test tone while it plays, and a dial
    /// plan check while pending.
    pub fn subscription(&self) -> Subscription<SettingsMessage> {
        let mut subscriptions = vec![keyboard::listen().filter_map(key_message)];
        if self.shows(Tab::Audio) {
            if self.devices.is_none() {
                subscriptions.push(Subscription::run_with((), probe::devices));
            }
            subscriptions.push(Subscription::run_with(
                self.base.audio.input.clone(),
                probe::level,
            ));
        }
        if let Some(run) = &self.tone {
            subscriptions.push(Subscription::run_with(run.clone(), probe::tone));
        }
        if let Some(path) = &self.dialplan_pending {
            subscriptions.push(Subscription::run_with(path.clone(), probe::dialplan));
        }
        Subscription::batch(subscriptions)
    }

    /// The dialog.
    pub fn view(&self) -> Element<'_, SettingsMessage> {
        view::view(self)
    }

    /// Whether `tab` is what the user sees now.
    fn shows(&self, tab: Tab) -> bool {
        self.tab == tab && (!self.first_run || self.more)
    }

    /// Whether `field` is on the page the user sees now.
    fn in_view(&self, field: Field) -> bool {
        if self.first_run && !self.more {
            Field::FIRST_RUN.contains(&field)
        } else {
            self.tab == field.tab()
        }
    }

    /// The device spec a test tone for `role` plays on.
    fn device(&self, role: Role) -> &str {
        match role {
            Role::Output => &self.base.audio.output,
            Role::Ringer => &self.base.audio.ringer,
        }
    }

    /// The problem to show under `field`, if any: an edited field's at once, the others' once
    /// Save was pressed.
    fn problem(&self, field: Field) -> Option<&Problem> {
        let shown = self.save_pressed || self.touched.contains(&field) || field == Field::Codecs;
        self.checked.problems.get(&field).filter(|_| shown)
    }

    /// A new dial plan path is checked when typed; the file the dialog opened with was
    /// accepted when the phone started, so it is not read again. A relative path is refused:
    /// the phone reads it from wherever it was started, which the user cannot see.
    fn dialplan_edited(&mut self, text: &str) {
        let path = text.trim();
        self.dialplan_pending = None;
        self.dialplan_checked = None;
        if std::path::Path::new(path).is_absolute() {
            self.dialplan_pending = Some(path.to_owned());
        } else if !path.is_empty() {
            self.dialplan_checked = Some(Err(Problem::FullPath));
        }
    }

    /// Reads every field over the draft and checks the result.
    fn recheck(&mut self) {
        let mut base = self.base.clone();
        base.calls.codecs = self
            .codecs
            .iter()
            .filter(|(_, on)| *on)
            .map(|(c, _)| c.clone())
            .collect();
        let mut checked = fields::check(&base, &self.texts);
        if self.dialplan_pending.is_some() {
            checked
                .problems
                .insert(Field::DialPlanFile, Problem::Checking);
        } else if let Some(Err(problem)) = &self.dialplan_checked {
            checked
                .problems
                .insert(Field::DialPlanFile, problem.clone());
        }
        self.checked = checked;
    }
}
