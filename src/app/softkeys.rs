//! The softkeys under the display. Which keys there are depends on the selected line's state
//! and on what is being picked, like on a desk phone; [`softkeys`] decides, [`view`] draws.

use iced::widget::{row, space, text};
use iced::{Element, Length};

use super::theme::{self, KeyKind};
use super::{App, Message, Mode};
use crate::core::phone::LineState;
use crate::i18n::{tr, tr_with};

/// How many softkey places there are; unused places stay empty so keys keep their positions.
pub const SLOTS: usize = 5;

/// One softkey.
#[derive(Debug, Clone)]
pub struct Softkey {
    /// Its label.
    pub label: String,
    /// What it does, for the tooltip.
    pub tip: String,
    /// Its colour.
    pub kind: KeyKind,
    /// The message it sends; `None` shows it disabled.
    pub message: Option<Message>,
}

fn soft(kind: KeyKind, label: &str, tip: &str, message: Option<Message>) -> Softkey {
    Softkey {
        label: tr(label),
        tip: tr(tip),
        kind,
        message,
    }
}

/// A key naming another line, for picking the partner of a transfer or a conference.
fn line_choice(label: &str, tip: &str, other: usize, message: fn(usize) -> Message) -> Softkey {
    Softkey {
        label: tr_with(label, &[("line", other.into())]),
        tip: tr_with(tip, &[("line", other.into())]),
        kind: KeyKind::Soft,
        message: Some(message(other)),
    }
}

