//! Real SIP phones as test peers on 127.0.0.1: baresip, driven over its `ctrl_tcp` netstring
//! socket, and linphone-daemon, driven over its unix socket (`/work/shared/INTEROP.md`).
//!
//! Like the rest of the harness, everything is bounded: each peer runs under `timeout(1)`, every
//! wait has a deadline, and a peer is stopped by the PID we started when its handle is dropped.
//! A peer that is not installed fails the test with a message naming its Debian package.

use std::cell::{Cell, RefCell};
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

use super::{
    free_port_block, one_per_line, require_tool, signal, status_of, tail, wait_child,
    wait_udp_bound, RawSip, STEP,
};

/// How long a peer may live at most; tests finish well within it.
const PEER_LIFETIME_S: u64 = 120;

/// A free TCP port on 127.0.0.1 (the OS picks it).
fn free_tcp_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

/// Writes `secs` seconds of silence as an 8 kHz mono 16-bit WAV file. baresip's `aufile`
/// source ends the call when its file ends, so the file must outlast the test.
fn write_silence_wav(path: &Path, secs: u32) {
    let data_len = 8_000 * 2 * secs;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&8_000u32.to_le_bytes()); // sample rate
    wav.extend_from_slice(&16_000u32.to_le_bytes()); // byte rate
    wav.extend_from_slice(&2u16.to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    fs::write(path, wav).expect("write silence.wav");
}

