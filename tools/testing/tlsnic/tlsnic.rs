// SPDX-License-Identifier: GPL-2.0

//! tlsnic: a simulated TLS-offload NIC that does real AEAD crypto, for
//! testing kTLS device offload byte for byte (tools/testing/tlsnic).
//!
//! The netdev side (a veth-like pair, `tlsdev_ops`, debugfs) is in
//! `glue.c`; this file holds the TX flows: one per socket offloaded to the
//! device, with its key; the records that segments of a flow carry are
//! encrypted by the main module's `rust/device/sealer.rs`. RX flows and
//! their record decryption are C (`rx.c`, which says why).

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

use sealer::{Found, Records, Sealer};

/// One offloaded socket's TX flow on the device: its key.
type Flow = Sealer;

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

/// `tls_dev_add` (TX): a flow for the `crypto_info` at `info`.
///
/// # Safety
///
/// `flow` is writable; `info` is valid for `len` bytes.
#[no_mangle]
unsafe extern "C" fn tnic_flow_add(flow: *mut *mut c_void, info: *const u8, len: u32) -> i32 {
    // SAFETY: guaranteed by the caller.
    let info = unsafe { core::slice::from_raw_parts(info, len as usize) };
    match Flow::new(info) {
        Ok(f) => {
            // SAFETY: writable by the caller's guarantee.
            unsafe { flow.write(KBox::into_raw(f).cast()) };
            0
        }
        Err(e) => e.to_errno(),
    }
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
    match flow.seal_segment(&mut NicRecords(ctx), seq, payload) {
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
