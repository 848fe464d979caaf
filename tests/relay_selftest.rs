//! The impairing relay of `tests/common/relay.rs`: hand-made SIP and RTP over raw sockets check
//! its signalling and media paths, then two agents call each other through it.

mod common;

use std::collections::BTreeSet;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use common::relay::{Impairment, Relay, StreamStats};
use common::*;
use linekey::core::sip::message::{Message, Request, Response};
use serde_json::json;

/// How long a hand-made message may take to cross the relay.
const HOP: Duration = Duration::from_secs(5);

/// The Call-ID of the hand-made call.
const CALL_ID: &str = "relay-selftest@127.0.0.1";

/// A user agent driven by hand: a SIP socket and an RTP/RTCP socket pair.
struct Ua {
    name: &'static str,
    sip: RawSip,
    rtp: UdpSocket,
    rtcp: UdpSocket,
}

impl Ua {
    fn new(name: &'static str) -> Ua {
        let port = free_port_block(2);
        let rtp = UdpSocket::bind(("127.0.0.1", port)).expect("bind RTP");
        let rtcp = UdpSocket::bind(("127.0.0.1", port + 1)).expect("bind RTCP");
        Ua {
            name,
            sip: RawSip::new(),
            rtp,
            rtcp,
        }
    }

    fn rtp_addr(&self) -> SocketAddr {
        self.rtp.local_addr().unwrap()
    }

    fn contact(&self) -> String {
        format!("sip:{}@{}", self.name, self.sip.addr)
    }

    /// Our From/To tag in the call.
    fn tag(&self) -> String {
        format!("{}-tag", self.name)
    }

    /// An SDP body offering audio at `connection` on our RTP port.
    fn sdp(&self, connection: &str) -> String {
        format!(
            "v=0\r\no={} 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 {connection}\r\nt=0 0\r\n\
             m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
            self.name,
            self.rtp_addr().port()
        )
    }

    /// Sends a request of the call to `to`, through the relay. In a dialog (`in_dialog`) the
    /// request carries both tags and a Route to the relay, as its Record-Route asked.
    fn send_request(&self, relay: SocketAddr, to: &Ua, req: Req) {
        let mut text = format!(
            "{method} {uri} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {me};branch={branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{name}@127.0.0.1>;tag={tag}\r\n\
             To: <sip:{to_name}@127.0.0.1>{to_tag}\r\n\
             Call-ID: {CALL_ID}\r\n\
             CSeq: {cseq} {method}\r\n\
             Contact: <{contact}>\r\n",
            method = req.method,
            uri = to.contact(),
            me = self.sip.addr,
            branch = req.branch,
            name = self.name,
            tag = self.tag(),
            to_name = to.name,
            to_tag = if req.in_dialog {
                format!(";tag={}", to.tag())
            } else {
                String::new()
            },
            cseq = req.cseq,
            contact = self.contact(),
        );
        if req.in_dialog {
            text += &format!("Route: <sip:{relay};lr>\r\n");
        }
        match req.sdp {
            Some(sdp) => {
                text += "Content-Type: application/sdp\r\n";
                text += &format!("Content-Length: {}\r\n\r\n{sdp}", sdp.len());
            }
            None => text += "Content-Length: 0\r\n\r\n",
        }
        self.sip.send(relay, text.as_bytes());
    }

    /// Answers `req` through the relay, with our tag, Contact and an optional SDP body.
    fn respond(&self, relay: SocketAddr, req: &Request, status: u16, sdp: Option<&str>) {
        let mut resp = Response::to(&req.headers, status, None);
        let to = req.headers.get("To").unwrap_or_default();
        if !to.contains(";tag=") {
            resp.headers.set("To", format!("{to};tag={}", self.tag()));
        }
        resp.headers
            .push("Contact", format!("<{}>", self.contact()));
        if let Some(sdp) = sdp {
            resp.headers.push("Content-Type", "application/sdp");
            resp.body = sdp.as_bytes().to_vec();
        }
        self.sip.send(relay, &resp.to_bytes());
    }

    /// Waits for a request with this method.
    fn expect_request(&self, method: &str) -> Request {
        let start = format!("{method} ");
        match self.expect_sip(&format!("a {method}"), |d| d.starts_with(start.as_bytes())) {
            Message::Request(r) => r,
            Message::Response(r) => unreachable!("{} is not a request", r.status_line()),
        }
    }

    /// Waits for a response with this status.
    fn expect_response(&self, status: u16) -> Response {
        match self.expect_sip(&format!("a {status}"), |d| status_of(d) == Some(status)) {
            Message::Response(r) => r,
            Message::Request(r) => unreachable!("{} is not a response", r.method),
        }
    }

