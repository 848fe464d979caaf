//! Reading a call's RTP and RTCP once per 20 ms tick instead of waking for every packet, with
//! the time each datagram really arrived: the jitter buffer and the jitter figure need arrival
//! times, not the tick's. On Linux the kernel stamps each datagram as it is received
//! (`SO_TIMESTAMPNS`); elsewhere the time of reading stands in for it, at most a tick late.
//!
//! An Opus call then wakes the media thread about 50 times a second instead of 100, and a
//! conference host 50 instead of 150: each wakeup is two task switches in the kernel.

use std::io;
use std::net::UdpSocket;
use std::time::{Duration, Instant, SystemTime};

/// The largest RTP or RTCP datagram read; a longer one is dropped.
pub const MAX_PACKET: usize = 2048;
/// At most this many datagrams are read from one socket per tick, so a flood cannot hold the
/// media thread (a call sends about one per tick).
const MAX_PER_TICK: usize = 64;

/// Asks the system to stamp each datagram with its arrival time. Where that is not supported,
/// the time of reading is used.
pub fn stamp_arrivals(socket: &UdpSocket) {
    if let Err(e) = imp::stamp_arrivals(socket) {
        tracing::debug!("media datagrams are timed when read, not when received: {e}");
    }
}

/// The two clocks read together once per tick: kernel stamps are wall-clock times, the jitter
/// buffer counts in `Instant`s.
#[derive(Clone, Copy)]
pub struct Now {
    instant: Instant,
    wall: SystemTime,
}

