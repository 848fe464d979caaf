//! The phone window clicked through in iced_test's headless simulator: what the user clicks
//! becomes messages, `update` turns them into intents, and those are checked. The same states
//! are drawn for the screenshots in docs/screenshots (written when UPDATE_SCREENSHOTS=1).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iced_test::simulator::Simulator;
use linekey::app::history::{Entry, History, Kind};
use linekey::app::{update, view, App, Message, Report, WINDOW_SIZE};
use linekey::config::Config;
use linekey::core::notice::Notice;
use linekey::core::phone::{Event, Intent, LineState, MediaStats, RegistrationState};

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

fn app() -> App {
    linekey::i18n::set_language("en");
    let mut config = Config::default();
    config.account.user = "alice".into();
    config.account.domain = "pbx.example.com".into();
    config.account.register = true;
    App::new(
        config,
        PathBuf::from("unused.toml"),
        History::default(),
        t(0),
    )
}

fn event(app: &mut App, event: Event, at: u64) -> Vec<Intent> {
    update(app, Message::Engine(Report::Event(event, t(at))))
}

fn line(app: &mut App, line: usize, state: LineState, peer: Option<&str>, at: u64) {
    let e = Event::Line {
        line,
        state,
        peer: peer.map(str::to_owned),
        reason: None,
    };
    assert!(event(app, e, at).is_empty());
}

fn registered(app: &mut App) {
    event(
        app,
        Event::Ready {
            sip: "192.168.1.20:5060".into(),
        },
        0,
    );
    event(
        app,
        Event::Registration {
            state: RegistrationState::Registered,
            reason: None,
            notice: None,
        },
        0,
    );
}

fn ui(app: &App) -> Simulator<'_, Message> {
    Simulator::with_size(iced::Settings::default(), WINDOW_SIZE, view(app))
}

/// Clicks the widget showing `label` and applies what it sends; returns the intents.
fn click(app: &mut App, label: &str) -> Vec<Intent> {
    let messages: Vec<Message> = {
        let mut ui = ui(app);
        ui.click(label)
            .unwrap_or_else(|e| panic!("no {label:?} to click: {e}"));
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "clicking {label:?} did nothing");
    messages.into_iter().flat_map(|m| update(app, m)).collect()
}

/// Types into the address field one character at a time, as the window re-renders in between.
fn type_address(app: &mut App, text: &str) {
    for c in text.chars() {
        let messages: Vec<Message> = {
            let mut ui = ui(app);
            ui.click(iced_test::selector::id("address"))
                .expect("the address field is shown");
            ui.typewrite(&c.to_string());
            ui.into_messages().collect()
        };
        for m in messages {
            assert!(update(app, m).is_empty());
        }
    }
    assert_eq!(app.address, text);
}

fn shows(app: &App, text: &str) -> bool {
    ui(app).find(text).is_ok()
}

#[test]
fn dial_by_typing_an_address_and_clicking_dial() {
    let mut a = app();
    registered(&mut a);
    type_address(&mut a, "sip:bob@127.0.0.1");
    assert_eq!(
        click(&mut a, "Dial"),
        vec![Intent::Dial {
            target: "sip:bob@127.0.0.1".into()
        }]
    );
}

#[test]
fn dial_from_the_dial_pad() {
    let mut a = app();
    for key in ["2", "0", "1"] {
        assert!(click(&mut a, key).is_empty());
    }
    assert_eq!(a.address, "201");
    assert_eq!(
        click(&mut a, "Dial"),
        vec![Intent::Dial {
            target: "201".into()
        }]
    );
}

#[test]
fn answer_an_incoming_call() {
    let mut a = app();
    line(
        &mut a,
        1,
        LineState::Incoming,
        Some("\"Carol\" <sip:carol@10.0.0.3>"),
        1,
    );
    assert!(shows(&a, "Carol"), "the caller is shown");
    assert_eq!(click(&mut a, "Answer"), vec![Intent::Answer { line: 1 }]);
}

#[test]
fn decline_an_incoming_call() {
    let mut a = app();
    line(&mut a, 1, LineState::Incoming, Some("sip:carol@h"), 1);
    assert_eq!(click(&mut a, "Decline"), vec![Intent::Reject { line: 1 }]);
}

#[test]
fn tones_from_the_dial_pad_in_a_call() {
    let mut a = app();
    line(&mut a, 1, LineState::Dialing, Some("sip:ivr@h"), 1);
    line(&mut a, 1, LineState::Connected, None, 2);
    assert_eq!(
        click(&mut a, "5"),
        vec![Intent::Dtmf {
            line: 1,
            digits: "5".into()
        }]
    );
}

