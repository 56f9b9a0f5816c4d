// SPDX-License-Identifier: GPL-2.0

//! TCP's receive queue under the socket lock, for records read where TCP
//! keeps them (`rust/rx_queue.c`).

use crate::bindings;
use crate::sock::SockGuard;
use kernel::ffi::c_long;
use kernel::prelude::*;

/// How long a read waits (`sock_rcvtimeo()`), counted down by
/// [`SockGuard::tcp_wait_inq`].
pub(crate) struct Timeout(c_long);

impl SockGuard<'_> {
    /// The socket's receive timeout for one read (none if `nonblock`).
    pub(crate) fn rcvtimeo(&self, nonblock: bool) -> Timeout {
        // SAFETY: the socket is valid and locked (this guard).
        Timeout(unsafe { bindings::tlsr_tcp_rcvtimeo(self.as_ptr(), nonblock) })
    }

    /// Waits until TCP holds `need` bytes for the reader, as a read
    /// waits: `Ok(false)` if they will not come that way (end of stream,
    /// an error, TCP cannot queue them all), `EAGAIN` when `timeo` runs out.
    pub(crate) fn tcp_wait_inq(&self, need: usize, timeo: &mut Timeout) -> Result<bool> {
        let need = u32::try_from(need).map_err(|_| EINVAL)?;
        // SAFETY: the socket is valid and locked (this guard); `timeo` is
        // valid for writes.
        let r = unsafe { bindings::tlsr_tcp_wait_inq(self.as_ptr(), need, &mut timeo.0) };
        kernel::error::to_result(r.min(0))?;
        Ok(r > 0)
    }

    /// Copies the bytes `off..off + buf.len()` past what the reader was
    /// given out of TCP's queue, which keeps them; `ENODATA` if it holds
    /// fewer.
    pub(crate) fn tcp_peek(&self, off: usize, buf: &mut [u8]) -> Result {
        let off = u32::try_from(off).map_err(|_| EINVAL)?;
        // SAFETY: the socket is valid and locked (this guard); `buf` is
        // valid for writes of its length.
        kernel::error::to_result(unsafe {
            bindings::tlsr_tcp_peek(
                self.as_ptr(),
                off,
                buf.as_mut_ptr().cast(),
                buf.len() as u32,
            )
        })
    }

    /// The reader is done with the next `len` bytes: TCP frees them and
    /// may open its window (`tcp_read_done()`).
    pub(crate) fn tcp_read_done(&self, len: usize) {
        // SAFETY: the socket is valid and locked (this guard).
        unsafe { bindings::tcp_read_done(self.as_ptr(), len) };
    }
}
