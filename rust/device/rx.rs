// SPDX-License-Identifier: GPL-2.0

//! Device RX (`tls_device.c`'s RX role): a socket whose route's lowest
//! device offers `NETIF_F_HW_TLS_RX` and accepts the key gets records the
//! device decrypted in skbs marked decrypted. The reader keeps that mark
//! per byte (`sw_rx.rs`): a record the device decrypted whole is taken as
//! it is, one it did not touch is opened in software, and one it decrypted
//! in part has those parts encrypted again before it is opened in
//! software, as upstream. Drivers that lose track of the stream ask for a
//! resync (`tls_offload_rx_resync_request()`), answered when the reader
//! reaches the record they named. TLS 1.3 KeyUpdates: `rx_rekey.rs`.

use super::caps;
use super::list;
use crate::bindings;
use crate::context::{Context, Detached, Dir};
use crate::logic::record::{Layout, HEADER_LEN};
use crate::logic::resync::{self, AsyncLog, AsyncStep, NextHint};
use crate::logic::runs::Cover;
use crate::proc::Stat;
use crate::sock::{Sock, SockGuard};
use crate::sw_rx::Rx;
use core::ptr;
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Full, Relaxed};

// The logic's copies of include/net/tls.h's constants.
const _: () = {
    assert!(resync::REQ_ASYNC == bindings::TLSR_RESYNC_REQ_ASYNC);
    assert!(resync::NH_START_IVAL == bindings::TLS_DEVICE_RESYNC_NH_START_IVAL);
    assert!(resync::NH_MAX_IVAL == bindings::TLS_DEVICE_RESYNC_NH_MAX_IVAL);
};

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
    let Some(dev) = caps::route_device(sk, ctx, Dir::Rx) else {
        return Err(rx);
    };
    let Ok(slot) = KBox::<DevRx>::new_uninit(GFP_KERNEL) else {
        // SAFETY: the reference `route_device` took.
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
    if !add_key(sk, ctx, dev, sk.tcp_copied_seq()) {
        ctx.clear_dev_rx(sk);
        // SAFETY: `raw` came from `KBox::into_raw` above; nothing else
        // refers to it any more (the device refused the key).
        let DevRx { rx, .. } = KBox::into_inner(unsafe { KBox::from_raw(raw) });
        return Err(rx);
    }
    // SAFETY: `raw` is the context's device RX state, live until the
    // socket's destruction.
    let rx = unsafe { (*raw).rx() };
    // Nobody else has the fresh RX state yet: not contended.
    if let Some(mut inner) = rx.try_lock() {
        inner.add_ahead(sk, ctx);
    }
    Stat::RxDevice.inc(sk);
    Stat::CurrRxDevice.inc(sk);
    Ok(())
}

/// The RX key of `ctx` goes on `dev` (whose reference the device list
/// takes over) with `tls_dev_add`, for the records from TCP sequence number
/// `start` on (the first of them of the key's `rec_seq`), and RX is
/// attached to it; whether it was.
pub(super) fn add_key(
    sk: &SockGuard<'_>,
    ctx: &Context,
    dev: *mut bindings::net_device,
    start: u32,
) -> bool {
    list::add(ctx.as_ptr(), dev, Dir::Rx, || {
        let ok =
            // SAFETY: `dev` is held and up; the context holds the key.
            unsafe { bindings::tlsr_tls_dev_add_rx(dev, sk.as_ptr(), ctx.as_ptr(), start) } == 0;
        if ok {
            // SAFETY: `sk` is locked; the list holds `dev` for the socket.
            unsafe { bindings::tlsr_device_rx_attach(sk.as_ptr(), ctx.as_ptr(), dev) };
        }
        ok
    })
}

/// Resets the resync state of `dev_rx` and the driver's, for a new
/// `tls_dev_add`.
///
/// # Safety
///
/// `dev_rx` is live and its key is on no device: neither a driver nor the
/// reader looks at the state meanwhile.
pub(super) unsafe fn reset(dev_rx: *mut DevRx) {
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::tlsr_offload_rx_init(&raw mut (*dev_rx).offload) };
}

