//! The `Phone`: a sans-IO SIP user agent with line keys.
//!
//! Drive it like str0m or quinn-proto: feed an [`Input`] with the current time to
//! [`Phone::handle`], then drain [`Phone::poll_output`] and sleep until [`Phone::next_deadline`]
//! (feeding [`Input::Timeout`] when it comes). It never reads the clock, never touches a socket and
//! never blocks, so tests run whole call flows in simulated time.

mod api;
mod call;
mod callee;
mod caller;
mod conference;
mod configure;
mod consent;
mod dtmf;
mod failover;
mod forwarding;
mod hold;
mod lines;
mod outbound;
mod redirect;
mod registration;
mod transfer;

pub use api::{Event, Intent, LineState, MediaStats, RegistrationState};
pub use call::CallId;
pub use caller::address_text;
pub use forwarding::Forwarding;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::core::dialplan::DialPlan;
use crate::core::notice::Notice;
use crate::core::sdp::{Codec, HoldStyle, Negotiated};
use crate::core::sip::message::{Malformed, Message, Method, Request, Response};
use crate::core::sip::transaction::{Incoming, Timers, Transactions, TxId, TxOutput};

use call::Call;
use outbound::Pending;
use registration::Registrations;

/// Methods this phone handles, for `Allow` headers and `405` answers.
pub const ALLOWED: &str = "INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, NOTIFY";
/// Extensions we support, for `Supported` headers.
pub const SUPPORTED: &str = "replaces";
/// Our User-Agent and Server header value.
pub const USER_AGENT: &str = concat!("linekey/", env!("CARGO_PKG_VERSION"));

/// Something that happened to the phone.
#[derive(Debug, Clone)]
pub enum Input {
    /// A datagram arrived on the SIP socket.
    Datagram {
        /// Who sent it.
        source: SocketAddr,
        /// Its bytes.
        data: Vec<u8>,
    },
    /// The user asked for something.
    Intent(Intent),
    /// The deadline from `next_deadline` has come.
    Timeout,
    /// RTP sockets for a call are bound (answer to `MediaCommand::Open`).
    MediaReady {
        /// The call.
        call: CallId,
        /// The local RTP port (RTCP is the next one).
        port: u16,
    },
    /// No RTP port could be bound for a call.
    MediaFailed {
        /// The call.
        call: CallId,
        /// Why, for the user.
        reason: String,
    },
    /// The network said `dest` cannot be reached (an ICMP error for something we sent there).
    Unreachable {
        /// Where our datagram was going.
        dest: SocketAddr,
    },
    /// The driver read the dial plan file anew (on `Intent::Configure`); it replaces the plan in
    /// use. A file that did not load is never handed over, so the last good plan stays.
    DialPlan(DialPlan),
    /// A host name was resolved by the driver, so requests to it can be sent.
    Resolved {
        /// The name as written in the URI or setting.
        host: String,
        /// Its address.
        addr: IpAddr,
    },
}

/// What the driver must do for media. The media engine owns the sockets and the audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaCommand {
    /// Bind RTP/RTCP sockets for a call and answer with `Input::MediaReady` or `MediaFailed`.
    Open {
        /// The call.
        call: CallId,
    },
    /// Start (or update) the call's streams as negotiated: send to `stream.remote_addr` when the
    /// direction sends, play what arrives when it receives. Early media is a receive-only stream.
    Start {
        /// The call.
        call: CallId,
        /// Its line key, for the events media reports (digits, statistics).
        line: usize,
        /// Codec, payload types, address and direction.
        stream: Negotiated,
    },
    /// Send DTMF digits on the call (RFC 4733 when negotiated, else in-band tones).
    Dtmf {
        /// The call.
        call: CallId,
        /// Digits 0-9, *, #, A-D.
        digits: String,
    },
    /// Join these calls' audio (a local conference): each is sent the microphone plus the
    /// others' audio. An empty list ends the conference; each call is then sent the microphone.
    Conference {
        /// The joined calls.
        calls: Vec<CallId>,
    },
    /// Release the call's sockets.
    Close {
        /// The call.
        call: CallId,
    },
    /// Send silence instead of the microphone on every call, now and for later calls, until
    /// unmuted. RTP keeps flowing, so the far end's playout and NAT bindings carry on.
    Mute {
        /// True to mute.
        muted: bool,
    },
}

