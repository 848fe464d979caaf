//! Which tones the user hears, from the state of the lines: ringing on the ringer, ringback,
//! call waiting, busy and error tones in the earpiece.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::core::phone::LineState;
use crate::media::tones::{Tone, ToneGenerator};
use crate::media::Frame;

/// How long the busy tone plays after a call was refused as busy.
const BUSY_FOR: Duration = Duration::from_secs(4);
/// How long the error tone plays after a call failed.
const ERROR_FOR: Duration = Duration::from_secs(2);

/// The tones to play, and their generators (kept so cadences run on across frames).
#[derive(Default)]
pub struct Cues {
    lines: BTreeMap<usize, LineState>,
    /// A tone that plays for a while after a call ended, and until when.
    after_call: Option<(Tone, Instant)>,
    earpiece: Option<(Tone, ToneGenerator)>,
    ringer: Option<ToneGenerator>,
}

impl Cues {
    /// A line changed state; `reason` is why it went idle.
    pub fn line_changed(
        &mut self,
        line: usize,
        state: LineState,
        reason: Option<&str>,
        now: Instant,
    ) {
        if state == LineState::Idle {
            self.lines.remove(&line);
            self.after_call = match reason {
                Some("busy") => Some((Tone::Busy, now + BUSY_FOR)),
                Some(r) if r.starts_with("failed") => Some((Tone::Error, now + ERROR_FOR)),
                _ => self.after_call.take(),
            };
        } else {
            self.lines.insert(line, state);
            if matches!(
                state,
                LineState::Dialing | LineState::Incoming | LineState::Connected
            ) {
                // The user has moved on: stop telling them about the last call.
                self.after_call = None;
            }
        }
    }

    /// Whether some tone wants the media clock running.
    pub fn active(&self, now: Instant) -> bool {
        self.after_call.is_some_and(|(_, until)| now < until)
            || self
                .lines
                .values()
                .any(|s| matches!(s, LineState::Ringing | LineState::Incoming))
    }

    /// Whether the ringer should ring: a call is coming in and the user is not on another call
    /// (then they hear the call-waiting tone instead).
    fn ringing(&self) -> bool {
        self.lines.values().any(|&s| s == LineState::Incoming) && !self.talking()
    }

    fn talking(&self) -> bool {
        self.lines.values().any(|s| {
            matches!(
                s,
                LineState::Connected | LineState::RemoteHeld | LineState::Conference
            )
        })
    }

    /// The earpiece tone now. `early_media(line)` tells whether the far end of a ringing line
    /// already plays its own audio, which replaces our ringback.
    fn earpiece_tone(&self, now: Instant, early_media: &dyn Fn(usize) -> bool) -> Option<Tone> {
        let ringback = self
            .lines
            .iter()
            .any(|(&line, &s)| s == LineState::Ringing && !early_media(line));
        if ringback {
            return Some(Tone::Ringback);
        }
        if self.lines.values().any(|&s| s == LineState::Incoming) && self.talking() {
            return Some(Tone::CallWaiting);
        }
        self.after_call
            .filter(|&(_, until)| now < until)
            .map(|(tone, _)| tone)
    }

    /// Mixes this frame's earpiece tone, if any, into `frame`.
    pub fn mix_earpiece(
        &mut self,
        now: Instant,
        early_media: &dyn Fn(usize) -> bool,
        frame: &mut Frame,
    ) {
        let wanted = self.earpiece_tone(now, early_media);
        if self.earpiece.as_ref().map(|(tone, _)| *tone) != wanted {
            self.earpiece = wanted.map(|tone| (tone, ToneGenerator::new(tone)));
        }
        if let Some((_, generator)) = &mut self.earpiece {
            generator.mix_into(frame);
        }
    }

    /// Writes this frame of the ring tone into `frame`; returns false (and leaves `frame`
    /// alone) when nothing rings.
    pub fn ring(&mut self, frame: &mut Frame) -> bool {
        if !self.ringing() {
            self.ringer = None;
            return false;
        }
        let generator = self
            .ringer
            .get_or_insert_with(|| ToneGenerator::new(Tone::Ringtone));
        frame.fill(0);
        generator.mix_into(frame);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn earpiece(cues: &Cues, now: Instant) -> Option<Tone> {
        cues.earpiece_tone(now, &|_| false)
    }

    #[test]
    fn ringback_until_early_media_or_answer() {
        let now = Instant::now();
        let mut cues = Cues::default();
        cues.line_changed(1, LineState::Ringing, None, now);
        assert_eq!(earpiece(&cues, now), Some(Tone::Ringback));
        assert_eq!(cues.earpiece_tone(now, &|line| line == 1), None);
        cues.line_changed(1, LineState::Connected, None, now);
        assert_eq!(earpiece(&cues, now), None);
    }

    #[test]
    fn second_call_gets_call_waiting_not_the_ringer() {
        let now = Instant::now();
        let mut cues = Cues::default();
        cues.line_changed(1, LineState::Incoming, None, now);
        assert!(cues.ringing());
        cues.line_changed(1, LineState::Connected, None, now);
        cues.line_changed(2, LineState::Incoming, None, now);
        assert!(!cues.ringing());
        assert_eq!(earpiece(&cues, now), Some(Tone::CallWaiting));
        // With the first call held, the new one rings normally.
        cues.line_changed(1, LineState::Held, None, now);
        assert!(cues.ringing());
    }

    #[test]
    fn busy_and_error_tones_play_for_a_while() {
        let now = Instant::now();
        let mut cues = Cues::default();
        cues.line_changed(1, LineState::Dialing, None, now);
        cues.line_changed(1, LineState::Idle, Some("busy"), now);
        assert_eq!(earpiece(&cues, now), Some(Tone::Busy));
        assert!(cues.active(now));
        assert_eq!(earpiece(&cues, now + BUSY_FOR), None);
        assert!(!cues.active(now + BUSY_FOR));
        cues.line_changed(1, LineState::Idle, Some("failed: 404 Not Found"), now);
        assert_eq!(earpiece(&cues, now), Some(Tone::Error));
        cues.line_changed(2, LineState::Dialing, None, now);
        assert_eq!(earpiece(&cues, now), None);
        cues.line_changed(2, LineState::Idle, Some("local_hangup"), now);
        assert!(!cues.active(now));
    }
}
