// SPDX-License-Identifier: GPL-2.0

//! tls.ko's driver-facing exports, defined here with upstream's prototypes
//! and exported under tls.ko's names and licenses by `rust/exports.c`.
//! Drivers call them directly and compare `sk_validate_xmit_skb` and
//! `sk_destruct` with their addresses (`tls_is_skb_tx_device_offloaded()`,
//! `tls_is_sk_rx_device_offloaded()` of include/net/tls.h).

use super::offload_tx::OffloadTx;
use super::tx::{self, DevTx};
use crate::bindings;
use crate::context::Context;
use crate::proc::Stat;
use crate::skb::{NetDevice, Skb};
use crate::sock::Sock;
use core::ptr::null_mut;

/// `tls_get_record()`: the record of `context` holding TCP sequence number
/// `seq`; its record sequence number (within its key generation) goes to
/// `*p_record_sn`. Null if none.
///
/// # Safety
///
/// Called by drivers with a socket's live device TX context, its `lock`
/// held, and a writable `p_record_sn`.
#[no_mangle]
unsafe extern "C" fn tls_get_record(
    context: *mut bindings::tls_offload_context_tx,
    seq: u32,
    p_record_sn: *mut u64,
) -> *mut bindings::tls_record_info {
    // SAFETY: guaranteed by the caller.
    let ctx = unsafe { OffloadTx::from_raw(context) };
    match ctx.get_record(seq) {
        Some((rec, list_sn)) => {
            // SAFETY: every device TX context a driver sees is the first
            // field of a device TX state; the caller holds its lock.
            let gens = unsafe { DevTx::gens_locked(context.cast()) };
            // SAFETY: writable by the caller's guarantee.
            unsafe { p_record_sn.write(gens.rcd_sn(rec.start_seq(), list_sn)) };
            rec.as_ptr()
        }
        None => null_mut(),
    }
}

/// `tls_offload_tx_resync_request()`: a driver lost track of the TX record
/// stream; the next record pushed resynchronises the device (the request
/// is the `TLS_TX_SYNC_SCHED` flag that `tls_offload_tx_resync_pending()`
/// reads). A second request before the resync is a driver bug (warns, as
/// upstream).
///
/// # Safety
///
/// Called by drivers with a socket that runs this ULP.
#[no_mangle]
unsafe extern "C" fn tls_offload_tx_resync_request(
    sk: *mut bindings::sock,
    _got_seq: u32,
    _exp_seq: u32,
) {
    // SAFETY: guaranteed by the caller.
    let Some(sk) = (unsafe { Sock::from_raw(sk) }) else {
        return;
    };
    if let Some(ctx) = Context::get(&sk) {
        kernel::warn_on!(ctx.request_tx_resync());
    }
}

/// `tls_validate_xmit_skb()`: the `sk_validate_xmit_skb` of device TX
/// sockets. An skb leaving through the socket's offload device (or a bond
/// above it, which passes it down) goes as it is, unless it holds a record
/// of a key generation that device gave up; any other device gets it
/// encrypted in software.
///
/// # Safety
///
/// Called by the stack's xmit validation with valid `sk`, `dev` and `skb`.
#[no_mangle]
unsafe extern "C" fn tls_validate_xmit_skb(
    sk: *mut bindings::sock,
    dev: *mut bindings::net_device,
    skb: *mut bindings::sk_buff,
) -> *mut bindings::sk_buff {
    // SAFETY: guaranteed by the caller.
    let (Some(sk), Some(dev), Some(skb)) = (unsafe {
        (
            Sock::from_raw(sk),
            NetDevice::from_raw(dev),
            Skb::from_raw(skb),
        )
    }) else {
        return null_mut();
    };
    let Some(ctx) = Context::get(&sk) else {
        return skb.into_raw();
    };
    if !ctx.is_offload_path(dev) {
        return tx::fallback_skb(&ctx, skb, None).map_or(null_mut(), Skb::into_raw);
    }
    if tx::lacks_generation(&ctx, &skb) {
        return tx::fallback_skb(&ctx, skb, Some(Stat::TxDeviceFallbackRetired))
            .map_or(null_mut(), Skb::into_raw);
    }
    skb.into_raw()
}

/// `tls_encrypt_skb()`: drivers hand back an skb of a device TX socket
/// that they cannot offload, to be encrypted in software.
///
/// # Safety
///
/// Called by drivers with a valid skb of a device TX socket.
#[no_mangle]
unsafe extern "C" fn tls_encrypt_skb(skb: *mut bindings::sk_buff) -> *mut bindings::sk_buff {
    // SAFETY: guaranteed by the caller.
    let Some(skb) = (unsafe { Skb::from_raw(skb) }) else {
        return null_mut();
    };
    let Some(ctx) = skb.sock().and_then(|sk| Context::get(&sk)) else {
        return skb.into_raw();
    };
    tx::fallback_skb(&ctx, skb, None).map_or(null_mut(), Skb::into_raw)
}

/// `tls_device_sk_destruct()`: the `sk_destruct` of device sockets; runs
/// the destructor it replaced, then frees the device state.
///
/// # Safety
///
/// Called by the stack with a socket being destroyed.
#[no_mangle]
unsafe extern "C" fn tls_device_sk_destruct(sk: *mut bindings::sock) {
    // SAFETY: guaranteed by the caller.
    let Some(sk) = (unsafe { Sock::from_raw(sk) }) else {
        return;
    };
    if let Some(ctx) = Context::get(&sk) {
        ctx.run_saved_sk_destruct(&sk);
        tx::destruct(&sk, ctx);
    }
}
