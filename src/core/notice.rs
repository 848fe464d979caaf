//! What the phone tells the user in a `status` or `error` event, as data: a Fluent message id
//! (`i18n/*/linekey.ftl`, section "Engine notices") and its named arguments. The window renders
//! it in the chosen language; the agent and the logs get the English sentence. Each notice is a
//! variant with typed fields, so a call site cannot misspell a key or forget an argument, and a
//! test can go through every key.
//!
//! Rendering a Fluent bundle is pure computation, so the sans-IO core may do it.

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::i18n;

/// A value a notice names in its sentence.
pub trait Arg {
    /// The value as text; a nested notice is rendered with `nested` (in the same language as
    /// the sentence around it).
    fn text(&self, nested: &dyn Fn(&Notice) -> String) -> String;
}

impl Arg for usize {
    fn text(&self, _: &dyn Fn(&Notice) -> String) -> String {
        self.to_string()
    }
}

impl Arg for u16 {
    fn text(&self, _: &dyn Fn(&Notice) -> String) -> String {
        self.to_string()
    }
}

impl Arg for String {
    fn text(&self, _: &dyn Fn(&Notice) -> String) -> String {
        self.clone()
    }
}

impl Arg for Box<Notice> {
    fn text(&self, nested: &dyn Fn(&Notice) -> String) -> String {
        nested(self)
    }
}

/// Declares [`Notice`], its keys and its argument names from one list, so they cannot drift
/// apart.
macro_rules! notices {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $key:literal { $($field:ident: $ty:ty),* $(,)? }
    )*) => {
        /// A sentence for the user, by Fluent message id; the fields are its `$arguments`.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Notice {
            $( $(#[doc = $doc])* $variant { $($field: $ty),* }, )*
        }

        impl Notice {
            /// The Fluent message id, also the agent's `key`.
            pub fn key(&self) -> &'static str {
                match self {
                    $( Notice::$variant { .. } => $key, )*
                }
            }

            /// The arguments by name, nested notices rendered by `nested`.
            pub fn args_with(
                &self,
                nested: &dyn Fn(&Notice) -> String,
            ) -> Vec<(&'static str, String)> {
                match self {
                    $( Notice::$variant { $($field),* } => {
                        vec![$( (stringify!($field), Arg::text($field, nested)) ),*]
                    } )*
                }
            }
        }

        /// Every key with the names of its arguments, for checking the translations.
        pub const KEYS: &[(&str, &[&str])] = &[ $( ($key, &[$(stringify!($field)),*]), )* ];
    };
}

