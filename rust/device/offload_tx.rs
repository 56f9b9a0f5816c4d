// SPDX-License-Identifier: GPL-2.0

//! `struct tls_offload_context_tx`: the device TX context that drivers read
//! through `tls_offload_ctx_tx()`, with its list of records
//! (`struct tls_record_info`), both in the target kernel's C layout.

use crate::bindings;
use crate::logic::seq::{seq_after, seq_before, seq_between};
use core::mem::offset_of;
use core::ptr::{addr_of, addr_of_mut};
use kernel::prelude::*;
use kernel::types::Opaque;

// Records are linked through their first field, so a list node is its record.
const _: () = assert!(offset_of!(bindings::tls_record_info, list) == 0);

/// A record on the device TX list, as drivers see it.
#[repr(transparent)]
pub(crate) struct RecordInfo(Opaque<bindings::tls_record_info>);

impl RecordInfo {
    /// The record at `node`, or `None` at the list head.
    ///
    /// # Safety
    ///
    /// `node` must be a node of the live list `head`, valid for `'a`.
    unsafe fn from_node<'a>(
        node: *mut bindings::list_head,
        head: *mut bindings::list_head,
    ) -> Option<&'a Self> {
        // SAFETY: every node but the head is the first field of a record
        // (asserted above), valid for `'a` by the caller's guarantee.
        (node != head).then(|| unsafe { &*node.cast::<Self>() })
    }

    /// The raw record, for the C ABI.
    pub(crate) fn as_ptr(&self) -> *mut bindings::tls_record_info {
        self.0.get()
    }

    /// TCP sequence number just past the record.
    pub(crate) fn end_seq(&self) -> u32 {
        // SAFETY: `self` is a live record.
        unsafe { (*self.as_ptr()).end_seq }
    }

    /// Length in TCP bytes (0 for the start marker).
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: `self` is a live record.
        unsafe { (*self.as_ptr()).len as u32 }
    }

    /// `tls_record_start_seq()`.
    pub(crate) fn start_seq(&self) -> u32 {
        self.end_seq().wrapping_sub(self.len())
    }

    /// Copies the record's bytes to `dst`; returns how many were copied.
    pub(crate) fn copy_to(&self, dst: &mut [u8]) -> usize {
        // SAFETY: `self` is a live record; `dst` is writable for its length.
        unsafe {
            bindings::tlsr_record_copy(self.as_ptr(), dst.as_mut_ptr(), dst.len() as u32) as usize
        }
    }

    /// `tls_record_is_start_marker()`: the empty record placed where the
    /// device took over, standing for every byte sent before.
    fn is_start_marker(&self) -> bool {
        self.len() == 0
    }
}

/// The device TX context of a socket.
///
/// # Invariants
///
/// Wraps a live `struct tls_offload_context_tx` whose `records_list` is
/// initialised, and whose `lock` is held while the wrapper is borrowed.
#[repr(transparent)]
pub(crate) struct OffloadTx(Opaque<bindings::tls_offload_context_tx>);

