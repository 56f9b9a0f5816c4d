// SPDX-License-Identifier: GPL-2.0

//! The kernel-independent logic, compiled from the host crate's own files
//! (`rust/logic`, tested there with `cargo test`). Their items are `pub`
//! for the host crate, hence `unreachable_pub` is allowed here.

#[allow(unreachable_pub)]
#[path = "logic/src/cipher.rs"]
pub(crate) mod cipher;
#[allow(unreachable_pub)]
#[path = "logic/src/errno.rs"]
pub(crate) mod errno;
// The lookups by TCP sequence number serve the offload fallback (next
// issue); until then only the host tests call them.
#[allow(unreachable_pub, dead_code)]
#[path = "logic/src/generation.rs"]
pub(crate) mod generation;
#[allow(unreachable_pub)]
#[path = "logic/src/key_schedule.rs"]
pub(crate) mod key_schedule;
#[allow(unreachable_pub)]
#[path = "logic/src/key_update.rs"]
pub(crate) mod key_update;
#[allow(unreachable_pub)]
#[path = "logic/src/record.rs"]
pub(crate) mod record;
#[allow(unreachable_pub)]
#[path = "logic/src/resync.rs"]
pub(crate) mod resync;
#[allow(unreachable_pub)]
#[path = "logic/src/runs.rs"]
pub(crate) mod runs;
#[allow(unreachable_pub)]
#[path = "logic/src/seq.rs"]
pub(crate) mod seq;
#[allow(unreachable_pub)]
#[path = "logic/src/slots.rs"]
pub(crate) mod slots;

impl errno::Errno {
    /// The positive errno number, from the kernel's own headers (some,
    /// such as `EKEYEXPIRED`, differ between architectures).
    pub(crate) const fn to_errno(self) -> i32 {
        use errno::Errno;
        use kernel::bindings as b;
        (match self {
            Errno::Fault => b::EFAULT,
            Errno::Busy => b::EBUSY,
            Errno::Inval => b::EINVAL,
            Errno::NoProtoOpt => b::ENOPROTOOPT,
            Errno::OpNotSupp => b::EOPNOTSUPP,
            Errno::NotConn => b::ENOTCONN,
            Errno::MsgSize => b::EMSGSIZE,
            Errno::BadMsg => b::EBADMSG,
            Errno::KeyExpired => b::EKEYEXPIRED,
            Errno::Io => b::EIO,
            Errno::Proto => b::EPROTO,
        }) as i32
    }
}

impl From<errno::Errno> for kernel::error::Error {
    fn from(e: errno::Errno) -> Self {
        kernel::error::Error::from_errno(-e.to_errno())
    }
}
