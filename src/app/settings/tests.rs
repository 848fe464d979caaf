use std::path::Path;

use iced::Theme;
use iced_test::Simulator;

use super::probe::check_dialplan;
use super::view::device_error;
use super::*;
use crate::i18n::{tr, tr_with};
use crate::media::device::Direction;

const AGENT_EXAMPLE: &str = include_str!("../../../tests/fixtures/config/agent-example.toml");

/// The dialog's size in the simulator: a typical dialog, smaller than most screens.
const SIZE: (f32, f32) = (880.0, 640.0);

fn example() -> Config {
    Config::from_toml(AGENT_EXAMPLE, "agent.toml", &[])
        .unwrap()
        .config
}

/// What opening a default device says on a machine without a sound card.
fn no_card(direction: Direction) -> DeviceError {
    DeviceError::Unavailable {
        direction,
        name: "default".into(),
        reason: "no default device".into(),
    }
}

fn saved(outcome: Outcome) -> Config {
    match outcome {
        Outcome::Save(config) => *config,
        other => panic!("expected Save, got {other:?}"),
    }
}

fn edit(settings: &mut Settings, field: Field, text: &str) -> Outcome {
    settings.update(SettingsMessage::Edited(field, Typed(text.to_owned())))
}

/// Saving refuses and names `field`'s problem.
fn refused(settings: &mut Settings, field: Field) -> Problem {
    assert_eq!(settings.update(SettingsMessage::Save), Outcome::Continue);
    settings.problem(field).cloned().unwrap_or_else(|| {
        panic!(
            "no problem shown for {field:?}: {:?}",
            settings.checked.problems
        )
    })
}

