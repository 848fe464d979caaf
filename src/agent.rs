//! `linekey agent`: the engine with a JSON-lines front end on stdin/stdout (see AGENT.md).
//! Scripts and tests depend on this contract; add to it, never change it.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::config::Config;
use crate::core::phone::{Event, Intent};
use crate::engine;

/// Command-line options of `linekey agent`.
#[derive(Debug, Default, PartialEq, Eq)]
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
    let mut loaded = match Config::load(&options.config, &options.overrides) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("linekey agent: {e}");
            return 2;
        }
    };
    // Files named in the settings are relative to the settings file, not to where we run.
    if let (Some(file), Some(dir)) = (&mut loaded.config.dialplan.file, options.config.parent()) {
        if Path::new(file.as_str()).is_relative() {
            *file = dir.join(&*file).to_string_lossy().into_owned();
        }
    }
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
        .map(|message| Event::Error { message })
        .collect();
    spawn_stdin_reader(intent_tx, event_tx.clone());
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
    intents: mpsc::UnboundedSender<Intent>,
    events: mpsc::UnboundedSender<Event>,
) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            match parse_command(&line) {
                Ok(intent) => {
                    let quit = intent == Intent::Quit;
                    if intents.send(intent).is_err() || quit {
                        return;
                    }
                }
                Err(message) => {
                    let _ = events.send(Event::Error { message });
                }
            }
        }
        // End of input means quit; dropping the sender tells the engine so.
    });
}

/// Reads one command line into an intent, or a sentence saying what is wrong with it.
pub fn parse_command(line: &str) -> Result<Intent, String> {
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| format!("not a JSON command ({e}): {}", shorten(line)))?;
    let Some(cmd) = value.get("cmd").and_then(|c| c.as_str()) else {
        return Err(format!(
            "a command needs a \"cmd\" field: {}",
            shorten(line)
        ));
    };
    let cmd = cmd.to_owned();
    serde_json::from_value(value).map_err(|e| {
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

    #[test]
    fn commands_of_the_contract_parse() {
        assert_eq!(
            parse_command(r#"{"cmd":"dial","target":"sip:bob@127.0.0.1:5062"}"#),
            Ok(Intent::Dial {
                target: "sip:bob@127.0.0.1:5062".into()
            })
        );
        assert_eq!(
            parse_command(r#"{"cmd":"answer","line":1,"extra":true}"#),
            Ok(Intent::Answer { line: 1 })
        );
        assert_eq!(
            parse_command(r#"{"cmd":"transfer","line":1,"to_line":2}"#),
            Ok(Intent::Transfer {
                line: 1,
                target: None,
                to_line: Some(2)
            })
        );
        assert_eq!(parse_command(r#"{"cmd":"quit"}"#), Ok(Intent::Quit));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert!(parse_command("hello")
            .unwrap_err()
            .starts_with("not a JSON command"));
        assert_eq!(
            parse_command(r#"{"cmd":"fly"}"#).unwrap_err(),
            "unknown command \"fly\""
        );
        assert!(parse_command(r#"{"cmd":"dial"}"#)
            .unwrap_err()
            .contains("target"));
        assert!(parse_command(r#"{"line":1}"#)
            .unwrap_err()
            .contains("\"cmd\""));
        assert!(parse_command(r#"{"cmd":"answer","line":"one"}"#).is_err());
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
        let r = Event::Registration {
            state: crate::core::phone::RegistrationState::Registered,
            reason: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"event":"registration","state":"registered"}"#
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