impl OffloadTx {
    /// Borrows the context at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a live, initialised device TX context, and the
    /// caller must hold its `lock` for `'a` (it serialises the record
    /// list's writers and the retransmit hint).
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::tls_offload_context_tx) -> &'a Self {
        // SAFETY: `Self` is a transparent wrapper; validity and locking are
        // guaranteed by the caller.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn raw(&self) -> *mut bindings::tls_offload_context_tx {
        self.0.get()
    }

    fn head(&self) -> *mut bindings::list_head {
        // SAFETY: only the address of the field is taken.
        unsafe { addr_of_mut!((*self.raw()).records_list) }
    }

    /// The record after `node` (the list's first record after the head).
    fn next(&self, node: *mut bindings::list_head) -> Option<&RecordInfo> {
        // SAFETY: `node` is the head or a live record of this list; the
        // volatile read is the `READ_ONCE()` of `list_for_each_entry_rcu`,
        // since records are appended without the lock.
        let next = unsafe { addr_of!((*node).next).read_volatile() };
        // SAFETY: `next` is a node of this list, live while the lock is held.
        unsafe { RecordInfo::from_node(next, self.head()) }
    }

    /// The last record of the list.
    fn last(&self) -> Option<&RecordInfo> {
        let head = self.head();
        // SAFETY: the head is initialised; `prev` is a node of this list.
        unsafe { RecordInfo::from_node((*head).prev, head) }
    }

    /// Appends `rec` (whose bytes follow the last record's in TCP) to
    /// the list; the list owns it from now on.
    pub(crate) fn append(&self, rec: KBox<bindings::tls_record_info>) {
        // SAFETY: the lock is held (type invariant); the list frees the
        // record with `KBox::from_raw` (`remove_first`).
        unsafe { bindings::tlsr_record_add_tail(KBox::into_raw(rec), self.raw()) };
    }

    /// Unlinks and frees the first record, dropping its page references.
    fn remove_first(&self) -> bool {
        let Some(rec) = self.next(self.head()) else {
            return false;
        };
        let rec = rec.as_ptr();
        // SAFETY: the lock is held; every record was boxed (`append`) and
        // is unlinked before it is freed.
        unsafe {
            bindings::tlsr_record_del(rec);
            bindings::tlsr_record_put_frags(rec);
            drop(KBox::from_raw(rec));
        }
        true
    }

    /// `tls_tcp_clean_acked()`: frees the records TCP has acknowledged
    /// (every byte before `acked_seq`).
    pub(crate) fn clean_acked(&self, acked_seq: u32) {
        let c = self.raw();
        // SAFETY: the lock is held (type invariant); a non-null hint is a
        // live record of this list.
        unsafe {
            let hint = (*c).retransmit_hint.cast::<RecordInfo>().as_ref();
            if hint.is_some_and(|h| !seq_before(acked_seq, h.end_seq())) {
                (*c).retransmit_hint = core::ptr::null_mut();
            }
        }
        let mut deleted = 0u64;
        while self
            .next(self.head())
            .is_some_and(|r| !seq_before(acked_seq, r.end_seq()))
        {
            self.remove_first();
            deleted += 1;
        }
        // SAFETY: the lock is held.
        unsafe { (*c).unacked_record_sn = (*c).unacked_record_sn.wrapping_add(deleted) };
    }

    /// Frees every record (the socket is gone, or never went on a device).
    pub(crate) fn free_all(&self) {
        // SAFETY: the lock is held.
        unsafe { (*self.raw()).retransmit_hint = core::ptr::null_mut() };
        while self.remove_first() {}
    }

    /// `tls_get_record()`: the record holding TCP sequence number `seq` and
    /// its record sequence number, starting from the retransmit hint when
    /// `seq` is not before it, and moving the hint forward.
    ///
    /// A `seq` before the start marker maps to the start marker (the device
    /// passes such bytes through); a `seq` past every record has none.
    pub(crate) fn get_record(&self, seq: u32) -> Option<(&RecordInfo, u64)> {
        let c = self.raw();
        // SAFETY: the lock is held (type invariant); a non-null hint is a
        // live record of this list.
        let hint = unsafe { (*c).retransmit_hint.cast::<RecordInfo>().as_ref() };
        let (mut rec, mut record_sn) = match hint {
            // SAFETY: as above.
            Some(h) if !seq_before(seq, h.start_seq()) => (h, unsafe { (*c).hint_record_sn }),
            _ => {
                let first = self.next(self.head())?;
                if !first.is_start_marker() {
                    let last = self.last()?;
                    if !seq_between(seq, first.start_seq(), last.end_seq()) {
                        return None;
                    }
                }
                // SAFETY: the lock is held.
                (first, unsafe { (*c).unacked_record_sn })
            }
        };
        let _rcu = kernel::sync::rcu::read_lock();
        loop {
            if seq_before(seq, rec.end_seq()) {
                if hint.is_none_or(|h| seq_after(rec.end_seq(), h.end_seq())) {
                    // SAFETY: the lock is held.
                    unsafe {
                        (*c).hint_record_sn = record_sn;
                        (*c).retransmit_hint = rec.as_ptr();
                    }
                }
                return Some((rec, record_sn));
            }
            record_sn = record_sn.wrapping_add(1);
            // SAFETY: only the address of the record's list node is taken.
            rec = self.next(unsafe { addr_of_mut!((*rec.as_ptr()).list) })?;
        }
    }
}

