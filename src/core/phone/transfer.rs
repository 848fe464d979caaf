//! Call transfer in all three roles (seed flows S6–S9).
//!
//! As transferor we hold the call, then send REFER (RFC 3515) with `Referred-By` (RFC 3892) and,
//! for an attended transfer, a `Replaces` header (RFC 3891) inside the Refer-To URI naming the
//! consultation dialog as the target sees it. After a blind transfer's `202` we hang up at once,
//! as the seed's phones do (B-6 step 11), and keep listening for the NOTIFYs that report how the
//! new call went. After an attended transfer's `202` both calls stay until a NOTIFY says how it
//! went (B-8 steps 24–26): success ends the original call, failure leaves both calls to the user.
//! A REFER refused as unknown (`501`, `405`, `420`) falls back to the older BYE with `Also`.
//!
//! As transferee we act on a REFER only inside a call: a new call to the Refer-To URI on a free
//! line, whose ringing and final status are reported in NOTIFYs with a `message/sipfrag` body. A
//! BYE with `Also` is followed the same way, without reports. As target we let an INVITE with
//! `Replaces` take over a live call's line once its ACK confirms it (B-8 steps 20–22).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::api::LineState;
use super::call::{CallId, Role};
use super::outbound::Purpose;
use super::{MediaCommand, Phone};
use crate::core::notice::Notice;
use crate::core::sip::dialog::Dialog;
use crate::core::sip::message::{Method, Replaces, Request, Response};
use crate::core::sip::transaction::TxId;
use crate::core::sip::uri::{find_param, Uri};

/// How long NOTIFYs about a transfer we handed over are still answered.
const WATCH_TIME: Duration = Duration::from_secs(64);
/// The subscription lifetime our NOTIFYs announce while the referred call is under way.
const NOTIFY_EXPIRES: u32 = 60;

/// How long the consultation call of a successful attended transfer is left for the target to
/// end (RFC 3891 §3: it ends the replaced dialog) before we end it ourselves.
const TARGET_BYE_WAIT: Duration = Duration::from_secs(5);

/// Transfers in progress, in every role.
#[derive(Debug, Default)]
pub struct Transfers {
    /// Transfers the user asked for, by the call being transferred, until REFER is answered.
    asked: HashMap<CallId, Asked>,
    /// REFERs we sent whose NOTIFYs we still expect; they outlive the call we hang up.
    watched: Vec<Watched>,
    /// Consultation calls handed to the target, and when we end them if it has not.
    released: Vec<(CallId, Instant)>,
    /// REFERs we act on, by the call we placed for them.
    referred: HashMap<CallId, Referred>,
    /// Calls that arrived with `Replaces`, waiting for their ACK, and the call each replaces.
    replacing: HashMap<CallId, CallId>,
}

impl Transfers {
    /// When the next transfer timer is due: an attended transfer's wait for its outcome, or a
    /// consultation call the target should have ended.
    pub fn deadline(&self) -> Option<Instant> {
        let outcomes = self.watched.iter().filter_map(|w| w.outcome_due);
        let released = self.released.iter().map(|(_, at)| *at);
        outcomes.chain(released).min()
    }
}

/// A transfer the user asked for.
#[derive(Debug)]
struct Asked {
    /// The Refer-To URI (with `?Replaces=` for an attended transfer).
    refer_to: Uri,
    /// Where the party goes: for `Also` and for what the user is told.
    target: Uri,
    /// The consultation call of an attended transfer.
    consultation: Option<CallId>,
    /// Whether the REFER is sent (it waits for the hold to settle).
    sent: bool,
}

/// The dialog of a REFER we sent, whose NOTIFYs we answer.
#[derive(Debug)]
struct Watched {
    call: CallId,
    call_id: String,
    local_tag: String,
    remote_tag: String,
    /// The REFER's CSeq number, the `id` its NOTIFYs carry (RFC 3515 §2.4.6).
    event_id: u32,
    target: Uri,
    /// The consultation call of an attended transfer, until the outcome is known.
    consultation: Option<CallId>,
    /// While an attended transfer's calls wait for a NOTIFY with its outcome: when to stop.
    outcome_due: Option<Instant>,
    until: Instant,
}

