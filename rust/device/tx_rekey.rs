// SPDX-License-Identifier: GPL-2.0

//! TLS 1.3 TX rekey of a device socket (Documentation/driver-contract.rst).
//!
//! A driver with several key generations per flow gets the new key in a
//! free slot (or in the slot of its oldest generation, which it gives up)
//! from the first record under it on: no record needs software. Old
//! generations leave their slots once TCP has all their records
//! acknowledged, checked at record boundaries.
//!
//! A driver with one key per flow (every in-tree one) gets the flow of the
//! TLS 1.3 offload series posted to netdev: the socket leaves its device,
//! seals new records in software, and goes back on the device with the new
//! key once TCP has every old-key record acknowledged.

use super::caps;
use super::list;
use super::sealer::Sealer;
use super::tx::{add_key, offload_ptr, start_marker, to_software_validator, DevTx};
use super::tx_gens::{old_keys, Rekeyed, Retired, TxGens};
use crate::bindings;
use crate::context::{Context, Dir};
use crate::proc::Stat;
use crate::sock::SockGuard;
use crate::sw_tx::Tx;

/// A TLS 1.3 TX rekey of a device socket; the new key is already in `ctx`
/// and `tx.key`, and its first record starts after the records framed so
/// far.
pub(crate) fn rekey(sk: &SockGuard<'_>, ctx: &Context, tx: &mut Tx) {
    let Some(dev_tx) = ctx.dev_tx() else {
        return;
    };
    if !tx.on_device() {
        // Waiting for the device already, or in software for good: the key
        // current when a slot frees goes there.
        return;
    }
    let start = tx.next_record_seq(sk);
    let Ok(sealer) = Sealer::new(ctx.crypto_info(Dir::Tx)) else {
        // No memory for the fallback's key: the rest goes in software.
        leave(ctx);
        tx.stay_in_software(sk);
        return;
    };
    // SAFETY: the device TX state lives as long as the socket's TLS state.
    let mut locked = unsafe { DevTx::lock(dev_tx) };
    let (placed, unused) = locked
        .gens()
        .rekey(tx.key.generation, start, tx.key.seq, sealer);
    drop(locked);
    drop(unused);
    match placed {
        Rekeyed::Device { slot, evicted } => {
            if let Some(old) = evicted {
                // Skbs validated for the device before the eviction leave
                // first; later ones of that generation are sealed in
                // software.
                // SAFETY: process context.
                unsafe { bindings::synchronize_net() };
                gen_del(ctx, dev_tx, old);
                Stat::TxDeviceGenEvicted.inc(sk);
            }
            place(sk, ctx, tx, dev_tx, slot, start);
        }
        Rekeyed::Waiting { legacy: true } => {
            leave(ctx);
            tx.wait_for_device(sk);
        }
        Rekeyed::Waiting { legacy: false } => {
            Stat::TxDeviceGenFull.inc(sk);
            tx.wait_for_device(sk);
        }
    }
    tx.set_device_due(due(dev_tx));
}

/// At a record boundary (no record open, none waiting for TCP), once TCP
/// has acknowledged what [`Tx::device_due`] names: generations whose
/// records are all acknowledged leave the device, and a generation waiting
/// for a slot takes one, from the next record on.
pub(crate) fn at_record_boundary(sk: &SockGuard<'_>, ctx: &Context, tx: &mut Tx) {
    if !tx.device_due_passed(sk) {
        return;
    }
    let Some(dev_tx) = ctx.dev_tx() else {
        tx.set_device_due(None);
        return;
    };
    // SAFETY: the device TX state lives as long as the socket's TLS state.
    if unsafe { DevTx::ops(dev_tx) }.is_none() {
        rejoin(sk, ctx, tx, dev_tx);
        return;
    }
    let Ok(mut old) = old_keys() else {
        // Again at the next record boundary.
        return;
    };
    let start = tx.next_record_seq(sk);
    let (_, una) = sk.tcp_write_seq_and_una();
    // SAFETY: as above.
    let sealer = if unsafe { DevTx::lock(dev_tx) }.gens().waiting() {
        // Drivers take the record sequence number from the key's `rec_seq`.
        ctx.set_rec_seq(sk, Dir::Tx, tx.key.seq);
        Sealer::new(ctx.crypto_info(Dir::Tx)).ok()
    } else {
        None
    };
    let mut retired: Retired = Default::default();
    let (n, placed) = {
        // SAFETY: as above.
        let mut l = unsafe { DevTx::lock(dev_tx) };
        let g = l.gens();
        let n = g.retire_acked(una, &mut retired, &mut old);
        (n, sealer.map(|s| g.place_waiting(start, tx.key.seq, s)))
    };
    // The old keys and an unused sealer are freed outside the lock.
    drop(old);
    for &slot in &retired[..n] {
        gen_del(ctx, dev_tx, slot);
    }
    if let Some(Ok(slot)) = placed {
        place(sk, ctx, tx, dev_tx, slot, start);
    }
    tx.set_device_due(due(dev_tx));
}

