//! `linekey agent`: the engine with a JSON-lines front end on stdin/stdout (see AGENT.md).
//! Scripts and tests depend on this contract; add to it, never change it.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::config::{Config, ConfigError, Loaded};
use crate::core::notice::Notice;
use crate::core::phone::{Event, Intent};
use crate::engine;

/// Command-line options of `linekey agent`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// The settings file.
    pub config: PathBuf,
    /// `--set key=value` overrides, in order.
    pub overrides: Vec<String>,
}

impl Options {
    /// Reads the arguments after `agent`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut config = None;
        let mut overrides = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--config" => {
                    config = Some(args.next().ok_or("--config needs a file name")?.into())
                }
                "--set" => overrides.push(args.next().ok_or("--set needs key=value")?.clone()),
                other => {
                    return Err(format!(
                        "unknown option {other:?} (use --config FILE and --set key=value)"
                    ))
                }
            }
        }
        let config = config.ok_or("missing --config FILE")?;
        Ok(Options { config, overrides })
    }

    /// Loads the settings file with the overrides: at start, and again for `reload`.
    pub fn load(&self) -> Result<Loaded, ConfigError> {
        let mut loaded = Config::load(&self.config, &self.overrides)?;
        // Files named in the settings are relative to the settings file, not to where we run.
        if let (Some(file), Some(dir)) = (&mut loaded.config.dialplan.file, self.config.parent()) {
            if Path::new(file.as_str()).is_relative() {
                *file = dir.join(&*file).to_string_lossy().into_owned();
            }
        }
        Ok(loaded)
    }
}

/// Runs the agent; returns the process exit status.
pub fn run(args: &[String]) -> i32 {
    let options = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("linekey agent: {e}");
            return 2;
        }
    };
    let loaded = match options.load() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("linekey agent: {e}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("linekey agent: cannot start: {e}");
            return 1;
        }
    };
    let (intent_tx, intent_rx) = mpsc::unbounded_channel();
    let (event_tx, mut event_rx) = mpsc::unbounded_channel();
    // Settings warnings are shown right after `ready`, which front ends wait for first.
    let mut warnings: Vec<Event> = loaded
        .warnings
        .into_iter()
        .map(|text| Event::error(Notice::text(text)))
        .collect();
    spawn_stdin_reader(options, intent_tx, event_tx.clone());
    let status = runtime.block_on(async move {
        let engine = tokio::spawn(engine::run(loaded.config, intent_rx, event_tx));
        let mut stdout = std::io::stdout().lock();
        while let Some(event) = event_rx.recv().await {
            let ready = matches!(event, Event::Ready { .. });
            let mut batch = vec![event];
            if ready {
                batch.append(&mut warnings);
            }
            // A failed write means nobody is reading any more: stop like end of stdin would.
            if batch.iter().any(|e| write_event(&mut stdout, e).is_err()) {
                break;
            }
        }
        match engine.await {
            Ok(Ok(())) => 0,
            Ok(Err(e)) => {
                eprintln!("linekey agent: {e}");
                1
            }
            Err(e) => {
                eprintln!("linekey agent: engine stopped: {e}");
                1
            }
        }
    });
    // The stdin thread may still be blocked in read(); it must not keep the process alive.
    runtime.shutdown_background();
    status
}

fn write_event(out: &mut impl Write, event: &Event) -> std::io::Result<()> {
    let line = serde_json::to_string(event).map_err(std::io::Error::other)?;
    writeln!(out, "{line}")?;
    out.flush()
}

/// Reads commands on a plain thread (stdin has no portable non-blocking form) and hands them to
/// the engine; lines that are not commands become `error` events.
fn spawn_stdin_reader(
    options: Options,
    intents: mpsc::UnboundedSender<Intent>,
    events: mpsc::UnboundedSender<Event>,
) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            let (intent, warnings) = match parse_command(&line) {
                Ok(Command::Intent(intent)) => (Ok(intent), Vec::new()),
                Ok(Command::Reload) => reload(&options),
                Err(message) => (Err(message), Vec::new()),
            };
            for text in warnings {
                let _ = events.send(Event::error(Notice::text(text)));
            }
            match intent {
                Ok(intent) => {
                    let quit = intent == Intent::Quit;
                    if intents.send(intent).is_err() || quit {
                        return;
                    }
                }
                Err(text) => {
                    let _ = events.send(Event::error(Notice::text(text)));
                }
            }
        }
        // End of input means quit; dropping the sender tells the engine so.
    });
}

/// `reload`: the settings file read again, with the `--set` overrides, as a `Configure`; or
/// what is wrong with the file (the settings in use then stay). Warnings (unknown keys) come too.
fn reload(options: &Options) -> (Result<Intent, String>, Vec<String>) {
    match options.load() {
        Ok(loaded) => (
            Ok(Intent::Configure {
                config: Box::new(loaded.config),
            }),
            loaded.warnings,
        ),
        Err(e) => (
            Err(format!("settings not reloaded, the old ones stay: {e}")),
            Vec::new(),
        ),
    }
}

/// A command line: an intent for the engine, or one the agent carries out itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// For the engine.
    Intent(Intent),
    /// Read the settings file again and apply it (`{"cmd":"reload"}`).
    Reload,
}

