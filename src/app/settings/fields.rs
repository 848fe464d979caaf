//! The dialog's fields: which tab each one is on, how its text becomes a setting, and why a
//! value is refused.
//!
//! [`Config::validate`] stays the one judge of what a valid configuration is; the checks here
//! only turn text into numbers and addresses first, and give each refusal a translated
//! sentence next to the right field instead of validate's one English line.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use crate::config::{Config, ConfigError};
use crate::i18n::{tr, tr_with};

/// A page of the full dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tab {
    /// Identity, sign-in and registration.
    Account,
    /// Outbound proxies.
    Proxies,
    /// SIP socket, RTP ports and timers.
    Network,
    /// Microphone, speaker and ringer.
    Audio,
    /// Codecs, hold, lines and call handling.
    Calls,
    /// Call forwarding.
    Forwarding,
    /// Language and dial plan.
    General,
}

impl Tab {
    /// Every tab, in the order of the navigation.
    pub const ALL: [Tab; 7] = [
        Tab::Account,
        Tab::Proxies,
        Tab::Network,
        Tab::Audio,
        Tab::Calls,
        Tab::Forwarding,
        Tab::General,
    ];

    /// The translation key of the tab's name; `<key>-intro` is the sentence under its title.
    pub(super) fn key(self) -> &'static str {
        match self {
            Tab::Account => "settings-tab-account",
            Tab::Proxies => "settings-tab-proxies",
            Tab::Network => "settings-tab-network",
            Tab::Audio => "settings-tab-audio",
            Tab::Calls => "settings-tab-calls",
            Tab::Forwarding => "settings-tab-forwarding",
            Tab::General => "settings-tab-general",
        }
    }
}

/// Something the user edits that can be refused: every text field, plus the codec list. Each
/// text field edits the setting of the same name in `Config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    DisplayName,
    User,
    Domain,
    AuthUser,
    Password,
    Registrar,
    RegisterExpires,
    ProxyPrimary,
    ProxyBackup,
    ProxyEmergency,
    BindAddress,
    BindPort,
    RtpFirst,
    RtpLast,
    TimerT1,
    InviteAttempts,
    Lines,
    RingTimeout,
    ForwardAlways,
    ForwardBusy,
    ForwardNoAnswer,
    ForwardNoAnswerSeconds,
    DialPlanFile,
    /// The enabled codecs, as a whole.
    Codecs,
    /// The configuration as a whole, for a refusal no field explains (shown next to Save).
    Whole,
}

impl Field {
    /// Every field edited as text.
    pub const TEXT: [Field; 23] = [
        Field::DisplayName,
        Field::User,
        Field::Domain,
        Field::AuthUser,
        Field::Password,
        Field::Registrar,
        Field::RegisterExpires,
        Field::ProxyPrimary,
        Field::ProxyBackup,
        Field::ProxyEmergency,
        Field::BindAddress,
        Field::BindPort,
        Field::RtpFirst,
        Field::RtpLast,
        Field::TimerT1,
        Field::InviteAttempts,
        Field::Lines,
        Field::RingTimeout,
        Field::ForwardAlways,
        Field::ForwardBusy,
        Field::ForwardNoAnswer,
        Field::ForwardNoAnswerSeconds,
        Field::DialPlanFile,
    ];

    /// The fields of the first-run form.
    pub const FIRST_RUN: [Field; 4] = [
        Field::DisplayName,
        Field::User,
        Field::Domain,
        Field::Password,
    ];

    /// The tab the field is on.
    pub fn tab(self) -> Tab {
        use Field::*;
        match self {
            DisplayName | User | Domain | AuthUser | Password | Registrar | RegisterExpires => {
                Tab::Account
            }
            ProxyPrimary | ProxyBackup | ProxyEmergency => Tab::Proxies,
            BindAddress | BindPort | RtpFirst | RtpLast | TimerT1 | InviteAttempts => Tab::Network,
            Lines | RingTimeout | Codecs => Tab::Calls,
            ForwardAlways | ForwardBusy | ForwardNoAnswer | ForwardNoAnswerSeconds => {
                Tab::Forwarding
            }
            DialPlanFile | Whole => Tab::General,
        }
    }

