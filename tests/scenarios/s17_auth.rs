//! S17 (seed figure B-19): a proxy challenges the INVITE with `407`; the phone ACKs it and sends
//! the INVITE again with digest credentials (MD5 or SHA-256, `qop=auth`, nonce count in hex) and
//! the next CSeq. Wrong credentials end in one clear failure, never a loop. The same for
//! REGISTER with `401`.

use std::cell::Cell;
use std::rc::Rc;

use linekey::core::phone::{LineState::*, RegistrationState};
use linekey::core::sip::auth::{Algorithm, Authorization, Challenge};
use linekey::core::sip::message::{Message, Method, Request};

use crate::sim::*;

const REALM: &str = "linekey.test";

/// How the scripted proxy challenges.
#[derive(Clone, Copy)]
struct ProxyConf {
    /// The password it checks against.
    password: &'static str,
    /// The algorithm it asks for.
    algorithm: &'static str,
    /// Whether every challenge says `stale=true`.
    always_stale: bool,
    /// Whether an authenticated INVITE is answered, or only rings.
    answer: bool,
}

const MD5: ProxyConf = ProxyConf {
    password: "secret",
    algorithm: "MD5",
    always_stale: false,
    answer: true,
};

fn challenge(nonce: u32, conf: ProxyConf) -> String {
    let mut c = format!(
        "Digest realm=\"{REALM}\", nonce=\"nonce{nonce:04}\", qop=\"auth\", algorithm={}",
        conf.algorithm
    );
    if conf.always_stale {
        c.push_str(", stale=true");
    }
    c
}

/// A proxy that challenges INVITE (407) and REGISTER (401) until the credentials verify, then
/// serves as the callee (100/180/200 with PCMU) or the registrar (200 with the Contact).
fn proxy(conf: ProxyConf) -> impl FnMut(&mut PeerCtx, Message) {
    let mut nonces = 0;
    move |ctx, msg| {
        let Message::Request(req) = msg else { return };
        let (status, ask, answer) = match req.method {
            Method::Invite => (407, "Proxy-Authenticate", "Proxy-Authorization"),
            Method::Register => (401, "WWW-Authenticate", "Authorization"),
            Method::Ack => return,
            Method::Cancel => {
                ctx.reply(peer::reply(&req, 200));
                let mut terminated = peer::reply(&req, 487);
                let seq = req.headers.cseq().unwrap().seq;
                terminated.headers.set("CSeq", format!("{seq} INVITE"));
                return ctx.reply(terminated);
            }
            _ => return ctx.reply(peer::reply(&req, 200)),
        };
        let good = req
            .headers
            .get(answer)
            .and_then(|v| Authorization::parse(v).ok())
            .is_some_and(|a| a.verify(conf.password, req.method.as_str()));
        if !good {
            nonces += 1;
            let mut resp = peer::reply(&req, status);
            resp.headers.push(ask, challenge(nonces, conf));
            return ctx.reply(resp);
        }
        if req.method == Method::Register {
            let mut ok = peer::reply(&req, 200);
            let contact = req.headers.get("Contact").unwrap_or_default();
            ok.headers
                .push("Contact", format!("{contact};expires=3600"));
            return ctx.reply(ok);
        }
        ctx.reply(peer::reply(&req, 100));
        ctx.reply(peer::reply(&req, 180));
        if !conf.answer {
            return;
        }
        let ok = peer::ok_with_sdp(&req, ctx.me);
        ctx.reply(ok);
    }
}

/// Phone A with the proxy as its outbound proxy, and the proxy.
fn world(password: &str, conf: ProxyConf, extra: &[&str]) -> Sim {
    let mut sim = Sim::new();
    sim.add_peer("P", P_ADDR, proxy(conf));
    let pw = format!("account.password={password}");
    let mut overrides = vec![
        "proxy.primary=10.0.0.9:5060",
        "account.domain=linekey.test",
        pw.as_str(),
    ];
    overrides.extend_from_slice(extra);
    sim.phone("A", "alice", A_ADDR, &overrides);
    sim
}

fn auth_of(req: &Request, header: &str) -> Authorization {
    Authorization::parse(req.headers.get(header).expect("credentials header")).expect("parses")
}

