//! Several lines at once (seed flows S4 hold with consultation, S5 call waiting): only one call
//! talks at a time, so answering a waiting call, taking a held one back (swapping) or dialing
//! while a call is connected first puts the connected call on hold with the usual re-INVITE, and
//! only then does what the user asked.
//!
//! The request waits in [`Queued`] until every call being held has settled: held, refused, or
//! gone. If the hold re-INVITE is refused, the request is carried out anyway and the user is told
//! that the other line is still connected: a caller waiting on the second line matters more than
//! a hold the far end would not take, and the user can still hang up either call. When a call
//! ends while others are on hold, a status says so, since nothing else would remind the user.
//! Auto-answer is left alone: it answers every call at once, which is what it is set for (load
//! tests, intercom-style use), so several calls may then talk at the same time.

use std::time::Instant;

use super::api::LineState;
use super::call::CallId;
use super::Phone;
use crate::core::notice::Notice;

/// What the user asked for, to be done once the talking calls are on hold.
#[derive(Debug, Clone)]
pub enum Then {
    /// Answer this ringing call.
    Answer(CallId),
    /// Take this held call off hold.
    Resume(CallId),
    /// Place a call to this target.
    Dial(String),
}

/// A request waiting for other calls to be put on hold.
#[derive(Debug)]
pub struct Queued {
    /// The calls whose hold re-INVITE has not settled yet.
    holding: Vec<CallId>,
    /// Every call this request put on hold, to tell the user which ones did not go.
    held: Vec<CallId>,
    /// What to do then.
    then: Then,
}

impl Phone {
    /// Answer: a ringing line is answered once the connected calls are on hold.
    pub(super) fn answer_line(&mut self, now: Instant, line: usize) {
        match self.lines.get(line.wrapping_sub(1)).copied().flatten() {
            Some(id) if self.is_waiting_call(id) => self.hold_others_then(now, Then::Answer(id)),
            _ => self.answer(now, line),
        }
    }

    /// Resume: a held line is taken back once the connected calls are on hold (a swap).
    pub(super) fn resume_line(&mut self, now: Instant, line: usize) {
        let held = self
            .lines
            .get(line.wrapping_sub(1))
            .copied()
            .flatten()
            .filter(|id| {
                self.calls
                    .get(id)
                    .is_some_and(|c| c.state == LineState::Held && c.hold.wanted)
            });
        match held {
            Some(id) => self.hold_others_then(now, Then::Resume(id)),
            None => self.set_hold(now, line, false),
        }
    }

    /// Dial: a new call is placed once the connected calls are on hold; a target that cannot be
    /// dialled, or no free line, is reported at once without holding anything.
    pub(super) fn dial_line(&mut self, now: Instant, target: &str) {
        if self.dial_target(target).is_ok() && self.free_line().is_some() {
            self.hold_others_then(now, Then::Dial(target.to_owned()));
        } else {
            self.dial(now, target);
        }
    }

    /// Whether a call rings on its line and has not been answered.
    fn is_waiting_call(&self, id: CallId) -> bool {
        self.calls
            .get(&id)
            .is_some_and(|c| c.state == LineState::Incoming && !c.answered)
    }

    /// Puts every talking call on hold and does `then` once they have settled (at once when
    /// none talks).
    fn hold_others_then(&mut self, now: Instant, then: Then) {
        if let Some(queued) = &self.queued {
            let notice = self.still_holding(&queued.holding);
            return self.error(notice);
        }
        let talking: Vec<CallId> = self
            .calls
            .values()
            .filter(|c| c.line.is_some() && !c.hold.wanted)
            .filter(|c| matches!(c.state, LineState::Connected | LineState::RemoteHeld))
            .map(|c| c.id)
            .collect();
        for id in &talking {
            if let Some(call) = self.calls.get_mut(id) {
                call.hold.wanted = true;
            }
            self.renegotiate(now, *id);
        }
        self.queued = Some(Queued {
            holding: talking.clone(),
            held: talking,
            then,
        });
        self.lines_settled(now);
    }

    /// Runs the waiting request once no hold it asked for is still under way. Called after every
    /// input, since a hold settles through responses, timers and the peer's requests alike.
    pub(super) fn lines_settled(&mut self, now: Instant) {
        let Some(mut queued) = self.queued.take() else {
            return;
        };
        queued.holding.retain(|id| {
            self.calls.get(id).is_some_and(|c| {
                c.line.is_some() && c.hold.wanted && !c.hold.active && c.is_established()
            })
        });
        if !queued.holding.is_empty() {
            self.queued = Some(queued);
            return;
        }
        for id in &queued.held {
            let still_talking = self
                .calls
                .get(id)
                .filter(|c| c.line.is_some() && c.is_established() && !c.hold.active);
            if let Some(line) = still_talking.and_then(|c| c.line) {
                self.status(Notice::StillConnected { line });
            }
        }
        self.carry_out(now, queued.then);
    }

    /// Does what the user asked, if it still makes sense (a waiting caller may have given up).
    fn carry_out(&mut self, now: Instant, then: Then) {
        match then {
            Then::Answer(id) => {
                if self.is_waiting_call(id) {
                    if let Some(line) = self.calls[&id].line {
                        self.answer(now, line);
                    }
                }
            }
            Then::Resume(id) => {
                if let Some(line) = self.calls.get(&id).and_then(|c| c.line) {
                    self.set_hold(now, line, false);
                }
            }
            Then::Dial(target) => self.dial(now, &target),
        }
    }

    /// After a call that was talking or held ends: tells the user about the lines still on hold
    /// when none is left talking ("Line 1 is still on hold").
    pub(super) fn remind_held_lines(&mut self) {
        if self.quitting {
            return;
        }
        let talking = self.calls.values().any(|c| {
            c.line.is_some() && matches!(c.state, LineState::Connected | LineState::RemoteHeld)
        });
        if talking {
            return;
        }
        // A held call that a transfer is handing over is not waiting for the user.
        let held: Vec<usize> = self
            .calls
            .values()
            .filter(|c| c.state == LineState::Held && !self.transferred_away(c.id))
            .filter_map(|c| c.line)
            .collect();
        for line in held {
            self.status(Notice::StillOnHold { line });
        }
    }

    /// "Wait a moment", naming the lines whose hold is still under way.
    fn still_holding(&self, ids: &[CallId]) -> Notice {
        let mut lines: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.calls.get(id).and_then(|c| c.line))
            .collect();
        lines.sort_unstable();
        match *lines.as_slice() {
            [line] => Notice::WaitForLine { line },
            [ref first @ .., last] => {
                let first: Vec<String> = first.iter().map(ToString::to_string).collect();
                Notice::WaitForLines {
                    lines: first.join(", "),
                    last,
                }
            }
            [] => Notice::WaitForAnotherLine {},
        }
    }
}
