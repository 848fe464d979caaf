//! One linekey per user: the first GUI process listens on a local socket, and a later
//! `linekey` (a click on a `sip:` link, or the launcher again) hands its request over and exits
//! instead of opening a second window that would fight the first for the SIP port.
//!
//! One linekey per settings file, to be exact: `linekey --config work.toml` is a phone of its
//! own (another account, another SIP port), and a later `linekey --config work.toml LINK` goes
//! to it, while a link clicked in a browser goes to the phone with the usual settings.
//!
//! The socket is `linekey.sock` in the user's runtime directory (`$XDG_RUNTIME_DIR/linekey` on
//! Linux, overridable with `LINEKEY_RUNTIME_DIR`), or in a subdirectory of it named after the
//! settings file; on Windows a named pipe whose name is derived from that directory. Next to it, `linekey.lock` is held locked by the primary for as long as
//! it runs: whoever takes the lock owns the socket name, so a socket file left by a crashed
//! process is removed safely, and two processes starting at once cannot both become primary.
//!
//! The protocol is one line each way: `show` or `dial LINK`, answered `ok` or `error REASON`.
//! The primary parses the link itself: what arrives on the socket is never trusted further than
//! a link from the command line.

use std::fs::{self, File, TryLockError};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use interprocess::local_socket::{prelude::*, ConnectOptions, ListenerOptions};
use interprocess::ConnectWaitMode;
use tokio::sync::mpsc;

use crate::link;

/// Environment variable naming the directory of the socket and lock (for tests, or to run
/// independent instances side by side).
pub const RUNTIME_DIR_ENV: &str = "LINEKEY_RUNTIME_DIR";

/// How long a second process waits for a primary that holds the lock but is not listening yet
/// (it is starting), or for its answer.
const PATIENCE: Duration = Duration::from_secs(3);

/// What a later `linekey` asks of the running one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Bring the window to the front (`linekey` with no link).
    Show,
    /// Place a call to this dial target (already parsed by `link::dial_target`).
    Dial(String),
}

/// The outcome of `claim`.
#[derive(Debug)]
pub enum Claim {
    /// This process is the one linekey: run the GUI and act on `Primary::requests`.
    Primary(Primary),
    /// Another linekey took the request; this process is done and exits 0.
    Forwarded,
}

/// The running instance's end: requests forwarded by later `linekey` processes.
#[derive(Debug)]
pub struct Primary {
    /// Requests in arrival order. The channel works on any executor; in iced, turn it into a
    /// stream with `futures::stream::unfold(rx, |mut rx| async { rx.recv().await.map(|r| (r, rx)) })`.
    pub requests: mpsc::UnboundedReceiver<Request>,
}

/// Why linekey could not claim or reach the running instance.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// The runtime directory cannot be created or used.
    #[error("cannot use {dir} for the single-instance socket: {source}")]
    Dir {
        /// The runtime directory.
        dir: String,
        /// What the OS said.
        source: io::Error,
    },
    /// The link is not one linekey calls.
    #[error("{0}")]
    Link(#[from] link::LinkError),
    /// Another linekey runs but does not answer.
    #[error("another linekey is running but does not answer: {0}")]
    NoAnswer(io::Error),
    /// The running linekey refused the request.
    #[error("the running linekey refused: {0}")]
    Refused(String),
    /// The socket could not be created.
    #[error("cannot listen on {name}: {source}")]
    Listen {
        /// The socket path or pipe name.
        name: String,
        /// What the OS said.
        source: io::Error,
    },
}

/// Becomes the one linekey of this user for the settings file `config` (`None`: the usual
/// one), or hands `link` (or "show the window") to the one that runs. The link is checked
/// first, so a bad one fails here without bothering anyone.
pub fn claim(config: Option<&Path>, link: Option<&str>) -> Result<Claim, IpcError> {
    let usual = crate::config::Config::default_path();
    claim_in(
        &instance_dir(&runtime_dir(), config, usual.as_deref()),
        link,
    )
}

/// The directory of the socket and lock of the linekey that uses the settings file `config`:
/// `runtime` itself for the usual settings file `usual`, else a subdirectory named after the
/// file's full path, so the same file reached by another relative path is the same phone.
pub fn instance_dir(runtime: &Path, config: Option<&Path>, usual: Option<&Path>) -> PathBuf {
    let Some(config) = config else {
        return runtime.to_owned();
    };
    // A file not created yet has no canonical path; its absolute path names it as well.
    let full = |path: &Path| {
        fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_owned())
    };
    let config = full(config);
    if usual.is_some_and(|usual| full(usual) == config) {
        return runtime.to_owned();
    }
    runtime.join(format!("config-{:016x}", fnv1a(&config)))
}