/// Lets `act` use the dialog in a simulator, then feeds the messages it produced to `update`.
fn interact(
    settings: &mut Settings,
    act: impl FnOnce(&mut Simulator<'_, SettingsMessage>),
) -> Vec<Outcome> {
    let messages: Vec<SettingsMessage> = {
        let mut ui = Simulator::with_size(iced::Settings::default(), SIZE, settings.view());
        act(&mut ui);
        ui.into_messages().collect()
    };
    messages.into_iter().map(|m| settings.update(m)).collect()
}

/// Whether the dialog shows `text` somewhere.
fn shows(settings: &Settings, text: &str) -> bool {
    let mut ui = Simulator::with_size(iced::Settings::default(), SIZE, settings.view());
    ui.find(text).is_ok()
}

#[test]
fn opening_and_saving_unchanged_gives_the_same_config() {
    let config = example();
    let mut settings = Settings::new(&config, false);
    assert_eq!(settings.texts[&Field::BindAddress], "127.0.0.1");
    assert_eq!(settings.texts[&Field::BindPort], "5061");
    assert_eq!(settings.texts[&Field::ProxyBackup], "127.0.0.1:5080");
    assert_eq!(settings.texts[&Field::DialPlanFile], "dialplan.xml");
    assert_eq!(saved(settings.update(SettingsMessage::Save)), config);

    let mut defaults = Config::default();
    defaults.account.user = "u".into();
    defaults.account.domain = "d.example".into();
    let mut settings = Settings::new(&defaults, false);
    assert_eq!(saved(settings.update(SettingsMessage::Save)), defaults);
}

#[test]
fn cancel_closes_without_saving() {
    let mut settings = Settings::new(&example(), false);
    edit(&mut settings, Field::User, "bob");
    assert_eq!(settings.update(SettingsMessage::Cancel), Outcome::Cancel);
}

#[test]
fn every_text_field_reaches_the_saved_config() {
    let mut settings = Settings::new(&example(), false);
    for (field, text) in [
        (Field::DisplayName, " Bob Builder "),
        (Field::User, "bob"),
        (Field::Domain, "sip.example.com"),
        (Field::AuthUser, "bob-auth"),
        (Field::Password, " pass word "),
        (Field::Registrar, "reg.example.com:5070"),
        (Field::RegisterExpires, "600"),
        (Field::ProxyPrimary, "p1.example.com"),
        (Field::ProxyBackup, ""),
        (Field::ProxyEmergency, "[::1]:5090"),
        (Field::BindAddress, "::"),
        (Field::BindPort, "5070"),
        (Field::RtpFirst, "30000"),
        (Field::RtpLast, "30099"),
        (Field::TimerT1, "250"),
        (Field::InviteAttempts, "3"),
        (Field::Lines, "2"),
        (Field::RingTimeout, "30"),
        (Field::ForwardAlways, "sip:carol@10.0.0.3"),
        (Field::ForwardBusy, "sip:vm@10.0.0.4"),
        (Field::ForwardNoAnswer, "tel:+4930123"),
        (Field::ForwardNoAnswerSeconds, "12"),
        (Field::DialPlanFile, ""),
    ] {
        assert_eq!(edit(&mut settings, field, text), Outcome::Continue);
        assert!(settings.touched.contains(&field));
    }
    let c = saved(settings.update(SettingsMessage::Save));
    assert_eq!(c.account.display_name, "Bob Builder");
    assert_eq!(c.account.user, "bob");
    assert_eq!(c.account.domain, "sip.example.com");
    assert_eq!(c.account.auth_user.as_deref(), Some("bob-auth"));
    assert_eq!(c.account.password, " pass word ");
    assert_eq!(c.account.registrar.as_deref(), Some("reg.example.com:5070"));
    assert_eq!(c.account.register_expires, 600);
    assert_eq!(c.proxy.primary.as_deref(), Some("p1.example.com"));
    assert_eq!(c.proxy.backup, None);
    assert_eq!(c.proxy.emergency.as_deref(), Some("[::1]:5090"));
    assert_eq!(c.network.bind, "[::]:5070");
    assert_eq!(c.network.rtp_ports, [30000, 30099]);
    assert_eq!(c.network.timer_t1_ms, 250);
    assert_eq!(c.network.invite_attempts, 3);
    assert_eq!(c.calls.lines, 2);
    assert_eq!(c.calls.ring_timeout_s, 30);
    assert_eq!(
        c.calls.forward_always.as_deref(),
        Some("sip:carol@10.0.0.3")
    );
    assert_eq!(c.calls.forward_busy.as_deref(), Some("sip:vm@10.0.0.4"));
    assert_eq!(c.calls.forward_no_answer.as_deref(), Some("tel:+4930123"));
    assert_eq!(c.calls.forward_no_answer_s, 12);
    assert_eq!(c.dialplan.file, None);
    // What is saved loads back the same from a settings file.
    let text = toml::to_string(&c).unwrap();
    assert_eq!(Config::from_toml(&text, "x", &[]).unwrap().config, c);
}

#[test]
fn switches_and_choices_reach_the_saved_config() {
    let mut settings = Settings::new(&example(), false);
    use SettingsMessage as M;
    for message in [
        M::RegisterToggled(true),
        M::AutoAnswerToggled(true),
        M::DoNotDisturbToggled(true),
        M::HoldStyleSelected(HoldStyle::SendOnly),
        M::InputSelected("tone:440".into()),
        M::OutputSelected("null".into()),
        M::RingerSelected("USB Headset".into()),
        M::LanguageSelected("de".into()),
    ] {
        assert_eq!(settings.update(message), Outcome::Continue);
    }
    let c = saved(settings.update(M::Save));
    assert!(c.account.register);
    assert!(c.calls.auto_answer);
    assert!(c.calls.do_not_disturb);
    assert_eq!(c.calls.hold_style, HoldStyle::SendOnly);
    assert_eq!(c.audio.input, "tone:440");
    assert_eq!(c.audio.output, "null");
    assert_eq!(c.audio.ringer, "USB Headset");
    assert_eq!(c.ui.language, "de");
}

#[test]
fn tabs_password_and_more() {
    let mut settings = Settings::new(&example(), true);
    assert!(!settings.more);
    assert_eq!(
        settings.update(SettingsMessage::ShowMore),
        Outcome::Continue
    );
    assert!(settings.more);
    settings.update(SettingsMessage::TabSelected(Tab::Network));
    assert_eq!(settings.tab, Tab::Network);
    assert!(!settings.password_shown);
    settings.update(SettingsMessage::PasswordShown(true));
    assert!(settings.password_shown);
}

#[test]
fn codecs_reorder_and_turn_off() {
    let mut config = example();
    config.calls.codecs = vec!["PCMA".into()];
    let mut settings = Settings::new(&config, false);
    let order = |s: &Settings| -> Vec<(String, bool)> { s.codecs.clone() };
    // Codecs left out of the settings are listed after, turned off.
    assert_eq!(
        order(&settings),
        [
            ("PCMA".to_owned(), true),
            ("opus".to_owned(), false),
            ("PCMU".to_owned(), false)
        ]
    );
    use SettingsMessage as M;
    settings.update(M::CodecToggled(2, true));
    settings.update(M::CodecUp(2));
    settings.update(M::CodecUp(1));
    // Out of range moves do nothing.
    settings.update(M::CodecUp(0));
    settings.update(M::CodecDown(2));
    settings.update(M::CodecToggled(7, true));
    assert_eq!(
        saved(settings.update(M::Save)).calls.codecs,
        ["PCMU", "PCMA"]
    );
    settings.update(M::CodecDown(0));
    settings.update(M::CodecToggled(2, true));
    assert_eq!(
        saved(settings.update(M::Save)).calls.codecs,
        ["PCMA", "PCMU", "opus"]
    );

    for index in 0..3 {
        settings.update(M::CodecToggled(index, false));
    }
    // Shown at once, not only after Save: the list is never empty by accident.
    assert_eq!(settings.problem(Field::Codecs), Some(&Problem::NoCodec));
    assert_eq!(refused(&mut settings, Field::Codecs), Problem::NoCodec);
}

#[test]
fn refused_values_are_explained_and_save_refused() {
    let cases: &[(Field, &str, Problem)] = &[
        (Field::User, "  ", Problem::Required),
        (Field::Domain, "", Problem::Required),
        (Field::BindPort, "70000", Problem::Between(0, 65535)),
        (Field::BindPort, "port", Problem::Between(0, 65535)),
        (Field::BindAddress, "300.1.1.1", Problem::IpAddress),
        (Field::BindAddress, "localhost", Problem::IpAddress),
        (Field::Registrar, "reg example", Problem::HostPort),
        (
            Field::ProxyPrimary,
            "p.example.com:70000",
            Problem::HostPort,
        ),
        (Field::ProxyBackup, "proxy host:5060", Problem::HostPort),
        (Field::ProxyEmergency, "a..b", Problem::HostPort),
        (Field::RtpFirst, "0", Problem::Between(1, 65535)),
        (Field::RtpLast, "19999", Problem::RtpRange),
        (Field::RtpLast, "21000", Problem::RtpRange),
        (Field::TimerT1, "0", Problem::AtLeast(1)),
        (Field::InviteAttempts, "21", Problem::Between(1, 20)),
        (Field::Lines, "0", Problem::Between(1, 1000)),
        (Field::Lines, "1001", Problem::Between(1, 1000)),
        (Field::RingTimeout, "-5", Problem::AtLeast(1)),
        (Field::RegisterExpires, "0", Problem::AtLeast(1)),
        (Field::ForwardAlways, "carol at home", Problem::SipAddress),
        (Field::ForwardBusy, "nowhere", Problem::SipAddress),
        (Field::ForwardNoAnswer, "sip:", Problem::SipAddress),
        (Field::ForwardNoAnswerSeconds, "0", Problem::AtLeast(1)),
    ];
    for (field, text, problem) in cases {
        let mut settings = Settings::new(&example(), false);
        edit(&mut settings, *field, text);
        // An edited field is judged as it is typed.
        assert_eq!(
            settings.problem(*field),
            Some(problem),
            "{field:?} = {text:?}"
        );
        assert_eq!(
            refused(&mut settings, *field),
            *problem,
            "{field:?} = {text:?}"
        );
        // Putting the value back makes it savable again.
        edit(&mut settings, *field, &field.text_of(&example()));
        assert_eq!(saved(settings.update(SettingsMessage::Save)), example());
    }
}

#[test]
fn untouched_problems_wait_for_save_which_jumps_to_them() {
    let mut settings = Settings::new(&Config::default(), false);
    // An empty account is not an error before the user tried to save.
    assert_eq!(settings.problem(Field::User), None);
    settings.update(SettingsMessage::TabSelected(Tab::Audio));
    assert_eq!(settings.update(SettingsMessage::Save), Outcome::Continue);
    assert_eq!(settings.problem(Field::User), Some(&Problem::Required));
    assert_eq!(settings.problem(Field::Domain), Some(&Problem::Required));
    assert_eq!(settings.tab, Tab::Account);

    // The first-run form shows the account's required fields itself.
    let mut settings = Settings::new(&Config::default(), true);
    settings.update(SettingsMessage::Save);
    assert!(!settings.more);
    assert_eq!(settings.problem(Field::User), Some(&Problem::Required));
    assert!(shows(&settings, &Problem::Required.text()));

    // On the first-run form, a refused field elsewhere opens the full dialog at its tab.
    let mut config = example();
    config.proxy.primary = Some("bad proxy".into());
    let mut settings = Settings::new(&config, true);
    settings.update(SettingsMessage::Save);
    assert!(settings.more);
    assert_eq!(settings.tab, Tab::Proxies);
    assert_eq!(
        settings.problem(Field::ProxyPrimary),
        Some(&Problem::HostPort)
    );
}

#[test]
fn several_problems_are_shown_at_once() {
    let mut settings = Settings::new(&example(), false);
    edit(&mut settings, Field::User, "");
    edit(&mut settings, Field::ProxyPrimary, "bad proxy");
    edit(&mut settings, Field::Lines, "0");
    edit(&mut settings, Field::ForwardBusy, "nowhere");
    settings.update(SettingsMessage::Save);
    let refused: Vec<Field> = settings.checked.problems.keys().copied().collect();
    assert_eq!(
        refused,
        [
            Field::User,
            Field::ProxyPrimary,
            Field::Lines,
            Field::ForwardBusy
        ]
    );
}

#[test]
fn a_refusal_no_field_explains_is_shown_next_to_save() {
    let mut config = example();
    config.ui.language = "xx".into();
    let mut settings = Settings::new(&config, false);
    assert_eq!(settings.update(SettingsMessage::Save), Outcome::Continue);
    match settings.problem(Field::Whole) {
        Some(Problem::Other(words)) => assert!(words.starts_with("ui.language: "), "{words}"),
        other => panic!("{other:?}"),
    }
    assert!(shows(
        &settings,
        &settings.problem(Field::Whole).unwrap().text()
    ));
    settings.update(SettingsMessage::LanguageSelected("fr".into()));
    assert_eq!(
        saved(settings.update(SettingsMessage::Save)).ui.language,
        "fr"
    );
}

#[test]
fn first_run_turns_registration_on() {
    let mut settings = Settings::new(&Config::default(), true);
    edit(&mut settings, Field::User, "alice");
    edit(&mut settings, Field::Domain, "sip.example.com");
    let c = saved(settings.update(SettingsMessage::Save));
    assert!(c.account.register);
    assert!(
        !saved(Settings::new(&example(), false).update(SettingsMessage::Save))
            .account
            .register
    );
}

#[test]
fn test_tone_runs_once_at_a_time_and_reports() {
    let mut config = example();
    config.audio.ringer = "wav:/tmp/ring.wav".into();
    let mut settings = Settings::new(&config, false);
    assert_eq!(
        settings.update(SettingsMessage::TestTone(Role::Ringer)),
        Outcome::Continue
    );
    let run = settings.tone.clone().unwrap();
    assert_eq!(
        (run.role, run.spec.as_str()),
        (Role::Ringer, "wav:/tmp/ring.wav")
    );
    // A second press while it plays is ignored.
    settings.update(SettingsMessage::TestTone(Role::Output));
    assert_eq!(settings.tone, Some(run.clone()));
    // A report for an older press is ignored.
    settings.update(SettingsMessage::ToneDone {
        serial: run.serial - 1,
        result: Ok(None),
    });
    assert!(settings.tone.is_some());
    settings.update(SettingsMessage::ToneDone {
        serial: run.serial,
        result: Err(no_card(Direction::Output)),
    });
    assert_eq!(settings.tone, None);
    assert_eq!(
        settings.tone_result,
        Some((Role::Ringer, Err(no_card(Direction::Output))))
    );
    settings.update(SettingsMessage::TestTone(Role::Output));
    let again = settings.tone.clone().unwrap();
    assert_eq!((again.role, again.spec.as_str()), (Role::Output, "default"));
    assert!(again.serial > run.serial);
    assert_eq!(settings.tone_result, None);
}

#[test]
fn devices_and_levels_are_kept_for_the_current_input() {
    let mut settings = Settings::new(&example(), false);
    settings.update(SettingsMessage::DevicesListed {
        inputs: vec!["Mic".into()],
        outputs: vec!["Speakers".into()],
    });
    let devices = settings.devices.clone().unwrap();
    assert_eq!(
        (devices.inputs, devices.outputs),
        (vec!["Mic".into()], vec!["Speakers".into()])
    );

    settings.update(SettingsMessage::InputLevel {
        spec: "default".into(),
        level: Ok(0.5),
    });
    assert_eq!(settings.level, Some(Ok(0.5)));
    settings.update(SettingsMessage::InputSelected("tone:440".into()));
    assert_eq!(settings.level, None);
    // A reading from the input chosen before is dropped.
    settings.update(SettingsMessage::InputLevel {
        spec: "default".into(),
        level: Ok(0.9),
    });
    assert_eq!(settings.level, None);
    settings.update(SettingsMessage::InputLevel {
        spec: "tone:440".into(),
        level: Err(no_card(Direction::Input)),
    });
    assert_eq!(settings.level, Some(Err(no_card(Direction::Input))));
}

#[test]
fn a_new_dial_plan_is_checked_before_it_can_be_saved() {
    let mut settings = Settings::new(&example(), false);
    edit(&mut settings, Field::DialPlanFile, "/plans/new.xml");
    assert_eq!(settings.dialplan_pending.as_deref(), Some("/plans/new.xml"));
    assert_eq!(
        refused(&mut settings, Field::DialPlanFile),
        Problem::Checking
    );

    let broken = Problem::DialPlan {
        line: 3,
        reason: "unclosed tag <TEMPLATE>".into(),
    };
    // A result for a path typed before is dropped.
    settings.update(SettingsMessage::DialPlanChecked {
        path: "/plans/new".into(),
        result: Err(broken.clone()),
    });
    assert_eq!(settings.dialplan_pending.as_deref(), Some("/plans/new.xml"));
    settings.update(SettingsMessage::DialPlanChecked {
        path: "/plans/new.xml".into(),
        result: Err(broken.clone()),
    });
    assert_eq!(settings.dialplan_pending, None);
    assert_eq!(refused(&mut settings, Field::DialPlanFile), broken);
    assert!(broken.text().contains('3') && broken.text().contains("unclosed tag <TEMPLATE>"));

    edit(&mut settings, Field::DialPlanFile, "/plans/good.xml");
    settings.update(SettingsMessage::DialPlanChecked {
        path: "/plans/good.xml".into(),
        result: Ok(12),
    });
    settings.update(SettingsMessage::TabSelected(Tab::General));
    // The user sees the file was read.
    assert!(shows(
        &settings,
        &tr_with("settings-dialplan-ok", &[("count", 12.into())])
    ));
    let c = saved(settings.update(SettingsMessage::Save));
    assert_eq!(c.dialplan.file.as_deref(), Some("/plans/good.xml"));
    // A relative path is refused without reading anything.
    edit(&mut settings, Field::DialPlanFile, "plans/good.xml");
    assert_eq!(settings.dialplan_pending, None);
    assert_eq!(
        refused(&mut settings, Field::DialPlanFile),
        Problem::FullPath
    );
    // Emptying the field needs no check.
    edit(&mut settings, Field::DialPlanFile, " ");
    assert_eq!(
        saved(settings.update(SettingsMessage::Save)).dialplan.file,
        None
    );
}

#[test]
fn dial_plan_files_are_read_and_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xml");
    std::fs::write(
        &good,
        "<DIALTEMPLATE>\n  <TEMPLATE MATCH=\"1...\" Timeout=\"0\"/>\n</DIALTEMPLATE>\n",
    )
    .unwrap();
    assert_eq!(check_dialplan(good.to_str().unwrap()), Ok(1));

    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<DIALTEMPLATE>\n  <TEMPLATE MATCH=\"1...\"/>\n  <TEMPLATE\n",
    )
    .unwrap();
    match check_dialplan(bad.to_str().unwrap()) {
        Err(Problem::DialPlan { line, reason }) => {
            assert_eq!(line, 3, "{reason}");
            assert!(!reason.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        check_dialplan(dir.path().join("missing.xml").to_str().unwrap()),
        Err(Problem::Unreadable(_))
    ));
}

