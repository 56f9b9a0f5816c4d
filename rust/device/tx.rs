// SPDX-License-Identifier: GPL-2.0

//! Device TX (`tls_device.c`'s TX role): a socket whose route's lowest
//! device offers `NETIF_F_HW_TLS_TX` and accepts the key hands TCP its
//! records in plaintext, framed for the device to seal (prepend, data,
//! TLS 1.3's content type, zeroed tag), in skbs marked decrypted. Every
//! record stays on the device TX context's list, where drivers find it
//! with `tls_get_record()`, until TCP has it acknowledged; skbs that leave
//! through another device are sealed by the software fallback from it.

use super::caps;
use super::fallback;
use super::list;
use super::offload_tx::OffloadTx;
use super::sealer::Sealer;
use super::tx_gens::{GenOps, TxGens};
use crate::bindings;
use crate::context::{Context, Detached, Dir};
use crate::proc::Stat;
use crate::skb::Skb;
use crate::sock::{Sock, SockGuard};
use crate::sw_tx::Tx;
use core::marker::PhantomData;
use core::mem::offset_of;
use core::ptr::NonNull;
use kernel::prelude::*;

/// The device TX state of a socket (`priv_ctx_tx` with `TLS_HW`).
///
/// `offload` comes first: drivers read it through `tls_offload_ctx_tx()`;
/// `head` is where the C write-space callback finds the TX state's head
/// (`struct tlsr_dev_tx`).
#[repr(C)]
pub(crate) struct DevTx {
    offload: bindings::tls_offload_context_tx,
    head: *mut bindings::tlsr_tx_head,
    /// Records, their TCP pushes and the key sequence, as in software.
    tx: KBox<Tx>,
    /// The key generations on the device and the fallback's keys, used
    /// under `offload.lock`.
    gens: TxGens,
    /// The driver's generation operations if it holds several per flow;
    /// set once, read without the lock.
    ops: Option<GenOps>,
}

const _: () = assert!(offset_of!(DevTx, head) == offset_of!(bindings::tlsr_dev_tx, head));

impl DevTx {
    /// The TX state.
    ///
    /// # Safety
    ///
    /// `this` is a live device TX state; the caller holds the socket lock
    /// and no other reference to the TX state exists.
    pub(crate) unsafe fn tx<'a>(this: *mut Self) -> &'a mut Tx {
        // SAFETY: guaranteed by the caller.
        unsafe { &mut (*this).tx }
    }

    /// The driver's generation operations (`None`: one key per flow).
    ///
    /// # Safety
    ///
    /// `this` is a live device TX state.
    pub(crate) unsafe fn ops(this: *mut Self) -> Option<GenOps> {
        // SAFETY: guaranteed by the caller; the field never changes.
        unsafe { (*this).ops }
    }

    /// The key generations, for a driver's `tls_get_record()`.
    ///
    /// # Safety
    ///
    /// `this` is a live device TX state whose `offload.lock` the caller
    /// holds for `'a`.
    pub(crate) unsafe fn gens_locked<'a>(this: *mut Self) -> &'a TxGens {
        // SAFETY: guaranteed by the caller.
        unsafe { &(*this).gens }
    }

    /// The device TX context with its lock held, until the guard drops.
    ///
    /// # Safety
    ///
    /// `this` is a live device TX state.
    pub(crate) unsafe fn lock<'a>(this: *mut Self) -> Locked<'a> {
        // SAFETY: `this` is live; the lock was initialised in `offload`.
        let flags = unsafe { bindings::tlsr_offload_lock(&raw mut (*this).offload) };
        Locked {
            dev: this,
            flags,
            _live: PhantomData,
        }
    }
}

/// A device TX context with its `lock` held (irqsave, as drivers take it).
///
/// # Invariants
///
/// `dev` is a live device TX state for `'a`, its `offload.lock` held. Only
/// the fields the lock guards are reached through it (the TX state is the
/// socket lock's), so no reference to the whole state is made.
pub(crate) struct Locked<'a> {
    dev: *mut DevTx,
    flags: usize,
    _live: PhantomData<&'a mut DevTx>,
}