/// Stops a `timeout(1)` child we started: SIGTERM (passed on to the peer), then SIGKILL.
fn stop_child(child: &mut Option<Child>) {
    let Some(mut c) = child.take() else {
        return;
    };
    if let Ok(None) = c.try_wait() {
        signal(c.id(), "TERM");
        if wait_child(&mut c, Duration::from_secs(5)).is_none() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// baresip

/// A baresip user agent on UDP 127.0.0.1, auto-answering, with its own config directory
/// (never the generated default, which listens on every interface).
pub struct Baresip {
    pub user: String,
    pub port: u16,
    child: Option<Child>,
    ctrl: RefCell<TcpStream>,
    messages: Receiver<Value>,
    /// Every event and response received so far (for failure reports).
    history: RefCell<Vec<Value>>,
    next_token: Cell<u32>,
    dir: TempDir,
}

impl Baresip {
    /// Starts baresip as `user` on a free port and connects to its control socket.
    pub fn start(user: &str) -> Baresip {
        let bin = require_tool("baresip", "baresip-core");
        let timeout_bin = require_tool("timeout", "coreutils");
        let dir = tempfile::Builder::new()
            .prefix(&format!("linekey-baresip-{user}-"))
            .tempdir()
            .expect("temp dir");
        // baresip also listens on TCP at the SIP port and TLS at the next one: take a pair.
        let port = free_port_block(2);
        let ctrl_port = free_tcp_port();
        let rtp = free_port_block(20);
        let wav = dir.path().join("silence.wav");
        write_silence_wav(&wav, PEER_LIFETIME_S as u32 + 10);
        let config = format!(
            "poll_method\t\tepoll\n\
             sip_listen\t\t127.0.0.1:{port}\n\
             net_interface\t\t127.0.0.1\n\
             rtp_ports\t\t{rtp}-{rtp_end}\n\
             audio_source\t\taufile,{wav}\n\
             audio_player\t\taubridge,nil\n\
             audio_alert\t\taubridge,nil\n\
             module_path\t\t/usr/lib/baresip/modules\n\
             module\t\t\tg711.so\n\
             module\t\t\taubridge.so\n\
             module\t\t\taufile.so\n\
             module_app\t\taccount.so\n\
             module_app\t\tmenu.so\n\
             module_app\t\tctrl_tcp.so\n\
             ctrl_tcp_listen\t\t127.0.0.1:{ctrl_port}\n",
            rtp_end = rtp + 19,
            wav = wav.display(),
        );
        fs::write(dir.path().join("config"), config).expect("write baresip config");
        fs::write(
            dir.path().join("accounts"),
            format!("<sip:{user}@127.0.0.1:{port}>;regint=0;answermode=auto\n"),
        )
        .expect("write baresip accounts");
        let child = Command::new(timeout_bin)
            .arg((PEER_LIFETIME_S + 10).to_string())
            .arg(bin)
            .arg("-f")
            .arg(dir.path())
            .arg("-t")
            .arg(PEER_LIFETIME_S.to_string())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.path().join("baresip.log")).unwrap())
            .stderr(fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("spawn baresip");
        let mut child = Some(child);
        let ctrl = match connect_with_retry(ctrl_port, &mut child) {
            Some(s) if wait_udp_bound(port, STEP) => s,
            _ => {
                stop_child(&mut child);
                panic!(
                    "baresip did not start (SIP 127.0.0.1:{port}, ctrl_tcp {ctrl_port})\n{}",
                    tail(&dir.path().join("baresip.log"), 40)
                );
            }
        };
        let (tx, rx) = mpsc::channel();
        let mut reader = ctrl.try_clone().expect("clone ctrl socket");
        let tag = user.to_owned();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                while let Some(v) = take_netstring(&mut buf) {
                    eprintln!("[baresip {tag}] {v}");
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Baresip {
            user: user.to_owned(),
            port,
            child,
            ctrl: RefCell::new(ctrl),
            messages: rx,
            history: RefCell::new(Vec::new()),
            next_token: Cell::new(1),
            dir,
        }
    }

    /// `sip:user@127.0.0.1:port`.
    pub fn uri(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.user, self.port)
    }

    /// Runs a menu command (`dial`, `hold`, `resume`, `transfer`, `hangup`, ...) and waits for
    /// its response; panics unless baresip says it went well.
    pub fn command(&self, command: &str, params: &str) -> Value {
        let token = self.next_token.get();
        self.next_token.set(token + 1);
        let body =
            json!({"command": command, "params": params, "token": token.to_string()}).to_string();
        let frame = format!("{}:{body},", body.len());
        if let Err(e) = self.ctrl.borrow_mut().write_all(frame.as_bytes()) {
            self.fail(&format!("cannot send {body}: {e}"));
        }
        let token = token.to_string();
        let resp = self.expect_what(
            &format!("the response to {command}"),
            |v| v["response"] == true && v["token"] == token.as_str(),
            STEP,
        );
        if resp["ok"] != true {
            self.fail(&format!("{command} {params} was refused: {resp}"));
        }
        resp
    }

    /// Waits for the next event of this type (`CALL_ESTABLISHED`, `CALL_CLOSED`, ...) whose
    /// `peeruri` contains `peer`.
    pub fn expect_event(&self, kind: &str, peer: &str) -> Value {
        self.expect_what(
            &format!("event {kind} with {peer}"),
            |v| {
                v["event"] == true
                    && v["type"] == kind
                    && v["peeruri"].as_str().is_some_and(|p| p.contains(peer))
            },
            STEP,
        )
    }

    /// Waits for a message satisfying `pred`; earlier ones are consumed (kept in the history).
    pub fn expect_what(
        &self,
        what: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        match super::wait_for(&self.messages, &self.history, pred, timeout) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => {
                self.fail(&format!("timed out after {timeout:?} waiting for {what}"))
            }
            Err(RecvTimeoutError::Disconnected) => self.fail(&format!(
                "control socket closed (baresip exited) while waiting for {what}"
            )),
        }
    }

    /// Panics with what baresip said and logged.
    pub fn fail(&self, what: &str) -> ! {
        panic!(
            "baresip {}: {what}\n--- messages so far:\n{}\n--- log (tail):\n{}\n---",
            self.user,
            one_per_line(&self.history),
            tail(&self.dir.path().join("baresip.log"), 60)
        );
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

/// Connects to the control port while the peer starts (at most one step).
fn connect_with_retry(port: u16, child: &mut Option<Child>) -> Option<TcpStream> {
    let deadline = Instant::now() + STEP;
    while Instant::now() < deadline {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            return Some(s);
        }
        if child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))))
        {
            return None;
        }
        thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Takes one complete netstring (`LEN:JSON,`) off the front of `buf`, if there is one.
fn take_netstring(buf: &mut Vec<u8>) -> Option<Value> {
    let colon = buf.iter().position(|&b| b == b':')?;
    let len: usize = std::str::from_utf8(&buf[..colon])
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let end = colon + 1 + len;
    if buf.len() <= end {
        return None;
    }
    let v = serde_json::from_slice(&buf[colon + 1..end])
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&buf[colon + 1..end]).into()));
    buf.drain(..=end);
    Some(v)
}

// ---------------------------------------------------------------------------------------------
// linphone

