//! How much audio waits between the media clock and a sound card's clock.
//!
//! The media thread moves 20 ms per tick on the system clock; the card moves its own period on
//! its own crystal. A cushion of a few tens of milliseconds absorbs the media thread's scheduling
//! jitter. The two clocks also drift apart, which would slowly fill or drain the cushion: the side
//! that takes audio out therefore drops the oldest audio when the queue runs too far ahead (so
//! delay cannot build up) and, after running dry, waits for the cushion to refill before it takes
//! audio again (so one underrun is one short gap, not a crackle on every period).

/// A queue holds at most this much: a full queue means the other side has stalled.
pub(super) const QUEUE_MS: u32 = 100;
/// After running dry, audio flows again once this much has been queued.
const PREFILL_MS: u32 = 30;
/// More than this queued is drift, not jitter…
const HIGH_MS: u32 = 60;
/// …and is cut back to this.
const TRIM_TO_MS: u32 = 40;

/// Samples in `ms` milliseconds at `rate` Hz.
pub(super) fn samples(rate: u32, ms: u32) -> usize {
    (u64::from(rate) * u64::from(ms) / 1000) as usize
}

/// The consumer's bookkeeping for one queue. It neither allocates nor blocks, so the real-time
/// side of a stream can use it.
#[derive(Debug, Clone)]
pub(super) struct Cushion {
    prefill: usize,
    high: usize,
    trim_to: usize,
    /// Whether audio is flowing (false at the start and after running dry).
    flowing: bool,
}

impl Cushion {
    /// The cushion for a queue of samples at `rate` Hz.
    pub(super) fn new(rate: u32) -> Cushion {
        Cushion {
            prefill: samples(rate, PREFILL_MS),
            high: samples(rate, HIGH_MS),
            trim_to: samples(rate, TRIM_TO_MS),
            flowing: false,
        }
    }

    /// With `queued` samples waiting and `wanted` needed now, returns how many of the oldest to
    /// discard and then how many to take; whatever is wanted beyond that is silence.
    pub(super) fn plan(&mut self, queued: usize, wanted: usize) -> (usize, usize) {
        let discard = if queued > self.high {
            queued - self.trim_to
        } else {
            0
        };
        let queued = queued - discard;
        if !self.flowing && queued < self.prefill {
            return (discard, 0);
        }
        let take = queued.min(wanted);
        self.flowing = take == wanted;
        (discard, take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: usize = 48;

    #[test]
    fn waits_for_the_prefill_before_audio_flows() {
        let mut cushion = Cushion::new(48_000);
        assert_eq!(cushion.plan(20 * MS, 10 * MS), (0, 0));
        assert_eq!(cushion.plan(29 * MS, 10 * MS), (0, 0));
        assert_eq!(cushion.plan(30 * MS, 10 * MS), (0, 10 * MS));
        assert_eq!(cushion.plan(20 * MS, 10 * MS), (0, 10 * MS));
    }

    #[test]
    fn running_dry_gives_what_there_is_then_waits_again() {
        let mut cushion = Cushion::new(48_000);
        cushion.plan(30 * MS, 20 * MS);
        assert_eq!(cushion.plan(5 * MS, 20 * MS), (0, 5 * MS));
        assert_eq!(cushion.plan(20 * MS, 20 * MS), (0, 0));
        assert_eq!(cushion.plan(30 * MS, 20 * MS), (0, 20 * MS));
    }

    #[test]
    fn drops_the_oldest_when_too_far_ahead() {
        let mut cushion = Cushion::new(48_000);
        assert_eq!(cushion.plan(60 * MS, 20 * MS), (0, 20 * MS));
        assert_eq!(cushion.plan(75 * MS, 20 * MS), (35 * MS, 20 * MS));
    }

    #[test]
    fn counts_in_samples_of_the_queue_rate() {
        let mut cushion = Cushion::new(8000);
        assert_eq!(cushion.plan(239, 80), (0, 0));
        assert_eq!(cushion.plan(240, 80), (0, 80));
        assert_eq!(cushion.plan(481, 80), (161, 80));
    }
}
