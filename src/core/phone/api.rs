//! What front ends say to the phone (`Intent`) and what the phone tells them (`Event`). Both are
//! the JSON objects of `linekey agent` (see AGENT.md), so their serde form is a contract.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::core::notice::Notice;

/// A user's request, from the GUI or the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Intent {
    /// Place a call to a URI or a dial string.
    Dial {
        /// `sip:bob@host`, `tel:+1555...`, or digits / a user name.
        target: String,
    },
    /// Answer a ringing line.
    Answer {
        /// The line key, from 1.
        line: usize,
    },
    /// Decline a ringing line.
    Reject {
        /// The line key, from 1.
        line: usize,
    },
    /// End the call on a line, whatever its state.
    Hangup {
        /// The line key, from 1.
        line: usize,
    },
    /// Put a line on hold.
    Hold {
        /// The line key, from 1.
        line: usize,
    },
    /// Take a line off hold.
    Resume {
        /// The line key, from 1.
        line: usize,
    },
    /// Transfer a line's party: blind to `target`, or attended to `to_line`'s party.
    Transfer {
        /// The line key, from 1.
        line: usize,
        /// Blind transfer target.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        /// Attended transfer: the consultation line.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_line: Option<usize>,
    },
    /// Join two lines in a local 3-way conference.
    Conference {
        /// The line key, from 1.
        line: usize,
        /// The other line.
        with_line: usize,
    },
    /// Send DTMF digits on a line.
    Dtmf {
        /// The line key, from 1.
        line: usize,
        /// Digits 0-9, *, #, A-D.
        digits: String,
    },
    /// Register (again) with the registrar.
    Register,
    /// Remove the registration.
    Unregister,
    /// Follow the transfer the far end asked for on a line (`transfer_request`).
    AcceptTransfer {
        /// The line key, from 1.
        line: usize,
    },
    /// Refuse the transfer the far end asked for on a line; the call goes on.
    DeclineTransfer {
        /// The line key, from 1.
        line: usize,
    },
    /// Apply new settings while running (the settings dialog, Do Not Disturb, Forward). Calls
    /// in progress go on; what cannot change without a restart (`network.bind`,
    /// `network.rtp_ports`) keeps its old value and a status says so.
    Configure {
        /// The whole new configuration, validated by the engine before use.
        config: Box<Config>,
    },
    /// Mute or unmute the microphone for every call: muted calls send silence, and keep sending.
    Mute {
        /// True to mute.
        muted: bool,
    },
    /// Hang up every call, unregister and stop.
    Quit,
}

/// What a line key shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Nothing on this line.
    Idle,
    /// Our INVITE is on its way, no answer yet.
    Dialing,
    /// The far side answered 100 Trying.
    Trying,
    /// The far side is alerting (180/183).
    Ringing,
    /// A call for us is ringing.
    Incoming,
    /// Talking.
    Connected,
    /// We put the call on hold.
    Held,
    /// The far side put the call on hold.
    RemoteHeld,
    /// Part of a local 3-way conference.
    Conference,
}

/// The registration's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    /// The registrar accepted us.
    Registered,
    /// Registration failed (see the reason).
    Failed,
    /// Not registered (never, or removed).
    Unregistered,
}

/// Something the user should see. Front ends only read events, so they are written, never
/// parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The phone is listening.
    Ready {
        /// The SIP address, `ip:port`.
        sip: String,
    },
    /// Registration changed.
    Registration {
        /// The new state.
        state: RegistrationState,
        /// Why it failed or ended, in English.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The reason as a message id and arguments (`key`, `args`).
        #[serde(flatten)]
        notice: Option<Notice>,
    },
    /// The binding at the backup proxy changed (`account.register_backup`).
    BackupRegistration {
        /// The new state.
        state: RegistrationState,
        /// Why it failed or ended, in English.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The reason as a message id and arguments (`key`, `args`).
        #[serde(flatten)]
        notice: Option<Notice>,
    },
    /// A line key changed.
    Line {
        /// The line key, from 1.
        line: usize,
        /// Its new state.
        state: LineState,
        /// The other party.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<String>,
        /// Why a line went idle.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The status line's text.
    Status {
        /// What to show, in English.
        text: String,
        /// The same as a message id and arguments (`key`, `args`), for showing it translated.
        #[serde(flatten)]
        notice: Notice,
    },
    /// A DTMF digit arrived from the far end (RFC 4733 telephone-event).
    Dtmf {
        /// The line key, from 1.
        line: usize,
        /// `0`-`9`, `*`, `#` or `A`-`D`.
        digit: String,
    },
    /// How a call's media is doing, every few seconds while it flows.
    Media {
        /// The line key, from 1.
        line: usize,
        /// The figures.
        #[serde(flatten)]
        stats: MediaStats,
    },
    /// The far end asks to transfer this line's call (REFER) and `calls.refer_consent` wants
    /// the user's answer: `Intent::AcceptTransfer` or `Intent::DeclineTransfer`.
    TransferRequest {
        /// The line key, from 1.
        line: usize,
        /// Where the call would go.
        target: String,
        /// Who asks (the Referred-By header), when the far end says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referred_by: Option<String>,
    },
    /// A transfer request is settled: `accepted`, `declined`, or `expired` (unanswered).
    TransferRequestEnded {
        /// The line key, from 1.
        line: usize,
        /// How it ended.
        reason: String,
    },
    /// New settings are in effect (answer to `Intent::Configure`, and so to the agent's
    /// `reload`); what could not be applied was reported before it.
    Configured,
    /// The microphone was muted or unmuted (answer to `Intent::Mute`).
    Mute {
        /// Whether calls now send silence.
        muted: bool,
    },
    /// A command failed or bad input arrived.
    Error {
        /// A sentence for the user, in English.
        message: String,
        /// The same as a message id and arguments (`key`, `args`), for showing it translated.
        #[serde(flatten)]
        notice: Notice,
    },
}

impl Event {
    /// A `status` event: the notice and its English sentence.
    pub fn status(notice: Notice) -> Event {
        Event::Status {
            text: notice.english(),
            notice,
        }
    }

    /// An `error` event: the notice and its English sentence.
    pub fn error(notice: Notice) -> Event {
        Event::Error {
            message: notice.english(),
            notice,
        }
    }
}

/// A call's media figures since it started, as reported in the `media` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaStats {
    /// The codec in use, as named in SDP (`opus`, `PCMU`, `PCMA`).
    pub codec: String,
    /// RTP packets sent.
    pub sent: u64,
    /// RTP packets received.
    pub received: u64,
    /// Packets the far end sent that never arrived (RFC 3550 cumulative loss).
    pub lost: u64,
    /// Packets that arrived too late to be played.
    pub late: u64,
    /// Share of played audio that was concealment (loss, late or empty buffer), 0.0–1.0.
    pub concealed: f64,
    /// Interarrival jitter in milliseconds (RFC 3550).
    pub jitter_ms: f64,
    /// Current jitter buffer delay in milliseconds.
    pub buffer_ms: f64,
    /// Round-trip time from RTCP, once a report has come back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
}
