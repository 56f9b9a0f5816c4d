// SPDX-License-Identifier: GPL-2.0

//! The key generations of a device TX socket, under its offload context's
//! lock: which ones the device holds and in which slots
//! (`logic::slots`), and for each generation with records on the list
//! where they start, how their record sequence numbers follow from the
//! list's count (`unacked_record_sn`, which counts on across generations)
//! and the fallback's sealer for them.

use super::offload_tx::{OffloadTx, RecordInfo};
use super::sealer::{Found, Records, Sealer};
use crate::bindings;
use crate::logic::seq::seq_before;
use crate::logic::slots::{for_each_run, Placement, Slots};
use kernel::prelude::*;

/// Most generations with records on the list at once: those the device
/// holds and those it gave up whose records are not all acknowledged.
const MAX_KEYS: usize = 8;

/// A generation with records on the list.
struct Key {
    generation: u32,
    /// TCP sequence number where its first record on the list starts.
    start: u32,
    /// The list's count of that record, and its record sequence number.
    list_sn: u64,
    rcd_sn: u64,
    sealer: KBox<Sealer>,
}

/// The generation operations of a driver that holds several generations
/// per flow (`struct tls_rekey_gen_ops`), valid while the socket is on one
/// of its devices.
#[derive(Clone, Copy)]
pub(crate) struct GenOps(pub(crate) *const bindings::tls_rekey_gen_ops);

/// What a rekey did with the new generation.
pub(crate) enum Rekeyed {
    /// In `slot` from its first record on, once the driver adds it, after
    /// deleting the generation it evicted from `evicted`.
    Device { slot: u32, evicted: Option<u32> },
    /// Its records go through software until a slot frees; `legacy`: the
    /// driver holds one key per flow, so the socket leaves the device; else
    /// all `MAX_KEYS` generations on the list have records to be
    /// acknowledged.
    Waiting { legacy: bool },
}

/// The generations of one device TX socket.
pub(crate) struct TxGens {
    slots: Slots,
    /// Oldest first; room for `MAX_KEYS`, so adding one never allocates.
    keys: KVec<Key>,
    /// The list's count of the next record appended.
    next_sn: u64,
}

/// The records of the device TX list as one generation's sealer sees them.
struct GenRecords<'a> {
    list: &'a OffloadTx,
    list_sn: u64,
    rcd_sn: u64,
}

impl<'a> Records for GenRecords<'a> {
    type Record = &'a RecordInfo;

    fn find(&mut self, seq: u32) -> Option<Found<&'a RecordInfo>> {
        let (rec, list_sn) = self.list.get_record(seq)?;
        Some(Found {
            record: rec,
            rcd_sn: list_sn.wrapping_sub(self.list_sn).wrapping_add(self.rcd_sn),
            end_seq: rec.end_seq(),
            len: rec.len(),
        })
    }

    fn copy(&mut self, record: &&'a RecordInfo, dst: &mut [u8]) -> usize {
        record.copy_to(dst)
    }
}

impl TxGens {
    /// `generation` (record sequence number `rcd_sn` next, sealed by
    /// `sealer`) on the device from TCP sequence number `start` on, in slot
    /// 0 of a device holding `slots` generations.
    pub(crate) fn new(
        generation: u32,
        start: u32,
        rcd_sn: u64,
        sealer: KBox<Sealer>,
        slots: usize,
    ) -> Result<Self> {
        let mut keys = KVec::with_capacity(MAX_KEYS, GFP_KERNEL)?;
        keys.push(
            Key {
                generation,
                start,
                list_sn: rcd_sn,
                rcd_sn,
                sealer,
            },
            GFP_KERNEL,
        )?;
        Ok(Self {
            slots: Slots::new(slots, generation, start),
            keys,
            next_sn: rcd_sn,
        })
    }

    /// Whether the device holds one key per flow (`tls_dev_add` alone).
    fn one_key(&self) -> bool {
        self.slots.capacity() == 1
    }

    /// A record was appended to the list.
    pub(crate) fn appended(&mut self) {
        self.next_sn = self.next_sn.wrapping_add(1);
    }

    /// The key whose records hold TCP sequence number `seq`.
    fn key_at(&self, seq: u32) -> Option<&Key> {
        self.keys.iter().rev().find(|k| !seq_before(seq, k.start))
    }

    /// The record sequence number of the record starting at `start` that
    /// the list counts as `list_sn` (what `tls_get_record()` reports).
    pub(crate) fn rcd_sn(&self, start: u32, list_sn: u64) -> u64 {
        self.key_at(start).map_or(list_sn, |k| {
            list_sn.wrapping_sub(k.list_sn).wrapping_add(k.rcd_sn)
        })
    }

    /// The TCP sequence numbers where the keys' records start.
    fn starts(&self) -> ([u32; MAX_KEYS], usize) {
        let mut s = [0; MAX_KEYS];
        for (d, k) in s.iter_mut().zip(self.keys.iter()) {
            *d = k.start;
        }
        (s, self.keys.len())
    }

    /// Whether the device holds the generation of every record byte from
    /// TCP sequence number `seq` on, `len` of them.
    pub(crate) fn on_device(&self, seq: u32, len: usize) -> bool {
        if self.keys.len() == 1 && self.slots.in_use() == 1 {
            return self
                .slots
                .device_for(self.keys[0].generation, self.keys[0].start)
                .is_some();
        }
        let (starts, n) = self.starts();
        for_each_run(&starts[..n], seq, len, |_, _, i| match i {
            Some(i) => {
                let k = &self.keys[i];
                self.slots
                    .device_for(k.generation, k.start)
                    .map(|_| ())
                    .ok_or(())
            }
            None => Ok(()),
        })
        .is_ok()
    }

