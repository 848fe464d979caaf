//! The files that install linekey like a desktop app: they pass the freedesktop validators, name
//! one application id everywhere, `make install` puts them where desktops look, and the Debian
//! package installs, makes linekey the handler for `sip:` links, and removes cleanly.
//!
//! `make test` installs the validators (desktop-file-utils, appstream, xdg-utils) and cargo-deb;
//! the package test needs root (it runs dpkg), which CI has.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const APP_ID: &str = "io.github.linekey.Linekey";
const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];
const SCHEMES: [&str; 4] = ["sip", "sips", "tel", "callto"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs a tool the Makefile installs, failing with a pointer to `make test` when it is missing.
fn run(program: &str, args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(root());
    for (key, value) in envs {
        command.env(key, value);
    }
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); `make test` installs it"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn desktop_file() -> String {
    format!("packaging/linux/{APP_ID}.desktop")
}

fn metainfo_file() -> String {
    format!("packaging/linux/{APP_ID}.metainfo.xml")
}

#[test]
fn desktop_file_is_valid_and_handles_call_links() {
    let out = run("desktop-file-validate", &[&desktop_file()], &[]);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let entry = read(&desktop_file());
    let lines: Vec<&str> = entry.lines().collect();
    assert!(lines.contains(&"Exec=linekey %u"));
    assert!(lines.contains(&"Categories=Network;Telephony;"));
    assert!(lines.contains(&format!("Icon={APP_ID}").as_str()));
    let mime = SCHEMES.map(|s| format!("x-scheme-handler/{s};")).concat();
    assert!(
        lines.contains(&format!("MimeType={mime}").as_str()),
        "{entry}"
    );
}

#[test]
fn metainfo_is_valid() {
    let out = run(
        "appstreamcli",
        &["validate", "--no-net", &metainfo_file()],
        &[],
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn one_application_id_everywhere() {
    let metainfo = read(&metainfo_file());
    assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
    assert!(metainfo.contains(&format!(
        "<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>"
    )));
    assert!(read(&desktop_file()).contains(&format!("StartupWMClass={APP_ID}")));
    assert!(read(&format!("packaging/flatpak/{APP_ID}.yml")).contains(&format!("app-id: {APP_ID}")));
    let plist = read("packaging/macos/Info.plist");
    assert!(plist.contains(&format!("<string>{APP_ID}</string>")));
    for scheme in SCHEMES {
        assert!(
            plist.contains(&format!("<string>{scheme}</string>")),
            "{scheme}"
        );
    }
    let installer = read("packaging/windows/linekey.iss");
    assert!(installer.contains(&format!("#define AppId \"{APP_ID}\"")));
    for scheme in SCHEMES {
        assert!(
            installer.contains(&format!(
                "Software\\Classes\\{scheme}\\shell\\open\\command"
            )),
            "{scheme}"
        );
    }
    let cargo = read("Cargo.toml");
    assert!(cargo.contains(&format!("packaging/linux/{APP_ID}.desktop")));
    assert!(read("Makefile").contains(&format!("APP_ID     := {APP_ID}")));
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn icons_come_in_every_size() {
    let svg = read(&format!("assets/icons/{APP_ID}.svg"));
    assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 128 128\""));
    for size in ICON_SIZES {
        let png = root().join(format!("assets/icons/{size}x{size}/{APP_ID}.png"));
        assert_eq!(png_size(&png), (size, size), "{}", png.display());
    }
}

#[test]
fn make_install_stages_everything_under_destdir() {
    let stage = tempfile::tempdir().unwrap();
    let destdir = format!("DESTDIR={}", stage.path().display());
    let binary = format!("BINARY={}", env!("CARGO_BIN_EXE_linekey"));
    let out = run(
        "make",
        &[
            "--no-print-directory",
            "install",
            "PREFIX=/usr",
            &destdir,
            &binary,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A staged install registers nothing on this machine.
    assert!(
        !text(&out.stdout).contains("registering"),
        "{}",
        text(&out.stdout)
    );
    let usr = stage.path().join("usr");
    let mut expected: Vec<PathBuf> = vec![
        usr.join("bin/linekey"),
        usr.join(format!("share/applications/{APP_ID}.desktop")),
        usr.join(format!("share/metainfo/{APP_ID}.metainfo.xml")),
        usr.join(format!("share/icons/hicolor/scalable/apps/{APP_ID}.svg")),
    ];
    expected.extend(
        ICON_SIZES.map(|s| usr.join(format!("share/icons/hicolor/{s}x{s}/apps/{APP_ID}.png"))),
    );
    for file in &expected {
        assert!(file.is_file(), "{} was not installed", file.display());
    }
    let out = run(
        "make",
        &["--no-print-directory", "uninstall", "PREFIX=/usr", &destdir],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(expected.iter().all(|f| !f.exists()));
}

/// Whether this process may run dpkg.
fn is_root() -> bool {
    run("id", &["-u"], &[]).stdout.trim_ascii() == b"0"
}

/// The default handler for a URI scheme, as xdg-open would choose it, ignoring the settings of
/// whoever runs the test.
fn handler_of(scheme: &str, home: &Path) -> String {
    let out = run(
        "xdg-mime",
        &["query", "default", &format!("x-scheme-handler/{scheme}")],
        &[
            ("XDG_CONFIG_HOME", &home.join("config")),
            ("XDG_DATA_HOME", &home.join("data")),
        ],
    );
    text(&out.stdout).trim().to_owned()
}

#[test]
fn deb_installs_as_the_sip_link_handler_and_removes_cleanly() {
    assert!(
        is_root(),
        "installing the Debian package needs root: run `make test` as root (as CI does)"
    );
    let installed = run("dpkg-query", &["-W", "-f=${Status}", "linekey"], &[]);
    assert!(
        !text(&installed.stdout).contains("installed"),
        "a linekey package is already installed here; this test would remove it"
    );

    // The binary `cargo test` built is packaged as it is: `cargo build` would compile much of
    // the tree again (minutes), as without the dev-dependencies some crates get other features.
    let out = run(
        "make",
        &["--no-print-directory", "deb", "DEB_FLAGS=--no-build"],
        &[("CARGO_NET_OFFLINE", Path::new("true"))],
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let deb = text(&out.stdout)
        .lines()
        .rev()
        .find(|l| l.ends_with(".deb"))
        .map(str::to_owned)
        .expect("cargo deb names the package it wrote");

    let home = tempfile::tempdir().unwrap();
    let out = run("dpkg", &["-i", &deb], &[]);
    let install_log = format!("{}{}", text(&out.stdout), text(&out.stderr));
    // Remove the package whatever the checks below find.
    let handlers = SCHEMES.map(|s| handler_of(s, home.path()));
    let binary = Path::new("/usr/bin/linekey").is_file();
    let removed = run("dpkg", &["-r", "linekey"], &[]);

    assert!(out.status.success(), "{install_log}");
    assert!(binary, "dpkg -i did not install /usr/bin/linekey");
    for (scheme, handler) in SCHEMES.iter().zip(&handlers) {
        assert_eq!(
            handler,
            &format!("{APP_ID}.desktop"),
            "x-scheme-handler/{scheme}"
        );
    }
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    assert!(!Path::new("/usr/bin/linekey").exists());
    assert_eq!(handler_of("sip", home.path()), "");
}
