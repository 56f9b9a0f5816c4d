// SPDX-License-Identifier: GPL-2.0

//! Key generations per record sequence: which key sealed (TX) or opened
//! (RX) each record, and where the record lies in the TCP byte stream.
//!
//! The log answers "which record, under which key, covers TCP sequence
//! number S" — what a retransmission after a rekey needs to be re-sealed in
//! software when the device no longer holds the key — and "which
//! generations are still needed" once records are acknowledged.

use super::seq::seq_before;
use core::ops::DerefMut;

/// One record: its key generation, record sequence number and TCP range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordInfo {
    /// Key generation (0 for the first key, one more per rekey).
    pub generation: u32,
    /// TLS record sequence number within its generation.
    pub seq: u64,
    /// TCP sequence number of the record's first byte.
    pub tcp_start: u32,
    /// TCP sequence number just past the record's last byte.
    pub tcp_end: u32,
}

/// Why a record could not be logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogError {
    /// The log is full: acknowledge (retire) records first.
    Full,
    /// The record does not follow the previous one in the TCP stream, or
    /// goes back in generation or sequence.
    OutOfOrder,
}

/// A ring of records in TCP order, over storage the caller allocates.
pub struct RecordLog<S> {
    slots: S,
    head: usize,
    len: usize,
}

impl<S: DerefMut<Target = [RecordInfo]>> RecordLog<S> {
    /// An empty log holding at most `slots.len()` records.
    pub fn new(slots: S) -> Self {
        Self {
            slots,
            head: 0,
            len: 0,
        }
    }

    /// Records logged and not retired.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no record is logged.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slot index `i` places after `head` (storage may be empty).
    fn slot(&self, i: usize) -> usize {
        (self.head + i).checked_rem(self.slots.len()).unwrap_or(0)
    }

    fn at(&self, i: usize) -> &RecordInfo {
        &self.slots[self.slot(i)]
    }

    /// The newest record.
    pub fn last(&self) -> Option<&RecordInfo> {
        self.len.checked_sub(1).map(|i| self.at(i))
    }

    /// The oldest record not retired.
    pub fn first(&self) -> Option<&RecordInfo> {
        (self.len > 0).then(|| self.at(0))
    }

    /// Appends the next record of the stream.
    pub fn push(&mut self, r: RecordInfo) -> Result<(), LogError> {
        if seq_before(r.tcp_end, r.tcp_start) {
            return Err(LogError::OutOfOrder);
        }
        if let Some(last) = self.last() {
            let in_order = last.tcp_end == r.tcp_start
                && (r.generation > last.generation
                    || (r.generation == last.generation && r.seq > last.seq));
            if !in_order {
                return Err(LogError::OutOfOrder);
            }
        }
        if self.len == self.slots.len() {
            return Err(LogError::Full);
        }
        let i = self.slot(self.len);
        self.slots[i] = r;
        self.len += 1;
        Ok(())
    }

    /// Moves the log into larger storage (when [`LogError::Full`]).
    /// Returns the new storage back unused if it is not larger.
    pub fn grow(&mut self, mut bigger: S) -> Result<(), S> {
        if bigger.len() <= self.slots.len() {
            return Err(bigger);
        }
        for i in 0..self.len {
            bigger[i] = *self.at(i);
        }
        self.slots = bigger;
        self.head = 0;
        Ok(())
    }

    /// Capacity of the current storage.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The record covering TCP sequence number `tcp_seq`.
    pub fn lookup(&self, tcp_seq: u32) -> Option<&RecordInfo> {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let r = self.at(mid);
            if seq_before(tcp_seq, r.tcp_start) {
                hi = mid;
            } else if !seq_before(tcp_seq, r.tcp_end) {
                lo = mid + 1;
            } else {
                return Some(r);
            }
        }
        None
    }

    /// Retires every record wholly before `una` (TX: acknowledged by the
    /// peer; RX: consumed). Returns how many were retired.
    pub fn retire_before(&mut self, una: u32) -> usize {
        let mut n = 0;
        while self.len > 0 && !seq_before(una, self.at(0).tcp_end) {
            self.head = self.slot(1);
            self.len -= 1;
            n += 1;
        }
        n
    }

    /// The oldest key generation a logged record still needs; generations
    /// before it can be retired (their key freed, their device slot given
    /// back).
    pub fn oldest_live_generation(&self) -> Option<u32> {
        self.first().map(|r| r.generation)
    }
}

#[cfg(test)]
#[path = "generation/tests.rs"]
mod tests;
