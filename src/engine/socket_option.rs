//! Turning on a socket option that neither std nor tokio has a method for.

use std::io;
use std::mem::size_of;
use std::os::fd::AsRawFd;

/// Sets the integer option `option` at `level` to 1 on `socket`.
pub fn enable(socket: &impl AsRawFd, level: libc::c_int, option: libc::c_int) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: a valid socket descriptor and a pointer to an int of the size given.
    let result = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            option,
            (&on as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