#[test]
fn subscriptions_follow_what_is_shown() {
    let mut settings = Settings::new(&example(), false);
    // Escape, always.
    assert_eq!(settings.subscription().units(), 1);
    settings.update(SettingsMessage::TabSelected(Tab::Audio));
    // The device list and the microphone meter.
    assert_eq!(settings.subscription().units(), 3);
    settings.update(SettingsMessage::DevicesListed {
        inputs: vec![],
        outputs: vec![],
    });
    assert_eq!(settings.subscription().units(), 2);
    settings.update(SettingsMessage::TestTone(Role::Output));
    assert_eq!(settings.subscription().units(), 3);
    settings.update(SettingsMessage::TabSelected(Tab::General));
    edit(&mut settings, Field::DialPlanFile, "/x.xml");
    assert_eq!(settings.subscription().units(), 3);
    // The first-run form shows no audio tab, so the meter stays off.
    let mut first = Settings::new(&example(), true);
    first.update(SettingsMessage::TabSelected(Tab::Audio));
    assert_eq!(first.subscription().units(), 1);
}

#[test]
fn escape_cancels() {
    use iced::keyboard::{key::Named, Event, Key, Location, Modifiers};
    let press = |key: Key| Event::KeyPressed {
        key: key.clone(),
        modified_key: key.clone(),
        physical_key: iced::keyboard::key::Physical::Unidentified(
            iced::keyboard::key::NativeCode::Unidentified,
        ),
        location: Location::Standard,
        modifiers: Modifiers::empty(),
        text: None,
        repeat: false,
    };
    assert!(matches!(
        key_message(press(Key::Named(Named::Escape))),
        Some(SettingsMessage::Cancel)
    ));
    assert!(key_message(press(Key::Named(Named::Enter))).is_none());
    assert!(key_message(press(Key::Character("q".into()))).is_none());
}