/// Whether this process is in a network namespace with only loopback (`unshare -n`). Read from
/// `/proc/self/net/dev`, which follows the process's namespace (`/sys/class/net` does not).
pub fn only_loopback() -> bool {
    fs::read_to_string("/proc/self/net/dev").is_ok_and(|dev| {
        dev.lines()
            .skip(2)
            .filter_map(|l| l.split_once(':'))
            .all(|(name, _)| name.trim() == "lo")
    })
}

/// Set for a test run again inside `unshare -n`, so that it never starts another one.
const NETNS_MARK: &str = "LINEKEY_TEST_IN_NETNS";

/// linphone advertises the machine's external address unless loopback is all it can see
/// (INTEROP.md). Returns true when the calling test may run its body here (it is already in such
/// a namespace); otherwise runs the test `name` of this binary again inside
/// `unshare -n` with only `lo` up, asserts that it passed and returns false.
pub fn in_private_network(name: &str) -> bool {
    if only_loopback() {
        return true;
    }
    assert!(
        std::env::var_os(NETNS_MARK).is_none(),
        "still more than loopback inside `unshare -n`"
    );
    let unshare = require_tool("unshare", "util-linux");
    let exe = std::env::current_exe().expect("current test binary");
    let out = Command::new("timeout")
        .arg("300")
        .arg(unshare)
        .args(["-n", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""])
        .arg(exe)
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(NETNS_MARK, "1")
        .output()
        .expect("run unshare");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("1 passed"),
        "`{name}` inside `unshare -n` (needs root; `make test` runs the suite that way): {}\n{text}",
        out.status
    );
    false
}

/// A linphone-daemon on UDP 127.0.0.1, driven over its unix socket.
pub struct Linphone {
    pub user: String,
    pub port: u16,
    child: Option<Child>,
    sock: RefCell<UnixStream>,
    /// The events popped so far (for failure reports and for events already seen).
    events: RefCell<Vec<String>>,
    dir: TempDir,
}

impl Linphone {
    /// Starts linphone-daemon as `user` on a free port; `auto_answer` takes every call.
    /// Must run where only loopback exists (see [`in_private_network`]).
    pub fn start(user: &str, auto_answer: bool) -> Linphone {
        assert!(
            only_loopback(),
            "linphone must run in a network namespace with only lo (see in_private_network)"
        );
        let bin = require_tool("linphone-daemon", "linphone-cli");
        let timeout_bin = require_tool("timeout", "coreutils");
        let dir = tempfile::Builder::new()
            .prefix(&format!("linekey-linphone-{user}-"))
            .tempdir()
            .expect("temp dir");
        // linphone keeps its state under $HOME: give it a home of its own.
        fs::create_dir_all(dir.path().join(".local/share/linphone")).unwrap();
        let port = free_port_block(2);
        let rtp = free_port_block(40);
        let rc = format!(
            "[sip]\nsip_port={port}\nsip_tcp_port=0\nsip_tls_port=0\n\
             contact=sip:{user}@127.0.0.1:{port}\ndefault_proxy=-1\n\
             [rtp]\naudio_rtp_port={rtp}-{}\nvideo_rtp_port={}-{}\n\
             [video]\nenabled=0\ncapture=0\ndisplay=0\n\
             [sound]\nechocancellation=0\n",
            rtp + 19,
            rtp + 20,
            rtp + 39
        );
        let rc_path = dir.path().join("linphonerc");
        fs::write(&rc_path, rc).unwrap();
        let pipe = format!(
            "linekey-{user}-{}",
            dir.path().file_name().unwrap().to_string_lossy()
        );
        let mut cmd = Command::new(timeout_bin);
        cmd.arg(PEER_LIFETIME_S.to_string())
            .arg(bin)
            .arg("--config")
            .arg(&rc_path)
            .args(["--pipe", &pipe, "--log"])
            .arg(dir.path().join("linphone.log"));
        if auto_answer {
            cmd.arg("--auto-answer");
        }
        let child = cmd
            .env("HOME", dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("spawn linphone-daemon");
        let mut child = Some(child);
        let socket_path = Path::new("/tmp").join(&pipe);
        let deadline = Instant::now() + STEP;
        let sock = loop {
            if let Ok(s) = UnixStream::connect(&socket_path) {
                break s;
            }
            let exited = child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || Instant::now() > deadline {
                stop_child(&mut child);
                panic!(
                    "linphone-daemon did not open {}\n{}",
                    socket_path.display(),
                    tail(&dir.path().join("stdout.log"), 40)
                );
            }
            thread::sleep(Duration::from_millis(50));
        };
        // The control socket opens before SIP is up: wait for an answer to OPTIONS.
        if !answers_options(port) {
            stop_child(&mut child);
            panic!(
                "linphone-daemon does not answer OPTIONS on 127.0.0.1:{port}\n{}",
                tail(&dir.path().join("linphone.log"), 40)
            );
        }
        Linphone {
            user: user.to_owned(),
            port,
            child,
            sock: RefCell::new(sock),
            events: RefCell::new(Vec::new()),
            dir,
        }
    }

    /// `sip:user@127.0.0.1:port`.
    pub fn uri(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.user, self.port)
    }

