//! The shell around the pure [`update`]: starting the window, sending intents, carrying out
//! effects (window focus, files, exit), the subscriptions, and the top-level view.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use iced::widget::{center, column, container, opaque, row, stack, text};
use iced::{keyboard, time, window, Element, Length, Size, Subscription, Task};

use super::theme::KeyKind;
use super::{
    dialpad, display, engine_link, history, instance, line_keys, softkeys, theme, update, App,
    Effect, Launch, Message, Mode, Report,
};
use crate::config::Config;
use crate::core::notice::Notice;
use crate::core::phone::Intent;
use crate::i18n::{tr, tr_with};

/// How long closing waits for the engine to hang up and unregister before it gives up.
const QUIT_WAIT: Duration = Duration::from_secs(5);

/// The window's size at start: room for the display, six line keys, the keypad and the history.
pub const WINDOW_SIZE: Size = Size::new(860.0, 620.0);

/// Opens the phone window and runs it until it is closed. Fails with one sentence when there is
/// no display to open it on.
pub fn run(launch: Launch) -> Result<(), String> {
    check_display()?;
    let title = tr("app-name");
    let requests = instance::Requests::new(launch.requests);
    let (config, dial) = (launch.config, launch.dial);
    iced::application(
        move || boot(config.clone(), dial.clone(), requests.clone()),
        step,
        view,
    )
    // The bundled font, so text looks the same everywhere and shows even without system fonts.
    .default_font(iced::Font::with_name("Fira Sans"))
    .title(move |_: &App| title.clone())
    .subscription(subscription)
    .theme(|_: &App| theme::theme())
    .window(window::Settings {
        size: WINDOW_SIZE,
        min_size: Some(Size::new(720.0, 560.0)),
        exit_on_close_request: false,
        #[cfg(target_os = "linux")]
        platform_specific: window::settings::PlatformSpecific {
            application_id: "io.github.linekey.Linekey".to_owned(),
            override_redirect: false,
        },
        ..window::Settings::default()
    })
    .run()
    .map_err(|e| tr_with("error-window", &[("reason", e.to_string().into())]))
}

/// Loads the settings (never failing: what is wrong becomes the status line) and the history,
/// builds the starting state, and puts the cursor in the address field so typing dials.
fn boot(
    config: Option<PathBuf>,
    dial: Option<String>,
    requests: instance::Requests,
) -> (App, Task<Message>) {
    let config_path = config
        .or_else(Config::default_path)
        .unwrap_or_else(|| PathBuf::from(crate::config::FILE_NAME));
    let loaded = Config::load_tolerant(&config_path);
    crate::i18n::set_language(&loaded.config.ui.language);
    let first_run = loaded.file == crate::config::FileState::Missing;
    let history_path = history::default_path();
    let (calls, broken) = history_path
        .as_deref()
        .map(history::History::load)
        .unwrap_or_default();
    let mut app = App::new(loaded.config, config_path, calls, SystemTime::now());
    app.history_path = history_path;
    app.pending_dial = dial;
    app.requests = requests;
    load_dial_plan(&mut app);
    if first_run {
        // No settings yet: the short account form comes first; calls work without it.
        app.settings = Some(super::settings::Settings::new(&app.config, true));
    }
    let warning = loaded.warnings.into_iter().next().or_else(|| {
        (broken > 0).then(|| tr_with("error-history-broken", &[("count", broken.into())]))
    });
    app.status.error = warning.map(Notice::text);
    (app, iced::widget::operation::focus(display::ADDRESS))
}

/// Reads the dial plan the settings name, for the keypad; a broken one is said in the status
/// line (the engine reports it too) and typed numbers then wait for Enter.
fn load_dial_plan(app: &mut App) {
    app.dial_plan = None;
    if app.config.dialplan.file.is_some() {
        match app.config.load_dial_plan() {
            Ok(plan) => app.dial_plan = Some(std::sync::Arc::new(plan)),
            Err(e) => app.status.error = Some(Notice::text(e)),
        }
    }
}

/// One update: the pure part, then the intents sent and the effects carried out.
fn step(app: &mut App, message: Message) -> Task<Message> {
    let connected = matches!(message, Message::Engine(Report::Connected(_)));
    let intents = update(app, message);
    if connected {
        let queued = std::mem::take(&mut app.outbox);
        queued.into_iter().for_each(|i| send(app, i));
    }
    intents.into_iter().for_each(|i| send(app, i));
    let effects = std::mem::take(&mut app.effects);
    Task::batch(effects.into_iter().map(|e| perform(app, e)))
}

fn send(app: &mut App, intent: Intent) {
    match &app.engine {
        // A closed channel means the engine stopped; its Stopped report says why.
        Some(engine) => drop(engine.send(intent)),
        None => app.outbox.push(intent),
    }
}