#[test]
fn hold_resume_and_hang_up() {
    let mut a = app();
    line(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 1);
    line(&mut a, 1, LineState::Connected, None, 2);
    assert_eq!(click(&mut a, "Hold"), vec![Intent::Hold { line: 1 }]);
    line(&mut a, 1, LineState::Held, None, 3);
    assert_eq!(click(&mut a, "Resume"), vec![Intent::Resume { line: 1 }]);
    assert_eq!(click(&mut a, "End call"), vec![Intent::Hangup { line: 1 }]);
}

#[test]
fn blind_transfer() {
    let mut a = app();
    line(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 1);
    line(&mut a, 1, LineState::Connected, None, 2);
    assert!(click(&mut a, "Transfer").is_empty());
    type_address(&mut a, "sip:carol@h");
    assert_eq!(
        click(&mut a, "Transfer"),
        vec![Intent::Transfer {
            line: 1,
            target: Some("sip:carol@h".into()),
            to_line: None
        }]
    );
}

#[test]
fn attended_transfer_to_the_consultation_line() {
    let mut a = app();
    line(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 1);
    line(&mut a, 1, LineState::Held, None, 2);
    line(&mut a, 2, LineState::Dialing, Some("sip:carol@h"), 3);
    line(&mut a, 2, LineState::Connected, None, 4);
    assert!(click(&mut a, "Transfer").is_empty());
    assert_eq!(
        click(&mut a, "To line 1"),
        vec![Intent::Transfer {
            line: 2,
            target: None,
            to_line: Some(1)
        }]
    );
}

#[test]
fn conference_and_split() {
    let mut a = app();
    line(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 1);
    line(&mut a, 1, LineState::Held, None, 2);
    line(&mut a, 2, LineState::Dialing, Some("sip:carol@h"), 3);
    line(&mut a, 2, LineState::Connected, None, 4);
    assert_eq!(
        click(&mut a, "Conference"),
        vec![Intent::Conference {
            line: 2,
            with_line: 1
        }]
    );
    line(&mut a, 1, LineState::Conference, None, 5);
    line(&mut a, 2, LineState::Conference, None, 5);
    assert_eq!(click(&mut a, "Split"), vec![Intent::Hold { line: 2 }]);
}

#[test]
fn line_keys_switch_the_display() {
    let mut a = app();
    line(&mut a, 2, LineState::Incoming, Some("sip:dave@h"), 1);
    assert!(click(&mut a, "Line 1").is_empty());
    assert_eq!(a.selected, 1);
    assert!(click(&mut a, "Line 2").is_empty());
    assert_eq!(a.selected, 2);
}

#[test]
fn stats_on_demand() {
    let mut a = app();
    line(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 1);
    line(&mut a, 1, LineState::Connected, None, 2);
    event(
        &mut a,
        Event::Media {
            line: 1,
            stats: stats(),
        },
        7,
    );
    assert!(!shows(&a, "Jitter"));
    assert!(click(&mut a, "Stats").is_empty());
    assert!(shows(&a, "Jitter") && shows(&a, "opus"));
}

#[test]
fn calling_back_from_the_history() {
    let mut a = app();
    a.history.record(Entry {
        kind: Kind::Missed,
        peer: "\"Dave\" <sip:dave@h>".into(),
        at: 1_800_000_000,
        talked: 0,
    });
    assert!(click(&mut a, "Dave").is_empty());
    assert_eq!(
        click(&mut a, "Dial"),
        vec![Intent::Dial {
            target: "sip:dave@h".into()
        }]
    );
}

#[test]
fn closing_during_a_call_asks_first() {
    let mut a = app();
    let (engine, _intents) = tokio::sync::mpsc::unbounded_channel();
    update(&mut a, Message::Engine(Report::Connected(engine)));
    line(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 1);
    line(&mut a, 1, LineState::Connected, None, 2);
    assert!(update(&mut a, Message::CloseRequested).is_empty());
    assert!(shows(&a, "A call is still going on"));
    assert_eq!(click(&mut a, "End calls and close"), vec![Intent::Quit]);
}

fn stats() -> MediaStats {
    MediaStats {
        codec: "opus".into(),
        sent: 1510,
        received: 1498,
        lost: 3,
        late: 1,
        concealed: 0.004,
        jitter_ms: 2.4,
        buffer_ms: 40.0,
        rtt_ms: Some(18.0),
    }
}

fn with_history(app: &mut App) {
    let calls = [
        (
            Kind::Placed,
            "\"Bob Meyer\" <sip:bob@pbx.example.com>",
            3_000,
            312,
        ),
        (Kind::Missed, "sip:+4930123456@pbx.example.com", 2_000, 0),
        (
            Kind::Received,
            "\"Carol Diaz\" <sip:carol@pbx.example.com>",
            1_000,
            75,
        ),
    ];
    for (kind, peer, ago, talked) in calls {
        app.history.record(Entry {
            kind,
            peer: peer.into(),
            at: 1_800_000_000 - ago,
            talked,
        });
    }
}

