//! What the dialog looks like: a navigation column of tabs beside a page of cards, labels in
//! one column and fields in the next, an explanation (or the reason for a refusal) under each
//! field; and for the first start, one friendly card with the four things an account needs.

use std::fmt;

use iced::widget::{
    button, checkbox, column, container, pick_list, progress_bar, radio, row, rule, scrollable,
    space, text, text_input, toggler, Column,
};
use iced::{Alignment, Element, Length};

use super::fields::{Field, Problem, Tab};
use super::style;
use super::{Role, Settings, SettingsMessage as M, Typed};
use crate::config::HoldStyle;
use crate::i18n::{self, tr, tr_with};
use crate::media::device::DeviceError;

/// Width of the label column, wide enough for the longest label in every language.
const LABEL_WIDTH: f32 = 170.0;
/// Size of labels, values and buttons.
const BODY: f32 = 14.0;
/// Size of the explanations under fields and of section titles.
const SMALL: f32 = 12.5;
/// Size of a page's title.
const TITLE: f32 = 22.0;

pub(super) fn view(s: &Settings) -> Element<'_, M> {
    if s.first_run && !s.more {
        first_run(s)
    } else {
        full(s)
    }
}

/// The first start: welcome, four fields, and the way to everything else.
fn first_run(s: &Settings) -> Element<'_, M> {
    let mut form = column![column![
        text(tr("settings-welcome-title")).size(26),
        text(tr("settings-welcome-intro"))
            .size(BODY)
            .style(style::muted),
    ]
    .spacing(8)]
    .spacing(14);
    for field in Field::FIRST_RUN {
        form = form.push(stacked(s, field));
    }
    // The address the two fields make, so the user can compare it with what the provider sent.
    let account = &s.checked.config.account;
    if !account.user.is_empty() && !account.domain.is_empty() {
        let address = format!("{}@{}", account.user, account.domain);
        let note = text(tr_with(
            "settings-your-address",
            &[("address", address.into())],
        ))
        .size(BODY);
        form = form.push(
            container(note)
                .padding([8, 12])
                .width(Length::Fill)
                .style(style::note),
        );
    }
    let actions = row![
        button(text(tr("settings-more")).size(BODY))
            .style(style::link)
            .padding([8, 0])
            .on_press(M::ShowMore),
        space::horizontal(),
        cancel_button(s),
        save_button(s),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    let card = container(form.push(actions))
        .padding(28)
        .max_width(520)
        .style(style::welcome_card);
    // Centred while it fits; scrolled rather than squeezed when the window is short.
    let centred = container(card).center_x(Length::Fill).padding(20);
    container(scrollable(centred))
        .center_y(Length::Fill)
        .style(style::page)
        .into()
}

/// Every setting: navigation on the left, the chosen page on the right, actions below it.
fn full(s: &Settings) -> Element<'_, M> {
    let mut nav = column![text(tr("settings-title")).size(20), space().height(10)]
        .spacing(4)
        .padding([20, 12]);
    for tab in Tab::ALL {
        let refused = s
            .checked
            .problems
            .keys()
            .any(|f| f.tab() == tab && s.problem(*f).is_some_and(|p| *p != Problem::Checking));
        let mut label = row![text(tr(tab.key())).size(BODY), space::horizontal()];
        if refused {
            label = label.push(text("●").size(10).style(style::error));
        }
        nav = nav.push(
            button(label.align_y(Alignment::Center))
                .width(Length::Fill)
                .padding([8, 12])
                .style(style::nav(s.tab == tab))
                .on_press(M::TabSelected(tab)),
        );
    }
    let sidebar = container(nav)
        .width(200)
        .height(Length::Fill)
        .style(style::sidebar);

    let header = column![
        text(tr(s.tab.key())).size(TITLE),
        text(tr(&format!("{}-intro", s.tab.key())))
            .size(BODY)
            .style(style::muted),
    ]
    .spacing(4);
    let body =
        scrollable(column![header, page(s)].spacing(20).padding([24, 28])).height(Length::Fill);

    let summary: Element<'_, M> = if let Some(problem) = s.problem(Field::Whole) {
        text(problem.text()).size(SMALL).style(style::error).into()
    } else if s.save_pressed && !s.checked.problems.is_empty() {
        text(tr("settings-fix-fields"))
            .size(SMALL)
            .style(style::error)
            .into()
    } else {
        space().into()
    };
    let footer = row![
        summary,
        space::horizontal(),
        cancel_button(s),
        save_button(s)
    ]
    .spacing(10)
    .padding([14, 28])
    .align_y(Alignment::Center);

    let main = column![body, rule::horizontal(1), footer];
    row![sidebar, container(main).style(style::page)].into()
}

