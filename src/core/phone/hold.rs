//! Hold and resume (seed flows S2, S3): the re-INVITEs we send to hold or resume a call, the ones
//! the peer sends, and what the line key shows when either side or both hold.
//!
//! The user's wish ([`Hold::wanted`]) is kept apart from what the last offer/answer put in effect
//! ([`Hold::active`]). Only one INVITE transaction may be under way in a dialog (RFC 3261 §14.1),
//! so a wish that changes meanwhile is sent when the transaction ends, and an answer we write to
//! the peer's re-INVITE carries it at once.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::api::LineState;
use super::call::{Call, CallId, Role};
use super::outbound::Purpose;
use super::{Phone, ALLOWED};
use crate::core::notice::Notice;
use crate::core::sdp::{self, Direction, HoldStyle, RemoteMedia, SdpError};
use crate::core::sip::message::{Method, Request, Response};
use crate::core::sip::transaction::TxId;

/// Who holds a call, and the re-INVITEs that change it.
#[derive(Debug, Default)]
pub struct Hold {
    /// The user wants the call on hold: what our next offer or answer says.
    pub wanted: bool,
    /// Our hold is in effect: the last completed offer/answer held the peer.
    pub active: bool,
    /// The peer holds us: its last offer was `sendonly`, `inactive` or to `0.0.0.0`.
    pub by_peer: bool,
    /// Our latest re-INVITE; in progress until its 2xx is ACKed.
    pub ours: Option<Reinvite>,
    /// After a `491`, when to try again (RFC 3261 §14.1).
    pub retry_at: Option<Instant>,
    /// The peer's re-INVITE we accepted, until its ACK arrives.
    pub theirs: Option<PeerReinvite>,
}

impl Hold {
    /// Whether a re-INVITE must wait: an INVITE transaction is under way in either direction, or
    /// a retry after glare is pending.
    fn busy(&self) -> bool {
        self.ours.as_ref().is_some_and(|r| r.ack.is_none())
            || self.theirs.is_some()
            || self.retry_at.is_some()
    }

    /// Whether the wish is in effect and no re-INVITE is under way or waiting: a REFER may follow.
    pub(super) fn settled(&self) -> bool {
        !self.busy() && self.wanted == self.active
    }

    /// What the line key shows: our own hold wins over the peer's.
    pub(super) fn line_state(&self) -> LineState {
        if self.active {
            LineState::Held
        } else if self.by_peer {
            LineState::RemoteHeld
        } else {
            LineState::Connected
        }
    }
}

/// What one SDP offer of ours said about hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stance {
    /// Our hold, in the configured style.
    pub hold: Option<HoldStyle>,
    /// Whether we offered as held by the peer (no sending).
    pub held: bool,
}

impl Stance {
    /// The most our stream may do after this offer is answered.
    fn direction(self) -> Direction {
        sdp::hold_direction(self.hold, self.held)
    }

    /// Whether the offer was a plain `sendrecv` one: only its answer says freely whether the
    /// peer holds us (an answer to `sendonly` or `inactive` is bound by the offer).
    fn is_full(self) -> bool {
        self.hold.is_none() && !self.held
    }
}

/// A re-INVITE we sent.
#[derive(Debug)]
pub struct Reinvite {
    /// Its client transaction (replaced when it is sent again with credentials).
    pub tx: TxId,
    /// What its offer said.
    pub offer: Stance,
    /// The ACK for its 2xx, sent again for each retransmitted 2xx.
    pub ack: Option<(Request, SocketAddr)>,
}

/// The peer's re-INVITE we answered with a 2xx.
#[derive(Debug)]
pub struct PeerReinvite {
    /// Its server transaction.
    pub tx: TxId,
    /// Its CSeq number, which its ACK repeats.
    pub seq: u32,
    /// Our offer in the 2xx when the re-INVITE had none: the ACK brings the answer.
    pub offer: Option<Stance>,
}

impl Phone {
    /// The user's Hold (`wanted`) or Resume on a line: checked, remembered, and sent as soon as
    /// the dialog allows a re-INVITE.
    pub(super) fn set_hold(&mut self, now: Instant, line: usize, wanted: bool) {
        let Some(id) = self.call_on_line(line) else {
            return;
        };
        if let Err(message) = check_hold_change(line, &self.calls[&id], wanted) {
            return self.error(message);
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.hold.wanted = wanted;
        }
        self.renegotiate(now, id);
    }

