// SPDX-License-Identifier: GPL-2.0

//! The errno values the module returns that the kernel crate does not name.

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
}

impl Errno {
    /// The positive errno number (asm-generic/errno*.h).
    pub const fn to_errno(self) -> i32 {
        match self {
            Errno::Fault => 14,
            Errno::Busy => 16,
            Errno::Inval => 22,
            Errno::NoProtoOpt => 92,
            Errno::OpNotSupp => 95,
            Errno::NotConn => 107,
            Errno::MsgSize => 90,
            Errno::BadMsg => 74,
            Errno::KeyExpired => 127,
            Errno::Io => 5,
        }
    }
}
