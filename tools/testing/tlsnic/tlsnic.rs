// SPDX-License-Identifier: GPL-2.0

//! tlsnic: a simulated TLS-offload NIC that does real AEAD crypto, for
//! testing kTLS device offload byte for byte (tools/testing/tlsnic).
//!
//! The netdev side (a veth-like pair, `tlsdev_ops`, debugfs) is in
//! `glue.c`; this file holds the TX flows: one per socket offloaded to the
//! device, with a key per generation in its slots (one slot unless the
//! module declares more with `tx_generations`); the records that segments
//! of a flow carry are encrypted by the main module's
//! `rust/device/sealer.rs`, each with the generation whose start is the
//! latest at or before the record. RX flows and their record decryption
//! are C (`rx.c`, which says why).

use core::ffi::c_void;
use kernel::prelude::*;

#[path = "../../../rust/aead.rs"]
mod aead;
#[path = "logic.rs"]
mod logic;
#[path = "../../../rust/device/sealer.rs"]
mod sealer;

#[allow(
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    unreachable_pub,
    unsafe_op_in_unsafe_fn
)]
mod bindings {
    use kernel::ffi;
    include!(env!("TNIC_BINDINGS"));
}

use logic::seq::seq_before;
use logic::slots::{for_each_run, MAX_SLOTS};
use sealer::{Found, Records, Sealer};

/// A key generation in a slot: where its records start, and its key.
struct Slot {
    start: u32,
    sealer: KBox<Sealer>,
}

/// One offloaded socket's TX flow on the device: its generations' keys.
struct Flow {
    slots: [Option<KBox<Slot>>; MAX_SLOTS],
}

impl Flow {
    /// Encrypts the record bytes of a segment's payload (from TCP sequence
    /// number `seq` on) with the keys of their generations; the records
    /// encrypted. `ENOKEY` for a record of no generation the flow holds.
    fn seal(&mut self, records: &mut NicRecords, seq: u32, payload: &mut [u8]) -> Result<u32> {
        // The slots in TCP order of their starts.
        let mut order = [0usize; MAX_SLOTS];
        let mut n = 0;
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(s) = s {
                let at = order[..n]
                    .iter()
                    .position(|&j| {
                        self.slots[j]
                            .as_ref()
                            .is_some_and(|o| seq_before(s.start, o.start))
                    })
                    .unwrap_or(n);
                order.copy_within(at..n, at + 1);
                order[at] = i;
                n += 1;
            }
        }
        let mut starts = [0u32; MAX_SLOTS];
        for (d, &i) in starts.iter_mut().zip(order[..n].iter()) {
            *d = self.slots[i].as_ref().map_or(0, |s| s.start);
        }
        let mut sealed = 0;
        for_each_run(&starts[..n], seq, payload.len(), |off, len, k| -> Result {
            let at = seq.wrapping_add(off as u32);
            let run = &mut payload[off..off + len];
            match k.and_then(|k| self.slots[order[k]].as_mut()) {
                Some(slot) => sealed += slot.sealer.seal_segment(records, at, run)?,
                None => no_key(records, at, len)?,
            }
            Ok(())
        })?;
        Ok(sealed)
    }
}

/// `ENOKEY`: a record of a generation the flow does not hold.
fn no_key_error() -> Error {
    Error::from_errno(-(kernel::bindings::ENOKEY as i32))
}

/// Bytes before every generation's start: `ENOKEY` unless they lie before
/// the offload's start marker (sent before it, passed as they are).
fn no_key(records: &mut NicRecords, seq: u32, len: usize) -> Result {
    let mut off = 0;
    while off < len {
        let found = records
            .find(seq.wrapping_add(off as u32))
            .ok_or_else(no_key_error)?;
        if found.len != 0 {
            return Err(no_key_error());
        }
        off += (found.end_seq.wrapping_sub(seq) as usize)
            .saturating_sub(off)
            .max(1);
    }
    Ok(())
}

/// The records of a flow's socket, found through `tls_get_record()`.
///
/// # Invariants
///
/// `ctx` is the socket's live offload context, its lock held.
struct NicRecords(*mut bindings::tls_offload_context_tx);

impl Records for NicRecords {
    type Record = *mut bindings::tls_record_info;

    fn find(&mut self, seq: u32) -> Option<Found<Self::Record>> {
        let (mut rcd_sn, mut end_seq, mut len) = (0, 0, 0);
        // SAFETY: by the type invariant; the out pointers are locals.
        let raw =
            unsafe { bindings::tnic_get_record(self.0, seq, &mut rcd_sn, &mut end_seq, &mut len) };
        (!raw.is_null()).then_some(Found {
            record: raw.cast(),
            rcd_sn,
            end_seq,
            len,
        })
    }

    fn copy(&mut self, record: &Self::Record, dst: &mut [u8]) -> usize {
        // SAFETY: `record` is a live record of the context (its lock is
        // held, type invariant); `dst` is writable for its length.
        unsafe { bindings::tlsr_record_copy(*record, dst.as_mut_ptr(), dst.len() as u32) as usize }
    }
}

