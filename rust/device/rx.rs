// SPDX-License-Identifier: GPL-2.0

//! Device RX (`tls_device.c`'s RX role): a socket whose route's lowest
//! device offers `NETIF_F_HW_TLS_RX` and accepts the key gets records the
//! device decrypted in skbs marked decrypted. The reader keeps that mark
//! per byte (`sw_rx.rs`): a record the device decrypted whole is taken as
//! it is, one it did not touch is opened in software, and one it decrypted
//! in part has those parts encrypted again before it is opened in
//! software, as upstream. Drivers that lose track of the stream ask for a
//! resync (`tls_offload_rx_resync_request()`), answered when the reader
//! reaches the record they named. A TLS 1.3 KeyUpdate takes RX off the
//! device.

use super::caps;
use super::list;
use crate::bindings;
use crate::context::{Context, Detached, Dir};
use crate::logic::record::HEADER_LEN;
use crate::proc::Stat;
use crate::sock::{Sock, SockGuard};
use crate::sw_rx::Rx;
use kernel::prelude::*;

/// The device RX state of a socket (`priv_ctx_rx` with `TLS_HW`).
///
/// `offload` comes first: drivers read it through `tls_offload_ctx_rx()`
/// (resync requests, their `driver_state`).
#[repr(C)]
pub(crate) struct DevRx {
    offload: bindings::tls_offload_context_rx,
    rx: Pin<KBox<Rx>>,
}

impl DevRx {
    /// The RX state.
    pub(crate) fn rx(&self) -> Pin<&Rx> {
        self.rx.as_ref()
    }
}

/// Puts the first RX key of `sk` on its route's device if the device
/// takes it (`tls_set_device_offload_rx()`); the key is already in `ctx`.
/// Gives `rx` back when RX stays in software.
pub(crate) fn offload(
    sk: &SockGuard<'_>,
    ctx: &Context,
    rx: Pin<KBox<Rx>>,
) -> core::result::Result<(), Pin<KBox<Rx>>> {
    // SAFETY: `sk` is locked; the helper takes RCU itself.
    let dev = unsafe { bindings::tlsr_sk_offload_netdev(sk.as_ptr()) };
    if dev.is_null() {
        return Err(rx);
    }
    // SAFETY: `dev` is held.
    let capable = unsafe { bindings::tlsr_netdev_can_tls_rx(dev) };
    let slot =
        if capable && caps::offloadable(ctx.version(), ctx.cipher_type(), dev, caps::TLS13_RX) {
            KBox::<DevRx>::new_uninit(GFP_KERNEL).ok()
        } else {
            None
        };
    let Some(slot) = slot else {
        // SAFETY: the reference taken above.
        unsafe { bindings::tlsr_dev_put(dev) };
        return Err(rx);
    };
    let mut dev_rx = KBox::write(
        slot,
        DevRx {
            // SAFETY: a C struct of integers, atomics and a pointer, for
            // which all zeroes is valid; initialised just below.
            offload: unsafe { core::mem::zeroed() },
            rx,
        },
    );
    // SAFETY: the fresh, boxed context; nothing else sees it yet.
    unsafe { bindings::tlsr_offload_rx_init(&raw mut dev_rx.offload) };
    let raw = KBox::into_raw(dev_rx);
    // Drivers set the resync type and their state in `tls_dev_add`.
    ctx.set_dev_rx(sk, raw);
    let added = list::add(ctx.as_ptr(), dev, Dir::Rx, || {
        // SAFETY: `dev` is held and up; the context holds the key.
        let ok = unsafe { bindings::tlsr_tls_dev_add_rx(dev, sk.as_ptr(), ctx.as_ptr()) } == 0;
        if ok {
            // SAFETY: `sk` is locked; the list holds `dev` for the socket.
            unsafe { bindings::tlsr_device_rx_attach(sk.as_ptr(), ctx.as_ptr(), dev) };
        }
        ok
    });
    if !added {
        ctx.clear_dev_rx(sk);
        // SAFETY: `raw` came from `KBox::into_raw` above; nothing else
        // refers to it any more (the device refused the key).
        let DevRx { rx, .. } = KBox::into_inner(unsafe { KBox::from_raw(raw) });
        return Err(rx);
    }
    Stat::RxDevice.inc(sk);
    Stat::CurrRxDevice.inc(sk);
    Ok(())
}