const AUTHENTICATED_CALL: [&str; 8] = [
    "A->P INVITE",
    "P->A 407",
    "A->P ACK",
    "A->P INVITE",
    "P->A 100",
    "P->A 180",
    "P->A 200",
    "A->P ACK",
];

fn check_authenticated_call(sim: &Sim, algorithm: Algorithm) {
    assert_eq!(sim.trace_lines(), AUTHENTICATED_CALL, "{}", sim.dump());
    let invites: Vec<Request> = sim
        .find_all("A", "P", "INVITE")
        .into_iter()
        .map(request)
        .collect();
    let (first, second) = (&invites[0], &invites[1]);
    let challenged = sim.response("P", "A", 407);
    let offered = Challenge::parse(challenged.headers.get("Proxy-Authenticate").unwrap()).unwrap();
    assert_eq!(offered.algorithm, algorithm);

    // The ACK of the 407 is in the first INVITE's transaction.
    let acks: Vec<Request> = sim
        .find_all("A", "P", "ACK")
        .into_iter()
        .map(request)
        .collect();
    assert_eq!(
        acks[0].headers.via().unwrap().branch(),
        first.headers.via().unwrap().branch()
    );
    assert_eq!(acks[0].headers.cseq().unwrap().seq, 1);

    // Same call, next CSeq, new transaction.
    assert_eq!(
        first.headers.call_id().unwrap(),
        second.headers.call_id().unwrap()
    );
    assert_eq!(
        first.headers.from().unwrap().tag(),
        second.headers.from().unwrap().tag()
    );
    assert_eq!(first.headers.get("To"), second.headers.get("To"));
    assert_eq!(first.uri, second.uri);
    assert_eq!(
        first.headers.cseq().unwrap().seq + 1,
        second.headers.cseq().unwrap().seq
    );
    assert_eq!(second.headers.cseq().unwrap().method, Method::Invite);
    assert_ne!(
        first.headers.via().unwrap().branch(),
        second.headers.via().unwrap().branch()
    );
    assert!(first.headers.get("Proxy-Authorization").is_none());
    assert_eq!(first.body, second.body, "the same offer");

    let auth = auth_of(second, "Proxy-Authorization");
    assert!(auth.verify("secret", "INVITE"), "{auth:?}");
    assert!(!auth.verify("wrong", "INVITE"));
    assert_eq!(auth.algorithm, algorithm);
    assert_eq!(auth.username, "alice");
    assert_eq!(auth.realm, REALM);
    assert_eq!(auth.nonce, "nonce0001");
    assert_eq!(auth.uri, second.uri.to_string());
    assert_eq!(auth.qop.as_deref(), Some("auth"));
    assert_eq!(auth.nc.as_deref(), Some("00000001"));
    assert!(auth.cnonce.as_deref().is_some_and(|c| !c.is_empty()));

    // The ACK of the 200 follows the second INVITE's CSeq.
    assert_eq!(
        acks[1].headers.cseq().unwrap().seq,
        second.headers.cseq().unwrap().seq
    );
    assert_eq!(acks[1].headers.cseq().unwrap().method, Method::Ack);
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected]
    );
}