/// The TCP sequence number whose acknowledgement lets a generation of
/// `dev_tx` leave the device.
fn due(dev_tx: *mut DevTx) -> Option<u32> {
    // SAFETY: the device TX state lives as long as the socket's TLS state.
    unsafe { DevTx::lock(dev_tx) }.gens().due()
}

/// The driver puts the current key in `slot`, for the records from TCP
/// sequence number `start` on; if it refuses, the socket's new records are
/// sealed in software from then on (older generations stay on the device
/// for their retransmissions).
fn place(
    sk: &SockGuard<'_>,
    ctx: &Context,
    tx: &mut Tx,
    dev_tx: *mut DevTx,
    slot: u32,
    start: u32,
) {
    // SAFETY: as in `rekey`.
    let ops = unsafe { DevTx::ops(dev_tx) };
    let added = ops.is_some_and(|ops| {
        list::with_device(ctx.as_ptr(), Dir::Tx, |dev| {
            dev.is_some_and(|dev| {
                // SAFETY: the device is held and has the socket's flow; the
                // context holds the key.
                unsafe {
                    bindings::tlsr_gen_add(
                        ops.0,
                        dev,
                        sk.as_ptr(),
                        ctx.as_ptr(),
                        caps::offload_dir(Dir::Tx),
                        slot,
                        start,
                    ) == 0
                }
            })
        })
    });
    if added {
        tx.placed(sk, offload_ptr(dev_tx));
        Stat::TxDeviceRekey.inc(sk);
    } else {
        // SAFETY: as in `rekey`.
        unsafe { DevTx::lock(dev_tx) }.gens().lose(slot);
        tx.stay_in_software(sk);
        Stat::TxDeviceGenRefused.inc(sk);
    }
}

/// The driver empties `slot` of the socket's flow, if still on the device.
fn gen_del(ctx: &Context, dev_tx: *mut DevTx, slot: u32) {
    // SAFETY: as in `rekey`.
    let Some(ops) = (unsafe { DevTx::ops(dev_tx) }) else {
        return;
    };
    list::with_device(ctx.as_ptr(), Dir::Tx, |dev| {
        if let Some(dev) = dev {
            // SAFETY: the device is held and has the socket's flow.
            unsafe {
                bindings::tlsr_gen_del(ops.0, dev, ctx.as_ptr(), caps::offload_dir(Dir::Tx), slot)
            };
        }
    });
}

/// One key per flow: the socket leaves its device (records framed so far
/// are sealed by the fallback under the key they were framed for, whatever
/// device they leave through) and seals its next records in software.
fn leave(ctx: &Context) {
    match list::with_device(ctx.as_ptr(), Dir::Tx, |dev| dev) {
        Some(dev) => list::leave(dev, Some(ctx.as_ptr()), false),
        // Already off the device (it went down): make sure of the
        // validator all the same.
        // SAFETY: the context and its socket are live.
        None => unsafe { to_software_validator(ctx.as_ptr()) },
    }
}

/// One key per flow, TCP has every record framed for the old key
/// acknowledged and took every record sealed in software since: the
/// current key goes on the route's device as a first offload's does, at
/// `write_seq`, the records sealed in software passing the device as bytes
/// before the start marker. If the device refuses it, the socket stays in
/// software.
fn rejoin(sk: &SockGuard<'_>, ctx: &Context, tx: &mut Tx, dev_tx: *mut DevTx) {
    tx.set_device_due(None);
    let Some(dev) = caps::route_device(sk, ctx, Dir::Tx) else {
        tx.stay_in_software(sk);
        return;
    };
    let (write_seq, _) = sk.tcp_write_seq_and_una();
    // Drivers take the record sequence number from the key's `rec_seq`.
    ctx.set_rec_seq(sk, Dir::Tx, tx.key.seq);
    let (generation, rcd_sn) = (tx.key.generation, tx.key.seq);
    let built = Sealer::new(ctx.crypto_info(Dir::Tx)).and_then(|sealer| {
        let gens = TxGens::new(generation, write_seq, rcd_sn, sealer, 1)?;
        Ok((gens, start_marker(write_seq)?))
    });
    let Ok((gens, start)) = built else {
        // SAFETY: the reference taken by `route_device`.
        unsafe { bindings::tlsr_dev_put(dev) };
        tx.stay_in_software(sk);
        return;
    };
    // SAFETY: as in `rekey`. The old generations are freed once the lock
    // is released.
    let _old = unsafe { DevTx::lock(dev_tx) }.restart(start, rcd_sn, gens);
    if add_key(sk, ctx, dev, write_seq) {
        tx.placed(sk, offload_ptr(dev_tx));
        Stat::TxDeviceRekey.inc(sk);
    } else {
        tx.stay_in_software(sk);
    }
}