impl Watched {
    fn matches(&self, req: &Request) -> bool {
        let h = &req.headers;
        h.call_id().is_ok_and(|c| c == self.call_id)
            && h.to()
                .is_ok_and(|t| t.tag() == Some(self.local_tag.as_str()))
            && h.from()
                .is_ok_and(|f| f.tag() == Some(self.remote_tag.as_str()))
    }

    /// Whether `id` is one of the calls this attended transfer is handing over.
    fn hands_over(&self, id: CallId) -> bool {
        self.outcome_due.is_some() && (self.call == id || self.consultation == Some(id))
    }
}

/// A REFER we act on.
#[derive(Debug)]
pub(super) struct Referred {
    /// The REFER's dialog, copied: the call may be hung up before the last NOTIFY is sent.
    dialog: Dialog,
    /// The call the REFER came in.
    origin: CallId,
    /// Where the NOTIFYs go.
    dest: SocketAddr,
    /// The REFER's CSeq number, the subscription's `id` (RFC 3515 §2.4.6).
    event_id: u32,
    /// The status the last NOTIFY reported, so a repeated provisional is not reported twice.
    reported: u16,
}

impl Phone {
    /// The user's transfer: blind to `target`, or attended to the party on `to_line`.
    pub(super) fn transfer(
        &mut self,
        now: Instant,
        line: usize,
        target: Option<String>,
        to_line: Option<usize>,
    ) {
        let Some(id) = self.call_on_line(line) else {
            return;
        };
        let asked = match (target, to_line) {
            (Some(target), None) => self.blind(&target),
            (None, Some(to_line)) => self.attended(line, to_line),
            _ => Err(Notice::TransferTargetOrLine {}),
        };
        let call = &self.calls[&id];
        let asked = asked.and_then(|a| {
            if !call.is_established() || call.dialog.is_none() {
                Err(Notice::TransferNoCall {})
            } else if self.transfers.asked.contains_key(&id) || self.awaits_outcome(id) {
                Err(Notice::TransferUnderWay {})
            } else {
                Ok(a)
            }
        });
        match asked {
            Ok(asked) => {
                self.transfers.asked.insert(id, asked);
                if let Some(call) = self.calls.get_mut(&id) {
                    call.hold.wanted = true;
                }
                self.renegotiate(now, id);
            }
            Err(reason) => self.error(Notice::CannotTransfer {
                line,
                reason: Box::new(reason),
            }),
        }
    }

    fn blind(&self, target: &str) -> Result<Asked, Notice> {
        let (uri, _) = self.dial_target(target)?;
        Ok(Asked {
            refer_to: uri.clone(),
            target: uri,
            consultation: None,
            sent: false,
        })
    }

    /// An attended transfer: the Refer-To is the consultation party's Contact, with the
    /// consultation dialog to replace as the party sees it (our tag is its from-tag).
    fn attended(&self, line: usize, to_line: usize) -> Result<Asked, Notice> {
        let consultation = to_line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .flatten()
            .filter(|_| to_line != line)
            .ok_or(Notice::TransferNoOtherCall { line: to_line })?;
        let call = &self.calls[&consultation];
        let dialog = call
            .dialog
            .as_ref()
            .filter(|_| call.is_established())
            .ok_or(Notice::TransferNotConnected { line: to_line })?;
        let target = dialog.remote_target.without_headers();
        let replaces = Replaces {
            call_id: dialog.call_id.clone(),
            to_tag: dialog.remote_tag.clone(),
            from_tag: dialog.local_tag.clone(),
            early_only: false,
        };
        let mut refer_to = target.clone();
        refer_to
            .headers
            .push(("Replaces".into(), replaces.to_string()));
        Ok(Asked {
            refer_to,
            target,
            consultation: Some(consultation),
            sent: false,
        })
    }

    /// Whether an attended transfer of `id` waits for its outcome.
    fn awaits_outcome(&self, id: CallId) -> bool {
        self.transfers
            .watched
            .iter()
            .any(|w| w.call == id && w.outcome_due.is_some())
    }

