//! Harness for the integration tests: run `linekey agent` over its JSON-lines contract
//! (`/work/shared/AGENT.md`, kept in docs), run sipp and kamailio on 127.0.0.1, pick free ports.
//!
//! Everything is bounded: every wait has a timeout, every process we start is killed by its PID
//! when its handle is dropped, and only processes started here are ever signalled.
//! sipp and kamailio must be installed (`make test` installs them); a test that needs one and
//! cannot find it fails with a message saying so, it never skips silently.

#![allow(dead_code)]

pub mod audio;
pub mod peers;
pub mod relay;

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

/// A generous default for one protocol step on a busy 2-core machine.
pub const STEP: Duration = Duration::from_secs(15);

/// `tests/interop` in the source tree: sipp scenarios and the kamailio configuration.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("interop")
}

/// The path of a sipp scenario in `tests/interop`.
pub fn scenario(name: &str) -> String {
    let p = interop_dir().join(name);
    assert!(p.exists(), "missing sipp scenario {}", p.display());
    p.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------------
// Tools and ports

/// The full path of an external program the tests need; panics (never skips) when it is missing.
pub fn require_tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
    for d in dirs {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "`{name}` is not installed. Run `make test`, which installs the Debian package \
         `{package}` (and everything else the tests need) before running them."
    );
}

/// A UDP port on 127.0.0.1 that was free a moment ago (the OS picks it).
pub fn free_udp_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    s.local_addr().unwrap().port()
}

/// The first port of `n` consecutive free UDP ports on 127.0.0.1, even-aligned (RTP ranges).
///
/// Blocks come from 20000..32000, below the kernel's ephemeral range, so they do not collide
/// with ports the OS hands out; within one test binary no block is handed out twice.
pub fn free_port_block(n: u16) -> u16 {
    const LOW: u32 = 20_000;
    const HIGH: u32 = 32_000;
    static NEXT: OnceLock<AtomicU32> = OnceLock::new();
    let n = u32::from(n.max(2)).next_multiple_of(2);
    assert!(n < (HIGH - LOW) / 4, "port block too large");
    let next = NEXT.get_or_init(|| {
        let start = LOW + (random_seed() % u64::from(HIGH - LOW)) as u32;
        AtomicU32::new(start & !1)
    });
    for _ in 0..200 {
        let mut start = next.fetch_add(n, Ordering::Relaxed);
        if start + n > HIGH {
            // Wrap around; a race here only costs a retry.
            next.store(LOW + n, Ordering::Relaxed);
            start = LOW;
        }
        let all_free = (start..start + n).all(|p| UdpSocket::bind(("127.0.0.1", p as u16)).is_ok());
        if all_free {
            return start as u16;
        }
    }
    panic!("no block of {n} free UDP ports on 127.0.0.1");
}

/// A seed that differs between runs (for port choice only; test data uses fixed seeds).
fn random_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish()
}

/// Whether some socket is bound to UDP 127.0.0.1:`port` (or 0.0.0.0:`port`), from /proc/net/udp.
pub fn udp_port_bound(port: u16) -> bool {
    let Ok(table) = fs::read_to_string("/proc/net/udp") else {
        return false;
    };
    let want = [
        format!("0100007F:{port:04X}"),
        format!("00000000:{port:04X}"),
    ];
    table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .any(|local| want.iter().any(|w| w == local))
}

/// Waits until something listens on UDP 127.0.0.1:`port`.
pub fn wait_udp_bound(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if udp_port_bound(port) {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The last `n` lines of a text file, for failure reports.
pub fn tail(path: &Path, n: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("({}: {e})", path.display()),
    }
}

/// Sends SIGTERM (or another signal) to one process we started, by its PID.
fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stderr(Stdio::null())
        .status();
}

