//! An impairing relay on 127.0.0.1: a stateless SIP proxy that also relays the audio of the calls
//! it carries, so RTP between two user agents crosses a bad network (loss, jitter that reorders,
//! duplication) while SIP and RTCP stay clean.
//!
//! SIP (RFC 3261 §16.11, stateless): a request gets our Via on top, whose branch is derived from
//! the incoming top branch so that retransmissions, CANCEL and the ACK of a failure map like the
//! request they belong to; a dialog-creating INVITE gets our Record-Route; a top Route naming us
//! is removed; the request goes to the next Route, or else to its Request-URI. A response loses
//! our Via and goes to the next Via's `received`/`rport`, or else its sent-by.
//!
//! Media: each `m=audio` of an SDP body whose IPv4 connection address X:PORT is real (not the
//! `0.0.0.0` of a hold, not port 0) is pointed at a relay socket pair, RTP on an even port p and
//! RTCP on p+1, one pair per distinct X:PORT. What arrives at p or p+1 is sent on to X:PORT or
//! X:PORT+1 from that socket. Endpoints must send to the address their peer's SDP gives: one that
//! latched onto the source of what it receives would be sending to its own stand-in.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use linekey::core::sip::message::{Headers, Message, Method, Request, Response, Via};
use linekey::core::sip::uri::{NameAddr, Params};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::free_port_block;

/// How long a blocked relay thread goes without looking at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// The connection line of a relayed stream.
const RELAY_CONNECTION: &str = "c=IN IP4 127.0.0.1";

/// What the relay does to RTP on its way through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Impairment {
    /// The share of RTP packets dropped, 0.0 to 1.0 (e.g. 0.05).
    pub loss: f64,
    /// Every packet that passes waits a uniform random time in this range (ms), e.g. (0, 60);
    /// packets closer together than the range is wide overtake each other.
    pub jitter_ms: (u64, u64),
    /// The share of passing RTP packets sent twice (each copy with its own delay), 0.0 to 1.0.
    pub duplicate: f64,
    /// Seeds the random choices; each stream draws from its own generator, so one stream's
    /// fate depends only on the seed and the order of its packets.
    pub seed: u64,
}

impl Impairment {
    /// A perfect network: every packet passes at once, exactly once.
    pub fn none() -> Impairment {
        Impairment {
            loss: 0.0,
            jitter_ms: (0, 0),
            duplicate: 0.0,
            seed: 0,
        }
    }
}

/// The counters of one relayed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamStats {
    /// Where the stream's packets go: the RTP address from the SDP.
    pub target: SocketAddr,
    /// The relay's RTP port that stands in for `target` (its RTCP port is the next one).
    pub relay_port: u16,
    /// RTP packets passed on (a duplicated packet counts once).
    pub rtp_forwarded: u64,
    /// RTP packets dropped.
    pub rtp_dropped: u64,
    /// RTCP packets passed on.
    pub rtcp_forwarded: u64,
}