    /// Sends a re-INVITE when the wish differs from what is in effect and nothing stands in the
    /// way (another INVITE transaction, a glare wait, a call being ended).
    pub(super) fn renegotiate(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        // A conference leg being resumed still needs its re-INVITE.
        let live =
            call.line.is_some() && (shows_hold(call.state) || call.state == LineState::Conference);
        if live && !call.hold.busy() && call.hold.wanted != call.hold.active {
            self.send_reinvite(now, id);
        }
    }

    /// A re-INVITE in the dialog offering the wished hold state: the seed's zero address, or
    /// RFC 3264 directions (`inactive`/`recvonly` when the peer holds us too).
    fn send_reinvite(&mut self, now: Instant, id: CallId) {
        let contact = self.contact();
        let style = self.settings.hold_style;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let stance = Stance {
            hold: call.hold.wanted.then_some(style),
            held: call.hold.by_peer,
        };
        let Some(local) = &call.local_media else {
            return;
        };
        let body = sdp::offer(local, stance.hold, stance.held);
        let body = call.stamp_sdp(body);
        let Some(dialog) = call.dialog.as_mut() else {
            return;
        };
        let mut req = dialog.request(Method::Invite, None);
        req.headers.push("Contact", contact);
        req.headers.push("Allow", ALLOWED);
        req.headers.push("Content-Type", "application/sdp");
        req.body = body.into_bytes();
        let Some(dest) = self.dialog_dest(id) else {
            return;
        };
        let tx = self.send_request(now, req, dest, Purpose::Reinvite(id), 0);
        if let Some(call) = self.calls.get_mut(&id) {
            call.hold.ours = Some(Reinvite {
                tx,
                offer: stance,
                ack: None,
            });
        }
    }

    /// A response to our re-INVITE.
    pub(super) fn on_reinvite_response(
        &mut self,
        now: Instant,
        id: CallId,
        tx: TxId,
        resp: Response,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.hold.ours.as_ref().is_none_or(|r| r.tx != tx) {
            return;
        }
        match resp.status {
            100..=199 => {}
            200..=299 => self.on_reinvite_accepted(now, id, &resp),
            491 => self.on_glare(now, id),
            // The peer has lost the dialog (RFC 3261 §12.2.1.2): end the call.
            408 | 481 => self.end_lost_call(now, id, resp.status_line()),
            _ => self.on_reinvite_refused(id, &resp),
        }
    }

    /// Our re-INVITE got no response at all (timer B): as a 408, the call is over.
    pub(super) fn on_reinvite_timeout(&mut self, now: Instant, id: CallId) {
        self.end_lost_call(now, id, "408 Request Timeout".into());
    }

    /// A 2xx to our re-INVITE: ACK it (again, for a retransmission) and take in the answer.
    fn on_reinvite_accepted(&mut self, now: Instant, id: CallId, resp: &Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(reinvite) = call.hold.ours.as_ref() else {
            return;
        };
        if let Some((ack, dest)) = &reinvite.ack {
            let (ack, dest) = (ack.clone(), *dest);
            return self.transmit(ack, dest);
        }
        let stance = reinvite.offer;
        let Some(dialog) = call.dialog.as_mut() else {
            return;
        };
        // A target refresh: the 2xx's Contact is where the next requests go; the route set
        // stays as the initial INVITE made it (RFC 3261 §12.2.1.2).
        if let Some(contact) = resp.headers.contacts().into_iter().next() {
            dialog.remote_target = contact.uri;
        }
        let seq = resp
            .headers
            .cseq()
            .map(|c| c.seq)
            .unwrap_or(dialog.local_cseq);
        let mut ack = dialog.request(Method::Ack, Some(seq));
        let Some(dest) = self.dialog_dest(id) else {
            return;
        };
        ack.headers.push_front("Via", self.new_via());
        if let Some(reinvite) = self.calls.get_mut(&id).and_then(|c| c.hold.ours.as_mut()) {
            reinvite.ack = Some((ack.clone(), dest));
        }
        self.transmit(ack, dest);
        if let Err(e) = self.apply_answer(id, stance, &resp.body) {
            self.answer_unusable(id, stance, &e);
        }
        self.show_hold(id);
        self.renegotiate(now, id);
    }

    /// Takes in the peer's answer to an offer of ours made with `stance`: the new stream, and
    /// who now holds the call.
    fn apply_answer(&mut self, id: CallId, stance: Stance, body: &[u8]) -> Result<(), SdpError> {
        let Some(call) = self.calls.get_mut(&id) else {
            return Ok(());
        };
        let Some(local) = &call.local_media else {
            // The call is being ended; its media is already closed.
            return Ok(());
        };
        let answer = RemoteMedia::parse(&String::from_utf8_lossy(body))?;
        let mut negotiated = sdp::negotiate_answer(&answer, local)?;
        negotiated.direction = negotiated.direction.intersect(stance.direction());
        call.hold.active = stance.hold.is_some();
        if stance.is_full() {
            call.hold.by_peer = answer.is_hold();
        }
        self.start_media(id, negotiated);
        Ok(())
    }