impl Now {
    /// The clocks at this moment.
    pub fn read() -> Now {
        Now {
            instant: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// The `Instant` of a wall-clock stamp; `now` for none, or for one the wall clock has
    /// since stepped over.
    fn instant_of(self, stamp: Option<SystemTime>) -> Instant {
        let ago = stamp.and_then(|s| self.wall.duration_since(s).ok());
        ago.and_then(|ago| self.instant.checked_sub(ago.min(Duration::from_secs(1))))
            .unwrap_or(self.instant)
    }
}

/// Reads the datagrams waiting on `socket` and hands each to `each` with its arrival time.
pub fn drain(socket: &UdpSocket, buf: &mut [u8], now: Now, mut each: impl FnMut(&[u8], Instant)) {
    for _ in 0..MAX_PER_TICK {
        match imp::read(socket, buf) {
            Ok(Some((len, stamp))) => each(&buf[..len], now.instant_of(stamp)),
            // A datagram longer than the buffer: not RTP we sent for.
            Ok(None) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            // ICMP errors for earlier sends surface on reads; the call goes on.
            Err(e) => {
                tracing::debug!("media socket: {e}");
                return;
            }
        }
    }
}

/// Throws away what is waiting on `socket`: datagrams from before a call's media started.
pub fn discard(socket: &UdpSocket, buf: &mut [u8]) {
    drain(socket, buf, Now::read(), |_, _| {});
}

#[cfg(target_os = "linux")]
mod imp {
    use std::io;
    use std::mem::{size_of, zeroed};
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub fn stamp_arrivals(socket: &UdpSocket) -> io::Result<()> {
        crate::engine::socket_option::enable(socket, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS)
    }

    /// One datagram without waiting: its length and kernel stamp, `None` if it was truncated.
    pub fn read(
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<Option<(usize, Option<SystemTime>)>> {
        // Room for one timespec control message, aligned as cmsghdr needs.
        let mut control = [0u64; 8];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: all-zero is a valid value for this plain C struct.
        let mut header: libc::msghdr = unsafe { zeroed() };
        header.msg_iov = &mut iov;
        header.msg_iovlen = 1;
        header.msg_control = control.as_mut_ptr().cast();
        header.msg_controllen = size_of::<[u64; 8]>();
        // SAFETY: every pointer in `header` points at a live buffer of the length it states.
        let read = unsafe { libc::recvmsg(socket.as_raw_fd(), &mut header, libc::MSG_DONTWAIT) };
        if read < 0 {
            return Err(io::Error::last_os_error());
        }
        if header.msg_flags & libc::MSG_TRUNC != 0 {
            return Ok(None);
        }
        Ok(Some((read as usize, stamp(&header))))
    }

    /// The `SCM_TIMESTAMPNS` control message of a received datagram, if there is one.
    fn stamp(header: &libc::msghdr) -> Option<SystemTime> {
        // SAFETY: `header` was filled by recvmsg; the CMSG macros walk its control buffer
        // within `msg_controllen`, and the data of a timestamp message is one timespec.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(header);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET
                    && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS
                {
                    let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast());
                    let since_epoch = Duration::new(
                        u64::try_from(ts.tv_sec).ok()?,
                        u32::try_from(ts.tv_nsec).ok()?,
                    );
                    return UNIX_EPOCH.checked_add(since_epoch);
                }
                cmsg = libc::CMSG_NXTHDR(header, cmsg);
            }
        }
        None
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::io;
    use std::net::UdpSocket;
    use std::time::SystemTime;

    pub fn stamp_arrivals(_socket: &UdpSocket) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no kernel timestamps here",
        ))
    }

    pub fn read(
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<Option<(usize, Option<SystemTime>)>> {
        // Truncated datagrams cannot be told apart here; RTP longer than the buffer fails to
        // parse further on.
        socket.recv_from(buf).map(|(len, _)| Some((len, None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (UdpSocket, UdpSocket) {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        receiver.set_nonblocking(true).unwrap();
        stamp_arrivals(&receiver);
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.connect(receiver.local_addr().unwrap()).unwrap();
        (receiver, sender)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn each_waiting_datagram_is_read_with_the_time_it_arrived() {
        let (receiver, sender) = pair();
        // Linux turns receive timestamps on for the whole system a moment after the first
        // socket asks: a datagram in that moment is stamped when read, so warm up first.
        sender.send(b"warm-up").unwrap();
        std::thread::sleep(Duration::from_millis(10));
        discard(&receiver, &mut [0; MAX_PACKET]);
        let sent_at = Instant::now();
        sender.send(b"first").unwrap();
        std::thread::sleep(Duration::from_millis(30));
        sender.send(b"second").unwrap();
        std::thread::sleep(Duration::from_millis(30));

        let mut got = Vec::new();
        let now = Now::read();
        drain(&receiver, &mut [0; MAX_PACKET], now, |data, at| {
            got.push((data.to_vec(), at))
        });
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, b"first");
        assert_eq!(got[1].0, b"second");
        // Stamped on arrival, not when read 60 ms later (the wall clock may be coarser or
        // stepped, so allow some slack; reading time would give both the same instant).
        assert!(got[0].1 < got[1].1, "arrival order and spacing are kept");
        let gap = got[1].1 - got[0].1;
        assert!(gap >= Duration::from_millis(20), "{gap:?}");
        assert!(got[0].1 >= sent_at - Duration::from_millis(5));
        assert!(got[1].1 <= now.instant);
    }

    #[test]
    fn nothing_waiting_reads_nothing_and_discard_empties_the_socket() {
        let (receiver, sender) = pair();
        let mut buf = [0; MAX_PACKET];
        let mut count = 0;
        drain(&receiver, &mut buf, Now::read(), |_, _| count += 1);
        assert_eq!(count, 0);
        sender.send(b"stale").unwrap();
        std::thread::sleep(Duration::from_millis(5));
        discard(&receiver, &mut buf);
        drain(&receiver, &mut buf, Now::read(), |_, _| count += 1);
        assert_eq!(count, 0);
    }

    #[test]
    fn a_flood_is_read_a_tick_at_a_time() {
        let (receiver, sender) = pair();
        for _ in 0..MAX_PER_TICK + 10 {
            sender.send(b"x").unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
        let mut buf = [0; MAX_PACKET];
        let mut count = 0;
        drain(&receiver, &mut buf, Now::read(), |_, _| count += 1);
        assert_eq!(count, MAX_PER_TICK);
        drain(&receiver, &mut buf, Now::read(), |_, _| count += 1);
        assert_eq!(count, MAX_PER_TICK + 10);
    }

    #[test]
    fn a_stamp_from_before_a_clock_step_counts_as_now() {
        let now = Now::read();
        assert_eq!(now.instant_of(None), now.instant);
        assert_eq!(
            now.instant_of(Some(now.wall + Duration::from_secs(5))),
            now.instant
        );
        let earlier = now.instant_of(Some(now.wall - Duration::from_millis(15)));
        assert_eq!(now.instant - earlier, Duration::from_millis(15));
    }
}
