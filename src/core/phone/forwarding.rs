//! Local call forwarding (seed flows S10, S11 and the no-answer case of B-12, done by the phone
//! instead of the network): an incoming INVITE is answered `302 Moved Temporarily` with the
//! configured target as Contact, so the caller (or its proxy) places the call there.
//!
//! `forward_always` answers every new call at once, before a line is taken. `forward_busy`
//! answers instead of `486` when every line is taken; Do Not Disturb stays `486`, since the
//! user asked not to be reached at all. `forward_no_answer` lets the call ring on its line for
//! `forward_no_answer_s` seconds and then redirects it; the line goes idle with `forwarded`.

use std::time::{Duration, Instant};

use super::api::LineState;
use super::call::CallId;
use super::Phone;
use crate::config::Calls;
use crate::core::notice::Notice;
use crate::core::sip::message::Request;
use crate::core::sip::transaction::TxId;
use crate::core::sip::uri::Uri;

/// Where incoming calls are forwarded, by condition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forwarding {
    /// Every call.
    pub always: Option<Uri>,
    /// Calls that find every line taken.
    pub busy: Option<Uri>,
    /// Calls not answered within the delay.
    pub no_answer: Option<(Uri, Duration)>,
}

impl Forwarding {
    /// The forwarding settings of a validated `[calls]` section (validation has checked that
    /// the targets parse).
    pub fn from_config(calls: &Calls) -> Forwarding {
        let target = |setting: &Option<String>| setting.as_deref().and_then(|t| Uri::parse(t).ok());
        Forwarding {
            always: target(&calls.forward_always),
            busy: target(&calls.forward_busy),
            no_answer: target(&calls.forward_no_answer)
                .map(|uri| (uri, Duration::from_secs(calls.forward_no_answer_s))),
        }
    }
}

impl Phone {
    /// Forwards a new call at once when `forward_always` is set. Returns whether it did.
    pub(super) fn forward_always(&mut self, now: Instant, tx: TxId, req: &Request) -> bool {
        let Some(target) = self.settings.forwarding.always.clone() else {
            return false;
        };
        self.redirect_request(now, tx, req, &target);
        true
    }

    /// Every line is taken or Do Not Disturb is on: `302` to the busy target when one is set
    /// and the user is not in Do Not Disturb, else `486 Busy Here`.
    pub(super) fn refuse_busy(&mut self, now: Instant, tx: TxId, req: &Request) {
        match self.settings.forwarding.busy.clone() {
            Some(target) if !self.settings.do_not_disturb => {
                self.redirect_request(now, tx, req, &target)
            }
            _ => self.respond_with(now, tx, req, 486, |_| {}),
        }
    }

    /// When a newly ringing call is to be forwarded for want of an answer.
    pub(super) fn no_answer_deadline(&self, now: Instant) -> Option<Instant> {
        let (_, after) = self.settings.forwarding.no_answer.as_ref()?;
        Some(now + *after)
    }

    /// The no-answer delay is over: a call still ringing is redirected and its line freed.
    pub(super) fn forward_unanswered(&mut self, now: Instant, id: CallId) {
        let Some((target, _)) = self.settings.forwarding.no_answer.clone() else {
            return;
        };
        let ringing = self
            .calls
            .get(&id)
            .is_some_and(|c| c.state == LineState::Incoming && !c.answered && c.line.is_some());
        if !ringing {
            return;
        }
        let contact = format!("<{target}>");
        self.respond_to_invite(now, id, 302, |r| r.headers.push("Contact", contact));
        let from = self.calls[&id].peer.clone();
        self.status(Notice::Forwarded {
            from,
            target: target.to_string(),
        });
        self.show(id, LineState::Idle, Some("forwarded".into()));
        self.forget_call(id);
    }

    /// Answers a new INVITE `302 Moved Temporarily` with `target` as the Contact.
    fn redirect_request(&mut self, now: Instant, tx: TxId, req: &Request, target: &Uri) {
        let contact = format!("<{target}>");
        self.respond_with(now, tx, req, 302, |r| r.headers.push("Contact", contact));
        let from = req
            .headers
            .from()
            .map(|f| f.uri.to_string())
            .unwrap_or_default();
        self.status(Notice::Forwarded {
            from,
            target: target.to_string(),
        });
    }
}