    /// Waits for a SIP message, checks that its Content-Length is exact and parses it.
    fn expect_sip(&self, what: &str, pred: impl Fn(&[u8]) -> bool) -> Message {
        let data = self
            .sip
            .recv_until(HOP, pred)
            .unwrap_or_else(|| panic!("{} got no {what} within {HOP:?}", self.name));
        let text = String::from_utf8_lossy(&data);
        let (_, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        let length = header_of(&data, "Content-Length", Some("l"));
        assert_eq!(
            length,
            Some(body.len().to_string()),
            "Content-Length of what {} got:\n{text}",
            self.name
        );
        Message::parse(&data).unwrap_or_else(|e| panic!("unreadable {what}: {e:?}\n{text}"))
    }
}

/// What a hand-made request is.
struct Req<'a> {
    method: &'a str,
    branch: &'a str,
    cseq: u32,
    in_dialog: bool,
    sdp: Option<&'a str>,
}

impl<'a> Req<'a> {
    /// A request that starts a dialog.
    fn new(method: &'a str, branch: &'a str, cseq: u32) -> Req<'a> {
        Req {
            method,
            branch,
            cseq,
            in_dialog: false,
            sdp: None,
        }
    }

    /// The same request inside the dialog.
    fn in_dialog(self) -> Req<'a> {
        Req {
            in_dialog: true,
            ..self
        }
    }

    fn with_sdp(self, sdp: &'a str) -> Req<'a> {
        Req {
            sdp: Some(sdp),
            ..self
        }
    }
}

/// The connection address and port of the audio in an SDP body.
fn audio_of(body: &[u8]) -> (String, u16) {
    let text = String::from_utf8_lossy(body);
    let addr = text.lines().find_map(|l| l.strip_prefix("c=IN IP4 "));
    let port = text
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|rest| rest.split(' ').next()?.parse().ok());
    match (addr, port) {
        (Some(addr), Some(port)) => (addr.to_owned(), port),
        _ => panic!("no audio address in the SDP:\n{text}"),
    }
}

/// A call from `uac` to `uas` set up through the relay.
struct Call {
    /// The INVITE as the UAS got it.
    invite: Request,
    /// The 200 OK as the UAC got it.
    ok: Response,
    /// The relay's stand-in for the UAC's RTP address (the address the UAS was offered).
    to_uac: SocketAddr,
    /// The relay's stand-in for the UAS's RTP address (the address the UAC was answered).
    to_uas: SocketAddr,
}

/// INVITE, 180, 200 with SDP both ways and ACK, through the relay.
fn call(relay: SocketAddr, uac: &Ua, uas: &Ua) -> Call {
    let offer = uac.sdp("127.0.0.1");
    uac.send_request(
        relay,
        uas,
        Req::new("INVITE", "z9hG4bK-inv", 1).with_sdp(&offer),
    );
    let invite = uas.expect_request("INVITE");
    uas.respond(relay, &invite, 180, None);
    uac.expect_response(180);
    uas.respond(relay, &invite, 200, Some(&uas.sdp("127.0.0.1")));
    let ok = uac.expect_response(200);
    uac.send_request(relay, uas, Req::new("ACK", "z9hG4bK-ack", 1).in_dialog());
    let ack = uas.expect_request("ACK");
    assert!(
        !ack.headers.has("Route"),
        "the relay takes its own Route off the ACK: {:?}",
        ack.headers
    );
    let stand_in = |body: &[u8]| {
        let (addr, port) = audio_of(body);
        assert_eq!(addr, "127.0.0.1", "relayed audio is addressed to the relay");
        SocketAddr::from(([127, 0, 0, 1], port))
    };
    Call {
        to_uac: stand_in(&invite.body),
        to_uas: stand_in(&ok.body),
        invite,
        ok,
    }
}

/// The counters of the stream relayed to `target`.
fn stream_to(relay: &Relay, target: SocketAddr) -> StreamStats {
    let streams = relay.streams();
    streams
        .iter()
        .find(|s| s.target == target)
        .copied()
        .unwrap_or_else(|| panic!("the relay has no stream to {target}: {streams:?}"))
}

