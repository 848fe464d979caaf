//! The desktop window, in the Elm shape: [`App`] is the state, [`Message`] what can happen, and
//! [`update`] a pure function from the two to the [`Intent`]s for the engine. Everything else the
//! window must do (raise itself, save files, exit) is queued as an [`Effect`] that the shell in
//! `window.rs` carries out, so `update` is tested without a window, a disk or an engine.

mod dialpad;
mod display;
mod engine_link;
pub mod history;
mod instance;
mod line_keys;
pub mod settings;
mod softkeys;
mod theme;
mod window;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::mpsc;

pub use engine_link::Report;
use history::{Entry, History, Kind};
pub use theme::theme;
pub use window::{run, view, WINDOW_SIZE};

use crate::config::Config;
use crate::core::notice::Notice;
use crate::core::phone::{Event, Intent, LineState, MediaStats, RegistrationState};
use settings::{Outcome, Settings, SettingsMessage};

/// How the window is started: `linekey [--config FILE] [LINK]`.
#[derive(Debug, Default)]
pub struct Launch {
    /// The settings file; `None` means the default place.
    pub config: Option<PathBuf>,
    /// A call to place as soon as the phone is ready.
    pub dial: Option<String>,
    /// Links and "show yourself" from later `linekey` processes.
    pub requests: Option<mpsc::UnboundedReceiver<crate::ipc::Request>>,
}

/// One line key's call.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What the key shows.
    pub state: LineState,
    /// The other party, once known.
    pub peer: Option<String>,
    /// Why the last call on this line ended, shown until the next one starts.
    pub ended: Option<String>,
    /// When the current call started (for the history).
    pub started: Option<SystemTime>,
    /// When it was first answered (for the call timer and the history).
    pub answered: Option<SystemTime>,
    /// Whether the call rang here.
    pub incoming: bool,
    /// The latest media figures.
    pub stats: Option<MediaStats>,
    /// Digits sent and received during this call, as the display echoes them.
    pub digits: String,
    /// The far end asks to transfer this call to `.0` (on behalf of `.1`): follow it or not.
    pub transfer_request: Option<(String, Option<String>)>,
}

impl Line {
    fn idle() -> Line {
        Line {
            state: LineState::Idle,
            peer: None,
            ended: None,
            started: None,
            answered: None,
            incoming: false,
            stats: None,
            digits: String::new(),
            transfer_request: None,
        }
    }

    /// A call that is up: talking, held either way, or in the conference.
    pub fn in_call(&self) -> bool {
        matches!(
            self.state,
            LineState::Connected | LineState::Held | LineState::RemoteHeld | LineState::Conference
        )
    }

    /// Anything but idle.
    pub fn busy(&self) -> bool {
        self.state != LineState::Idle
    }
}

/// What the softkeys and the address field are doing besides placing calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Dialing, answering, in a call.
    Normal,
    /// Picking where line `line`'s party goes: a typed address (blind) or another line (attended).
    Transfer {
        /// The line being transferred.
        line: usize,
    },
    /// Picking the line to join with `line`.
    Conference {
        /// The line that asked.
        line: usize,
    },
    /// Typing where every call should be forwarded.
    Forward,
    /// "A call is still going on": close anyway?
    ConfirmQuit,
}

/// The status line's inputs; the display turns them into one sentence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// Our SIP address once the engine listens.
    pub listening: Option<String>,
    /// The registration and why it failed.
    pub registration: Option<(RegistrationState, Option<Notice>)>,
    /// The engine's latest status (e.g. "Network Delay, Trying Backup"), rendered when shown so
    /// it follows the language.
    pub notice: Option<Notice>,
    /// The latest error, shown until the next thing the user does.
    pub error: Option<Notice>,
}

