//! What the engine says reaches the window in the chosen language. A process of its own: the
//! language is global, and the other window tests expect English.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iced_test::simulator::Simulator;
use linekey::app::history::History;
use linekey::app::{update, view, App, Message, Report, WINDOW_SIZE};
use linekey::config::Config;
use linekey::core::notice::Notice;
use linekey::core::phone::{Event, LineState, RegistrationState};

fn shows(app: &App, text: &str) -> bool {
    Simulator::with_size(iced::Settings::default(), WINDOW_SIZE, view(app))
        .find(text)
        .is_ok()
}

fn say(app: &mut App, event: Event) {
    let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    update(app, Message::Engine(Report::Event(event, at)));
}

#[test]
fn engine_notices_show_in_the_chosen_language() {
    linekey::i18n::set_language("de");
    let mut app = App::new(
        Config::default(),
        PathBuf::from("unused.toml"),
        History::default(),
        SystemTime::UNIX_EPOCH,
    );

    // Why registering failed (shown while nothing else is).
    let failed = Notice::RegistrarSilent {
        which: "registrar".into(),
        registrar: "pbx.example.com".into(),
    };
    let registration = Event::Registration {
        state: RegistrationState::Failed,
        reason: Some(failed.english()),
        notice: Some(failed),
    };
    say(&mut app, registration);
    assert!(shows(
        &app,
        "Nicht angemeldet: keine Antwort vom Registrar pbx.example.com: Prüfen Sie Adresse und Netzwerk"
    ));

    let held = Event::status(Notice::StillOnHold { line: 2 });
    let Event::Status { text, .. } = &held else {
        unreachable!()
    };
    assert_eq!(
        text, "Line 2 is still on hold: resume it to talk",
        "events stay English"
    );
    say(&mut app, held);
    assert!(shows(
        &app,
        "Leitung 2 wird noch gehalten: Zum Sprechen „Fortsetzen“ drücken"
    ));

    // The special case it replaces: failover keeps its translation.
    say(&mut app, Event::status(Notice::NetworkDelay {}));
    assert!(shows(
        &app,
        "Netzwerkverzögerung, Ausweichserver wird versucht"
    ));

    // A reason that is a notice of its own is translated too.
    let error = Notice::CannotCall {
        uri: "sip:bob@pbx.invalid".into(),
        reason: Box::new(Notice::HostUnresolved {
            host: "pbx.invalid".into(),
        }),
    };
    say(&mut app, Event::error(error));
    assert!(shows(
        &app,
        "sip:bob@pbx.invalid kann nicht angerufen werden: der Host pbx.invalid wurde nicht gefunden"
    ));

    // Why the last call ended, from the line event's reason code.
    for (state, reason) in [
        (LineState::Connected, None),
        (LineState::Idle, Some("remote_hangup")),
    ] {
        let line = Event::Line {
            line: 1,
            state,
            peer: Some("sip:bob@pbx.invalid".into()),
            reason: reason.map(str::to_owned),
        };
        say(&mut app, line);
    }
    assert!(shows(&app, "Gespräch beendet: Gegenseite hat aufgelegt"));

    // Switching the language changes what is already shown.
    linekey::i18n::set_language("fr");
    assert!(shows(
        &app,
        "Impossible d’appeler sip:bob@pbx.invalid : l’hôte pbx.invalid est introuvable"
    ));
}
