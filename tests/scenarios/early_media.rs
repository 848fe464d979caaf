//! Early media: a 18x with SDP to our INVITE is the far end's ringback or announcement. The
//! phone plays it (a receive-only stream) and sends nothing until the 2xx starts the whole
//! stream; a later 18x without SDP leaves it playing.

use linekey::core::phone::LineState::*;
use linekey::core::phone::MediaCommand;
use linekey::core::sdp::{Codec, Direction::*};
use linekey::core::sip::message::{Message, Method};

use crate::sim::*;

/// How the scripted callee ends the call after its early media.
#[derive(Clone, Copy)]
enum Final {
    /// 200 repeating the 18x's SDP.
    Answer,
    /// 200 without SDP.
    AnswerWithoutSdp,
    /// This failure status.
    Refuse(u16),
}

/// A callee that sends 100, 183 with SDP, the same 183 again after 500 ms, 180 without SDP at
/// 1 s, and its final response at 2 s.
fn announcing(end: Final) -> impl FnMut(&mut PeerCtx, Message) {
    move |ctx, msg| {
        let Message::Request(req) = msg else { return };
        if req.method != Method::Invite {
            if req.method != Method::Ack {
                ctx.reply(peer::reply(&req, 200));
            }
            return;
        }
        let from = ctx.from;
        let contact = format!("<sip:peer@{}>", ctx.me);
        ctx.reply(peer::reply(&req, 100));
        let mut progress = peer::reply(&req, 183);
        progress.headers.push("Contact", contact.clone());
        progress.headers.push("Content-Type", "application/sdp");
        progress.body = peer::pcmu("10.0.0.9").into_bytes();
        ctx.reply(progress.clone());
        ctx.send_later(from, progress, ms(500));
        let mut ringing = peer::reply(&req, 180);
        ringing.headers.push("Contact", contact);
        ctx.send_later(from, ringing, secs(1));
        let last = match end {
            Final::Answer => peer::ok_with_sdp(&req, ctx.me),
            Final::AnswerWithoutSdp => {
                let mut ok = peer::ok_with_sdp(&req, ctx.me);
                ok.headers.remove("Content-Type");
                ok.body.clear();
                ok
            }
            Final::Refuse(status) => peer::reply(&req, status),
        };
        ctx.send_later(from, last, secs(2));
    }
}

fn call(end: Final) -> Sim {
    let mut sim = Sim::new();
    sim.phone("A", "alice", A_ADDR, &[]);
    sim.add_peer("G", P_ADDR, announcing(end));
    sim.intent("A", dial("sip:gw@10.0.0.9"));
    sim.run_for(secs(3));
    sim
}

#[test]
fn early_media_plays_then_the_answer_starts_the_whole_stream() {
    let sim = call(Final::Answer);
    assert_eq!(
        sim.trace_lines(),
        [
            "A->G INVITE",
            "G->A 100",
            "G->A 183",
            "G->A 183",
            "G->A 180",
            "G->A 200",
            "A->G ACK"
        ]
    );
    // One receive-only start for the repeated 183, none for the 180, the full stream on 200.
    assert_eq!(sim.directions("A"), [RecvOnly, SendRecv]);
    let gw = "10.0.0.9:4000".parse().unwrap();
    assert_eq!(
        sim.media_starts("A"),
        [(gw, Codec::Pcmu), (gw, Codec::Pcmu)]
    );
    assert!(matches!(
        sim.media("A")[..],
        [
            MediaCommand::Open { .. },
            MediaCommand::Start { line: 1, .. },
            MediaCommand::Start { line: 1, .. }
        ]
    ));
    assert_eq!(
        sim.line_states("A", 1),
        [Dialing, Trying, Ringing, Connected]
    );
}

#[test]
fn a_2xx_without_sdp_keeps_the_early_answer() {
    let sim = call(Final::AnswerWithoutSdp);
    assert_eq!(sim.trace_lines().last().unwrap(), "A->G ACK", "no BYE");
    assert_eq!(sim.directions("A"), [RecvOnly, SendRecv]);
    assert_eq!(sim.line("A", 1).0, Connected);
}

#[test]
fn early_media_stops_when_the_call_is_refused() {
    let sim = call(Final::Refuse(486));
    assert_eq!(sim.directions("A"), [RecvOnly]);
    assert!(matches!(
        sim.media("A").last(),
        Some(MediaCommand::Close { .. })
    ));
    assert_eq!(sim.line("A", 1), (Idle, Some("busy".into())));
}
