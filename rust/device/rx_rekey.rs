// SPDX-License-Identifier: GPL-2.0

//! TLS 1.3 RX rekey of a device socket (Documentation/driver-contract.rst).
//!
//! A device that holds several key generations per flow keeps the flow
//! across a KeyUpdate: once userspace installed the next key (`TLS_RX`),
//! it goes in the next slot for the records from the end of the KeyUpdate
//! on, and the old generation leaves (every record under it is open).
//!
//! A device that holds one key per flow (every in-tree one) holds the key
//! before a KeyUpdate only, and cannot tell where the KeyUpdate is: RX
//! leaves the device when the reader parses it (no more resync answers,
//! `tls_dev_del`). The first record after the
//! KeyUpdate may have reached the device before that; it transformed that
//! record with the old key until the tag failed, then lost sync, and the
//! reader undoes what it did with the old key and the device's count of
//! records. Once userspace installed the next key (`TLS_RX`), the reader
//! puts it back on the route's device at the start of the next record it
//! opens after that one, as a first offload's `tls_dev_add` (`rec_seq`:
//! that record's sequence number). Records already past the device come
//! as ciphertext and are opened in software; the device finds its way from
//! there with a resync, as after a loss.
//!
//! Under the kernel's key schedule (`TLS_RX_SECRET`) the keys of the next
//! generations are known before their KeyUpdates come: a device that
//! takes them ahead (`gen_add_ahead`) gets them in its free slots, finds
//! each KeyUpdate itself and opens the records after it with the next key
//! at once, so a KeyUpdate sends no record through software.

use super::caps;
use super::list;
use super::rx::{add_key, del_key, on_device, reset};
use crate::bindings;
use crate::context::{Context, Dir};
use crate::crypto::{KeyState, Wiped};
use crate::logic::cipher::CRYPTO_INFO_MAX_LEN;
use crate::logic::runs::Cover;
use crate::proc::Stat;
use crate::schedule::Schedule;
use crate::sock::{Sock, SockGuard};
use kernel::prelude::*;

/// Old keys a device RX socket keeps (see [`DeviceRekey::old_keys`]).
const OLD_KEYS: usize = bindings::TLS_REKEY_MAX_GENERATIONS as usize;

/// The KeyUpdate state of a device RX socket's reader (`RxInner`), which
/// calls it under its lock.
pub(crate) struct DeviceRekey {
    /// The keys the device decrypted with before the current one, oldest
    /// first, kept once a KeyUpdate came (at most `OLD_KEYS`): records
    /// after the KeyUpdate that went through the device before it had the
    /// next key were transformed with one of them, at its own count of
    /// records (which goes on counting), and are undone with it.
    pub(crate) old_keys: KVec<KeyState>,
    /// RX left its device at a KeyUpdate whose record ends at this TCP
    /// sequence number: the current key goes back on the device at the
    /// start of a record after the first one past it ([`rejoin`]).
    rejoin: Option<u32>,
    /// The current key is on the device after a KeyUpdate.
    rejoined: bool,
    /// The device's slots, if it holds several generations.
    slots: Slots,
    /// A KeyUpdate came, and the device has not decrypted a record whole
    /// since: records opened are counted (`TlsRxDeviceRekeySwRecords`).
    burst: bool,
}

impl DeviceRekey {
    pub(crate) fn new() -> Self {
        Self {
            old_keys: KVec::new(),
            rejoin: None,
            rejoined: false,
            slots: Slots::default(),
            burst: false,
        }
    }

    /// Whether the current key is on the device after a KeyUpdate.
    pub(crate) fn rejoined(&self) -> bool {
        self.rejoined
    }

    /// RX left its device at a KeyUpdate or rekey whose records end at TCP
    /// sequence number `end`.
    fn left(&mut self, end: u32) {
        self.rejoin = Some(end);
        self.slots = Slots::default();
        self.burst = true;
    }

    /// The reader parsed a KeyUpdate whose record ends at TCP sequence
    /// number `tcp_end` ([`on_key_update`]).
    pub(crate) fn key_update(&mut self, ctx: &Context, tcp_end: u32) {
        match on_key_update(ctx) {
            KeyUpdate::Left => self.left(tcp_end),
            KeyUpdate::Stays => self.burst = true,
            KeyUpdate::Off => {}
        }
    }