#[test]
fn signalling_crosses_the_relay_both_ways() {
    let relay = Relay::start(Impairment::none());
    let relay_addr: SocketAddr = relay.sip_addr().parse().unwrap();
    let (uac, uas) = (Ua::new("alice"), Ua::new("bob"));
    let c = call(relay_addr, &uac, &uas);

    // The INVITE: our Via on top, the caller's marked with where it came from, a Record-Route,
    // one hop fewer, and the offer pointing at the relay.
    let vias = c.invite.headers.vias().unwrap();
    assert_eq!(vias.len(), 2, "{vias:?}");
    assert_eq!(
        (vias[0].host.as_str(), vias[0].port),
        ("127.0.0.1", Some(relay_addr.port()))
    );
    assert!(vias[0].branch().unwrap().starts_with("z9hG4bK"));
    let rport = uac.sip.addr.port().to_string();
    assert_eq!(vias[1].param("rport"), Some(Some(rport.as_str())));
    assert_eq!(vias[1].param("received"), Some(Some("127.0.0.1")));
    let record_route = format!("<sip:{relay_addr};lr>");
    assert_eq!(
        c.invite.headers.get("Record-Route"),
        Some(record_route.as_str())
    );
    assert_eq!(c.invite.headers.max_forwards().unwrap(), 69);
    assert_ne!(c.to_uac, uac.rtp_addr());
    assert_eq!(c.to_uac.port() % 2, 0, "RTP on an even port");

    // The 200: our Via gone, Record-Route kept, the answer pointing at another relay port.
    assert_eq!(c.ok.headers.vias().unwrap().len(), 1);
    assert_eq!(
        c.ok.headers.get("Record-Route"),
        Some(record_route.as_str())
    );
    assert_ne!(c.to_uas, uas.rtp_addr());
    assert_ne!(c.to_uas, c.to_uac);

    // A retransmission keeps its branch downstream.
    let offer = uac.sdp("127.0.0.1");
    uac.send_request(
        relay_addr,
        &uas,
        Req::new("INVITE", "z9hG4bK-inv", 1).with_sdp(&offer),
    );
    let again = uas.expect_request("INVITE");
    assert_eq!(again.headers.via().unwrap(), vias[0]);
    assert_eq!(audio_of(&again.body).1, c.to_uac.port(), "same stand-in");

    // Hold: 0.0.0.0 passes untouched, and no Record-Route inside the dialog.
    let hold = uac.sdp("0.0.0.0");
    uac.send_request(
        relay_addr,
        &uas,
        Req::new("INVITE", "z9hG4bK-hold", 2)
            .in_dialog()
            .with_sdp(&hold),
    );
    let reinvite = uas.expect_request("INVITE");
    assert_eq!(String::from_utf8_lossy(&reinvite.body), hold);
    assert!(!reinvite.headers.has("Record-Route"));
    assert!(!reinvite.headers.has("Route"));
    uas.respond(relay_addr, &reinvite, 200, Some(&uas.sdp("127.0.0.1")));
    let ok = uac.expect_response(200);
    assert_eq!(audio_of(&ok.body).1, c.to_uas.port(), "same stand-in");
    uac.send_request(
        relay_addr,
        &uas,
        Req::new("ACK", "z9hG4bK-ack2", 2).in_dialog(),
    );
    uas.expect_request("ACK");

    // The callee hangs up through the Record-Route.
    uas.send_request(
        relay_addr,
        &uac,
        Req::new("BYE", "z9hG4bK-bye", 1).in_dialog(),
    );
    let bye = uac.expect_request("BYE");
    assert!(!bye.headers.has("Route"));
    uac.respond(relay_addr, &bye, 200, None);
    uas.expect_response(200);

    assert_eq!(
        relay.forwarded_requests(),
        ["INVITE", "ACK", "INVITE", "INVITE", "ACK", "BYE"]
    );
    let targets: Vec<SocketAddr> = relay.streams().iter().map(|s| s.target).collect();
    assert_eq!(targets, [uac.rtp_addr(), uas.rtp_addr()]);

    // Dropping the relay closes every socket it had.
    let ports = [
        relay_addr.port(),
        c.to_uac.port(),
        c.to_uac.port() + 1,
        c.to_uas.port(),
        c.to_uas.port() + 1,
    ];
    drop(relay);
    let open: Vec<u16> = ports.into_iter().filter(|&p| udp_port_bound(p)).collect();
    assert!(open.is_empty(), "ports still bound after drop: {open:?}");
}