#[test]
fn simulated_user_changes_a_proxy_and_saves() {
    let config = example();
    let mut settings = Settings::new(&config, false);
    edit(&mut settings, Field::ProxyPrimary, "");
    interact(&mut settings, |ui| {
        ui.click(tr("settings-tab-proxies").as_str()).unwrap();
    });
    assert_eq!(settings.tab, Tab::Proxies);
    interact(&mut settings, |ui| {
        ui.click(iced::widget::Id::new(Field::ProxyPrimary.id()))
            .unwrap();
        ui.typewrite("pbx.example.com:5070");
    });
    let outcomes = interact(&mut settings, |ui| {
        ui.click(tr("settings-save").as_str()).unwrap();
    });
    let c = saved(outcomes.into_iter().last().unwrap());
    assert_eq!(c.proxy.primary.as_deref(), Some("pbx.example.com:5070"));
    assert_eq!(c.account, config.account);
}

#[test]
fn simulated_user_sees_why_a_value_is_refused() {
    let mut settings = Settings::new(&example(), false);
    settings.update(SettingsMessage::TabSelected(Tab::Forwarding));
    assert!(!shows(&settings, &Problem::SipAddress.text()));
    interact(&mut settings, |ui| {
        ui.click(iced::widget::Id::new(Field::ForwardAlways.id()))
            .unwrap();
        ui.typewrite("carol at home");
    });
    assert!(shows(&settings, &Problem::SipAddress.text()));
    let outcomes = interact(&mut settings, |ui| {
        ui.click(tr("settings-save").as_str()).unwrap();
    });
    assert_eq!(outcomes, [Outcome::Continue]);
    assert!(shows(&settings, &tr("settings-fix-fields")));
}