impl Locked<'_> {
    /// The record list, as drivers see it.
    pub(crate) fn offload(&mut self) -> &OffloadTx {
        // SAFETY: initialised, and its lock is held for the guard's life.
        unsafe { OffloadTx::from_raw(&raw mut (*self.dev).offload) }
    }

    /// The key generations.
    pub(crate) fn gens(&mut self) -> &mut TxGens {
        // SAFETY: only used under the lock, held for the guard's life.
        unsafe { &mut (*self.dev).gens }
    }

    /// Appends `rec` to the record list (see [`OffloadTx::append`]).
    pub(crate) fn append(&mut self, rec: KBox<bindings::tls_record_info>) {
        self.offload().append(rec);
        self.gens().appended();
    }

    /// Starts the record list again for a key going onto the device:
    /// records before `start` (a start marker) pass it as they are, the
    /// next record has sequence number `rcd_sn`, the driver's state is
    /// cleared, and `gens` (that key's) replace the generations, which are
    /// given back (to free outside the lock).
    pub(crate) fn restart(
        &mut self,
        start: KBox<bindings::tls_record_info>,
        rcd_sn: u64,
        gens: TxGens,
    ) -> TxGens {
        let offload = self.offload();
        offload.free_all();
        offload.append(start);
        // SAFETY: the lock is held; the driver is not on the context (its
        // key was deleted), so nothing else reads these fields.
        unsafe {
            let o = &raw mut (*self.dev).offload;
            (*o).unacked_record_sn = rcd_sn.wrapping_sub(1);
            (*o).hint_record_sn = 0;
            core::ptr::write_bytes(&raw mut (*o).driver_state, 0, 1);
        }
        core::mem::replace(self.gens(), gens)
    }

    /// The record list and the generations.
    pub(crate) fn offload_and_gens(&mut self) -> (&OffloadTx, &mut TxGens) {
        // SAFETY: as in `offload` and `gens`.
        unsafe {
            (
                OffloadTx::from_raw(&raw mut (*self.dev).offload),
                &mut (*self.dev).gens,
            )
        }
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        // SAFETY: taken in `DevTx::lock`.
        unsafe { bindings::tlsr_offload_unlock(&raw mut (*self.dev).offload, self.flags) };
    }
}

/// The TX key of `ctx` goes on `dev` (whose reference the device list
/// takes over) with `tls_dev_add`, starting at TCP sequence number
/// `write_seq`, and the socket is attached to it; whether it was.
pub(super) fn add_key(
    sk: &SockGuard<'_>,
    ctx: &Context,
    dev: *mut bindings::net_device,
    write_seq: u32,
) -> bool {
    list::add(ctx.as_ptr(), dev, Dir::Tx, || {
        let (sk, c) = (sk.as_ptr(), ctx.as_ptr());
        // SAFETY: `dev` is held and up; the context holds the key and the
        // driver finds the device TX context through it.
        let ok = unsafe { bindings::tlsr_tls_dev_add_tx(dev, sk, c, write_seq) } == 0;
        if ok {
            // SAFETY: `sk` is locked; the list holds `dev` for the socket.
            unsafe { bindings::tlsr_device_tx_attach(sk, c, dev) };
        }
        ok
    })
}

/// A start marker at `write_seq`: bytes before it pass the device as
/// they are.
pub(super) fn start_marker(write_seq: u32) -> Result<KBox<bindings::tls_record_info>> {
    let marker = bindings::tls_record_info {
        end_seq: write_seq,
        ..Default::default()
    };
    Ok(KBox::new(marker, GFP_KERNEL)?)
}

/// Puts the first TX key of `sk` on its route's device if the device
/// takes it (`tls_set_device_offload()`); the key is already in `ctx`.
/// Gives `tx` back when TX stays in software.
pub(crate) fn offload(
    sk: &SockGuard<'_>,
    ctx: &Context,
    mut tx: KBox<Tx>,
) -> core::result::Result<(), KBox<Tx>> {
    let Some(dev) = caps::route_device(sk, ctx, Dir::Tx) else {
        return Err(tx);
    };
    let (write_seq, _) = sk.tcp_write_seq_and_una();
    let rcd_sn = tx.key.seq;
    let gen_ops = caps::generations(dev, Dir::Tx);
    let ops = gen_ops.map(|(o, _)| GenOps(o));
    let n = gen_ops.map_or(1, |(_, n)| n);
    let built = Sealer::new(ctx.crypto_info(Dir::Tx)).and_then(|sealer| {
        let gens = TxGens::new(tx.key.generation, write_seq, rcd_sn, sealer, n)?;
        let start = start_marker(write_seq)?;
        let slot = KBox::<DevTx>::new_uninit(GFP_KERNEL)?;
        Ok((gens, start, slot))
    });
    let Ok((gens, start, slot)) = built else {
        // SAFETY: the reference taken by `route_device`.
        unsafe { bindings::tlsr_dev_put(dev) };
        return Err(tx);
    };
    let head = tx.head_ptr();
    let mut dev_tx = KBox::write(
        slot,
        DevTx {
            offload: Default::default(),
            head,
            tx,
            gens,
            ops,
        },
    );
    let o = &raw mut dev_tx.offload;
    // SAFETY: `o` is the fresh, boxed context; nothing else sees it yet.
    unsafe {
        bindings::tlsr_offload_init(o);
        (*o).unacked_record_sn = rcd_sn.wrapping_sub(1);
        (*o).ctx = ctx.as_ptr();
        bindings::tlsr_record_add_tail(KBox::into_raw(start), o);
    }
    let raw = KBox::into_raw(dev_tx);
    // SAFETY: `raw` is live (the context owns it from the next line on).
    unsafe { (*raw).tx.set_device(Some(offload_ptr(raw))) };
    ctx.set_dev_tx(sk, raw);
    // SAFETY: `sk` is locked; the callback finds the state set just above.
    unsafe { bindings::tlsr_device_tx_start(sk.as_ptr(), Some(clean_acked)) };
    if !add_key(sk, ctx, dev, write_seq) {
        // SAFETY: `sk` is locked.
        unsafe { bindings::tlsr_device_tx_stop(sk.as_ptr()) };
        ctx.clear_dev_tx(sk);
        // SAFETY: `raw` came from `KBox::into_raw` above; nothing else
        // refers to it any more (the device refused it).
        let mut dev_tx = unsafe { KBox::from_raw(raw) };
        dev_tx.tx.set_device(None);
        // SAFETY: no other user of the list: free the start marker.
        unsafe { OffloadTx::from_raw(&raw mut dev_tx.offload) }.free_all();
        let DevTx { tx, .. } = KBox::into_inner(dev_tx);
        return Err(tx);
    }
    Stat::TxDevice.inc(sk);
    Stat::CurrTxDevice.inc(sk);
    Ok(())
}