fn save_button(s: &Settings) -> Element<'_, M> {
    let label = if s.first_run {
        "settings-save-first-run"
    } else {
        "settings-save"
    };
    button(text(tr(label)).size(BODY).wrapping(text::Wrapping::None))
        .padding([8, 18])
        .style(style::primary)
        .on_press(M::Save)
        .into()
}

fn cancel_button(s: &Settings) -> Element<'_, M> {
    let label = if s.first_run {
        "settings-not-now"
    } else {
        "settings-cancel"
    };
    button(text(tr(label)).size(BODY).wrapping(text::Wrapping::None))
        .padding([8, 18])
        .style(style::secondary)
        .on_press(M::Cancel)
        .into()
}

/// The cards of the chosen tab.
fn page(s: &Settings) -> Element<'_, M> {
    use Field::*;
    let cards: Vec<Element<'_, M>> = match s.tab {
        Tab::Account => vec![
            card(
                "settings-section-identity",
                vec![field(s, DisplayName), field(s, User), field(s, Domain)],
            ),
            card(
                "settings-section-sign-in",
                vec![field(s, AuthUser), field(s, Password), password_shown(s)],
            ),
            card(
                "settings-section-registration",
                vec![
                    switch(
                        "settings-register",
                        s.base.account.register,
                        M::RegisterToggled,
                    ),
                    field(s, Registrar),
                    field(s, RegisterExpires),
                ],
            ),
        ],
        Tab::Proxies => vec![card(
            "settings-section-proxies",
            vec![
                field(s, ProxyPrimary),
                field(s, ProxyBackup),
                field(s, ProxyEmergency),
            ],
        )],
        Tab::Network => vec![
            card(
                "settings-section-sip",
                vec![
                    field(s, BindAddress),
                    field(s, BindPort),
                    field(s, TimerT1),
                    field(s, InviteAttempts),
                ],
            ),
            card(
                "settings-section-media",
                vec![field(s, RtpFirst), field(s, RtpLast)],
            ),
        ],
        Tab::Audio => audio(s),
        Tab::Calls => vec![
            card("settings-section-codecs", vec![codecs(s)]),
            card(
                "settings-section-call-handling",
                vec![
                    hold_style(s),
                    switch(
                        "settings-auto-answer",
                        s.base.calls.auto_answer,
                        M::AutoAnswerToggled,
                    ),
                    switch(
                        "settings-dnd",
                        s.base.calls.do_not_disturb,
                        M::DoNotDisturbToggled,
                    ),
                    field(s, Lines),
                    field(s, RingTimeout),
                ],
            ),
        ],
        Tab::Forwarding => vec![card(
            "settings-section-forwarding",
            vec![
                field(s, ForwardAlways),
                field(s, ForwardBusy),
                field(s, ForwardNoAnswer),
                field(s, ForwardNoAnswerSeconds),
            ],
        )],
        Tab::General => vec![
            card("settings-section-language", vec![language(s)]),
            card("settings-section-dialplan", vec![field(s, DialPlanFile)]),
        ],
    };
    Column::with_children(cards).spacing(20).into()
}

/// A titled group of rows.
fn card<'a>(title: &str, rows: Vec<Element<'a, M>>) -> Element<'a, M> {
    column![
        text(tr(title).to_uppercase())
            .size(SMALL)
            .style(style::muted),
        container(Column::with_children(rows).spacing(18))
            .padding(18)
            .width(Length::Fill)
            .style(style::card),
    ]
    .spacing(8)
    .into()
}

/// A label in the label column beside a control with a line of explanation under it.
fn labeled<'a>(
    label: String,
    control: impl Into<Element<'a, M>>,
    hint: Element<'a, M>,
) -> Element<'a, M> {
    row![
        container(text(label).size(BODY))
            .width(LABEL_WIDTH)
            .padding(iced::Padding::ZERO.top(7)),
        column![control.into(), hint].spacing(5).width(Length::Fill),
    ]
    .spacing(16)
    .into()
}

/// A text field in the label column layout.
fn field(s: &Settings, field: Field) -> Element<'_, M> {
    labeled(tr(field.id()), input(s, field), hint(s, field))
}

/// A text field with its label above it, for the narrow first-run card.
fn stacked(s: &Settings, field: Field) -> Element<'_, M> {
    column![
        text(tr(field.id())).size(BODY),
        column![input(s, field), hint(s, field)].spacing(4)
    ]
    .spacing(6)
    .into()
}

fn input(s: &Settings, field: Field) -> Element<'_, M> {
    let value = s.texts.get(&field).map_or("", String::as_str);
    let refused = s
        .problem(field)
        .is_some_and(|problem| *problem != Problem::Checking);
    text_input(&tr(&format!("{}-placeholder", field.id())), value)
        .id(field.id())
        .secure(field == Field::Password && !s.password_shown)
        .on_input(move |text| M::Edited(field, Typed(text)))
        .on_submit(M::Save)
        .padding([7, 10])
        .size(BODY)
        .style(style::input(refused))
        .into()
}