    /// The peer accepted an offer but its answer cannot be used: the stream stays as it was and
    /// the user is told, rather than the call being dropped for a change it asked for.
    fn answer_unusable(&mut self, id: CallId, stance: Stance, error: &SdpError) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.hold.wanted = call.hold.active;
        let Some(line) = call.line else {
            return;
        };
        let reason = error.to_string();
        self.error(if holding(stance) {
            Notice::HoldAnswerUnusable { line, reason }
        } else {
            Notice::ResumeAnswerUnusable { line, reason }
        });
    }

    /// 491: the peer re-INVITEd at the same moment. Try again after RFC 3261 §14.1's random
    /// wait, the longer one if we own the Call-ID, so that the two retries do not collide again.
    fn on_glare(&mut self, now: Instant, id: CallId) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.hold.ours = None;
            call.hold.retry_at = Some(now + glare_wait(call.role));
        }
    }

    /// The glare wait is over: send the re-INVITE if it is still wanted.
    pub(super) fn on_glare_timer(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.hold.retry_at.is_some_and(|at| at <= now) {
            call.hold.retry_at = None;
            self.renegotiate(now, id);
        }
    }

    /// The peer refused our re-INVITE: the session goes on as it was (RFC 3261 §14.1) and the
    /// user is told; the wish is dropped so it is not sent again and again.
    fn on_reinvite_refused(&mut self, id: CallId, resp: &Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(reinvite) = call.hold.ours.take() else {
            return;
        };
        call.hold.wanted = call.hold.active;
        if let Some(line) = call.line {
            let status = resp.status_line();
            self.error(if holding(reinvite.offer) {
                Notice::HoldRefused { line, status }
            } else {
                Notice::ResumeRefused { line, status }
            });
        }
    }

    /// A 481 or 408 to our re-INVITE: the dialog is gone at the other end, so the call ends.
    fn end_lost_call(&mut self, now: Instant, id: CallId, status: String) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.hold.ours = None;
        self.show(id, LineState::Idle, Some(format!("failed: {status}")));
        self.send_bye(now, id);
    }

    /// A re-INVITE inside a dialog (hold, resume, session refresh): answered with our media and
    /// our hold; `491` while ours is under way (RFC 3261 §14.2); `481` for no such dialog.
    pub(super) fn on_reinvite(&mut self, now: Instant, tx: TxId, req: Request) {
        let Some(id) = self.call_for_request(&req) else {
            return self.respond_with(now, tx, &req, 481, |_| {});
        };
        let style = self.settings.hold_style;
        let call = self.calls.get_mut(&id).expect("found above");
        if let Some(dialog) = call.dialog.as_mut() {
            if dialog.on_remote_request(&req).is_err() {
                return self.respond_with(now, tx, &req, 500, |_| {});
            }
        }
        let ours_in_progress = call.hold.ours.as_ref().is_some_and(|r| r.ack.is_none());
        let Some(local) = call.local_media.clone().filter(|_| !ours_in_progress) else {
            return self.respond_with(now, tx, &req, 491, |_| {});
        };
        let seq = req.headers.cseq().map(|c| c.seq).unwrap_or_default();
        let stance = Stance {
            hold: call.hold.wanted.then_some(style),
            held: false,
        };
        if req.body.is_empty() {
            // No offer: we offer in the 2xx and the ACK answers. A full offer, so the peer is
            // free to hold or resume in its answer.
            let body = call.stamp_sdp(sdp::offer(&local, stance.hold, false));
            call.hold.theirs = Some(PeerReinvite {
                tx,
                seq,
                offer: Some(stance),
            });
            return self.accept_reinvite(now, tx, &req, body);
        }
        let offer = RemoteMedia::parse(&String::from_utf8_lossy(&req.body));
        let answer = match &offer {
            Ok(offer) => sdp::answer(offer, &local, stance.hold),
            Err(e) => Err(e.clone()),
        };
        let (Ok(offer), Ok((body, mut negotiated))) = (offer, answer) else {
            // The old session goes on (RFC 3261 §14.2).
            return self.reject_incompatible(now, tx, &req);
        };
        negotiated.direction = negotiated.direction.intersect(stance.direction());
        let body = call.stamp_sdp(body);
        call.hold.by_peer = offer.is_hold();
        call.hold.active = stance.hold.is_some();
        call.hold.theirs = Some(PeerReinvite {
            tx,
            seq,
            offer: None,
        });
        self.accept_reinvite(now, tx, &req, body);
        self.start_media(id, negotiated);
        self.show_hold(id);
    }

    /// `200 OK` to the peer's re-INVITE, with our SDP.
    fn accept_reinvite(&mut self, now: Instant, tx: TxId, req: &Request, body: String) {
        let contact = self.contact();
        self.respond_with(now, tx, req, 200, |r| {
            r.headers.push("Contact", contact);
            r.headers.push("Allow", ALLOWED);
            r.headers.push("Content-Type", "application/sdp");
            r.body = body.into_bytes();
        });
    }

    /// The ACK for our 2xx to the peer's re-INVITE ends that transaction; after a re-INVITE
    /// without SDP it carries the answer to our offer. Returns false for any other ACK.
    pub(super) fn on_reinvite_ack(&mut self, now: Instant, id: CallId, ack: &Request) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let seq = ack.headers.cseq().map(|c| c.seq).ok();
        let Some(theirs) = call.hold.theirs.take_if(|t| Some(t.seq) == seq) else {
            return false;
        };
        if let Some(stance) = theirs.offer {
            if let Err(e) = self.apply_answer(id, stance, &ack.body) {
                self.answer_unusable(id, stance, &e);
            }
            self.show_hold(id);
        }
        self.renegotiate(now, id);
        true
    }

    /// The call whose accepted re-INVITE from the peer is this server transaction.
    pub(super) fn call_for_peer_reinvite(&self, tx: TxId) -> Option<CallId> {
        self.calls
            .values()
            .find(|c| c.hold.theirs.as_ref().is_some_and(|t| t.tx == tx))
            .map(|c| c.id)
    }

    /// Shows on an established call's line key what its hold state makes it.
    fn show_hold(&mut self, id: CallId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let state = call.hold.line_state();
        if shows_hold(call.state) && state != call.state {
            self.show(id, state, None);
        }
    }
}

