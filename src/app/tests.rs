//! `update` as a plain function: a state, a message, then the state and the intents.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

fn app() -> App {
    App::new(
        Config::default(),
        PathBuf::from("/nonexistent/linekey.toml"),
        History::default(),
        t(0),
    )
}

fn line_event(app: &mut App, line: usize, state: LineState, peer: Option<&str>, at: u64) {
    let event = Event::Line {
        line,
        state,
        peer: peer.map(str::to_owned),
        reason: None,
    };
    assert!(update(app, Message::Engine(Report::Event(event, t(at)))).is_empty());
}

/// Line 1 talking to bob, selected.
fn in_call() -> App {
    let mut a = app();
    line_event(&mut a, 1, LineState::Dialing, Some("sip:bob@h"), 0);
    line_event(&mut a, 1, LineState::Connected, None, 2);
    a
}

/// Line 1 held (bob), line 2 talking to carol and selected.
fn two_calls() -> App {
    let mut a = in_call();
    line_event(&mut a, 1, LineState::Held, None, 3);
    line_event(&mut a, 2, LineState::Dialing, Some("sip:carol@h"), 3);
    line_event(&mut a, 2, LineState::Connected, None, 4);
    a
}

#[test]
fn the_window_starts_with_the_configured_line_keys_and_line_1_selected() {
    let a = app();
    assert_eq!(a.lines.len(), 6);
    assert_eq!(a.selected, 1);
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn the_engine_handshake_keeps_the_sender_and_places_the_launch_call() {
    let mut a = app();
    a.pending_dial = Some("sip:bob@h".into());
    let (tx, _rx) = mpsc::unbounded_channel();
    let intents = update(&mut a, Message::Engine(Report::Connected(tx)));
    assert_eq!(
        intents,
        vec![Intent::Dial {
            target: "sip:bob@h".into()
        }]
    );
    assert!(a.engine.is_some() && a.pending_dial.is_none());
}

#[test]
fn typing_and_dialing() {
    let mut a = app();
    assert!(update(&mut a, Message::AddressChanged("sip:bob@h".into())).is_empty());
    assert_eq!(
        update(&mut a, Message::Dial),
        vec![Intent::Dial {
            target: "sip:bob@h".into()
        }]
    );
    assert_eq!(a.address, "");
}

#[test]
fn digits_type_when_idle_and_send_tones_in_a_call() {
    let mut a = app();
    for d in ['1', '2', '#'] {
        assert!(update(&mut a, Message::Digit(d)).is_empty());
    }
    assert_eq!(a.address, "12#");
    assert!(update(&mut a, Message::Backspace).is_empty());
    assert_eq!(a.address, "12");

    let mut a = in_call();
    assert_eq!(
        update(&mut a, Message::Digit('5')),
        vec![Intent::Dtmf {
            line: 1,
            digits: "5".into()
        }]
    );
    assert_eq!((a.address.as_str(), a.lines[0].digits.as_str()), ("", "5"));

    let mut ringing = app();
    line_event(&mut ringing, 1, LineState::Incoming, Some("sip:x@h"), 1);
    assert!(update(&mut ringing, Message::Digit('1')).is_empty());
    assert_eq!(ringing.address, "", "no hidden typing");
}

#[test]
fn enter_dials_or_redials_and_escape_clears() {
    let mut a = app();
    assert!(
        update(&mut a, Message::Submit).is_empty(),
        "nothing to redial"
    );
    a.address = "200".into();
    assert_eq!(
        update(&mut a, Message::Submit),
        vec![Intent::Dial {
            target: "200".into()
        }]
    );
    a.history.record(Entry {
        kind: Kind::Placed,
        peer: "\"Bob\" <sip:bob@h>".into(),
        at: 1,
        talked: 0,
    });
    assert_eq!(
        update(&mut a, Message::Submit),
        vec![Intent::Dial {
            target: "sip:bob@h".into()
        }],
        "an empty field redials"
    );
    a.address = "12".into();
    assert!(update(&mut a, Message::Escape).is_empty());
    assert_eq!(a.address, "");
}

#[test]
fn an_incoming_call_is_selected_raises_the_window_and_enter_answers() {
    let mut a = app();
    line_event(
        &mut a,
        2,
        LineState::Incoming,
        Some("\"Carol\" <sip:carol@h>"),
        5,
    );
    assert_eq!(a.selected, 2);
    assert_eq!(
        a.effects,
        vec![
            Effect::Attention,
            Effect::NotifyIncoming {
                line: 2,
                caller: "\"Carol\" <sip:carol@h>".into()
            }
        ]
    );
    assert!(a.ringing());
    assert_eq!(
        update(&mut a, Message::Submit),
        vec![Intent::Answer { line: 2 }]
    );
    assert_eq!(
        update(&mut a, Message::Answer),
        vec![Intent::Answer { line: 2 }]
    );
}

#[test]
fn escape_and_decline_reject_a_ringing_call() {
    let mut a = app();
    line_event(&mut a, 1, LineState::Incoming, Some("sip:carol@h"), 5);
    assert_eq!(
        update(&mut a, Message::Escape),
        vec![Intent::Reject { line: 1 }]
    );
    assert_eq!(
        update(&mut a, Message::Decline),
        vec![Intent::Reject { line: 1 }]
    );
}

#[test]
fn a_call_on_another_line_does_not_steal_the_display() {
    let mut a = in_call();
    a.effects.clear();
    line_event(&mut a, 2, LineState::Incoming, Some("sip:carol@h"), 5);
    assert_eq!(a.selected, 1, "line 1 is talking");
    assert_eq!(
        a.effects,
        vec![
            Effect::Attention,
            Effect::NotifyIncoming {
                line: 2,
                caller: "sip:carol@h".into()
            }
        ]
    );
}

#[test]
fn escape_and_hangup_end_the_selected_call() {
    let mut a = in_call();
    assert_eq!(
        update(&mut a, Message::Escape),
        vec![Intent::Hangup { line: 1 }]
    );
    assert_eq!(
        update(&mut a, Message::Hangup),
        vec![Intent::Hangup { line: 1 }]
    );
    let mut idle = app();
    assert!(update(&mut idle, Message::Hangup).is_empty());
}

#[test]
fn hold_and_resume() {
    let mut a = in_call();
    assert_eq!(
        update(&mut a, Message::Hold),
        vec![Intent::Hold { line: 1 }]
    );
    assert!(update(&mut a, Message::Resume).is_empty(), "not held yet");
    line_event(&mut a, 1, LineState::Held, None, 3);
    assert_eq!(
        update(&mut a, Message::Resume),
        vec![Intent::Resume { line: 1 }]
    );
}

#[test]
fn blind_transfer_types_a_target() {
    let mut a = in_call();
    assert!(update(&mut a, Message::Transfer).is_empty());
    assert_eq!(a.mode, Mode::Transfer { line: 1 });
    assert!(update(&mut a, Message::Submit).is_empty(), "no target yet");
    for d in ['3', '0', '0'] {
        assert!(
            update(&mut a, Message::Digit(d)).is_empty(),
            "typed, not tones"
        );
    }
    assert_eq!(
        update(&mut a, Message::Submit),
        vec![Intent::Transfer {
            line: 1,
            target: Some("300".into()),
            to_line: None
        }]
    );
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn attended_transfer_picks_the_consultation_line() {
    let mut a = two_calls();
    a.selected = 1;
    assert!(update(&mut a, Message::Transfer).is_empty());
    assert_eq!(a.partner_lines(1), vec![2]);
    assert_eq!(
        update(&mut a, Message::TransferTo(2)),
        vec![Intent::Transfer {
            line: 1,
            target: None,
            to_line: Some(2)
        }]
    );
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn cancel_and_escape_leave_a_transfer() {
    let mut a = in_call();
    update(&mut a, Message::Transfer);
    assert!(update(&mut a, Message::Escape).is_empty());
    assert_eq!(a.mode, Mode::Normal);
    update(&mut a, Message::Transfer);
    assert!(update(&mut a, Message::Cancel).is_empty());
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn conference_joins_the_only_other_call_at_once() {
    let mut a = two_calls();
    assert_eq!(
        update(&mut a, Message::Conference),
        vec![Intent::Conference {
            line: 2,
            with_line: 1
        }]
    );
    let mut alone = in_call();
    assert!(update(&mut alone, Message::Conference).is_empty());
}

#[test]
fn conference_asks_which_line_when_there_are_several() {
    let mut a = two_calls();
    line_event(&mut a, 2, LineState::Held, None, 5);
    line_event(&mut a, 3, LineState::Dialing, Some("sip:dave@h"), 5);
    line_event(&mut a, 3, LineState::Connected, None, 6);
    assert!(update(&mut a, Message::Conference).is_empty());
    assert_eq!(a.mode, Mode::Conference { line: 3 });
    assert_eq!(
        update(&mut a, Message::ConferenceWith(1)),
        vec![Intent::Conference {
            line: 3,
            with_line: 1
        }]
    );
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn split_holds_a_conference_line() {
    let mut a = two_calls();
    line_event(&mut a, 1, LineState::Conference, None, 6);
    line_event(&mut a, 2, LineState::Conference, None, 6);
    assert_eq!(
        update(&mut a, Message::Hold),
        vec![Intent::Hold { line: 2 }]
    );
}

#[test]
fn line_keys_select_and_cancel_picking() {
    let mut a = two_calls();
    update(&mut a, Message::Transfer);
    assert!(update(&mut a, Message::SelectLine(1)).is_empty());
    assert_eq!((a.selected, a.mode), (1, Mode::Normal));
    update(&mut a, Message::SelectLine(99));
    assert_eq!(a.selected, 1);
}

#[test]
fn stats_toggle_and_media_figures_are_kept_per_line() {
    let mut a = in_call();
    update(&mut a, Message::ToggleStats);
    assert!(a.show_stats);
    let stats = MediaStats {
        codec: "opus".into(),
        sent: 10,
        received: 9,
        lost: 1,
        late: 0,
        concealed: 0.01,
        jitter_ms: 2.5,
        buffer_ms: 40.0,
        rtt_ms: Some(12.0),
    };
    let event = Event::Media {
        line: 1,
        stats: stats.clone(),
    };
    update(&mut a, Message::Engine(Report::Event(event, t(9))));
    assert_eq!(a.lines[0].stats, Some(stats));
    update(&mut a, Message::ToggleStats);
    assert!(!a.show_stats);
}

#[test]
fn received_digits_are_echoed_on_the_line() {
    let mut a = in_call();
    let event = Event::Dtmf {
        line: 1,
        digit: "7".into(),
    };
    update(&mut a, Message::Engine(Report::Event(event, t(9))));
    assert_eq!(a.lines[0].digits, "7");
}

#[test]
fn history_records_placed_received_and_missed_calls() {
    let mut a = in_call();
    line_event(&mut a, 1, LineState::Idle, None, 62);
    line_event(&mut a, 2, LineState::Incoming, Some("sip:carol@h"), 70);
    line_event(&mut a, 2, LineState::Connected, None, 72);
    line_event(&mut a, 2, LineState::Idle, None, 82);
    line_event(&mut a, 3, LineState::Incoming, Some("sip:dave@h"), 90);
    line_event(&mut a, 3, LineState::Idle, None, 95);
    let kinds: Vec<_> = a
        .history
        .entries()
        .iter()
        .map(|e| (e.kind, e.peer.as_str(), e.talked))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Kind::Missed, "sip:dave@h", 0),
            (Kind::Received, "sip:carol@h", 10),
            (Kind::Placed, "sip:bob@h", 60),
        ]
    );
    assert_eq!(
        a.effects
            .iter()
            .filter(|e| **e == Effect::SaveHistory)
            .count(),
        3
    );
}

#[test]
fn an_ended_call_says_why_and_the_display_moves_to_a_call_still_up() {
    let mut a = two_calls();
    let event = Event::Line {
        line: 2,
        state: LineState::Idle,
        peer: None,
        reason: Some("bye".into()),
    };
    update(&mut a, Message::Engine(Report::Event(event, t(20))));
    assert_eq!(a.lines[1].ended.as_deref(), Some("bye"));
    assert_eq!(a.selected, 1, "line 1 is still held");
}

#[test]
fn the_call_timer_counts_from_the_answer() {
    let mut a = in_call();
    update(&mut a, Message::Tick(t(2 + 75)));
    assert_eq!(display::timer(a.line(), a.now), "1:15");
    update(&mut a, Message::Tick(t(2 + 3725)));
    assert_eq!(display::timer(a.line(), a.now), "1:02:05");
    assert_eq!(display::timer(&a.lines[1], a.now), "");
}

#[test]
fn blink_toggles_the_ringing_lamps() {
    let mut a = app();
    let before = a.blink_on;
    update(&mut a, Message::Blink);
    assert_ne!(a.blink_on, before);
}

#[test]
fn completions_and_history_picks_fill_the_address() {
    let mut a = app();
    a.history.record(Entry {
        kind: Kind::Received,
        peer: "\"Bob\" <sip:bob@h>".into(),
        at: 1,
        talked: 3,
    });
    update(&mut a, Message::AddressChanged("bo".into()));
    assert_eq!(a.completions(), vec!["sip:bob@h".to_owned()]);
    update(&mut a, Message::UseAddress("sip:bob@h".into()));
    assert_eq!(a.address, "sip:bob@h");

    let mut busy = in_call();
    update(&mut busy, Message::UseAddress("sip:carol@h".into()));
    assert_eq!(busy.selected, 2, "calling back needs an idle line");
}

#[test]
fn registration_status_and_errors_reach_the_status_line() {
    let mut a = app();
    let events = [
        Event::Ready {
            sip: "127.0.0.1:5060".into(),
        },
        Event::Registration {
            state: RegistrationState::Failed,
            reason: Some("wrong password".into()),
            notice: Some(Notice::WrongPassword {
                status: "401 Unauthorized".into(),
            }),
        },
        Event::status(Notice::NetworkDelay {}),
    ];
    for event in events {
        update(&mut a, Message::Engine(Report::Event(event, t(1))));
    }
    assert_eq!(a.status.listening.as_deref(), Some("127.0.0.1:5060"));
    assert!(matches!(
        a.status.registration,
        Some((RegistrationState::Failed, Some(_)))
    ));
    assert!(display::status_text(&a).1, "failover is a warning");
    let error = Event::error(Notice::LineIdle { line: 3 });
    update(&mut a, Message::Engine(Report::Event(error, t(2))));
    let shown = crate::i18n::notice(&Notice::LineIdle { line: 3 });
    assert_eq!(display::status_text(&a), (shown, true));
    update(&mut a, Message::AddressChanged("1".into()));
    assert_eq!(a.status.error, None, "typing clears an old error");
}

#[test]
fn closing_during_a_call_asks_first_then_quits_and_waits_for_the_engine() {
    let mut a = in_call();
    let (tx, _rx) = mpsc::unbounded_channel();
    update(&mut a, Message::Engine(Report::Connected(tx)));
    assert!(update(&mut a, Message::CloseRequested).is_empty());
    assert_eq!(a.mode, Mode::ConfirmQuit);
    assert!(update(&mut a, Message::KeepRunning).is_empty());
    assert_eq!(a.mode, Mode::Normal);
    update(&mut a, Message::CloseRequested);
    assert_eq!(update(&mut a, Message::ConfirmQuit), vec![Intent::Quit]);
    assert!(a.quitting && a.effects.is_empty(), "waits for the engine");
    update(&mut a, Message::Engine(Report::Stopped(Ok(()))));
    assert_eq!(a.effects, vec![Effect::Exit]);
}

#[test]
fn closing_when_idle_quits_at_once_and_gives_up_waiting_after_the_timeout() {
    let mut a = app();
    let (tx, _rx) = mpsc::unbounded_channel();
    update(&mut a, Message::Engine(Report::Connected(tx)));
    assert_eq!(update(&mut a, Message::CloseRequested), vec![Intent::Quit]);
    assert!(update(&mut a, Message::CloseRequested).is_empty(), "once");
    update(&mut a, Message::QuitTimeout);
    assert_eq!(a.effects, vec![Effect::Exit]);

    let mut never_started = app();
    assert!(update(&mut never_started, Message::CloseRequested).is_empty());
    assert_eq!(never_started.effects, vec![Effect::Exit]);
}

#[test]
fn an_engine_that_stops_by_itself_says_why() {
    let mut a = app();
    update(
        &mut a,
        Message::Engine(Report::Stopped(Err("cannot bind 0.0.0.0:5060".into()))),
    );
    assert!(a.engine.is_none());
    let error = crate::i18n::notice(a.status.error.as_ref().unwrap());
    assert!(error.contains("cannot bind"), "{error}");
    assert!(a.effects.is_empty());

    // Changed settings start a new engine with them instead of talking to the stopped one.
    let generation = a.start.generation;
    assert!(update(&mut a, Message::ToggleDnd).is_empty());
    assert_eq!(a.start.generation, generation + 1);
    assert!(a.start.config.calls.do_not_disturb);
    assert!(!a.engine_stopped && a.status.error.is_none());
}

#[test]
fn softkeys_follow_the_selected_line() {
    let labels =
        |a: &App| -> Vec<String> { softkeys::softkeys(a).into_iter().map(|k| k.label).collect() };
    let mut a = app();
    let tr = crate::i18n::tr;
    assert_eq!(
        labels(&a),
        vec![tr("key-redial"), tr("key-dnd"), tr("key-forward")]
    );
    assert!(
        softkeys::softkeys(&a)[0].message.is_none(),
        "nothing to redial"
    );
    a.address = "1".into();
    assert_eq!(labels(&a)[0], tr("key-dial"));
    line_event(&mut a, 1, LineState::Incoming, Some("sip:x@h"), 1);
    assert_eq!(
        labels(&a),
        vec![
            crate::i18n::tr("key-answer"),
            crate::i18n::tr("key-decline")
        ]
    );
    let b = two_calls();
    let keys = softkeys::softkeys(&b);
    assert_eq!(keys.len(), 5);
    assert!(keys.iter().all(|k| k.message.is_some()), "all usable");
}

#[test]
fn mute_asks_the_engine_and_shows_what_it_answers() {
    let mut a = in_call();
    assert_eq!(
        update(&mut a, Message::Mute),
        vec![Intent::Mute { muted: true }]
    );
    assert!(!a.muted, "not until the engine says so");
    update(
        &mut a,
        Message::Engine(Report::Event(Event::Mute { muted: true }, t(5))),
    );
    assert!(a.muted);
    assert_eq!(
        update(&mut a, Message::Mute),
        vec![Intent::Mute { muted: false }]
    );
}

#[test]
fn do_not_disturb_changes_applies_and_saves_the_settings() {
    let mut a = app();
    let intents = update(&mut a, Message::ToggleDnd);
    assert!(a.config.calls.do_not_disturb);
    assert_eq!(
        intents,
        vec![Intent::Configure {
            config: Box::new(a.config.clone())
        }]
    );
    assert_eq!(a.effects, vec![Effect::SaveConfig]);
    update(&mut a, Message::ToggleDnd);
    assert!(!a.config.calls.do_not_disturb);
}

#[test]
fn forward_all_is_typed_set_and_cleared() {
    let mut a = app();
    a.config.account.domain = "pbx.example.com".into();
    assert!(update(&mut a, Message::Forward).is_empty());
    assert_eq!(a.mode, Mode::Forward);
    for d in ['2', '0', '0'] {
        update(&mut a, Message::Digit(d));
    }
    let intents = update(&mut a, Message::Submit);
    assert_eq!(
        a.config.calls.forward_always.as_deref(),
        Some("sip:200@pbx.example.com")
    );
    assert_eq!(
        intents,
        vec![Intent::Configure {
            config: Box::new(a.config.clone())
        }]
    );
    assert_eq!((a.mode, a.address.as_str()), (Mode::Normal, ""));
    assert_eq!(a.effects, vec![Effect::SaveConfig]);

    update(&mut a, Message::Forward);
    assert_eq!(a.address, "sip:200@pbx.example.com", "the current target");
    assert_eq!(update(&mut a, Message::ClearForward).len(), 1);
    assert_eq!(a.config.calls.forward_always, None);
}

#[test]
fn a_bad_forward_target_is_explained_and_changes_nothing() {
    let mut a = app();
    update(&mut a, Message::Forward);
    a.address = "200".into();
    assert!(update(&mut a, Message::SetForward).is_empty(), "no domain");
    assert!(a.status.error.is_some());
    assert_eq!(a.config.calls.forward_always, None);
    assert_eq!(a.mode, Mode::Forward);
    assert!(update(&mut a, Message::Escape).is_empty());
    assert_eq!((a.mode, a.address.as_str()), (Mode::Normal, ""));
    assert_eq!(
        forward_target("bob@h", &a.config).as_deref(),
        Ok("sip:bob@h")
    );
}

#[test]
fn a_later_linekey_raises_the_window_or_places_its_call() {
    let mut a = app();
    assert!(update(&mut a, Message::Request(crate::ipc::Request::Show)).is_empty());
    assert_eq!(a.effects, vec![Effect::Attention]);
    assert_eq!(
        update(
            &mut a,
            Message::Request(crate::ipc::Request::Dial("sip:bob@h".into()))
        ),
        vec![Intent::Dial {
            target: "sip:bob@h".into()
        }]
    );
}

#[test]
fn settings_open_cancel_and_save_apply_and_write_the_new_configuration() {
    use settings::Field;
    let mut a = app();
    a.config.account.user = "alice".into();
    a.config.account.domain = "pbx.example.com".into();
    assert!(update(&mut a, Message::OpenSettings).is_empty());
    assert!(a.settings.is_some());
    assert!(update(&mut a, Message::Settings(SettingsMessage::Cancel)).is_empty());
    assert!(a.settings.is_none());
    assert!(a.effects.is_empty(), "cancel changes nothing");

    update(&mut a, Message::OpenSettings);
    let edit = SettingsMessage::Edited(Field::DisplayName, settings::Typed("Alice Liddell".into()));
    assert!(update(&mut a, Message::Settings(edit)).is_empty());
    let intents = update(&mut a, Message::Settings(SettingsMessage::Save));
    assert!(a.settings.is_none());
    assert_eq!(a.config.account.display_name, "Alice Liddell");
    assert_eq!(
        intents,
        vec![Intent::Configure {
            config: Box::new(a.config.clone())
        }]
    );
    assert_eq!(
        a.effects,
        vec![
            Effect::Language(crate::i18n::SYSTEM.to_owned()),
            Effect::SaveConfig
        ]
    );
}

#[test]
fn settings_messages_without_the_dialog_are_ignored() {
    let mut a = app();
    assert!(update(&mut a, Message::Settings(SettingsMessage::Save)).is_empty());
    assert!(a.settings.is_none() && a.effects.is_empty());
}

#[test]
fn a_transfer_the_far_end_asks_for_is_accepted_or_declined_here() {
    let mut a = in_call();
    let request = Event::TransferRequest {
        line: 1,
        target: "sip:carol@h".into(),
        referred_by: Some("sip:bob@h".into()),
    };
    update(&mut a, Message::Engine(Report::Event(request, t(9))));
    assert!(a.lines[0].transfer_request.is_some());
    assert_eq!(a.effects, vec![Effect::Attention]);
    let labels: Vec<_> = softkeys::softkeys(&a)
        .into_iter()
        .map(|k| k.label)
        .collect();
    assert_eq!(labels[0], crate::i18n::tr("key-accept-transfer"));
    assert_eq!(
        update(&mut a, Message::AcceptTransfer),
        vec![Intent::AcceptTransfer { line: 1 }]
    );
    assert_eq!(
        update(&mut a, Message::DeclineTransfer),
        vec![Intent::DeclineTransfer { line: 1 }]
    );
    let ended = Event::TransferRequestEnded {
        line: 1,
        reason: "declined".into(),
    };
    update(&mut a, Message::Engine(Report::Event(ended, t(10))));
    assert!(a.lines[0].transfer_request.is_none());
    assert!(update(&mut a, Message::AcceptTransfer).is_empty());
}

#[test]
fn the_dial_plan_dials_complete_numbers_and_waits_its_timeout_for_open_ones() {
    let plan = crate::core::dialplan::DialPlan::parse(
        r#"<DIALTEMPLATE>
             <TEMPLATE MATCH="911" Timeout="0" Route="emergency"/>
             <TEMPLATE MATCH="2.." Timeout="0"/>
             <TEMPLATE MATCH="9*" Timeout="5"/>
           </DIALTEMPLATE>"#,
        "dialplan.xml",
    )
    .unwrap();
    let mut a = app();
    a.dial_plan = Some(Arc::new(plan));
    assert!(update(&mut a, Message::Digit('2')).is_empty());
    assert!(update(&mut a, Message::Digit('0')).is_empty());
    assert_eq!(
        update(&mut a, Message::Digit('1')),
        vec![Intent::Dial {
            target: "201".into()
        }],
        "complete: dialed at once"
    );

    assert!(update(&mut a, Message::AddressChanged("90".into())).is_empty());
    let (first, wait) = a.auto_dial.expect("a quiet time");
    assert_eq!(wait, std::time::Duration::from_secs(5));
    assert!(update(&mut a, Message::Digit('1')).is_empty());
    assert!(
        update(&mut a, Message::AutoDial(first)).is_empty(),
        "a later key cancels the earlier wait"
    );
    let (second, _) = a.auto_dial.unwrap();
    assert_eq!(
        update(&mut a, Message::AutoDial(second)),
        vec![Intent::Dial {
            target: "901".into()
        }]
    );
    assert_eq!(a.auto_dial, None);

    assert!(update(&mut a, Message::Digit('5')).is_empty());
    assert!(a.status.error.is_some(), "nothing starts with 5");
    assert!(update(&mut a, Message::AddressChanged("sip:bob@h".into())).is_empty());
    assert_eq!(a.auto_dial, None, "addresses wait for Enter");
}

#[test]
fn answer_in_a_notification_answers_its_own_line_and_the_notification_goes_away() {
    let mut a = in_call();
    line_event(&mut a, 2, LineState::Incoming, Some("sip:carol@h"), 5);
    a.effects.clear();
    assert_eq!(
        update(
            &mut a,
            Message::Notification(2, crate::notify::Action::Answer)
        ),
        vec![Intent::Answer { line: 2 }]
    );
    assert_eq!(a.selected, 2);
    assert_eq!(a.effects, vec![Effect::Attention]);
    a.effects.clear();
    line_event(&mut a, 2, LineState::Connected, None, 6);
    assert_eq!(a.effects, vec![Effect::WithdrawIncoming { line: 2 }]);
}

#[test]
fn decline_in_a_notification_rejects_and_a_late_click_does_nothing() {
    let mut a = app();
    line_event(&mut a, 1, LineState::Incoming, Some("sip:carol@h"), 5);
    assert_eq!(
        update(
            &mut a,
            Message::Notification(1, crate::notify::Action::Decline)
        ),
        vec![Intent::Reject { line: 1 }]
    );
    line_event(&mut a, 1, LineState::Idle, None, 6);
    for action in [
        crate::notify::Action::Answer,
        crate::notify::Action::Decline,
    ] {
        assert!(update(&mut a, Message::Notification(1, action)).is_empty());
    }
}

#[test]
fn a_call_that_stops_ringing_unanswered_is_notified_as_missed() {
    let mut a = app();
    line_event(&mut a, 1, LineState::Incoming, Some("sip:carol@h"), 5);
    a.effects.clear();
    line_event(&mut a, 1, LineState::Idle, None, 9);
    assert!(a.effects.contains(&Effect::WithdrawIncoming { line: 1 }));
    assert!(a.effects.contains(&Effect::NotifyMissed {
        caller: "sip:carol@h".into()
    }));
}

#[test]
fn an_answered_call_is_not_notified_as_missed() {
    let mut a = app();
    line_event(&mut a, 1, LineState::Incoming, Some("sip:carol@h"), 5);
    line_event(&mut a, 1, LineState::Connected, None, 6);
    a.effects.clear();
    line_event(&mut a, 1, LineState::Idle, None, 9);
    assert!(!a
        .effects
        .iter()
        .any(|e| matches!(e, Effect::NotifyMissed { .. })));
}
