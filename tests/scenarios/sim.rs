//! A simulated world for scenario tests: several `Phone`s and scripted peers on a network with a
//! fixed one-way latency, and a clock that jumps from one event (packet arrival or phone deadline)
//! to the next, in the style of quinn-proto's test `Pair` and str0m's `progress`.
//!
//! Everything is deterministic except what the phones randomise themselves (tags, branches,
//! Call-IDs), so tests compare message sequences and header relations, not literal values.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use linekey::config::Config;
use linekey::core::phone::{
    Event, Input, Intent, LineState, MediaCommand, Output, Phone, RegistrationState, Settings,
};
use linekey::core::sdp::{Codec, Direction, Negotiated};
use linekey::core::sip::message::{Message, Method, Request, Response};

/// One-way latency of every packet.
pub const LATENCY: Duration = Duration::from_millis(10);

/// How many steps may happen without the clock moving before the world is declared stuck.
const LIVELOCK_STEPS: usize = 10_000;

/// Shorthand for milliseconds of simulated time.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Shorthand for seconds of simulated time.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The configuration of `user` at `addr` (`ip:port`), with `--set` style overrides such as
/// `"calls.lines=1"`.
pub fn config(user: &str, addr: &str, overrides: &[&str]) -> Config {
    let ip = addr.split(':').next().unwrap_or(addr);
    let text = format!(
        "[account]\nuser = \"{user}\"\ndomain = \"{ip}\"\n\n[network]\nbind = \"{addr}\"\n"
    );
    let overrides: Vec<String> = overrides.iter().map(|s| (*s).to_owned()).collect();
    Config::from_toml(&text, "test", &overrides)
        .expect("test settings load")
        .config
}

/// Phone settings for `user` at `addr`, with overrides (see [`config`]).
pub fn settings(user: &str, addr: &str, overrides: &[&str]) -> Settings {
    Settings::from_config(&config(user, addr, overrides))
}

/// Configure intent: `user` at `addr` with these overrides, as the settings dialog would send.
pub fn configure(user: &str, addr: &str, overrides: &[&str]) -> Intent {
    Intent::Configure {
        config: Box::new(config(user, addr, overrides)),
    }
}

/// Anything that can be sent as one SIP message.
pub trait ToMessage {
    /// The message.
    fn into_message(self) -> Message;
}

impl ToMessage for Message {
    fn into_message(self) -> Message {
        self
    }
}

impl ToMessage for Request {
    fn into_message(self) -> Message {
        Message::Request(self)
    }
}

impl ToMessage for Response {
    fn into_message(self) -> Message {
        Message::Response(self)
    }
}

/// Phone A (alice at 10.0.0.1) and phone B (bob at 10.0.0.2), each with its overrides.
pub fn pair(a: &[&str], b: &[&str]) -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, a);
    sim.phone("B", "bob", B_ADDR, b);
    sim
}

/// Phone A's address.
pub const A_ADDR: &str = "10.0.0.1:5060";
/// Phone B's address.
pub const B_ADDR: &str = "10.0.0.2:5060";
/// Phone C's address.
pub const C_ADDR: &str = "10.0.0.3:5060";
/// A scripted peer's address (gateway, proxy, registrar...).
pub const P_ADDR: &str = "10.0.0.9:5060";

/// Dial intent.
pub fn dial(target: &str) -> Intent {
    Intent::Dial {
        target: target.to_owned(),
    }
}

/// Answer intent.
pub fn answer(line: usize) -> Intent {
    Intent::Answer { line }
}

/// Hang-up intent.
pub fn hangup(line: usize) -> Intent {
    Intent::Hangup { line }
}

/// Hold intent.
pub fn hold(line: usize) -> Intent {
    Intent::Hold { line }
}

/// Resume intent.
pub fn resume(line: usize) -> Intent {
    Intent::Resume { line }
}

/// DTMF intent.
pub fn dtmf(line: usize, digits: &str) -> Intent {
    Intent::Dtmf {
        line,
        digits: digits.to_owned(),
    }
}