/// Side effects `update` asks the shell for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A call is ringing: raise and focus the window, and ask for attention.
    Attention,
    /// Write the call history file.
    SaveHistory,
    /// Write the settings file.
    SaveConfig,
    /// Switch the window's language (a code, or "system").
    Language(String),
    /// The engine has stopped (or never answered Quit): close the window.
    Exit,
    /// A desktop notification for a call ringing on a line, with Answer and Decline.
    NotifyIncoming {
        /// The line key.
        line: usize,
        /// Who calls, as the line shows it.
        caller: String,
    },
    /// Withdraw a line's incoming-call notification: it was answered, declined or it ended.
    WithdrawIncoming {
        /// The line key.
        line: usize,
    },
    /// A desktop notification for a missed call.
    NotifyMissed {
        /// Who called.
        caller: String,
    },
}

/// Everything that can happen to the window.
#[derive(Debug, Clone)]
pub enum Message {
    /// From the engine link.
    Engine(Report),
    /// The address field was edited.
    AddressChanged(String),
    /// A digit from the dial pad or the keyboard: typed when idle, sent as DTMF in a call.
    Digit(char),
    /// Backspace outside the address field.
    Backspace,
    /// Enter: dial, answer, or finish a transfer.
    Submit,
    /// Escape: cancel what is being picked, decline, or hang up.
    Escape,
    /// A line key was pressed.
    SelectLine(usize),
    /// Softkeys.
    Dial,
    /// Answer the selected ringing line.
    Answer,
    /// Decline the selected ringing line.
    Decline,
    /// End the selected line's call.
    Hangup,
    /// Hold the selected line (on a conference line: split it off).
    Hold,
    /// Take the selected line off hold.
    Resume,
    /// Start a transfer of the selected line.
    Transfer,
    /// Blind transfer to the typed address.
    TransferBlind,
    /// Attended transfer to another line's party.
    TransferTo(usize),
    /// Follow the transfer the far end asked for on the selected line.
    AcceptTransfer,
    /// Refuse it; the call goes on.
    DeclineTransfer,
    /// Start a conference from the selected line.
    Conference,
    /// Join the conference line with this line.
    ConferenceWith(usize),
    /// Leave transfer or conference picking.
    Cancel,
    /// Show or hide the media figures.
    ToggleStats,
    /// Mute or unmute the microphone.
    Mute,
    /// Turn Do Not Disturb on or off.
    ToggleDnd,
    /// Start typing a forward-all target.
    Forward,
    /// Forward every call to the typed address.
    SetForward,
    /// Stop forwarding.
    ClearForward,
    /// A later `linekey` asked for something.
    Request(crate::ipc::Request),
    /// The user chose in a line's incoming-call notification.
    Notification(usize, crate::notify::Action),
    /// Open the settings dialog.
    OpenSettings,
    /// Something happened in the settings dialog.
    Settings(SettingsMessage),
    /// A completion or history entry was picked: put it in the address field.
    UseAddress(String),
    /// The dial plan's quiet time after the keys of serial `.0` has passed: dial.
    AutoDial(u64),
    /// Once a second while a call is up, for the call timer.
    Tick(SystemTime),
    /// Twice a second while something rings, for the blinking line keys.
    Blink,
    /// The window's close button.
    CloseRequested,
    /// Close even though calls are up.
    ConfirmQuit,
    /// Don't close after all.
    KeepRunning,
    /// The engine did not stop in time after Quit.
    QuitTimeout,
}

