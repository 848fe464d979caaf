//! RTP sockets for calls: one even port (RTP) and the next one (RTCP) from the configured range,
//! bound before the SDP that advertises them is written.

use std::net::{IpAddr, SocketAddr, UdpSocket};

use crate::core::phone::{CallId, Input};

/// Finds RTP/RTCP port pairs in the configured range.
pub struct MediaPorts {
    ip: IpAddr,
    range: [u16; 2],
    /// Where the next search starts, so ports are not reused at once (late packets of an old
    /// call must not reach a new one).
    cursor: u16,
}

impl MediaPorts {
    /// Ports from `range` (inclusive) on `ip`.
    pub fn new(ip: IpAddr, range: [u16; 2]) -> MediaPorts {
        let first = range[0] + range[0] % 2;
        MediaPorts {
            ip,
            range,
            cursor: first,
        }
    }

    /// Binds a pair for `call`: the phone's answer, and the sockets for the media thread.
    pub fn open(&mut self, call: CallId) -> (Input, Option<(UdpSocket, UdpSocket)>) {
        match self.bind_pair() {
            Some((port, rtp, rtcp)) => (Input::MediaReady { call, port }, Some((rtp, rtcp))),
            None => (
                Input::MediaFailed {
                    call,
                    reason: format!(
                        "every RTP port from {} to {} is in use",
                        self.range[0], self.range[1]
                    ),
                },
                None,
            ),
        }
    }

    /// Finds a free even port whose successor is free too.
    fn bind_pair(&mut self) -> Option<(u16, UdpSocket, UdpSocket)> {
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
                return Some((port, rtp, rtcp));
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
        let (Input::MediaReady { port, .. }, Some(sockets)) = ports.open(CallId(1)) else {
            panic!("expected a port")
        };
        assert_eq!(port, taken + 2);
        assert!(matches!(
            ports.open(CallId(2)),
            (Input::MediaFailed { .. }, None)
        ));
        drop(sockets);
        assert!(matches!(
            ports.open(CallId(3)),
            (Input::MediaReady { .. }, Some(_))
        ));
    }
}
