// SPDX-License-Identifier: GPL-2.0

//! The per-direction record log of the kernel side: `rust/logic`'s
//! [`RecordLog`] over kernel storage that grows on demand.

use crate::logic::generation::{LogError, RecordInfo, RecordLog};
use crate::sock::Sock;
use kernel::prelude::*;

/// Records a fresh log holds.
const INITIAL_SLOTS: usize = 64;
/// Most records a log holds; past that, pushes fail with `ENOMEM`.
const MAX_SLOTS: usize = 1 << 16;

/// The TX record log: every record handed to TCP, with its key generation,
/// until the peer acknowledges it.
pub(crate) struct TxLog(RecordLog<KVec<RecordInfo>>);

fn slots(n: usize) -> Result<KVec<RecordInfo>> {
    let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
    v.resize(n, RecordInfo::default(), GFP_KERNEL)?;
    Ok(v)
}

impl TxLog {
    /// An empty log.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(RecordLog::new(slots(INITIAL_SLOTS)?)))
    }

    /// Logs a sealed record of `len` bytes that enters TCP's stream after
    /// `queued` bytes not handed to TCP yet, and retires the acknowledged
    /// ones.
    pub(crate) fn log(
        &mut self,
        sk: &Sock,
        generation: u32,
        seq: u64,
        queued: usize,
        len: usize,
    ) -> Result {
        let (write_seq, una) = sk.tcp_write_seq_and_una();
        let start = write_seq.wrapping_add(queued as u32);
        self.0.retire_before(una);
        let r = RecordInfo {
            generation,
            seq,
            tcp_start: start,
            tcp_end: start.wrapping_add(len as u32),
        };
        match self.0.push(r) {
            Err(LogError::Full) if self.0.capacity() < MAX_SLOTS => {
                if self.0.grow(slots(self.0.capacity() * 2)?).is_err() {
                    return Err(ENOMEM);
                }
                self.0.push(r).map_err(|_| ENOMEM)
            }
            Err(LogError::Full) => Err(ENOMEM),
            // A rekey resets nothing in TCP order; anything else means the
            // stream was written behind our back: start over from here.
            Err(LogError::OutOfOrder) => {
                self.0.retire_before(start);
                self.0.push(r).map_err(|_| EINVAL)
            }
            Ok(()) => Ok(()),
        }
    }
}
