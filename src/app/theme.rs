//! The desk-phone look: a graphite body, a backlit display with a dark status bar, light
//! softkeys, and line keys with a coloured lamp. Colours are chosen for contrast on the display
//! (dark text on light) and on the body (light text on dark).
//!
//! Depth comes from borders, not shadows: tiny-skia (the renderer without a GPU) leaves blurred
//! shadows unpainted when it redraws only the changed part of the window.

use std::sync::LazyLock;

use iced::border::Radius;
use iced::widget::{button, container, text, text_input, tooltip, Button};
use iced::{color, Background, Border, Color, Element, Length, Theme};

use crate::core::phone::LineState;

/// The phone's body.
pub const BODY: Color = color!(0x2a, 0x2e, 0x33);
/// The bezel around the display and the panels.
pub const BEZEL: Color = color!(0x1d, 0x20, 0x24);
/// The display's backlit background.
pub const LCD: Color = color!(0xe9, 0xef, 0xf2);
/// Text on the display.
pub const LCD_TEXT: Color = color!(0x13, 0x22, 0x2c);
/// Secondary text on the display.
pub const LCD_DIM: Color = color!(0x50, 0x61, 0x6d);
/// The display's status bar.
pub const STATUS_BAR: Color = color!(0x1d, 0x4a, 0x73);
/// The status bar when something is wrong.
pub const STATUS_WARN: Color = color!(0x9c, 0x3b, 0x12);
/// Text on the body.
pub const BODY_TEXT: Color = color!(0xee, 0xf1, 0xf4);
/// Secondary text on the body.
pub const BODY_DIM: Color = color!(0x9a, 0xa4, 0xad);
/// Focus and selection.
pub const ACCENT: Color = color!(0x6c, 0xb4, 0xee);
/// Answer.
pub const GREEN: Color = color!(0x2e, 0x9e, 0x57);
/// Hang up, decline.
pub const RED: Color = color!(0xd1, 0x43, 0x3e);

static THEME: LazyLock<Theme> = LazyLock::new(|| {
    Theme::custom(
        "linekey",
        iced::theme::Palette {
            background: BODY,
            text: BODY_TEXT,
            primary: ACCENT,
            success: GREEN,
            warning: color!(0xf2, 0xa5, 0x2b),
            danger: RED,
        },
    )
});

/// The window's theme.
pub fn theme() -> Theme {
    THEME.clone()
}

/// The colour of a line key's lamp; `lit` is the blink phase for ringing lines.
pub fn lamp(state: LineState, lit: bool) -> Color {
    match state {
        LineState::Idle => color!(0x4d, 0x55, 0x5d),
        LineState::Incoming if lit => color!(0xff, 0xb0, 0x20),
        LineState::Incoming => color!(0x5e, 0x4a, 0x24),
        LineState::Dialing | LineState::Trying | LineState::Ringing => color!(0xf2, 0xc1, 0x4e),
        LineState::Connected => color!(0x3d, 0xd6, 0x6e),
        LineState::Held => color!(0x4a, 0xa8, 0xff),
        LineState::RemoteHeld => color!(0xb7, 0x8c, 0xff),
        LineState::Conference => color!(0x2e, 0xd1, 0xc0),
    }
}

/// The window background.
pub fn body(_: &Theme) -> container::Style {
    container::Style {
        background: Some(BODY.into()),
        text_color: Some(BODY_TEXT),
        ..container::Style::default()
    }
}

/// The display: a backlit panel set into the bezel.
pub fn lcd(_: &Theme) -> container::Style {
    container::Style {
        background: Some(LCD.into()),
        text_color: Some(LCD_TEXT),
        border: Border {
            color: BEZEL,
            width: 3.0,
            radius: 8.0.into(),
        },
        ..container::Style::default()
    }
}

/// The status bar across the top of the display; amber-red when something needs attention.
pub fn status_bar(warning: bool) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(if warning { STATUS_WARN } else { STATUS_BAR }.into()),
        text_color: Some(Color::WHITE),
        border: Border {
            radius: Radius::default().top(6.0),
            ..Border::default()
        },
        ..container::Style::default()
    }
}

/// A flag in the status bar (DND, forwarding, mute).
pub fn flag(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Color::from_rgba8(255, 255, 255, 0.18).into()),
        text_color: Some(Color::WHITE),
        border: Border {
            radius: 9.0.into(),
            ..Border::default()
        },
        ..container::Style::default()
    }
}

/// A recessed panel on the body (history).
pub fn panel(_: &Theme) -> container::Style {
    container::Style {
        background: Some(BEZEL.into()),
        text_color: Some(BODY_TEXT),
        border: Border {
            radius: 8.0.into(),
            ..Border::default()
        },
        ..container::Style::default()
    }
}

/// The darkened window behind a question.
pub fn scrim(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Color::from_rgba8(0, 0, 0, 0.55).into()),
        ..container::Style::default()
    }
}

