// SPDX-License-Identifier: GPL-2.0

//! Safe view of the `struct sock` a TLS ULP is attached to.

use crate::bindings;
use crate::frag::Piece;
use core::ffi::c_int;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use kernel::prelude::*;
use kernel::types::NotThreadSafe;

/// TCP state `TCP_ESTABLISHED` (include/net/tcp_states.h).
const TCP_ESTABLISHED: i32 = bindings::TCP_ESTABLISHED as i32;

/// A TCP socket that the caller holds a reference to.
///
/// # Invariants
///
/// `self.0` points to a valid `struct sock` for as long as this value exists.
pub(crate) struct Sock(NonNull<bindings::sock>);

impl Sock {
    /// Wraps a socket pointer handed to a `struct proto` or ULP callback.
    ///
    /// # Safety
    ///
    /// `sk` must be valid and stay valid for the lifetime of the result, as
    /// it is for the duration of a callback the kernel calls with it.
    pub(crate) unsafe fn from_raw(sk: *mut bindings::sock) -> Option<Self> {
        // INVARIANT: guaranteed by the caller when non-null.
        NonNull::new(sk).map(Self)
    }

    /// The socket of a `struct socket` passed to a `proto_ops` callback.
    ///
    /// # Safety
    ///
    /// `sock` must be a valid `struct socket` for the lifetime of the
    /// result, as it is for the duration of such a callback.
    pub(crate) unsafe fn from_socket(sock: *mut bindings::socket) -> Option<Self> {
        // SAFETY: a valid `struct socket` has a valid `sk` while in use.
        unsafe { Self::from_raw(bindings::tlsr_socket_sk(sock)) }
    }

    /// The raw pointer, for the abstraction files.
    pub(crate) fn as_ptr(&self) -> *mut bindings::sock {
        self.0.as_ptr()
    }