/// The phone window's state.
#[derive(Debug)]
pub struct App {
    /// The settings in use.
    pub config: Config,
    /// Where they are saved.
    pub config_path: PathBuf,
    /// Where the history is saved, if the platform has a data directory.
    pub history_path: Option<PathBuf>,
    /// What the engine starts with.
    pub start: engine_link::Start,
    /// Requests from later `linekey` processes, taken by their subscription.
    pub requests: instance::Requests,
    /// Whether the microphone is muted, as the engine last said.
    pub muted: bool,
    /// The settings dialog, while it is open (it replaces the phone in the window).
    pub settings: Option<Settings>,
    /// The engine's intent sender, once it runs.
    pub engine: Option<mpsc::UnboundedSender<Intent>>,
    /// The engine ended by itself; the next settings change starts a new one.
    pub engine_stopped: bool,
    /// Intents issued before the engine was ready, sent when it is.
    pub outbox: Vec<Intent>,
    /// The line keys; line N is `lines[N - 1]`.
    pub lines: Vec<Line>,
    /// The line the display and softkeys are about, from 1.
    pub selected: usize,
    /// The address field.
    pub address: String,
    /// What the softkeys are picking.
    pub mode: Mode,
    /// The status line.
    pub status: Status,
    /// Whether the media figures are shown.
    pub show_stats: bool,
    /// The blink phase of ringing line keys.
    pub blink_on: bool,
    /// The latest time seen (ticks and events), for the call timer.
    pub now: SystemTime,
    /// Calls placed, received and missed.
    pub history: History,
    /// The dial plan, when the settings name one: it decides when typed digits are complete.
    pub dial_plan: Option<Arc<crate::core::dialplan::DialPlan>>,
    /// Keys typed so far, numbering each so a later key cancels an earlier wait.
    pub keys_typed: u64,
    /// Dial when this wait passes after key number `.0`, as the dial plan said.
    pub auto_dial: Option<(u64, std::time::Duration)>,
    /// A call to place once the engine is ready (`--dial`).
    pub pending_dial: Option<String>,
    /// Quit was sent; waiting for the engine to hang up.
    pub quitting: bool,
    /// Side effects for the shell, drained after every update.
    pub effects: Vec<Effect>,
    /// Incoming-call notifications on screen, by line; dropping one withdraws it.
    pub notifications: std::collections::HashMap<usize, crate::notify::Incoming>,
}

impl App {
    /// A window for `config` (saved at `config_path`) with the calls in `history`.
    pub fn new(config: Config, config_path: PathBuf, history: History, now: SystemTime) -> App {
        let lines = config.calls.lines.clamp(1, 12) as usize;
        App {
            start: engine_link::Start {
                config: Arc::new(config.clone()),
                generation: 0,
            },
            config,
            config_path,
            history_path: None,
            requests: instance::Requests::default(),
            muted: false,
            settings: None,
            engine: None,
            engine_stopped: false,
            outbox: Vec::new(),
            lines: vec![Line::idle(); lines],
            selected: 1,
            address: String::new(),
            mode: Mode::Normal,
            status: Status::default(),
            show_stats: false,
            blink_on: true,
            now,
            history,
            dial_plan: None,
            keys_typed: 0,
            auto_dial: None,
            pending_dial: None,
            quitting: false,
            effects: Vec::new(),
            notifications: std::collections::HashMap::new(),
        }
    }

    /// The selected line.
    pub fn line(&self) -> &Line {
        &self.lines[self.selected - 1]
    }

    /// Whether any line is ringing here (the line keys blink).
    pub fn ringing(&self) -> bool {
        self.lines.iter().any(|l| l.state == LineState::Incoming)
    }

    /// Whether any call is up or being set up (the call timer ticks).
    pub fn any_call(&self) -> bool {
        self.lines.iter().any(Line::busy)
    }

    /// Other lines with a call that can be joined or transferred to: talking or held by us.
    pub fn partner_lines(&self, line: usize) -> Vec<usize> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(n, l)| {
                *n != line
                    && matches!(
                        l.state,
                        LineState::Connected | LineState::Held | LineState::RemoteHeld
                    )
            })
            .map(|(n, _)| n)
            .collect()
    }

    /// What Dial would call: the typed address, else the last number placed (Redial).
    pub fn dial_target(&self) -> Option<String> {
        let typed = self.address.trim();
        if !typed.is_empty() {
            return Some(typed.to_owned());
        }
        self.history
            .last_placed()
            .map(|e| e.dial_string().to_owned())
    }

    /// Address completions from the history for what is typed.
    pub fn completions(&self) -> Vec<String> {
        self.history.completions(&self.address, 3)
    }
}

