//! The dial pad: twelve keys with their letters, typing into the address field when idle and
//! sending tones in a call (the same [`Message::Digit`] the keyboard sends).

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, KeyKind};
use super::{App, Message};
use crate::i18n::tr_with;

/// The keys, row by row, with the letters printed under the digits (ITU E.161).
const KEYS: [[(char, &str); 3]; 4] = [
    [('1', ""), ('2', "ABC"), ('3', "DEF")],
    [('4', "GHI"), ('5', "JKL"), ('6', "MNO")],
    [('7', "PQRS"), ('8', "TUV"), ('9', "WXYZ")],
    [('*', ""), ('0', "+"), ('#', "")],
];

/// Whether `c` is a dial pad key.
pub fn is_key(c: char) -> bool {
    c.is_ascii_digit() || c == '*' || c == '#'
}

/// The dial pad.
pub fn view(app: &App) -> Element<'_, Message> {
    let in_call = app.line().in_call() && app.mode == super::Mode::Normal;
    let tip = if in_call {
        "tip-pad-tone"
    } else {
        "tip-pad-type"
    };
    let mut pad = column![].spacing(8).width(Length::Fixed(258.0));
    for keys in KEYS {
        let mut keys_row = row![].spacing(8);
        for (digit, letters) in keys {
            let face = column![
                text(digit.to_string()).size(22),
                text(letters).size(10).color(theme::BODY_DIM),
            ]
            .align_x(Alignment::Center)
            .width(Length::Fill);
            keys_row = keys_row.push(theme::key(
                KeyKind::Pad,
                face,
                tr_with(tip, &[("key", digit.to_string().into())]),
                Some(Message::Digit(digit)),
            ));
        }
        pad = pad.push(keys_row);
    }
    container(pad).height(Length::Fill).into()
}