#[test]
fn simulated_first_run_fills_the_account_and_connects() {
    let mut settings = Settings::new(&Config::default(), true);
    assert!(shows(&settings, &tr("settings-welcome-title")));
    // The full dialog's navigation is not on the short form.
    assert!(!shows(&settings, &tr("settings-tab-network")));
    interact(&mut settings, |ui| {
        for (field, text) in [
            (Field::DisplayName, "Alice"),
            (Field::User, "alice"),
            (Field::Domain, "sip.example.com"),
            (Field::Password, "secret"),
        ] {
            ui.click(iced::widget::Id::new(field.id())).unwrap();
            ui.typewrite(text);
        }
    });
    // The address the fields make is shown for the user to check.
    assert!(shows(
        &settings,
        &tr_with(
            "settings-your-address",
            &[("address", "alice@sip.example.com".into())]
        )
    ));
    let outcomes = interact(&mut settings, |ui| {
        ui.click(tr("settings-save-first-run").as_str()).unwrap();
    });
    let c = saved(outcomes.into_iter().last().unwrap());
    assert_eq!(
        (c.account.display_name.as_str(), c.account.user.as_str()),
        ("Alice", "alice")
    );
    assert_eq!(c.account.domain, "sip.example.com");
    assert_eq!(c.account.password, "secret");
    assert!(c.account.register);

    let mut settings = Settings::new(&Config::default(), true);
    interact(&mut settings, |ui| {
        ui.click(tr("settings-more").as_str()).unwrap();
    });
    assert!(shows(&settings, &tr("settings-tab-network")));
}