#[kernel::macros::kunit_tests(tls_rekey_get_record)]
mod tests {
    use super::*;

    /// A device TX context and its records, linked as a device socket
    /// links them (each record's `list` at the tail of `records_list`).
    struct Fixture {
        ctx: KBox<bindings::tls_offload_context_tx>,
        _records: KVec<KBox<bindings::tls_record_info>>,
    }

    /// Records given as `(end_seq, len)`; `len == 0` is the start marker.
    fn fixture(records: &[(u32, i32)], unacked_record_sn: u64) -> Result<Fixture> {
        let mut ctx = KBox::new(bindings::tls_offload_context_tx::default(), GFP_KERNEL)?;
        ctx.unacked_record_sn = unacked_record_sn;
        let head = &raw mut ctx.records_list;
        // SAFETY: `head` is the boxed context's list head, not shared.
        unsafe {
            (*head).next = head;
            (*head).prev = head;
        }
        let mut kept = KVec::new();
        for &(end_seq, len) in records {
            let mut r = KBox::new(bindings::tls_record_info::default(), GFP_KERNEL)?;
            r.end_seq = end_seq;
            r.len = len;
            let node = &raw mut r.list;
            // SAFETY: `head` and `node` are list nodes of boxed, unshared
            // values that outlive the fixture's use; `list_add_tail()`.
            unsafe {
                let prev = (*head).prev;
                (*node).next = head;
                (*node).prev = prev;
                (*prev).next = node;
                (*head).prev = node;
            }
            kept.push(r, GFP_KERNEL)?;
        }
        Ok(Fixture {
            ctx,
            _records: kept,
        })
    }

    /// `tls_get_record()` as drivers call it: `(end_seq, record_sn)`.
    fn lookup(f: &mut Fixture, seq: u32) -> Option<(u32, u64)> {
        // SAFETY: the fixture's context is initialised and nothing else
        // uses it, which is what the lock guarantees.
        let ctx = unsafe { OffloadTx::from_raw(&raw mut *f.ctx) };
        ctx.get_record(seq).map(|(r, sn)| (r.end_seq(), sn))
    }

    #[test]
    fn start_marker_hint_and_restart() -> Result {
        let mut f = fixture(&[(1000, 0), (1100, 100), (1300, 200), (1350, 50)], 41)?;
        // Before the offload started: the start marker.
        assert_eq!(lookup(&mut f, 900), Some((1000, 41)));
        assert_eq!(lookup(&mut f, 1000), Some((1100, 42)));
        assert_eq!(lookup(&mut f, 1150), Some((1300, 43)));
        // Behind the retransmit hint: found again from the list's start.
        assert_eq!(lookup(&mut f, 1050), Some((1100, 42)));
        assert_eq!(f.ctx.hint_record_sn, 43);
        assert_eq!(lookup(&mut f, 1349), Some((1350, 44)));
        // Past the last record: none.
        assert_eq!(lookup(&mut f, 1350), None);
        Ok(())
    }

    #[test]
    fn without_start_marker_only_listed_bytes() -> Result {
        let mut f = fixture(&[(1100, 100), (1300, 200)], 7)?;
        assert_eq!(lookup(&mut f, 999), None);
        assert_eq!(lookup(&mut f, 1000), Some((1100, 7)));
        assert_eq!(lookup(&mut f, 1299), Some((1300, 8)));
        assert_eq!(lookup(&mut f, 1300), None);
        Ok(())
    }

    #[test]
    fn across_the_sequence_wrap() -> Result {
        let mut f = fixture(&[(0xffff_fff0, 0), (0x10, 0x20), (0x30, 0x20)], 99)?;
        assert_eq!(lookup(&mut f, 0xffff_fff8), Some((0x10, 100)));
        assert_eq!(lookup(&mut f, 0x0f), Some((0x10, 100)));
        assert_eq!(lookup(&mut f, 0x10), Some((0x30, 101)));
        assert_eq!(lookup(&mut f, 0xffff_ffe0), Some((0xffff_fff0, 99)));
        Ok(())
    }
}