    /// The reader is about to open the record at TCP sequence number
    /// `seq`, of record sequence number `rcd_sn`: if it is a record after
    /// the first one past the KeyUpdate that took RX off the device, the
    /// current key goes back on it ([`rejoin`]), and the generations of
    /// `schedule` after it too ([`add_ahead`]).
    pub(crate) fn before_record(
        &mut self,
        sk: &Sock,
        ctx: &Context,
        seq: u32,
        rcd_sn: u64,
        schedule: Option<&mut Schedule>,
    ) {
        match self.rejoin {
            Some(end) if (seq.wrapping_sub(end) as i32) > 0 => {}
            _ => return,
        }
        self.rejoin = None;
        self.rejoined = rejoin(sk, ctx, seq, rcd_sn);
        // `tls_dev_add` puts the key in slot 0, the others empty.
        self.slots = Slots::default();
        if !self.rejoined {
            self.burst = false;
        } else if let Some(schedule) = schedule {
            add_ahead(&sk.lock(), ctx, schedule, &mut self.slots);
        }
    }

    /// A record the device covered as `cover` was opened: one of the burst
    /// after a KeyUpdate until the device decrypts a record whole.
    pub(crate) fn count(&mut self, sk: &Sock, cover: Cover) {
        if !self.burst {
            return;
        }
        if cover == Cover::All {
            self.burst = false;
        } else {
            Stat::RxDeviceRekeySwRecords.inc(sk);
        }
    }

    /// Makes room for the key [`DeviceRekey::next`] keeps, before anything
    /// of the rekey is done.
    pub(crate) fn reserve(&mut self) -> Result {
        let want = OLD_KEYS.saturating_sub(self.old_keys.len());
        self.old_keys.reserve(want, GFP_KERNEL)?;
        Ok(())
    }

    /// The next key generation replaced `old` (a `TLS_RX` rekey or a
    /// KeyUpdate of the kernel's schedule), its records from TCP sequence
    /// number `start` on, the first of record sequence number `rcd_sn`;
    /// after [`DeviceRekey::reserve`]. The key the device had is kept to
    /// undo what it did to later records (`old`, if the device held it;
    /// beyond `OLD_KEYS` the oldest is wiped as it is freed). A device
    /// with several generations gets the new one from `start` on
    /// ([`next_generation`]); one with a single key gets it back at a
    /// record after the next one ([`DeviceRekey::before_record`]).
    pub(crate) fn next(
        &mut self,
        sk: &SockGuard<'_>,
        ctx: &Context,
        old: KeyState,
        start: u32,
        rcd_sn: u64,
    ) {
        if self.old_keys.is_empty() || self.rejoined {
            if self.old_keys.len() == OLD_KEYS {
                drop(self.old_keys.remove(0));
            }
            // `reserve` made room: this allocates nothing.
            let _ = self.old_keys.push(old, GFP_KERNEL);
            self.rejoined = false;
        }
        if self.rejoin.is_some() {
            // RX left the device at the KeyUpdate.
            return;
        }
        match next_generation(sk, ctx, start, rcd_sn, &mut self.slots) {
            KeyUpdate::Stays => {
                self.rejoined = true;
                self.burst = true;
            }
            KeyUpdate::Left => self.left(start),
            KeyUpdate::Off => {}
        }
    }

    /// Under the kernel's schedule, the generations after the current one
    /// go on a device that takes them ahead ([`add_ahead`]).
    pub(crate) fn add_ahead(&mut self, sk: &SockGuard<'_>, ctx: &Context, schedule: &mut Schedule) {
        add_ahead(sk, ctx, schedule, &mut self.slots);
    }
}

/// The device slots of a device RX socket with several generations.
#[derive(Clone, Copy, Default)]
struct Slots {
    /// The slot of the current key (`tls_dev_add` puts it in 0).
    current: u32,
    /// Generations of the kernel's schedule waiting in the slots after it,
    /// ahead of their KeyUpdates (`gen_add_ahead`).
    ahead: u32,
}

/// What a KeyUpdate, or a TLS 1.3 RX rekey, did to a device RX socket.
enum KeyUpdate {
    /// RX is not on a device.
    Off,
    /// RX left its device (one key per flow, or the next generation
    /// refused): [`rejoin`] puts the next key back.
    Left,
    /// The device holds several generations: RX stays on it.
    Stays,
}

/// The reader parsed a KeyUpdate: RX leaves a device that holds one key
/// per flow; one that holds several keeps its flow and gets the next key
/// from [`next_generation`].
fn on_key_update(ctx: &Context) -> KeyUpdate {
    if on_device(ctx).is_none() {
        return KeyUpdate::Off;
    }
    let generations = list::with_device(ctx.as_ptr(), Dir::Rx, |dev| {
        dev.is_some_and(|dev| caps::generations(dev, Dir::Rx).is_some())
    });
    if generations {
        return KeyUpdate::Stays;
    }
    leave(ctx);
    KeyUpdate::Left
}