/// Something the driver must do.
#[derive(Debug, Clone)]
pub enum Output {
    /// Send a datagram from the SIP socket.
    Transmit {
        /// The destination.
        dest: SocketAddr,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Tell the front end.
    Event(Event),
    /// Drive the media engine.
    Media(MediaCommand),
}

/// The settings the phone works with, taken from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Our user name.
    pub user: String,
    /// Our domain (From host, and the registrar when none is set).
    pub domain: String,
    /// Shown to the called party.
    pub display_name: String,
    /// Digest user name.
    pub auth_user: String,
    /// Digest password.
    pub password: String,
    /// Whether to register at start.
    pub register: bool,
    /// The registrar, `host[:port]`.
    pub registrar: String,
    /// Requested registration lifetime.
    pub register_expires: u32,
    /// Also register at the backup proxy.
    pub register_backup: bool,
    /// Outbound proxy for calls, `host[:port]`.
    pub primary_proxy: Option<String>,
    /// Where calls go when the primary proxy fails.
    pub backup_proxy: Option<String>,
    /// Where emergency calls go (dial-plan route `emergency`).
    pub emergency_proxy: Option<String>,
    /// INVITE transmissions to the primary before the backup is tried (Cisco `sip_invite_retx`).
    pub invite_attempts: u32,
    /// SIP timers.
    pub timers: Timers,
    /// Number of line keys.
    pub lines: usize,
    /// Answer incoming calls at once.
    pub auto_answer: bool,
    /// Busy for every incoming call.
    pub do_not_disturb: bool,
    /// How we hold.
    pub hold_style: HoldStyle,
    /// Codecs in preference order.
    pub codecs: Vec<Codec>,
    /// As caller, CANCEL after this long without an answer.
    pub ring_timeout: Duration,
    /// The dial plan for dial strings (empty: dial strings are used as they are).
    pub dial_plan: DialPlan,
    /// Where incoming calls are forwarded.
    pub forwarding: Forwarding,
    /// Ask the user before following a REFER.
    pub refer_consent: bool,
}

impl Settings {
    /// Takes the phone's settings from a validated configuration. The dial plan file is read by
    /// the driver, which sets `dial_plan`.
    pub fn from_config(config: &Config) -> Settings {
        let a = &config.account;
        let n = &config.network;
        Settings {
            user: a.user.clone(),
            domain: a.domain.clone(),
            display_name: a.display_name.clone(),
            auth_user: a.auth_name().to_owned(),
            password: a.password.clone(),
            register: a.register,
            registrar: a.registrar_target().to_owned(),
            register_expires: a.register_expires,
            register_backup: a.register_backup,
            primary_proxy: config.proxy.primary.clone(),
            backup_proxy: config.proxy.backup.clone(),
            emergency_proxy: config.proxy.emergency.clone(),
            invite_attempts: n.invite_attempts,
            timers: Timers {
                t1: Duration::from_millis(n.timer_t1_ms),
                t2: Duration::from_millis(n.timer_t2_ms),
                t4: Duration::from_millis(n.timer_t4_ms),
            },
            lines: config.calls.lines as usize,
            auto_answer: config.calls.auto_answer,
            do_not_disturb: config.calls.do_not_disturb,
            hold_style: config.calls.hold_style,
            codecs: config
                .calls
                .codecs
                .iter()
                .filter_map(|c| c.parse().ok())
                .collect(),
            ring_timeout: Duration::from_secs(config.calls.ring_timeout_s),
            dial_plan: DialPlan::default(),
            forwarding: Forwarding::from_config(&config.calls),
            refer_consent: config.calls.refer_consent,
        }
    }
}

/// The phone: lines, calls, registration, and the SIP machinery under them.
pub struct Phone {
    settings: Settings,
    /// Our SIP address as the peers should see it (Via and Contact).
    local: SocketAddr,
    transactions: Transactions,
    calls: BTreeMap<CallId, Call>,
    /// Which call each line key holds; index 0 is line 1.
    lines: Vec<Option<CallId>>,
    /// Client transactions we started, and what for.
    pending: HashMap<TxId, Pending>,
    registration: Registrations,
    proxies: failover::ProxyState,
    /// Names the driver resolved for us.
    hosts: HashMap<String, IpAddr>,
    /// Transfers under way, as transferor or transferee.
    transfers: transfer::Transfers,
    /// Digest nonce counts, per nonce.
    nonce_counts: HashMap<String, u32>,
    outputs: VecDeque<Output>,
    /// A request waiting for the talking calls to be put on hold.
    queued: Option<lines::Queued>,
    next_call: u64,
    quitting: bool,
    /// The two calls of the local 3-way conference, while there is one.
    conference: Option<[CallId; 2]>,
    /// Transfer requests waiting for the user (`calls.refer_consent`).
    questions: consent::Questions,
}