    /// Whether the connection is established (the only state the ULP takes).
    pub(crate) fn is_established(&self) -> bool {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_sk_state(self.as_ptr()) == TCP_ESTABLISHED }
    }

    /// The socket's current `struct proto`.
    pub(crate) fn prot(&self) -> *mut bindings::proto {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_sk_prot(self.as_ptr()) }
    }

    /// The `struct proto_ops` of the socket's `struct socket`, if any.
    pub(crate) fn socket_ops(&self) -> *const bindings::proto_ops {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_sk_socket_ops(self.as_ptr()) }
    }

    /// Installs `prot` (and `ops`, unless null) on the socket.
    ///
    /// # Safety
    ///
    /// `prot` and `ops` must outlive every use the socket makes of them.
    pub(crate) unsafe fn set_prot(
        &self,
        prot: *mut bindings::proto,
        ops: *const bindings::proto_ops,
    ) {
        // SAFETY: `self.0` is valid by the type invariant; the caller
        // guarantees the lifetime of `prot` and `ops`.
        unsafe { bindings::tlsr_sk_set_prot(self.as_ptr(), prot, ops) }
    }

    /// `tls_err_abort()`: reports a fatal record error on the socket.
    pub(crate) fn err_abort(&self, e: kernel::error::Error) {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_err_abort(self.as_ptr(), e.to_errno()) };
    }

    /// Takes the socket's pending error (`sock_error()`), clearing it.
    pub(crate) fn take_error(&self) -> kernel::error::Result {
        // SAFETY: `self.0` is valid by the type invariant.
        kernel::error::to_result(unsafe { bindings::tlsr_sock_error(self.as_ptr()) })
    }

    /// Whether the receive side is shut down or done.
    pub(crate) fn rcv_shutdown(&self) -> bool {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_rcv_shutdown(self.as_ptr()) }
    }

    /// Wakes readers and pollers (`sk_data_ready`).
    pub(crate) fn data_ready(&self) {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_data_ready(self.as_ptr()) }
    }

    /// Bytes TCP holds for the reader (`tcp_inq()`).
    pub(crate) fn tcp_inq(&self) -> usize {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_tcp_inq(self.as_ptr()) }.max(0) as usize
    }

    /// TCP's next write sequence number and oldest unacknowledged one.
    pub(crate) fn tcp_write_seq_and_una(&self) -> (u32, u32) {
        // SAFETY: `self.0` is valid by the type invariant; plain reads.
        unsafe {
            (
                bindings::tlsr_tcp_write_seq(self.as_ptr()),
                bindings::tlsr_tcp_snd_una(self.as_ptr()),
            )
        }
    }

    /// TCP's sequence number of the next byte the reader gets.
    pub(crate) fn tcp_copied_seq(&self) -> u32 {
        // SAFETY: `self.0` is valid by the type invariant; a plain read.
        unsafe { bindings::tlsr_tcp_copied_seq(self.as_ptr()) }
    }

    /// Reads raw bytes from TCP into `buf` with the `recvmsg` of the TCP
    /// proto under the ULP; `Ok(0)` at end of stream. The socket lock must
    /// not be held (TCP takes it).
    pub(crate) fn tcp_recv(&self, buf: &mut [MaybeUninit<u8>], flags: u32) -> Result<usize> {
        // SAFETY: `self.0` is valid by the type invariant; `buf` is valid
        // for writes of its length.
        let r = unsafe {
            bindings::tlsr_tcp_recv(
                self.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                flags as i32,
            )
        };
        kernel::error::to_result(r.min(0))?;
        Ok(r as usize)
    }

    /// Waits until TCP holds bytes for the reader, as a read would (the
    /// socket's receive timeout, signals, errors; `nonblock`: not at all).
    /// `Ok(false)` at end of stream. The socket lock must not be held.
    pub(crate) fn tcp_wait_data(&self, nonblock: bool) -> Result<bool> {
        // SAFETY: `self.0` is valid by the type invariant.
        let r = unsafe { bindings::tlsr_tcp_wait_data(self.as_ptr(), nonblock) };
        kernel::error::to_result(r.min(0))?;
        Ok(r > 0)
    }

    /// Reads raw bytes from TCP's receive queue into `buf` without
    /// blocking (`tcp_read_sock()`), for device RX: `runs` gets the byte
    /// ranges of `buf` that came in skbs the device decrypted. Returns the
    /// bytes read and the number of runs. The socket lock must not be held.
    pub(crate) fn tcp_read_runs(
        &self,
        buf: &mut [MaybeUninit<u8>],
        runs: &mut [bindings::tlsr_rx_run],
    ) -> Result<(usize, usize)> {
        let mut nruns = 0u32;
        // SAFETY: `self.0` is valid by the type invariant; `buf` and
        // `runs` are valid for writes of their lengths.
        let r = unsafe {
            bindings::tlsr_tcp_read_runs(
                self.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len() as u32,
                runs.as_mut_ptr(),
                runs.len() as u32,
                &mut nruns,
            )
        };
        kernel::error::to_result(r.min(0))?;
        Ok((r as usize, nruns as usize))
    }

    /// Takes the socket lock (`lock_sock()`), released when the guard drops.
    pub(crate) fn lock(&self) -> SockGuard<'_> {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_lock_sock(self.as_ptr()) };
        SockGuard {
            sk: self,
            _not_send: NotThreadSafe,
        }
    }

    /// Takes `sk_callback_lock` for writing with bottom halves off.
    pub(crate) fn callback_write_lock(&self) -> CallbackGuard<'_> {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::tlsr_callback_write_lock_bh(self.as_ptr()) };
        CallbackGuard {
            sk: self,
            _not_send: NotThreadSafe,
        }
    }
}

/// The pipe of a `splice_read` call.
///
/// # Invariants
///
/// `self.0` is a valid pipe for as long as this value exists.
pub(crate) struct Pipe(NonNull<bindings::pipe_inode_info>);

impl Pipe {
    /// Wraps the pipe of a `splice_read` callback.
    ///
    /// # Safety
    ///
    /// `pipe` must be valid for the lifetime of the result, as it is for
    /// the duration of the callback.
    pub(crate) unsafe fn from_raw(pipe: *mut bindings::pipe_inode_info) -> Option<Self> {
        // INVARIANT: guaranteed by the caller when non-null.
        NonNull::new(pipe).map(Self)
    }
}

impl Sock {
    /// Moves `data` into `pipe` as the socket's spliced bytes; returns how
    /// many went in.
    pub(crate) fn splice_to(&self, pipe: &Pipe, data: &[u8], flags: u32) -> Result<usize> {
        // SAFETY: the socket and the pipe are valid (type invariants);
        // `data` is valid for its length.
        let r = unsafe {
            bindings::tlsr_splice_bytes(
                self.as_ptr(),
                pipe.0.as_ptr(),
                data.as_ptr().cast(),
                data.len(),
                flags,
            )
        };
        kernel::error::to_result(r.min(0) as i32)?;
        Ok(r as usize)
    }
}