/// `icsk_clean_acked`: TCP acknowledged everything before `acked_seq`.
///
/// # Safety
///
/// Called by TCP with a locked socket whose device TX state is live.
unsafe extern "C" fn clean_acked(sk: *mut bindings::sock, acked_seq: u32) {
    // SAFETY: guaranteed by the caller.
    let Some(sk) = (unsafe { Sock::from_raw(sk) }) else {
        return;
    };
    if let Some(dev) = Context::get(&sk).and_then(|c| c.dev_tx()) {
        // SAFETY: live while TCP calls this (disabled before it is freed).
        unsafe { DevTx::lock(dev) }.offload().clean_acked(acked_seq);
    }
}

/// `tls_device_sk_destruct()` for TX: the socket is being freed, no skb
/// of it is left. Records go now; the key leaves the device and the state
/// is freed by a work item (drivers may sleep in `tls_dev_del`).
pub(crate) fn destruct(sk: &Sock, ctx: Context) {
    let Some(dev) = ctx.dev_tx() else {
        // RX only: its key left the device at close.
        super::rx::destruct(ctx);
        return;
    };
    // SAFETY: the socket is being destroyed: TCP calls nothing any more.
    unsafe { bindings::tlsr_device_tx_stop(sk.as_ptr()) };
    // SAFETY: live until the work below frees it.
    unsafe { DevTx::lock(dev) }.offload().free_all();
    // SAFETY: the offload context is live and its work is not queued yet.
    unsafe { bindings::tlsr_offload_queue_destruct(&raw mut (*dev).offload, Some(destruct_work)) };
}

/// Takes the key off the device and frees the socket's TLS state.
///
/// # Safety
///
/// Queued by [`destruct`] with a device TX state's `destruct_work`.
unsafe extern "C" fn destruct_work(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the `destruct_work` of a live offload context.
    let o = unsafe { bindings::tlsr_offload_of_work(work) };
    // SAFETY: `ctx` was set when the context was built (`offload`).
    let c = unsafe { (*o).ctx };
    list::del(c, Dir::Tx, |dev| {
        // SAFETY: the device is held by the list and has the key.
        unsafe { bindings::tlsr_tls_dev_del_tx(dev, c) }
    });
    super::rx::del_key(c);
    // SAFETY: the socket is gone; nothing else refers to the context.
    drop(unsafe { Detached::from_raw(c) });
}

/// The validator of a socket that left its device (`tls_validate_xmit_skb_sw`
/// of upstream): its record skbs are sealed in software whatever device
/// they leave through, and drivers no longer take them as offloaded.
///
/// # Safety
///
/// Called by the stack's xmit validation with valid `sk`, `dev` and `skb`.
unsafe extern "C" fn validate_xmit_skb_sw(
    sk: *mut bindings::sock,
    _dev: *mut bindings::net_device,
    skb: *mut bindings::sk_buff,
) -> *mut bindings::sk_buff {
    // SAFETY: guaranteed by the caller.
    let (Some(sk), Some(skb)) = (unsafe { (Sock::from_raw(sk), Skb::from_raw(skb)) }) else {
        return core::ptr::null_mut();
    };
    match Context::get(&sk) {
        Some(ctx) => fallback_skb(&ctx, skb, None).map_or(core::ptr::null_mut(), Skb::into_raw),
        None => skb.into_raw(),
    }
}