/// `tls_device_rx_resync_new_rec()`: the record starting at TCP sequence
/// `seq`, record sequence `rcd_sn`, is about to be opened; if the driver
/// asked for this record (`TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ`: the request
/// names the TCP sequence of the header's last byte), it is told.
pub(crate) fn resync_new_rec(sk: &Sock, ctx: &Context, seq: u32, rcd_sn: u64) {
    let Some(dev_rx) = ctx.dev_rx() else {
        return;
    };
    if ctx.test_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED) {
        return;
    }
    let seq = seq.wrapping_add(HEADER_LEN as u32 - 1);
    // SAFETY: the device RX state lives as long as the context's RX.
    if !unsafe { bindings::tlsr_offload_rx_resync_take(&raw mut (*dev_rx).offload, seq) } {
        return;
    }
    list::with_device(ctx.as_ptr(), Dir::Rx, |dev| {
        if let Some(dev) = dev {
            // SAFETY: the list holds the device, which has the key.
            unsafe { bindings::tlsr_tls_dev_resync_rx(dev, sk.as_ptr(), seq, rcd_sn) };
        }
    });
    Stat::RxDeviceResync.inc(sk);
}

/// The device went down (`tls_device_down()`): RX no longer expects
/// anything of it (no resync answers); skbs it decrypted until now are
/// still taken as such.
///
/// # Safety
///
/// `ctx` is a live context (a device list entry's).
pub(super) unsafe fn degrade(ctx: *mut bindings::tls_context) {
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::tlsr_device_rx_degrade(ctx) };
}

/// A TLS 1.3 KeyUpdate was received, or a TLS 1.3 RX rekey is installed:
/// the device holds only the key before it, so RX leaves the device (no
/// more resync answers, the key deleted). Records after the KeyUpdate that
/// it already transformed are undone by the reader with that key
/// (`RxInner::rekey`). Several key generations on the device are the next
/// step.
pub(crate) fn leave_on_key_update(ctx: &Context) {
    if ctx.dev_rx().is_none() || ctx.test_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED) {
        return;
    }
    ctx.set_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED);
    del_key(ctx.as_ptr());
}

/// Takes the RX key of the socket of `ctx` off its device (`tls_dev_del`),
/// if it is there.
pub(super) fn del_key(ctx: *mut bindings::tls_context) {
    list::del(ctx, Dir::Rx, |dev| {
        // SAFETY: the list holds the device, which has the key.
        unsafe { bindings::tlsr_tls_dev_del_rx(dev, ctx) }
    });
}

/// `tls_device_offload_cleanup_rx()`: the socket closes; its RX key
/// leaves the device. The context stays attached until `sk_destruct`, as
/// upstream: drivers may still look at it (a late resync completion, a
/// packet still in their rings).
pub(crate) fn cleanup(sk: &Sock, ctx: &Context) {
    if ctx.dev_rx().is_none() {
        return;
    }
    ctx.set_flag(bindings::tls_context_flags_TLS_RX_DEV_CLOSED);
    del_key(ctx.as_ptr());
    Stat::CurrRxDevice.add(sk, -1);
}

/// `tls_device_sk_destruct()` of a socket with only RX on a device: its
/// key left the device at close; the context is freed (nothing sleeps
/// here: this may run in softirq).
pub(super) fn destruct(ctx: Context) {
    if ctx.dev_rx().is_none() {
        return;
    }
    // SAFETY: the socket is being freed; nothing else refers to the
    // context any more.
    drop(unsafe { Detached::from_raw(ctx.as_ptr()) });
}
