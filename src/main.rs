//! The `linekey` command: with no arguments the desktop phone, with a `sip:`/`sips:`/`tel:`/
//! `callto:` link the desktop phone placing that call (handed to the running one if there is
//! one), `--config FILE` first to use another settings file, and `linekey agent ...` the
//! headless JSON-lines phone.

use std::path::Path;
use std::process::ExitCode;

use linekey::ipc::{self, Claim, IpcError, Request};
use linekey::{link, logging};
use tokio::sync::mpsc::UnboundedReceiver;

const USAGE: &str = "usage: linekey                 start the phone (or show the running one)
       linekey LINK            call a sip:, sips:, tel: or callto: link
       linekey --config FILE [LINK]
                               the phone that uses another settings file
       linekey agent --config FILE [--set key=value]...
                               the headless phone, driven by JSON lines (see docs/agent.md)
       linekey --version | --help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let status = match args.first().map(String::as_str) {
        Some("agent") => {
            logging::to_stderr();
            linekey::agent::run(&args[1..])
        }
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
    let requests = match ipc::claim(config.map(Path::new), link) {
        Ok(Claim::Forwarded) => return 0,
        Ok(Claim::Primary(primary)) => Some(primary.requests),
        // A linekey is running but did not take the request: a second window would fight it
        // for the SIP port.
        Err(e @ (IpcError::NoAnswer(_) | IpcError::Refused(_) | IpcError::Link(_))) => {
            eprintln!("linekey: {e}");
            return 1;
        }
        // No usable runtime directory: no single instance, but still a phone.
        Err(e) => {
            eprintln!("linekey: {e}; later links will open another window");
            None
        }
    };
    let _log = start_file_log();
    window(config, dial, requests)
}

/// The desktop window, dialling `dial` once the phone is ready and acting on `requests` from
/// later `linekey` processes.
fn window(
    config: Option<&str>,
    dial: Option<String>,
    requests: Option<UnboundedReceiver<Request>>,
) -> i32 {
    let launch = linekey::app::Launch {
        config: config.map(Into::into),
        dial,
        requests,
    };
    match linekey::app::run(launch) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("linekey: {e}");
            1
        }
    }
}

/// The desktop phone logs to a file (it has no terminal); failing that, to stderr.
fn start_file_log() -> Option<logging::FileLog> {
    let started = logging::log_dir()
        .ok_or_else(|| "no home directory".to_owned())
        .and_then(|dir| logging::to_file(&dir));
    match started {
        Ok(log) => Some(log),
        Err(e) => {
            logging::to_stderr();
            tracing::warn!("cannot write the log file ({e}); logging to stderr");
            None
        }
    }
}
