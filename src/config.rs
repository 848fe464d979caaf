//! linekey's settings: a TOML file (the same for the GUI and `linekey agent`) plus `--set
//! key=value` overrides from the command line.
//!
//! Loading is deliberately forgiving about keys it does not know (they become warnings, so a
//! settings file written by a newer linekey still loads) and strict about values (every error
//! names the file, the key and the problem on one line, because that line is all a script or a
//! user sees when the agent refuses to start).
//!
//! The desktop phone loads the same file tolerantly instead (`tolerant`: it always starts, and
//! says what it overlooked), saves it without ever losing what was there (`store`), and keeps
//! the password in the system keyring when there is one (`secret`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use serde::{Deserialize, Serialize};

mod secret;
mod store;
mod tolerant;

pub use secret::{Keyring, NoKeyring, SystemKeyring, SERVICE as KEYRING_SERVICE};
pub use store::{backup_path, project_dirs, SaveError, Saved, FILE_NAME};
pub use tolerant::{FileState, Tolerant};

/// Codec names linekey can negotiate, in the spelling used on the wire and in settings.
const KNOWN_CODECS: [&str; 3] = ["opus", "PCMU", "PCMA"];

/// All of linekey's settings, one field per `[section]` of the settings file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Config {
    /// `[account]`: who we are and how we register.
    pub account: Account,
    /// `[network]`: the SIP socket, RTP ports and SIP timers.
    pub network: Network,
    /// `[proxy]`: outbound proxies; all absent means calls go straight to the URI's host.
    pub proxy: Proxy,
    /// `[dialplan]`: where the dial template comes from.
    pub dialplan: DialPlan,
    /// `[audio]`: sound devices (or test sources and sinks).
    pub audio: Audio,
    /// `[calls]`: line keys and call behaviour.
    pub calls: Calls,
    /// `[ui]`: how the window speaks.
    pub ui: Ui,
    /// `[log]`: what goes into the log.
    pub log: Log,
}

/// `[account]`: the SIP identity, credentials and registration.
// Debug is written by hand so the password never reaches logs or test output.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Account {
    /// User part of our address of record (required).
    pub user: String,
    /// Domain of our address of record: the From host, and the registrar if none is given (required).
    pub domain: String,
    /// Display name put in From headers.
    pub display_name: String,
    /// Digest authentication user name; `None` means `user`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_user: Option<String>,
    /// Digest authentication password (filled from the keyring on load when it is kept there).
    pub password: String,
    /// Whether the password is kept in the system keyring rather than in this file; written
    /// by `save`, which decides where it goes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub password_in_keyring: bool,
    /// Whether to REGISTER on start (and keep refreshing).
    pub register: bool,
    /// Registrar as host[:port]; `None` means `domain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registrar: Option<String>,
    /// Expires value requested in REGISTER, in seconds.
    pub register_expires: u32,
    /// Also REGISTER at the backup proxy (and keep refreshing), for a backup that only routes
    /// calls to phones registered with it. Needs `register` and `proxy.backup`.
    pub register_backup: bool,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            user: String::new(),
            domain: String::new(),
            display_name: String::new(),
            auth_user: None,
            password: String::new(),
            password_in_keyring: false,
            register: false,
            registrar: None,
            register_expires: 3600,
            register_backup: false,
        }
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .field("display_name", &self.display_name)
            .field("auth_user", &self.auth_user)
            .field(
                "password",
                &if self.password.is_empty() {
                    ""
                } else {
                    "<hidden>"
                },
            )
            .field("password_in_keyring", &self.password_in_keyring)
            .field("register", &self.register)
            .field("registrar", &self.registrar)
            .field("register_expires", &self.register_expires)
            .field("register_backup", &self.register_backup)
            .finish()
    }
}

impl Account {
    /// The user name for digest authentication: `auth_user`, or `user` when that is not set.
    pub fn auth_name(&self) -> &str {
        self.auth_user.as_deref().unwrap_or(&self.user)
    }

    /// The name the password is filed under in the keyring: `auth_user@domain`.
    pub fn keyring_account(&self) -> String {
        format!("{}@{}", self.auth_name(), self.domain)
    }

    /// Where to send REGISTER: `registrar`, or `domain` when that is not set.
    pub fn registrar_target(&self) -> &str {
        self.registrar.as_deref().unwrap_or(&self.domain)
    }
}

/// `[network]`: the SIP socket, RTP port range and SIP transaction timers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Network {
    /// Local address and port for SIP over UDP.
    pub bind: String,
    /// Inclusive range of local ports for RTP (and RTCP on the odd neighbour).
    pub rtp_ports: [u16; 2],
    /// RFC 3261 T1, the round-trip estimate, in milliseconds.
    pub timer_t1_ms: u64,
    /// RFC 3261 T2, the longest retransmit interval for non-INVITE requests, in milliseconds.
    pub timer_t2_ms: u64,
    /// RFC 3261 T4, how long messages linger in the network, in milliseconds.
    pub timer_t4_ms: u64,
    /// INVITE transmissions to the primary proxy before the backup is tried.
    pub invite_attempts: u32,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            bind: "0.0.0.0:5060".to_owned(),
            rtp_ports: [20000, 20999],
            timer_t1_ms: 500,
            timer_t2_ms: 4000,
            timer_t4_ms: 5000,
            invite_attempts: 7,
        }
    }
}