/// The softkeys for the app's current state, at most [`SLOTS`].
pub fn softkeys(app: &App) -> Vec<Softkey> {
    let line = app.selected;
    let state = app.line().state;
    let mut keys = Vec::new();
    match app.mode {
        Mode::Transfer { line } => {
            let typed = !app.address.trim().is_empty();
            keys.push(soft(
                KeyKind::Go,
                "key-transfer-now",
                "tip-transfer-now",
                typed.then_some(Message::TransferBlind),
            ));
            for other in app.partner_lines(line).into_iter().take(SLOTS - 2) {
                keys.push(line_choice(
                    "key-to-line",
                    "tip-to-line",
                    other,
                    Message::TransferTo,
                ));
            }
            keys.push(soft(
                KeyKind::Soft,
                "key-cancel",
                "tip-cancel",
                Some(Message::Cancel),
            ));
        }
        Mode::Conference { line } => {
            for other in app.partner_lines(line).into_iter().take(SLOTS - 1) {
                keys.push(line_choice(
                    "key-with-line",
                    "tip-with-line",
                    other,
                    Message::ConferenceWith,
                ));
            }
            keys.push(soft(
                KeyKind::Soft,
                "key-cancel",
                "tip-cancel",
                Some(Message::Cancel),
            ));
        }
        Mode::Forward => {
            let typed = !app.address.trim().is_empty();
            keys.push(soft(
                KeyKind::Go,
                "key-forward-set",
                "tip-forward-set",
                typed.then_some(Message::SetForward),
            ));
            keys.push(soft(
                KeyKind::Soft,
                "key-forward-clear",
                "tip-forward-clear",
                app.config
                    .calls
                    .forward_always
                    .is_some()
                    .then_some(Message::ClearForward),
            ));
            keys.push(soft(
                KeyKind::Soft,
                "key-cancel",
                "tip-cancel",
                Some(Message::Cancel),
            ));
        }
        Mode::Normal | Mode::ConfirmQuit if app.line().transfer_request.is_some() => {
            keys.push(soft(
                KeyKind::Go,
                "key-accept-transfer",
                "tip-accept-transfer",
                Some(Message::AcceptTransfer),
            ));
            keys.push(soft(
                KeyKind::Soft,
                "key-decline-transfer",
                "tip-decline-transfer",
                Some(Message::DeclineTransfer),
            ));
            keys.push(soft(
                KeyKind::Stop,
                "key-hangup",
                "tip-hangup",
                Some(Message::Hangup),
            ));
        }
        Mode::Normal | Mode::ConfirmQuit => match state {
            LineState::Idle => {
                let (label, tip) = if app.address.trim().is_empty() {
                    ("key-redial", "tip-redial")
                } else {
                    ("key-dial", "tip-dial")
                };
                keys.push(soft(
                    KeyKind::Go,
                    label,
                    tip,
                    app.dial_target().map(|_| Message::Dial),
                ));
                let dnd = app.config.calls.do_not_disturb;
                keys.push(soft(
                    if dnd { KeyKind::On } else { KeyKind::Soft },
                    "key-dnd",
                    if dnd { "tip-dnd-off" } else { "tip-dnd-on" },
                    Some(Message::ToggleDnd),
                ));
                let forwarding = app.config.calls.forward_always.is_some();
                keys.push(soft(
                    if forwarding {
                        KeyKind::On
                    } else {
                        KeyKind::Soft
                    },
                    "key-forward",
                    "tip-forward",
                    Some(Message::Forward),
                ));
            }
            LineState::Incoming => {
                keys.push(soft(
                    KeyKind::Go,
                    "key-answer",
                    "tip-answer",
                    Some(Message::Answer),
                ));
                keys.push(soft(
                    KeyKind::Stop,
                    "key-decline",
                    "tip-decline",
                    Some(Message::Decline),
                ));
            }
            LineState::Dialing | LineState::Trying | LineState::Ringing => {
                keys.push(soft(
                    KeyKind::Stop,
                    "key-hangup",
                    "tip-hangup",
                    Some(Message::Hangup),
                ));
            }
            LineState::Connected | LineState::Held | LineState::RemoteHeld => {
                if state == LineState::Held {
                    keys.push(soft(
                        KeyKind::Go,
                        "key-resume",
                        "tip-resume",
                        Some(Message::Resume),
                    ));
                } else {
                    keys.push(soft(
                        KeyKind::Soft,
                        "key-hold",
                        "tip-hold",
                        Some(Message::Hold),
                    ));
                }
                keys.push(soft(
                    KeyKind::Soft,
                    "key-transfer",
                    "tip-transfer",
                    Some(Message::Transfer),
                ));
                let can_join =
                    state != LineState::RemoteHeld && !app.partner_lines(line).is_empty();
                keys.push(soft(
                    KeyKind::Soft,
                    "key-conference",
                    "tip-conference",
                    can_join.then_some(Message::Conference),
                ));
                keys.push(mute_key(app));
                keys.push(soft(
                    KeyKind::Stop,
                    "key-hangup",
                    "tip-hangup",
                    Some(Message::Hangup),
                ));
            }
            LineState::Conference => {
                keys.push(soft(
                    KeyKind::Soft,
                    "key-split",
                    "tip-split",
                    Some(Message::Hold),
                ));
                keys.push(mute_key(app));
                keys.push(soft(
                    KeyKind::Stop,
                    "key-hangup",
                    "tip-hangup",
                    Some(Message::Hangup),
                ));
            }
        },
    }
    keys.truncate(SLOTS);
    keys
}

fn mute_key(app: &App) -> Softkey {
    if app.muted {
        soft(KeyKind::On, "key-unmute", "tip-unmute", Some(Message::Mute))
    } else {
        soft(KeyKind::Soft, "key-mute", "tip-mute", Some(Message::Mute))
    }
}

/// The row of softkeys.
pub fn view(app: &App) -> Element<'_, Message> {
    let keys = softkeys(app);
    let mut bar = row![].spacing(8).height(Length::Fixed(42.0));
    let used = keys.len();
    for key in keys {
        bar = bar.push(theme::key(
            key.kind,
            text(key.label).size(15).center().width(Length::Fill),
            key.tip,
            key.message,
        ));
    }
    for _ in used..SLOTS {
        bar = bar.push(space::horizontal());
    }
    bar.into()
}