/// Applies `message` to `app`; returns the intents for the engine. Pure: side effects are queued
/// in `app.effects`.
pub fn update(app: &mut App, message: Message) -> Vec<Intent> {
    let line = app.selected;
    let state = app.line().state;
    match message {
        Message::Engine(report) => return engine_report(app, report),
        Message::AddressChanged(text) => {
            app.address = text;
            app.status.error = None;
            return dial_plan_step(app);
        }
        Message::Digit(digit) => {
            if app.line().in_call() && app.mode == Mode::Normal {
                app.lines[line - 1].digits.push(digit);
                return vec![Intent::Dtmf {
                    line,
                    digits: digit.to_string(),
                }];
            }
            // While a call is being set up there is neither a field to type into nor a tone.
            if display::address_editable(app) {
                app.address.push(digit);
                return dial_plan_step(app);
            }
        }
        Message::Backspace => {
            app.address.pop();
        }
        Message::Submit => {
            return match app.mode {
                Mode::Transfer { .. } => update(app, Message::TransferBlind),
                Mode::Forward => update(app, Message::SetForward),
                Mode::Conference { .. } | Mode::ConfirmQuit => Vec::new(),
                Mode::Normal if state == LineState::Incoming => update(app, Message::Answer),
                Mode::Normal => update(app, Message::Dial),
            };
        }
        Message::Escape => {
            return match app.mode {
                Mode::Transfer { .. } | Mode::Conference { .. } | Mode::Forward => {
                    update(app, Message::Cancel)
                }
                Mode::ConfirmQuit => update(app, Message::KeepRunning),
                Mode::Normal if state == LineState::Incoming => update(app, Message::Decline),
                Mode::Normal if state != LineState::Idle => update(app, Message::Hangup),
                Mode::Normal => {
                    app.address.clear();
                    Vec::new()
                }
            };
        }
        Message::SelectLine(n) if (1..=app.lines.len()).contains(&n) => {
            app.selected = n;
            app.mode = Mode::Normal;
            app.status.error = None;
        }
        Message::SelectLine(_) => {}
        Message::AutoDial(serial) => {
            if app.auto_dial.is_some_and(|(s, _)| s == serial) {
                return update(app, Message::Dial);
            }
        }
        Message::Dial => {
            app.auto_dial = None;
            if let Some(target) = app.dial_target() {
                app.address.clear();
                app.status.error = None;
                return vec![Intent::Dial { target }];
            }
        }
        Message::Answer if state == LineState::Incoming => return vec![Intent::Answer { line }],
        Message::Decline if state == LineState::Incoming => return vec![Intent::Reject { line }],
        Message::Hangup if state != LineState::Idle => return vec![Intent::Hangup { line }],
        Message::Hold if app.line().in_call() => return vec![Intent::Hold { line }],
        Message::Resume if state == LineState::Held => return vec![Intent::Resume { line }],
        Message::Answer | Message::Decline | Message::Hangup | Message::Hold | Message::Resume => {}
        Message::Transfer if app.line().in_call() => {
            app.mode = Mode::Transfer { line };
            app.address.clear();
        }
        Message::Transfer => {}
        Message::AcceptTransfer if app.line().transfer_request.is_some() => {
            return vec![Intent::AcceptTransfer { line }]
        }
        Message::DeclineTransfer if app.line().transfer_request.is_some() => {
            return vec![Intent::DeclineTransfer { line }]
        }
        Message::AcceptTransfer | Message::DeclineTransfer => {}
        Message::TransferBlind => {
            if let Mode::Transfer { line } = app.mode {
                let target = app.address.trim().to_owned();
                if !target.is_empty() {
                    app.mode = Mode::Normal;
                    app.address.clear();
                    return vec![Intent::Transfer {
                        line,
                        target: Some(target),
                        to_line: None,
                    }];
                }
            }
        }
        Message::TransferTo(other) => {
            if let Mode::Transfer { line } = app.mode {
                app.mode = Mode::Normal;
                return vec![Intent::Transfer {
                    line,
                    target: None,
                    to_line: Some(other),
                }];
            }
        }
        Message::Conference if matches!(state, LineState::Connected | LineState::Held) => {
            // With only one call to join there is nothing to pick.
            match app.partner_lines(line)[..] {
                [other] => {
                    return vec![Intent::Conference {
                        line,
                        with_line: other,
                    }]
                }
                [] => {}
                _ => app.mode = Mode::Conference { line },
            }
        }
        Message::Conference => {}
        Message::ConferenceWith(other) => {
            if let Mode::Conference { line } = app.mode {
                app.mode = Mode::Normal;
                return vec![Intent::Conference {
                    line,
                    with_line: other,
                }];
            }
        }
        Message::Cancel => {
            if app.mode == Mode::Forward {
                app.address.clear();
            }
            app.mode = Mode::Normal;
        }
        Message::ToggleStats => app.show_stats = !app.show_stats,
        Message::Mute => return vec![Intent::Mute { muted: !app.muted }],
        Message::ToggleDnd => {
            app.config.calls.do_not_disturb = !app.config.calls.do_not_disturb;
            return configure(app);
        }
        Message::Forward if state == LineState::Idle => {
            app.mode = Mode::Forward;
            app.address = app.config.calls.forward_always.clone().unwrap_or_default();
        }
        Message::Forward => {}
        Message::SetForward => match forward_target(&app.address, &app.config) {
            Ok(target) => {
                app.config.calls.forward_always = Some(target);
                app.mode = Mode::Normal;
                app.address.clear();
                return configure(app);
            }
            Err(text) => app.status.error = Some(Notice::text(text)),
        },
        Message::ClearForward => {
            app.config.calls.forward_always = None;
            app.mode = Mode::Normal;
            app.address.clear();
            return configure(app);
        }
        Message::OpenSettings => app.settings = Some(Settings::new(&app.config, false)),
        Message::Settings(message) => {
            let Some(dialog) = &mut app.settings else {
                return Vec::new();
            };
            match dialog.update(message) {
                Outcome::Continue => {}
                Outcome::Cancel => app.settings = None,
                Outcome::Save(config) => {
                    app.settings = None;
                    app.config = *config;
                    app.status.error = None;
                    app.effects
                        .push(Effect::Language(app.config.ui.language.clone()));
                    return configure(app);
                }
            }
        }
        Message::Request(crate::ipc::Request::Show) => app.effects.push(Effect::Attention),
        Message::Notification(n, action) => return notification(app, n, action),
        Message::Request(crate::ipc::Request::Dial(target)) => {
            app.effects.push(Effect::Attention);
            return vec![Intent::Dial { target }];
        }
        Message::UseAddress(address) => {
            app.address = address;
            if app.line().busy() && app.mode == Mode::Normal {
                // Calling back from the history needs an idle line to dial on.
                if let Some(free) = app.lines.iter().position(|l| !l.busy()) {
                    app.selected = free + 1;
                }
            }
        }
        Message::Tick(now) => app.now = now,
        Message::Blink => app.blink_on = !app.blink_on,
        Message::CloseRequested => {
            if app.any_call() && !app.quitting {
                app.mode = Mode::ConfirmQuit;
            } else {
                return quit(app);
            }
        }
        Message::ConfirmQuit => {
            app.mode = Mode::Normal;
            return quit(app);
        }
        Message::KeepRunning => app.mode = Mode::Normal,
        Message::QuitTimeout => {
            if app.quitting {
                app.effects.push(Effect::Exit);
            }
        }
    }
    Vec::new()
}