    /// The widget id of the field's input, also the stem of its translation keys: the label
    /// is `<id>`, the placeholder `<id>-placeholder`, the explanation under it `<id>-help`.
    pub fn id(self) -> &'static str {
        use Field::*;
        match self {
            DisplayName => "settings-display-name",
            User => "settings-user",
            Domain => "settings-domain",
            AuthUser => "settings-auth-user",
            Password => "settings-password",
            Registrar => "settings-registrar",
            RegisterExpires => "settings-register-expires",
            ProxyPrimary => "settings-proxy-primary",
            ProxyBackup => "settings-proxy-backup",
            ProxyEmergency => "settings-proxy-emergency",
            BindAddress => "settings-bind-address",
            BindPort => "settings-bind-port",
            RtpFirst => "settings-rtp-first",
            RtpLast => "settings-rtp-last",
            TimerT1 => "settings-timer-t1",
            InviteAttempts => "settings-invite-attempts",
            Lines => "settings-lines",
            RingTimeout => "settings-ring-timeout",
            ForwardAlways => "settings-forward-always",
            ForwardBusy => "settings-forward-busy",
            ForwardNoAnswer => "settings-forward-no-answer",
            ForwardNoAnswerSeconds => "settings-forward-no-answer-seconds",
            DialPlanFile => "settings-dialplan-file",
            Codecs => "settings-codecs",
            Whole => "settings-whole",
        }
    }

    /// The field's text as the dialog opens on `config`.
    pub fn text_of(self, config: &Config) -> String {
        use Field::*;
        let optional = |value: &Option<String>| value.clone().unwrap_or_default();
        let bind = config.network.bind.parse::<SocketAddr>().ok();
        match self {
            DisplayName => config.account.display_name.clone(),
            User => config.account.user.clone(),
            Domain => config.account.domain.clone(),
            AuthUser => optional(&config.account.auth_user),
            Password => config.account.password.clone(),
            Registrar => optional(&config.account.registrar),
            RegisterExpires => config.account.register_expires.to_string(),
            ProxyPrimary => optional(&config.proxy.primary),
            ProxyBackup => optional(&config.proxy.backup),
            ProxyEmergency => optional(&config.proxy.emergency),
            BindAddress => bind.map_or_else(|| config.network.bind.clone(), |b| b.ip().to_string()),
            BindPort => bind.map_or_else(String::new, |b| b.port().to_string()),
            RtpFirst => config.network.rtp_ports[0].to_string(),
            RtpLast => config.network.rtp_ports[1].to_string(),
            TimerT1 => config.network.timer_t1_ms.to_string(),
            InviteAttempts => config.network.invite_attempts.to_string(),
            Lines => config.calls.lines.to_string(),
            RingTimeout => config.calls.ring_timeout_s.to_string(),
            ForwardAlways => optional(&config.calls.forward_always),
            ForwardBusy => optional(&config.calls.forward_busy),
            ForwardNoAnswer => optional(&config.calls.forward_no_answer),
            ForwardNoAnswerSeconds => config.calls.forward_no_answer_s.to_string(),
            DialPlanFile => optional(&config.dialplan.file),
            Codecs | Whole => String::new(),
        }
    }
}

/// Why a value is refused; shown as a sentence under its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field must not be empty.
    Required,
    /// Not a host or host:port.
    HostPort,
    /// Not an IP address.
    IpAddress,
    /// Not a whole number in `min..=max`.
    Between(u64, u64),
    /// Not a whole number of at least this.
    AtLeast(u64),
    /// The RTP ports are not a range, lowest first, of an even number of ports.
    RtpRange,
    /// Not a `sip:`, `sips:` or `tel:` address.
    SipAddress,
    /// Every codec is turned off.
    NoCodec,
    /// The dial plan file is refused by the parser at this line.
    DialPlan {
        /// 1-based line in the file.
        line: usize,
        /// The parser's reason.
        reason: String,
    },
    /// The dial plan file is not given by its full path.
    FullPath,
    /// The dial plan file cannot be read; what the system said.
    Unreadable(String),
    /// The dial plan file is still being read.
    Checking,
    /// Refused by [`Config::validate`] for a reason the dialog has no sentence for; its words.
    Other(String),
}