/// Waits for a child to exit, at most `timeout`.
fn wait_child(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            return Some(st);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------------
// The agent

/// Settings for one test agent, written out as the agent's TOML config.
///
/// `AgentConfig { lines: 1, ..AgentConfig::new("bob") }` changes a field; `extra` is appended
/// verbatim (whole extra tables only, e.g. `[dialplan]`).
#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub user: String,
    pub domain: String,
    pub password: Option<String>,
    pub register: bool,
    pub registrar: Option<String>,
    /// SIP port on 127.0.0.1 (a free one by default).
    pub port: u16,
    pub rtp_ports: (u16, u16),
    pub timer_t1_ms: Option<u32>,
    pub proxy: Option<String>,
    pub backup: Option<String>,
    pub lines: u32,
    pub auto_answer: bool,
    pub codecs: Option<Vec<String>>,
    /// `[audio]` devices: virtual ones, so tests need no sound card.
    pub input: String,
    pub output: String,
    pub extra: String,
}

impl AgentConfig {
    /// A user on 127.0.0.1 with a free SIP port, a free RTP range, no audio devices.
    pub fn new(user: &str) -> AgentConfig {
        let rtp = free_port_block(40);
        AgentConfig {
            user: user.to_owned(),
            domain: "127.0.0.1".to_owned(),
            password: None,
            register: false,
            registrar: None,
            port: free_udp_port(),
            rtp_ports: (rtp, rtp + 39),
            timer_t1_ms: None,
            proxy: None,
            backup: None,
            lines: 6,
            auto_answer: false,
            codecs: None,
            input: "silence".to_owned(),
            output: "null".to_owned(),
            extra: String::new(),
        }
    }

    /// The TOML text.
    pub fn to_toml(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let mut t = String::new();
        t += "[account]\n";
        t += &format!("user = {}\n", q(&self.user));
        t += &format!("domain = {}\n", q(&self.domain));
        t += &format!("display_name = {}\n", q(&capitalize(&self.user)));
        if let Some(p) = &self.password {
            t += &format!("password = {}\n", q(p));
        }
        t += &format!("register = {}\n", self.register);
        if let Some(r) = &self.registrar {
            t += &format!("registrar = {}\n", q(r));
        }
        t += "\n[network]\n";
        t += &format!("bind = {}\n", q(&format!("127.0.0.1:{}", self.port)));
        t += &format!("rtp_ports = [{}, {}]\n", self.rtp_ports.0, self.rtp_ports.1);
        if let Some(t1) = self.timer_t1_ms {
            t += &format!("timer_t1_ms = {t1}\n");
        }
        if self.proxy.is_some() || self.backup.is_some() {
            t += "\n[proxy]\n";
        }
        if let Some(p) = &self.proxy {
            t += &format!("primary = {}\n", q(p));
        }
        if let Some(b) = &self.backup {
            t += &format!("backup = {}\n", q(b));
        }
        t += "\n[audio]\n";
        t += &format!("input = {}\n", q(&self.input));
        t += &format!("output = {}\n", q(&self.output));
        // A ringer of its own, so the ring never lands in a recorded output.
        t += "ringer = \"null\"\n";
        t += "\n[calls]\n";
        t += &format!("lines = {}\n", self.lines);
        t += &format!("auto_answer = {}\n", self.auto_answer);
        if let Some(c) = &self.codecs {
            let list: Vec<String> = c.iter().map(|c| q(c)).collect();
            t += &format!("codecs = [{}]\n", list.join(", "));
        }
        if !self.extra.is_empty() {
            t += "\n";
            t += &self.extra;
            t += "\n";
        }
        t
    }

