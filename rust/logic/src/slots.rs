// SPDX-License-Identifier: GPL-2.0

//! Key generations on a device: which of a flow's key generations a
//! device holds in one direction, in how many slots, and which records it
//! handles under each.
//!
//! A device declares how many generations per flow and direction it holds
//! (one for every in-tree driver). A generation is placed in a free slot
//! from a record boundary on (the TCP sequence number where the device
//! starts handling its records); its records before that boundary are the
//! software's. A generation leaves its slot once none of its records can
//! go through the device again: TX, once TCP acknowledged all of them and a
//! newer generation took over; RX, once the KeyUpdate boundary passed and
//! every record before it was consumed. Both come down to "everything
//! before the end of its last record is done", which [`Slots::done`]
//! reports with one TCP sequence number.
//!
//! With no free slot a new generation waits ([`Placement::Waiting`]): its
//! records go through software until a slot frees, and it takes the slot
//! at the next record boundary after that ([`Slots::place_waiting`]). With
//! one slot this is the flow the TLS 1.3 offload series proposed: new-key
//! records in software until every old-key record is acknowledged, then
//! delete and add.

use super::seq::{seq_after, seq_before};

/// Most slots a device may declare per flow and direction.
pub const MAX_SLOTS: usize = 4;

/// A generation in a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// The key generation.
    pub generation: u32,
    /// TCP sequence number from which on the device handles its records.
    pub start: u32,
    /// TCP sequence number just past its last record, once a newer
    /// generation began.
    pub end: Option<u32>,
}

/// Where a new generation's records go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In this slot, from its first record on.
    Device(usize),
    /// Through software until a slot frees.
    Waiting,
}

/// The slots of one flow and direction.
#[derive(Clone, Debug)]
pub struct Slots {
    slots: [Option<Held>; MAX_SLOTS],
    n: usize,
    /// The newest generation, waiting for a slot.
    waiting: Option<u32>,
}

impl Slots {
    /// A device holding `n` generations (at least 1, at most
    /// [`MAX_SLOTS`]), with `generation` placed from TCP sequence `start`.
    pub fn new(n: usize, generation: u32, start: u32) -> Self {
        let mut slots = [None; MAX_SLOTS];
        slots[0] = Some(Held {
            generation,
            start,
            end: None,
        });
        Self {
            slots,
            n: n.clamp(1, MAX_SLOTS),
            waiting: None,
        }
    }

    /// The slot the device handles a record of `generation` starting at
    /// TCP sequence `seq` with; `None` if software must (the generation is
    /// not on the device, or was placed after that record).
    pub fn device_for(&self, generation: u32, seq: u32) -> Option<usize> {
        self.held()
            .find(|(_, h)| h.generation == generation && !seq_before(seq, h.start))
            .map(|(i, _)| i)
    }

    /// The first record of `generation` starts at TCP sequence `seq`: the
    /// newest generation so far ends there. Where the new one goes.
    pub fn rekey(&mut self, generation: u32, seq: u32) -> Placement {
        for h in self.slots.iter_mut().flatten() {
            if h.end.is_none() {
                h.end = Some(seq);
            }
        }
        match self.free() {
            Some(i) => {
                self.slots[i] = Some(Held {
                    generation,
                    start: seq,
                    end: None,
                });
                self.waiting = None;
                Placement::Device(i)
            }
            None => {
                self.waiting = Some(generation);
                Placement::Waiting
            }
        }
    }

    /// Everything before TCP sequence `done` is finished with (TX:
    /// acknowledged; RX: consumed): the generations whose records all lie
    /// before it leave their slots, each reported to `retire` with its
    /// slot (for the driver's delete and the key's wipe).
    pub fn done(&mut self, done: u32, mut retire: impl FnMut(usize, u32)) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some(h) = slot {
                if h.end.is_some_and(|end| !seq_after(end, done)) {
                    retire(i, h.generation);
                    *slot = None;
                }
            }
        }
    }

    /// At a record boundary, TCP sequence `seq`: the waiting generation,
    /// if a slot has freed, is placed there from `seq` on; its slot.
    pub fn place_waiting(&mut self, seq: u32) -> Option<(usize, u32)> {
        let generation = self.waiting?;
        let i = self.free()?;
        self.slots[i] = Some(Held {
            generation,
            start: seq,
            end: None,
        });
        self.waiting = None;
        Some((i, generation))
    }

    /// The earliest TCP sequence number at which a generation on the
    /// device ends (none if only the newest is there).
    pub fn next_end(&self) -> Option<u32> {
        self.held()
            .filter_map(|(_, h)| h.end)
            .reduce(|a, b| if seq_before(b, a) { b } else { a })
    }

    /// The generation waiting for a slot.
    pub fn waiting(&self) -> Option<u32> {
        self.waiting
    }

    /// Generations the device holds at most.
    pub fn capacity(&self) -> usize {
        self.n
    }

    /// Generations on the device.
    pub fn in_use(&self) -> usize {
        self.held().count()
    }

    /// No slot is free for a new generation: the oldest generation on the
    /// device leaves its slot now, whatever of its records may still be
    /// sent again (those go through software from then on). Its slot and
    /// generation.
    pub fn evict_oldest(&mut self) -> Option<(usize, u32)> {
        let (i, h) = self
            .held()
            .reduce(|a, b| {
                if seq_before(b.1.start, a.1.start) {
                    b
                } else {
                    a
                }
            })
            .map(|(i, h)| (i, *h))?;
        self.slots[i] = None;
        Some((i, h.generation))
    }

    /// The device gave up a slot (a failed add, the device going away):
    /// its generation's records go through software from now on.
    pub fn lose(&mut self, slot: usize) -> Option<Held> {
        self.slots.get_mut(slot)?.take()
    }

    fn held(&self) -> impl Iterator<Item = (usize, &Held)> {
        self.slots[..self.n]
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|h| (i, h)))
    }

    fn free(&self) -> Option<usize> {
        self.slots[..self.n].iter().position(Option::is_none)
    }
}

/// Splits the `len` bytes from TCP sequence `seq` into runs of one
/// generation each, `starts` holding the TCP sequence number where each
/// generation's records begin, oldest first: `f(offset, length, index)`
/// for each run, `index` into `starts` (`None` for bytes before the
/// first). Stops at the first error `f` returns.
pub fn for_each_run<E>(
    starts: &[u32],
    seq: u32,
    len: usize,
    mut f: impl FnMut(usize, usize, Option<usize>) -> Result<(), E>,
) -> Result<(), E> {
    let mut off = 0;
    while off < len {
        let at = seq.wrapping_add(off as u32);
        let idx = starts.iter().rposition(|&s| !seq_before(at, s));
        let next = starts[idx.map_or(0, |i| i + 1)..]
            .first()
            .map(|&s| s.wrapping_sub(at) as usize);
        // Sorted starts put the next one after `at`; at least a byte
        // goes whatever the caller gave.
        let n = next.map_or(len - off, |d| d.clamp(1, len - off));
        f(off, n, idx)?;
        off += n;
    }
    Ok(())
}

#[cfg(test)]
#[path = "slots/tests.rs"]
mod tests;
