//! Calls we receive (RFC 3261 §13.3): 100 and 180 at once, 200 with the SDP answer when the user
//! answers, ACK, CANCEL, BYE, busy and Do Not Disturb (seed flows S1, S11, S12, S14), plus the
//! hang-up and line bookkeeping both roles share.

use std::time::Instant;

use super::api::{Event, LineState};
use super::call::{new_tag, Call, CallId, Role};
use super::hold::Hold;
use super::{ensure_to_tag, MediaCommand, Phone, ALLOWED, SUPPORTED};
use crate::core::dialplan::Route;
use crate::core::notice::Notice;
use crate::core::sdp::{self, RemoteMedia, SdpError};
use crate::core::sip::dialog::Dialog;
use crate::core::sip::message::{Request, Response};
use crate::core::sip::transaction::TxId;

impl Phone {
    pub(super) fn on_invite(&mut self, now: Instant, tx: TxId, req: Request) {
        if req.headers.to().is_ok_and(|t| t.tag().is_some()) {
            return self.on_reinvite(now, tx, req);
        }
        if self.quitting {
            return self.respond_with(now, tx, &req, 503, |_| {});
        }
        let Ok(replaced) = self.replaced_call(now, tx, &req) else {
            return;
        };
        if replaced.is_none() && self.forward_always(now, tx, &req) {
            return;
        }
        let line = if let Some(old) = replaced {
            self.calls[&old].line
        } else if self.settings.do_not_disturb {
            None
        } else {
            self.free_line()
        };
        let Some(line) = line else {
            return self.refuse_busy(now, tx, &req);
        };
        let offer = if req.body.is_empty() {
            None
        } else {
            match RemoteMedia::parse(&String::from_utf8_lossy(&req.body)) {
                Ok(offer) => Some(offer),
                Err(e) => {
                    tracing::info!("refusing an INVITE whose SDP we cannot use: {e}");
                    return self.reject_incompatible(now, tx, &req);
                }
            }
        };
        if let Some(offer) = &offer {
            // Check the codecs now, so an impossible call never rings (RFC 3261 §13.3.1.3).
            let probe = self.local_media(9);
            if matches!(
                sdp::answer(offer, &probe, None),
                Err(SdpError::Incompatible | SdpError::Rejected)
            ) {
                return self.reject_incompatible(now, tx, &req);
            }
        }
        let tag = new_tag();
        let Some(dialog) = Dialog::for_uas(&req, &tag) else {
            return self.respond_with(now, tx, &req, 400, |r| {
                r.reason = "Bad Request (no Contact)".into()
            });
        };
        let id = self.new_call_id();
        let peer = req
            .headers
            .from()
            .map(|f| f.uri.to_string())
            .unwrap_or_default();
        self.calls.insert(
            id,
            Call {
                id,
                // A replacing call stays off the line keys until it is confirmed.
                line: replaced.is_none().then_some(line),
                role: Role::Callee,
                route: Route::Default,
                state: LineState::Idle,
                peer,
                invite: req.clone(),
                invite_dest: None,
                invite_tx: Some(tx),
                dialog: Some(dialog),
                local_media: None,
                remote_offer: offer,
                negotiated: None,
                last_sdp: None,
                hold: Hold::default(),
                provisional: true,
                cancel_when_possible: false,
                answer_when_ready: self.settings.auto_answer,
                answered: false,
                ack: None,
                ring_deadline: self.no_answer_deadline(now),
                auth_attempts: 0,
                redirect: Default::default(),
            },
        );
        self.respond_with(now, tx, &req, 100, |_| {});
        if let Some(old) = replaced {
            return self.take_over(id, old);
        }
        self.lines[line - 1] = Some(id);
        let contact = self.contact();
        self.respond_to_invite(now, id, 180, |r| r.headers.push("Contact", contact));
        self.show(id, LineState::Incoming, None);
        self.media(MediaCommand::Open { call: id });
    }

    /// `488` with `Warning: 304`: no codec in common (seed S3; the seed's phones also send 400).
    pub(super) fn reject_incompatible(&mut self, now: Instant, tx: TxId, req: &Request) {
        let host = self.local.ip().to_string();
        self.respond_with(now, tx, req, 488, |r| {
            r.headers.push(
                "Warning",
                format!("304 {host} \"Incompatible media format\""),
            );
        });
    }

