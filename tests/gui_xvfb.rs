//! The real `linekey` window on a virtual X server (Xvfb, software rendering): typing an address
//! and pressing Enter calls sipp, which answers; Escape hangs up. Also: with no display the
//! command fails with one clear sentence instead of a panic.
//!
//! Xvfb, xdotool and ImageMagick's `import` must be installed (`make test` installs them); the
//! test fails, never skips, without them. It prints how long the window took to appear, its
//! memory and its CPU time while idle, and where the screenshot is; none of these is asserted.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::*;

/// An Xvfb server on a display number nobody uses; killed (by its PID) when dropped.
struct Xvfb {
    display: String,
    child: Child,
}

impl Xvfb {
    fn start() -> Xvfb {
        let bin = require_tool("Xvfb", "xvfb");
        for n in 140..240 {
            let socket = format!("/tmp/.X11-unix/X{n}");
            if Path::new(&socket).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let mut child = Command::new(&bin)
                .args([
                    &format!(":{n}"),
                    "-screen",
                    "0",
                    "1024x768x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start Xvfb");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if Path::new(&socket).exists() {
                    return Xvfb {
                        display: format!(":{n}"),
                        child,
                    };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // Lost a race for this number: try the next.
                }
                thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("could not start Xvfb on any display from :140 to :239");
    }

    fn tool(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"))
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `linekey` window, killed (by its PID) when dropped.
struct Window {
    child: Child,
    stderr: PathBuf,
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Window {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// User plus system CPU time so far, from /proc.
    fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_millis(ticks * 1000 / hz)
    }

    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_window_calls_sipp_from_the_keyboard() {
    let xdotool = require_tool("xdotool", "xdotool");
    let import = require_tool("import", "imagemagick");
    let x = Xvfb::start();
    let sipp = Sipp::spawn(
        &["-sf", &scenario("uas_answer.xml"), "-m", "1"],
        Duration::from_secs(90),
    );

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("linekey.toml");
    std::fs::write(&config, AgentConfig::new("alice").to_toml()).unwrap();
    let stderr = home.path().join("stderr.log");
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_linekey"))
        .args(["--config", config.to_str().unwrap()])
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("ICED_BACKEND", "tiny-skia")
        .env("LANG", "C")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("LINEKEY_RUNTIME_DIR", home.path().join("run"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("start linekey");
    let window = Window { child, stderr };

    let xdo = |args: &[&str]| {
        let out = x.tool(xdotool.to_str().unwrap(), args);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let mut id = String::new();
    wait_for("the linekey window", Duration::from_secs(20), || {
        id = xdo(&["search", "--onlyvisible", "--name", "^linekey$"]);
        !id.is_empty()
    });
    let appeared = started.elapsed();
    let id = id.lines().next().unwrap().to_owned();
    // Let the first frames and the engine settle before measuring.
    thread::sleep(Duration::from_secs(1));
    let rss_idle = window.rss_mib();
    let cpu_before = window.cpu_time();
    thread::sleep(Duration::from_secs(5));
    let idle_cpu = window.cpu_time() - cpu_before;

    xdo(&["windowfocus", "--sync", &id]);
    let target = format!("sip:sipp@{}", sipp.addr());
    xdo(&["type", "--delay", "20", &target]);
    xdo(&["key", "Return"]);

    // sipp answers at once; the call is up once its log holds our ACK.
    let log = sipp.dir().join("messages.log");
    let messages = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_for("sipp to receive the INVITE and our ACK", STEP, || {
        messages().contains("ACK sip:")
    });
    thread::sleep(Duration::from_millis(700));
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gui_xvfb_connected.png");
    let status = x
        .tool(
            import.to_str().unwrap(),
            &["-window", "root", shot.to_str().unwrap()],
        )
        .status;
    assert!(status.success(), "import failed");
    let rss_call = window.rss_mib();

    xdo(&["key", "Escape"]);
    let out = sipp.wait();
    out.assert_success();
    assert!(
        out.file("messages.log")
            .contains(&"INVITE sip:sipp@".to_string()),
        "sipp saw no INVITE from the window"
    );
    assert!(
        !window.log().contains("panicked"),
        "linekey panicked:\n{}",
        window.log()
    );
    eprintln!(
        "linekey window: first window after {:.0} ms, RSS {rss_idle:.1} MiB idle and \
         {rss_call:.1} MiB in a call, {} ms CPU in 5 s idle; screenshot {}",
        appeared.as_secs_f64() * 1000.0,
        idle_cpu.as_millis(),
        shot.display()
    );
}

#[test]
fn without_a_display_the_window_fails_with_one_sentence() {
    let home = tempfile::tempdir().unwrap();
    for display in [None, Some(":239")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_linekey"));
        command
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("LANG", "C")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("LINEKEY_RUNTIME_DIR", home.path().join("run"));
        if let Some(display) = display {
            command.env("DISPLAY", display);
        }
        let out = command.output().expect("run linekey");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{display:?}: exit status 0");
        assert!(!stderr.contains("panicked"), "{display:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{display:?}: {stderr}");
        assert!(
            stderr.contains("cannot open the window"),
            "{display:?}: {stderr}"
        );
    }
}
