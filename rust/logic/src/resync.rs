// SPDX-License-Identifier: GPL-2.0

//! Device RX resync: the ULP's half of the two resync types where the
//! core does more than answer a request (`tls_device.c`).
//!
//! - `TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT` (nfp): the device never asks;
//!   after a few records that arrived all ciphertext the ULP tells it
//!   where the next record starts, backing off while that keeps failing.
//! - `TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC` (mlx5): the driver first
//!   names a range of TCP sequence numbers where it saw a header
//!   candidate (the asynchronous stage: the ULP logs the record starts it
//!   parses in that range and counts records), then the header it
//!   settled on (the synchronous stage: the ULP finds it in its log and
//!   answers with that record's sequence number).

use super::record::HEADER_LEN;
use super::seq::{seq_after, seq_before};

/// Records all ciphertext before the first hint (upstream's
/// `TLS_DEVICE_RESYNC_NH_START_IVAL`).
pub const NH_START_IVAL: u32 = 2;
/// The largest back-off between hints, then grown linearly by it
/// (`TLS_DEVICE_RESYNC_NH_MAX_IVAL`).
pub const NH_MAX_IVAL: u32 = 128;

/// The request word's flag of the asynchronous stage (`RESYNC_REQ_ASYNC`;
/// a word that is not zero holds a request).
pub const REQ_ASYNC: u64 = 1 << 1;

/// The CORE_NEXT_HINT back-off (`resync_nh` of the offload context).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NextHint {
    /// Records all ciphertext since the device last decrypted something.
    pub failed: u32,
    /// How many of them before the next hint.
    pub target: u32,
}

impl NextHint {
    /// A record arrived all ciphertext (`tls_device_core_ctrl_rx_resync()`);
    /// `reset`: the device decrypted something since the last such record
    /// (cleared here). True if a hint is due now.
    pub fn encrypted_record(&mut self, reset: &mut bool) -> bool {
        if *reset {
            *reset = false;
            *self = NextHint {
                failed: 1,
                target: NH_START_IVAL,
            };
            return false;
        }
        self.failed = self.failed.wrapping_add(1);
        if self.failed <= self.target {
            return false;
        }
        self.target = if self.target < NH_MAX_IVAL {
            self.target * 2
        } else {
            self.target.saturating_add(NH_MAX_IVAL)
        };
        true
    }
}

/// Where to hint a CORE_NEXT_HINT device: the first record start it has
/// not seen, past the bytes `after` that arrived after the current record
/// (when nothing else did): the end of the last record whose header is
/// among them, or the end of `after` if it ends on a record boundary.
/// `record_len` gives a record's whole length from its header (`None`:
/// not a valid header). Returns the offset of that start from the end of
/// the current record and how many records lie between; `None` if it
/// cannot be known (a header cut short, or not valid).
pub fn next_unseen(
    after: &[u8],
    record_len: impl Fn(&[u8; HEADER_LEN]) -> Option<usize>,
) -> Option<(usize, u64)> {
    let (mut off, mut records) = (0usize, 0u64);
    while off < after.len() {
        let h = after.get(off..off + HEADER_LEN)?;
        off += record_len(h.try_into().ok()?)?;
        records += 1;
    }
    Some((off, records))
}

/// What the ULP does for an asynchronous request at a record start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsyncStep {
    /// Nothing yet.
    Wait,
    /// The asynchronous stage lasted too long: the request is dropped.
    Cancel,
    /// Clear the request (if it is still the one read) and resync the
    /// device on the record starting at TCP sequence `seq`, whose record
    /// sequence is the current one less `rcd_delta`.
    Resync {
        /// TCP sequence number of that record's first byte.
        seq: u32,
        /// Records between it and the current one.
        rcd_delta: u16,
    },
}

/// The ULP's log of an asynchronous request
/// (`struct tls_offload_resync_async` less the request word).
pub struct AsyncLog<'a> {
    /// Entries of `log` in use.
    pub loglen: &'a mut u16,
    /// Records parsed since the asynchronous stage began.
    pub rcd_delta: &'a mut u16,
    /// Starts of the records parsed inside the named range.
    pub log: &'a mut [u32],
}

impl AsyncLog<'_> {
    /// The record starting at TCP sequence `seq` is parsed while the
    /// request word reads `req` (non-zero)
    /// (`tls_device_rx_resync_async()`).
    pub fn new_rec(&mut self, req: u64, seq: u32) -> AsyncStep {
        let req_seq = (req >> 32) as u32;
        if req & REQ_ASYNC != 0 {
            if *self.rcd_delta == u16::MAX {
                return AsyncStep::Cancel;
            }
            if seq_before(seq, req_seq) {
                return AsyncStep::Wait;
            }
            let req_end = req_seq.wrapping_add(((req >> 16) & 0xffff) as u32);
            let len = usize::from(*self.loglen);
            if !seq_after(seq, req_end) && len < self.log.len() {
                self.log[len] = seq;
                *self.loglen += 1;
            }
            *self.rcd_delta += 1;
            return AsyncStep::Wait;
        }
        let len = usize::from(*self.loglen).min(self.log.len());
        let delta = *self.rcd_delta;
        *self.loglen = 0;
        *self.rcd_delta = 0;
        if let Some(i) = self.log[..len].iter().position(|&s| s == req_seq) {
            return AsyncStep::Resync {
                seq: req_seq,
                rcd_delta: delta - i as u16,
            };
        }
        if req_seq == seq {
            return AsyncStep::Resync { seq, rcd_delta: 0 };
        }
        AsyncStep::Wait
    }
}

#[cfg(test)]
#[path = "resync/tests.rs"]
mod tests;