#[test]
fn the_test_tone_reaches_a_wav_output_and_a_tone_input_moves_the_meter() {
    use iced::futures::executor::block_on;
    use iced::futures::StreamExt;

    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("speaker.wav");
    let mut config = example();
    config.audio.output = format!("wav:{}", wav.display());
    config.audio.input = "tone:440".into();
    let mut settings = Settings::new(&config, false);

    settings.update(SettingsMessage::TestTone(Role::Output));
    let run = settings.tone.clone().unwrap();
    for message in block_on(probe::tone(&run).collect::<Vec<_>>()) {
        settings.update(message);
    }
    assert_eq!(settings.tone, None);
    assert_eq!(settings.tone_result, Some((Role::Output, Ok(None))));
    let samples: Vec<i16> = hound::WavReader::open(&wav)
        .unwrap()
        .into_samples()
        .map(Result::unwrap)
        .collect();
    // About a second of audible tone.
    assert!(samples.len() >= 48_000, "{}", samples.len());
    assert!(crate::media::device::preview::level(&samples) > 0.5);

    let mut readings = probe::level(&settings.base.audio.input);
    let first = block_on(readings.next()).unwrap();
    // Dropping the stream is how the dialog stops the meter; its thread ends at the next reading.
    drop(readings);
    settings.update(first);
    assert!(
        matches!(settings.level, Some(Ok(level)) if level > 0.5),
        "{:?}",
        settings.level
    );

    // A device that cannot be opened gives one message saying why, and the stream ends.
    settings.update(SettingsMessage::InputSelected("null".into()));
    let failed = block_on(probe::level(&settings.base.audio.input).collect::<Vec<_>>());
    assert_eq!(failed.len(), 1);
    settings.update(failed.into_iter().next().unwrap());
    assert!(
        matches!(&settings.level, Some(Err(DeviceError::InvalidSpec { spec, .. })) if spec == "null"),
        "{:?}",
        settings.level
    );
    settings.update(SettingsMessage::TabSelected(Tab::Audio));
    let sentence = tr_with("settings-device-invalid", &[("name", "null".into())]);
    assert!(shows(
        &settings,
        &tr_with("settings-input-failed", &[("error", sentence.into())])
    ));
}