/// Reads one command line, or says in a sentence what is wrong with it.
pub fn parse_command(line: &str) -> Result<Command, String> {
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| format!("not a JSON command ({e}): {}", shorten(line)))?;
    let Some(cmd) = value.get("cmd").and_then(|c| c.as_str()) else {
        return Err(format!(
            "a command needs a \"cmd\" field: {}",
            shorten(line)
        ));
    };
    if cmd == "reload" {
        return Ok(Command::Reload);
    }
    let cmd = cmd.to_owned();
    serde_json::from_value(value)
        .map(Command::Intent)
        .map_err(|e| {
            if e.to_string().starts_with("unknown variant") {
                format!("unknown command {cmd:?}")
            } else {
                format!("bad {cmd:?} command: {e}")
            }
        })
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(line: &str) -> Result<Intent, String> {
        match parse_command(line)? {
            Command::Intent(intent) => Ok(intent),
            Command::Reload => Err("reload".into()),
        }
    }

    #[test]
    fn commands_of_the_contract_parse() {
        assert_eq!(
            intent(r#"{"cmd":"dial","target":"sip:bob@127.0.0.1:5062"}"#),
            Ok(Intent::Dial {
                target: "sip:bob@127.0.0.1:5062".into()
            })
        );
        assert_eq!(
            intent(r#"{"cmd":"answer","line":1,"extra":true}"#),
            Ok(Intent::Answer { line: 1 })
        );
        assert_eq!(
            intent(r#"{"cmd":"transfer","line":1,"to_line":2}"#),
            Ok(Intent::Transfer {
                line: 1,
                target: None,
                to_line: Some(2)
            })
        );
        assert_eq!(intent(r#"{"cmd":"quit"}"#), Ok(Intent::Quit));
        assert_eq!(
            intent(r#"{"cmd":"mute","muted":true}"#),
            Ok(Intent::Mute { muted: true })
        );
        assert!(intent(r#"{"cmd":"mute"}"#).unwrap_err().contains("muted"));
        assert_eq!(parse_command(r#"{"cmd":"reload"}"#), Ok(Command::Reload));
        assert_eq!(
            intent(r#"{"cmd":"accept_transfer","line":2}"#),
            Ok(Intent::AcceptTransfer { line: 2 })
        );
        assert_eq!(
            intent(r#"{"cmd":"decline_transfer","line":1}"#),
            Ok(Intent::DeclineTransfer { line: 1 })
        );
    }

    #[test]
    fn configure_takes_settings_with_defaults_for_missing_keys() {
        let Ok(Intent::Configure { config }) = intent(
            r#"{"cmd":"configure","config":{"account":{"user":"a","domain":"h"},"calls":{"do_not_disturb":true}}}"#,
        ) else {
            panic!("configure did not parse");
        };
        assert!(config.calls.do_not_disturb);
        assert_eq!(config.calls.lines, 6);
        assert_eq!(config.account.user, "a");
    }

    #[test]
    fn reload_reads_the_file_again_with_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(
            &file,
            "[account]\nuser = \"a\"\ndomain = \"h\"\n[calls]\nlines = 2\n",
        )
        .unwrap();
        let options = Options {
            config: file.clone(),
            overrides: vec!["calls.auto_answer=true".into()],
        };
        let (Ok(Intent::Configure { config }), warnings) = reload(&options) else {
            panic!("reload failed");
        };
        assert_eq!((config.calls.lines, config.calls.auto_answer), (2, true));
        assert!(warnings.is_empty());
        std::fs::write(&file, "[calls]\nlines = \"two\"\n").unwrap();
        let (Err(message), _) = reload(&options) else {
            panic!("a broken file reloaded");
        };
        assert!(
            message.contains("a.toml") && message.contains("calls.lines"),
            "{message}"
        );
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert!(intent("hello")
            .unwrap_err()
            .starts_with("not a JSON command"));
        assert_eq!(
            intent(r#"{"cmd":"fly"}"#).unwrap_err(),
            "unknown command \"fly\""
        );
        assert!(intent(r#"{"cmd":"dial"}"#).unwrap_err().contains("target"));
        assert!(intent(r#"{"line":1}"#).unwrap_err().contains("\"cmd\""));
        assert!(intent(r#"{"cmd":"answer","line":"one"}"#).is_err());
    }

    #[test]
    fn events_serialise_as_the_contract_says() {
        let e = Event::Line {
            line: 1,
            state: crate::core::phone::LineState::Idle,
            peer: None,
            reason: Some("busy".into()),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"event":"line","line":1,"state":"idle","reason":"busy"}"#
        );
        let t = Event::TransferRequest {
            line: 1,
            target: "sip:carol@h".into(),
            referred_by: None,
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"event":"transfer_request","line":1,"target":"sip:carol@h"}"#
        );
        assert_eq!(
            serde_json::to_string(&Event::Mute { muted: true }).unwrap(),
            r#"{"event":"mute","muted":true}"#
        );
        let r = Event::Registration {
            state: crate::core::phone::RegistrationState::Registered,
            reason: None,
            notice: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"event":"registration","state":"registered"}"#
        );
        let failed = Notice::WrongPassword {
            status: "403 Forbidden".into(),
        };
        let r = Event::Registration {
            state: crate::core::phone::RegistrationState::Failed,
            reason: Some(failed.english()),
            notice: Some(failed),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"event":"registration","state":"failed","reason":"wrong user name or password (403 Forbidden): check the account settings","key":"registration-wrong-password","args":{"status":"403 Forbidden"}}"#
        );
    }

    #[test]
    fn options() {
        let args: Vec<String> = ["--config", "a.toml", "--set", "network.bind=127.0.0.1:5061"]
            .map(String::from)
            .to_vec();
        let o = Options::parse(&args).unwrap();
        assert_eq!(o.config, PathBuf::from("a.toml"));
        assert_eq!(o.overrides, vec!["network.bind=127.0.0.1:5061"]);
        assert!(Options::parse(&[]).is_err());
        assert!(Options::parse(&["--bogus".into()]).is_err());
    }
}