impl Phone {
    /// A phone with these settings, reachable at `local`.
    pub fn new(settings: Settings, local: SocketAddr, now: Instant) -> Phone {
        let lines = settings.lines.max(1);
        let mut phone = Phone {
            transactions: Transactions::new(settings.timers),
            registration: Registrations::default(),
            proxies: failover::ProxyState::default(),
            settings,
            local,
            calls: BTreeMap::new(),
            lines: vec![None; lines],
            pending: HashMap::new(),
            hosts: HashMap::new(),
            transfers: transfer::Transfers::default(),
            nonce_counts: HashMap::new(),
            outputs: VecDeque::new(),
            queued: None,
            next_call: 1,
            quitting: false,
            conference: None,
            questions: consent::Questions::default(),
        };
        if phone.settings.register {
            phone.register(now);
            // Hand the REGISTER to the driver now, not with the first retransmission.
            phone.drain_transactions(now);
        }
        phone
    }

    /// Handles one input. Drain `poll_output` afterwards.
    pub fn handle(&mut self, now: Instant, input: Input) {
        match input {
            Input::Datagram { source, data } => self.on_datagram(now, source, &data),
            Input::Intent(intent) => self.on_intent(now, intent),
            Input::Timeout => self.on_timeout(now),
            Input::MediaReady { call, port } => self.on_media_ready(now, call, port),
            Input::MediaFailed { call, reason } => self.on_media_failed(now, call, reason),
            Input::Unreachable { dest } => self.on_unreachable(now, dest),
            Input::DialPlan(plan) => self.settings.dial_plan = plan,
            Input::Resolved { host, addr } => {
                self.hosts.insert(host.to_ascii_lowercase(), addr);
            }
        }
        self.drain_transactions(now);
        // A transfer waits for its hold, which any input may have settled; so does a call
        // waiting for the talking line to be held.
        self.advance_transfers(now);
        self.lines_settled(now);
        self.drain_transactions(now);
        self.settle_conference();
        self.trim_lines();
    }

    /// The next thing the driver must do, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When the phone next needs `Input::Timeout`.
    pub fn next_deadline(&self) -> Option<Instant> {
        let calls = self.calls.values().filter_map(|c| c.deadline());
        [
            self.transactions.next_deadline(),
            self.registration.deadline(),
            self.proxies.deadline(),
            self.questions.deadline(),
            self.transfers.deadline(),
        ]
        .into_iter()
        .flatten()
        .chain(calls)
        .min()
    }

    /// Whether a `Quit` has finished: every call ended and the registration removed.
    pub fn is_finished(&self) -> bool {
        self.quitting && self.calls.is_empty() && !self.registration.busy()
    }