fn perform(app: &mut App, effect: Effect) -> Task<Message> {
    match effect {
        Effect::Attention => window::latest().and_then(|id| {
            Task::batch([
                window::minimize(id, false),
                window::gain_focus(id),
                window::request_user_attention(id, Some(window::UserAttention::Critical)),
            ])
        }),
        Effect::SaveHistory => {
            if let Some(path) = &app.history_path {
                if let Err(e) = app.history.save(path) {
                    app.status.error = Some(Notice::text(tr_with(
                        "error-history-save",
                        &[
                            ("path", path.display().to_string().into()),
                            ("reason", e.to_string().into()),
                        ],
                    )));
                }
            }
            Task::none()
        }
        Effect::SaveConfig => {
            load_dial_plan(app);
            match app.config.save(&app.config_path) {
                Ok(saved) => {
                    if let Some(warning) = saved.warnings.into_iter().next() {
                        app.status.notice = Some(Notice::text(warning));
                    }
                }
                Err(e) => app.status.error = Some(Notice::text(e.to_string())),
            }
            Task::none()
        }
        Effect::Language(language) => {
            crate::i18n::set_language(&language);
            Task::none()
        }
        Effect::Exit => iced::exit(),
        Effect::NotifyIncoming { line, caller } => {
            let mut notice = crate::notify::incoming(&caller, line as u32);
            // The handle stays here (dropping it withdraws the notification); its choices
            // come back as messages.
            let (_, unused) = tokio::sync::mpsc::unbounded_channel();
            let actions = std::mem::replace(&mut notice.actions, unused);
            app.notifications.insert(line, notice);
            Task::stream(iced::futures::stream::unfold(actions, |mut rx| async {
                rx.recv().await.map(|action| (action, rx))
            }))
            .map(move |action| Message::Notification(line, action))
        }
        Effect::WithdrawIncoming { line } => {
            app.notifications.remove(&line);
            Task::none()
        }
        Effect::NotifyMissed { caller } => {
            crate::notify::missed(&caller);
            Task::none()
        }
    }
}

/// What the window listens to; timers run only while something needs them, so an idle phone
/// does not wake up at all.
fn subscription(app: &App) -> Subscription<Message> {
    let mut subscriptions = vec![
        engine_link::subscription(app.start.clone()).map(Message::Engine),
        window::close_requests().map(|_| Message::CloseRequested),
        instance::subscription(app.requests.clone()).map(Message::Request),
    ];
    match &app.settings {
        // The dialog's keys are its own; Enter there must not dial.
        Some(dialog) => subscriptions.push(dialog.subscription().map(Message::Settings)),
        None => subscriptions.push(keyboard::listen().filter_map(key_message)),
    }
    if app.ringing() {
        subscriptions.push(time::every(Duration::from_millis(500)).map(|_| Message::Blink));
    }
    if app.any_call() {
        subscriptions
            .push(time::every(Duration::from_secs(1)).map(|_| Message::Tick(SystemTime::now())));
    }
    if app.quitting {
        subscriptions.push(time::every(QUIT_WAIT).map(|_| Message::QuitTimeout));
    }
    if let Some(wait) = app.auto_dial {
        subscriptions.push(Subscription::run_with(wait, quiet_time).map(Message::AutoDial));
    }
    Subscription::batch(subscriptions)
}

/// One tick after the dial plan's quiet time, carrying the key serial it waited after.
fn quiet_time(&(serial, wait): &(u64, Duration)) -> impl iced::futures::Stream<Item = u64> + use<> {
    iced::futures::stream::once(async move {
        tokio::time::sleep(wait).await;
        serial
    })
}

/// Keys the focused widget did not take: digits, Enter, Escape, Backspace.
fn key_message(event: keyboard::Event) -> Option<Message> {
    use keyboard::key::{Key, Named};
    let keyboard::Event::KeyPressed {
        key,
        modifiers,
        text,
        ..
    } = event
    else {
        return None;
    };
    if modifiers.control() || modifiers.alt() || modifiers.logo() {
        return None;
    }
    match key {
        Key::Named(Named::Enter) => Some(Message::Submit),
        Key::Named(Named::Escape) => Some(Message::Escape),
        Key::Named(Named::Backspace) => Some(Message::Backspace),
        _ => {
            let text = text?;
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if dialpad::is_key(c) => Some(Message::Digit(c)),
                _ => None,
            }
        }
    }
}

/// The phone: display and line keys on top, softkeys under the display, keypad and history below.
pub fn view(app: &App) -> Element<'_, Message> {
    let screen = match &app.settings {
        Some(dialog) => dialog.view().map(Message::Settings),
        None => phone(app),
    };
    if app.mode == Mode::ConfirmQuit {
        stack![screen, opaque(center(confirm_quit()).style(theme::scrim))].into()
    } else {
        screen
    }
}