/// The window in each state worth showing, by screenshot name.
fn states() -> Vec<(&'static str, App)> {
    let bob = Some("\"Bob Meyer\" <sip:bob@pbx.example.com>");
    let carol = Some("\"Carol Diaz\" <sip:carol@pbx.example.com>");
    let mut states = Vec::new();

    let mut idle = app();
    registered(&mut idle);
    with_history(&mut idle);
    idle.address = "sip:bo".into();
    states.push(("idle", idle));

    let mut incoming = app();
    registered(&mut incoming);
    with_history(&mut incoming);
    line(&mut incoming, 1, LineState::Incoming, carol, 1);
    states.push(("incoming", incoming));

    let mut connected = app();
    registered(&mut connected);
    with_history(&mut connected);
    line(&mut connected, 1, LineState::Dialing, bob, 1);
    line(&mut connected, 1, LineState::Connected, None, 2);
    event(
        &mut connected,
        Event::Media {
            line: 1,
            stats: stats(),
        },
        60,
    );
    update(&mut connected, Message::ToggleStats);
    update(&mut connected, Message::Tick(t(2 + 83)));
    states.push(("connected", connected));

    let mut held = app();
    registered(&mut held);
    with_history(&mut held);
    line(&mut held, 1, LineState::Dialing, bob, 1);
    line(&mut held, 1, LineState::Held, None, 2);
    line(&mut held, 2, LineState::Incoming, carol, 30);
    update(&mut held, Message::SelectLine(1));
    update(&mut held, Message::Tick(t(2 + 41)));
    states.push(("held", held));

    let mut conference = app();
    registered(&mut conference);
    with_history(&mut conference);
    line(&mut conference, 1, LineState::Dialing, bob, 1);
    line(&mut conference, 1, LineState::Held, None, 2);
    line(&mut conference, 2, LineState::Dialing, carol, 3);
    line(&mut conference, 2, LineState::Connected, None, 5);
    line(&mut conference, 1, LineState::Conference, None, 20);
    line(&mut conference, 2, LineState::Conference, None, 20);
    update(&mut conference, Message::Tick(t(5 + 135)));
    states.push(("conference", conference));

    let mut failover = app();
    registered(&mut failover);
    with_history(&mut failover);
    line(&mut failover, 1, LineState::Dialing, bob, 1);
    line(&mut failover, 1, LineState::Trying, None, 1);
    event(&mut failover, Event::status(Notice::NetworkDelay {}), 33);
    states.push(("failover", failover));

    states
}

#[test]
fn every_state_renders_and_screenshots_are_written_on_request() {
    let write = std::env::var_os("UPDATE_SCREENSHOTS").is_some();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    let scratch = tempfile::tempdir().unwrap();
    for (name, app) in states() {
        let mut ui = ui(&app);
        let snapshot = ui
            .snapshot(&iced::Theme::Dark)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // matches_image writes the PNG when it does not exist yet, named after the renderer.
        assert!(snapshot
            .matches_image(scratch.path().join(format!("{name}.png")))
            .unwrap());
        if write {
            let drawn = std::fs::read_dir(scratch.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(&format!("{name}-"))
                })
                .unwrap();
            std::fs::create_dir_all(&out).unwrap();
            std::fs::copy(drawn, out.join(format!("{name}.png"))).unwrap();
        }
    }
}

#[test]
fn settings_change_a_value_and_save() {
    let mut a = app();
    let (engine, _intents) = tokio::sync::mpsc::unbounded_channel();
    update(&mut a, Message::Engine(Report::Connected(engine)));
    assert!(click(&mut a, "Settings").is_empty());
    assert!(a.settings.is_some(), "the dialog is open");
    for c in "Alice".chars() {
        let messages: Vec<Message> = {
            let mut ui = ui(&a);
            ui.click(iced_test::selector::id("settings-display-name"))
                .expect("the display name field");
            ui.typewrite(&c.to_string());
            ui.into_messages().collect()
        };
        for m in messages {
            assert!(update(&mut a, m).is_empty());
        }
    }
    let intents = click(&mut a, "Save");
    assert!(a.settings.is_none(), "saving closes the dialog");
    let [Intent::Configure { config }] = &intents[..] else {
        panic!("expected Configure, got {intents:?}");
    };
    assert_eq!(config.account.display_name, "Alice");
    assert_eq!(a.config, **config);
}