/// FNV-1a of a path: stable across runs and versions, unlike std's hasher.
fn fnv1a(path: &Path) -> u64 {
    path.as_os_str()
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

/// `claim` with the socket in `dir`.
pub fn claim_in(dir: &Path, link: Option<&str>) -> Result<Claim, IpcError> {
    if let Some(link) = link {
        link::dial_target(link)?;
    }
    let line = match link {
        Some(link) => format!("dial {link}\n"),
        None => "show\n".to_owned(),
    };
    create_private_dir(dir).map_err(|source| IpcError::Dir {
        dir: dir.display().to_string(),
        source,
    })?;
    let dir_err = |source| IpcError::Dir {
        dir: dir.display().to_string(),
        source,
    };
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("linekey.lock"))
        .map_err(dir_err)?;
    let started = Instant::now();
    loop {
        if let Ok(stream) = connect(dir) {
            return forward(stream, &line).map(|()| Claim::Forwarded);
        }
        match lock.try_lock() {
            Ok(()) => return listen(dir, lock).map(Claim::Primary),
            Err(TryLockError::WouldBlock) if started.elapsed() < PATIENCE => {
                // The lock's holder is starting up and will be listening in a moment.
                thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(IpcError::NoAnswer(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "it holds the lock but accepts no connection",
                )))
            }
            Err(TryLockError::Error(e)) => return Err(dir_err(e)),
        }
    }
}

/// The directory of the socket and lock: `$LINEKEY_RUNTIME_DIR`, else the platform's runtime
/// directory (`$XDG_RUNTIME_DIR/linekey`), else the per-user local data directory.
pub fn runtime_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(RUNTIME_DIR_ENV) {
        return dir.into();
    }
    // Each Flatpak sandbox has a runtime directory of its own; only `app/ID` in it is shared
    // by all instances of the app.
    if let (Some(runtime), Some(id)) = (
        std::env::var_os("XDG_RUNTIME_DIR"),
        std::env::var_os("FLATPAK_ID"),
    ) {
        return PathBuf::from(runtime).join("app").join(id);
    }
    let dirs = crate::config::project_dirs();
    dirs.as_ref()
        .and_then(|d| d.runtime_dir().map(Path::to_owned))
        .or_else(|| dirs.as_ref().map(|d| d.data_local_dir().to_owned()))
        .unwrap_or_else(|| std::env::temp_dir().join("linekey"))
}

fn connect(dir: &Path) -> io::Result<interprocess::local_socket::Stream> {
    ConnectOptions::new()
        .name(socket_name(dir)?)
        .wait_mode(ConnectWaitMode::Timeout(PATIENCE))
        .connect_sync()
}

/// Sends one request line and reads the one-line answer.
fn forward(stream: interprocess::local_socket::Stream, line: &str) -> Result<(), IpcError> {
    let no_answer = IpcError::NoAnswer;
    stream.set_recv_timeout(Some(PATIENCE)).map_err(no_answer)?;
    stream.set_send_timeout(Some(PATIENCE)).map_err(no_answer)?;
    let mut reader = BufReader::new(stream);
    reader
        .get_mut()
        .write_all(line.as_bytes())
        .map_err(no_answer)?;
    let mut answer = String::new();
    reader
        .take(1024)
        .read_line(&mut answer)
        .map_err(no_answer)?;
    match answer.trim_end().split_once(' ') {
        _ if answer.trim_end() == "ok" => Ok(()),
        Some(("error", reason)) => Err(IpcError::Refused(reason.to_owned())),
        _ => Err(IpcError::NoAnswer(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected answer {:?}", answer.trim_end()),
        ))),
    }
}

/// Takes over the socket name (we hold the lock, so any socket file there is stale) and serves
/// it on a thread of its own for the rest of the process.
fn listen(dir: &Path, lock: File) -> Result<Primary, IpcError> {
    let name = socket_name(dir).map_err(|source| IpcError::Listen {
        name: dir.display().to_string(),
        source,
    })?;
    #[cfg(unix)]
    if let Err(e) = fs::remove_file(socket_path(dir)) {
        if e.kind() != io::ErrorKind::NotFound {
            return Err(IpcError::Listen {
                name: socket_path(dir).display().to_string(),
                source: e,
            });
        }
    }
    let listener = ListenerOptions::new()
        .name(name)
        // The socket outlives this function on the serving thread; the next primary removes
        // the file anyway, under the lock.
        .reclaim_name(false)
        .create_sync()
        .map_err(|source| IpcError::Listen {
            name: socket_path(dir).display().to_string(),
            source,
        })?;
    let (tx, requests) = mpsc::unbounded_channel();
    thread::Builder::new()
        .name("linekey-ipc".into())
        .spawn(move || serve(&listener, lock, &tx))
        .map_err(|source| IpcError::Listen {
            name: socket_path(dir).display().to_string(),
            source,
        })?;
    Ok(Primary { requests })
}

