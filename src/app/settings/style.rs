//! The dialog's look, drawn from the theme's palette so it follows light and dark themes.

use iced::widget::{button, container, pick_list, progress_bar, text, text_input};
use iced::{border, Background, Border, Color, Shadow, Theme, Vector};

/// Corner radius of cards, inputs and buttons.
const RADIUS: f32 = 8.0;

/// Secondary text: explanations under fields, section titles.
pub fn muted(theme: &Theme) -> text::Style {
    let palette = theme.extended_palette();
    text::Style {
        color: Some(palette.background.base.text.scale_alpha(0.62)),
    }
}

/// A box that confirms what the user entered, tinted with the primary colour.
pub fn note(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.base.color.scale_alpha(0.1).into()),
        text_color: Some(palette.background.base.text),
        border: border::rounded(RADIUS),
        ..container::Style::default()
    }
}

/// A check that passed, under its field.
pub fn success(theme: &Theme) -> text::Style {
    text::Style {
        color: Some(theme.extended_palette().success.base.color),
    }
}

/// A refusal under a field.
pub fn error(theme: &Theme) -> text::Style {
    text::Style {
        color: Some(theme.extended_palette().danger.base.color),
    }
}

/// The navigation column.
pub fn sidebar(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weaker.color.into()),
        ..container::Style::default()
    }
}

/// The area the pages and the first-run form sit on.
pub fn page(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.base.color.into()),
        text_color: Some(palette.background.base.text),
        ..container::Style::default()
    }
}

/// A group of related settings.
pub fn card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weakest.color.into()),
        border: Border {
            color: palette.background.weak.color,
            width: 1.0,
            radius: RADIUS.into(),
        },
        ..container::Style::default()
    }
}

/// The first-run form's card, lifted off the page by a soft shadow.
pub fn welcome_card(theme: &Theme) -> container::Style {
    container::Style {
        background: Some(theme.extended_palette().background.base.color.into()),
        shadow: Shadow {
            color: Color::from_rgba(0.0, 0.0, 0.0, 0.12),
            offset: Vector::new(0.0, 4.0),
            blur_radius: 24.0,
        },
        ..card(theme)
    }
}

/// An entry of the navigation; the chosen one is tinted with the primary colour.
pub fn nav(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let palette = theme.extended_palette();
        let background = match (selected, status) {
            (true, _) => Some(palette.primary.weak.color),
            (false, button::Status::Hovered | button::Status::Pressed) => {
                Some(palette.background.weak.color)
            }
            (false, _) => None,
        };
        button::Style {
            background: background.map(Background::Color),
            text_color: if selected {
                palette.primary.weak.text
            } else {
                palette.background.base.text
            },
            border: border::rounded(RADIUS),
            ..button::Style::default()
        }
    }
}

/// The main action (Save).
pub fn primary(theme: &Theme, status: button::Status) -> button::Style {
    button::Style {
        border: border::rounded(RADIUS),
        ..button::primary(theme, status)
    }
}

/// A quiet action (Cancel, Test, the codec arrows).
pub fn secondary(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => palette.background.weak.color,
        _ => palette.background.base.color,
    };
    let text_color = match status {
        button::Status::Disabled => palette.background.base.text.scale_alpha(0.35),
        _ => palette.background.base.text,
    };
    button::Style {
        background: Some(background.into()),
        text_color,
        border: Border {
            color: palette.background.strong.color,
            width: 1.0,
            radius: RADIUS.into(),
        },
        ..button::Style::default()
    }
}

/// A link-like action ("More settings").
pub fn link(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let color = match status {
        button::Status::Hovered | button::Status::Pressed => palette.primary.strong.color,
        _ => palette.primary.base.color,
    };
    button::Style {
        text_color: color,
        ..button::Style::default()
    }
}

/// A text field, outlined in the danger colour while its value is refused.
pub fn input(refused: bool) -> impl Fn(&Theme, text_input::Status) -> text_input::Style {
    move |theme, status| {
        let palette = theme.extended_palette();
        let mut style = text_input::default(theme, status);
        style.border.radius = (RADIUS - 2.0).into();
        style.placeholder = palette.background.base.text.scale_alpha(0.4);
        if refused {
            style.border.color = palette.danger.base.color;
        } else if matches!(status, text_input::Status::Active) {
            style.border.color = palette.background.strong.color;
        }
        style
    }
}

/// A device or language picker, drawn like the text fields beside it.
pub fn picker(theme: &Theme, status: pick_list::Status) -> pick_list::Style {
    let palette = theme.extended_palette();
    let border_color = match status {
        pick_list::Status::Active => palette.background.strong.color,
        pick_list::Status::Hovered | pick_list::Status::Opened { .. } => {
            palette.primary.strong.color
        }
    };
    pick_list::Style {
        text_color: palette.background.base.text,
        placeholder_color: palette.background.base.text.scale_alpha(0.4),
        handle_color: palette.background.base.text.scale_alpha(0.7),
        background: palette.background.base.color.into(),
        border: Border {
            color: border_color,
            width: 1.0,
            radius: (RADIUS - 2.0).into(),
        },
    }
}

/// The microphone meter.
pub fn meter(theme: &Theme) -> progress_bar::Style {
    let palette = theme.extended_palette();
    progress_bar::Style {
        background: palette.background.weak.color.into(),
        bar: palette.success.base.color.into(),
        border: border::rounded(4),
    }
}