impl Problem {
    /// The sentence shown to the user.
    pub fn text(&self) -> String {
        let number = |n: u64| (n as f64).into();
        match self {
            Problem::Required => tr("settings-error-required"),
            Problem::HostPort => tr("settings-error-host-port"),
            Problem::IpAddress => tr("settings-error-ip-address"),
            Problem::Between(min, max) => tr_with(
                "settings-error-between",
                &[("min", number(*min)), ("max", number(*max))],
            ),
            Problem::AtLeast(min) => tr_with("settings-error-at-least", &[("min", number(*min))]),
            Problem::RtpRange => tr("settings-error-rtp-range"),
            Problem::SipAddress => tr("settings-error-sip-address"),
            Problem::NoCodec => tr("settings-error-no-codec"),
            Problem::DialPlan { line, reason } => tr_with(
                "settings-error-dialplan",
                &[
                    ("line", number(*line as u64)),
                    ("reason", reason.as_str().into()),
                ],
            ),
            Problem::Unreadable(reason) => tr_with(
                "settings-error-unreadable",
                &[("reason", reason.as_str().into())],
            ),
            Problem::FullPath => tr("settings-error-full-path"),
            Problem::Checking => tr("settings-dialplan-checking"),
            Problem::Other(words) => words.clone(),
        }
    }
}

/// The configuration the fields describe, and what is wrong with them.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// `base` with every field that could be read applied.
    pub config: Config,
    /// The refused fields.
    pub problems: BTreeMap<Field, Problem>,
}

/// Reads `texts` over `base` (which holds everything not edited as text) and checks the result.
pub fn check(base: &Config, texts: &BTreeMap<Field, String>) -> Checked {
    let mut config = base.clone();
    let mut problems = BTreeMap::new();
    for field in Field::TEXT {
        let text = texts.get(&field).map_or("", String::as_str);
        if let Err(problem) = apply(&mut config, field, text, texts) {
            problems.insert(field, problem);
        }
    }
    validate_all(&config, &mut problems);
    Checked { config, problems }
}

/// Puts one field's text into `config`.
fn apply(
    config: &mut Config,
    field: Field,
    text: &str,
    texts: &BTreeMap<Field, String>,
) -> Result<(), Problem> {
    use Field::*;
    let trimmed = text.trim();
    let optional = || (!trimmed.is_empty()).then(|| trimmed.to_owned());
    match field {
        DisplayName => config.account.display_name = trimmed.to_owned(),
        User => config.account.user = trimmed.to_owned(),
        Domain => config.account.domain = trimmed.to_owned(),
        AuthUser => config.account.auth_user = optional(),
        // Spaces may be part of a password.
        Password => config.account.password = text.to_owned(),
        Registrar => config.account.registrar = optional(),
        RegisterExpires => config.account.register_expires = at_least(trimmed, 1)?,
        ProxyPrimary => config.proxy.primary = optional(),
        ProxyBackup => config.proxy.backup = optional(),
        ProxyEmergency => config.proxy.emergency = optional(),
        BindAddress => {
            let ip = trimmed
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .map_err(|_| Problem::IpAddress)?;
            // The port is refused on its own field; the address alone is fine then.
            let port_text = texts.get(&BindPort).map_or("", String::as_str);
            if let Ok(port) = between::<u16>(port_text.trim(), 0, 65535) {
                config.network.bind = SocketAddr::new(ip, port).to_string();
            }
        }
        BindPort => {
            between::<u16>(trimmed, 0, 65535)?;
        }
        RtpFirst => config.network.rtp_ports[0] = between(trimmed, 1, 65535)?,
        RtpLast => config.network.rtp_ports[1] = between(trimmed, 1, 65535)?,
        TimerT1 => config.network.timer_t1_ms = at_least(trimmed, 1)?,
        InviteAttempts => config.network.invite_attempts = between(trimmed, 1, 20)?,
        Lines => config.calls.lines = between(trimmed, 1, 1000)?,
        RingTimeout => config.calls.ring_timeout_s = at_least(trimmed, 1)?,
        ForwardAlways => config.calls.forward_always = optional(),
        ForwardBusy => config.calls.forward_busy = optional(),
        ForwardNoAnswer => config.calls.forward_no_answer = optional(),
        ForwardNoAnswerSeconds => config.calls.forward_no_answer_s = at_least(trimmed, 1)?,
        DialPlanFile => config.dialplan.file = optional(),
        Codecs | Whole => {}
    }
    Ok(())
}

/// A whole number in `min..=max`.
fn between<T>(text: &str, min: u64, max: u64) -> Result<T, Problem>
where
    T: TryFrom<u64>,
{
    text.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .and_then(|n| T::try_from(n).ok())
        .ok_or(Problem::Between(min, max))
}