    pub(super) fn answer(&mut self, now: Instant, line: usize) {
        let Some(id) = self.call_on_line(line) else {
            return;
        };
        let call = self.calls.get_mut(&id).expect("line points at a call");
        if call.state != LineState::Incoming || call.answered {
            return self.error(Notice::NotRinging { line });
        }
        if call.local_media.is_some() {
            self.send_answer(now, id);
        } else {
            call.answer_when_ready = true;
        }
    }

    /// Sends 200 OK with our SDP: an answer to the INVITE's offer, or an offer when the INVITE
    /// had none (the ACK then brings the answer).
    pub(super) fn send_answer(&mut self, now: Instant, id: CallId) {
        let contact = self.contact();
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (Some(local), Some(_)) = (call.local_media.clone(), call.invite_tx) else {
            return;
        };
        call.answered = true;
        call.answer_when_ready = false;
        let (body, negotiated) = match &call.remote_offer {
            Some(offer) => match sdp::answer(offer, &local, None) {
                Ok((body, n)) => (body, Some(n)),
                Err(_) => (sdp::offer(&local, None, false), None),
            },
            None => (sdp::offer(&local, None, false), None),
        };
        let body = call.stamp_sdp(body);
        self.respond_to_invite(now, id, 200, |ok| {
            ok.headers.push("Contact", contact);
            ok.headers.push("Allow", ALLOWED);
            ok.headers.push("Supported", SUPPORTED);
            ok.headers.push("Content-Type", "application/sdp");
            ok.body = body.into_bytes();
        });
        if let Some(n) = negotiated {
            self.start_media(id, n);
        }
    }