/// What a scripted peer sees of the world when a message reaches it, and where it puts replies.
pub struct PeerCtx {
    /// Simulated time since the start.
    pub now: Duration,
    /// The peer's own address.
    pub me: SocketAddr,
    /// Who sent the message.
    pub from: SocketAddr,
    out: Vec<(SocketAddr, Vec<u8>, Duration)>,
}

impl PeerCtx {
    /// Sends a message to the sender of the current one.
    pub fn reply(&mut self, msg: impl ToMessage) {
        let to = self.from;
        self.send(to, msg);
    }

    /// Sends a message now.
    pub fn send(&mut self, to: SocketAddr, msg: impl ToMessage) {
        self.send_later(to, msg, Duration::ZERO);
    }

    /// Sends a message after a delay (plus the network latency).
    pub fn send_later(&mut self, to: SocketAddr, msg: impl ToMessage, delay: Duration) {
        self.out.push((to, msg.into_message().to_bytes(), delay));
    }
}

/// A scripted peer: called for every parsable message that reaches it.
pub type PeerFn = Box<dyn FnMut(&mut PeerCtx, Message)>;

enum Kind {
    Phone(Box<Phone>),
    Peer(PeerFn),
}

struct Node {
    name: String,
    addr: SocketAddr,
    kind: Kind,
    events: Vec<(Duration, Event)>,
    media: Vec<MediaCommand>,
}

/// One datagram as the network saw it.
#[derive(Debug, Clone)]
pub struct TraceEntry {
    /// When it was sent, since the start.
    pub at: Duration,
    /// Sender's short name.
    pub from: String,
    /// Receiver's short name (or its address when nobody lives there).
    pub to: String,
    /// `INVITE`, `ACK`, ... for requests, `100`, `486`, ... for responses, `<garbage>` otherwise.
    pub line: String,
    /// The parsed message, when it parses.
    pub msg: Option<Message>,
    /// Whether the network dropped it.
    pub dropped: bool,
}

struct InFlight {
    arrive: Instant,
    seq: u64,
    from: SocketAddr,
    to: SocketAddr,
    data: Vec<u8>,
}

struct DropRule {
    from: String,
    to: String,
    line: String,
    nth: usize,
    seen: usize,
}

/// The simulated world.
pub struct Sim {
    /// The start of simulated time.
    pub t0: Instant,
    /// The current simulated time.
    pub now: Instant,
    nodes: Vec<Node>,
    queue: Vec<InFlight>,
    seq: u64,
    drops: Vec<DropRule>,
    trace: Vec<TraceEntry>,
    next_port: u16,
}

impl Default for Sim {
    fn default() -> Self {
        Sim::new()
    }
}

impl Sim {
    /// An empty world at time zero.
    pub fn new() -> Sim {
        let t0 = Instant::now();
        Sim {
            t0,
            now: t0,
            nodes: Vec::new(),
            queue: Vec::new(),
            seq: 0,
            drops: Vec::new(),
            trace: Vec::new(),
            next_port: 20000,
        }
    }

    /// Simulated time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    /// Adds a phone named `name` (a short name like "A") at `addr`.
    pub fn add_phone(&mut self, name: &str, addr: &str, settings: Settings) -> SocketAddr {
        let addr: SocketAddr = addr.parse().expect("phone address");
        let phone = Phone::new(settings, addr, self.now);
        self.push_node(name, addr, Kind::Phone(Box::new(phone)));
        self.drain(self.nodes.len() - 1);
        addr
    }

    /// Adds a phone with default settings for `user`, plus overrides.
    pub fn phone(&mut self, name: &str, user: &str, addr: &str, overrides: &[&str]) -> SocketAddr {
        self.add_phone(name, addr, settings(user, addr, overrides))
    }

    /// Adds a scripted peer.
    pub fn add_peer(
        &mut self,
        name: &str,
        addr: &str,
        peer: impl FnMut(&mut PeerCtx, Message) + 'static,
    ) -> SocketAddr {
        let addr: SocketAddr = addr.parse().expect("peer address");
        self.push_node(name, addr, Kind::Peer(Box::new(peer)));
        addr
    }