    /// Replaces the record bytes of a segment's payload (TCP sequence
    /// numbers from `seq` on) with their ciphertext, each record with its
    /// generation's key; the records encrypted. `EINVAL` if a byte has no
    /// record. Bytes before the first key's records pass as they are.
    pub(crate) fn seal(&mut self, list: &OffloadTx, seq: u32, payload: &mut [u8]) -> Result<u32> {
        let (starts, n) = self.starts();
        let mut sealed = 0;
        for_each_run(&starts[..n], seq, payload.len(), |off, len, i| -> Result {
            let Some(k) = i.and_then(|i| self.keys.get_mut(i)) else {
                return Ok(());
            };
            let mut records = GenRecords {
                list,
                list_sn: k.list_sn,
                rcd_sn: k.rcd_sn,
            };
            let run = &mut payload[off..off + len];
            sealed += k
                .sealer
                .seal_segment(&mut records, seq.wrapping_add(off as u32), run)?;
            Ok(())
        })?;
        Ok(sealed)
    }

    /// A rekey: `generation`'s records start at TCP sequence number `start`
    /// with record sequence number `rcd_sn`. It takes a free slot, or one a
    /// device with several generations gives up (its oldest, whose records
    /// still to be acknowledged are sealed by the fallback from then on);
    /// else it waits. `sealer` (the new key's) is kept if it is placed, or
    /// given back.
    pub(crate) fn rekey(
        &mut self,
        generation: u32,
        start: u32,
        rcd_sn: u64,
        sealer: KBox<Sealer>,
    ) -> (Rekeyed, Option<KBox<Sealer>>) {
        let mut evicted = None;
        let mut placed = self.slots.rekey(generation, start);
        if placed == Placement::Waiting && !self.one_key() && self.keys.len() < MAX_KEYS {
            evicted = self.slots.evict_oldest().map(|(slot, _)| slot as u32);
            placed = match self.slots.place_waiting(start) {
                Some((slot, _)) => Placement::Device(slot),
                None => Placement::Waiting,
            };
        }
        match placed {
            Placement::Device(slot) => {
                self.push(generation, start, rcd_sn, sealer);
                (
                    Rekeyed::Device {
                        slot: slot as u32,
                        evicted,
                    },
                    None,
                )
            }
            Placement::Waiting => (
                Rekeyed::Waiting {
                    legacy: self.one_key(),
                },
                Some(sealer),
            ),
        }
    }

    /// Adds the key of a generation placed on the device (room for it was
    /// checked or made: never allocates).
    fn push(&mut self, generation: u32, start: u32, rcd_sn: u64, sealer: KBox<Sealer>) {
        let key = Key {
            generation,
            start,
            list_sn: self.next_sn,
            rcd_sn,
            sealer,
        };
        if self.keys.push_within_capacity(key).is_err() {
            // Not reached: a rekey places only with room.
            kernel::pr_warn_once!("TLS device TX: generation key dropped\n");
        }
    }

    /// The generation waiting for a slot takes one freed by
    /// [`Self::retire_acked`], from its record at TCP sequence number
    /// `start` (record sequence number `rcd_sn`) on; its slot, or `sealer`
    /// given back if none is free.
    pub(crate) fn place_waiting(
        &mut self,
        start: u32,
        rcd_sn: u64,
        sealer: KBox<Sealer>,
    ) -> core::result::Result<u32, KBox<Sealer>> {
        if self.keys.len() == MAX_KEYS {
            return Err(sealer);
        }
        match self.slots.place_waiting(start) {
            Some((slot, generation)) => {
                self.push(generation, start, rcd_sn, sealer);
                Ok(slot as u32)
            }
            None => Err(sealer),
        }
    }

    /// A generation waits for a slot.
    pub(crate) fn waiting(&self) -> bool {
        self.slots.waiting().is_some()
    }

    /// The device refused the generation of `slot`: its records go through
    /// software.
    pub(crate) fn lose(&mut self, slot: u32) {
        if let Some(h) = self.slots.lose(slot as usize) {
            if self
                .keys
                .last()
                .is_some_and(|k| k.generation == h.generation)
            {
                drop(self.keys.pop());
            }
        }
    }

    /// TCP acknowledged everything before `una`: generations all of whose
    /// records lie before it leave their slots (`retired`, for the
    /// driver's delete; how many) and their keys go (`old`, to be freed
    /// once the lock is released).
    pub(crate) fn retire_acked(
        &mut self,
        una: u32,
        retired: &mut [u32; MAX_KEYS],
        old: &mut KVec<KBox<Sealer>>,
    ) -> usize {
        let mut n = 0;
        self.slots.done(una, |slot, _| {
            if let Some(r) = retired.get_mut(n) {
                *r = slot as u32;
                n += 1;
            }
        });
        while self.keys.len() > 1 && !seq_before(una, self.keys[1].start) {
            if let Ok(k) = self.keys.remove(0) {
                // `old` has room for every key.
                if let Err(e) = old.push_within_capacity(k.sealer) {
                    drop(e);
                }
            }
        }
        n
    }

    /// The TCP sequence number whose acknowledgement lets a generation
    /// leave the device or its key go, if any.
    pub(crate) fn due(&self) -> Option<u32> {
        let key = self.keys.get(1).map(|k| k.start);
        match (key, self.slots.next_end()) {
            (Some(a), Some(b)) => Some(if seq_before(a, b) { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

/// Room for the keys [`TxGens::retire_acked`] gives back.
pub(crate) fn old_keys() -> Result<KVec<KBox<Sealer>>> {
    Ok(KVec::with_capacity(MAX_KEYS, GFP_KERNEL)?)
}

/// Room for the slots [`TxGens::retire_acked`] reports.
pub(crate) type Retired = [u32; MAX_KEYS];