#[test]
fn proxy_407_then_credentials_md5() {
    let mut sim = world("secret", MD5, &[]);
    sim.intent("A", dial("bob"));
    sim.run_for(secs(5));
    check_authenticated_call(&sim, Algorithm::Md5);
    assert_eq!(
        sim.request("A", "P", "INVITE").uri.to_string(),
        "sip:bob@linekey.test"
    );

    // Hanging up: the BYE takes the CSeq after the authenticated INVITE's.
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    let bye = sim.request("A", "P", "BYE");
    assert_eq!(bye.headers.cseq().unwrap().seq, 3);
    assert_eq!(sim.trace_lines()[8..], ["A->P BYE", "P->A 200"]);
    assert_eq!(sim.line("A", 1), (Idle, Some("local_hangup".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn proxy_407_then_credentials_sha256() {
    let conf = ProxyConf {
        algorithm: "SHA-256",
        ..MD5
    };
    let mut sim = world("secret", conf, &[]);
    sim.intent("A", dial("bob"));
    sim.run_for(secs(5));
    check_authenticated_call(&sim, Algorithm::Sha256);
}

#[test]
fn wrong_password_fails_after_one_retry() {
    let mut sim = world("wrong", MD5, &[]);
    sim.intent("A", dial("bob"));
    sim.run_for(secs(60));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->P INVITE",
            "P->A 407",
            "A->P ACK",
            "A->P INVITE",
            "P->A 407",
            "A->P ACK"
        ]
    );
    assert_eq!(sim.line_states("A", 1), [Dialing, Idle]);
    let reason = sim.line("A", 1).1.unwrap();
    assert_eq!(reason, "failed: 407 Proxy Authentication Required");
    assert!(sim.media_closed("A"));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn endless_stale_challenges_do_not_loop() {
    // A broken proxy that calls every nonce stale: the phone must still stop.
    let conf = ProxyConf {
        always_stale: true,
        ..MD5
    };
    let mut sim = world("wrong", conf, &[]);
    sim.intent("A", dial("bob"));
    sim.run_for(secs(60));
    let invites = sim.find_all("A", "P", "INVITE").len();
    assert!(
        (2..=4).contains(&invites),
        "{} INVITEs\n{}",
        invites,
        sim.dump()
    );
    assert_eq!(sim.line("A", 1).0, Idle);
    assert!(sim.line("A", 1).1.unwrap().starts_with("failed: 407"));
}

const REGISTRAR: [&str; 3] = [
    "account.register=true",
    "account.registrar=10.0.0.9:5060",
    "account.register_expires=3600",
];

#[test]
fn register_401_then_credentials() {
    let mut sim = world("secret", MD5, &REGISTRAR);
    sim.run_for(secs(5));
    assert_eq!(
        sim.trace_lines(),
        ["A->P REGISTER", "P->A 401", "A->P REGISTER", "P->A 200"]
    );
    let regs: Vec<Request> = sim
        .find_all("A", "P", "REGISTER")
        .into_iter()
        .map(request)
        .collect();
    assert_eq!(regs[0].uri.to_string(), "sip:10.0.0.9:5060");
    assert_eq!(
        regs[0].headers.call_id().unwrap(),
        regs[1].headers.call_id().unwrap()
    );
    assert_eq!(
        regs[0].headers.from().unwrap().tag(),
        regs[1].headers.from().unwrap().tag()
    );
    assert_eq!(
        regs[0].headers.cseq().unwrap().seq + 1,
        regs[1].headers.cseq().unwrap().seq
    );
    assert!(regs[0].headers.get("Authorization").is_none());
    let auth = auth_of(&regs[1], "Authorization");
    assert!(auth.verify("secret", "REGISTER"));
    assert_eq!(auth.nc.as_deref(), Some("00000001"));
    assert_eq!(auth.uri, "sip:10.0.0.9:5060");
    assert_eq!(regs[1].headers.expires(), Some(3600));
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)]
    );
}

#[test]
fn register_sha256() {
    let conf = ProxyConf {
        algorithm: "SHA-256",
        ..MD5
    };
    let mut sim = world("secret", conf, &REGISTRAR);
    sim.run_for(secs(5));
    assert_eq!(
        sim.trace_lines(),
        ["A->P REGISTER", "P->A 401", "A->P REGISTER", "P->A 200"]
    );
    let reg = request(sim.find_all("A", "P", "REGISTER").remove(1));
    let auth = auth_of(&reg, "Authorization");
    assert_eq!(auth.algorithm, Algorithm::Sha256);
    assert!(auth.verify("secret", "REGISTER"));
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)]
    );
}

#[test]
fn register_wrong_password_fails_once_and_stops() {
    let mut sim = world("wrong", MD5, &REGISTRAR);
    // An hour of simulated time: no retry loop, no periodic retry of a refused password.
    sim.run_for(secs(3600));
    assert_eq!(
        sim.trace_lines(),
        ["A->P REGISTER", "P->A 401", "A->P REGISTER", "P->A 401"]
    );
    let regs = sim.registrations("A");
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(regs[0].0, RegistrationState::Failed);
    let reason = regs[0].1.clone().unwrap();
    assert!(reason.contains("password"), "{reason}");
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}