/// `tls_dev_add` (TX): a flow for the `crypto_info` at `info`, its records
/// from TCP sequence number `start` on (slot 0).
///
/// # Safety
///
/// `flow` is writable; `info` is valid for `len` bytes.
#[no_mangle]
unsafe extern "C" fn tnic_flow_add(
    flow: *mut *mut c_void,
    info: *const u8,
    len: u32,
    start: u32,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let info = unsafe { core::slice::from_raw_parts(info, len as usize) };
    let built = Sealer::new(info).and_then(|sealer| {
        let mut slots = [const { None }; MAX_SLOTS];
        slots[0] = Some(KBox::new(Slot { start, sealer }, GFP_KERNEL)?);
        Ok(KBox::new(Flow { slots }, GFP_KERNEL)?)
    });
    match built {
        Ok(f) => {
            // SAFETY: writable by the caller's guarantee.
            unsafe { flow.write(KBox::into_raw(f).cast()) };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `gen_add` (TX), outside the flow's lock: a key for `slot` of a flow,
/// from the `crypto_info` at `info`, for the records from TCP sequence
/// number `start` on; null if it cannot be made.
///
/// # Safety
///
/// `info` is valid for `len` bytes.
#[no_mangle]
unsafe extern "C" fn tnic_key_new(info: *const u8, len: u32, start: u32) -> *mut c_void {
    // SAFETY: guaranteed by the caller.
    let info = unsafe { core::slice::from_raw_parts(info, len as usize) };
    Sealer::new(info)
        .and_then(|sealer| Ok(KBox::new(Slot { start, sealer }, GFP_KERNEL)?))
        .map_or(core::ptr::null_mut(), |k| KBox::into_raw(k).cast())
}

/// Frees (and wipes) a key from [`tnic_key_new`] or [`tnic_flow_take`];
/// null does nothing.
///
/// # Safety
///
/// `key` is such a key, not used again, or null.
#[no_mangle]
unsafe extern "C" fn tnic_key_free(key: *mut c_void) {
    if !key.is_null() {
        // SAFETY: guaranteed by the caller.
        drop(unsafe { KBox::from_raw(key.cast::<Slot>()) });
    }
}

/// `gen_add` (TX), under the flow's lock: `key` goes in `slot` of `flow`.
/// `EBUSY` if the slot holds one, `EINVAL` if there is no such slot; the
/// key stays the caller's then.
///
/// # Safety
///
/// `flow` is a live flow whose socket's offload context lock the caller
/// holds (as `tnic_flow_tx`'s callers do); `key` comes from
/// [`tnic_key_new`].
#[no_mangle]
unsafe extern "C" fn tnic_flow_put(flow: *mut c_void, slot: u32, key: *mut c_void) -> i32 {
    // SAFETY: guaranteed by the caller.
    let flow = unsafe { &mut *flow.cast::<Flow>() };
    let Some(s) = flow.slots.get_mut(slot as usize) else {
        return EINVAL.to_errno();
    };
    if s.is_some() {
        return EBUSY.to_errno();
    }
    // SAFETY: a key of `tnic_key_new`, ours from here on.
    *s = Some(unsafe { KBox::from_raw(key.cast::<Slot>()) });
    0
}

/// `gen_del` (TX), under the flow's lock: takes the key out of `slot` of
/// `flow` (null if empty), for [`tnic_key_free`] outside the lock.
///
/// # Safety
///
/// As for [`tnic_flow_put`].
#[no_mangle]
unsafe extern "C" fn tnic_flow_take(flow: *mut c_void, slot: u32) -> *mut c_void {
    // SAFETY: guaranteed by the caller.
    let flow = unsafe { &mut *flow.cast::<Flow>() };
    flow.slots
        .get_mut(slot as usize)
        .and_then(Option::take)
        .map_or(core::ptr::null_mut(), |k| KBox::into_raw(k).cast())
}

/// `tls_dev_del` (TX): frees a flow.
///
/// # Safety
///
/// `flow` comes from `tnic_flow_add()` and is not used again.
#[no_mangle]
unsafe extern "C" fn tnic_flow_del(flow: *mut c_void) {
    // SAFETY: guaranteed by the caller.
    drop(unsafe { KBox::from_raw(flow.cast::<Flow>()) });
}

/// Encrypts the record bytes of a segment's payload in place; returns the
/// number of records encrypted, or a negative errno (the segment is
/// dropped).
///
/// # Safety
///
/// `flow` is a live flow, `ctx` its socket's offload context with its lock
/// held (which also serialises the flow's users), `payload` valid for `len`
/// bytes.
#[no_mangle]
unsafe extern "C" fn tnic_flow_tx(
    flow: *mut c_void,
    ctx: *mut bindings::tls_offload_context_tx,
    seq: u32,
    payload: *mut u8,
    len: u32,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let (flow, payload) = unsafe {
        (
            &mut *flow.cast::<Flow>(),
            core::slice::from_raw_parts_mut(payload, len as usize),
        )
    };
    // INVARIANT: `ctx` is live and locked, by the caller's guarantee.
    match flow.seal(&mut NicRecords(ctx), seq, payload) {
        Ok(n) => n as i32,
        Err(e) => e.to_errno(),
    }
}

module! {
    type: TlsNic,
    name: "tlsnic",
    authors: ["tls_rekey developers"],
    description: "Simulated TLS-offload NIC with real crypto (tls_rekey tests)",
    license: "GPL",
}

struct TlsNic;

impl kernel::Module for TlsNic {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: registers static operations; undone in `drop`.
        kernel::error::to_result(unsafe { bindings::tnic_glue_init() })?;
        Ok(Self)
    }
}

impl Drop for TlsNic {
    fn drop(&mut self) {
        // SAFETY: registered in `init`.
        unsafe { bindings::tnic_glue_exit() };
    }
}