notices! {
    // The primary proxy and its backup (failover.rs).
    /// The primary proxy did not answer; the call goes to the backup.
    NetworkDelay = "status-network-delay" {}
    /// The primary proxy answered with a server error; the call goes to the backup.
    ProxyError = "status-proxy-error" {}
    /// The primary proxy answers again.
    PrimaryBack = "status-primary-back" { proxy: String }

    // Placing a call (caller.rs, redirect.rs, forwarding.rs).
    /// The dial field was empty.
    NothingToDial = "error-nothing-to-dial" {}
    /// What was typed is no address (`target` comes quoted).
    CannotDial = "error-cannot-dial" { target: String, reason: String }
    /// No dial plan template matches (`typed` comes quoted).
    NoPlanMatch = "error-no-plan-match" { typed: String }
    /// The call cannot be placed; `reason` says why.
    CannotCall = "error-cannot-call" { uri: String, reason: Box<Notice> }
    /// A `tel:` URI without an outbound proxy.
    NeedsProxy = "error-needs-proxy" { uri: String }
    /// The host of a URI has no address.
    HostUnresolved = "error-host-unresolved" { host: String }
    /// The outbound proxy has no address.
    ProxyAddressUnresolved = "error-proxy-address-unresolved" { proxy: String }
    /// A proxy the dial plan routes to has no address (`which`: primary, backup, emergency,
    /// dialplan).
    ProxyUnresolved = "error-proxy-unresolved" { which: String, proxy: String }
    /// The dial plan routes to a proxy that is not set.
    ProxyUnset = "error-proxy-unset" { which: String }
    /// Every line has a call.
    AllLinesBusy = "error-all-lines-busy" {}
    /// No RTP port could be bound.
    NoAudioPort = "error-no-audio-port" { reason: String }
    /// The far end answered with media we cannot use.
    IncompatibleMediaEnded = "status-incompatible-media-ended" {}
    /// The far end refused the call for want of a common codec.
    IncompatibleMediaFailed = "status-incompatible-media-failed" {}
    /// Our INVITE went unanswered.
    NoAnswerFrom = "status-no-answer-from" { dest: String }
    /// A redirect loop or chain was cut.
    TooManyRedirects = "status-too-many-redirects" {}
    /// A 3xx sent the call on.
    Redirected = "status-redirected" { target: String }
    /// We forwarded a call (calls.forward_*).
    Forwarded = "status-forwarded" { from: String, target: String }

    // Registration (registration.rs); `which` is registrar or backup (the backup proxy).
    /// The registrar's name has no address.
    RegistrarUnresolved = "registration-unresolved" { which: String, registrar: String }
    /// The registrar refused the expiry even after 423.
    RegistrationRefused = "registration-refused" { which: String, status: String }
    /// The credentials were refused.
    WrongPassword = "registration-wrong-password" { status: String }
    /// The registrar refused the account (403).
    AccountRefused = "registration-account-refused" { which: String, status: String }
    /// Any other final answer.
    RegistrarAnswered = "registration-answered" { which: String, status: String }
    /// REGISTER went unanswered.
    RegistrarSilent = "registration-no-answer" { which: String, registrar: String }
    /// The removal went unanswered.
    NotUnregistered = "registration-removal-unanswered" { which: String, registrar: String }

    // Lines (callee.rs, lines.rs).
    /// An answer or decline for a line that does not ring.
    NotRinging = "error-not-ringing" { line: usize }
    /// A line number beyond the line keys.
    NoSuchLine = "error-no-such-line" { line: usize, lines: usize }
    /// A command for a line without a call.
    LineIdle = "error-line-idle" { line: usize }
    /// A request waits for one line's hold.
    WaitForLine = "error-wait-for-line" { line: usize }
    /// A request waits for several lines' holds (`lines`: all but the last, comma-separated).
    WaitForLines = "error-wait-for-lines" { lines: String, last: usize }
    /// A request waits for a hold on a line that has gone.
    WaitForAnotherLine = "error-wait-for-another-line" {}
    /// A hold asked for before another request was refused.
    StillConnected = "status-still-connected" { line: usize }
    /// The talking call ended while another is held.
    StillOnHold = "status-still-on-hold" { line: usize }

    // Hold and resume (hold.rs).
    /// Hold on a line without a connected call.
    HoldNoCall = "error-hold-no-call" { line: usize }
    /// Resume on a line without a connected call.
    ResumeNoCall = "error-resume-no-call" { line: usize }
    /// Hold on a held line.
    AlreadyHeld = "error-already-held" { line: usize }
    /// Hold while the hold is under way.
    AlreadyHolding = "error-already-holding" { line: usize }
    /// Resume while the resume is under way.
    AlreadyResuming = "error-already-resuming" { line: usize }
    /// Resume on a line the far end holds.
    HeldByPeer = "error-held-by-peer" { line: usize }
    /// Resume on a line that is not held.
    NotHeld = "error-not-held" { line: usize }
    /// The far end's answer to our hold cannot be used.
    HoldAnswerUnusable = "error-hold-answer-unusable" { line: usize, reason: String }
    /// The far end's answer to our resume cannot be used.
    ResumeAnswerUnusable = "error-resume-answer-unusable" { line: usize, reason: String }
    /// The far end refused our hold (`status`: its status line).
    HoldRefused = "error-hold-refused" { line: usize, status: String }
    /// The far end refused our resume.
    ResumeRefused = "error-resume-refused" { line: usize, status: String }

    // DTMF (dtmf.rs, the media thread).
    /// Digits on a line we hold.
    DtmfOnHold = "error-dtmf-on-hold" { line: usize }
    /// Digits on a line the far end holds.
    DtmfRemoteHeld = "error-dtmf-remote-held" { line: usize }
    /// Digits on a line without a connected call.
    DtmfNoCall = "error-dtmf-no-call" { line: usize }
    /// An empty digit string.
    DtmfEmpty = "error-dtmf-empty" {}
    /// A character that is no DTMF digit (`digit` comes quoted).
    DtmfInvalid = "error-dtmf-invalid" { digit: String }
    /// The media side could not send the digits (`digits` come quoted).
    DtmfNotSent = "error-dtmf-not-sent" { digits: String, reason: String }

    // Conference (conference.rs).
    /// A line joined with itself.
    ConferenceSameLine = "error-conference-same-line" { line: usize }
    /// A second conference.
    ConferenceExists = "error-conference-exists" { first: usize, second: usize }
    /// Resume on a conference line.
    ConferenceNotHeld = "error-conference-not-held" { line: usize }
    /// A line the far end holds cannot join.
    ConferenceRemoteHeld = "error-conference-remote-held" { line: usize }
    /// A line without a connected call cannot join.
    ConferenceNoCall = "error-conference-no-call" { line: usize }

    // Transfer (transfer.rs, consent.rs).
    /// A transfer that cannot start; `reason` says why.
    CannotTransfer = "error-cannot-transfer" { line: usize, reason: Box<Notice> }
    /// Why: the consultation line named has no call of its own.
    TransferNoOtherCall = "error-transfer-no-other-call" { line: usize }
    /// Why: the consultation call is not connected.
    TransferNotConnected = "error-transfer-not-connected" { line: usize }
    /// Why: neither a target nor a consultation line, or both.
    TransferTargetOrLine = "error-transfer-target-or-line" {}
    /// Why: the line's call is not connected.
    TransferNoCall = "error-transfer-no-call" {}
    /// Why: the line is already being transferred.
    TransferUnderWay = "error-transfer-under-way" {}
    /// Our REFER was refused or unanswered.
    TransferFailed = "error-transfer-failed" { line: usize, status: String }
    /// The transferee reports that the call to the target failed.
    TransferToFailed = "error-transfer-to-failed" { target: String, status: String }
    /// The transferee reports progress.
    TransferProgress = "status-transfer-progress" { target: String, status: String }
    /// An attended transfer the transferee never reported on: our calls are handed over anyway.
    TransferNoWord = "status-transfer-no-word" { target: String }
    /// accept/decline_transfer without a request.
    NoTransferRequest = "error-no-transfer-request" { line: usize }

    // Settings (the engine's configure.rs).
    /// New settings failed validation.
    SettingsNotApplied = "error-settings-not-applied" { reason: String }
    /// network.bind or network.rtp_ports changed under a running phone.
    RestartForNetwork = "status-restart-for-network" { bind: String, low: u16, high: u16 }
    /// A broken dial plan at start.
    DialPlanNone = "error-dial-plan-none" { reason: String }
    /// A broken dial plan on reload.
    DialPlanKept = "error-dial-plan-kept" { reason: String }

    // Audio (the media thread and the devices).
    /// The media thread could not start.
    AudioCannotStart = "error-audio-cannot-start" { reason: String }
    /// A call's RTP sockets could not be used.
    CallAudioCannotStart = "error-call-audio-cannot-start" { reason: String }
    /// A call's negotiated stream could not start.
    NoAudioOnLine = "error-no-audio-on-line" { line: usize, reason: String }
    /// A device spec that is none of the accepted forms.
    DeviceInvalid = "status-device-invalid" { spec: String, reason: String }
    /// A WAV file to play could not be read.
    WavRead = "status-wav-read" { path: String, reason: String }
    /// A WAV file to record to could not be written.
    WavWrite = "status-wav-write" { path: String, reason: String }
    /// Recording to a WAV file stopped midway.
    WavStopped = "status-wav-stopped" { path: String, reason: String }
    /// No sound card for a direction (`direction`: input or output).
    DeviceUnavailable = "status-device-unavailable" { direction: String, name: String, reason: String }
    /// The microphone failed (`error`: why).
    InputFailed = "status-input-failed" { error: Box<Notice> }
    /// The speaker failed.
    OutputFailed = "status-output-failed" { error: Box<Notice> }
    /// The ringer failed.
    RingerFailed = "status-ringer-failed" { error: Box<Notice> }
    /// The named card is missing; the default one plays.
    DeviceFallback = "status-device-fallback" { error: Box<Notice>, direction: String }
    /// The named card is back.
    DeviceBack = "status-device-back" { name: String }
    /// A named card vanished; the default one plays.
    DeviceGone = "status-device-gone" { name: String, direction: String }
    /// The default card vanished; the new default plays.
    DefaultDeviceGone = "status-default-device-gone" { direction: String }
    /// A named card vanished and no other works.
    DeviceGoneNoOther = "status-device-gone-no-other" { name: String, direction: String, reason: String }
    /// The default card vanished and no other works.
    DefaultDeviceGoneNoOther = "status-default-device-gone-no-other" { direction: String, reason: String }

    // Sentences made outside the phone's own set.
    /// A sentence given whole: the agent's answers to a malformed command, warnings about the
    /// settings file, messages the window has already translated.
    Text = "notice-text" { text: String }
}