    /// Sends the REFERs whose hold has settled, runs the transfer timers, and drops what belongs
    /// to ended calls.
    pub(super) fn advance_transfers(&mut self, now: Instant) {
        let calls = &self.calls;
        self.transfers
            .asked
            .retain(|id, _| calls.get(id).is_some_and(|c| c.line.is_some()));
        self.transfers
            .replacing
            .retain(|new, _| calls.contains_key(new));
        self.transfers
            .released
            .retain(|(id, _)| calls.contains_key(id));
        self.transfers
            .watched
            .retain(|w| w.until > now || w.outcome_due.is_some());
        let ready: Vec<CallId> = self
            .transfers
            .asked
            .iter()
            .filter(|(id, a)| !a.sent && calls[id].hold.settled())
            .map(|(id, _)| *id)
            .collect();
        for id in ready {
            self.send_refer(now, id);
        }
        self.outcomes_overdue(now);
        self.consultations_overdue(now);
    }

    fn send_refer(&mut self, now: Instant, id: CallId) {
        let contact = self.contact();
        let referred_by = format!("<{}>", self.local_identity().uri);
        let Some(asked) = self.transfers.asked.get_mut(&id) else {
            return;
        };
        asked.sent = true;
        let Some(dialog) = self.calls.get_mut(&id).and_then(|c| c.dialog.as_mut()) else {
            return;
        };
        let mut req = dialog.request(Method::Refer, None);
        req.headers.push("Contact", contact);
        req.headers
            .push("Refer-To", format!("<{}>", asked.refer_to));
        req.headers.push("Referred-By", referred_by);
        let watched = Watched {
            call: id,
            call_id: dialog.call_id.clone(),
            local_tag: dialog.local_tag.clone(),
            remote_tag: dialog.remote_tag.clone(),
            event_id: dialog.local_cseq,
            target: asked.target.clone(),
            consultation: asked.consultation,
            outcome_due: asked.consultation.map(|_| now + self.outcome_wait()),
            until: now + WATCH_TIME,
        };
        let Some(dest) = self.dialog_dest(id) else {
            return;
        };
        self.transfers.watched.push(watched);
        self.send_request(now, req, dest, Purpose::Refer(id), 0);
    }

    /// The answer to our REFER: `2xx` hands a blind transfer's call over and starts an attended
    /// one's wait for its outcome, `501`/`405`/`420` fall back to BYE/Also, anything else leaves
    /// the call held and tells the user.
    pub(super) fn on_refer_response(&mut self, now: Instant, id: CallId, resp: &Response) {
        if resp.status < 200 {
            return;
        }
        let Some(asked) = self.transfers.asked.remove(&id) else {
            return;
        };
        if resp.status >= 300 {
            self.transfers.watched.retain(|w| w.call != id);
        }
        match (resp.status, asked.consultation) {
            (200..=299, Some(_)) => self.await_outcome(now, id),
            (200..=299, None) => self.hand_over(now, id),
            (405 | 420 | 501, consultation) => self.bye_also(now, id, consultation, &asked.target),
            _ => self.transfer_failed(id, &resp.status_line()),
        }
    }

    /// How long an attended transfer waits for news: 64·T1, the time a NOTIFY's own
    /// transaction may take (RFC 3261 timer F), so one sent at once has arrived by then.
    fn outcome_wait(&self) -> Duration {
        self.settings.timers.t1 * 64
    }

    /// An attended transfer's REFER was accepted: the wait for its outcome starts now.
    fn await_outcome(&mut self, now: Instant, id: CallId) {
        let due = now + self.outcome_wait();
        if let Some(w) = self.transfers.watched.iter_mut().rfind(|w| w.call == id) {
            w.outcome_due = w.outcome_due.map(|_| due);
        }
    }

    /// Our REFER went unanswered.
    pub(super) fn on_refer_timeout(&mut self, id: CallId) {
        self.transfers.asked.remove(&id);
        self.transfers.watched.retain(|w| w.call != id);
        self.transfer_failed(id, "408 Request Timeout");
    }

    fn transfer_failed(&mut self, id: CallId, status: &str) {
        if let Some(line) = self.calls.get(&id).and_then(|c| c.line) {
            self.error(Notice::TransferFailed {
                line,
                status: status.to_owned(),
            });
        }
    }

    /// The transferee took the call: our line goes idle and BYE ends our part (seed B-6 step
    /// 11, B-8 step 26). A call the user hung up meanwhile is already ending.
    fn hand_over(&mut self, now: Instant, id: CallId) {
        if self.calls.get(&id).is_some_and(|c| c.line.is_some()) {
            self.show(id, LineState::Idle, Some("transferred".into()));
            self.send_bye(now, id);
        }
    }