    pub(super) fn on_ack(&mut self, now: Instant, req: Request) {
        let Some(id) = self.call_for_request(&req) else {
            return;
        };
        if self.on_reinvite_ack(now, id, &req) {
            return;
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.negotiated.is_none() && !req.body.is_empty() {
            // Late offer: the ACK carries the answer to the offer in our 200.
            let negotiated = match (
                &call.local_media,
                RemoteMedia::parse(&String::from_utf8_lossy(&req.body)),
            ) {
                (Some(local), Ok(remote)) => sdp::negotiate_answer(&remote, local).ok(),
                _ => None,
            };
            if let Some(n) = negotiated {
                self.start_media(id, n);
            }
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.state == LineState::Incoming && call.answered && self.confirm_replacement(now, id) {
            self.show(id, LineState::Connected, None);
        }
    }

    pub(super) fn on_cancel(&mut self, now: Instant, tx: TxId, req: Request) {
        let Some(invite_tx) = self.transactions.invite_for_cancel(&req) else {
            return self.respond_with(now, tx, &req, 481, |_| {});
        };
        self.respond_with(now, tx, &req, 200, |_| {});
        if !self.transactions.awaits_final(invite_tx) {
            // Too late: the call was answered (or refused) already; the caller will send BYE.
            return;
        }
        let Some(id) = self.call_for_invite_tx(invite_tx) else {
            return;
        };
        self.respond_to_invite(now, id, 487, |_| {});
        self.show(id, LineState::Idle, Some("cancelled".into()));
        self.forget_call(id);
    }

    pub(super) fn on_bye(&mut self, now: Instant, tx: TxId, req: Request) {
        let Some(id) = self.call_for_request(&req) else {
            return self.respond_with(now, tx, &req, 481, |_| {});
        };
        self.respond_with(now, tx, &req, 200, |_| {});
        let call = &self.calls[&id];
        if call.role == Role::Callee && !call.answered {
            // A BYE before our 2xx ends the INVITE too (RFC 3261 §15.1.2).
            self.respond_to_invite(now, id, 487, |_| {});
        }
        let reason = if self.transferred_away(id) {
            "transferred"
        } else {
            "remote_hangup"
        };
        self.show(id, LineState::Idle, Some(reason.into()));
        self.forget_call(id);
        self.follow_also(now, &req);
    }

    /// Our 2xx to an INVITE or re-INVITE was never acknowledged: the peer is gone, so end the
    /// call (RFC 3261 §13.3.1.4, §14.2).
    pub(super) fn on_ack_missing(&mut self, now: Instant, tx: TxId) {
        let (id, reason) = match self.call_for_invite_tx(tx) {
            Some(id) => {
                self.replacement_unconfirmed(now, id);
                (id, "failed: no ACK from the caller")
            }
            None => match self.call_for_peer_reinvite(tx) {
                Some(id) => (id, "failed: no ACK from the other party"),
                None => return,
            },
        };
        self.show(id, LineState::Idle, Some(reason.into()));
        self.send_bye(now, id);
    }

    pub(super) fn reject(&mut self, now: Instant, line: usize) {
        let Some(id) = self.call_on_line(line) else {
            return;
        };
        let call = &self.calls[&id];
        if call.state != LineState::Incoming || call.answered {
            return self.error(Notice::NotRinging { line });
        }
        self.decline(now, id, "declined");
    }

    /// Refuses a ringing incoming call with 603 Decline.
    fn decline(&mut self, now: Instant, id: CallId, reason: &str) {
        self.respond_to_invite(now, id, 603, |_| {});
        self.show(id, LineState::Idle, Some(reason.into()));
        self.forget_call(id);
    }

    pub(super) fn hangup(&mut self, now: Instant, line: usize) {
        let Some(id) = self.call_on_line(line) else {
            return;
        };
        let call = &self.calls[&id];
        match (call.role, call.is_established() || call.answered) {
            (_, true) => {
                self.show(id, LineState::Idle, Some("local_hangup".into()));
                self.send_bye(now, id);
            }
            (Role::Callee, false) => self.decline(now, id, "local_hangup"),
            (Role::Caller, false) => {
                self.show(id, LineState::Idle, Some("local_hangup".into()));
                self.cancel_or_defer(now, id);
            }
        }
    }

    /// Answers a received call's INVITE, with the dialog's To tag so every response of the call
    /// names the same dialog.
    pub(super) fn respond_to_invite(
        &mut self,
        now: Instant,
        id: CallId,
        status: u16,
        extra: impl FnOnce(&mut Response),
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let Some(tx) = call.invite_tx else { return };
        let tag = call
            .dialog
            .as_ref()
            .map(|d| d.local_tag.clone())
            .unwrap_or_else(new_tag);
        let mut resp = Response::to(&call.invite.headers, status, None);
        ensure_to_tag(&mut resp, &tag);
        self.add_server_headers(&mut resp);
        extra(&mut resp);
        self.transactions.respond(now, tx, resp);
    }

    /// The call on a line key, or an error event when there is none.
    pub(super) fn call_on_line(&mut self, line: usize) -> Option<CallId> {
        let id = line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .flatten();
        if id.is_none() {
            let lines = self.lines.len();
            if line == 0 || line > lines {
                self.error(Notice::NoSuchLine { line, lines });
            } else {
                self.error(Notice::LineIdle { line });
            }
        }
        id
    }

    /// The call whose INVITE transaction this is.
    pub(super) fn call_for_invite_tx(&self, tx: TxId) -> Option<CallId> {
        self.calls
            .values()
            .find(|c| c.invite_tx == Some(tx))
            .map(|c| c.id)
    }

    /// The call a request from the peer belongs to, by its dialog.
    pub(super) fn call_for_request(&self, req: &Request) -> Option<CallId> {
        self.calls
            .values()
            .find(|c| c.dialog.as_ref().is_some_and(|d| d.matches_request(req)))
            .map(|c| c.id)
    }

    /// The lowest free line key. Lines beyond the configured count only linger until their call
    /// ends (see `configure.rs`), so they take no new call.
    pub(super) fn free_line(&self) -> Option<usize> {
        self.lines
            .iter()
            .take(self.settings.lines.max(1))
            .position(Option::is_none)
            .map(|i| i + 1)
    }

    pub(super) fn new_call_id(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call - 1)
    }

    /// Changes what a call's line key shows and tells the front end. Going idle frees the line.
    pub(super) fn show(&mut self, id: CallId, state: LineState, reason: Option<String>) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let was_established = call.is_established();
        call.state = state;
        let Some(line) = call.line else { return };
        let peer = Some(call.peer.clone());
        if state == LineState::Idle {
            call.line = None;
            self.lines[line - 1] = None;
        }
        self.emit(Event::Line {
            line,
            state,
            peer,
            reason,
        });
        if state == LineState::Idle && was_established {
            self.remind_held_lines();
        }
    }

    /// Drops a call whose protocol work is over, releasing its line and media.
    pub(super) fn forget_call(&mut self, id: CallId) {
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        if let Some(line) = call.line {
            self.lines[line - 1] = None;
        }
        if call.local_media.is_some() {
            self.media(MediaCommand::Close { call: id });
        }
        self.pending.retain(|_, p| !p.purpose.concerns(id));
    }

    /// Sets the status line.
    pub(super) fn status(&mut self, notice: Notice) {
        self.emit(Event::status(notice));
    }
}
