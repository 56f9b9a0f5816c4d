// SPDX-License-Identifier: GPL-2.0

//! Safe view of a `struct msghdr` handed to `sendmsg`/`recvmsg`.

use crate::bindings;
use crate::frag::{Frag, PagePiece};
use core::ptr::NonNull;
use kernel::ffi::c_int;
use kernel::prelude::*;

// The `MSG_*` flags, from include/linux/socket.h (`MSG_CMSG_COMPAT` is 0
// without CONFIG_COMPAT).
use bindings::{MSG_CMSG_COMPAT, MSG_SENDPAGE_NOPOLICY, MSG_SPLICE_PAGES};
pub(crate) use bindings::{
    MSG_DONTWAIT, MSG_EOR, MSG_ERRQUEUE, MSG_MORE, MSG_NOSIGNAL, MSG_PEEK, MSG_WAITALL,
};

/// The `sendmsg` flags upstream accepts on a TLS socket.
pub(crate) const TX_FLAGS: u32 = MSG_MORE
    | MSG_DONTWAIT
    | MSG_NOSIGNAL
    | MSG_CMSG_COMPAT
    | MSG_SPLICE_PAGES
    | MSG_EOR
    | MSG_SENDPAGE_NOPOLICY;

/// A message being sent or received.
///
/// # Invariants
///
/// `self.0` is the valid `msghdr` of the current `sendmsg`/`recvmsg` call.
pub(crate) struct Msg(NonNull<bindings::msghdr>);

impl Msg {
    /// Wraps the `msghdr` of a proto callback.
    ///
    /// # Safety
    ///
    /// `msg` must be valid for the duration of the callback.
    pub(crate) unsafe fn from_raw(msg: *mut bindings::msghdr) -> Option<Self> {
        // INVARIANT: guaranteed by the caller when non-null.
        NonNull::new(msg).map(Self)
    }

    /// The raw pointer, for passing the message on unchanged.
    pub(crate) fn as_ptr(&self) -> *mut bindings::msghdr {
        self.0.as_ptr()
    }

    /// `msg_flags`.
    pub(crate) fn flags(&self) -> u32 {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::tlsr_msg_flags(self.as_ptr()) }
    }

    /// The pages of the next `len` bytes of a splice (page cache pages of
    /// `sendfile`), one piece per page, each referenced, for a device
    /// record to send as they are (`TLS_TX_ZEROCOPY_RO`); the iterator
    /// advances past them. `E2BIG` if they are no such pages or span more
    /// than `max` pages (nothing taken).
    pub(crate) fn splice_pages(&mut self, len: usize, max: usize) -> Result<KVec<PagePiece>> {
        const MAX: usize = bindings::TLSR_MAX_SKB_FRAGS as usize;
        let mut pages = [core::ptr::null_mut::<bindings::page>(); MAX];
        let (mut offs, mut lens) = ([0u32; MAX], [0u32; MAX]);
        let mut out = KVec::with_capacity(max.min(MAX), GFP_KERNEL)?;
        // SAFETY: valid by the type invariant; the three arrays have room
        // for `max.min(MAX)` entries each.
        let n = unsafe {
            bindings::tlsr_msg_splice_pages(
                self.as_ptr(),
                len,
                pages.as_mut_ptr(),
                offs.as_mut_ptr(),
                lens.as_mut_ptr(),
                max.min(MAX) as u32,
            )
        };
        kernel::error::to_result(n.min(0))?;
        for i in 0..n as usize {
            // SAFETY: the helper wrote `n` entries, each page with a
            // reference that is handed over here, within its page.
            let piece = unsafe { PagePiece::from_raw(pages[i], offs[i], lens[i]) };
            // Room was reserved: this does not allocate.
            out.push(piece.ok_or(EINVAL)?, GFP_KERNEL)?;
        }
        Ok(out)
    }

    /// Whether the message carries spliced pages (`MSG_SPLICE_PAGES`).
    pub(crate) fn is_splice(&self) -> bool {
        self.flags() & MSG_SPLICE_PAGES != 0
    }

    /// Whether the message's pages can be used in place, for zero-copy
    /// sealing and opening: user memory or page vectors (splice), not
    /// kernel buffers.
    pub(crate) fn pinnable(&self) -> bool {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::tlsr_msg_pinnable(self.as_ptr()) }
    }

    /// Bytes left in the message's iterator.
    pub(crate) fn data_left(&self) -> usize {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::tlsr_msg_data_left(self.as_ptr()) }
    }

    /// Appends `len` bytes of the message to `buf` (`EFAULT` on a fault,
    /// `EMSGSIZE` if they do not fit; `buf` unchanged then).
    pub(crate) fn copy_from(&mut self, buf: &mut Frag, len: usize) -> Result {
        let dst = buf.spare();
        if dst.len() < len {
            return Err(EMSGSIZE);
        }
        // SAFETY: `dst` has room for `len` bytes; the helper fills all of
        // them or fails.
        let r =
            unsafe { bindings::tlsr_msg_copy_from(self.as_ptr(), dst.as_mut_ptr().cast(), len) };
        kernel::error::to_result(r)?;
        // SAFETY: the helper initialised `len` bytes.
        unsafe { buf.commit(len) };
        Ok(())
    }

    /// Gives back the last `len` bytes the message advanced over (they
    /// count as not written).
    pub(crate) fn revert(&mut self, len: usize) {
        // SAFETY: the message is valid for the call (type invariant).
        unsafe { bindings::tlsr_msg_revert(self.as_ptr(), len) }
    }

    /// Copies `src` into the message; returns how much fitted.
    pub(crate) fn copy_to(&mut self, src: &[u8]) -> usize {
        // SAFETY: `src` is valid for its length.
        unsafe { bindings::tlsr_msg_copy_to(self.as_ptr(), src.as_ptr().cast(), src.len()) }
    }

    /// The `TLS_SET_RECORD_TYPE` control message, if any (`EINVAL` for
    /// control data without a valid one, as upstream).
    pub(crate) fn record_type(&self) -> Result<Option<u8>> {
        let mut t = 0u8;
        // SAFETY: valid by the type invariant; `t` is a valid out pointer.
        let r: c_int = unsafe { bindings::tlsr_msg_record_type(self.as_ptr(), &mut t) };
        kernel::error::to_result(r.min(0))?;
        Ok((r > 0).then_some(t))
    }

    /// Reports a record's type with `TLS_GET_RECORD_TYPE`; `EIO` if it does
    /// not fit (upstream only fails for non-data records, see callers).
    pub(crate) fn put_record_type(&mut self, t: u8) -> Result {
        // SAFETY: valid by the type invariant.
        kernel::error::to_result(unsafe { bindings::tlsr_msg_put_record_type(self.as_ptr(), t) })
    }
}