    fn push_node(&mut self, name: &str, addr: SocketAddr, kind: Kind) {
        assert!(
            self.nodes.iter().all(|n| n.name != name && n.addr != addr),
            "duplicate node {name} {addr}"
        );
        self.nodes.push(Node {
            name: name.to_owned(),
            addr,
            kind,
            events: Vec::new(),
            media: Vec::new(),
        });
    }

    fn index(&self, name: &str) -> usize {
        self.nodes
            .iter()
            .position(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node named {name}"))
    }

    /// A node's address.
    pub fn addr(&self, name: &str) -> SocketAddr {
        self.nodes[self.index(name)].addr
    }

    fn name_of(&self, addr: SocketAddr) -> String {
        self.nodes
            .iter()
            .find(|n| n.addr == addr)
            .map(|n| n.name.clone())
            .unwrap_or_else(|| addr.to_string())
    }

    /// Direct access to a phone (for `next_deadline`, `is_finished`...).
    pub fn phone_ref(&self, name: &str) -> &Phone {
        match &self.nodes[self.index(name)].kind {
            Kind::Phone(p) => p,
            Kind::Peer(_) => panic!("{name} is a scripted peer"),
        }
    }

    /// Gives a phone a user intent now.
    pub fn intent(&mut self, name: &str, intent: Intent) {
        self.input(name, Input::Intent(intent));
    }

    /// Gives a phone any input now.
    pub fn input(&mut self, name: &str, input: Input) {
        let i = self.index(name);
        let now = self.now;
        match &mut self.nodes[i].kind {
            Kind::Phone(p) => p.handle(now, input),
            Kind::Peer(_) => panic!("{name} is a scripted peer"),
        }
        self.drain(i);
    }

    /// Sends raw bytes from node `from` to node `to` now, as if `from` had sent them.
    pub fn send_raw(&mut self, from: &str, to: &str, data: impl Into<Vec<u8>>) {
        let (from, to) = (self.addr(from), self.addr(to));
        self.transmit(from, to, data.into(), Duration::ZERO);
    }

    /// Sends a message from node `from` to node `to` now.
    pub fn send(&mut self, from: &str, to: &str, msg: impl ToMessage) {
        self.send_raw(from, to, msg.into_message().to_bytes());
    }

    /// Drops the `nth` (from 1) datagram from `from` to `to` whose trace line is `line`.
    pub fn drop_nth(&mut self, from: &str, to: &str, line: &str, nth: usize) {
        self.drops.push(DropRule {
            from: from.to_owned(),
            to: to.to_owned(),
            line: line.to_owned(),
            nth,
            seen: 0,
        });
    }

    fn transmit(&mut self, from: SocketAddr, to: SocketAddr, data: Vec<u8>, delay: Duration) {
        let msg = Message::parse(&data).ok();
        let line = match &msg {
            Some(Message::Request(r)) => r.method.as_str().to_owned(),
            Some(Message::Response(r)) => r.status.to_string(),
            None => "<garbage>".to_owned(),
        };
        let (from_name, to_name) = (self.name_of(from), self.name_of(to));
        let mut dropped = false;
        for rule in &mut self.drops {
            if rule.from == from_name && rule.to == to_name && rule.line == line {
                rule.seen += 1;
                if rule.seen == rule.nth {
                    dropped = true;
                }
            }
        }
        self.trace.push(TraceEntry {
            at: self.now + delay - self.t0,
            from: from_name,
            to: to_name,
            line,
            msg,
            dropped,
        });
        if !dropped {
            self.seq += 1;
            self.queue.push(InFlight {
                arrive: self.now + delay + LATENCY,
                seq: self.seq,
                from,
                to,
                data,
            });
        }
    }

    /// Handles everything a phone has to say, answering media requests at once.
    fn drain(&mut self, i: usize) {
        let now = self.now;
        let at = now - self.t0;
        let mut sends = Vec::new();
        let node = &mut self.nodes[i];
        let Kind::Phone(phone) = &mut node.kind else {
            return;
        };
        while let Some(out) = phone.poll_output() {
            match out {
                Output::Transmit { dest, data } => sends.push((dest, data)),
                Output::Event(e) => node.events.push((at, e)),
                Output::Media(cmd) => {
                    node.media.push(cmd.clone());
                    if let MediaCommand::Open { call } = cmd {
                        let port = self.next_port;
                        self.next_port += 2;
                        phone.handle(now, Input::MediaReady { call, port });
                    }
                }
            }
        }
        let from = node.addr;
        for (dest, data) in sends {
            self.transmit(from, dest, data, Duration::ZERO);
        }
    }

    fn deliver(&mut self, packet: InFlight) {
        let Some(i) = self.nodes.iter().position(|n| n.addr == packet.to) else {
            return;
        };
        let now = self.now;
        match &mut self.nodes[i].kind {
            Kind::Phone(p) => {
                p.handle(
                    now,
                    Input::Datagram {
                        source: packet.from,
                        data: packet.data,
                    },
                );
                self.drain(i);
            }
            Kind::Peer(peer) => {
                let Ok(msg) = Message::parse(&packet.data) else {
                    return;
                };
                let mut ctx = PeerCtx {
                    now: now - self.t0,
                    me: packet.to,
                    from: packet.from,
                    out: Vec::new(),
                };
                peer(&mut ctx, msg);
                let me = packet.to;
                for (to, data, delay) in ctx.out {
                    self.transmit(me, to, data, delay);
                }
            }
        }
    }

    /// When the next thing happens: a packet arrives or a phone's deadline comes.
    pub fn next_event(&self) -> Option<Instant> {
        let packets = self.queue.iter().map(|p| p.arrive);
        let deadlines = self.nodes.iter().filter_map(|n| match &n.kind {
            Kind::Phone(p) => p.next_deadline(),
            Kind::Peer(_) => None,
        });
        packets.chain(deadlines).min()
    }

    /// Moves the clock to `at` (never backwards) and handles everything due by then: packets
    /// first, in sending order, then phone timeouts.
    fn step(&mut self, at: Instant) {
        self.now = self.now.max(at);
        while let Some(pos) = self
            .queue
            .iter()
            .enumerate()
            .filter(|(_, p)| p.arrive <= self.now)
            .min_by_key(|(_, p)| (p.arrive, p.seq))
            .map(|(i, _)| i)
        {
            let packet = self.queue.remove(pos);
            self.deliver(packet);
        }
        for i in 0..self.nodes.len() {
            let due = match &self.nodes[i].kind {
                Kind::Phone(p) => p.next_deadline().is_some_and(|d| d <= self.now),
                Kind::Peer(_) => false,
            };
            if due {
                let now = self.now;
                if let Kind::Phone(p) = &mut self.nodes[i].kind {
                    p.handle(now, Input::Timeout);
                }
                self.drain(i);
            }
        }
    }

    /// Runs until `cond` holds or `max` of simulated time has passed; returns whether it held.
    pub fn try_run_until(&mut self, mut cond: impl FnMut(&Sim) -> bool, max: Duration) -> bool {
        let limit = self.now + max;
        let mut still = 0;
        loop {
            if cond(self) {
                return true;
            }
            match self.next_event() {
                Some(t) if t <= limit => {
                    if t <= self.now {
                        still += 1;
                        assert!(
                            still < LIVELOCK_STEPS,
                            "the world is stuck at {:?}: a deadline stays due\n{}",
                            self.elapsed(),
                            self.dump()
                        );
                    } else {
                        still = 0;
                    }
                    self.step(t);
                }
                _ => {
                    self.now = limit;
                    return cond(self);
                }
            }
        }
    }

    /// Runs until `cond` holds; panics with the trace if it does not within `max`.
    pub fn run_until(&mut self, cond: impl FnMut(&Sim) -> bool, max: Duration) {
        if !self.try_run_until(cond, max) {
            panic!(
                "condition not reached within {max:?} (now {:?})\n{}",
                self.elapsed(),
                self.dump()
            );
        }
    }

    /// Runs every event for `d` of simulated time.
    pub fn run_for(&mut self, d: Duration) {
        self.try_run_until(|_| false, d);
    }

    /// The events a node's phone emitted.
    pub fn events(&self, name: &str) -> Vec<Event> {
        self.nodes[self.index(name)]
            .events
            .iter()
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// The events with their times.
    pub fn timed_events(&self, name: &str) -> Vec<(Duration, Event)> {
        self.nodes[self.index(name)].events.clone()
    }

    /// The media commands a phone gave.
    pub fn media(&self, name: &str) -> Vec<MediaCommand> {
        self.nodes[self.index(name)].media.clone()
    }

    /// The `MediaCommand::Start`s a phone gave, as `(remote, codec)`.
    pub fn media_starts(&self, name: &str) -> Vec<(SocketAddr, Codec)> {
        self.streams(name)
            .into_iter()
            .map(|s| (s.remote_addr, s.codec))
            .collect()
    }

    /// The streams of a phone's `MediaCommand::Start`s, in order.
    pub fn streams(&self, name: &str) -> Vec<Negotiated> {
        self.media(name)
            .into_iter()
            .filter_map(|m| match m {
                MediaCommand::Start { stream, .. } => Some(stream),
                _ => None,
            })
            .collect()
    }

    /// The directions of a phone's `MediaCommand::Start`s, in order.
    pub fn directions(&self, name: &str) -> Vec<Direction> {
        self.streams(name).iter().map(|s| s.direction).collect()
    }

    /// The messages of a phone's error events.
    pub fn errors(&self, name: &str) -> Vec<String> {
        self.events(name)
            .into_iter()
            .filter_map(|e| match e {
                Event::Error { message, .. } => Some(message),
                _ => None,
            })
            .collect()
    }

    /// Whether a phone closed every media stream it opened.
    pub fn media_closed(&self, name: &str) -> bool {
        let media = self.media(name);
        let opened = media
            .iter()
            .filter(|m| matches!(m, MediaCommand::Open { .. }))
            .count();
        let closed = media
            .iter()
            .filter(|m| matches!(m, MediaCommand::Close { .. }))
            .count();
        opened == closed
    }

    /// Whether nothing is in flight and no phone has a timer left.
    pub fn is_quiet(&self) -> bool {
        self.next_event().is_none()
    }

    /// A phone's line events as `(line, state, reason)`.
    pub fn line_events(&self, name: &str) -> Vec<(usize, LineState, Option<String>)> {
        self.events(name)
            .into_iter()
            .filter_map(|e| match e {
                Event::Line {
                    line,
                    state,
                    reason,
                    ..
                } => Some((line, state, reason)),
                _ => None,
            })
            .collect()
    }

    /// The states line `line` went through.
    pub fn line_states(&self, name: &str, line: usize) -> Vec<LineState> {
        self.line_events(name)
            .into_iter()
            .filter(|(l, ..)| *l == line)
            .map(|(_, s, _)| s)
            .collect()
    }

    /// The last state of a line, with its reason.
    pub fn line(&self, name: &str, line: usize) -> (LineState, Option<String>) {
        self.line_events(name)
            .into_iter()
            .rev()
            .find(|(l, ..)| *l == line)
            .map(|(_, s, r)| (s, r))
            .unwrap_or((LineState::Idle, None))
    }

    /// The texts of a phone's status events.
    pub fn statuses(&self, name: &str) -> Vec<String> {
        self.events(name)
            .into_iter()
            .filter_map(|e| match e {
                Event::Status { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    /// A phone's registration events as `(state, reason)`.
    pub fn registrations(&self, name: &str) -> Vec<(RegistrationState, Option<String>)> {
        self.events(name)
            .into_iter()
            .filter_map(|e| match e {
                Event::Registration { state, reason, .. } => Some((state, reason)),
                _ => None,
            })
            .collect()
    }

    /// Every datagram so far.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// The trace as `"A->B INVITE"` lines (dropped ones marked).
    pub fn trace_lines(&self) -> Vec<String> {
        self.trace.iter().map(line_of).collect()
    }

    /// The trace lines between two nodes, both directions.
    pub fn trace_between(&self, a: &str, b: &str) -> Vec<String> {
        self.trace
            .iter()
            .filter(|t| (t.from == a && t.to == b) || (t.from == b && t.to == a))
            .map(line_of)
            .collect()
    }

    /// Every message from `from` to `to` with trace line `line`, in order.
    pub fn find_all(&self, from: &str, to: &str, line: &str) -> Vec<Message> {
        self.entries(from, to, line)
            .filter_map(|t| t.msg.clone())
            .collect()
    }

    /// When each message from `from` to `to` with trace line `line` was sent.
    pub fn times(&self, from: &str, to: &str, line: &str) -> Vec<Duration> {
        self.entries(from, to, line).map(|t| t.at).collect()
    }

    fn entries<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        line: &'a str,
    ) -> impl Iterator<Item = &'a TraceEntry> + 'a {
        self.trace
            .iter()
            .filter(move |t| t.from == from && t.to == to && t.line == line)
    }

    /// The first message from `from` to `to` with trace line `line`; panics when there is none.
    pub fn find(&self, from: &str, to: &str, line: &str) -> Message {
        self.find_all(from, to, line)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {from}->{to} {line}\n{}", self.dump()))
    }

    /// The first request from `from` to `to` with this method.
    pub fn request(&self, from: &str, to: &str, method: &str) -> Request {
        request(self.find(from, to, method))
    }

    /// The first response from `from` to `to` with this status.
    pub fn response(&self, from: &str, to: &str, status: u16) -> Response {
        response(self.find(from, to, &status.to_string()))
    }

    /// The trace and events, for failure messages.
    pub fn dump(&self) -> String {
        let mut s = String::from("trace:\n");
        for t in &self.trace {
            let _ = writeln!(s, "  {:>9.3}s {}", t.at.as_secs_f64(), line_of(t));
        }
        for n in &self.nodes {
            if n.events.is_empty() {
                continue;
            }
            let _ = writeln!(s, "events of {}:", n.name);
            for (at, e) in &n.events {
                let _ = writeln!(s, "  {:>9.3}s {e:?}", at.as_secs_f64());
            }
        }
        s
    }
}

fn line_of(t: &TraceEntry) -> String {
    let mut s = format!("{}->{} {}", t.from, t.to, t.line);
    if t.dropped {
        s.push_str(" (dropped)");
    }
    s
}

/// The body of a message as text.
pub fn body(msg: &Message) -> String {
    let bytes = match msg {
        Message::Request(r) => &r.body,
        Message::Response(r) => &r.body,
    };
    String::from_utf8(bytes.clone()).expect("UTF-8 body")
}

/// The session id and version of an SDP body's `o=` line.
pub fn origin(sdp: &str) -> (u64, u64) {
    let line = sdp
        .lines()
        .find(|l| l.starts_with("o="))
        .unwrap_or_else(|| panic!("no o= line in {sdp}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    (fields[1].parse().unwrap(), fields[2].parse().unwrap())
}

/// The direction attributes of an SDP body, in order.
pub fn direction_attrs(sdp: &str) -> Vec<&str> {
    sdp.lines()
        .filter_map(|l| l.strip_prefix("a="))
        .filter(|a| ["sendrecv", "sendonly", "recvonly", "inactive"].contains(a))
        .collect()
}

/// The `c=` line of an SDP body.
pub fn connection(sdp: &str) -> &str {
    sdp.lines()
        .find(|l| l.starts_with("c="))
        .unwrap_or_else(|| panic!("no c= line in {sdp}"))
}

/// The request inside a message; panics on a response.
pub fn request(msg: Message) -> Request {
    match msg {
        Message::Request(r) => r,
        Message::Response(r) => panic!("expected a request, got {}", r.status_line()),
    }
}

/// The response inside a message; panics on a request.
pub fn response(msg: Message) -> Response {
    match msg {
        Message::Response(r) => r,
        Message::Request(r) => panic!("expected a response, got {}", r.method),
    }
}

/// Helpers for scripted peers: building the requests and responses a SIP peer would send.
pub mod peer {
    use super::*;

    /// The To tag scripted peers put on their responses.
    pub const TAG: &str = "peertag1";

    /// An SDP body offering or answering `payloads` (`"0"`, `"18"`...) on `ip:port`.
    pub fn sdp(ip: &str, port: u16, payloads: &[(u8, &str)]) -> String {
        let pts: Vec<String> = payloads.iter().map(|(pt, _)| pt.to_string()).collect();
        let mut s = format!(
            "v=0\r\no=peer 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP {}\r\n",
            pts.join(" ")
        );
        for (pt, map) in payloads {
            let _ = write!(s, "a=rtpmap:{pt} {map}\r\n");
        }
        s
    }

    /// A PCMU-only SDP on `ip:4000`.
    pub fn pcmu(ip: &str) -> String {
        sdp(ip, 4000, &[(0, "PCMU/8000")])
    }

    /// A response to `req`, with our To tag on anything above 100.
    pub fn reply(req: &Request, status: u16) -> Response {
        let mut resp = Response::to(&req.headers, status, None);
        if status > 100 {
            if let Ok(mut to) = resp.headers.to() {
                if to.tag().is_none() {
                    to.set_param("tag", Some(TAG));
                    resp.headers.set("To", to.to_string());
                }
            }
        }
        resp
    }

    /// A 200 answering an INVITE with a PCMU answer and a Contact at `me`.
    pub fn ok_with_sdp(req: &Request, me: SocketAddr) -> Response {
        let mut ok = reply(req, 200);
        ok.headers.push("Contact", format!("<sip:peer@{me}>"));
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = pcmu(&me.ip().to_string()).into_bytes();
        ok
    }

    /// An INVITE from a scripted peer at `me` to `target` (`user@ip:port`), with an SDP body.
    pub fn invite(me: SocketAddr, target: &str, branch: &str, body: &str) -> Request {
        let text = format!(
            "INVITE sip:{target} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {me};branch=z9hG4bK{branch}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:gw@{me}>;tag=gw{branch}\r\n\
             To: <sip:{target}>\r\n\
             Call-ID: call-{branch}@{ip}\r\n\
             CSeq: 101 INVITE\r\n\
             Contact: <sip:gw@{me}>\r\n\
             Content-Type: application/sdp\r\n\
             Content-Length: {len}\r\n\r\n{body}",
            ip = me.ip(),
            len = body.len(),
        );
        parse_request(text.as_bytes())
    }

    /// A request outside any dialog, for method tests.
    pub fn out_of_dialog(me: SocketAddr, target: &str, method: &str, branch: &str) -> Request {
        let text = format!(
            "{method} sip:{target} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {me};branch=z9hG4bK{branch}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:gw@{me}>;tag=gw{branch}\r\n\
             To: <sip:{target}>\r\n\
             Call-ID: call-{branch}@{ip}\r\n\
             CSeq: 1 {method}\r\n\
             Contact: <sip:gw@{me}>\r\n\
             Content-Length: 0\r\n\r\n",
            ip = me.ip(),
        );
        parse_request(text.as_bytes())
    }

    /// CANCEL for an INVITE we sent (RFC 3261 §9.1).
    pub fn cancel(invite: &Request) -> Request {
        let mut c = Request::new(Method::Cancel, invite.uri.clone());
        for name in ["Via", "Max-Forwards", "From", "To", "Call-ID"] {
            for v in invite.headers.all(name) {
                c.headers.push(name, v);
            }
        }
        let seq = invite.headers.cseq().expect("cseq").seq;
        c.headers.push("CSeq", format!("{seq} CANCEL"));
        c
    }

    /// ACK for a 2xx to our INVITE, sent from `me` to the response's Contact: a new transaction.
    pub fn ack_2xx(resp: &Response, me: SocketAddr, branch: &str) -> Request {
        let contact = resp
            .headers
            .contacts()
            .into_iter()
            .next()
            .expect("2xx Contact");
        let mut a = Request::new(Method::Ack, contact.uri);
        a.headers
            .push("Via", format!("SIP/2.0/UDP {me};branch=z9hG4bK{branch}"));
        a.headers.push("Max-Forwards", "70");
        for name in ["From", "To", "Call-ID"] {
            a.headers
                .push(name, resp.headers.get(name).expect("header"));
        }
        let seq = resp.headers.cseq().expect("cseq").seq;
        a.headers.push("CSeq", format!("{seq} ACK"));
        a
    }

    /// A request from `me` inside the dialog that `ok` (a 2xx to our INVITE) made, to its
    /// Contact, with an SDP body unless `body` is empty. An ACK takes `ok`'s CSeq number.
    pub fn in_dialog(
        ok: &Response,
        me: SocketAddr,
        method: Method,
        seq: u32,
        branch: &str,
        body: &str,
    ) -> Request {
        let contact = ok
            .headers
            .contacts()
            .into_iter()
            .next()
            .expect("2xx Contact");
        let mut r = Request::new(method.clone(), contact.uri);
        r.headers
            .push("Via", format!("SIP/2.0/UDP {me};branch=z9hG4bK{branch}"));
        r.headers.push("Max-Forwards", "70");
        for name in ["From", "To", "Call-ID"] {
            r.headers.push(name, ok.headers.get(name).expect("header"));
        }
        r.headers.push("CSeq", format!("{seq} {method}"));
        r.headers.push("Contact", format!("<sip:gw@{me}>"));
        if !body.is_empty() {
            r.headers.push("Content-Type", "application/sdp");
            r.body = body.as_bytes().to_vec();
        }
        r
    }

    /// A PCMU description on `ip:4000` with a direction attribute (none when empty), its `c=`
    /// address replaced by `0.0.0.0` when `zero`.
    pub fn pcmu_with(ip: &str, direction: &str, zero: bool) -> String {
        let mut s = pcmu(ip);
        if zero {
            s = s.replace(&format!("c=IN IP4 {ip}"), "c=IN IP4 0.0.0.0");
        }
        if !direction.is_empty() {
            let _ = write!(s, "a={direction}\r\n");
        }
        s
    }

    /// ACK for a non-2xx final response to our INVITE: same branch, the response's To.
    pub fn ack_non_2xx(invite: &Request, resp: &Response) -> Request {
        let mut a = Request::new(Method::Ack, invite.uri.clone());
        a.headers
            .push("Via", invite.headers.get("Via").expect("via"));
        a.headers.push("Max-Forwards", "70");
        a.headers
            .push("From", invite.headers.get("From").expect("from"));
        a.headers.push("To", resp.headers.get("To").expect("to"));
        a.headers
            .push("Call-ID", invite.headers.get("Call-ID").expect("call-id"));
        let seq = invite.headers.cseq().expect("cseq").seq;
        a.headers.push("CSeq", format!("{seq} ACK"));
        a
    }

    /// Parses a request the test wrote by hand.
    pub fn parse_request(data: &[u8]) -> Request {
        match Message::parse(data) {
            Ok(Message::Request(r)) => r,
            other => panic!("test request does not parse: {other:?}"),
        }
    }

    /// A peer that drops everything.
    pub fn silent() -> impl FnMut(&mut PeerCtx, Message) {
        |_, _| {}
    }

    /// A peer that answers every INVITE `100` then `status` (with `extra` headers), and every
    /// other request except ACK `200`.
    pub fn rejecting(
        status: u16,
        extra: &'static [(&'static str, &'static str)],
    ) -> impl FnMut(&mut PeerCtx, Message) {
        move |ctx, msg| {
            let Message::Request(req) = msg else { return };
            match req.method {
                Method::Invite => {
                    ctx.reply(reply(&req, 100));
                    let mut resp = reply(&req, status);
                    for (name, value) in extra {
                        resp.headers.push(name, *value);
                    }
                    ctx.reply(resp);
                }
                Method::Ack => {}
                _ => ctx.reply(reply(&req, 200)),
            }
        }
    }

    /// A peer that answers INVITE with 100, 180 and, after `ring`, 200 with PCMU; BYE with 200.
    pub fn answering(ring: Duration) -> impl FnMut(&mut PeerCtx, Message) {
        move |ctx, msg| {
            let Message::Request(req) = msg else { return };
            match req.method {
                Method::Invite => {
                    ctx.reply(reply(&req, 100));
                    let mut ringing = reply(&req, 180);
                    ringing
                        .headers
                        .push("Contact", format!("<sip:peer@{}>", ctx.me));
                    ctx.reply(ringing);
                    let ok = ok_with_sdp(&req, ctx.me);
                    let from = ctx.from;
                    ctx.send_later(from, ok, ring);
                }
                Method::Ack => {}
                _ => ctx.reply(reply(&req, 200)),
            }
        }
    }
}