#[test]
fn simulated_user_tests_the_speaker() {
    let mut settings = Settings::new(&example(), false);
    settings.update(SettingsMessage::TabSelected(Tab::Audio));
    // The speaker's button comes first.
    interact(&mut settings, |ui| {
        ui.click(tr("settings-test-tone").as_str()).unwrap();
    });
    let run = settings.tone.clone().unwrap();
    assert_eq!((run.role, run.spec.as_str()), (Role::Output, "default"));
    assert!(shows(&settings, &tr("settings-test-tone-playing")));
    settings.update(SettingsMessage::ToneDone {
        serial: run.serial,
        result: Err(no_card(Direction::Output)),
    });
    let failed = tr_with(
        "settings-test-tone-failed",
        &[("error", tr("settings-device-none").into())],
    );
    assert!(shows(&settings, &failed));
}

#[test]
fn the_device_list_and_dial_plan_checks_arrive_as_messages() {
    use iced::futures::executor::block_on;
    use iced::futures::StreamExt;

    let listed = block_on(probe::devices(&()).collect::<Vec<_>>());
    assert!(matches!(
        listed[..],
        [SettingsMessage::DevicesListed { .. }]
    ));

    let mut settings = Settings::new(&example(), false);
    edit(&mut settings, Field::DialPlanFile, "/nonexistent/plan.xml");
    let path = settings.dialplan_pending.clone().unwrap();
    for message in block_on(probe::dialplan(&path).collect::<Vec<_>>()) {
        settings.update(message);
    }
    assert!(matches!(
        settings.problem(Field::DialPlanFile),
        Some(Problem::Unreadable(_))
    ));
}

#[test]
fn device_errors_are_explained_in_the_users_language() {
    assert_eq!(
        device_error(&no_card(Direction::Input)),
        tr("settings-device-none")
    );
    let missing = DeviceError::Unavailable {
        direction: Direction::Output,
        name: "USB Headset".into(),
        reason: "not found".into(),
    };
    assert!(device_error(&missing).contains("USB Headset"));
    let file = DeviceError::WavWrite {
        path: "/x/y.wav".into(),
        reason: "No such file or directory".into(),
    };
    assert!(device_error(&file).contains("/x/y.wav"));
    assert!(device_error(&file).contains("No such file or directory"));
}

#[test]
fn the_password_stays_out_of_debug_output() {
    let mut settings = Settings::new(&example(), false);
    let message = SettingsMessage::Edited(Field::Password, Typed("hunter2".into()));
    assert_eq!(format!("{message:?}"), "Edited(Password, <7 characters>)");
    settings.update(message);
    let shown = format!("{settings:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("secret"),
        "{shown}"
    );
    assert!(shown.contains("alice"), "{shown}");
}