/// A running relay. Its threads stop and its sockets close when it is dropped.
pub struct Relay {
    sip: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Relay {
    /// Starts a relay on a free SIP port of 127.0.0.1 that impairs RTP as `impairment` says.
    pub fn start(impairment: Impairment) -> Relay {
        let share = 0.0..=1.0;
        assert!(
            share.contains(&impairment.loss) && share.contains(&impairment.duplicate),
            "loss and duplicate are shares between 0 and 1: {impairment:?}"
        );
        assert!(
            impairment.jitter_ms.0 <= impairment.jitter_ms.1,
            "jitter_ms is a (min, max) range: {impairment:?}"
        );
        let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the relay's SIP port");
        sock.set_read_timeout(Some(POLL)).unwrap();
        let sip = sock.local_addr().unwrap();
        let shared = Arc::new(Shared {
            impairment,
            stop: AtomicBool::new(false),
            streams: Mutex::new(Vec::new()),
            stream_threads: Mutex::new(Vec::new()),
            delayed: Mutex::new(BTreeMap::new()),
            delayed_changed: Condvar::new(),
            delayed_count: AtomicU64::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let proxy = Proxy {
            sock,
            addr: sip,
            shared: shared.clone(),
        };
        let queue = shared.clone();
        let threads = vec![
            spawn("relay-sip", move || proxy.run()),
            spawn("relay-delay", move || queue.run_delay_queue()),
        ];
        Relay {
            sip,
            shared,
            threads,
        }
    }

    /// `127.0.0.1:PORT`, the relay's SIP address (for `AgentConfig::proxy`).
    pub fn sip_addr(&self) -> String {
        self.sip.to_string()
    }

    /// RTP packets passed on so far, over all streams.
    pub fn rtp_forwarded(&self) -> u64 {
        self.streams().iter().map(|s| s.rtp_forwarded).sum()
    }

    /// RTP packets dropped so far, over all streams.
    pub fn rtp_dropped(&self) -> u64 {
        self.streams().iter().map(|s| s.rtp_dropped).sum()
    }

    /// Every stream relayed so far, in the order the SDP bodies named them.
    pub fn streams(&self) -> Vec<StreamStats> {
        lock(&self.shared.streams)
            .iter()
            .map(|s| StreamStats {
                target: s.target,
                relay_port: s.relay_port,
                rtp_forwarded: s.counters.rtp_forwarded.load(Ordering::Relaxed),
                rtp_dropped: s.counters.rtp_dropped.load(Ordering::Relaxed),
                rtcp_forwarded: s.counters.rtcp_forwarded.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// The methods of the requests forwarded so far, in order (`INVITE`, `ACK`, `BYE`, ...).
    pub fn forwarded_requests(&self) -> Vec<String> {
        lock(&self.shared.requests).clone()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.delayed_changed.notify_all();
        // The SIP thread is the one that starts stream threads: once it has ended, the list of
        // stream threads is complete.
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        let streams = std::mem::take(&mut *lock(&self.shared.stream_threads));
        for t in streams {
            let _ = t.join();
        }
    }
}

/// State shared by the relay's threads.
struct Shared {
    impairment: Impairment,
    stop: AtomicBool,
    streams: Mutex<Vec<Stream>>,
    /// The threads serving the streams' sockets, joined when the relay is dropped.
    stream_threads: Mutex<Vec<JoinHandle<()>>>,
    /// RTP packets waiting to be sent, by due time and then by the order they were queued in.
    delayed: Mutex<BTreeMap<(Instant, u64), Delayed>>,
    delayed_changed: Condvar,
    /// Numbers the delayed packets, so packets due at the same time keep their order.
    delayed_count: AtomicU64,
    /// The methods of the requests forwarded, in order.
    requests: Mutex<Vec<String>>,
}

/// One relayed destination and the relay port that stands in for it.
struct Stream {
    target: SocketAddr,
    relay_port: u16,
    counters: Arc<Counters>,
}

/// What happened to one stream's packets.
#[derive(Default)]
struct Counters {
    rtp_forwarded: AtomicU64,
    rtp_dropped: AtomicU64,
    rtcp_forwarded: AtomicU64,
}

/// An RTP packet held back by the jitter.
struct Delayed {
    data: Vec<u8>,
    from: Arc<UdpSocket>,
    to: SocketAddr,
}

impl Shared {
    /// Whether the relay is being dropped.
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The relay RTP port standing in for `target`, set up on first use (None if no ports).
    fn stream_for(self: &Arc<Self>, target: SocketAddr) -> Option<u16> {
        let mut streams = lock(&self.streams);
        if let Some(s) = streams.iter().find(|s| s.target == target) {
            return Some(s.relay_port);
        }
        let (rtp, rtcp) = bind_pair()?;
        let relay_port = rtp.local_addr().ok()?.port();
        let counters = Arc::new(Counters::default());
        let index = streams.len() as u64 + 1;
        let rng =
            StdRng::seed_from_u64(self.impairment.seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let rtcp_target = SocketAddr::new(target.ip(), target.port().wrapping_add(1));
        let (me, c) = (self.clone(), counters.clone());
        let rtp_thread = spawn("relay-rtp", move || me.relay_rtp(rtp, target, &c, rng));
        let (me, c) = (self.clone(), counters.clone());
        let rtcp_thread = spawn("relay-rtcp", move || me.relay_rtcp(&rtcp, rtcp_target, &c));
        lock(&self.stream_threads).extend([rtp_thread, rtcp_thread]);
        streams.push(Stream {
            target,
            relay_port,
            counters,
        });
        eprintln!("[relay] 127.0.0.1:{relay_port} stands in for {target}");
        Some(relay_port)
    }

    /// Passes RTP from `sock` on to `target` through the impairment.
    fn relay_rtp(&self, sock: UdpSocket, target: SocketAddr, counters: &Counters, mut rng: StdRng) {
        let sock = Arc::new(sock);
        let imp = self.impairment;
        let mut buf = vec![0u8; 65_535];
        while !self.stopped() {
            let Ok((n, _)) = sock.recv_from(&mut buf) else {
                continue;
            };
            if rng.random::<f64>() < imp.loss {
                counters.rtp_dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            counters.rtp_forwarded.fetch_add(1, Ordering::Relaxed);
            let copies = if rng.random::<f64>() < imp.duplicate {
                2
            } else {
                1
            };
            for _ in 0..copies {
                let delay = rng.random_range(imp.jitter_ms.0..=imp.jitter_ms.1);
                let packet = Delayed {
                    data: buf[..n].to_vec(),
                    from: sock.clone(),
                    to: target,
                };
                self.delay(packet, Duration::from_millis(delay));
            }
        }
    }

    /// Passes RTCP from `sock` on to `target` untouched.
    fn relay_rtcp(&self, sock: &UdpSocket, target: SocketAddr, counters: &Counters) {
        let mut buf = vec![0u8; 65_535];
        while !self.stopped() {
            if let Ok((n, _)) = sock.recv_from(&mut buf) {
                let _ = sock.send_to(&buf[..n], target);
                counters.rtcp_forwarded.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Queues a packet to be sent `by` from now.
    fn delay(&self, packet: Delayed, by: Duration) {
        let order = self.delayed_count.fetch_add(1, Ordering::Relaxed);
        lock(&self.delayed).insert((Instant::now() + by, order), packet);
        self.delayed_changed.notify_one();
    }

    /// Sends each delayed packet when it is due.
    fn run_delay_queue(&self) {
        let mut queue = lock(&self.delayed);
        while !self.stopped() {
            let now = Instant::now();
            let wait = match queue.first_entry() {
                Some(due) if due.key().0 <= now => {
                    let p = due.remove();
                    let _ = p.from.send_to(&p.data, p.to);
                    continue;
                }
                Some(later) => (later.key().0 - now).min(POLL),
                None => POLL,
            };
            queue = self
                .delayed_changed
                .wait_timeout(queue, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The SIP side: a stateless proxy on one socket.
struct Proxy {
    sock: UdpSocket,
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Forwards SIP datagrams until the relay stops.
    fn run(&self) {
        let mut buf = vec![0u8; 65_535];
        while !self.shared.stopped() {
            let Ok((n, src)) = self.sock.recv_from(&mut buf) else {
                continue;
            };
            let forwarded = match Message::parse(&buf[..n]) {
                Ok(Message::Request(req)) => self.forward_request(req, src),
                Ok(Message::Response(resp)) => self.forward_response(resp),
                Err(_) => Err("not a SIP message".to_owned()),
            };
            match forwarded {
                Ok((data, dest)) => {
                    let _ = self.sock.send_to(&data, dest);
                }
                Err(why) => eprintln!("[relay] dropped a datagram from {src}: {why}"),
            }
        }
    }

    /// A request made ready for the next hop, and where that hop is.
    fn forward_request(
        &self,
        mut req: Request,
        src: SocketAddr,
    ) -> Result<(Vec<u8>, SocketAddr), String> {
        let headers = &mut req.headers;
        let hops = headers.max_forwards().map_err(|e| e.to_string())?;
        if hops == 0 {
            return Err("Max-Forwards is 0".to_owned());
        }
        headers.set("Max-Forwards", (hops - 1).to_string());

        let mut vias = owned_list(headers, "Via");
        let top = vias.first().ok_or("no Via")?;
        let mut via = Via::parse(top).map_err(|e| e.to_string())?;
        let branch = derived_branch(via.branch().unwrap_or(top));
        mark_source(&mut via, src);
        vias[0] = via.to_string();
        vias.insert(0, format!("SIP/2.0/UDP {};branch={branch}", self.addr));
        set_list(headers, "Via", &vias);

        let mut routes = owned_list(headers, "Route");
        if routes.first().is_some_and(|r| self.is_me(r)) {
            routes.remove(0);
            set_list(headers, "Route", &routes);
        }
        let dialog_creating = headers.to().is_ok_and(|to| to.tag().is_none());
        if req.method == Method::Invite && dialog_creating {
            headers.push_front("Record-Route", format!("<sip:{};lr>", self.addr));
        }

        let dest = match routes.first() {
            Some(route) => {
                let route = NameAddr::parse(route).map_err(|e| e.to_string())?;
                resolve(&route.uri.host, route.uri.port)
            }
            None => resolve(&req.uri.host, req.uri.port),
        }
        .ok_or_else(|| format!("no address to send {} {} to", req.method, req.uri))?;
        if dest == self.addr {
            return Err(format!(
                "{} {} is addressed to the relay",
                req.method, req.uri
            ));
        }
        self.relay_media(&req.headers, &mut req.body);
        eprintln!("[relay] {} {} -> {dest}", req.method, req.uri);
        lock(&self.shared.requests).push(req.method.to_string());
        Ok((req.to_bytes(), dest))
    }

    /// A response made ready for the previous hop, and where that hop is.
    fn forward_response(&self, mut resp: Response) -> Result<(Vec<u8>, SocketAddr), String> {
        let mut vias = owned_list(&resp.headers, "Via");
        if !vias.first().is_some_and(|v| self.is_my_via(v)) {
            return Err(format!("{} whose top Via is not ours", resp.status_line()));
        }
        vias.remove(0);
        let next = vias.first().ok_or("a response with no Via left")?;
        let next = Via::parse(next).map_err(|e| e.to_string())?;
        let host = next.param("received").flatten().unwrap_or(&next.host);
        let port = next.param("rport").flatten().and_then(|p| p.parse().ok());
        let dest = resolve(host, port.or(next.port))
            .ok_or_else(|| format!("no address for the Via {next}"))?;
        set_list(&mut resp.headers, "Via", &vias);
        self.relay_media(&resp.headers, &mut resp.body);
        eprintln!("[relay] {} -> {dest}", resp.status_line());
        Ok((resp.to_bytes(), dest))
    }

    /// Whether a Route names this relay.
    fn is_me(&self, route: &str) -> bool {
        NameAddr::parse(route).is_ok_and(|r| resolve(&r.uri.host, r.uri.port) == Some(self.addr))
    }

    /// Whether a Via is the one this relay puts on requests.
    fn is_my_via(&self, via: &str) -> bool {
        Via::parse(via).is_ok_and(|v| resolve(&v.host, v.port) == Some(self.addr))
    }

    /// Points the audio of an SDP body at the relay.
    fn relay_media(&self, headers: &Headers, body: &mut Vec<u8>) {
        if headers.content_type().as_deref() != Some("application/sdp") {
            return;
        }
        if let Ok(sdp) = std::str::from_utf8(body) {
            let relayed = rewrite_sdp(sdp, |target| self.shared.stream_for(target));
            *body = relayed.into_bytes();
        }
    }
}

/// Rewrites an SDP body so its audio flows through the relay: `relay_port(X:PORT)` is the relay
/// port standing in for X:PORT (None leaves that stream alone).
///
/// A stream with its own `c=` gets that line rewritten; streams that use the session's `c=` get
/// it rewritten when all of them are relayed, else a `c=` of their own.
fn rewrite_sdp(sdp: &str, mut relay_port: impl FnMut(SocketAddr) -> Option<u16>) -> String {
    let eol = if sdp.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = sdp.lines().map(str::to_owned).collect();
    let media_starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("m="))
        .collect();
    let session_end = media_starts.first().copied().unwrap_or(lines.len());
    let session_c = (0..session_end).find(|&i| lines[i].starts_with("c="));
    let session_addr = session_c.and_then(|i| ipv4_connection(&lines[i]));

    // Relayed streams that rely on the session's c= line, and whether all such streams are.
    let mut on_session_c = Vec::new();
    let mut all_on_session_c_relayed = true;
    for (k, &m) in media_starts.iter().enumerate() {
        let end = media_starts.get(k + 1).copied().unwrap_or(lines.len());
        let own_c = (m + 1..end).find(|&i| lines[i].starts_with("c="));
        let addr = match own_c {
            Some(i) => ipv4_connection(&lines[i]),
            None => session_addr,
        };
        let relayed = match (audio_port(&lines[m]), addr) {
            (Some(port), Some(ip)) if port != 0 && !ip.is_unspecified() => {
                relay_port(SocketAddr::new(IpAddr::V4(ip), port))
            }
            _ => None,
        };
        match (relayed, own_c) {
            (Some(port), Some(c)) => {
                lines[m] = with_port(&lines[m], port);
                lines[c] = RELAY_CONNECTION.to_owned();
            }
            (Some(port), None) => {
                lines[m] = with_port(&lines[m], port);
                on_session_c.push(m);
            }
            (None, None) => all_on_session_c_relayed = false,
            (None, Some(_)) => {}
        }
    }
    match session_c {
        Some(c) if all_on_session_c_relayed && !on_session_c.is_empty() => {
            lines[c] = RELAY_CONNECTION.to_owned();
        }
        _ => {
            // Back to front, so the indices of earlier streams stay valid.
            for &m in on_session_c.iter().rev() {
                // A media-level c= follows the m= line and its i= title (RFC 4566 §5).
                let mut at = m + 1;
                while lines.get(at).is_some_and(|l| l.starts_with("i=")) {
                    at += 1;
                }
                lines.insert(at, RELAY_CONNECTION.to_owned());
            }
        }
    }
    let mut out = lines.join(eol);
    if sdp.ends_with('\n') {
        out.push_str(eol);
    }
    out
}

/// The address of a `c=IN IP4 ADDR[/TTL]` line.
fn ipv4_connection(line: &str) -> Option<Ipv4Addr> {
    let mut fields = line.strip_prefix("c=")?.split_whitespace();
    let (Some("IN"), Some("IP4"), Some(addr)) = (fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    addr.split('/').next()?.parse().ok()
}

/// The port of an `m=audio PORT ...` line (None for other media and port counts).
fn audio_port(line: &str) -> Option<u16> {
    let mut fields = line.strip_prefix("m=")?.split_whitespace();
    if fields.next()? != "audio" {
        return None;
    }
    fields.next()?.parse().ok()
}

/// An `m=` line with another port.
fn with_port(line: &str, port: u16) -> String {
    match line.splitn(3, ' ').collect::<Vec<_>>()[..] {
        [media, _, rest] => format!("{media} {port} {rest}"),
        _ => line.to_owned(),
    }
}

/// Our branch for a request whose top Via branch is `incoming`: always the same for the same
/// incoming branch, as a stateless proxy's must be (RFC 3261 §16.11).
fn derived_branch(incoming: &str) -> String {
    let mut h = DefaultHasher::new();
    incoming.hash(&mut h);
    format!("z9hG4bK-relay-{:016x}", h.finish())
}

/// Notes where a request really came from in its top Via (`received`, and `rport` when asked
/// for, RFC 3581), so its responses find the way back.
fn mark_source(via: &mut Via, src: SocketAddr) {
    let rport_asked = via.param("rport") == Some(None);
    if rport_asked {
        set_param(&mut via.params, "rport", src.port().to_string());
    }
    if rport_asked || via.host.parse::<IpAddr>() != Ok(src.ip()) {
        set_param(&mut via.params, "received", src.ip().to_string());
    }
}

/// Sets a Via parameter, adding it if absent.
fn set_param(params: &mut Params, name: &str, value: String) {
    match params
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some((_, v)) => *v = Some(value),
        None => params.push((name.to_owned(), Some(value))),
    }
}

/// The elements of a list header (Via, Route), one per entry.
fn owned_list(headers: &Headers, name: &str) -> Vec<String> {
    headers.list(name).into_iter().map(str::to_owned).collect()
}

/// Replaces a list header with `values`, one line each, at the top of the headers.
fn set_list(headers: &mut Headers, name: &str, values: &[String]) {
    headers.remove(name);
    for v in values.iter().rev() {
        headers.push_front(name, v.as_str());
    }
}

/// An IPv4 socket address for a SIP host and port (5060 when none is given).
fn resolve(host: &str, port: Option<u16>) -> Option<SocketAddr> {
    (host, port.unwrap_or(5060))
        .to_socket_addrs()
        .ok()?
        .find(SocketAddr::is_ipv4)
}

/// An RTP/RTCP socket pair on 127.0.0.1: an even port and the next one.
fn bind_pair() -> Option<(UdpSocket, UdpSocket)> {
    for _ in 0..20 {
        let port = free_port_block(2);
        let rtp = UdpSocket::bind((Ipv4Addr::LOCALHOST, port));
        let rtcp = UdpSocket::bind((Ipv4Addr::LOCALHOST, port + 1));
        if let (Ok(rtp), Ok(rtcp)) = (rtp, rtcp) {
            rtp.set_read_timeout(Some(POLL)).ok()?;
            rtcp.set_read_timeout(Some(POLL)).ok()?;
            return Some((rtp, rtcp));
        }
    }
    None
}

/// Starts a named relay thread.
fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .expect("start a relay thread")
}

/// Locks a mutex; a thread that panicked while holding it leaves data still fit for counting.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