/// Proof that the socket lock is held.
pub(crate) struct SockGuard<'a> {
    sk: &'a Sock,
    _not_send: NotThreadSafe,
}

impl core::ops::Deref for SockGuard<'_> {
    type Target = Sock;

    fn deref(&self) -> &Sock {
        self.sk
    }
}

impl SockGuard<'_> {
    /// Makes `close()` reset the connection, as TCP does when unread data
    /// is left: unread records were pulled out of TCP's queue, where
    /// `tcp_close()` cannot see them.
    pub(crate) fn reset_on_close(&self) {
        // SAFETY: the socket is valid and locked (this guard).
        unsafe { bindings::tlsr_reset_on_close(self.sk.as_ptr()) };
    }

    /// Lifts the send buffer's limit until the returned guard drops.
    pub(crate) fn lift_sndbuf(&self) -> SndbufLifted<'_> {
        // SAFETY: the socket lock is held (this guard), which serialises
        // writers of `sk_sndbuf`.
        let old = unsafe { bindings::tlsr_sk_sndbuf_lift(self.sk.as_ptr()) };
        SndbufLifted { sk: self, old }
    }

    /// Waits until the send buffer has room for more (the socket lock is
    /// released meanwhile, as in TCP's own wait); `flags` may hold
    /// `MSG_DONTWAIT` (`EAGAIN` at once) and `MSG_NOSIGNAL`.
    pub(crate) fn wait_sndbuf(&self, flags: u32) -> Result {
        // SAFETY: the socket is valid and locked (this guard); process
        // context, which may sleep.
        kernel::error::to_result(unsafe {
            bindings::tlsr_sk_stream_wait_sndbuf(self.sk.as_ptr(), flags as c_int)
        })
    }

    /// `tcp_write_collapse_fence()`: nothing sent from now on joins the
    /// last skb of TCP's write queue.
    pub(crate) fn tcp_write_collapse_fence(&self) {
        // SAFETY: the socket lock is held (this guard).
        unsafe { bindings::tlsr_tcp_write_collapse_fence(self.sk.as_ptr()) };
    }

    /// Hands the bytes of `piece` from `from` on to TCP by page reference
    /// (`MSG_SPLICE_PAGES`); returns how many TCP took, `EAGAIN` if none.
    pub(crate) fn tcp_send_piece(&self, piece: &Piece, from: usize, flags: u32) -> Result<usize> {
        let from = from.min(piece.len());
        let len = piece.len() - from;
        let r = match piece {
            // SAFETY: the socket lock is held (this guard); the bytes are
            // initialised page-frag memory, which TCP references, not frees.
            Piece::Buf(frag) => unsafe {
                bindings::tlsr_tcp_send_frag(
                    self.sk.as_ptr(),
                    frag.as_ptr().add(from).cast(),
                    len,
                    flags as i32,
                )
            },
            Piece::Page(p) => {
                let (page, off, _) = p.parts();
                // SAFETY: the socket lock is held (this guard); the piece
                // holds a reference to the page, which TCP references too.
                unsafe {
                    bindings::tlsr_tcp_send_page(
                        self.sk.as_ptr(),
                        page,
                        off + from as u32,
                        len as u32,
                        flags as i32,
                    )
                }
            }
        };
        kernel::error::to_result(r.min(0))?;
        if r == 0 && len > 0 {
            return Err(EAGAIN);
        }
        Ok(r as usize)
    }
}

impl Drop for SockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: the lock was taken in `Sock::lock` and is released once.
        unsafe { bindings::release_sock(self.sk.as_ptr()) };
    }
}

/// The send buffer's limit lifted ([`SockGuard::lift_sndbuf`]); restored
/// on drop.
pub(crate) struct SndbufLifted<'a> {
    sk: &'a SockGuard<'a>,
    old: c_int,
}

impl Drop for SndbufLifted<'_> {
    fn drop(&mut self) {
        // SAFETY: the socket lock is still held (the borrowed guard).
        unsafe { bindings::tlsr_sk_sndbuf_restore(self.sk.sk.as_ptr(), self.old) };
    }
}

/// Proof that `sk_callback_lock` is write-held.
pub(crate) struct CallbackGuard<'a> {
    sk: &'a Sock,
    _not_send: NotThreadSafe,
}

impl Drop for CallbackGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: the lock was taken in `Sock::callback_write_lock`.
        unsafe { bindings::tlsr_callback_write_unlock_bh(self.sk.as_ptr()) };
    }
}
