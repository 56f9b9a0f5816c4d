// SPDX-License-Identifier: GPL-2.0

//! The per-direction record log of the kernel side: `rust/logic`'s
//! [`RecordLog`] over kernel storage that grows on demand.

use crate::logic::generation::{LogError, RecordInfo, RecordLog};
use kernel::prelude::*;

/// Records a log holds once it holds any: its storage is allocated on the
/// first record and freed when the last one is retired, so an idle socket
/// keeps none.
const INITIAL_SLOTS: usize = 4;
/// Most records a log holds; past that, pushes fail with `ENOMEM`.
const MAX_SLOTS: usize = 1 << 16;

/// A record log: every record of one direction with its key generation,
/// record sequence number and TCP range, until it is retired (TX: the
/// peer acknowledged it; RX: the user consumed it).
pub(crate) struct Log(RecordLog<KVec<RecordInfo>>);

fn slots(n: usize) -> Result<KVec<RecordInfo>> {
    let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
    v.resize(n, RecordInfo::default(), GFP_KERNEL)?;
    Ok(v)
}

impl Log {
    /// An empty log, without storage.
    pub(crate) fn new() -> Self {
        Self(RecordLog::new(KVec::new()))
    }

    /// Logs record `seq` of key `generation`, `len` bytes from TCP
    /// sequence number `tcp_start` on.
    pub(crate) fn log(&mut self, generation: u32, seq: u64, tcp_start: u32, len: usize) -> Result {
        let r = RecordInfo {
            generation,
            seq,
            tcp_start,
            tcp_end: tcp_start.wrapping_add(len as u32),
        };
        match self.0.push(r) {
            Err(LogError::Full) if self.0.capacity() < MAX_SLOTS => {
                let n = (self.0.capacity() * 2).max(INITIAL_SLOTS);
                if self.0.grow(slots(n)?).is_err() {
                    return Err(ENOMEM);
                }
                self.0.push(r).map_err(|_| ENOMEM)
            }
            Err(LogError::Full) => Err(ENOMEM),
            // A rekey resets nothing in TCP order; anything else means the
            // stream was written or read behind our back: start over here.
            Err(LogError::OutOfOrder) => {
                self.0.retire_before(tcp_start);
                self.0.push(r).map_err(|_| EINVAL)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Retires every record that ends at or before TCP sequence number
    /// `tcp_seq`.
    pub(crate) fn retire_before(&mut self, tcp_seq: u32) {
        self.0.retire_before(tcp_seq);
        if self.0.is_empty() && self.0.capacity() > 0 {
            *self = Self::new();
        }
    }
}