/// A question's card.
pub fn dialog(_: &Theme) -> container::Style {
    container::Style {
        background: Some(LCD.into()),
        text_color: Some(LCD_TEXT),
        border: Border {
            radius: 10.0.into(),
            ..Border::default()
        },
        ..container::Style::default()
    }
}

/// The address field: white on the display, with a blue edge while typing goes into it.
pub fn address_field(_: &Theme, status: text_input::Status) -> text_input::Style {
    let edge = match status {
        text_input::Status::Focused { .. } => ACCENT,
        text_input::Status::Hovered => color!(0x9f, 0xb3, 0xc2),
        text_input::Status::Active | text_input::Status::Disabled => color!(0xb9, 0xc6, 0xcf),
    };
    text_input::Style {
        background: Color::WHITE.into(),
        border: Border {
            color: edge,
            width: 1.5,
            radius: 6.0.into(),
        },
        icon: LCD_DIM,
        placeholder: color!(0x8a, 0x99, 0xa4),
        value: LCD_TEXT,
        selection: color!(0xbf, 0xdc, 0xf5),
    }
}

/// A completion from the history, under the address field.
pub fn chip(_: &Theme, status: button::Status) -> button::Style {
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => color!(0xcf, 0xe3, 0xf3),
        _ => color!(0xdd, 0xe8, 0xf0),
    };
    button::Style {
        background: Some(background.into()),
        text_color: STATUS_BAR,
        border: Border {
            color: color!(0xb5, 0xcc, 0xdd),
            width: 1.0,
            radius: 11.0.into(),
        },
        ..button::Style::default()
    }
}

/// A tooltip's bubble.
fn tip(_: &Theme) -> container::Style {
    container::Style {
        background: Some(color!(0x11, 0x13, 0x16).into()),
        text_color: Some(BODY_TEXT),
        border: Border {
            radius: 4.0.into(),
            ..Border::default()
        },
        ..container::Style::default()
    }
}

/// A key's colours at rest; hover lightens, pressing darkens, disabled greys out.
fn key_style(base: Color, label: Color) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        let background = match status {
            button::Status::Active => base,
            button::Status::Hovered => mix(base, Color::WHITE, 0.12),
            button::Status::Pressed => mix(base, Color::BLACK, 0.15),
            button::Status::Disabled => mix(base, BODY, 0.6),
        };
        let text_color = match status {
            button::Status::Disabled => mix(label, BODY, 0.5),
            _ => label,
        };
        button::Style {
            background: Some(Background::Color(background)),
            text_color,
            border: Border {
                color: mix(base, Color::BLACK, 0.3),
                width: 1.0,
                radius: 6.0.into(),
            },
            shadow: iced::Shadow::default(),
            snap: true,
        }
    }
}

fn mix(a: Color, b: Color, t: f32) -> Color {
    Color::from_rgb(
        a.r + (b.r - a.r) * t,
        a.g + (b.g - a.g) * t,
        a.b + (b.b - a.b) * t,
    )
}

/// The kinds of key on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A softkey under the display.
    Soft,
    /// Answer.
    Go,
    /// Hang up, decline.
    Stop,
    /// A softkey that is switched on (DND, Mute, stats).
    On,
    /// A dial pad key.
    Pad,
}

/// A labelled key with its tooltip; `None` as the message disables it.
pub fn key<'a, M: Clone + 'a>(
    kind: KeyKind,
    content: impl Into<Element<'a, M>>,
    tip_text: String,
    on_press: Option<M>,
) -> Element<'a, M> {
    let (base, label) = match kind {
        KeyKind::Soft => (color!(0xe2, 0xe6, 0xea), color!(0x16, 0x1a, 0x1f)),
        KeyKind::Go => (GREEN, Color::WHITE),
        KeyKind::Stop => (RED, Color::WHITE),
        KeyKind::On => (color!(0xf2, 0xb1, 0x3b), color!(0x1e, 0x16, 0x05)),
        KeyKind::Pad => (color!(0x3b, 0x41, 0x48), BODY_TEXT),
    };
    let button: Button<'a, M> = button(content)
        .padding([8, 10])
        .width(Length::Fill)
        .style(key_style(base, label))
        .on_press_maybe(on_press);
    with_tip(button, tip_text)
}

/// A line key: dark, with a highlighted edge when it is the selected line.
pub fn line_key_style(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let base = if selected {
            color!(0x44, 0x4c, 0x55)
        } else {
            color!(0x35, 0x3a, 0x40)
        };
        let mut style = key_style(base, BODY_TEXT)(theme, status);
        if selected {
            style.border = Border {
                color: ACCENT,
                width: 2.0,
                radius: 6.0.into(),
            };
        }
        style
    }
}

/// Wraps any widget in a tooltip bubble.
pub fn with_tip<'a, M: 'a>(content: impl Into<Element<'a, M>>, tip_text: String) -> Element<'a, M> {
    tooltip(
        content,
        container(text(tip_text).size(13))
            .padding([4, 8])
            .style(tip),
        tooltip::Position::Bottom,
    )
    .gap(4)
    .into()
}