#[test]
fn register_refresh_answers_the_new_challenge() {
    let mut sim = world("secret", MD5, &REGISTRAR);
    sim.run_for(secs(5));
    // Refreshed at 85% of the granted hour, on the same Call-ID with rising CSeq.
    sim.run_for(secs(3100));
    let times = sim.times("A", "P", "REGISTER");
    assert_eq!(times.len(), 4, "{}", sim.dump());
    assert_eq!(times[2], ms(40) + secs(3060));
    let regs: Vec<Request> = sim
        .find_all("A", "P", "REGISTER")
        .into_iter()
        .map(request)
        .collect();
    let seqs: Vec<u32> = regs.iter().map(|r| r.headers.cseq().unwrap().seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert!(regs
        .iter()
        .all(|r| r.headers.call_id() == regs[0].headers.call_id()));
    let auth = auth_of(&regs[3], "Authorization");
    assert_eq!(auth.nonce, "nonce0002");
    assert_eq!(auth.nc.as_deref(), Some("00000001"));
    assert!(auth.verify("secret", "REGISTER"));
    // A refresh is not news: the user was told once, and stays registered throughout.
    assert_eq!(
        sim.registrations("A"),
        [(RegistrationState::Registered, None)],
        "{}",
        sim.dump()
    );
}

#[test]
fn reused_nonce_counts_up() {
    // A registrar that keeps one nonce: each answer to it carries the next nonce count.
    let mut sim = Sim::new();
    let seen = Rc::new(Cell::new(0u32));
    let count = seen.clone();
    sim.add_peer("P", P_ADDR, move |ctx, msg| {
        let Message::Request(req) = msg else { return };
        if req.method != Method::Register {
            return;
        }
        let good = req
            .headers
            .get("Authorization")
            .and_then(|v| Authorization::parse(v).ok())
            .is_some_and(|a| a.verify("secret", "REGISTER"));
        if good {
            count.set(count.get() + 1);
            let mut ok = peer::reply(&req, 200);
            ok.headers.push("Expires", "100");
            ctx.reply(ok);
        } else {
            let mut resp = peer::reply(&req, 401);
            resp.headers.push("WWW-Authenticate", challenge(7, MD5));
            ctx.reply(resp);
        }
    });
    sim.phone(
        "A",
        "alice",
        A_ADDR,
        &[
            "account.password=secret",
            "account.register=true",
            "account.registrar=10.0.0.9:5060",
        ],
    );
    sim.run_for(secs(200));
    assert_eq!(seen.get(), 3, "{}", sim.dump());
    let ncs: Vec<String> = sim
        .find_all("A", "P", "REGISTER")
        .into_iter()
        .map(request)
        .filter_map(|r| {
            r.headers
                .get("Authorization")
                .map(|v| Authorization::parse(v).unwrap())
        })
        .map(|a| a.nc.unwrap())
        .collect();
    assert_eq!(ncs, ["00000001", "00000002", "00000003"]);
}

#[test]
fn cancel_after_the_authenticated_invite_uses_its_transaction() {
    let conf = ProxyConf {
        answer: false,
        ..MD5
    };
    let mut sim = world("secret", conf, &[]);
    sim.intent("A", dial("bob"));
    sim.run_until(|s| s.line("A", 1).0 == Ringing, secs(1));
    sim.intent("A", hangup(1));
    sim.run_for(secs(40));
    assert_eq!(
        sim.trace_lines(),
        [
            "A->P INVITE",
            "P->A 407",
            "A->P ACK",
            "A->P INVITE",
            "P->A 100",
            "P->A 180",
            "A->P CANCEL",
            "P->A 200",
            "P->A 487",
            "A->P ACK",
        ]
    );
    let second = request(sim.find_all("A", "P", "INVITE").remove(1));
    let cancel = sim.request("A", "P", "CANCEL");
    assert_eq!(
        cancel.headers.via().unwrap().branch(),
        second.headers.via().unwrap().branch()
    );
    assert_eq!(cancel.headers.cseq().unwrap().seq, 2);
    let ack = request(sim.find_all("A", "P", "ACK").remove(1));
    assert_eq!(
        ack.headers.via().unwrap().branch(),
        second.headers.via().unwrap().branch()
    );
    assert_eq!(ack.headers.cseq().unwrap().seq, 2);
    assert_eq!(sim.line("A", 1), (Idle, Some("local_hangup".into())));
    assert!(sim.is_quiet(), "timers left:\n{}", sim.dump());
}
