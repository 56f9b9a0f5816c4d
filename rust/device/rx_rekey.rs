// SPDX-License-Identifier: GPL-2.0

//! TLS 1.3 RX rekey of a device socket (Documentation/driver-contract.rst).
//!
//! The device holds the key before a KeyUpdate only, and cannot tell where
//! the KeyUpdate is: RX leaves the device when the reader parses it (no
//! more resync answers, `tls_dev_del`). The first record after the
//! KeyUpdate may have reached the device before that; it transformed that
//! record with the old key until the tag failed, then lost sync, and the
//! reader undoes what it did with the old key and the device's count of
//! records. Once userspace installed the next key (`TLS_RX`), the reader
//! puts it back on the route's device at the start of the next record it
//! opens after that one, as a first offload's `tls_dev_add` (`rec_seq`:
//! that record's sequence number). Records already past the device come
//! as ciphertext and are opened in software; the device finds its way from
//! there with a resync, as after a loss.

use super::rx::{add_key, del_key, reset, rx_device};
use crate::bindings;
use crate::context::{Context, Dir};
use crate::proc::Stat;
use crate::sock::Sock;

/// A TLS 1.3 KeyUpdate was received, or a TLS 1.3 RX rekey is installed:
/// RX leaves its device, if on one; whether it did now.
pub(crate) fn leave_on_key_update(ctx: &Context) -> bool {
    if ctx.dev_rx().is_none() || ctx.test_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED) {
        return false;
    }
    ctx.set_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED);
    del_key(ctx.as_ptr());
    true
}

/// RX left the device at a KeyUpdate, and the reader is about to open the
/// record at TCP sequence number `seq`, of record sequence number `rcd_sn`
/// under the current key, having opened every record the device may have
/// transformed with the old one: the current key goes on the route's
/// device from that record on. Whether it did (if not, RX stays in
/// software).
pub(crate) fn rejoin(sk: &Sock, ctx: &Context, seq: u32, rcd_sn: u64) -> bool {
    let Some(dev_rx) = ctx.dev_rx() else {
        return false;
    };
    let lock = sk.lock();
    let Some(dev) = rx_device(&lock, ctx) else {
        return false;
    };
    // Drivers take the record sequence number from the key's `rec_seq`.
    ctx.set_rec_seq(&lock, Dir::Rx, rcd_sn);
    // SAFETY: the key left the device at the KeyUpdate and RX is degraded
    // since: no driver holds the state, and the reader (the caller) does
    // not look at it.
    unsafe { reset(dev_rx) };
    if !add_key(&lock, ctx, dev, seq) {
        return false;
    }
    ctx.clear_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED);
    Stat::RxDeviceRekey.inc(sk);
    true
}