/// Whether a line in this state shows hold: a conference line stays a conference line.
fn shows_hold(state: LineState) -> bool {
    matches!(
        state,
        LineState::Connected | LineState::Held | LineState::RemoteHeld
    )
}

/// Why a Hold (`wanted`) or Resume cannot be done on this call, as a sentence for the user.
fn check_hold_change(line: usize, call: &Call, wanted: bool) -> Result<(), Notice> {
    if !shows_hold(call.state) {
        return Err(if wanted {
            Notice::HoldNoCall { line }
        } else {
            Notice::ResumeNoCall { line }
        });
    }
    match (wanted, call.hold.wanted, call.hold.active) {
        (true, true, true) => Err(Notice::AlreadyHeld { line }),
        (true, true, false) => Err(Notice::AlreadyHolding { line }),
        (false, false, true) => Err(Notice::AlreadyResuming { line }),
        (false, false, false) if call.hold.by_peer => Err(Notice::HeldByPeer { line }),
        (false, false, false) => Err(Notice::NotHeld { line }),
        _ => Ok(()),
    }
}

/// Whether an offer with `stance` was to hold (else to take off hold), for messages.
fn holding(stance: Stance) -> bool {
    stance.hold.is_some()
}

/// RFC 3261 §14.1's wait before a re-INVITE refused with 491 is tried again, in units of 10 ms:
/// 2.1–4 s for the owner of the Call-ID (the caller, who made it), 0–2 s for the other side.
fn glare_wait(role: Role) -> Duration {
    let tens = match role {
        Role::Caller => rand::random_range(210..=400),
        Role::Callee => rand::random_range(0..=200),
    };
    Duration::from_millis(tens * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glare_waits_stay_in_their_windows() {
        for _ in 0..500 {
            let owner = glare_wait(Role::Caller);
            assert!(owner >= Duration::from_millis(2100) && owner <= Duration::from_secs(4));
            assert_eq!(owner.as_millis() % 10, 0);
            assert!(glare_wait(Role::Callee) <= Duration::from_secs(2));
        }
    }

    #[test]
    fn our_hold_wins_the_line_key() {
        let mut hold = Hold::default();
        assert_eq!(hold.line_state(), LineState::Connected);
        hold.by_peer = true;
        assert_eq!(hold.line_state(), LineState::RemoteHeld);
        hold.active = true;
        assert_eq!(hold.line_state(), LineState::Held);
        hold.by_peer = false;
        assert_eq!(hold.line_state(), LineState::Held);
    }
}