/// Switches the socket of `ctx` to the software-only validator and clears
/// `ctx->netdev`: drivers no longer take its skbs as offloaded.
///
/// # Safety
///
/// `ctx` is a live context of a live socket (a device list entry's).
pub(super) unsafe fn to_software_validator(ctx: *mut bindings::tls_context) {
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::tlsr_device_tx_leave(ctx, Some(validate_xmit_skb_sw)) };
}

/// NETDEV_DOWN of a device with TLS offload (`tls_device_down()`): its
/// sockets leave it; their record skbs are sealed by the software fallback
/// from now on and their records opened in software, so nothing is lost.
///
/// # Safety
///
/// Called by the netdev notifier (RTNL held) with a registered device.
unsafe extern "C" fn netdev_down(dev: *mut bindings::net_device) -> core::ffi::c_int {
    list::leave(dev, None, true);
    0
}

/// `tls_device_resync_tx()`: a driver asked for a TX resync
/// (`tls_offload_tx_resync_request()`); the record about to be queued,
/// starting at TCP sequence `seq` with record sequence `rcd_sn`, is where
/// the device picks the stream up again. TCP's write queue is fenced so
/// the record starts an skb. The request stays pending if the driver
/// fails it.
pub(crate) fn resync_if_requested(
    sk: &SockGuard<'_>,
    ctx: *mut bindings::tls_context,
    seq: u32,
    rcd_sn: u64,
) {
    // SAFETY: `ctx` is the socket's live context; the flag word is atomic.
    if !unsafe { bindings::tlsr_ctx_tx_resync_pending(ctx) } {
        return;
    }
    sk.tcp_write_collapse_fence();
    list::with_device(ctx, Dir::Tx, |dev| {
        let Some(dev) = dev else {
            return;
        };
        // SAFETY: the device is held and has the key (the list keeps it
        // from going down meanwhile).
        if unsafe { bindings::tlsr_tls_dev_resync_tx(dev, sk.as_ptr(), seq, rcd_sn) } == 0 {
            // SAFETY: as above.
            unsafe { bindings::tlsr_ctx_tx_resync_done(ctx) };
        }
    });
}

/// The device TX context (the first field) of a device TX state.
pub(super) fn offload_ptr(dev: *mut DevTx) -> NonNull<bindings::tls_offload_context_tx> {
    // SAFETY: only the address of the field is taken; `dev` is not null.
    unsafe { NonNull::new_unchecked(&raw mut (*dev).offload) }
}

/// The device side of the module: the destruct workqueue and the netdev
/// notifier; dropping it waits for queued destructions.
pub(crate) struct Registration;

impl Registration {
    /// Sets up device offload; called once at module load.
    pub(crate) fn new() -> Result<Self> {
        list::init();
        caps::init();
        // SAFETY: `netdev_down` stays valid until `tlsr_device_exit()`.
        kernel::error::to_result(unsafe { bindings::tlsr_device_init(Some(netdev_down)) })?;
        Ok(Self)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: set up in `new`.
        unsafe { bindings::tlsr_device_exit() };
        // Every socket is gone and the destruct work flushed: free the
        // list's storage (a static is never dropped).
        list::exit();
        caps::exit();
    }
}

/// `tls_encrypt_skb()` and the validator's fallback: `skb` of the socket
/// of `ctx` sealed in software (its records also counted in `cause`);
/// `None` if it was dropped.
pub(crate) fn fallback_skb(ctx: &Context, skb: Skb, cause: Option<Stat>) -> Option<Skb> {
    let Some(dev) = ctx.dev_tx() else {
        // Not a device TX socket: nothing of it is marked for a device.
        return Some(skb);
    };
    // SAFETY: the device TX state lives until `sk_destruct`, after the
    // socket's last skb.
    unsafe { fallback::encrypt_skb(dev, skb, cause) }
}

/// Whether a record of `skb`, framed for the device, is of a key
/// generation the device gave up while TCP may still send it again (a
/// device with several generations, its oldest evicted by a rekey): the
/// fallback seals such an skb before it reaches the driver.
pub(crate) fn lacks_generation(ctx: &Context, skb: &Skb) -> bool {
    let Some(dev) = ctx.dev_tx() else {
        return false;
    };
    // SAFETY: the device TX state lives until `sk_destruct`, after the
    // socket's last skb.
    if unsafe { DevTx::ops(dev) }.is_none() {
        // One key per flow: never a record of a generation given up.
        return false;
    }
    let mut seq = 0;
    // SAFETY: `skb` is a valid TCP skb; `seq` is a local.
    let len = unsafe { bindings::tlsr_skb_decrypted_payload(skb.as_ptr(), &mut seq) };
    if len == 0 {
        return false;
    }
    // SAFETY: as above.
    !unsafe { DevTx::lock(dev) }
        .gens()
        .on_device(seq, len as usize)
}
