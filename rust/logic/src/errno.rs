// SPDX-License-Identifier: GPL-2.0

//! The errors of the TLS ULP, named here so that the kernel-independent
//! logic can return them; the module maps them to the kernel's own errno
//! numbers (`rust/logic.rs`), which differ between architectures.

/// An error of the TLS ULP, mapped 1:1 to a kernel errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    /// `EFAULT`: bad user address.
    Fault,
    /// `EBUSY`: the direction is already configured and cannot be changed.
    Busy,
    /// `EINVAL`: malformed or inconsistent argument.
    Inval,
    /// `ENOPROTOOPT`: unknown option.
    NoProtoOpt,
    /// `EOPNOTSUPP`: operation not supported in this state.
    OpNotSupp,
    /// `ENOTCONN`: the socket is not connected.
    NotConn,
    /// `EMSGSIZE`: a record longer than the protocol allows.
    MsgSize,
    /// `EBADMSG`: a record that fails authentication or is malformed.
    BadMsg,
    /// `EKEYEXPIRED`: a KeyUpdate was received; the next RX key is due.
    KeyExpired,
    /// `EIO`: a control record without room for its type.
    Io,
    /// `EPROTO`: the peer broke the protocol (a malformed KeyUpdate under
    /// the kernel's key schedule).
    Proto,
}