#[test]
fn the_dialog_maps_into_a_windows_messages() {
    #[derive(Debug, Clone)]
    enum Window {
        Settings(SettingsMessage),
    }
    let mut settings = Settings::new(&example(), false);
    let subscription: iced::Subscription<Window> = settings.subscription().map(Window::Settings);
    assert_eq!(subscription.units(), 1);
    let messages: Vec<Window> = {
        let view = settings.view().map(Window::Settings);
        let mut ui = Simulator::with_size(iced::Settings::default(), SIZE, view);
        ui.click(tr("settings-cancel").as_str()).unwrap();
        ui.into_messages().collect()
    };
    let [Window::Settings(message)] = &messages[..] else {
        panic!("{messages:?}");
    };
    assert_eq!(settings.update(message.clone()), Outcome::Cancel);
}

#[test]
fn numbers_in_messages_are_not_grouped() {
    // A port reads as 65535, never 65,535.
    assert!(Problem::Between(0, 65535).text().contains("65535"));
}

/// Renders every page of the dialog, light and dark, so none of them fails to draw. With
/// `LINEKEY_SCREENSHOTS=DIR` the images are kept in DIR; `docs/screenshots/` holds some of them.
#[test]
fn screenshots() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = example();
    config.account.display_name = "Alice Smith".into();
    config.account.domain = "sip.example.com".into();
    config.account.registrar = None;

    let mut pages: Vec<(String, Settings)> = Vec::new();
    for tab in Tab::ALL {
        let mut settings = Settings::new(&config, false);
        settings.update(SettingsMessage::TabSelected(tab));
        settings.update(SettingsMessage::InputLevel {
            spec: "default".into(),
            level: Ok(0.62),
        });
        if tab == Tab::General {
            edit(
                &mut settings,
                Field::DialPlanFile,
                "/etc/linekey/dialplan.xml",
            );
            settings.update(SettingsMessage::DialPlanChecked {
                path: "/etc/linekey/dialplan.xml".into(),
                result: Ok(12),
            });
        }
        pages.push((format!("settings-{tab:?}").to_lowercase(), settings));
    }
    let mut refused = Settings::new(&config, false);
    refused.update(SettingsMessage::TabSelected(Tab::Network));
    edit(&mut refused, Field::BindPort, "70000");
    edit(&mut refused, Field::RtpLast, "20998");
    refused.update(SettingsMessage::Save);
    pages.push(("settings-refused".into(), refused));
    // What a machine without a sound card shows.
    let mut silent = Settings::new(&config, false);
    silent.update(SettingsMessage::TabSelected(Tab::Audio));
    silent.update(SettingsMessage::InputLevel {
        spec: "default".into(),
        level: Err(no_card(Direction::Input)),
    });
    silent.update(SettingsMessage::TestTone(Role::Ringer));
    silent.update(SettingsMessage::ToneDone {
        serial: 1,
        result: Err(no_card(Direction::Output)),
    });
    pages.push(("settings-audio-unavailable".into(), silent));
    pages.push(("first-run".into(), Settings::new(&Config::default(), true)));
    let mut first_refused = Settings::new(&Config::default(), true);
    edit(&mut first_refused, Field::DisplayName, "Alice Smith");
    first_refused.update(SettingsMessage::Save);
    pages.push(("first-run-refused".into(), first_refused));
    let mut first_filled = Settings::new(&Config::default(), true);
    edit(&mut first_filled, Field::User, "alice");
    edit(&mut first_filled, Field::Domain, "sip.example.com");
    edit(&mut first_filled, Field::Password, "secret");
    pages.push(("first-run-filled".into(), first_filled));

    let keep = std::env::var_os("LINEKEY_SCREENSHOTS");
    for (name, settings) in &pages {
        for (theme, suffix) in [(Theme::Light, ""), (Theme::Dark, "-dark")] {
            let mut ui = Simulator::with_size(iced::Settings::default(), SIZE, settings.view());
            let snapshot = ui.snapshot(&theme).unwrap();
            let name = format!("{name}{suffix}");
            assert!(snapshot.matches_image(dir.path().join(&name)).unwrap());
            // The simulator adds its renderer's name to the file name.
            let written = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .find(|path| path.extension().is_some_and(|e| e == "png"))
                .unwrap();
            if let Some(keep) = &keep {
                let keep = Path::new(keep);
                std::fs::create_dir_all(keep).unwrap();
                std::fs::copy(&written, keep.join(format!("{name}.png"))).unwrap();
            }
            std::fs::remove_file(written).unwrap();
        }
    }
}