    /// This agent's SIP URI, `sip:user@127.0.0.1:port`.
    pub fn uri(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.user, self.port)
    }

    /// Starts an agent with this configuration.
    pub fn start(&self) -> Agent {
        Agent::start_named(&self.user, &self.to_toml())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A running `linekey agent`, driven over stdin/stdout.
pub struct Agent {
    /// A short name for messages (the account user).
    pub name: String,
    /// The SIP address from the `ready` event.
    pub sip: SocketAddr,
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    events: Receiver<Value>,
    /// Every event received so far, in order (for failure reports).
    history: RefCell<Vec<Value>>,
    stderr: PathBuf,
    dir: TempDir,
}

impl Agent {
    /// Writes `config_toml` to a temporary file, starts `linekey agent --config FILE` and waits
    /// for its `ready` event.
    pub fn start(config_toml: &str) -> Agent {
        let name = toml::from_str::<toml::Value>(config_toml)
            .ok()
            .and_then(|v| v.get("account")?.get("user")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| "agent".to_owned());
        Agent::start_named(&name, config_toml)
    }

    /// Like [`Agent::start`], with the name used in messages.
    pub fn start_named(name: &str, config_toml: &str) -> Agent {
        Agent::start_with_args(name, config_toml, &[])
    }

    /// Like [`Agent::start_named`], with extra command-line arguments (e.g. `--set k=v`).
    pub fn start_with_args(name: &str, config_toml: &str, args: &[&str]) -> Agent {
        let dir = tempfile::Builder::new()
            .prefix(&format!("linekey-{name}-"))
            .tempdir()
            .expect("temp dir");
        let config = dir.path().join("linekey.toml");
        fs::write(&config, config_toml).expect("write config");
        let stderr = dir.path().join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_linekey"))
            .arg("agent")
            .arg("--config")
            .arg(&config)
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("spawn linekey agent");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        let tag = name.to_owned();
        thread::Builder::new()
            .name(format!("{name}-stdout"))
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if line.trim().is_empty() {
                        continue;
                    }
                    eprintln!("[{tag}] {line}");
                    // A line that is not JSON breaks the contract; keep it visible as a string.
                    let v = serde_json::from_str(&line).unwrap_or(Value::String(line));
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            })
            .expect("reader thread");
        let mut agent = Agent {
            name: name.to_owned(),
            sip: "127.0.0.1:0".parse().unwrap(),
            child,
            stdin: Mutex::new(stdin),
            events: rx,
            history: RefCell::new(Vec::new()),
            stderr,
            dir,
        };
        let ready = agent.expect_event("ready", STEP);
        let sip = ready["sip"].as_str().unwrap_or_default();
        agent.sip = sip.parse().unwrap_or_else(|_| {
            agent.fail(&format!(
                "`ready` carries no usable \"sip\" address: {ready}"
            ))
        });
        agent
    }

    /// The agent's working directory (holds its config and stderr log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sends one command line.
    pub fn send(&self, cmd: Value) {
        let mut guard = self.stdin.lock().unwrap();
        let Some(stdin) = guard.as_mut() else {
            self.fail(&format!("send {cmd} after stdin was closed"));
        };
        let line = format!("{cmd}\n");
        if let Err(e) = stdin.write_all(line.as_bytes()).and_then(|_| stdin.flush()) {
            drop(guard);
            self.fail(&format!("cannot send {cmd}: {e}"));
        }
    }

    /// Sends a raw line (not necessarily JSON).
    pub fn send_raw(&self, line: &str) {
        let mut guard = self.stdin.lock().unwrap();
        let stdin = guard.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for the next event that satisfies `pred`; events before it are consumed (they stay
    /// in the history). Panics with everything seen so far on timeout or if the agent exits.
    pub fn expect(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        self.expect_what("a matching event", pred, timeout)
    }

    /// [`Agent::expect`] with a description for the failure message.
    pub fn expect_what(
        &self,
        what: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        match wait_for(&self.events, &self.history, pred, timeout) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => {
                self.fail(&format!("timed out after {timeout:?} waiting for {what}"))
            }
            Err(RecvTimeoutError::Disconnected) => self.fail(&format!(
                "stdout closed (agent exited) while waiting for {what}"
            )),
        }
    }

    /// The latest event already seen that satisfies `pred`, or else the next one to come.
    pub fn seen_or_expect(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        let seen = self
            .history
            .borrow()
            .iter()
            .rev()
            .find(|v| pred(v))
            .cloned();
        seen.unwrap_or_else(|| self.expect(pred, timeout))
    }

    /// A line's media figures once its call has ended (the media thread reports them at close).
    pub fn final_media_stats(&self, line: u64) -> Value {
        self.seen_or_expect(|v| v["event"] == "media" && v["line"] == line, STEP)
    }

    /// Waits for an event of the given kind (`"ready"`, `"registration"`, ...).
    pub fn expect_event(&self, event: &str, timeout: Duration) -> Value {
        self.expect_what(
            &format!("event {event:?}"),
            |v| v["event"] == event,
            timeout,
        )
    }

    /// Waits for `{"event":"line","line":LINE,"state":STATE}`.
    pub fn expect_line(&self, line: u64, state: &str, timeout: Duration) -> Value {
        self.expect_what(
            &format!("line {line} {state:?}"),
            |v| v["event"] == "line" && v["line"] == line && v["state"] == state,
            timeout,
        )
    }

    /// Waits for line `line` to turn idle and checks its reason.
    pub fn expect_idle(&self, line: u64, reason: &str) -> Value {
        self.expect_idle_one_of(line, &[reason])
    }

    /// Waits for line `line` to turn idle and checks its reason is one of `reasons`.
    pub fn expect_idle_one_of(&self, line: u64, reasons: &[&str]) -> Value {
        let v = self.expect_line(line, "idle", STEP);
        let got = v["reason"].as_str().unwrap_or("(none)");
        if !reasons.contains(&got) {
            self.fail(&format!(
                "line {line} went idle with reason {got:?}, expected one of {reasons:?}"
            ));
        }
        v
    }

    /// Waits for a `registration` event with this state.
    pub fn expect_registration(&self, state: &str, timeout: Duration) -> Value {
        self.expect_what(
            &format!("registration {state:?}"),
            |v| v["event"] == "registration" && v["state"] == state,
            timeout,
        )
    }

    /// Collects the events that arrive within `window` (consuming them).
    pub fn drain(&self, window: Duration) -> Vec<Value> {
        let deadline = Instant::now() + window;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(v) => {
                    self.history.borrow_mut().push(v.clone());
                    out.push(v);
                }
                Err(_) => return out,
            }
        }
    }

    /// Every event received so far.
    pub fn history(&self) -> Vec<Value> {
        self.history.borrow().clone()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Closes the agent's stdin (end of input: the agent should hang up and exit 0).
    pub fn close_stdin(&self) {
        drop(self.stdin.lock().unwrap().take());
    }

    /// Waits at most `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        wait_child(&mut self.child, timeout)
    }

    /// Sends `{"cmd":"quit"}`, waits up to 5 s for the process to exit (killing it otherwise)
    /// and returns its exit status. Events sent before exiting can still be `expect`ed.
    pub fn quit(&mut self) -> ExitStatus {
        if let Some(mut stdin) = self.stdin.lock().unwrap().take() {
            let _ = stdin.write_all(b"{\"cmd\":\"quit\"}\n");
            let _ = stdin.flush();
        }
        match wait_child(&mut self.child, Duration::from_secs(5)) {
            Some(st) => st,
            None => {
                let _ = self.child.kill();
                let st = self.child.wait().expect("wait agent");
                self.fail(&format!("did not exit within 5 s of quit (killed: {st})"))
            }
        }
    }

    /// Panics with a report: what went wrong, every event so far, the tail of stderr.
    pub fn fail(&self, what: &str) -> ! {
        panic!(
            "agent {}: {what}\n--- events so far ({}):\n{}\n--- stderr (tail):\n{}\n---",
            self.name,
            self.history.borrow().len(),
            one_per_line(&self.history),
            tail(&self.stderr, 60)
        );
    }

    /// A dial command.
    pub fn dial(&self, target: &str) {
        self.send(json!({"cmd": "dial", "target": target}));
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sipp

/// A sipp process running in its own temporary directory (scenario logs land there).
pub struct Sipp {
    /// The local SIP port sipp listens on (`-p`).
    pub port: u16,
    child: Option<Child>,
    dir: TempDir,
    args: Vec<String>,
    timeout: Duration,
}

/// A finished sipp run: its exit status and log files.
pub struct SippOutput {
    pub status: ExitStatus,
    /// True when the harness had to kill sipp.
    pub killed: bool,
    pub port: u16,
    dir: TempDir,
    args: Vec<String>,
}

/// Runs sipp to completion; see [`Sipp::spawn`].
pub fn sipp(args: &[&str], timeout: Duration) -> SippOutput {
    Sipp::spawn(args, timeout).wait()
}

impl Sipp {
    /// Starts sipp with `args` plus the harness's own: loopback addresses (`-i`, `-mi`), a free
    /// media port, `-nostdin`, `-timeout` (= `timeout`) with `-timeout_error`, and error, message,
    /// log and statistics files in a temporary directory. A free `-p` is chosen unless given.
    /// Returns once sipp listens on its port.
    pub fn spawn(args: &[&str], timeout: Duration) -> Sipp {
        let bin = require_tool("sipp", "sip-tester");
        let dir = tempfile::Builder::new()
            .prefix("linekey-sipp-")
            .tempdir()
            .expect("temp dir");
        let d = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
        let port = match args.iter().position(|a| *a == "-p") {
            Some(i) => args[i + 1].parse().expect("-p PORT"),
            None => free_udp_port(),
        };
        let media = free_port_block(4);
        let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        if !args.contains(&"-p") {
            full.extend(["-p".into(), port.to_string()]);
        }
        let secs = timeout.as_secs().max(1);
        full.extend(
            [
                "-i",
                "127.0.0.1",
                "-mi",
                "127.0.0.1",
                "-mp",
                &media.to_string(),
                "-nostdin",
                "-timeout",
                &format!("{secs}s"),
                "-timeout_error",
                "-trace_err",
                "-error_file",
                &d("errors.log"),
                "-trace_msg",
                "-message_file",
                &d("messages.log"),
                "-trace_logs",
                "-log_file",
                &d("logs.log"),
                "-trace_stat",
                "-stf",
                &d("stat.csv"),
                "-fd",
                "1",
            ]
            .map(String::from),
        );
        eprintln!("[sipp] sipp {}", full.join(" "));
        let child = Command::new(bin)
            .args(&full)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("spawn sipp");
        let mut s = Sipp {
            port,
            child: Some(child),
            dir,
            args: full,
            timeout,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !udp_port_bound(port) {
            let exited = s.child.as_mut().unwrap().try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let out = s.wait();
                panic!(
                    "sipp did not start listening on port {port}\n{}",
                    out.report()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
        s
    }

    /// The directory sipp runs in and writes its logs to (`messages.log` grows as it goes).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `127.0.0.1:PORT`, where sipp listens.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Whether sipp is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Waits for sipp to exit (at most its `-timeout` plus 15 s, then it is killed).
    pub fn wait(mut self) -> SippOutput {
        let mut child = self.child.take().expect("sipp child");
        let (status, killed) = match wait_child(&mut child, self.timeout + STEP) {
            Some(st) => (st, false),
            None => {
                let _ = child.kill();
                (child.wait().expect("wait sipp"), true)
            }
        };
        let dir = std::mem::replace(&mut self.dir, TempDir::new().unwrap());
        SippOutput {
            status,
            killed,
            port: self.port,
            dir,
            args: std::mem::take(&mut self.args),
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if let Ok(None) = c.try_wait() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
}

impl SippOutput {
    /// sipp's exit code (0: every call passed, 1: some failed, 255/97: fatal or timeout).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Panics with the logs unless sipp exited 0.
    pub fn assert_success(&self) {
        if self.killed || self.code() != Some(0) {
            panic!("sipp failed: {}\n{}", self.status, self.report());
        }
    }

    /// The text of a file sipp wrote (`errors.log`, `messages.log`, `logs.log`, `stat.csv`,
    /// `stdout.log`, `stderr.log`); empty if absent.
    pub fn file(&self, name: &str) -> String {
        fs::read(self.dir.path().join(name))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The `<log message=...>` lines of the scenario (`-trace_logs`).
    pub fn log(&self) -> String {
        self.file("logs.log")
    }

    /// A column of the last statistics row (`-trace_stat`), e.g. `FailedCall(C)`.
    pub fn stat(&self, column: &str) -> Option<String> {
        let csv = self.file("stat.csv");
        let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines.next()?.split(';').collect();
        let last: Vec<&str> = lines.next_back()?.split(';').collect();
        let i = header.iter().position(|h| h.trim() == column)?;
        last.get(i).map(|s| s.trim().to_owned())
    }

    /// [`SippOutput::stat`] as a number.
    pub fn stat_u64(&self, column: &str) -> u64 {
        let v = self
            .stat(column)
            .unwrap_or_else(|| panic!("no {column} in sipp statistics\n{}", self.report()));
        v.parse()
            .unwrap_or_else(|_| panic!("{column} = {v:?} is not a number\n{}", self.report()))
    }

    /// Everything useful for a failure message.
    pub fn report(&self) -> String {
        let mut r = format!(
            "--- sipp {}\n--- exit: {}\n",
            self.args.join(" "),
            self.status
        );
        for (f, n) in [
            ("stderr.log", 40),
            ("errors.log", 60),
            ("logs.log", 40),
            ("messages.log", 150),
            ("stdout.log", 40),
        ] {
            let p = self.dir.path().join(f);
            if p.exists() {
                r += &format!("--- {f} (tail):\n{}\n", tail(&p, n));
            }
        }
        r
    }
}

// ---------------------------------------------------------------------------------------------
// kamailio

/// A kamailio registrar/proxy on UDP 127.0.0.1:`port`, from `tests/interop/kamailio`
/// (users alice, bob, carol, phone with password `secret`; 401 for REGISTER, 407 for INVITE).
pub struct Kamailio {
    pub port: u16,
    child: Option<Child>,
    dir: TempDir,
}

impl Kamailio {
    /// Starts kamailio on a free port and waits until it answers an OPTIONS.
    pub fn start() -> Kamailio {
        let bin = require_tool("kamailio", "kamailio");
        let timeout_bin = require_tool("timeout", "coreutils");
        let dir = tempfile::Builder::new()
            .prefix("linekey-kamailio-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path();
        let src = interop_dir().join("kamailio");
        fs::create_dir_all(root.join("db")).unwrap();
        fs::create_dir_all(root.join("run")).unwrap();
        for entry in fs::read_dir(src.join("db")).expect("tests/interop/kamailio/db") {
            let entry = entry.unwrap();
            fs::copy(entry.path(), root.join("db").join(entry.file_name())).unwrap();
        }
        let port = free_udp_port();
        let mut cfg = fs::read_to_string(src.join("kamailio.cfg"))
            .expect("tests/interop/kamailio/kamailio.cfg")
            .replace("@DIR@", &root.to_string_lossy())
            .replace("@PORT@", &port.to_string());
        // The module directory is multiarch; use the one installed here.
        if let Some(mpath) = kamailio_modules() {
            cfg = cfg
                .lines()
                .map(|l| {
                    if l.starts_with("mpath=") {
                        format!("mpath=\"{}/\"", mpath.display())
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        let cfg_path = root.join("kamailio.cfg");
        fs::write(&cfg_path, cfg).unwrap();
        let run = root.join("run");
        let child = Command::new(timeout_bin)
            .arg("120")
            .arg(bin)
            .arg("-f")
            .arg(&cfg_path)
            .args(["-DD", "-E", "-P"])
            .arg(run.join("kamailio.pid"))
            .arg("-Y")
            .arg(&run)
            .arg("-w")
            .arg(&run)
            .args(["-m", "64", "-M", "8"])
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(fs::File::create(root.join("stdout.log")).unwrap())
            .stderr(fs::File::create(root.join("kamailio.log")).unwrap())
            .spawn()
            .expect("spawn kamailio");
        let mut k = Kamailio {
            port,
            child: Some(child),
            dir,
        };
        k.wait_ready(Duration::from_secs(20));
        k
    }

    fn wait_ready(&mut self, timeout: Duration) {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(250)))
            .unwrap();
        let me = sock.local_addr().unwrap();
        let deadline = Instant::now() + timeout;
        let mut n = 0;
        while Instant::now() < deadline {
            if let Some(Ok(Some(st))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("kamailio exited at start ({st})\n{}", self.report());
            }
            n += 1;
            let options = format!(
                "OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n\
                 Via: SIP/2.0/UDP {me};branch=z9hG4bK-ready-{n};rport\r\n\
                 Max-Forwards: 70\r\n\
                 From: <sip:probe@127.0.0.1>;tag=probe{n}\r\n\
                 To: <sip:127.0.0.1:{port}>\r\n\
                 Call-ID: ready-{n}@127.0.0.1\r\n\
                 CSeq: 1 OPTIONS\r\n\
                 Content-Length: 0\r\n\r\n",
                port = self.port
            );
            let _ = sock.send_to(options.as_bytes(), ("127.0.0.1", self.port));
            let mut buf = [0u8; 4096];
            if let Ok((len, _)) = sock.recv_from(&mut buf) {
                if buf[..len].starts_with(b"SIP/2.0 ") {
                    return;
                }
            }
        }
        panic!(
            "kamailio did not answer OPTIONS within {timeout:?}\n{}",
            self.report()
        );
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The users with a live registration (`kamcmd ul.dump`, AoR user parts).
    pub fn registered_users(&self) -> Vec<String> {
        let kamcmd = require_tool("kamcmd", "kamailio");
        let ctl = self.dir.path().join("run").join("kamailio_ctl");
        let out = Command::new("timeout")
            .arg("10")
            .arg(kamcmd)
            .arg("-s")
            .arg(format!("unix:{}", ctl.display()))
            .arg("ul.dump")
            .output()
            .expect("run kamcmd");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut users: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("AoR:"))
            .map(|aor| {
                let aor = aor.trim();
                let aor = aor.strip_prefix("sip:").unwrap_or(aor);
                aor.split('@').next().unwrap_or(aor).to_owned()
            })
            .collect();
        users.sort();
        users.dedup();
        users
    }

    /// kamailio's log (it logs every request and reply it routes).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("kamailio.log")).unwrap_or_default()
    }

    /// The tail of the log, for failure messages.
    pub fn report(&self) -> String {
        format!(
            "--- kamailio log (tail):\n{}\n---",
            tail(&self.dir.path().join("kamailio.log"), 80)
        )
    }

    /// Stops kamailio: SIGTERM to the `timeout` process we started, which passes it on to
    /// kamailio's process group; SIGKILL by PID if that does not work within 5 s.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            signal(child.id(), "TERM");
            if wait_child(&mut child, Duration::from_secs(5)).is_none() {
                let pidfile = self.dir.path().join("run").join("kamailio.pid");
                if let Ok(pid) = fs::read_to_string(pidfile) {
                    if let Ok(pid) = pid.trim().parse::<u32>() {
                        signal(pid, "KILL");
                    }
                }
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        self.stop();
    }
}

fn kamailio_modules() -> Option<PathBuf> {
    let lib = Path::new("/usr/lib");
    let mut candidates = vec![lib.join("kamailio").join("modules")];
    if let Ok(rd) = fs::read_dir(lib) {
        for e in rd.flatten() {
            candidates.push(e.path().join("kamailio").join("modules"));
        }
    }
    candidates.into_iter().find(|p| p.join("tm.so").exists())
}

// ---------------------------------------------------------------------------------------------
// Raw SIP over UDP

/// A UDP socket on 127.0.0.1 for hand-made SIP messages.
pub struct RawSip {
    pub sock: UdpSocket,
    pub addr: SocketAddr,
}

impl RawSip {
    pub fn new() -> RawSip {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let addr = sock.local_addr().unwrap();
        RawSip { sock, addr }
    }

    pub fn send(&self, to: SocketAddr, data: &[u8]) {
        assert!(to.ip().is_loopback(), "refusing to send outside 127.0.0.1");
        let _ = self.sock.send_to(data, to);
    }

    /// Receives datagrams until one satisfies `pred` or `timeout` passes.
    pub fn recv_until(&self, timeout: Duration, pred: impl Fn(&[u8]) -> bool) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0u8; 70_000];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.sock
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            match self.sock.recv_from(&mut buf) {
                Ok((n, _)) if pred(&buf[..n]) => return Some(buf[..n].to_vec()),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// An OPTIONS request to `to` with the given Call-ID.
    pub fn options(&self, to: SocketAddr, call_id: &str) -> Vec<u8> {
        format!(
            "OPTIONS sip:{to} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {me};branch=z9hG4bK-{call_id};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:probe@127.0.0.1>;tag=p-{call_id}\r\n\
             To: <sip:{to}>\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: 1 OPTIONS\r\n\
             Accept: application/sdp\r\n\
             Content-Length: 0\r\n\r\n",
            me = self.addr
        )
        .into_bytes()
    }
}

impl Default for RawSip {
    fn default() -> Self {
        RawSip::new()
    }
}

/// The status code of a SIP response datagram.
pub fn status_of(data: &[u8]) -> Option<u16> {
    let rest = data.strip_prefix(b"SIP/2.0 ")?;
    std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()
}

/// The value of the first header `name` (or its compact form) in a datagram.
pub fn header_of(data: &[u8], name: &str, compact: Option<&str>) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    let head = text.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        let n = n.trim();
        (n.eq_ignore_ascii_case(name) || compact.is_some_and(|c| n.eq_ignore_ascii_case(c)))
            .then(|| v.trim().to_owned())
    })
}

/// The Call-ID of a datagram.
pub fn call_id_of(data: &[u8]) -> Option<String> {
    header_of(data, "Call-ID", Some("i"))
}

type Arrivals = std::sync::Arc<Mutex<Vec<(Instant, Vec<u8>)>>>;

/// A UDP port that silently drops everything (a dead proxy), recording arrival times.
pub struct Blackhole {
    pub port: u16,
    arrivals: Arrivals,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Blackhole {
    pub fn start() -> Blackhole {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let port = sock.local_addr().unwrap().port();
        let arrivals = std::sync::Arc::new(Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (a, s) = (arrivals.clone(), stop.clone());
        thread::spawn(move || {
            let mut buf = vec![0u8; 70_000];
            let end = Instant::now() + Duration::from_secs(300);
            while !s.load(Ordering::Relaxed) && Instant::now() < end {
                if let Ok((n, _)) = sock.recv_from(&mut buf) {
                    a.lock().unwrap().push((Instant::now(), buf[..n].to_vec()));
                }
            }
        });
        Blackhole {
            port,
            arrivals,
            stop,
        }
    }

    /// Datagrams received so far, with their arrival times.
    pub fn arrivals(&self) -> Vec<(Instant, Vec<u8>)> {
        self.arrivals.lock().unwrap().clone()
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The messages of a `history`, one per line, for a failure report.
pub fn one_per_line(history: &RefCell<Vec<Value>>) -> String {
    let lines: Vec<String> = history.borrow().iter().map(Value::to_string).collect();
    lines.join("\n")
}

/// Reads JSON messages from `messages` until one satisfies `pred` or `timeout` passes; every
/// message read, matching or not, is kept in `history` for the failure report.
pub fn wait_for(
    messages: &Receiver<Value>,
    history: &RefCell<Vec<Value>>,
    pred: impl Fn(&Value) -> bool,
    timeout: Duration,
) -> Result<Value, RecvTimeoutError> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let v = messages.recv_timeout(left)?;
        history.borrow_mut().push(v.clone());
        if pred(&v) {
            return Ok(v);
        }
    }
}
