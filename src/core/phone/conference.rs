//! Local 3-way calling (seed flow S13): two of our calls joined here, with the phone mixing the
//! audio, as a Cisco phone's Conference key does without a conference bridge.
//!
//! Joining takes whichever leg we hold off hold (the ordinary resume re-INVITE) and tells the
//! media engine which calls are joined, so each far end is sent our microphone plus the other far
//! end. The conference lasts as long as both legs do: when one ends, the other is an ordinary call
//! again. Hold on a conference line splits it: that leg is held, the other goes on as an
//! ordinary call — the two lines are back where they were before the join.

use std::time::Instant;

use super::api::LineState;
use super::call::{Call, CallId};
use super::{MediaCommand, Phone};
use crate::core::notice::Notice;

impl Phone {
    /// Joins the calls on `line` and `with_line`, resuming the one we hold.
    pub(super) fn conference(&mut self, now: Instant, line: usize, with_line: usize) {
        if line == with_line {
            return self.error(Notice::ConferenceSameLine { line });
        }
        let (Some(a), Some(b)) = (self.call_on_line(line), self.call_on_line(with_line)) else {
            return;
        };
        if let Some(legs) = self.conference {
            let lines = legs.map(|id| self.calls.get(&id).and_then(|c| c.line).unwrap_or(0));
            return self.error(Notice::ConferenceExists {
                first: lines[0],
                second: lines[1],
            });
        }
        for (line, id) in [(line, a), (with_line, b)] {
            if let Err(message) = check_joinable(line, &self.calls[&id]) {
                return self.error(message);
            }
        }
        for id in [a, b] {
            self.resume_for_conference(now, id);
            self.show(id, LineState::Conference, None);
        }
        self.conference = Some([a, b]);
        self.media(MediaCommand::Conference { calls: vec![a, b] });
    }

    /// Whether the call on `line` is a conference leg.
    pub(super) fn in_conference(&self, line: usize) -> bool {
        self.conference
            .is_some_and(|legs| legs.iter().any(|id| self.line_of(*id) == Some(line)))
    }

    /// Hold on a conference line: the conference ends, and that leg is put on hold while the
    /// other goes on as an ordinary call.
    pub(super) fn split_conference(&mut self, now: Instant, line: usize) {
        self.end_conference();
        self.set_hold(now, line, true);
    }

    /// Resume on a conference line, which is not held.
    pub(super) fn resume_in_conference(&mut self, line: usize) {
        self.error(Notice::ConferenceNotHeld { line });
    }

    /// Ends the conference once a leg has gone (hung up either side, failed, or lost), leaving
    /// the other leg an ordinary call. Called after every input, so every way a call can end
    /// is covered.
    pub(super) fn settle_conference(&mut self) {
        let Some(legs) = self.conference else {
            return;
        };
        if !legs.iter().all(|id| self.is_joined(*id)) {
            self.end_conference();
        }
    }

    /// Tells the media engine the calls are no longer joined and shows each remaining leg as
    /// its hold state makes it.
    fn end_conference(&mut self) {
        let Some(legs) = self.conference.take() else {
            return;
        };
        self.media(MediaCommand::Conference { calls: Vec::new() });
        for id in legs {
            if self.is_joined(id) {
                let state = self.calls[&id].hold.line_state();
                self.show(id, state, None);
            }
        }
    }

    /// Whether a call is still a live conference leg on its line key.
    fn is_joined(&self, id: CallId) -> bool {
        self.calls
            .get(&id)
            .is_some_and(|c| c.line.is_some() && c.state == LineState::Conference)
    }

    fn line_of(&self, id: CallId) -> Option<usize> {
        self.calls.get(&id).and_then(|c| c.line)
    }

    /// Takes a leg off our hold with the ordinary resume re-INVITE (sent now, or when the
    /// dialog's INVITE transaction under way ends).
    fn resume_for_conference(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.hold.wanted {
            call.hold.wanted = false;
            self.renegotiate(now, id);
        }
    }
}

/// Why a call cannot join a conference, as a sentence for the user. Only a call we talk on or
/// hold ourselves can: a call the other party holds would join silent.
fn check_joinable(line: usize, call: &Call) -> Result<(), Notice> {
    match call.state {
        LineState::Connected | LineState::Held => Ok(()),
        LineState::RemoteHeld => Err(Notice::ConferenceRemoteHeld { line }),
        _ => Err(Notice::ConferenceNoCall { line }),
    }
}