/// A record the reader is about to open on a device RX socket.
pub(crate) struct NewRec<'a> {
    /// TCP sequence number of its first byte.
    pub(crate) seq: u32,
    /// Its length, header and tag included.
    pub(crate) len: u32,
    /// Its record sequence number.
    pub(crate) rcd_sn: u64,
    /// The bytes after it the reader already pulled from TCP.
    pub(crate) after: &'a [u8],
    /// The record layout, to read the headers among them.
    pub(crate) layout: Layout,
}

impl NewRec<'_> {
    /// The first record start the device has not seen yet, with its
    /// record sequence: past the headers the reader holds, if TCP holds
    /// nothing more (`None` if it does, or a header is cut short).
    fn next_unseen(&self, sk: &Sock) -> Option<(u32, u64)> {
        if sk.tcp_inq() > 0 {
            return None;
        }
        let (off, records) = resync::next_unseen(self.after, |h| {
            self.layout.parse_header(h).ok().map(|h| h.record_len)
        })?;
        let end = self.seq.wrapping_add(self.len);
        Some((
            end.wrapping_add(off as u32),
            self.rcd_sn.wrapping_add(1 + records),
        ))
    }
}

/// The device RX state of `ctx`, if RX is on a device and counts on it
/// (not degraded: it did not leave the device at a KeyUpdate or for
/// good).
pub(super) fn on_device(ctx: &Context) -> Option<*mut DevRx> {
    let dev_rx = ctx.dev_rx()?;
    (!ctx.test_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED)).then_some(dev_rx)
}

/// The offload RX state of `ctx` that resyncs work on, if RX is on a
/// device.
fn resyncing(ctx: &Context) -> Option<*mut bindings::tls_offload_context_rx> {
    let dev_rx = on_device(ctx)?;
    // SAFETY: the device RX state lives as long as the context's RX.
    Some(unsafe { &raw mut (*dev_rx).offload })
}

/// The CORE_NEXT_HINT state of `o`.
///
/// # Safety
///
/// `o` is the live device RX state of a socket whose reader holds the RX
/// mutex (the only writer).
unsafe fn nh_get(o: *mut bindings::tls_offload_context_rx) -> bindings::tlsr_rx_nh {
    let mut nh = bindings::tlsr_rx_nh::default();
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::tlsr_offload_rx_nh_get(o, &mut nh) };
    nh
}

/// Stores the CORE_NEXT_HINT state of `o`.
///
/// # Safety
///
/// As [`nh_get`], and `o`'s driver chose CORE_NEXT_HINT (the state shares
/// a union with the other types' request words).
unsafe fn nh_set(o: *mut bindings::tls_offload_context_rx, nh: &bindings::tlsr_rx_nh) {
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::tlsr_offload_rx_nh_set(o, nh) };
}

