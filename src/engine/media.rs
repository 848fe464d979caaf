//! RTP sockets for calls: one even port (RTP) and the next one (RTCP) from the configured range,
//! bound before the SDP that advertises them is written.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use crate::core::phone::{CallId, Input, MediaCommand};

/// The RTP/RTCP socket pair of one call.
struct CallSockets {
    _rtp: UdpSocket,
    _rtcp: UdpSocket,
}

/// Binds and releases the media sockets the phone asks for.
pub struct MediaPorts {
    ip: IpAddr,
    range: [u16; 2],
    /// Where the next search starts, so ports are not reused at once (late packets of an old
    /// call must not reach a new one).
    cursor: u16,
    calls: HashMap<CallId, CallSockets>,
}

impl MediaPorts {
    /// Ports from `range` (inclusive) on `ip`.
    pub fn new(ip: IpAddr, range: [u16; 2]) -> MediaPorts {
        let first = range[0] + range[0] % 2;
        MediaPorts {
            ip,
            range,
            cursor: first,
            calls: HashMap::new(),
        }
    }

    /// Carries out a media command; `Open` answers with the phone's next input.
    pub fn apply(&mut self, command: MediaCommand) -> Option<Input> {
        match command {
            MediaCommand::Open { call } => Some(match self.bind_pair() {
                Some((port, sockets)) => {
                    self.calls.insert(call, sockets);
                    Input::MediaReady { call, port }
                }
                None => Input::MediaFailed {
                    call,
                    reason: format!(
                        "every RTP port from {} to {} is in use",
                        self.range[0], self.range[1]
                    ),
                },
            }),
            MediaCommand::Start { call, stream, .. } => {
                tracing::debug!("call {call:?}: media {stream:?}");
                None
            }
            MediaCommand::Dtmf { call, digits } => {
                tracing::debug!("call {call:?}: digits {digits}");
                None
            }
            MediaCommand::Close { call } => {
                self.calls.remove(&call);
                None
            }
        }
    }

    /// Finds a free even port whose successor is free too.
    fn bind_pair(&mut self) -> Option<(u16, CallSockets)> {
        let first = self.range[0] + self.range[0] % 2;
        let last = self.range[1].saturating_sub(1);
        if first > last {
            return None;
        }
        let slots = (last - first) / 2 + 1;
        for _ in 0..slots {
            let port = self.cursor;
            self.cursor = if port + 2 > last { first } else { port + 2 };
            let rtp = UdpSocket::bind(SocketAddr::new(self.ip, port));
            let rtcp = UdpSocket::bind(SocketAddr::new(self.ip, port + 1));
            if let (Ok(rtp), Ok(rtcp)) = (rtp, rtcp) {
                return Some((
                    port,
                    CallSockets {
                        _rtp: rtp,
                        _rtcp: rtcp,
                    },
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn skips_ports_in_use_and_reports_exhaustion() {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let blocker = UdpSocket::bind((ip, 0)).unwrap();
        let taken = blocker.local_addr().unwrap().port() & !1;
        let _hold = UdpSocket::bind((ip, taken));
        let mut ports = MediaPorts::new(ip, [taken, taken + 3]);
        let Some(Input::MediaReady { port, .. }) =
            ports.apply(MediaCommand::Open { call: CallId(1) })
        else {
            panic!("expected a port")
        };
        assert_eq!(port, taken + 2);
        assert!(matches!(
            ports.apply(MediaCommand::Open { call: CallId(2) }),
            Some(Input::MediaFailed { .. })
        ));
        ports.apply(MediaCommand::Close { call: CallId(1) });
        assert!(matches!(
            ports.apply(MediaCommand::Open { call: CallId(3) }),
            Some(Input::MediaReady { .. })
        ));
    }
}