/// The explanation under a field, or the reason its value is refused.
fn hint(s: &Settings, field: Field) -> Element<'_, M> {
    match s.problem(field) {
        Some(Problem::Checking) => text(Problem::Checking.text())
            .size(SMALL)
            .style(style::muted)
            .into(),
        Some(problem) => text(problem.text()).size(SMALL).style(style::error).into(),
        None => match (field, &s.dialplan_checked) {
            // Say that the file just chosen was read, and what is in it.
            (Field::DialPlanFile, Some(Ok(count))) => text(tr_with(
                "settings-dialplan-ok",
                &[("count", (*count as f64).into())],
            ))
            .size(SMALL)
            .style(style::success)
            .into(),
            _ => text(tr(&format!("{}-help", field.id())))
                .size(SMALL)
                .style(style::muted)
                .into(),
        },
    }
}

fn password_shown(s: &Settings) -> Element<'_, M> {
    labeled(
        String::new(),
        checkbox(s.password_shown)
            .label(tr("settings-show-password"))
            .text_size(BODY)
            .on_toggle(M::PasswordShown),
        space().into(),
    )
}

/// An on/off setting: the label, a switch, and what it does.
fn switch<'a>(key: &str, on: bool, message: fn(bool) -> M) -> Element<'a, M> {
    labeled(
        tr(key),
        // Padded to sit on the label's line, like the text of a field.
        container(toggler(on).on_toggle(message).size(20)).padding(iced::Padding::ZERO.top(6)),
        text(tr(&format!("{key}-help")))
            .size(SMALL)
            .style(style::muted)
            .into(),
    )
}

fn hold_style(s: &Settings) -> Element<'_, M> {
    let selected = Some(s.base.calls.hold_style);
    let choices = column![
        radio(
            tr("settings-hold-zero-address"),
            HoldStyle::ZeroAddress,
            selected,
            M::HoldStyleSelected,
        )
        .text_size(BODY)
        .size(16),
        radio(
            tr("settings-hold-sendonly"),
            HoldStyle::SendOnly,
            selected,
            M::HoldStyleSelected,
        )
        .text_size(BODY)
        .size(16),
    ]
    .spacing(8);
    labeled(
        tr("settings-hold-style"),
        container(choices).padding(iced::Padding::ZERO.top(6)),
        text(tr("settings-hold-style-help"))
            .size(SMALL)
            .style(style::muted)
            .into(),
    )
}

/// The codecs in preference order, each with a switch and arrows to reorder it.
fn codecs(s: &Settings) -> Element<'_, M> {
    let last = s.codecs.len().saturating_sub(1);
    let mut list = column![].spacing(8);
    for (index, (name, on)) in s.codecs.iter().enumerate() {
        let arrow = |label: &'static str, message: Option<M>| {
            button(text(label).size(BODY).align_x(Alignment::Center))
                .width(34)
                .padding([4, 0])
                .style(style::secondary)
                .on_press_maybe(message)
        };
        list = list.push(
            row![
                text(format!("{}.", index + 1))
                    .size(BODY)
                    .style(style::muted)
                    .width(20),
                checkbox(*on)
                    .label(tr(&format!("settings-codec-{}", name.to_lowercase())))
                    .text_size(BODY)
                    .on_toggle(move |on| M::CodecToggled(index, on))
                    .width(Length::Fill),
                arrow("↑", (index > 0).then_some(M::CodecUp(index))),
                arrow("↓", (index < last).then_some(M::CodecDown(index))),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    }
    let note: Element<'_, M> = match s.problem(Field::Codecs) {
        Some(problem) => text(problem.text()).size(SMALL).style(style::error).into(),
        None => text(tr("settings-codecs-help"))
            .size(SMALL)
            .style(style::muted)
            .into(),
    };
    column![list, note].spacing(10).into()
}

/// A device spec in a picker, shown by name ("default" in the user's words).
#[derive(Debug, Clone, PartialEq)]
struct Device(String);

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == "default" {
            f.write_str(&tr("settings-device-default"))
        } else {
            f.write_str(&self.0)
        }
    }
}

