//! The display: a status bar (registration, the engine's notices, errors), then the selected
//! line's party, state and call timer, the address field with completions, and the media figures
//! on demand.

use std::time::SystemTime;

use iced::widget::{button, column, container, row, space, text, text_input};
use iced::{Alignment, Element, Font, Length};

use super::{theme, App, Line, Message, Mode};
use crate::core::notice::Notice;
use crate::core::phone::{LineState, MediaStats, RegistrationState};
use crate::i18n::{notice, tr, tr_with};

/// The address field's widget id, for focusing it.
pub const ADDRESS: &str = "address";

/// The display panel.
pub fn view(app: &App) -> Element<'_, Message> {
    let (status, warning) = status_text(app);
    let bar = container(
        row![text(status).size(14).width(Length::Fill)]
            .push(indicators(app))
            .spacing(8)
            .align_y(Alignment::Center),
    )
    .padding([7, 12])
    .width(Length::Fill)
    .style(theme::status_bar(warning));

    let line = app.line();
    let mut heading = row![
        text(tr_with("line-key", &[("line", app.selected.into())]))
            .size(14)
            .color(theme::LCD_DIM),
        text("·").size(14).color(theme::LCD_DIM),
        text(state_text(line.state)).size(14).color(theme::LCD_DIM),
        space::horizontal(),
        text(timer(line, app.now)).size(18).font(Font::MONOSPACE),
    ]
    .spacing(6)
    .align_y(Alignment::Center);
    if line.in_call() {
        heading = heading.push(stats_toggle(app.show_stats));
    }

    let mut body = column![heading].spacing(6);
    body = body.push(party(line));
    if let Some(prompt) = prompt(app) {
        body = body.push(text(prompt).size(14).color(theme::LCD_DIM));
    }
    if address_editable(app) {
        body = body.push(address_field(app));
    }
    if app.show_stats && line.in_call() {
        body = body.push(stats(line.stats.as_ref()));
    }

    container(column![bar, container(body).padding([10, 14])])
        .width(Length::Fill)
        .height(Length::Fixed(224.0))
        .style(theme::lcd)
        .into()
}

/// Whether typing goes into the address field: with an idle line selected, or to name a
/// transfer target. In a call the keys send tones instead.
pub fn address_editable(app: &App) -> bool {
    match app.mode {
        Mode::Transfer { .. } | Mode::Forward => true,
        Mode::Normal => !app.line().busy(),
        Mode::Conference { .. } | Mode::ConfirmQuit => false,
    }
}

fn address_field(app: &App) -> Element<'_, Message> {
    let field = text_input(&tr("address-placeholder"), &app.address)
        .id(ADDRESS)
        .on_input(Message::AddressChanged)
        .on_submit(Message::Submit)
        .size(18)
        .padding([6, 10])
        .style(theme::address_field);
    let mut completions = row![].spacing(6);
    for address in app.completions() {
        completions = completions.push(theme::with_tip(
            button(text(address.clone()).size(13))
                .padding([2, 10])
                .style(theme::chip)
                .on_press(Message::UseAddress(address)),
            tr("tip-completion"),
        ));
    }
    column![theme::with_tip(field, tr("tip-address")), completions]
        .spacing(6)
        .into()
}

/// The other party: the display name large and the address under it, or the line's last word.
fn party(line: &Line) -> Element<'_, Message> {
    let Some(peer) = line.peer.as_deref().filter(|_| line.busy()) else {
        let idle = match &line.ended {
            Some(reason) => tr_with("display-ended", &[("reason", ended_text(reason).into())]),
            None => tr("display-idle"),
        };
        return text(idle).size(20).color(theme::LCD_DIM).into();
    };
    let (name, address) = split_peer(peer);
    let mut party = column![text(name.to_owned()).size(26)].spacing(2);
    if let Some(address) = address {
        party = party.push(text(address.to_owned()).size(14).color(theme::LCD_DIM));
    }
    if !line.digits.is_empty() {
        party = party.push(
            text(tr_with(
                "display-digits",
                &[("digits", line.digits.as_str().into())],
            ))
            .size(14)
            .color(theme::LCD_DIM),
        );
    }
    party.into()
}

/// Why a call ended, in words: the line event's reason code, or `failed: ` and what failed
/// (a SIP status line, in English like every status line). A code this version does not know
/// shows as it came.
fn ended_text(reason: &str) -> String {
    if let Some(status) = reason.strip_prefix("failed: ") {
        return tr_with("ended-failed", &[("status", status.to_owned().into())]);
    }
    let key = match reason {
        "local_hangup" => "ended-local-hangup",
        "remote_hangup" => "ended-remote-hangup",
        "busy" => "ended-busy",
        "declined" => "ended-declined",
        "no_answer" => "ended-no-answer",
        "cancelled" => "ended-cancelled",
        "transferred" => "ended-transferred",
        "replaced" => "ended-replaced",
        "forwarded" => "ended-forwarded",
        other => return other.to_owned(),
    };
    tr(key)
}

/// `"Bob" <sip:bob@host>` → ("Bob", Some("sip:bob@host")); a bare URI is its own name.
pub fn split_peer(peer: &str) -> (&str, Option<&str>) {
    match (peer.find('<'), peer.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let name = peer[..open].trim().trim_matches('"').trim();
            let address = &peer[open + 1..close];
            if name.is_empty() {
                (address, None)
            } else {
                (name, Some(address))
            }
        }
        _ => (peer.trim(), None),
    }
}