/// `[proxy]`: outbound proxies, each host[:port].
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Proxy {
    /// Proxy used for every request while it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// Proxy tried when the primary does not answer within `invite_attempts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    /// Proxy used for emergency calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
}

/// `[dialplan]`: the Cisco dial-template XML that turns dial strings into targets.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DialPlan {
    /// Path of the dial-template file; `None` means dial strings are used as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// `[audio]`: where sound comes from and goes to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Audio {
    /// Capture device name, or "silence", "tone:HZ", "wav:PATH".
    pub input: String,
    /// Playback device name, or "null", "wav:PATH".
    pub output: String,
    /// Device the ring tone plays on.
    pub ringer: String,
}

impl Default for Audio {
    fn default() -> Self {
        Audio {
            input: "default".to_owned(),
            output: "default".to_owned(),
            ringer: "default".to_owned(),
        }
    }
}

/// `[calls]`: line keys and how calls behave.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Calls {
    /// Number of line keys (the agent allows large values for load tests).
    pub lines: u32,
    /// Answer incoming calls at once.
    pub auto_answer: bool,
    /// How we put the other party on hold.
    pub hold_style: HoldStyle,
    /// Codecs to offer, most preferred first ("opus", "PCMU", "PCMA").
    pub codecs: Vec<String>,
    /// As the caller, CANCEL an unanswered call after this many seconds.
    pub ring_timeout_s: u64,
    /// Reject incoming calls as busy.
    pub do_not_disturb: bool,
    /// Forward every incoming call to this `sip:` URI (answered `302`).
    pub forward_always: Option<String>,
    /// Forward incoming calls here when every line is taken (instead of `486`).
    pub forward_busy: Option<String>,
    /// Forward incoming calls here when they ring unanswered for `forward_no_answer_s`.
    pub forward_no_answer: Option<String>,
    /// Seconds an incoming call rings before `forward_no_answer` takes it.
    pub forward_no_answer_s: u64,
    /// Ask the user before following a transfer (REFER) the far end asks for; false follows it
    /// at once.
    pub refer_consent: bool,
}

impl Default for Calls {
    fn default() -> Self {
        Calls {
            lines: 6,
            auto_answer: false,
            hold_style: HoldStyle::default(),
            codecs: KNOWN_CODECS.iter().map(|c| (*c).to_owned()).collect(),
            ring_timeout_s: 60,
            do_not_disturb: false,
            forward_always: None,
            forward_busy: None,
            forward_no_answer: None,
            forward_no_answer_s: 20,
            refer_consent: false,
        }
    }
}

/// `[log]`: what the log records beyond warnings and the phone's progress.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Log {
    /// Every SIP message sent and received, in full, at target `linekey::sip_trace` (for
    /// diagnosing a provider; messages carry names and numbers, so it is off by default).
    pub sip_trace: bool,
}

pub use crate::core::sdp::HoldStyle;

/// `[ui]`: settings of the window only (the agent ignores them).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Ui {
    /// A language code from `i18n::LANGUAGES`, or `i18n::SYSTEM` to follow the system locale.
    pub language: String,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            language: crate::i18n::SYSTEM.to_owned(),
        }
    }
}

/// A loaded configuration plus warnings that did not stop loading (unknown keys).
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The validated settings.
    pub config: Config,
    /// One-line messages about things that were ignored.
    pub warnings: Vec<String>,
}