/// A TLS 1.3 RX rekey (`TLS_RX` again, or a KeyUpdate of the kernel's
/// schedule) of a socket whose RX is still on its device: the new key
/// (already in `ctx`) goes in the slot after the current one, for the
/// records from TCP sequence number `start` on (the first of record
/// sequence number `rcd_sn`), and the generation in the current slot
/// leaves the device, the reader having opened every record before
/// `start`. A generation the device took ahead is in that slot already:
/// it is told where it starts (`gen_start`). If the device holds one key
/// per flow or refuses the key, RX leaves it.
fn next_generation(
    sk: &SockGuard<'_>,
    ctx: &Context,
    start: u32,
    rcd_sn: u64,
    slots: &mut Slots,
) -> KeyUpdate {
    if on_device(ctx).is_none() {
        return KeyUpdate::Off;
    }
    // Drivers take the record sequence number from the key's `rec_seq`.
    ctx.set_rec_seq(sk, Dir::Rx, rcd_sn);
    let added = list::with_device(ctx.as_ptr(), Dir::Rx, |dev| {
        let Some(dev) = dev else {
            return false;
        };
        let Some((ops, n)) = caps::generations(dev, Dir::Rx) else {
            return false;
        };
        let next = (slots.current + 1) % n as u32;
        let rx = caps::offload_dir(Dir::Rx);
        // SAFETY: the list holds the device, which has the socket's flow
        // (the current slot and the `ahead` after it in use, the others
        // free); the context holds the key, which under the schedule is
        // the one taken ahead (the schedule refuses `TLS_RX`).
        unsafe {
            if slots.ahead > 0 {
                bindings::tlsr_gen_start(ops, dev, ctx.as_ptr(), next, start);
                slots.ahead -= 1;
            } else if bindings::tlsr_gen_add(ops, dev, sk.as_ptr(), ctx.as_ptr(), rx, next, start)
                != 0
            {
                return false;
            }
            bindings::tlsr_gen_del(ops, dev, ctx.as_ptr(), rx, slots.current);
        }
        slots.current = next;
        true
    });
    if added {
        Stat::RxDeviceRekey.inc(sk);
        return KeyUpdate::Stays;
    }
    leave(ctx);
    KeyUpdate::Left
}

/// Under the kernel's key schedule, puts the generations after the current
/// one in the free slots of a device that takes them ahead of their
/// KeyUpdates (`gen_add_ahead`, counted in `TlsRxDeviceGenAhead`); a
/// refused one stays for the reader to add at its KeyUpdate.
fn add_ahead(sk: &SockGuard<'_>, ctx: &Context, schedule: &mut Schedule, slots: &mut Slots) {
    if on_device(ctx).is_none() {
        return;
    }
    list::with_device(ctx.as_ptr(), Dir::Rx, |dev| {
        let Some(dev) = dev else {
            return;
        };
        let Some((ops, n)) = caps::generations(dev, Dir::Rx) else {
            return;
        };
        // SAFETY: registered generation ops stay valid while a device of
        // theirs is on the list.
        if !unsafe { bindings::tlsr_gen_ahead_rx(ops) } {
            return;
        }
        let mut info = Wiped([0; CRYPTO_INFO_MAX_LEN]);
        while slots.ahead + 1 < n as u32 {
            let Ok(len) = schedule.info_ahead(slots.ahead + 1, &mut info) else {
                return;
            };
            let slot = (slots.current + slots.ahead + 1) % n as u32;
            // SAFETY: the list holds the device, which has the socket's
            // flow with `slot` free; `info` holds `len` bytes.
            let err = unsafe {
                bindings::tlsr_gen_add_ahead(
                    ops,
                    dev,
                    sk.as_ptr(),
                    slot,
                    info.0.as_ptr(),
                    len as u32,
                )
            };
            if err != 0 {
                return;
            }
            slots.ahead += 1;
            Stat::RxDeviceGenAhead.inc(sk);
        }
    });
}

/// RX leaves its device: no more resync answers, the key deleted.
fn leave(ctx: &Context) {
    ctx.set_flag(bindings::tls_context_flags_TLS_RX_DEV_DEGRADED);
    del_key(ctx.as_ptr());
}

/// RX left the device at a KeyUpdate, and the reader is about to open the
/// record at TCP sequence number `seq`, of record sequence number `rcd_sn`
/// under the current key, having opened every record the device may have
/// transformed with the old one: the current key goes on the route's
/// device from that record on. Whether it did (if not, RX stays in
/// software).
fn rejoin(sk: &Sock, ctx: &Context, seq: u32, rcd_sn: u64) -> bool {
    let Some(dev_rx) = ctx.dev_rx() else {
        return false;
    };
    let lock = sk.lock();
    let Some(dev) = caps::route_device(&lock, ctx, Dir::Rx) else {
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
