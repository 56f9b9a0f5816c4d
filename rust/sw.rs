// SPDX-License-Identifier: GPL-2.0

//! The software data path's `struct proto`/`proto_ops` callbacks; the
//! work is done in `sw_tx.rs` and `sw_rx.rs`.

use crate::bindings;
use crate::context::Context;
use crate::logic::errno::Errno;
use crate::msg::{Msg, MSG_ERRQUEUE, TX_FLAGS};
use crate::sock::{Pipe, Sock};
use crate::sw_tx::with_locked_tx;
use kernel::ffi::{c_int, c_uint};

/// `EPOLLIN | EPOLLRDNORM`.
const EPOLLIN_RDNORM: c_uint = 0x1 | 0x40;

/// The socket, its context and the message of a data callback.
///
/// # Safety
///
/// `sk` and `msg` must be the arguments of a proto callback.
unsafe fn args(
    sk: *mut bindings::sock,
    msg: *mut bindings::msghdr,
) -> Option<(Sock, Context, Msg)> {
    // SAFETY: guaranteed by the caller.
    let s = unsafe { Sock::from_raw(sk) }?;
    let ctx = Context::get(&s)?;
    // SAFETY: guaranteed by the caller.
    let m = unsafe { Msg::from_raw(msg) }?;
    Some((s, ctx, m))
}

/// `proto.sendmsg` of a TX-configured socket.
///
/// # Safety
///
/// Called by the socket layer with a valid socket and message.
pub(crate) unsafe extern "C" fn sendmsg(
    sk: *mut bindings::sock,
    msg: *mut bindings::msghdr,
    _len: usize,
) -> c_int {
    // SAFETY: guaranteed by the caller.
    let Some((s, ctx, mut m)) = (unsafe { args(sk, msg) }) else {
        return -Errno::Inval.to_errno();
    };
    if m.flags() & !TX_FLAGS != 0 {
        return -Errno::OpNotSupp.to_errno();
    }
    let max = usize::from(ctx.tx_max_payload_len());
    let zerocopy_ro = ctx.zerocopy_sendfile();
    match with_locked_tx(&s, &ctx, |tx, sk| tx.sendmsg(sk, &mut m, max, zerocopy_ro)) {
        Ok(n) => n as c_int,
        Err(e) => e.to_errno(),
    }
}

/// `proto.splice_eof`: push the open record when a splice ends.
///
/// # Safety
///
/// Called by the socket layer with a valid socket.
pub(crate) unsafe extern "C" fn splice_eof(sock: *mut bindings::socket) {
    // SAFETY: guaranteed by the caller.
    let Some(s) = (unsafe { Sock::from_socket(sock) }) else {
        return;
    };
    let Some(ctx) = Context::get(&s) else {
        return;
    };
    // Errors surface on the next send, as upstream.
    let _ = with_locked_tx(&s, &ctx, |tx, sk| tx.push_all(sk, 0));
}

/// `proto.recvmsg` of an RX-configured socket.
///
/// # Safety
///
/// Called by the socket layer with a valid socket and message.
pub(crate) unsafe extern "C" fn recvmsg(
    sk: *mut bindings::sock,
    msg: *mut bindings::msghdr,
    len: usize,
    flags: c_int,
) -> c_int {
    // SAFETY: guaranteed by the caller.
    let Some((s, ctx, mut m)) = (unsafe { args(sk, msg) }) else {
        return -Errno::Inval.to_errno();
    };
    if flags as u32 & MSG_ERRQUEUE != 0 {
        let tcp = ctx.sk_proto();
        // SAFETY: TCP's own recvmsg, with the caller's arguments.
        return match unsafe { (*tcp).recvmsg } {
            // SAFETY: as above.
            Some(f) => unsafe { f(sk, msg, len, flags) },
            None => -Errno::OpNotSupp.to_errno(),
        };
    }
    let Some(rx) = ctx.rx() else {
        return -Errno::Inval.to_errno();
    };
    let mut g = rx.lock();
    match g.recvmsg(&s, &mut m, len, flags as u32) {
        Ok(n) => n as c_int,
        Err(e) => e.to_errno(),
    }
}

/// `proto_ops.poll` of an RX-configured socket: readable only when a whole
/// record is, and not while a KeyUpdate waits for the next key.
///
/// # Safety
///
/// Called by the socket layer with valid arguments.
pub(crate) unsafe extern "C" fn poll(
    file: *mut bindings::file,
    sock: *mut bindings::socket,
    wait: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: the arguments come from the socket layer.
    let mut mask = unsafe { bindings::tcp_poll(file, sock, wait) };
    // SAFETY: guaranteed by the caller.
    let Some(s) = (unsafe { Sock::from_socket(sock) }) else {
        return mask;
    };
    if !s.is_established() || s.rcv_shutdown() {
        return mask;
    }
    let Some(ctx) = Context::get(&s) else {
        return mask;
    };
    let Some(rx) = ctx.rx() else {
        return mask;
    };
    let readable = match rx.try_lock() {
        Some(mut g) => g.readable(&s),
        // Another task reads or rekeys: TCP's view, but never readable
        // while a KeyUpdate waits for the next key.
        None => mask & EPOLLIN_RDNORM != 0 && !rx.key_update_pending(),
    };
    if readable {
        mask |= EPOLLIN_RDNORM;
    } else {
        mask &= !EPOLLIN_RDNORM;
    }
    mask
}

/// `proto_ops.splice_read` of an RX-configured socket: at most one data
/// record per call, as upstream.
///
/// # Safety
///
/// Called by the socket layer with valid arguments.
pub(crate) unsafe extern "C" fn splice_read(
    sock: *mut bindings::socket,
    _ppos: *mut bindings::loff_t,
    pipe: *mut bindings::pipe_inode_info,
    len: usize,
    flags: c_uint,
) -> isize {
    // SAFETY: guaranteed by the caller.
    let Some(s) = (unsafe { Sock::from_socket(sock) }) else {
        return -(Errno::Inval.to_errno() as isize);
    };
    let Some(ctx) = Context::get(&s) else {
        return -(Errno::Inval.to_errno() as isize);
    };
    let Some(rx) = ctx.rx() else {
        return -(Errno::Inval.to_errno() as isize);
    };
    // SAFETY: `pipe` is the splice's pipe, valid for the call.
    let Some(pipe) = (unsafe { Pipe::from_raw(pipe) }) else {
        return -(Errno::Inval.to_errno() as isize);
    };
    let mut g = rx.lock();
    match g.splice(&s, &pipe, len, flags) {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// `proto_ops.read_sock` of an RX-configured socket: in-kernel readers
/// would get ciphertext from TCP's, so they get `EOPNOTSUPP` until records
/// can be handed to them.
///
/// # Safety
///
/// Called by in-kernel socket users; the arguments are not used.
pub(crate) unsafe extern "C" fn read_sock(
    _sk: *mut bindings::sock,
    _desc: *mut bindings::read_descriptor_t,
    _actor: bindings::sk_read_actor_t,
) -> c_int {
    -Errno::OpNotSupp.to_errno()
}