/// A whole number of at least `min` that fits in `T`.
fn at_least<T>(text: &str, min: u64) -> Result<T, Problem>
where
    T: TryFrom<u64>,
{
    text.parse::<u64>()
        .ok()
        .filter(|n| *n >= min)
        .and_then(|n| T::try_from(n).ok())
        .ok_or(Problem::AtLeast(min))
}

/// Runs [`Config::validate`] until it has nothing more to say, pinning each refusal to its
/// field. Validate stops at the first bad key, so each one found is replaced by a good value
/// in a scratch copy before asking again.
fn validate_all(config: &Config, problems: &mut BTreeMap<Field, Problem>) {
    let mut scratch = config.clone();
    let mut good = Config::default();
    good.account.user = "user".into();
    good.account.domain = "example.com".into();
    // Every round fixes one key, and there are fewer keys than this.
    for _ in 0..64 {
        let Err(ConfigError::Key { key, problem, .. }) = scratch.validate("settings") else {
            return;
        };
        let Some((field, refusal)) = field_of(&key) else {
            // A key no field edits (a newer setting): report it where Save is.
            problems
                .entry(Field::Whole)
                .or_insert(Problem::Other(format!("{key}: {problem}")));
            return;
        };
        problems.entry(field).or_insert(refusal);
        repair(&mut scratch, &good, &key);
    }
}

/// The field and sentence for a key refused by [`Config::validate`].
fn field_of(key: &str) -> Option<(Field, Problem)> {
    Some(match key {
        "account.user" => (Field::User, Problem::Required),
        "account.domain" => (Field::Domain, Problem::Required),
        "account.registrar" => (Field::Registrar, Problem::HostPort),
        "network.bind" => (Field::BindAddress, Problem::IpAddress),
        "network.rtp_ports" => (Field::RtpLast, Problem::RtpRange),
        "network.timer_t1_ms" => (Field::TimerT1, Problem::AtLeast(1)),
        "network.invite_attempts" => (Field::InviteAttempts, Problem::Between(1, 20)),
        "proxy.primary" => (Field::ProxyPrimary, Problem::HostPort),
        "proxy.backup" => (Field::ProxyBackup, Problem::HostPort),
        "proxy.emergency" => (Field::ProxyEmergency, Problem::HostPort),
        "calls.lines" => (Field::Lines, Problem::Between(1, 1000)),
        "calls.codecs" => (Field::Codecs, Problem::NoCodec),
        "calls.forward_always" => (Field::ForwardAlways, Problem::SipAddress),
        "calls.forward_busy" => (Field::ForwardBusy, Problem::SipAddress),
        "calls.forward_no_answer" => (Field::ForwardNoAnswer, Problem::SipAddress),
        "calls.forward_no_answer_s" => (Field::ForwardNoAnswerSeconds, Problem::AtLeast(1)),
        _ => return None,
    })
}

/// Copies the value of `key` from `good` into `scratch`.
fn repair(scratch: &mut Config, good: &Config, key: &str) {
    match key {
        "account.user" => scratch.account.user.clone_from(&good.account.user),
        "account.domain" => scratch.account.domain.clone_from(&good.account.domain),
        "account.registrar" => scratch.account.registrar = None,
        "network.bind" => scratch.network.bind.clone_from(&good.network.bind),
        "network.rtp_ports" => scratch.network.rtp_ports = good.network.rtp_ports,
        "network.timer_t1_ms" => scratch.network.timer_t1_ms = good.network.timer_t1_ms,
        "network.invite_attempts" => {
            scratch.network.invite_attempts = good.network.invite_attempts;
        }
        "proxy.primary" => scratch.proxy.primary = None,
        "proxy.backup" => scratch.proxy.backup = None,
        "proxy.emergency" => scratch.proxy.emergency = None,
        "calls.lines" => scratch.calls.lines = good.calls.lines,
        "calls.codecs" => scratch.calls.codecs.clone_from(&good.calls.codecs),
        "calls.forward_always" => scratch.calls.forward_always = None,
        "calls.forward_busy" => scratch.calls.forward_busy = None,
        "calls.forward_no_answer" => scratch.calls.forward_no_answer = None,
        "calls.forward_no_answer_s" => {
            scratch.calls.forward_no_answer_s = good.calls.forward_no_answer_s;
        }
        _ => {}
    }
}