fn serve(
    listener: &interprocess::local_socket::Listener,
    _lock: File,
    tx: &mpsc::UnboundedSender<Request>,
) {
    for conn in listener.incoming() {
        match conn {
            // A thread per connection, so one client that never finishes its line cannot
            // keep the next one waiting.
            Ok(stream) => {
                let tx = tx.clone();
                let spawned = thread::Builder::new()
                    .name("linekey-ipc-conn".into())
                    .spawn(move || answer(stream, &tx));
                if let Err(e) = spawned {
                    tracing::warn!("single-instance socket: cannot answer a request: {e}");
                }
            }
            Err(e) => tracing::warn!("single-instance socket: {e}"),
        }
    }
}

/// Reads one request, passes it on, and says whether it was taken.
fn answer(stream: interprocess::local_socket::Stream, tx: &mpsc::UnboundedSender<Request>) {
    let _ = stream.set_recv_timeout(Some(PATIENCE));
    let _ = stream.set_send_timeout(Some(PATIENCE));
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    // A link longer than link::MAX_LEN is refused anyway; read no more than that.
    let read = (&mut reader)
        .take(link::MAX_LEN as u64 + 16)
        .read_line(&mut line);
    let reply = match read.map_err(|e| e.to_string()).and_then(|_| parse(&line)) {
        Ok(request) => {
            tracing::info!("forwarded by another linekey: {request:?}");
            if tx.send(request).is_ok() {
                "ok\n".to_owned()
            } else {
                "error linekey is closing\n".to_owned()
            }
        }
        Err(reason) => format!("error {}\n", reason.replace('\n', " ")),
    };
    let _ = reader.get_mut().write_all(reply.as_bytes());
}

fn parse(line: &str) -> Result<Request, String> {
    let line = line
        .strip_suffix('\n')
        .ok_or("the request line is unfinished or too long")?;
    match line.split_once(' ') {
        None if line == "show" => Ok(Request::Show),
        Some(("dial", text)) => link::dial_target(text)
            .map(Request::Dial)
            .map_err(|e| e.to_string()),
        _ => Err("not a request linekey understands".into()),
    }
}

#[cfg(unix)]
fn socket_path(dir: &Path) -> PathBuf {
    dir.join("linekey.sock")
}

#[cfg(unix)]
fn socket_name(dir: &Path) -> io::Result<interprocess::local_socket::Name<'static>> {
    use interprocess::local_socket::GenericFilePath;
    socket_path(dir).to_fs_name::<GenericFilePath>()
}

#[cfg(windows)]
fn socket_path(dir: &Path) -> PathBuf {
    PathBuf::from(pipe_name(dir))
}

/// Named pipes live in one machine-wide namespace: the name carries a hash of the runtime
/// directory, which is per user (and per test).
#[cfg(windows)]
fn socket_name(dir: &Path) -> io::Result<interprocess::local_socket::Name<'static>> {
    use interprocess::local_socket::GenericNamespaced;
    pipe_name(dir).to_ns_name::<GenericNamespaced>()
}

#[cfg(windows)]
fn pipe_name(dir: &Path) -> String {
    format!("io.github.linekey.Linekey-{:016x}", fnv1a(dir))
}