    /// The REFER is unknown to the transferee: our BYE tells it where to go with `Also`, and a
    /// consultation call ends too (seed B-7, B-9).
    fn bye_also(&mut self, now: Instant, id: CallId, consultation: Option<CallId>, target: &Uri) {
        self.show(id, LineState::Idle, Some("transferred".into()));
        self.send_bye_with(now, id, &[("Also", format!("<{target}>"))]);
        if let Some(consultation) = consultation {
            self.show(consultation, LineState::Idle, Some("transferred".into()));
            self.send_bye(now, consultation);
        }
    }

    /// An attended transfer is done (or taken to be): the original call is handed over, and the
    /// consultation call is left to the target, which ends it when the replacing call arrives
    /// (RFC 3891 §3, seed B-8 step 22); after [`TARGET_BYE_WAIT`] we end it ourselves.
    fn complete_attended(&mut self, now: Instant, id: CallId, consultation: Option<CallId>) {
        self.hand_over(now, id);
        if let Some(consultation) = consultation {
            self.transfers
                .released
                .push((consultation, now + TARGET_BYE_WAIT));
        }
    }

    /// Attended transfers whose outcome never came: the calls are handed over as if it had
    /// succeeded. The transferee accepted the REFER and most likely made the call; keeping both
    /// calls open on a silence would leave it talking to us and the target at once.
    fn outcomes_overdue(&mut self, now: Instant) {
        while let Some(w) = self
            .transfers
            .watched
            .iter_mut()
            .find(|w| w.outcome_due.is_some_and(|due| due <= now))
        {
            w.outcome_due = None;
            let (id, consultation, target) = (w.call, w.consultation.take(), w.target.clone());
            if self.calls.get(&id).is_some_and(|c| c.line.is_some()) {
                self.status(Notice::TransferNoWord {
                    target: target.to_string(),
                });
            }
            self.complete_attended(now, id, consultation);
        }
    }

    /// Consultation calls the target did not end after a successful transfer: we end them.
    fn consultations_overdue(&mut self, now: Instant) {
        let (due, waiting) = std::mem::take(&mut self.transfers.released)
            .into_iter()
            .partition(|(_, at)| *at <= now);
        self.transfers.released = waiting;
        for (id, _) in due {
            self.hand_over(now, id);
        }
    }

    /// Whether `id` ends because a transfer is handing it over: the original or consultation
    /// call of an attended transfer waiting for its outcome, or a consultation call left to the
    /// target. The target's BYE of the consultation call is the transfer's own doing.
    pub(super) fn transferred_away(&self, id: CallId) -> bool {
        self.transfers.watched.iter().any(|w| w.hands_over(id))
            || self.transfers.released.iter().any(|(c, _)| *c == id)
    }

    /// A NOTIFY about a REFER of ours: answered, its sipfrag shown; for an attended transfer a
    /// final status decides what happens to the calls, and any other keeps the wait going.
    pub(super) fn on_notify(&mut self, now: Instant, tx: TxId, req: Request) {
        let Some(pos) = self.watched_for(&req) else {
            return self.respond_with(now, tx, &req, 481, |_| {});
        };
        let event = req.headers.with_params("Event");
        if !event.is_some_and(|(e, _)| e.eq_ignore_ascii_case("refer")) {
            return self.respond_with(now, tx, &req, 489, |_| {});
        }
        self.respond_with(now, tx, &req, 200, |_| {});
        let target = self.transfers.watched[pos].target.clone();
        let status = sipfrag_status(&req.body);
        match &status {
            Some((status, line)) if *status >= 300 => self.error(Notice::TransferToFailed {
                target: target.to_string(),
                status: line.clone(),
            }),
            Some((_, line)) => self.status(Notice::TransferProgress {
                target: target.to_string(),
                status: line.clone(),
            }),
            None => {}
        }
        let state = req.headers.with_params("Subscription-State");
        let terminated = state
            .as_ref()
            .is_some_and(|(s, _)| s.eq_ignore_ascii_case("terminated"));
        match status {
            Some((code, _)) if code >= 200 => self.attended_outcome(now, pos, code),
            // Ended without a final status: the outcome is unknown, as if no word had come.
            _ if terminated => {
                let w = &mut self.transfers.watched[pos];
                w.outcome_due = w.outcome_due.map(|_| now);
            }
            _ => {
                // News of progress: the wait starts over, for as long as the transferee keeps
                // the subscription (RFC 6665 §4.1.3), or the usual wait when it does not say.
                let expires = state.and_then(|(_, p)| find_param(&p, "expires")?.map(str::parse));
                let wait = match expires {
                    Some(Ok(s)) => Duration::from_secs(s),
                    _ => self.outcome_wait(),
                };
                let w = &mut self.transfers.watched[pos];
                w.outcome_due = w.outcome_due.map(|_| now + wait);
            }
        }
        if terminated {
            self.outcomes_overdue(now);
            self.transfers.watched.remove(pos);
        }
    }

