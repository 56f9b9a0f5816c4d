// SPDX-License-Identifier: GPL-2.0

//! Software data path.
//!
//! Record sealing and opening are not implemented yet: a direction with a
//! key installed fails every data call with `EOPNOTSUPP` rather than let
//! plaintext out or ciphertext in.

use crate::bindings;
use crate::logic::errno::Errno;
use kernel::ffi::{c_int, c_uint};

/// `proto.sendmsg` of a TX-configured socket.
///
/// # Safety
///
/// Called by the socket layer; the arguments are not used.
pub(crate) unsafe extern "C" fn sendmsg(
    _sk: *mut bindings::sock,
    _msg: *mut bindings::msghdr,
    _len: usize,
) -> c_int {
    -Errno::OpNotSupp.to_errno()
}

/// `proto.recvmsg` of an RX-configured socket.
///
/// # Safety
///
/// Called by the socket layer; the arguments are not used.
pub(crate) unsafe extern "C" fn recvmsg(
    _sk: *mut bindings::sock,
    _msg: *mut bindings::msghdr,
    _len: usize,
    _flags: c_int,
) -> c_int {
    -Errno::OpNotSupp.to_errno()
}

/// `proto_ops.splice_read` of an RX-configured socket.
///
/// # Safety
///
/// Called by the socket layer; the arguments are not used.
pub(crate) unsafe extern "C" fn splice_read(
    _sock: *mut bindings::socket,
    _ppos: *mut bindings::loff_t,
    _pipe: *mut bindings::pipe_inode_info,
    _len: usize,
    _flags: c_uint,
) -> isize {
    -(Errno::OpNotSupp.to_errno() as isize)
}