/// `tls_device_rx_resync_new_rec()`: `rec` is about to be opened; if the
/// device waits for this record, it is told where a record starts and its
/// record sequence number, as the resync type its driver chose asks:
/// - DRIVER_REQ: the request names the TCP sequence of the header's last
///   byte;
/// - CORE_NEXT_HINT: a hint is due: the first record start the device
///   has not seen, once that is known;
/// - DRIVER_REQ_ASYNC: the record starts are logged while the request is
///   asynchronous, then the header it settles on is looked up.
pub(crate) fn resync_new_rec(sk: &Sock, ctx: &Context, rec: &NewRec<'_>) {
    let Some(o) = resyncing(ctx) else {
        return;
    };
    // SAFETY: `o` is live; drivers set the type in `tls_dev_add`.
    let (seq, rcd_sn) = match unsafe { bindings::tlsr_offload_rx_resync_type(o) } {
        bindings::tls_offload_sync_type_TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ => {
            let seq = rec.seq.wrapping_add(HEADER_LEN as u32 - 1);
            // SAFETY: the request word of a live context, only accessed
            // atomically (`tls_offload_rx_resync_request()`).
            let req = unsafe { Atomic::from_ptr(bindings::tlsr_offload_rx_resync_req(o).cast()) };
            let v: i64 = req.load(Relaxed);
            if v == 0 || (v >> 32) as u32 != seq || req.cmpxchg(v, 0, Full).is_err() {
                return;
            }
            (seq, rec.rcd_sn)
        }
        bindings::tls_offload_sync_type_TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT => {
            // SAFETY: the reader holds the RX mutex; the driver chose this type.
            let mut nh = unsafe { nh_get(o) };
            if !nh.do_now {
                return;
            }
            let Some(at) = rec.next_unseen(sk) else {
                return;
            };
            nh.do_now = false;
            // SAFETY: as above.
            unsafe { nh_set(o, &nh) };
            at
        }
        bindings::tls_offload_sync_type_TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC => {
            // SAFETY: `o` is live.
            let a = unsafe { bindings::tlsr_offload_rx_resync_async(o) };
            if a.is_null() {
                return;
            }
            // SAFETY: the driver's log lives until `tls_dev_del`, which
            // comes after RX is degraded or closed; its request word is
            // only accessed atomically.
            let req = unsafe { Atomic::from_ptr((&raw mut (*a).req).cast::<i64>()) };
            let v: i64 = req.load(Relaxed);
            if v == 0 {
                return;
            }
            // The log is the core's, under the RX mutex, but the driver
            // resets it when it starts a request (from softirq, as in C):
            // it is copied in and out rather than borrowed.
            // SAFETY: `a` is live (above); plain reads of plain integers.
            let (mut loglen, mut rcd_delta, mut entries) = unsafe {
                (
                    ptr::read_volatile(&raw const (*a).loglen),
                    ptr::read_volatile(&raw const (*a).rcd_delta),
                    ptr::read_volatile(&raw const (*a).log),
                )
            };
            let mut log = AsyncLog {
                loglen: &mut loglen,
                rcd_delta: &mut rcd_delta,
                log: &mut entries,
            };
            let step = log.new_rec(v as u64, rec.seq);
            // SAFETY: as above.
            unsafe {
                ptr::write_volatile(&raw mut (*a).loglen, loglen);
                ptr::write_volatile(&raw mut (*a).rcd_delta, rcd_delta);
                ptr::write_volatile(&raw mut (*a).log, entries);
            }
            match step {
                AsyncStep::Wait => return,
                AsyncStep::Cancel => {
                    req.store(0, Relaxed);
                    return;
                }
                AsyncStep::Resync { seq, rcd_delta } => {
                    if req.cmpxchg(v, 0, Full).is_err() {
                        return;
                    }
                    (seq, rec.rcd_sn.wrapping_sub(rcd_delta.into()))
                }
            }
        }
        _ => return,
    };
    resync(sk, ctx, seq, rcd_sn);
}

/// How much of `rec` the device decrypted, for CORE_NEXT_HINT
/// (`tls_device_decrypted()`): a record that came all ciphertext counts
/// towards the next hint (`tls_device_core_ctrl_rx_resync()`), one the
/// device decrypted something of starts the count over.
pub(crate) fn record_cover(sk: &Sock, ctx: &Context, rec: &NewRec<'_>, cover: Cover) {
    let Some(o) = resyncing(ctx) else {
        return;
    };
    // SAFETY: `o` is live.
    if unsafe { bindings::tlsr_offload_rx_resync_type(o) }
        != bindings::tls_offload_sync_type_TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT
    {
        return;
    }
    // SAFETY: the reader holds the RX mutex; the driver chose this type.
    let mut nh = unsafe { nh_get(o) };
    if cover != Cover::None {
        nh.reset = true;
    } else if !nh.do_now {
        let mut back_off = NextHint {
            failed: nh.failed,
            target: nh.target,
        };
        if back_off.encrypted_record(&mut nh.reset) {
            match rec.next_unseen(sk) {
                Some((seq, rcd_sn)) => resync(sk, ctx, seq, rcd_sn),
                // Hint at a later record start.
                None => nh.do_now = true,
            }
        }
        (nh.failed, nh.target) = (back_off.failed, back_off.target);
    }
    // SAFETY: as above.
    unsafe { nh_set(o, &nh) };
}

/// `tls_device_resync_rx()`: tells the device that the record starting
/// (DRIVER_REQ: whose header ends) at TCP sequence `seq` has record
/// sequence `rcd_sn`.
fn resync(sk: &Sock, ctx: &Context, seq: u32, rcd_sn: u64) {
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