    /// The REFER a NOTIFY reports on: the one its `id` names, else the newest in its dialog (a
    /// transfer tried again in the same call is the one reporting).
    fn watched_for(&self, notify: &Request) -> Option<usize> {
        let id = notify
            .headers
            .with_params("Event")
            .and_then(|(_, p)| find_param(&p, "id")?.map(str::parse::<u32>))
            .and_then(Result::ok);
        let watched = &self.transfers.watched;
        watched
            .iter()
            .rposition(|w| w.matches(notify) && Some(w.event_id) == id)
            .or_else(|| watched.iter().rposition(|w| w.matches(notify)))
    }

    /// The final status of an attended transfer (seed B-8 step 24): `2xx` completes it; a
    /// failure leaves both calls as they are, the original held and the consultation call up,
    /// so the user can try again or go back (they have been told). A blind transfer's calls are
    /// gone already.
    fn attended_outcome(&mut self, now: Instant, pos: usize, status: u16) {
        let w = &mut self.transfers.watched[pos];
        if w.outcome_due.take().is_none() {
            return;
        }
        let (id, consultation) = (w.call, w.consultation.take());
        if status < 300 {
            self.complete_attended(now, id, consultation);
        } else {
            // The consultation call may have ended meanwhile: the held line waits for the user.
            self.remind_held_lines();
        }
    }

    /// A REFER from the peer: only inside a call (RFC 3515 §2.4.2), one Refer-To, a target we
    /// can call. Accepted with `202`, followed by a new call and NOTIFYs of its progress.
    pub(super) fn on_refer(&mut self, now: Instant, tx: TxId, req: Request) {
        if req.headers.to().is_ok_and(|t| t.tag().is_none()) {
            return self.respond_with(now, tx, &req, 403, |r| {
                r.reason = "Forbidden (REFER outside a call)".into()
            });
        }
        let Some(origin) = self.call_for_request(&req) else {
            return self.respond_with(now, tx, &req, 481, |_| {});
        };
        let in_order = self
            .calls
            .get_mut(&origin)
            .and_then(|c| c.dialog.as_mut())
            .is_some_and(|d| d.on_remote_request(&req).is_ok());
        if !in_order {
            return self.respond_with(now, tx, &req, 500, |_| {});
        }
        let refer_to = match req.headers.all("Refer-To").count() {
            1 => req.headers.name_addr("Refer-To").ok(),
            _ => None,
        };
        let replaces = refer_to.as_ref().map(|r| r.uri.header("Replaces"));
        let (Some(refer_to), Some(replaces)) = (refer_to.clone(), replaces) else {
            return self.respond_with(now, tx, &req, 400, |r| {
                r.reason = "Bad Request (one Refer-To is needed)".into()
            });
        };
        if replaces.is_some_and(|r| Replaces::parse(r).is_none()) {
            return self.respond_with(now, tx, &req, 400, |r| {
                r.reason = "Bad Request (unreadable Replaces in Refer-To)".into()
            });
        }
        let mut extra = Vec::new();
        if let Some(replaces) = replaces {
            extra.push(("Replaces", replaces.to_owned()));
        }
        if let Some(by) = req.headers.get("Referred-By") {
            extra.push(("Referred-By", by.to_owned()));
        }
        if self.settings.refer_consent {
            return self.ask_consent(now, tx, &req, origin, refer_to.uri, extra);
        }
        let Some(new_call) = self.place_call_for(now, &refer_to.uri, extra) else {
            return self.respond_with(now, tx, &req, 403, |r| {
                r.reason = "Forbidden (the target cannot be called)".into()
            });
        };
        self.respond_with(now, tx, &req, 202, |_| {});
        if let Some(referred) = self.referred(origin, &req) {
            self.transfers.referred.insert(new_call, referred);
            self.notify(now, new_call, "100 Trying", false);
        }
    }

