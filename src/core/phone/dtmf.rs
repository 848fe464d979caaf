//! DTMF the user sends on a call. The phone checks the line and the digits; the media engine
//! sends them (RFC 4733 events when negotiated, else tones).

use super::api::LineState;
use super::{MediaCommand, Phone};
use crate::core::notice::Notice;

impl Phone {
    /// Hands the digits to the media engine, or tells the user why they cannot be sent.
    pub(super) fn send_dtmf(&mut self, line: usize, digits: &str) {
        let Some(id) = self.call_on_line(line) else {
            return;
        };
        let checked = line_sends_digits(line, self.calls[&id].state).and_then(|()| dtmf(digits));
        match checked {
            Ok(digits) => self.media(MediaCommand::Dtmf { call: id, digits }),
            Err(message) => self.error(message),
        }
    }
}

/// Whether a line in `state` can carry digits: only a call whose audio goes to the far end. On
/// hold, in either direction, no RTP may be sent (RFC 3264 §8.4), and events are RTP.
fn line_sends_digits(line: usize, state: LineState) -> Result<(), Notice> {
    match state {
        LineState::Connected | LineState::Conference => Ok(()),
        LineState::Held => Err(Notice::DtmfOnHold { line }),
        LineState::RemoteHeld => Err(Notice::DtmfRemoteHeld { line }),
        _ => Err(Notice::DtmfNoCall { line }),
    }
}

/// The digits as the media engine takes them (`A`-`D` in upper case), or a sentence naming the
/// first character that is not a DTMF digit.
fn dtmf(digits: &str) -> Result<String, Notice> {
    if digits.is_empty() {
        return Err(Notice::DtmfEmpty {});
    }
    digits
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            d @ ('0'..='9' | '*' | '#' | 'A'..='D') => Ok(d),
            _ => Err(Notice::DtmfInvalid {
                digit: format!("{c:?}"),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_checked_and_upper_cased() {
        assert_eq!(dtmf("0123456789*#").unwrap(), "0123456789*#");
        assert_eq!(dtmf("abcdABCD").unwrap(), "ABCDABCD");
        let err = dtmf("12e4").unwrap_err();
        assert_eq!(
            err.english(),
            "cannot send 'e' as DTMF: the digits are 0-9, *, # and A-D"
        );
        assert!(dtmf("1 2").unwrap_err().english().contains("' '"));
        assert!(dtmf("٣").is_err());
        assert_eq!(dtmf("").unwrap_err(), Notice::DtmfEmpty {});
    }

    #[test]
    fn only_a_talking_line_sends_digits() {
        assert!(line_sends_digits(1, LineState::Connected).is_ok());
        assert!(line_sends_digits(1, LineState::Conference).is_ok());
        for state in [
            LineState::Held,
            LineState::RemoteHeld,
            LineState::Ringing,
            LineState::Incoming,
            LineState::Dialing,
        ] {
            let err = line_sends_digits(2, state).unwrap_err().english();
            assert!(err.starts_with("line 2 "), "{err}");
        }
    }
}