/// Why settings could not be loaded; each displays as one line naming the file and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The settings file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{origin}: {}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line of the error, when toml could locate it.
        line: Option<usize>,
        /// What toml said, on one line.
        message: String,
    },
    /// A key in the file has a value of the wrong type or an unusable value.
    #[error("{origin}: key {key}: {problem}")]
    Key {
        /// The file.
        origin: String,
        /// Dotted key, like `network.bind`.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A `--set` override is malformed, names an unknown key, or gives an unusable value.
    #[error("--set {key}: {problem}")]
    Override {
        /// The dotted key (or the whole argument when it has no `=`).
        key: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl Config {
    /// Loads a settings file and applies `--set key=value` overrides (dotted keys like network.bind=127.0.0.1:5061).
    pub fn load(path: &Path, overrides: &[String]) -> Result<Loaded, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: origin.clone(),
            source,
        })?;
        let mut loaded = Self::from_toml(&text, &origin, overrides)?;
        let config = &mut loaded.config;
        config.password_from_keyring(&SystemKeyring, &origin, &mut loaded.warnings);
        Ok(loaded)
    }

    /// Parses settings text (for tests and for load); `origin` names the file in messages.
    pub fn from_toml(
        text: &str,
        origin: &str,
        overrides: &[String],
    ) -> Result<Loaded, ConfigError> {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| syntax_error(text, origin, &e))?;
        let schema = schema();

        let mut warnings = Vec::new();
        unknown_keys(&table, &schema, "", &mut |key| {
            warnings.push(format!("{origin}: unknown key {key}, ignored"));
        });

        let mut overridden = Vec::new();
        for arg in overrides {
            overridden.push(apply_override(&mut table, &schema, arg)?);
        }
        // Where a bad value came from decides which name the message starts with.
        let blame = |key: String, problem: String| {
            let from_set = overridden.iter().any(|o| {
                key == *o || key.starts_with(&format!("{o}.")) || o.starts_with(&format!("{key}."))
            });
            if from_set {
                ConfigError::Override { key, problem }
            } else {
                ConfigError::Key {
                    origin: origin.to_owned(),
                    key,
                    problem,
                }
            }
        };

        let mut config: Config = match toml::Value::Table(table.clone()).try_into() {
            Ok(config) => config,
            Err(whole) => {
                let (key, problem) = find_bad_key(&table, &schema).unwrap_or_else(|| {
                    // Not expected: every failure should be pinned to one key above.
                    (String::from("(unknown)"), one_line(whole.message()))
                });
                return Err(blame(key, problem));
            }
        };
        config.normalise();
        config.validate(origin).map_err(|e| match e {
            ConfigError::Key { key, problem, .. } => blame(key, problem),
            other => other,
        })?;
        Ok(Loaded { config, warnings })
    }

    /// Checks values that TOML types alone cannot (user and domain present, bind is ip:port, rtp range ordered and even-sized, lines 1..=1000, T1 > 0, invite_attempts 1..=20, known codecs, proxies are host[:port], a language linekey speaks).
    pub fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let bad = |key: &str, problem: String| ConfigError::Key {
            origin: origin.to_owned(),
            key: key.to_owned(),
            problem,
        };

        if self.account.user.trim().is_empty() {
            return Err(bad(
                "account.user",
                "is required (the user part of our SIP address)".into(),
            ));
        }
        if self.account.domain.trim().is_empty() {
            return Err(bad(
                "account.domain",
                "is required (the host part of our SIP address)".into(),
            ));
        }
        self.validate_values(origin)
    }

    /// The checks of `validate` except the required account fields, which a first start of the
    /// GUI does not have yet.
    fn validate_values(&self, origin: &str) -> Result<(), ConfigError> {
        let bad = |key: &str, problem: String| ConfigError::Key {
            origin: origin.to_owned(),
            key: key.to_owned(),
            problem,
        };
        if let Some(registrar) = &self.account.registrar {
            check_host_port(registrar).map_err(|p| bad("account.registrar", p))?;
        }

        if self.network.bind.parse::<SocketAddr>().is_err() {
            return Err(bad(
                "network.bind",
                format!(
                    "{:?} is not an address with a port (like 127.0.0.1:5061)",
                    self.network.bind
                ),
            ));
        }
        let [low, high] = self.network.rtp_ports;
        if low == 0 || low > high {
            return Err(bad(
                "network.rtp_ports",
                format!(
                    "[{low}, {high}] is not a range of ports, lowest first (like [20000, 20999])"
                ),
            ));
        }
        // Each call takes an RTP port and the RTCP port next to it, so ports come in pairs.
        if !(u32::from(high) - u32::from(low) + 1).is_multiple_of(2) {
            return Err(bad(
                "network.rtp_ports",
                format!("[{low}, {high}] holds an odd number of ports; RTP and RTCP need pairs (like [20000, 20999])"),
            ));
        }
        if self.network.timer_t1_ms == 0 {
            return Err(bad("network.timer_t1_ms", "must be more than 0".into()));
        }
        if !(1..=20).contains(&self.network.invite_attempts) {
            return Err(bad(
                "network.invite_attempts",
                format!("{} is not between 1 and 20", self.network.invite_attempts),
            ));
        }

        for (key, value) in [
            ("proxy.primary", &self.proxy.primary),
            ("proxy.backup", &self.proxy.backup),
            ("proxy.emergency", &self.proxy.emergency),
        ] {
            if let Some(value) = value {
                check_host_port(value).map_err(|p| bad(key, p))?;
            }
        }

        if self.account.register_backup && self.proxy.backup.is_none() {
            return Err(bad(
                "account.register_backup",
                "needs a backup proxy to register at (set proxy.backup)".into(),
            ));
        }

        if !(1..=1000).contains(&self.calls.lines) {
            return Err(bad(
                "calls.lines",
                format!("{} is not between 1 and 1000", self.calls.lines),
            ));
        }
        if self.calls.codecs.is_empty() {
            return Err(bad(
                "calls.codecs",
                "needs at least one of \"opus\", \"PCMU\", \"PCMA\"".into(),
            ));
        }
        for codec in &self.calls.codecs {
            if canonical_codec(codec).is_none() {
                return Err(bad(
                    "calls.codecs",
                    format!("{codec:?} is not a known codec (use \"opus\", \"PCMU\" or \"PCMA\")"),
                ));
            }
        }
        for (key, value) in [
            ("calls.forward_always", &self.calls.forward_always),
            ("calls.forward_busy", &self.calls.forward_busy),
            ("calls.forward_no_answer", &self.calls.forward_no_answer),
        ] {
            if let Some(value) = value {
                check_forward_target(value).map_err(|p| bad(key, p))?;
            }
        }
        if self.calls.forward_no_answer_s == 0 {
            return Err(bad(
                "calls.forward_no_answer_s",
                "must be at least 1 (seconds of ringing before the call is forwarded)".into(),
            ));
        }
        let language = &self.ui.language;
        if language != crate::i18n::SYSTEM
            && !crate::i18n::LANGUAGES.iter().any(|l| l.code == language)
        {
            let codes: Vec<_> = crate::i18n::LANGUAGES.iter().map(|l| l.code).collect();
            return Err(bad(
                "ui.language",
                format!(
                    "{language:?} is not a language linekey speaks (use \"system\" or one of {codes:?})"
                ),
            ));
        }
        Ok(())
    }

    /// Reads the dial plan file, if the settings name one (else the empty plan, which dials
    /// what is typed). The error names the file, and the line when the file is broken; the
    /// caller says what happens instead. The engine and the GUI's keypad both read it here.
    pub fn load_dial_plan(&self) -> Result<crate::core::dialplan::DialPlan, String> {
        use crate::core::dialplan::DialPlan;
        let Some(file) = &self.dialplan.file else {
            return Ok(DialPlan::default());
        };
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("dial plan {file}: cannot read: {e}"))?;
        DialPlan::parse(&text, file).map_err(|e| format!("dial plan {e}"))
    }

    /// The socket address to bind SIP to.
    pub fn bind_addr(&self) -> SocketAddr {
        // validate() has checked this; the fallback only keeps an unvalidated Config from panicking.
        self.network
            .bind
            .parse()
            .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 5060))
    }

    /// Rewrites codec names in their canonical spelling and drops repeats, so later code can compare exactly.
    fn normalise(&mut self) {
        let mut codecs: Vec<String> = Vec::with_capacity(self.calls.codecs.len());
        for codec in &self.calls.codecs {
            // Unknown names are kept as written so validate() can quote them.
            let name = canonical_codec(codec).map_or_else(|| codec.clone(), str::to_owned);
            if !codecs.contains(&name) {
                codecs.push(name);
            }
        }
        self.calls.codecs = codecs;
    }
}