    /// What a REFER accepted in `origin`'s dialog needs for its NOTIFYs.
    pub(super) fn referred(&self, origin: CallId, refer: &Request) -> Option<Referred> {
        let dialog = self.calls.get(&origin)?.dialog.clone()?;
        Some(Referred {
            dialog,
            origin,
            dest: self.dialog_dest(origin)?,
            event_id: refer.headers.cseq().map(|c| c.seq).unwrap_or_default(),
            // The first NOTIFY, sent on accepting the REFER.
            reported: 100,
        })
    }

    /// Reports on `new_call`, placed for a REFER whose first NOTIFY has gone out already.
    pub(super) fn follow_referral(&mut self, new_call: CallId, referred: Referred) {
        self.transfers.referred.insert(new_call, referred);
    }

    /// A BYE with `Also` (the transfer before REFER): call the `Also` party, naming who asked.
    pub(super) fn follow_also(&mut self, now: Instant, bye: &Request) {
        let (Ok(also), Ok(from)) = (bye.headers.name_addr("Also"), bye.headers.from()) else {
            return;
        };
        let requested_by = vec![("Requested-By", format!("<{}>", from.uri))];
        self.place_call_for(now, &also.uri, requested_by);
    }

    /// Places a call someone else asked for, with their headers on the INVITE. `None` when it
    /// cannot be placed (the user has been told why).
    pub(super) fn place_call_for(
        &mut self,
        now: Instant,
        target: &Uri,
        headers: Vec<(&str, String)>,
    ) -> Option<CallId> {
        let before = self.next_call;
        self.dial(now, &target.without_headers().to_string());
        if self.next_call == before {
            return None;
        }
        let id = CallId(self.next_call - 1);
        let call = self.calls.get_mut(&id)?;
        for (name, value) in headers {
            call.invite.headers.push(name, value);
        }
        Some(id)
    }

    /// Reports a response to a call placed for a REFER (RFC 3515 §2.4.5): each new provisional
    /// status (`180 Ringing`, `183`) with the subscription still active, then the final status,
    /// which ends it.
    pub(super) fn report_referral(&mut self, now: Instant, call: CallId, resp: &Response) {
        let Some(referred) = self.transfers.referred.get_mut(&call) else {
            return;
        };
        let done = resp.status >= 200;
        if !done && resp.status == referred.reported {
            return;
        }
        referred.reported = resp.status;
        self.notify(now, call, &resp.status_line(), done);
    }

    /// A NOTIFY about the call placed for a REFER; `done` ends the subscription.
    fn notify(&mut self, now: Instant, call: CallId, status: &str, done: bool) {
        let Some(mut referred) = self.transfers.referred.remove(&call) else {
            return;
        };
        self.notify_referrer(now, &mut referred, status, done);
        if !done {
            self.transfers.referred.insert(call, referred);
        }
    }

    /// A NOTIFY in the REFER's dialog with `status` as a sipfrag.
    pub(super) fn notify_referrer(
        &mut self,
        now: Instant,
        referred: &mut Referred,
        status: &str,
        done: bool,
    ) {
        let contact = self.contact();
        // The call's own dialog may have sent requests since the REFER: keep CSeq rising.
        let origin = self
            .calls
            .get_mut(&referred.origin)
            .and_then(|c| c.dialog.as_mut());
        if let Some(d) = &origin {
            referred.dialog.local_cseq = referred.dialog.local_cseq.max(d.local_cseq);
        }
        let mut req = referred.dialog.request(Method::Notify, None);
        if let Some(d) = origin {
            d.local_cseq = referred.dialog.local_cseq;
        }
        let state = if done {
            "terminated;reason=noresource".to_owned()
        } else {
            format!("active;expires={NOTIFY_EXPIRES}")
        };
        let h = &mut req.headers;
        h.push("Contact", contact);
        h.push("Event", format!("refer;id={}", referred.event_id));
        h.push("Subscription-State", state);
        h.push("Content-Type", "message/sipfrag;version=2.0");
        req.body = format!("SIP/2.0 {status}\r\n").into_bytes();
        let dest = referred.dest;
        self.send_request(now, req, dest, Purpose::Notify, 0);
    }

