//! The `linekey` command: with no arguments the desktop phone, with a `sip:`/`sips:`/`tel:`/
//! `callto:` link the desktop phone placing that call (handed to the running one if there is
//! one), and `linekey agent ...` the headless JSON-lines phone.

use std::process::ExitCode;

use linekey::ipc::{self, Claim};
use linekey::{link, logging};

const USAGE: &str = "usage: linekey                 start the phone (or show the running one)
       linekey LINK            call a sip:, sips:, tel: or callto: link
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
        None => desktop(None),
        // Desktop launchers pass `%u` as one argument, so exactly one link is accepted.
        Some(arg) if args.len() == 1 && link::looks_like_link(arg) => desktop(Some(arg)),
        Some(_) => {
            eprintln!("{USAGE}");
            2
        }
    };
    ExitCode::from(status.clamp(0, 255) as u8)
}

/// The desktop phone: refuses a bad link, hands the request to a running linekey, or becomes
/// the running one.
fn desktop(link: Option<&str>) -> i32 {
    if let Some(Err(e)) = link.map(link::dial_target) {
        eprintln!("linekey: {e}");
        return 2;
    }
    match ipc::claim(link) {
        Ok(Claim::Forwarded) => 0,
        Ok(Claim::Primary(_primary)) => {
            let _log = start_file_log();
            // TODO(issue 7): start the desktop window here, linekey::app::run(app::Launch
            // { dial, requests: _primary.requests, .. }), once the GUI is merged.
            eprintln!("linekey: the desktop window is not part of this build yet\n{USAGE}");
            2
        }
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