/// The canonical spelling of a codec name, matched case-insensitively.
fn canonical_codec(name: &str) -> Option<&'static str> {
    KNOWN_CODECS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(name.trim()))
}

/// Checks a forwarding target is a `sip:`, `sips:` or `tel:` URI, which is what goes in the
/// `302`'s Contact.
fn check_forward_target(value: &str) -> Result<(), String> {
    crate::core::sip::uri::Uri::parse(value)
        .map(|_| ())
        .map_err(|e| {
            format!(
                "{value:?} is not a SIP address (like \"sip:carol@10.0.0.3\"): {}",
                e.reason
            )
        })
}

/// Checks `value` is host[:port]: a name, an IPv4 address, or an IPv6 address (bracketed if it has a port).
fn check_host_port(value: &str) -> Result<(), String> {
    let problem = || format!("{value:?} is not a host or host:port (like 127.0.0.1:5070)");
    let port_ok = |port: &str| matches!(port.parse::<u16>(), Ok(p) if p > 0);
    if let Some(rest) = value.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or_else(problem)?;
        let port_fine = after.is_empty() || after.strip_prefix(':').is_some_and(port_ok);
        return match addr.parse::<Ipv6Addr>() {
            Ok(_) if port_fine => Ok(()),
            _ => Err(problem()),
        };
    }
    if value.parse::<Ipv6Addr>().is_ok() {
        return Ok(());
    }
    let (host, port) = match value.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (value, None),
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if host_ok && port.is_none_or(port_ok) {
        Ok(())
    } else {
        Err(problem())
    }
}

/// Every key the settings file may hold: the default `Config` serialized, with optional keys filled in.
fn schema() -> toml::Table {
    let mut config = Config::default();
    // Options (and flags, when false) serialize to nothing; give them a value so their keys
    // are known too.
    config.account.auth_user = Some(String::new());
    config.account.password_in_keyring = true;
    config.account.registrar = Some(String::new());
    config.proxy.primary = Some(String::new());
    config.proxy.backup = Some(String::new());
    config.proxy.emergency = Some(String::new());
    config.dialplan.file = Some(String::new());
    config.calls.forward_always = Some(String::new());
    config.calls.forward_busy = Some(String::new());
    config.calls.forward_no_answer = Some(String::new());
    // Serializing plain structs of strings, numbers and arrays cannot fail.
    toml::Table::try_from(&config).unwrap_or_default()
}

