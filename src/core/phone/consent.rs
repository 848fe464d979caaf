//! Asking the user before following a REFER (`calls.refer_consent`). The REFER is accepted at
//! once (`202`, then the first NOTIFY, `100 Trying`, as RFC 3515 §2.4.4 asks), and the user is
//! shown a `transfer_request`. Accepting places the call exactly as an unasked transfer would;
//! declining, or leaving the question unanswered for [`ASK_TIME`], ends the subscription with a
//! `603 Declined` sipfrag and the call goes on.
//!
//! The question outlives the call it came in: a blind transferor hangs up right after the `202`
//! (the seed's phones do), and accepting then is still what the user expects.

use std::time::{Duration, Instant};

use super::api::Event;
use super::call::CallId;
use super::transfer::Referred;
use super::Phone;
use crate::core::notice::Notice;
use crate::core::sip::message::Request;
use crate::core::sip::transaction::TxId;
use crate::core::sip::uri::Uri;

/// How long a transfer request waits for the user before it counts as declined.
pub const ASK_TIME: Duration = Duration::from_secs(30);

/// A REFER waiting for the user's answer.
#[derive(Debug)]
pub struct Question {
    /// The line key the REFER came in on.
    line: usize,
    /// Where the transfer goes.
    target: Uri,
    /// Headers for the new call's INVITE (`Replaces`, `Referred-By`).
    headers: Vec<(&'static str, String)>,
    /// The REFER's subscription, for the NOTIFYs.
    referred: Referred,
    /// When silence counts as no.
    expires: Instant,
}

/// The transfer requests waiting for the user, at most one per line.
#[derive(Debug, Default)]
pub struct Questions(Vec<Question>);

impl Questions {
    /// When the next request expires.
    pub fn deadline(&self) -> Option<Instant> {
        self.0.iter().map(|q| q.expires).min()
    }

    fn take(&mut self, line: usize) -> Option<Question> {
        let at = self.0.iter().position(|q| q.line == line)?;
        Some(self.0.remove(at))
    }
}

impl Phone {
    /// Accepts a REFER in `origin`'s dialog and asks the user whether to follow it.
    pub(super) fn ask_consent(
        &mut self,
        now: Instant,
        tx: TxId,
        refer: &Request,
        origin: CallId,
        target: Uri,
        headers: Vec<(&'static str, String)>,
    ) {
        let Some(line) = self.calls.get(&origin).and_then(|c| c.line) else {
            // A call that has left its line key (it is ending) has nobody to ask.
            return self.respond_with(now, tx, refer, 603, |_| {});
        };
        if self.questions.0.iter().any(|q| q.line == line) {
            // One question per line: the user is still answering the last one.
            return self.respond_with(now, tx, refer, 491, |_| {});
        }
        self.respond_with(now, tx, refer, 202, |_| {});
        let Some(mut referred) = self.referred(origin, refer) else {
            return;
        };
        self.notify_referrer(now, &mut referred, "100 Trying", false);
        let referred_by = refer.headers.get("Referred-By").map(str::to_owned);
        self.emit(Event::TransferRequest {
            line,
            target: target.without_headers().to_string(),
            referred_by,
        });
        self.questions.0.push(Question {
            line,
            target,
            headers,
            referred,
            expires: now + ASK_TIME,
        });
    }

    /// The user said yes: the transfer goes ahead as if no one had been asked.
    pub(super) fn accept_transfer(&mut self, now: Instant, line: usize) {
        let Some(mut question) = self.question(line) else {
            return;
        };
        self.answered(line, "accepted");
        match self.place_call_for(now, &question.target, question.headers) {
            // Its final status is reported like any referred call's.
            Some(new_call) => self.follow_referral(new_call, question.referred),
            // The user has been told why; the transferor hears it failed.
            None => {
                self.notify_referrer(now, &mut question.referred, "503 Service Unavailable", true)
            }
        }
    }

    /// The user said no: the transferor is told `603 Declined`, and the call goes on.
    pub(super) fn decline_transfer(&mut self, now: Instant, line: usize) {
        if let Some(question) = self.question(line) {
            self.declined(now, question, "declined");
        }
    }

    /// Requests nobody answered in time count as declined.
    pub(super) fn consent_timers(&mut self, now: Instant) {
        while let Some(at) = self.questions.0.iter().position(|q| q.expires <= now) {
            let question = self.questions.0.remove(at);
            self.declined(now, question, "expired");
        }
    }

    /// Declines every request still open (at quit).
    pub(super) fn decline_all(&mut self, now: Instant) {
        for question in std::mem::take(&mut self.questions.0) {
            self.declined(now, question, "declined");
        }
    }

    fn declined(&mut self, now: Instant, mut question: Question, reason: &str) {
        self.answered(question.line, reason);
        self.notify_referrer(now, &mut question.referred, "603 Declined", true);
    }

    /// The request on `line`, or an error event when there is none.
    fn question(&mut self, line: usize) -> Option<Question> {
        let question = self.questions.take(line);
        if question.is_none() {
            self.error(Notice::NoTransferRequest { line });
        }
        question
    }

    /// Tells the front end the question on `line` is settled, so it can stop asking.
    fn answered(&mut self, line: usize, reason: &str) {
        self.emit(Event::TransferRequestEnded {
            line,
            reason: reason.to_owned(),
        });
    }
}