    /// Sends one command line and returns the response. The daemon writes each response at
    /// once and marks no end, so the response is what arrives until the socket goes quiet.
    pub fn command(&self, line: &str) -> String {
        let mut sock = self.sock.borrow_mut();
        if let Err(e) = sock.write_all(format!("{line}\n").as_bytes()) {
            drop(sock);
            self.fail(&format!("cannot send {line:?}: {e}"));
        }
        let mut out = Vec::new();
        let deadline = Instant::now() + STEP;
        let mut chunk = [0u8; 8192];
        loop {
            let quiet = if out.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::from_millis(150)
            };
            sock.set_read_timeout(Some(quiet.max(Duration::from_millis(1))))
                .unwrap();
            match sock.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&chunk[..n]),
                Err(_) => break,
            }
        }
        drop(sock);
        let text = String::from_utf8_lossy(&out).into_owned();
        eprintln!(
            "[linphone {}] {line} -> {}",
            self.user,
            text.trim().replace('\n', " | ")
        );
        if !text.starts_with("Status: Ok") {
            self.fail(&format!("{line:?} answered {text:?}"));
        }
        text
    }

    /// Places a call and returns its id.
    pub fn call(&self, uri: &str) -> u32 {
        let resp = self.command(&format!("call {uri}"));
        field(&resp, "Id")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| self.fail(&format!("no call id in {resp:?}")))
    }

    /// The state of a call (`LinphoneCallStreamsRunning`, ...).
    pub fn call_state(&self, id: u32) -> String {
        let resp = self.command(&format!("call-status {id}"));
        field(&resp, "State").unwrap_or_default()
    }

    /// Polls until call `id` is in `state`.
    pub fn expect_state(&self, id: u32, state: &str) {
        let deadline = Instant::now() + STEP;
        loop {
            if self.call_state(id) == state {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("call {id} never reached {state}"));
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// Pops events until one is `Event: EVENT`, and returns it.
    pub fn expect_event(&self, event: &str) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let resp = self.command("pop-event");
            if field(&resp, "Event").is_some() {
                self.events.borrow_mut().push(resp.clone());
                if field(&resp, "Event").as_deref() == Some(event) {
                    return resp;
                }
                continue;
            }
            if Instant::now() > deadline {
                self.fail(&format!("no event {event}"));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Panics with the events seen and the tail of linphone's log.
    pub fn fail(&self, what: &str) -> ! {
        panic!(
            "linphone {}: {what}\n--- events so far:\n{}\n--- log (tail):\n{}\n---",
            self.user,
            self.events.borrow().join("\n"),
            tail(&self.dir.path().join("linphone.log"), 80)
        );
    }
}

impl Drop for Linphone {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

/// Whether something answers a SIP OPTIONS on UDP 127.0.0.1:`port` within one step.
fn answers_options(port: u16) -> bool {
    let probe = RawSip::new();
    let to = ([127, 0, 0, 1], port).into();
    let deadline = Instant::now() + STEP;
    for n in 0.. {
        if Instant::now() > deadline {
            return false;
        }
        probe.send(to, &probe.options(to, &format!("linekey-ready-{n}")));
        if probe
            .recv_until(Duration::from_millis(250), |d| status_of(d).is_some())
            .is_some()
        {
            return true;
        }
    }
    false
}

/// The value of a `Name: value` line in a daemon response.
fn field(resp: &str, name: &str) -> Option<String> {
    resp.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        (n.trim() == name).then(|| v.trim().to_owned())
    })
}