/// Calls `report` with the dotted name of every key in `table` that `schema` does not have.
fn unknown_keys(
    table: &toml::Table,
    schema: &toml::Table,
    prefix: &str,
    report: &mut dyn FnMut(String),
) {
    for (key, value) in table {
        let dotted = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (schema.get(key), value) {
            (None, _) => report(dotted),
            (Some(toml::Value::Table(inner_schema)), toml::Value::Table(inner)) => {
                unknown_keys(inner, inner_schema, &dotted, report);
            }
            // A known key with the wrong shape is a type error, reported when deserializing.
            _ => {}
        }
    }
}

/// Applies one `--set key=value` to `table`, returning the dotted key it set.
fn apply_override(
    table: &mut toml::Table,
    schema: &toml::Table,
    arg: &str,
) -> Result<String, ConfigError> {
    let Some((key, raw)) = arg.split_once('=') else {
        return Err(ConfigError::Override {
            key: arg.to_owned(),
            problem: "expected key=value".into(),
        });
    };
    let key = key.trim();
    let raw = raw.trim();
    let unknown = || ConfigError::Override {
        key: key.to_owned(),
        problem: "unknown key".into(),
    };
    let parts: Vec<&str> = key.split('.').map(str::trim).collect();
    if key.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::Override {
            key: arg.to_owned(),
            problem: "expected key=value".into(),
        });
    }

    // Walk schema and table together: the schema says the key exists, the table gets created.
    let (last, path) = parts.split_last().ok_or_else(unknown)?;
    let mut schema_here = schema;
    let mut here = table;
    for part in path {
        schema_here = match schema_here.get(*part) {
            Some(toml::Value::Table(t)) => t,
            _ => return Err(unknown()),
        };
        let entry = here
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            // The override replaces whatever wrong-shaped value the file had here.
            *entry = toml::Value::Table(toml::Table::new());
        }
        here = match entry {
            toml::Value::Table(t) => t,
            _ => return Err(unknown()),
        };
    }
    let expected = schema_here.get(*last).ok_or_else(unknown)?;

    // A TOML value if it is one (true, 7, [1, 2], "x"), else the text itself (127.0.0.1:5061).
    // Where a string is expected the text is always kept, so user=1001 stays "1001".
    let value = match raw.parse::<toml::Value>() {
        Ok(v @ toml::Value::String(_)) => v,
        Ok(_) if expected.is_str() => toml::Value::String(raw.to_owned()),
        Ok(v) => v,
        Err(_) => toml::Value::String(raw.to_owned()),
    };
    here.insert(last.to_string(), value);
    Ok(key.to_owned())
}

/// Finds the first key whose value stops `Config` deserializing, and what toml says is wrong with it.
fn find_bad_key(table: &toml::Table, schema: &toml::Table) -> Option<(String, String)> {
    // Try each known value alone on top of the defaults: the one that fails is the culprit.
    // (toml's own error keeps its key path private, so it cannot simply be asked.)
    let defaults = toml::Table::try_from(Config::default()).ok()?;
    let attempt = |section: &str, key: Option<&str>, value: &toml::Value| {
        value_problem(&defaults, section, key, value)
    };
    for (section, value) in table {
        let Some(toml::Value::Table(section_schema)) = schema.get(section) else {
            continue;
        };
        let toml::Value::Table(fields) = value else {
            if let Some(problem) = attempt(section, None, value) {
                return Some((section.clone(), problem));
            }
            continue;
        };
        for (key, value) in fields {
            if !section_schema.contains_key(key) {
                continue;
            }
            if let Some(problem) = attempt(section, Some(key), value) {
                return Some((format!("{section}.{key}"), problem));
            }
        }
    }
    None
}

/// What toml says is wrong with `value` for `section` (or `section.key`), tried alone on top of
/// `defaults` (the default `Config` as a table); `None` when it deserializes.
fn value_problem(
    defaults: &toml::Table,
    section: &str,
    key: Option<&str>,
    value: &toml::Value,
) -> Option<String> {
    let mut trial = defaults.clone();
    match key {
        None => {
            trial.insert(section.to_owned(), value.clone());
        }
        Some(key) => {
            if let Some(toml::Value::Table(t)) = trial.get_mut(section) {
                t.insert(key.to_owned(), value.clone());
            }
        }
    }
    toml::Value::Table(trial)
        .try_into::<Config>()
        .err()
        .map(|e| one_line(e.message()))
}