#[test]
fn only_audio_with_a_real_address_is_relayed() {
    let relay = Relay::start(Impairment::none());
    let relay_addr: SocketAddr = relay.sip_addr().parse().unwrap();
    let (uac, uas) = (Ua::new("alice"), Ua::new("bob"));
    let offer = |n: u32, sdp: &str| {
        let branch = format!("z9hG4bK-offer{n}");
        uac.send_request(
            relay_addr,
            &uas,
            Req::new("INVITE", &branch, n).with_sdp(sdp),
        );
        let invite = uas.expect_request("INVITE");
        String::from_utf8(invite.body).unwrap()
    };

    // Audio and video on the session address: the audio gets a c= of its own (after its i=),
    // the video stays where it was.
    let sdp = "v=0\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 21000 RTP/AVP 0\r\n\
               i=voice\r\na=sendrecv\r\nm=video 21002 RTP/AVP 96\r\n";
    let out = offer(1, sdp);
    let port = stream_to(&relay, "127.0.0.1:21000".parse().unwrap()).relay_port;
    assert_eq!(
        out,
        format!(
            "v=0\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\n\
             i=voice\r\nc=IN IP4 127.0.0.1\r\na=sendrecv\r\nm=video 21002 RTP/AVP 96\r\n"
        )
    );

    // A media-level address wins over the session's 0.0.0.0, which stays.
    let sdp = "v=0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 21004 RTP/AVP 0\r\n\
               c=IN IP4 127.0.0.1\r\n";
    let out = offer(2, sdp);
    let port = stream_to(&relay, "127.0.0.1:21004".parse().unwrap()).relay_port;
    assert_eq!(out, sdp.replace("21004", &port.to_string()));

    // A refused stream (port 0) and a held one (0.0.0.0) pass untouched.
    for (n, sdp) in [
        (
            3,
            "v=0\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n",
        ),
        (
            4,
            "v=0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 21006 RTP/AVP 0\r\n",
        ),
    ] {
        assert_eq!(offer(n, sdp), sdp);
    }
    assert_eq!(relay.streams().len(), 2, "{:?}", relay.streams());
}

/// An RTP packet with this sequence number and a payload made of it.
fn rtp_packet(seq: u16) -> Vec<u8> {
    let [hi, lo] = seq.to_be_bytes();
    let mut p = vec![0x80, 0, hi, lo, 0, 0, 0, 0, 0, 0, 0, 1];
    p.extend(std::iter::repeat_n(lo, 160));
    p
}

/// Everything that arrives at `sock`: the first datagram within 5 s, then more until none has
/// come for 500 ms (at most 10 s in all).
fn collect(sock: &UdpSocket) -> Vec<(Vec<u8>, SocketAddr)> {
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    while Instant::now() < deadline {
        match sock.recv_from(&mut buf) {
            Ok((n, from)) => got.push((buf[..n].to_vec(), from)),
            Err(_) => break,
        }
        sock.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
    }
    got
}

