//! The `linekey` command: `linekey agent ...` runs the headless JSON-lines phone.

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
        _ => {
            eprintln!(
                "usage: linekey agent --config FILE [--set key=value]...\n\
                 (the desktop window is not part of this version yet)"
            );
            2
        }
    };
    ExitCode::from(status.clamp(0, 255) as u8)
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