/// After each key typed while idle: whether the dial plan (if the settings name one) says the
/// number is complete, will be after a quiet time, or cannot match. Addresses with letters are
/// not numbers and wait for Enter.
fn dial_plan_step(app: &mut App) -> Vec<Intent> {
    use crate::core::dialplan::Decision;
    app.keys_typed += 1;
    app.auto_dial = None;
    let Some(plan) = &app.dial_plan else {
        return Vec::new();
    };
    if app.mode != Mode::Normal || app.line().busy() || !app.address.chars().all(dialpad::is_key) {
        return Vec::new();
    }
    match plan.decide(&app.address) {
        Decision::DialNow(_) => update(app, Message::Dial),
        Decision::DialAfter(wait, _) => {
            app.auto_dial = Some((app.keys_typed, wait));
            Vec::new()
        }
        Decision::NeedMore => Vec::new(),
        Decision::NoMatch => {
            app.status.error = Some(Notice::Text {
                text: crate::i18n::tr_with(
                    "error-dial-plan-no-match",
                    &[("typed", app.address.clone().into())],
                ),
            });
            Vec::new()
        }
    }
}

/// The settings changed here (DND, Forward, the dialog): the engine applies them and the file
/// keeps them. An engine that had stopped (say, its SIP port was taken) starts again with them.
fn configure(app: &mut App) -> Vec<Intent> {
    app.effects.push(Effect::SaveConfig);
    if app.engine_stopped {
        app.engine_stopped = false;
        app.status.error = None;
        app.start = engine_link::Start {
            config: Arc::new(app.config.clone()),
            generation: app.start.generation + 1,
        };
        return Vec::new();
    }
    vec![Intent::Configure {
        config: Box::new(app.config.clone()),
    }]
}