/// Sends `count` RTP packets from `sock` to `to`, 1 ms apart.
fn send_rtp(sock: &UdpSocket, to: SocketAddr, count: u16) {
    for seq in 0..count {
        sock.send_to(&rtp_packet(seq), to).unwrap();
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn rtp_is_impaired_and_rtcp_is_not() {
    let relay = Relay::start(Impairment {
        loss: 0.1,
        jitter_ms: (0, 40),
        duplicate: 0.05,
        seed: 7,
    });
    let relay_addr: SocketAddr = relay.sip_addr().parse().unwrap();
    let (uac, uas) = (Ua::new("alice"), Ua::new("bob"));
    let c = call(relay_addr, &uac, &uas);

    const FORTH: u16 = 400;
    const BACK: u16 = 50;
    const RTCP: u8 = 20;
    let (at_uas, at_uac) = thread::scope(|s| {
        let at_uas = s.spawn(|| collect(&uas.rtp));
        let at_uac = s.spawn(|| collect(&uac.rtp));
        send_rtp(&uac.rtp, c.to_uas, FORTH);
        send_rtp(&uas.rtp, c.to_uac, BACK);
        (at_uas.join().unwrap(), at_uac.join().unwrap())
    });
    let rtcp_to = SocketAddr::new(c.to_uas.ip(), c.to_uas.port() + 1);
    for n in 0..RTCP {
        uac.rtcp.send_to(&[0x80, 200, 0, 1, n], rtcp_to).unwrap();
    }
    let rtcp_at_uas = collect(&uas.rtcp);

    // Towards the UAS: from the relay port that stands in for it, intact, with losses,
    // duplicates and packets overtaking each other.
    let seqs: Vec<u16> = at_uas
        .iter()
        .map(|(data, from)| {
            assert_eq!(*from, c.to_uas, "sent from the stand-in's socket");
            let seq = u16::from_be_bytes([data[2], data[3]]);
            assert_eq!(*data, rtp_packet(seq), "packet {seq} arrives intact");
            seq
        })
        .collect();
    let distinct: BTreeSet<u16> = seqs.iter().copied().collect();
    let lost = u64::from(FORTH) - distinct.len() as u64;
    let stats = stream_to(&relay, uas.rtp_addr());
    assert_eq!(stats.rtp_forwarded, distinct.len() as u64, "{stats:?}");
    assert_eq!(stats.rtp_dropped, lost, "{stats:?}");
    let share = lost as f64 / f64::from(FORTH);
    assert!((0.04..=0.20).contains(&share), "lost {lost} of {FORTH}");
    assert!(seqs.len() > distinct.len(), "some packets come twice");
    assert!(
        seqs.windows(2).any(|w| w[1] < w[0]),
        "some packets overtake others: {seqs:?}"
    );

    // Back towards the UAC, through the other stand-in.
    let stats = stream_to(&relay, uac.rtp_addr());
    assert_eq!(stats.rtp_forwarded + stats.rtp_dropped, u64::from(BACK));
    let distinct: BTreeSet<&Vec<u8>> = at_uac.iter().map(|(data, _)| data).collect();
    assert_eq!(distinct.len() as u64, stats.rtp_forwarded);
    assert!(at_uac.iter().all(|(_, from)| *from == c.to_uac));

    assert_eq!(
        relay.rtp_forwarded(),
        relay.streams().iter().map(|s| s.rtp_forwarded).sum::<u64>()
    );
    assert_eq!(
        relay.rtp_dropped(),
        relay.streams().iter().map(|s| s.rtp_dropped).sum::<u64>()
    );

    // RTCP: every packet, in order, unchanged, from the stand-in's RTCP port.
    let expected: Vec<(Vec<u8>, SocketAddr)> = (0..RTCP)
        .map(|n| (vec![0x80, 200, 0, 1, n], rtcp_to))
        .collect();
    assert_eq!(rtcp_at_uas, expected);
    assert_eq!(
        stream_to(&relay, uas.rtp_addr()).rtcp_forwarded,
        u64::from(RTCP)
    );
}

#[test]
fn agents_call_through_an_impaired_relay() {
    let relay = Relay::start(Impairment {
        loss: 0.1,
        jitter_ms: (0, 60),
        duplicate: 0.02,
        seed: 1,
    });
    let a = AgentConfig {
        proxy: Some(relay.sip_addr()),
        ..AgentConfig::new("alice")
    };
    let b = AgentConfig::new("bob");
    let alice = a.start();
    let bob = b.start();

    alice.dial(&b.uri());
    bob.expect_line(1, "incoming", STEP);
    alice.expect_line(1, "ringing", STEP);
    bob.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    alice.expect_line(1, "connected", STEP);

    // About 2 s of audio: 100 packets each way at 20 ms (longer on a slow machine, at most 10 s).
    let in_range =
        |s: &StreamStats, (low, high): (u16, u16)| (low..=high).contains(&s.target.port());
    let started = Instant::now();
    let streams = loop {
        thread::sleep(Duration::from_millis(100));
        let streams = relay.streams();
        let seen = |range| -> u64 {
            streams
                .iter()
                .filter(|s| in_range(s, range))
                .map(|s| s.rtp_forwarded + s.rtp_dropped)
                .sum()
        };
        let enough = seen(a.rtp_ports) >= 100 && seen(b.rtp_ports) >= 100;
        let waited = started.elapsed();
        if (enough && waited >= Duration::from_secs(2)) || waited >= Duration::from_secs(10) {
            break streams;
        }
    };

    // bob hangs up; his BYE reaches alice through the relay, as alice's Record-Route asked.
    bob.send(json!({"cmd": "hangup", "line": 1}));
    bob.expect_idle(1, "local_hangup");
    alice.expect_idle(1, "remote_hangup");
    let requests = relay.forwarded_requests();
    assert!(
        requests.iter().any(|m| m == "BYE"),
        "the BYE crosses the relay: {requests:?}"
    );

    let towards = |range, who| {
        let s: Vec<&StreamStats> = streams.iter().filter(|s| in_range(s, range)).collect();
        assert!(
            s.iter().any(|s| s.rtp_forwarded > 0),
            "no RTP reached {who} through the relay: {streams:?}"
        );
    };
    towards(a.rtp_ports, "alice");
    towards(b.rtp_ports, "bob");
    let forwarded: u64 = streams.iter().map(|s| s.rtp_forwarded).sum();
    let dropped: u64 = streams.iter().map(|s| s.rtp_dropped).sum();
    let total = forwarded + dropped;
    assert!(
        total >= 100,
        "only {total} RTP packets crossed: {streams:?}"
    );
    let share = dropped as f64 / total as f64;
    assert!(
        (0.04..=0.20).contains(&share),
        "dropped {dropped} of {total} with 10 % loss"
    );
}