/// The phone: the display with its softkeys, and the keypad and history under them; the line
/// keys run down the right-hand side.
fn phone(app: &App) -> Element<'_, Message> {
    let bottom = row![dialpad::view(app), history::view(app)]
        .spacing(14)
        .height(Length::Fill);
    let left = column![display::view(app), softkeys::view(app), bottom]
        .spacing(12)
        .width(Length::Fill);
    container(row![left, line_keys::view(app)].spacing(14))
        .padding(16)
        .width(Length::Fill)
        .height(Length::Fill)
        .style(theme::body)
        .into()
}

fn confirm_quit<'a>() -> Element<'a, Message> {
    container(
        column![
            text(tr("confirm-quit-title")).size(20),
            text(tr("confirm-quit-body")),
            row![
                theme::key(
                    KeyKind::Soft,
                    text(tr("confirm-quit-no")).center().width(Length::Fill),
                    tr("tip-confirm-quit-no"),
                    Some(Message::KeepRunning),
                ),
                theme::key(
                    KeyKind::Stop,
                    text(tr("confirm-quit-yes")).center().width(Length::Fill),
                    tr("tip-confirm-quit-yes"),
                    Some(Message::ConfirmQuit),
                ),
            ]
            .spacing(10),
        ]
        .spacing(14),
    )
    .padding(24)
    .max_width(440)
    .style(theme::dialog)
    .into()
}

/// Whether a window can be opened, checked before iced tries (winit panics when it cannot).
fn check_display() -> Result<(), String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let wayland = std::env::var("WAYLAND_DISPLAY").unwrap_or_default();
        let x11 = std::env::var("DISPLAY").unwrap_or_default();
        if wayland.is_empty() && x11.is_empty() {
            return Err(tr("error-no-display"));
        }
        if !wayland.is_empty() && wayland_answers(&wayland) {
            return Ok(());
        }
        if !x11.is_empty() && x11_answers(&x11) {
            return Ok(());
        }
        let name = if x11.is_empty() { wayland } else { x11 };
        Err(tr_with(
            "error-display-unusable",
            &[("display", name.into())],
        ))
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    Ok(())
}

#[cfg(all(unix, not(target_os = "macos")))]
fn wayland_answers(name: &str) -> bool {
    let path = if Path::new(name).is_absolute() {
        PathBuf::from(name)
    } else {
        match std::env::var_os("XDG_RUNTIME_DIR") {
            Some(dir) => PathBuf::from(dir).join(name),
            None => return false,
        }
    };
    std::os::unix::net::UnixStream::connect(path).is_ok()
}

/// `DISPLAY` is `[host]:number[.screen]`: a local socket without a host, TCP 6000+n with one.
#[cfg(all(unix, not(target_os = "macos")))]
fn x11_answers(display: &str) -> bool {
    let Some((host, rest)) = display.rsplit_once(':') else {
        return false;
    };
    let Ok(number) = rest.split('.').next().unwrap_or_default().parse::<u16>() else {
        return false;
    };
    if host.is_empty() || host == "unix" {
        let socket = format!("/tmp/.X11-unix/X{number}");
        return std::os::unix::net::UnixStream::connect(socket).is_ok();
    }
    use std::net::ToSocketAddrs;
    let Ok(mut addrs) = (host, 6000u16.saturating_add(number)).to_socket_addrs() else {
        return false;
    };
    addrs.any(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: keyboard::Key, text: Option<&str>) -> keyboard::Event {
        keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: keyboard::Location::Standard,
            modifiers: keyboard::Modifiers::default(),
            text: text.map(Into::into),
            repeat: false,
        }
    }

    #[test]
    fn keys_map_to_phone_actions() {
        use keyboard::key::Named;
        let m = |k, t| key_message(press(k, t));
        assert!(matches!(
            m(keyboard::Key::Named(Named::Enter), None),
            Some(Message::Submit)
        ));
        assert!(matches!(
            m(keyboard::Key::Named(Named::Escape), None),
            Some(Message::Escape)
        ));
        assert!(matches!(
            m(keyboard::Key::Character("7".into()), Some("7")),
            Some(Message::Digit('7'))
        ));
        assert!(matches!(
            m(keyboard::Key::Character("#".into()), Some("#")),
            Some(Message::Digit('#'))
        ));
        assert!(m(keyboard::Key::Character("x".into()), Some("x")).is_none());
    }

    #[test]
    fn no_display_is_an_error_not_a_panic() {
        // Only the parsing: whether a real display answers depends on the machine.
        assert!(!x11_answers("nonsense"));
        assert!(!x11_answers(":notanumber"));
        assert!(!x11_answers(":65000"));
    }
}