fn audio(s: &Settings) -> Vec<Element<'_, M>> {
    let listed = s.devices.as_ref();
    let choices = |names: Option<&Vec<String>>, current: &str| {
        let mut choices = vec![Device("default".into())];
        // The system may list its default device by that name too.
        for name in names
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain([current])
        {
            if !choices.iter().any(|d| d.0 == name) {
                choices.push(Device(name.to_owned()));
            }
        }
        choices
    };
    let picker = |names: Option<&Vec<String>>, current: &str, message: fn(String) -> M| {
        pick_list(
            choices(names, current),
            Some(Device(current.to_owned())),
            move |device: Device| message(device.0),
        )
        .text_size(BODY)
        .padding([7, 10])
        .width(Length::Fill)
        .style(style::picker)
    };

    let input = labeled(
        tr("settings-input"),
        picker(
            listed.map(|d| &d.inputs),
            &s.base.audio.input,
            M::InputSelected,
        ),
        meter(s),
    );
    let output = |role: Role, current: &str, message: fn(String) -> M| {
        let key = match role {
            Role::Output => "settings-output",
            Role::Ringer => "settings-ringer",
        };
        let playing = s.tone.as_ref().is_some_and(|run| run.role == role);
        let test = button(
            text(tr(if playing {
                "settings-test-tone-playing"
            } else {
                "settings-test-tone"
            }))
            .size(BODY),
        )
        .padding([7, 14])
        .style(style::secondary)
        .on_press_maybe(s.tone.is_none().then_some(M::TestTone(role)));
        labeled(
            tr(key),
            row![picker(listed.map(|d| &d.outputs), current, message), test].spacing(10),
            tone_note(s, role, key),
        )
    };
    vec![card(
        "settings-section-devices",
        vec![
            input,
            output(Role::Output, &s.base.audio.output, M::OutputSelected),
            output(Role::Ringer, &s.base.audio.ringer, M::RingerSelected),
        ],
    )]
}

/// The microphone meter, or why the microphone cannot be heard.
fn meter(s: &Settings) -> Element<'_, M> {
    match &s.level {
        Some(Err(error)) => text(tr_with(
            "settings-input-failed",
            &[("error", device_error(error).into())],
        ))
        .size(SMALL)
        .style(style::error)
        .into(),
        level => column![
            progress_bar(0.0..=1.0, level.clone().and_then(Result::ok).unwrap_or(0.0))
                .girth(6)
                .style(style::meter),
            text(tr("settings-input-help"))
                .size(SMALL)
                .style(style::muted),
        ]
        .spacing(6)
        .into(),
    }
}

/// Under an output: what it is for, or how its last test tone went.
fn tone_note<'a>(s: &'a Settings, role: Role, key: &str) -> Element<'a, M> {
    match &s.tone_result {
        Some((r, Err(error))) if *r == role => text(tr_with(
            "settings-test-tone-failed",
            &[("error", device_error(error).into())],
        ))
        .size(SMALL)
        .style(style::error)
        .into(),
        Some((r, Ok(Some(notice)))) if *r == role => text(crate::i18n::notice(notice))
            .size(SMALL)
            .style(style::muted)
            .into(),
        _ => text(tr(&format!("{key}-help")))
            .size(SMALL)
            .style(style::muted)
            .into(),
    }
}

/// What went wrong with a device, in the user's language and saying what to do.
pub(super) fn device_error(error: &DeviceError) -> String {
    match error {
        DeviceError::Unavailable { name, .. } if name == "default" => tr("settings-device-none"),
        DeviceError::Unavailable { name, .. } => tr_with(
            "settings-device-unavailable",
            &[("name", name.as_str().into())],
        ),
        DeviceError::InvalidSpec { spec, .. } => {
            tr_with("settings-device-invalid", &[("name", spec.as_str().into())])
        }
        DeviceError::WavRead { path, reason } | DeviceError::WavWrite { path, reason } => tr_with(
            "settings-device-file",
            &[
                ("path", path.as_str().into()),
                ("reason", reason.as_str().into()),
            ],
        ),
    }
}

/// A language the picker offers: a code, or `i18n::SYSTEM`.
#[derive(Debug, Clone, PartialEq)]
struct Language(String);

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |code: &str| {
            i18n::LANGUAGES
                .iter()
                .find(|l| l.code == code)
                .map_or(code.to_owned(), |l| l.name.to_owned())
        };
        if self.0 == i18n::SYSTEM {
            let system = name(&i18n::system_language());
            f.write_str(&tr_with(
                "settings-language-system",
                &[("language", system.into())],
            ))
        } else {
            f.write_str(&name(&self.0))
        }
    }
}

fn language(s: &Settings) -> Element<'_, M> {
    let choices: Vec<Language> = std::iter::once(i18n::SYSTEM)
        .chain(i18n::LANGUAGES.iter().map(|l| l.code))
        .map(|code| Language(code.to_owned()))
        .collect();
    labeled(
        tr("settings-language"),
        pick_list(
            choices,
            Some(Language(s.base.ui.language.clone())),
            |language: Language| M::LanguageSelected(language.0),
        )
        .text_size(BODY)
        .padding([7, 10])
        .width(Length::Fill)
        .style(style::picker),
        text(tr("settings-language-help"))
            .size(SMALL)
            .style(style::muted)
            .into(),
    )
}
