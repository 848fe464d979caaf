//! The line keys beside the display: one per line, with a lamp in the state's colour (blinking
//! while a call rings), the state in words and the other party.

use iced::widget::{button, column, container, row, space, text};
use iced::{Alignment, Element, Length};

use super::display::{split_peer, state_text};
use super::{theme, App, Line, Message};
use crate::i18n::{tr, tr_with};

/// The column of line keys, with the settings key under them.
pub fn view(app: &App) -> Element<'_, Message> {
    let mut keys = column![]
        .spacing(8)
        .width(Length::Fixed(230.0))
        .height(Length::Fill);
    for (index, line) in app.lines.iter().enumerate() {
        keys = keys.push(key(app, index + 1, line));
    }
    keys.push(space::vertical())
        .push(theme::key(
            theme::KeyKind::Soft,
            text(tr("key-settings"))
                .size(14)
                .center()
                .width(Length::Fill),
            tr("tip-settings"),
            Some(Message::OpenSettings),
        ))
        .into()
}

fn key<'a>(app: &'a App, number: usize, line: &'a Line) -> Element<'a, Message> {
    let lamp = container(text(""))
        .width(12)
        .height(12)
        .style(move |_| container::Style {
            background: Some(theme::lamp(line.state, app.blink_on).into()),
            border: iced::Border {
                radius: 6.0.into(),
                ..iced::Border::default()
            },
            ..container::Style::default()
        });
    let label = tr_with("line-key", &[("line", number.into())]);
    let detail = match line.peer.as_deref().filter(|_| line.busy()) {
        Some(peer) => format!("{} · {}", state_text(line.state), split_peer(peer).0),
        None => state_text(line.state),
    };
    let content = row![
        lamp,
        column![
            text(label).size(12).color(theme::BODY_DIM),
            text(detail).size(14).wrapping(text::Wrapping::None),
        ]
        .spacing(1),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    theme::with_tip(
        button(content)
            .padding([6, 10])
            .width(Length::Fill)
            .clip(true)
            .style(theme::line_key_style(app.selected == number))
            .on_press(Message::SelectLine(number)),
        tr_with("tip-line-key", &[("line", number.into())]),
    )
}
