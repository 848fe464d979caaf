//! Which destinations the network says are unreachable. A UDP socket that is not connected hears
//! nothing of the ICMP errors its datagrams cause, unless `IP_RECVERR` asks Linux to queue them;
//! each queued error then names the address the failed datagram was sent to. That turns "the
//! primary proxy's port is closed" from 32 seconds of retransmissions into an answer at once.

use std::net::SocketAddr;

use tokio::net::UdpSocket;

/// Asks the system to report ICMP errors on `socket`. Where that is not supported, nothing
/// changes: silence is then detected by the transaction timers, as before.
pub fn report_errors(socket: &UdpSocket) {
    if let Err(e) = imp::report_errors(socket) {
        tracing::debug!("ICMP errors will not be reported: {e}");
    }
}

/// The destinations of datagrams that came back as ICMP errors since the last call.
pub fn take(socket: &UdpSocket) -> Vec<SocketAddr> {
    imp::take(socket)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::io;
    use std::mem::{size_of, zeroed};
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
    use std::os::fd::AsRawFd;

    use tokio::net::UdpSocket;

    /// At most this many errors are read per call, so a flood cannot hold the loop.
    const MAX_ERRORS: usize = 64;

    pub fn report_errors(socket: &UdpSocket) -> io::Result<()> {
        let (level, option) = match socket.local_addr()? {
            SocketAddr::V4(_) => (libc::IPPROTO_IP, libc::IP_RECVERR),
            SocketAddr::V6(_) => (libc::IPPROTO_IPV6, libc::IPV6_RECVERR),
        };
        crate::engine::socket_option::enable(socket, level, option)
    }

    pub fn take(socket: &UdpSocket) -> Vec<SocketAddr> {
        let mut found = Vec::new();
        while found.len() < MAX_ERRORS {
            match read_one(socket) {
                Some(Some(dest)) => found.push(dest),
                Some(None) => {}
                None => break,
            }
        }
        found
    }

    /// Reads one queued error: `None` when the queue is empty, `Some(None)` for an error whose
    /// address cannot be read.
    fn read_one(socket: &UdpSocket) -> Option<Option<SocketAddr>> {
        // SAFETY: all-zero is a valid value for these plain C structs.
        let mut name: libc::sockaddr_storage = unsafe { zeroed() };
        let mut data = [0u8; 512];
        let mut control = [0u8; 512];
        let mut iov = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        // SAFETY: as above.
        let mut header: libc::msghdr = unsafe { zeroed() };
        header.msg_name = (&mut name as *mut libc::sockaddr_storage).cast();
        header.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        header.msg_iov = &mut iov;
        header.msg_iovlen = 1;
        header.msg_control = control.as_mut_ptr().cast();
        header.msg_controllen = control.len();
        // SAFETY: every pointer in `header` points at a live buffer of the length it states.
        let read = unsafe {
            libc::recvmsg(
                socket.as_raw_fd(),
                &mut header,
                libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT,
            )
        };
        if read < 0 {
            return None;
        }
        Some(address(&name, header.msg_namelen))
    }

    /// The destination address the kernel put in `msg_name` for a queued error.
    fn address(name: &libc::sockaddr_storage, len: libc::socklen_t) -> Option<SocketAddr> {
        match i32::from(name.ss_family) {
            libc::AF_INET if len as usize >= size_of::<libc::sockaddr_in>() => {
                // SAFETY: the family says the storage holds a sockaddr_in, and it is long enough.
                let v4 = unsafe {
                    &*(name as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>()
                };
                let ip = Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
                Some(SocketAddr::V4(SocketAddrV4::new(
                    ip,
                    u16::from_be(v4.sin_port),
                )))
            }
            libc::AF_INET6 if len as usize >= size_of::<libc::sockaddr_in6>() => {
                // SAFETY: as above, for sockaddr_in6.
                let v6 = unsafe {
                    &*(name as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
                };
                let ip = Ipv6Addr::from(v6.sin6_addr.s6_addr);
                Some(SocketAddr::V6(SocketAddrV6::new(
                    ip,
                    u16::from_be(v6.sin6_port),
                    v6.sin6_flowinfo,
                    v6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::io;
    use std::net::SocketAddr;

    use tokio::net::UdpSocket;

    pub fn report_errors(_: &UdpSocket) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "ICMP error queues are a Linux feature",
        ))
    }

    pub fn take(_: &UdpSocket) -> Vec<SocketAddr> {
        Vec::new()
    }
}