/// Creates `dir` readable by its owner only, since the socket in it takes orders.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primary(claim: Result<Claim, IpcError>) -> Primary {
        match claim {
            Ok(Claim::Primary(p)) => p,
            other => panic!("expected to be primary: {other:?}"),
        }
    }

    /// A claim from another thread, as a second process would make it.
    fn claim_elsewhere(dir: &Path, link: Option<&str>) -> Result<Claim, IpcError> {
        let dir = dir.to_owned();
        let link = link.map(str::to_owned);
        thread::spawn(move || claim_in(&dir, link.as_deref()))
            .join()
            .unwrap()
    }

    #[test]
    fn second_claim_forwards_to_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = primary(claim_in(dir.path(), None));
        let second = claim_elsewhere(dir.path(), Some("sip:555-0002@companyb.com;user=phone"));
        assert!(matches!(second, Ok(Claim::Forwarded)), "{second:?}");
        assert_eq!(
            first.requests.try_recv(),
            Ok(Request::Dial("sip:555-0002@companyb.com;user=phone".into()))
        );
        let third = claim_elsewhere(dir.path(), None);
        assert!(matches!(third, Ok(Claim::Forwarded)), "{third:?}");
        assert_eq!(first.requests.try_recv(), Ok(Request::Show));
        let fourth = claim_elsewhere(dir.path(), Some("tel:+1-555-0100"));
        assert!(matches!(fourth, Ok(Claim::Forwarded)), "{fourth:?}");
        assert_eq!(
            first.requests.try_recv(),
            Ok(Request::Dial("+15550100".into()))
        );
    }

    #[test]
    fn bad_links_fail_before_anyone_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let err = claim_in(&dir.path().join("never"), Some("http://x")).unwrap_err();
        assert!(matches!(err, IpcError::Link(_)), "{err:?}");
        assert!(!dir.path().join("never").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_stale_socket_does_not_block_startup() {
        let dir = tempfile::tempdir().unwrap();
        // What a crashed primary leaves: the socket file with nobody listening, and the lock
        // file, unlocked since its holder is gone.
        drop(std::os::unix::net::UnixListener::bind(socket_path(dir.path())).unwrap());
        fs::write(dir.path().join("linekey.lock"), "").unwrap();
        assert!(socket_path(dir.path()).exists());
        let mut first = primary(claim_in(dir.path(), None));
        let second = claim_elsewhere(dir.path(), Some("sip:bob@example.com"));
        assert!(matches!(second, Ok(Claim::Forwarded)), "{second:?}");
        assert_eq!(
            first.requests.try_recv(),
            Ok(Request::Dial("sip:bob@example.com".into()))
        );
    }

    #[test]
    fn the_primary_checks_what_arrives() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = primary(claim_in(dir.path(), None));
        let ask = |line: &[u8]| {
            let stream = connect(dir.path()).unwrap();
            let mut reader = BufReader::new(stream);
            reader.get_mut().write_all(line).unwrap();
            let mut answer = String::new();
            reader.read_line(&mut answer).unwrap();
            answer
        };
        assert!(ask(b"dial http://x\n").starts_with("error cannot call \"http://x\""));
        assert!(ask(b"dial sip:bob@example.com?Replaces=x\n").contains("headers"));
        assert_eq!(ask(b"hello\n"), "error not a request linekey understands\n");
        let long = format!("dial sip:{}@example.com", "a".repeat(2000));
        assert!(ask(long.as_bytes()).contains("unfinished or too long"));
        assert!(first.requests.try_recv().is_err());
        assert_eq!(ask(b"dial sip:bob@example.com\n"), "ok\n");
        assert_eq!(
            first.requests.try_recv(),
            Ok(Request::Dial("sip:bob@example.com".into()))
        );
    }

    #[test]
    fn a_closing_primary_says_so() {
        let dir = tempfile::tempdir().unwrap();
        drop(primary(claim_in(dir.path(), None)));
        let err = claim_elsewhere(dir.path(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the running linekey refused: linekey is closing"
        );
    }

    #[test]
    fn each_settings_file_is_a_phone_of_its_own() {
        let runtime = tempfile::tempdir().unwrap();
        let configs = tempfile::tempdir().unwrap();
        let (usual, work) = (
            configs.path().join("usual.toml"),
            configs.path().join("work.toml"),
        );
        fs::write(&work, "").unwrap();
        let dir = |config: Option<&Path>| instance_dir(runtime.path(), config, Some(&usual));

        assert_eq!(dir(None), runtime.path());
        assert_eq!(
            dir(Some(&usual)),
            runtime.path(),
            "naming the usual file changes nothing"
        );
        let work_dir = dir(Some(&work));
        assert_ne!(work_dir, runtime.path());
        assert_eq!(
            dir(Some(&configs.path().join(".").join("work.toml"))),
            work_dir,
            "another way to the same file"
        );
        assert_ne!(dir(Some(&configs.path().join("home.toml"))), work_dir);

        // Both phones run at once; a link for each reaches the right one.
        let mut usual_phone = primary(claim_in(&dir(None), None));
        let mut work_phone = primary(claim_in(&work_dir, None));
        let forwarded = claim_elsewhere(&work_dir, Some("sip:bob@example.com"));
        assert!(matches!(forwarded, Ok(Claim::Forwarded)), "{forwarded:?}");
        assert_eq!(
            work_phone.requests.try_recv(),
            Ok(Request::Dial("sip:bob@example.com".into()))
        );
        assert!(usual_phone.requests.try_recv().is_err());
    }

    #[test]
    fn the_runtime_dir_can_be_chosen() {
        // Only read here: tests never set process-wide variables other tests could see.
        match std::env::var_os(RUNTIME_DIR_ENV) {
            Some(dir) => assert_eq!(runtime_dir(), PathBuf::from(dir)),
            None => assert!(runtime_dir().is_absolute(), "{:?}", runtime_dir()),
        }
    }
}