/// What the user typed as a forward target, as the `sip:` URI the settings need: `200` becomes
/// `sip:200@our-domain`, `bob@host` becomes `sip:bob@host`.
pub fn forward_target(typed: &str, config: &Config) -> Result<String, String> {
    let typed = typed.trim();
    let uri = if typed.starts_with("sip:") || typed.starts_with("sips:") {
        typed.to_owned()
    } else if typed.contains('@') {
        format!("sip:{typed}")
    } else if !typed.is_empty() && !config.account.domain.is_empty() {
        format!("sip:{typed}@{}", config.account.domain)
    } else {
        String::new()
    };
    match crate::core::sip::uri::Uri::parse(&uri) {
        Ok(_) => Ok(uri),
        Err(_) => Err(crate::i18n::tr_with(
            "error-forward-target",
            &[("target", typed.to_owned().into())],
        )),
    }
}

fn quit(app: &mut App) -> Vec<Intent> {
    if app.quitting {
        return Vec::new();
    }
    app.quitting = true;
    if app.engine.is_none() {
        // No engine to wait for (not started yet, or already stopped).
        app.effects.push(Effect::Exit);
        return Vec::new();
    }
    vec![Intent::Quit]
}

fn engine_report(app: &mut App, report: Report) -> Vec<Intent> {
    match report {
        Report::Connected(sender) => {
            app.engine = Some(sender);
            if let Some(target) = app.pending_dial.take() {
                return vec![Intent::Dial { target }];
            }
        }
        Report::Event(event, at) => {
            app.now = at;
            engine_event(app, event, at);
        }
        Report::Stopped(result) => {
            app.engine = None;
            app.status.listening = None;
            if app.quitting {
                app.effects.push(Effect::Exit);
            } else {
                app.engine_stopped = true;
                let reason = result.err().unwrap_or_default();
                app.status.error = Some(Notice::Text {
                    text: crate::i18n::tr_with(
                        "status-engine-stopped",
                        &[("reason", reason.into())],
                    ),
                });
            }
        }
    }
    Vec::new()
}

fn engine_event(app: &mut App, event: Event, at: SystemTime) {
    match event {
        Event::Ready { sip } => app.status.listening = Some(sip),
        Event::Registration { state, notice, .. } => {
            app.status.registration = Some((state, notice));
        }
        // The status line follows the registrar; the backup binding only matters once the
        // primary is gone, and then the failover notice says so.
        Event::BackupRegistration { .. } => {}
        Event::Mute { muted } => app.muted = muted,
        // Saved settings are in effect; anything that could not be applied came as an error.
        Event::Configured => {}
        Event::TransferRequest {
            line,
            target,
            referred_by,
        } => {
            if let Some(l) = app.lines.get_mut(line.wrapping_sub(1)) {
                l.transfer_request = Some((target, referred_by));
                app.selected = line;
                app.mode = Mode::Normal;
                app.effects.push(Effect::Attention);
            }
        }
        Event::TransferRequestEnded { line, .. } => {
            if let Some(l) = app.lines.get_mut(line.wrapping_sub(1)) {
                l.transfer_request = None;
            }
        }
        Event::Status { notice, .. } => app.status.notice = Some(notice),
        Event::Error { notice, .. } => app.status.error = Some(notice),
        Event::Dtmf { line, digit } => {
            if let Some(l) = app.lines.get_mut(line.wrapping_sub(1)) {
                l.digits.push_str(&digit);
            }
        }
        Event::Media { line, stats } => {
            if let Some(l) = app.lines.get_mut(line.wrapping_sub(1)) {
                l.stats = Some(stats);
            }
        }
        Event::Line {
            line,
            state,
            peer,
            reason,
        } => line_event(app, line, state, peer, reason, at),
    }
}