    /// Our SIP address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    fn on_intent(&mut self, now: Instant, intent: Intent) {
        if self.quitting {
            return;
        }
        match intent {
            Intent::Dial { target } => self.dial_line(now, &target),
            Intent::Answer { line } => self.answer_line(now, line),
            Intent::Reject { line } => self.reject(now, line),
            Intent::Hangup { line } => self.hangup(now, line),
            Intent::Hold { line } if self.in_conference(line) => self.split_conference(now, line),
            Intent::Hold { line } => self.set_hold(now, line, true),
            Intent::Resume { line } if self.in_conference(line) => self.resume_in_conference(line),
            Intent::Resume { line } => self.resume_line(now, line),
            Intent::Dtmf { line, digits } => self.send_dtmf(line, &digits),
            Intent::Register => self.register(now),
            Intent::Unregister => self.unregister(now),
            Intent::Quit => self.quit(now),
            Intent::Configure { config } => self.configure(now, &config),
            Intent::AcceptTransfer { line } => self.accept_transfer(now, line),
            Intent::DeclineTransfer { line } => self.decline_transfer(now, line),
            Intent::Mute { muted } => {
                self.media(MediaCommand::Mute { muted });
                self.emit(Event::Mute { muted });
            }
            Intent::Transfer {
                line,
                target,
                to_line,
            } => self.transfer(now, line, target, to_line),
            Intent::Conference { line, with_line } => self.conference(now, line, with_line),
        }
    }

    fn quit(&mut self, now: Instant) {
        // Set first, so the hang-ups below do not remind the user of held lines.
        self.quitting = true;
        self.decline_all(now);
        for line in 1..=self.lines.len() {
            if self.lines[line - 1].is_some() {
                self.hangup(now, line);
            }
        }
        self.unregister_all(now);
    }

    fn on_datagram(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        match Message::parse(data) {
            Ok(Message::Request(req)) => match self.transactions.on_request(now, req, source) {
                Incoming::New(id, req) => self.on_request(now, id, req),
                Incoming::Absorbed => {}
            },
            Ok(Message::Response(resp)) => {
                if !self.transactions.on_response(now, resp) {
                    tracing::debug!("response for no transaction from {source}, dropped");
                }
            }
            Err(Ok(malformed)) => self.answer_malformed(source, malformed),
            Err(Err(e)) => tracing::debug!("unusable datagram from {source}: {e}"),
        }
    }

    /// Answers `400` to a request we could not read, when its headers allow a response at all
    /// (RFC 3261 §8.2 asks for one; without Via there is nowhere to send it).
    fn answer_malformed(&mut self, source: SocketAddr, bad: Malformed) {
        if bad.method == Method::Ack {
            return;
        }
        let usable = bad.headers.via().is_ok()
            && bad.headers.from().is_ok()
            && bad.headers.to().is_ok()
            && bad.headers.call_id().is_ok()
            && bad.headers.cseq().is_ok();
        if !usable {
            tracing::debug!("malformed request from {source} dropped: {}", bad.error);
            return;
        }
        let reason = format!("Bad Request ({})", bad.error);
        let mut resp = Response::to(&bad.headers, 400, Some(&reason));
        self.add_server_headers(&mut resp);
        self.outputs.push_back(Output::Transmit {
            dest: source,
            data: resp.to_bytes(),
        });
    }

    fn on_request(&mut self, now: Instant, id: TxId, req: Request) {
        match req.method {
            Method::Invite => self.on_invite(now, id, req),
            Method::Ack => self.on_ack(now, req),
            Method::Cancel => self.on_cancel(now, id, req),
            Method::Bye => self.on_bye(now, id, req),
            Method::Options => self.on_options(now, id, &req),
            Method::Refer => self.on_refer(now, id, req),
            Method::Notify => self.on_notify(now, id, req),
            Method::Other(_) => {
                self.respond_with(now, id, &req, 501, |r| r.headers.push("Allow", ALLOWED))
            }
            _ => self.respond_with(now, id, &req, 405, |r| r.headers.push("Allow", ALLOWED)),
        }
    }

    fn on_options(&mut self, now: Instant, id: TxId, req: &Request) {
        self.respond_with(now, id, req, 200, |r| {
            r.headers.push("Allow", ALLOWED);
            r.headers.push("Accept", "application/sdp");
            r.headers.push("Accept-Language", "en");
            r.headers.push("Supported", SUPPORTED);
        });
    }

    /// Responds on a server transaction, with our standard headers and a To tag when needed.
    fn respond_with(
        &mut self,
        now: Instant,
        id: TxId,
        req: &Request,
        status: u16,
        extra: impl FnOnce(&mut Response),
    ) {
        let mut resp = Response::to(&req.headers, status, None);
        if status > 100 {
            ensure_to_tag(&mut resp, &call::new_tag());
        }
        self.add_server_headers(&mut resp);
        extra(&mut resp);
        self.transactions.respond(now, id, resp);
    }

    fn add_server_headers(&self, resp: &mut Response) {
        resp.headers.push("Server", USER_AGENT);
    }

    fn on_timeout(&mut self, now: Instant) {
        self.transactions.on_timeout(now);
        self.drain_transactions(now);
        self.registration_timers(now);
        self.probe_timer(now);
        self.consent_timers(now);
        let due: Vec<CallId> = self
            .calls
            .values()
            .filter(|c| c.deadline().is_some_and(|d| d <= now))
            .map(|c| c.id)
            .collect();
        for id in due {
            self.on_call_timer(now, id);
        }
    }

    /// Moves what the transaction layer produced to our outputs and handlers.
    fn drain_transactions(&mut self, now: Instant) {
        while let Some(out) = self.transactions.poll_output() {
            match out {
                TxOutput::Transmit { dest, data } => {
                    self.outputs.push_back(Output::Transmit { dest, data })
                }
                TxOutput::Response { id, response } => self.on_response(now, id, response),
                TxOutput::NoResponse { id, .. } => self.on_no_response(now, id),
                TxOutput::AckMissing { id } => self.on_ack_missing(now, id),
            }
        }
    }

    fn emit(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }

    fn error(&mut self, notice: Notice) {
        self.emit(Event::error(notice));
    }

    fn media(&mut self, command: MediaCommand) {
        self.outputs.push_back(Output::Media(command));
    }
}

/// Adds a To tag to a response that lacks one (every non-100 response must carry it).
fn ensure_to_tag(resp: &mut Response, tag: &str) {
    if let Ok(mut to) = resp.headers.to() {
        if to.tag().is_none() {
            to.set_param("tag", Some(tag));
            resp.headers.set("To", to.to_string());
        }
    }
}