    /// The call an INVITE's `Replaces` names (RFC 3891 §3), or `Err` once the INVITE has been
    /// refused: `481` for no such dialog or someone else's early one, `486` for `early-only`
    /// when it is confirmed. `Ok(None)` when the INVITE replaces nothing.
    pub(super) fn replaced_call(
        &mut self,
        now: Instant,
        tx: TxId,
        req: &Request,
    ) -> Result<Option<CallId>, ()> {
        let Some(value) = req.headers.get("Replaces") else {
            return Ok(None);
        };
        let Some(r) = Replaces::parse(value) else {
            self.respond_with(now, tx, req, 400, |resp| {
                resp.reason = "Bad Request (unreadable Replaces)".into()
            });
            return Err(());
        };
        let found = self.calls.values().find(|c| {
            c.line.is_some()
                && c.dialog.as_ref().is_some_and(|d| {
                    d.call_id == r.call_id && d.local_tag == r.to_tag && d.remote_tag == r.from_tag
                })
        });
        let status = match found {
            None => 481,
            Some(c) => match (c.is_established() || c.answered, c.role) {
                (true, _) if r.early_only => 486,
                (false, Role::Callee) => 481,
                _ => return Ok(Some(c.id)),
            },
        };
        self.respond_with(now, tx, req, status, |_| {});
        Err(())
    }

    /// Ends the call an INVITE with `Replaces` took over, if it is still on its line key (the
    /// user or the peer may have ended it meanwhile); its line is free for the new call.
    fn end_replaced(&mut self, now: Instant, old: CallId) {
        let Some(call) = self.calls.get(&old).filter(|c| c.line.is_some()) else {
            return;
        };
        let established = call.is_established() || call.answered;
        self.show(old, LineState::Idle, Some("replaced".into()));
        if established {
            self.send_bye(now, old);
        } else {
            self.cancel_or_defer(now, old);
        }
    }

    /// A call replacing `old` is answered without ringing and kept off the line keys: `old`
    /// goes on, on its line, until the ACK confirms the new dialog (seed B-8: C's BYE to B
    /// follows A's ACK). Should the new call fail before that, nothing was lost.
    pub(super) fn take_over(&mut self, id: CallId, old: CallId) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.state = LineState::Incoming;
            call.answer_when_ready = true;
        }
        self.transfers.replacing.insert(id, old);
        self.media(MediaCommand::Open { call: id });
    }

    /// The ACK confirmed `new`: a call it replaces ends now and `new` takes its line key, or a
    /// free one if that call ended meanwhile. Returns whether `new` has a line to show on; with
    /// none (or while quitting) it is ended.
    pub(super) fn confirm_replacement(&mut self, now: Instant, new: CallId) -> bool {
        let Some(old) = self.transfers.replacing.remove(&new) else {
            return true;
        };
        let line = self.calls.get(&old).and_then(|c| c.line);
        self.end_replaced(now, old);
        let line = line.or_else(|| self.free_line()).filter(|_| !self.quitting);
        let (Some(line), Some(call)) = (line, self.calls.get_mut(&new)) else {
            self.send_bye(now, new);
            return false;
        };
        call.line = Some(line);
        self.lines[line - 1] = Some(new);
        true
    }

    /// The replacing call's 2xx was never acknowledged. The call it replaces ends all the
    /// same: the transferee reported the transfer done when our 2xx reached it, so the
    /// transferor has let that call go (RFC 3891 §3 has it end once the replacement is
    /// accepted).
    pub(super) fn replacement_unconfirmed(&mut self, now: Instant, new: CallId) {
        if let Some(old) = self.transfers.replacing.remove(&new) {
            self.end_replaced(now, old);
        }
    }
}

/// The status code and line of a `message/sipfrag` body (`SIP/2.0 180 Ringing`).
fn sipfrag_status(body: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0 ")?;
    let code = rest.split_whitespace().next()?.parse().ok()?;
    Some((code, rest.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipfrag_status_lines_are_read() {
        assert_eq!(
            sipfrag_status(b"SIP/2.0 180 Ringing\r\n"),
            Some((180, "180 Ringing".into()))
        );
        assert_eq!(
            sipfrag_status(b"SIP/2.0 486 Busy Here\r\nVia: x\r\n").map(|s| s.0),
            Some(486)
        );
        assert_eq!(sipfrag_status(b"hello"), None);
        assert_eq!(sipfrag_status(b""), None);
    }
}