/// A notification's Answer and Decline act on their own line, whichever line is selected; a
/// click on the notification itself only brings the window forward.
fn notification(app: &mut App, n: usize, action: crate::notify::Action) -> Vec<Intent> {
    use crate::notify::Action;
    let ringing = app
        .lines
        .get(n.wrapping_sub(1))
        .is_some_and(|l| l.state == LineState::Incoming);
    match action {
        Action::Answer if ringing => {
            app.selected = n;
            app.mode = Mode::Normal;
            app.effects.push(Effect::Attention);
            vec![Intent::Answer { line: n }]
        }
        Action::Decline if ringing => vec![Intent::Reject { line: n }],
        Action::Show => {
            app.effects.push(Effect::Attention);
            Vec::new()
        }
        // The call stopped ringing before the click arrived.
        Action::Answer | Action::Decline => Vec::new(),
    }
}

fn line_event(
    app: &mut App,
    n: usize,
    state: LineState,
    peer: Option<String>,
    reason: Option<String>,
    at: SystemTime,
) {
    let Some(line) = app.lines.get_mut(n.wrapping_sub(1)) else {
        return;
    };
    let before = line.state;
    if before == LineState::Incoming && state != LineState::Incoming {
        app.effects.push(Effect::WithdrawIncoming { line: n });
    }
    if before == LineState::Idle && state != LineState::Idle {
        *line = Line::idle();
        line.started = Some(at);
        line.incoming = state == LineState::Incoming;
    }
    line.state = state;
    if peer.is_some() {
        line.peer = peer;
    }
    if line.in_call() && line.answered.is_none() {
        line.answered = Some(at);
    }
    if state == LineState::Idle && before != LineState::Idle {
        let kind = match (line.incoming, line.answered.is_some()) {
            (false, _) => Kind::Placed,
            (true, true) => Kind::Received,
            (true, false) => Kind::Missed,
        };
        if let (Some(started), Some(peer)) = (line.started, line.peer.clone()) {
            if kind == Kind::Missed {
                app.effects.push(Effect::NotifyMissed {
                    caller: peer.clone(),
                });
            }
            app.history
                .record(Entry::new(kind, peer, started, line.answered, at));
            app.effects.push(Effect::SaveHistory);
        }
        line.ended = reason;
        line.stats = None;
    }

    // The display follows the call the user is dealing with.
    let selected_state = app.lines[app.selected - 1].state;
    match state {
        LineState::Incoming => {
            if selected_state == LineState::Idle || app.selected == n {
                app.selected = n;
            }
            app.effects.push(Effect::Attention);
            if before != LineState::Incoming {
                let caller = app.lines[n - 1].peer.clone().unwrap_or_default();
                app.effects.push(Effect::NotifyIncoming { line: n, caller });
            }
        }
        LineState::Dialing if before == LineState::Idle => {
            app.selected = n;
            app.status.notice = None;
        }
        LineState::Idle if app.selected == n => {
            if let Some(other) = app.lines.iter().position(Line::busy) {
                app.selected = other + 1;
            }
        }
        _ => {}
    }
    // A transfer or conference being picked ends with its call.
    if let Mode::Transfer { line } | Mode::Conference { line } = app.mode {
        if !app.lines[line - 1].in_call() {
            app.mode = Mode::Normal;
        }
    }
}

#[cfg(test)]
mod tests;
