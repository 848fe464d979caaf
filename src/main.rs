//! The `linekey` command: with no arguments the desktop phone, with a `sip:`/`sips:`/`tel:`/
//! `callto:` link the desktop phone placing that call (handed to the running one if there is
//! one), `--config FILE` first to use another settings file, and `linekey agent ...` the
//! headless JSON-lines phone.

use std::process::ExitCode;

use linekey::ipc::{self, Claim};
use linekey::link;

const USAGE: &str = "usage: linekey [--config FILE]  start the phone (or show the running one)
       linekey [--config FILE] LINK
                               call a sip:, sips:, tel: or callto: link
       linekey agent --config FILE [--set key=value]...
                               the headless phone, driven by JSON lines (see docs/agent.md)
       linekey --version | --help";

fn main() -> ExitCode {
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let status = match args.first().map(String::as_str) {
        Some("agent") => linekey::agent::run(&args[1..]),
        Some("--version" | "-V") if args.len() == 1 => {
            println!("linekey {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("--help" | "-h") if args.len() == 1 => {
            println!("{USAGE}");
            0
        }
        None => desktop(None, None),
        // Desktop launchers pass `%u` as one argument, so exactly one link is accepted.
        Some(arg) if args.len() == 1 && link::looks_like_link(arg) => desktop(None, Some(arg)),
        Some("--config") if args.len() == 2 => desktop(Some(&args[1]), None),
        Some("--config") if args.len() == 3 && link::looks_like_link(&args[2]) => {
            desktop(Some(&args[1]), Some(&args[2]))
        }
        Some(_) => {
            eprintln!("{USAGE}");
            2
        }
    };
    ExitCode::from(status.clamp(0, 255) as u8)
}

/// The desktop phone: refuses a bad link, hands the request to a running linekey, or becomes
/// the running one.
fn desktop(config: Option<&str>, link: Option<&str>) -> i32 {
    let dial = match link.map(link::dial_target).transpose() {
        Ok(dial) => dial,
        Err(e) => {
            eprintln!("linekey: {e}");
            return 2;
        }
    };
    match ipc::claim(link) {
        Ok(Claim::Forwarded) => 0,
        Ok(Claim::Primary(primary)) => {
            let launch = linekey::app::Launch {
                config: config.map(Into::into),
                dial,
                requests: Some(primary.requests),
            };
            match linekey::app::run(launch) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("linekey: {e}");
                    1
                }
            }
        }
        Err(e) => {
            eprintln!("linekey: {e}");
            1
        }
    }
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