/// The call timer: talk time since the answer, `m:ss` or `h:mm:ss`.
pub fn timer(line: &Line, now: SystemTime) -> String {
    let Some(answered) = line.answered.filter(|_| line.busy()) else {
        return String::new();
    };
    let secs = now.duration_since(answered).unwrap_or_default().as_secs();
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

/// A line state in words.
pub fn state_text(state: LineState) -> String {
    tr(match state {
        LineState::Idle => "line-state-idle",
        LineState::Dialing => "line-state-dialing",
        LineState::Trying => "line-state-trying",
        LineState::Ringing => "line-state-ringing",
        LineState::Incoming => "line-state-incoming",
        LineState::Connected => "line-state-connected",
        LineState::Held => "line-state-held",
        LineState::RemoteHeld => "line-state-remote-held",
        LineState::Conference => "line-state-conference",
    })
}

/// The status bar's sentence, and whether it is a warning.
pub fn status_text(app: &App) -> (String, bool) {
    if app.quitting {
        return (tr("status-quitting"), false);
    }
    if let Some(error) = &app.status.error {
        return (notice(error), true);
    }
    if let Some(said) = &app.status.notice {
        // Failing over to the backup proxy is a warning, not news.
        let warning = matches!(said, Notice::NetworkDelay {} | Notice::ProxyError {});
        return (notice(said), warning);
    }
    let account = format!("{}@{}", app.config.account.user, app.config.account.domain);
    match (&app.status.registration, &app.status.listening) {
        (Some((RegistrationState::Registered, _)), _) => (
            tr_with("status-registered", &[("account", account.into())]),
            false,
        ),
        (Some((RegistrationState::Failed, reason)), _) => (
            tr_with(
                "status-registration-failed",
                &[(
                    "reason",
                    reason.as_ref().map(notice).unwrap_or_default().into(),
                )],
            ),
            true,
        ),
        (Some((RegistrationState::Unregistered, _)), _) => (tr("status-unregistered"), false),
        (None, Some(_)) if app.config.account.register => (
            tr_with("status-registering", &[("account", account.into())]),
            false,
        ),
        (None, Some(address)) if app.config.account.user.is_empty() => (
            tr_with(
                "status-ready-no-account",
                &[("address", address.as_str().into())],
            ),
            false,
        ),
        (None, Some(address)) => (
            tr_with("status-ready", &[("address", address.as_str().into())]),
            false,
        ),
        (None, None) => (tr("status-starting"), false),
    }
}

/// Small flags at the right of the status bar for settings that change how calls behave.
fn indicators(app: &App) -> Element<'_, Message> {
    let mut flags = row![].spacing(6);
    let calls = &app.config.calls;
    let mut flag = |label: String| {
        flags = std::mem::replace(&mut flags, row![]).push(
            container(text(label).size(12))
                .padding([1, 7])
                .style(theme::flag),
        );
    };
    if app.muted {
        flag(tr("indicator-muted"));
    }
    if calls.do_not_disturb {
        flag(tr("indicator-dnd"));
    }
    if let Some(target) = &calls.forward_always {
        flag(tr_with(
            "indicator-forward",
            &[("target", target.as_str().into())],
        ));
    }
    flags.into()
}

/// The small key in the display's corner that shows the media figures.
fn stats_toggle<'a>(on: bool) -> Element<'a, Message> {
    let kind = if on {
        theme::KeyKind::On
    } else {
        theme::KeyKind::Soft
    };
    container(theme::key(
        kind,
        text(tr("key-stats")).size(12),
        tr("tip-stats"),
        Some(Message::ToggleStats),
    ))
    .width(Length::Shrink)
    .into()
}

/// What the softkeys are waiting for, in words.
fn prompt(app: &App) -> Option<String> {
    if let Some((target, by)) = &app.line().transfer_request {
        let by = by.as_deref().map_or_else(
            || tr("prompt-transfer-request-someone"),
            |b| split_peer(b).0.to_owned(),
        );
        return Some(tr_with(
            "prompt-transfer-request",
            &[
                ("by", by.into()),
                ("target", split_peer(target).0.to_owned().into()),
            ],
        ));
    }
    match app.mode {
        Mode::Transfer { line } => Some(tr_with("prompt-transfer", &[("line", line.into())])),
        Mode::Conference { line } => Some(tr_with("prompt-conference", &[("line", line.into())])),
        Mode::Forward => Some(tr("prompt-forward")),
        Mode::Normal | Mode::ConfirmQuit => None,
    }
}

/// The media figures of the selected call.
fn stats(stats: Option<&MediaStats>) -> Element<'_, Message> {
    let Some(s) = stats else {
        return text(tr("stats-none")).size(13).color(theme::LCD_DIM).into();
    };
    let figure = |key: &str, value: String| {
        column![
            text(tr(key)).size(11).color(theme::LCD_DIM),
            text(value).size(14).font(Font::MONOSPACE),
        ]
        .spacing(1)
        .width(Length::Fill)
    };
    let rtt = s
        .rtt_ms
        .map_or_else(|| "–".to_owned(), |ms| format!("{ms:.0} ms"));
    row![
        figure("stats-codec", s.codec.clone()),
        figure("stats-packets", format!("{} / {}", s.sent, s.received)),
        figure("stats-lost", format!("{} / {}", s.lost, s.late)),
        figure("stats-jitter", format!("{:.1} ms", s.jitter_ms)),
        figure("stats-buffer", format!("{:.0} ms", s.buffer_ms)),
        figure("stats-rtt", rtt),
    ]
    .spacing(6)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_split_into_name_and_address() {
        assert_eq!(
            split_peer("\"Bob Smith\" <sip:bob@10.0.0.2>"),
            ("Bob Smith", Some("sip:bob@10.0.0.2"))
        );
        assert_eq!(split_peer("<sip:bob@h>"), ("sip:bob@h", None));
        assert_eq!(split_peer("sip:bob@h"), ("sip:bob@h", None));
    }
}