/// Turns a toml parse error into one line naming the file and line.
fn syntax_error(text: &str, origin: &str, error: &toml::de::Error) -> ConfigError {
    let line = error.span().map(|span| {
        text.as_bytes()[..span.start.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    });
    ConfigError::Syntax {
        origin: origin.to_owned(),
        line,
        message: one_line(error.message()),
    }
}

/// Joins a possibly multi-line message into one line, since errors are printed as one.
fn one_line(message: &str) -> String {
    message
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT_EXAMPLE: &str = include_str!("../tests/fixtures/config/agent-example.toml");
    const MINIMAL: &str = "[account]\nuser = \"alice\"\ndomain = \"127.0.0.1\"\n";

    fn sets(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    fn load_err(text: &str, overrides: &[&str]) -> String {
        Config::from_toml(text, "x.toml", &sets(overrides))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn agent_example_parses() {
        let loaded = Config::from_toml(AGENT_EXAMPLE, "agent.toml", &[]).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let c = loaded.config;
        assert_eq!(c.account.user, "alice");
        assert_eq!(c.account.domain, "127.0.0.1");
        assert_eq!(c.account.display_name, "Alice");
        assert_eq!(c.account.auth_user.as_deref(), Some("alice"));
        assert_eq!(c.account.password, "secret");
        assert!(!c.account.register);
        assert_eq!(c.account.registrar.as_deref(), Some("127.0.0.1:5070"));
        assert_eq!(c.account.register_expires, 3600);
        assert_eq!(c.network.bind, "127.0.0.1:5061");
        assert_eq!(c.bind_addr(), "127.0.0.1:5061".parse().unwrap());
        assert_eq!(c.network.rtp_ports, [20000, 20999]);
        assert_eq!(c.network.timer_t1_ms, 500);
        assert_eq!(c.network.invite_attempts, 7);
        assert_eq!(c.proxy.primary.as_deref(), Some("127.0.0.1:5070"));
        assert_eq!(c.proxy.backup.as_deref(), Some("127.0.0.1:5080"));
        assert_eq!(c.proxy.emergency.as_deref(), Some("127.0.0.1:5090"));
        assert_eq!(c.dialplan.file.as_deref(), Some("dialplan.xml"));
        assert_eq!(c.audio.input, "default");
        assert_eq!(c.audio.output, "default");
        assert_eq!(c.calls.lines, 6);
        assert!(!c.calls.auto_answer);
        assert_eq!(c.calls.hold_style, HoldStyle::ZeroAddress);
        assert_eq!(c.calls.codecs, ["opus", "PCMU", "PCMA"]);
    }

    #[test]
    fn load_reads_file_and_names_missing_one() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
        let loaded =
            Config::load(&dir.join("agent-example.toml"), &sets(&["calls.lines=2"])).unwrap();
        assert_eq!(loaded.config.calls.lines, 2);

        let missing = dir.join("no-such-file.toml");
        let err = Config::load(&missing, &[]).unwrap_err().to_string();
        assert!(err.starts_with(&missing.display().to_string()), "{err}");
        assert!(err.contains("cannot read"), "{err}");
    }

    #[test]
    fn defaults() {
        let c = Config::from_toml(MINIMAL, "x.toml", &[]).unwrap().config;
        let mut expected = Config::default();
        expected.account.user = "alice".into();
        expected.account.domain = "127.0.0.1".into();
        assert_eq!(c, expected);
        assert_eq!(c.network.bind, "0.0.0.0:5060");
        assert_eq!(c.bind_addr(), "0.0.0.0:5060".parse().unwrap());
        assert_eq!(c.network.rtp_ports, [20000, 20999]);
        assert_eq!(
            (
                c.network.timer_t1_ms,
                c.network.timer_t2_ms,
                c.network.timer_t4_ms
            ),
            (500, 4000, 5000)
        );
        assert_eq!(c.network.invite_attempts, 7);
        assert_eq!(c.account.register_expires, 3600);
        assert_eq!(c.account.auth_name(), "alice");
        assert_eq!(c.account.registrar_target(), "127.0.0.1");
        assert_eq!(c.proxy, Proxy::default());
        assert_eq!(c.audio.ringer, "default");
        assert_eq!(c.calls.lines, 6);
        assert_eq!(c.calls.hold_style, HoldStyle::ZeroAddress);
        assert_eq!(c.calls.ring_timeout_s, 60);
        assert!(!c.calls.do_not_disturb);
    }

    #[test]
    fn set_overrides() {
        let loaded = Config::from_toml(
            MINIMAL,
            "x.toml",
            &sets(&[
                "network.bind=127.0.0.1:5061",
                "calls.auto_answer=true",
                "calls.lines = 200",
                "network.rtp_ports=[30000, 30099]",
                "proxy.primary=127.0.0.1:5070",
                "account.user=1001",
                "account.display_name=\"Front Desk\"",
                "calls.codecs=[\"pcma\"]",
                "calls.hold_style=sendonly",
            ]),
        )
        .unwrap();
        let c = loaded.config;
        assert_eq!(c.bind_addr(), "127.0.0.1:5061".parse().unwrap());
        assert!(c.calls.auto_answer);
        assert_eq!(c.calls.lines, 200);
        assert_eq!(c.network.rtp_ports, [30000, 30099]);
        assert_eq!(c.proxy.primary.as_deref(), Some("127.0.0.1:5070"));
        assert_eq!(c.account.user, "1001");
        assert_eq!(c.account.display_name, "Front Desk");
        assert_eq!(c.calls.codecs, ["PCMA"]);
        assert_eq!(c.calls.hold_style, HoldStyle::SendOnly);
    }

    #[test]
    fn set_creates_missing_sections_and_wins_over_file() {
        let text = "[account]\nuser = \"bob\"\n[calls]\nlines = 3\n";
        let c = Config::from_toml(
            text,
            "x.toml",
            &sets(&["account.domain=example.com", "calls.lines=4"]),
        )
        .unwrap()
        .config;
        assert_eq!(c.account.domain, "example.com");
        assert_eq!(c.calls.lines, 4);
        let c = Config::from_toml(
            "",
            "x.toml",
            &sets(&["account.user=a", "account.domain=b", "dialplan.file=d.xml"]),
        )
        .unwrap()
        .config;
        assert_eq!(c.dialplan.file.as_deref(), Some("d.xml"));
    }

    #[test]
    fn set_errors() {
        let err = load_err(MINIMAL, &["account.foo=1"]);
        assert_eq!(err, "--set account.foo: unknown key");
        let err = load_err(MINIMAL, &["nosuch.bind=1"]);
        assert_eq!(err, "--set nosuch.bind: unknown key");
        let err = load_err(MINIMAL, &["network.bind.port=1"]);
        assert_eq!(err, "--set network.bind.port: unknown key");
        let err = load_err(MINIMAL, &["network.bind"]);
        assert_eq!(err, "--set network.bind: expected key=value");
        let err = load_err(MINIMAL, &["network.bind=127.0.0.1"]);
        assert!(
            err.starts_with("--set network.bind: \"127.0.0.1\" is not an address with a port"),
            "{err}"
        );
        let err = load_err(MINIMAL, &["calls.lines=six"]);
        assert!(err.starts_with("--set calls.lines: "), "{err}");
    }

    #[test]
    fn unknown_key_in_file_is_a_warning() {
        let text = format!("{MINIMAL}foo = 1\n[calls]\nline_count = 3\n[extra]\nx = 1\n");
        let loaded = Config::from_toml(&text, "x.toml", &[]).unwrap();
        assert_eq!(
            loaded.warnings,
            [
                "x.toml: unknown key account.foo, ignored",
                "x.toml: unknown key calls.line_count, ignored",
                "x.toml: unknown key extra, ignored",
            ]
        );
        assert_eq!(loaded.config.calls.lines, 6);
    }

    #[test]
    fn wrong_type_names_key() {
        let err = load_err(&format!("{MINIMAL}[calls]\nlines = \"six\"\n"), &[]);
        assert!(err.starts_with("x.toml: key calls.lines: "), "{err}");
        assert!(!err.contains('\n'), "{err}");
        let err = load_err(&format!("calls = 5\n{MINIMAL}"), &[]);
        assert!(err.starts_with("x.toml: key calls: "), "{err}");
        let err = load_err(&format!("{MINIMAL}[network]\nrtp_ports = [1, 2, 3]\n"), &[]);
        assert!(err.starts_with("x.toml: key network.rtp_ports: "), "{err}");
    }

    #[test]
    fn syntax_error_names_line() {
        let err = load_err("[account]\nuser = \"alice\"\ndomain = = 1\n", &[]);
        assert!(err.starts_with("x.toml: line 3: "), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn required_account_fields() {
        let err = load_err("[account]\ndomain = \"example.com\"\n", &[]);
        assert!(err.starts_with("x.toml: key account.user: "), "{err}");
        let err = load_err("[account]\nuser = \"alice\"\n", &[]);
        assert!(err.starts_with("x.toml: key account.domain: "), "{err}");
    }

    #[test]
    fn dial_plan_is_read_from_the_named_file() {
        let mut config = Config::default();
        assert_eq!(config.load_dial_plan(), Ok(Default::default()));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dialplan.xml");
        config.dialplan.file = Some(file.to_string_lossy().into_owned());
        let err = config.load_dial_plan().unwrap_err();
        assert!(err.contains("dialplan.xml: cannot read"), "{err}");
        std::fs::write(&file, "<DIALTEMPLATE>\n<TEMPLATE/>\n</DIALTEMPLATE>\n").unwrap();
        let err = config.load_dial_plan().unwrap_err();
        assert!(err.contains("dialplan.xml: line 2"), "{err}");
        std::fs::write(
            &file,
            r#"<DIALTEMPLATE><TEMPLATE MATCH="1..."/></DIALTEMPLATE>"#,
        )
        .unwrap();
        assert_eq!(config.load_dial_plan().unwrap().templates.len(), 1);
    }

    #[test]
    fn bad_values_name_key() {
        let err = load_err(MINIMAL, &["account.register_backup=true"]);
        assert!(
            err.starts_with("--set account.register_backup: needs a backup proxy"),
            "{err}"
        );
        let err = load_err(&format!("{MINIMAL}[network]\nbind = \"127.0.0.1\"\n"), &[]);
        assert_eq!(
            err,
            "x.toml: key network.bind: \"127.0.0.1\" is not an address with a port (like 127.0.0.1:5061)"
        );
        let err = load_err(
            &format!("{MINIMAL}[calls]\ncodecs = [\"opus\", \"G729\"]\n"),
            &[],
        );
        assert!(
            err.starts_with("x.toml: key calls.codecs: \"G729\" is not a known codec"),
            "{err}"
        );
        let err = load_err(
            &format!("{MINIMAL}[calls]\nhold_style = \"send-only\"\n"),
            &[],
        );
        assert!(err.starts_with("x.toml: key calls.hold_style: "), "{err}");
        let err = load_err(&format!("{MINIMAL}[calls]\nlines = 0\n"), &[]);
        assert!(err.starts_with("x.toml: key calls.lines: "), "{err}");
        let err = load_err(
            &format!("{MINIMAL}[network]\nrtp_ports = [21000, 20000]\n"),
            &[],
        );
        assert!(err.starts_with("x.toml: key network.rtp_ports: "), "{err}");
        let err = load_err(
            &format!("{MINIMAL}[network]\nrtp_ports = [20000, 20000]\n"),
            &[],
        );
        assert!(err.starts_with("x.toml: key network.rtp_ports: "), "{err}");
        let err = load_err(&format!("{MINIMAL}[network]\ntimer_t1_ms = 0\n"), &[]);
        assert!(
            err.starts_with("x.toml: key network.timer_t1_ms: "),
            "{err}"
        );
        let err = load_err(&format!("{MINIMAL}[network]\ninvite_attempts = 21\n"), &[]);
        assert!(
            err.starts_with("x.toml: key network.invite_attempts: "),
            "{err}"
        );
        let err = load_err(
            &format!("{MINIMAL}[proxy]\nbackup = \"proxy host:5060\"\n"),
            &[],
        );
        assert!(err.starts_with("x.toml: key proxy.backup: "), "{err}");
        let err = load_err(
            &format!("{MINIMAL}[proxy]\nprimary = \"p.example.com:70000\"\n"),
            &[],
        );
        assert!(err.starts_with("x.toml: key proxy.primary: "), "{err}");
    }

    #[test]
    fn forward_targets_must_be_sip_addresses() {
        let err = load_err(
            &format!("{MINIMAL}[calls]\nforward_busy = \"carol at home\"\n"),
            &[],
        );
        assert!(
            err.starts_with(
                "x.toml: key calls.forward_busy: \"carol at home\" is not a SIP address"
            ),
            "{err}"
        );
        let err = load_err(MINIMAL, &["calls.forward_always=nowhere"]);
        assert!(err.starts_with("--set calls.forward_always: "), "{err}");
        let err = load_err(&format!("{MINIMAL}[calls]\nforward_no_answer_s = 0\n"), &[]);
        assert!(
            err.starts_with("x.toml: key calls.forward_no_answer_s: "),
            "{err}"
        );
        let text = format!(
            "{MINIMAL}[calls]\nforward_no_answer = \"sip:carol@10.0.0.3\"\nforward_no_answer_s = 5\n"
        );
        let loaded = Config::from_toml(&text, "x.toml", &[]).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(
            loaded.config.calls.forward_no_answer.as_deref(),
            Some("sip:carol@10.0.0.3")
        );
        assert_eq!(loaded.config.calls.forward_no_answer_s, 5);
    }

    #[test]
    fn codecs_normalised_and_hosts_accepted() {
        let text = format!(
            "{MINIMAL}[calls]\ncodecs = [\"PCMU\", \"OPUS\", \"pcmu\"]\n[proxy]\nprimary = \"sip.example.com\"\nbackup = \"[::1]:5080\"\nemergency = \"10.0.0.1:5060\"\n"
        );
        let c = Config::from_toml(&text, "x.toml", &[]).unwrap().config;
        assert_eq!(c.calls.codecs, ["PCMU", "opus"]);
        assert_eq!(c.proxy.backup.as_deref(), Some("[::1]:5080"));
    }

    #[test]
    fn ui_language_is_system_or_a_known_language() {
        let c = Config::from_toml(MINIMAL, "x.toml", &[]).unwrap().config;
        assert_eq!(c.ui.language, "system");
        let c = Config::from_toml(
            &format!("{MINIMAL}[ui]\nlanguage = \"de\"\n"),
            "x.toml",
            &[],
        )
        .unwrap()
        .config;
        assert_eq!(c.ui.language, "de");
        let err = load_err(MINIMAL, &["ui.language=klingon"]);
        assert!(
            err.starts_with("--set ui.language: \"klingon\" is not a language"),
            "{err}"
        );
    }

    #[test]
    fn password_hidden_from_debug() {
        let c = Config::from_toml(AGENT_EXAMPLE, "agent.toml", &[])
            .unwrap()
            .config;
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn round_trip() {
        let mut c = Config::from_toml(AGENT_EXAMPLE, "agent.toml", &[])
            .unwrap()
            .config;
        c.calls.hold_style = HoldStyle::SendOnly;
        c.calls.do_not_disturb = true;
        let text = toml::to_string(&c).unwrap();
        let back = Config::from_toml(&text, "round.toml", &[]).unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_eq!(back.config, c);
        assert!(text.contains("hold_style = \"sendonly\""), "{text}");

        let mut c = Config::default();
        c.account.user = "u".into();
        c.account.domain = "d".into();
        let back = Config::from_toml(&toml::to_string(&c).unwrap(), "round.toml", &[]).unwrap();
        assert_eq!(back.config, c);
    }
}
