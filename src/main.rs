//! The `linekey` command: `linekey [--config FILE] [--dial TARGET]` opens the phone window,
//! `linekey agent ...` runs the headless JSON-lines phone.

use std::process::ExitCode;

fn main() -> ExitCode {
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let status = match args.first().map(String::as_str) {
        Some("agent") => linekey::agent::run(&args[1..]),
        Some("--version") => {
            println!("linekey {}", env!("CARGO_PKG_VERSION"));
            0
        }
        None | Some("--config" | "--dial") => match window_options(&args) {
            Ok(launch) => match linekey::app::run(launch) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("linekey: {e}");
                    1
                }
            },
            Err(e) => {
                eprintln!("linekey: {e}");
                2
            }
        },
        _ => {
            eprintln!(
                "usage: linekey [--config FILE] [--dial TARGET]\n\
                 \x20      linekey agent --config FILE [--set key=value]..."
            );
            2
        }
    };
    ExitCode::from(status.clamp(0, 255) as u8)
}

/// The window's options: `--config FILE` and `--dial TARGET`.
fn window_options(args: &[String]) -> Result<linekey::app::Launch, String> {
    let mut launch = linekey::app::Launch::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--config" => launch.config = Some(value.into()),
            "--dial" => launch.dial = Some(value.clone()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(launch)
}

/// Logs go to stderr; `LINEKEY_LOG=debug` (or info, trace) shows more. stdout belongs to the agent.
fn init_logging() {
    let level = std::env::var("LINEKEY_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::WARN);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