impl Notice {
    /// A sentence given whole ([`Notice::Text`]).
    pub fn text(text: impl Into<String>) -> Notice {
        Notice::Text { text: text.into() }
    }

    /// The sentence in English, whatever the window's language: for the agent and the logs.
    pub fn english(&self) -> String {
        i18n::english(self.key(), &self.args_with(&Notice::english))
    }

    /// The arguments as the agent shows them: by name, nested notices in English.
    pub fn args(&self) -> BTreeMap<&'static str, String> {
        self.args_with(&Notice::english).into_iter().collect()
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

/// `"key": "…", "args": {…}`, flattened into the `status` and `error` events.
impl Serialize for Notice {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("key", self.key())?;
        map.serialize_entry("args", &self.args())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_sentences_are_the_ones_the_agent_always_printed() {
        let cases = [
            (
                Notice::StillOnHold { line: 2 },
                "Line 2 is still on hold: resume it to talk",
            ),
            (
                Notice::ProxyUnresolved {
                    which: "dialplan".into(),
                    proxy: "pbx:5060".into(),
                },
                "the dial plan's proxy address pbx:5060 could not be resolved",
            ),
            (
                Notice::CannotCall {
                    uri: "tel:+15551234".into(),
                    reason: Box::new(Notice::NeedsProxy {
                        uri: "tel:+15551234".into(),
                    }),
                },
                "cannot call tel:+15551234: tel:+15551234 needs a proxy to be dialled: set one \
                 in the settings",
            ),
            (
                Notice::WaitForLines {
                    lines: "1, 2".into(),
                    last: 3,
                },
                "wait a moment: lines 1, 2 and 3 is still being put on hold",
            ),
            (
                Notice::RestartForNetwork {
                    bind: "0.0.0.0:5060".into(),
                    low: 20000,
                    high: 20999,
                },
                "Restart linekey to use the new network.bind and network.rtp_ports; until then \
                 it keeps 0.0.0.0:5060 and ports 20000-20999",
            ),
            (
                Notice::InputFailed {
                    error: Box::new(Notice::DeviceUnavailable {
                        direction: "input".into(),
                        name: "USB".into(),
                        reason: "it is not connected".into(),
                    }),
                },
                "No audio input device \"USB\": it is not connected. Calls send silence.",
            ),
            (Notice::NetworkDelay {}, "Network Delay, Trying Backup"),
            (Notice::text("as given"), "as given"),
        ];
        for (notice, english) in cases {
            assert_eq!(notice.english(), english);
            assert_eq!(notice.to_string(), english);
        }
    }

    #[test]
    fn the_agent_sees_key_and_arguments_with_nested_notices_in_english() {
        let notice = Notice::DeviceFallback {
            error: Box::new(Notice::DeviceUnavailable {
                direction: "output".into(),
                name: "Headset".into(),
                reason: "gone".into(),
            }),
            direction: "output".into(),
        };
        assert_eq!(
            serde_json::to_value(&notice).unwrap(),
            serde_json::json!({
                "key": "status-device-fallback",
                "args": {
                    "direction": "output",
                    "error": "No audio output device \"Headset\": gone",
                },
            })
        );
        assert_eq!(
            serde_json::to_value(Notice::AllLinesBusy {}).unwrap(),
            serde_json::json!({"key": "error-all-lines-busy", "args": {}})
        );
    }

    #[test]
    fn every_key_is_listed_with_its_arguments() {
        let notice = Notice::NoSuchLine { line: 9, lines: 6 };
        assert!(KEYS.contains(&(notice.key(), &["line", "lines"][..])));
        assert_eq!(
            notice.args_with(&|_| String::new()),
            [("line", "9".to_owned()), ("lines", "6".to_owned())]
        );
    }
}
