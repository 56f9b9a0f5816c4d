// SPDX-License-Identifier: GPL-2.0

//! The sockets with a key on a device (tls.ko's `tls_device_list` and
//! `device_offload_lock`): which device each holds, for which directions;
//! serialises key add and delete against the device going down.

use crate::bindings;
use crate::context::Dir;
use kernel::prelude::*;
use kernel::sync::global_lock;

/// A socket on a device: its context, the device it holds a reference to
/// (null once taken off it), and the directions whose key is there.
struct Entry {
    ctx: *mut bindings::tls_context,
    dev: *mut bindings::net_device,
    tx: bool,
    rx: bool,
}

impl Entry {
    fn has(&self, dir: Dir) -> bool {
        match dir {
            Dir::Tx => self.tx,
            Dir::Rx => self.rx,
        }
    }

    fn set(&mut self, dir: Dir, on: bool) {
        match dir {
            Dir::Tx => self.tx = on,
            Dir::Rx => self.rx = on,
        }
    }
}

/// Device sockets.
struct Devices(KVec<Entry>);

// SAFETY: the pointers are only used under the lock, for live contexts
// (entries leave before their context is freed) and held devices.
unsafe impl Send for Devices {}

global_lock! {
    // SAFETY: initialised in `init()` before the ULP exists.
    unsafe(uninit) static DEVICES: Mutex<Devices> = Devices(KVec::new());
}

/// Initialises the list; called once at module load.
pub(super) fn init() {
    // SAFETY: called exactly once, before any other use of `DEVICES`.
    unsafe { DEVICES.init() };
}

/// Frees the list's storage at module unload, once every socket is gone
/// (a static is never dropped).
pub(super) fn exit() {
    drop(core::mem::replace(&mut DEVICES.lock().0, KVec::new()));
}

/// Puts the `dir` key of the socket of `ctx` on `dev` with `add` (the
/// driver's `tls_dev_add`), if `dev` is up and the socket's other
/// direction, if on a device, is on this one (a socket whose keys all left
/// their device may go on any). Takes over the caller's reference to
/// `dev`: the list keeps one per socket.
pub(super) fn add(
    ctx: *mut bindings::tls_context,
    dev: *mut bindings::net_device,
    dir: Dir,
    add: impl FnOnce() -> bool,
) -> bool {
    let mut g = DEVICES.lock();
    // SAFETY: `dev` is held; the lock orders this against going down.
    let up = unsafe { bindings::tlsr_netdev_is_up(dev) };
    let done = match g.0.iter_mut().find(|e| e.ctx == ctx) {
        Some(e) => {
            let fresh = e.dev.is_null();
            let ok = up && (fresh || e.dev == dev) && add();
            if ok && fresh {
                // No key of the socket is on a device: the entry keeps the
                // caller's reference, with this direction alone.
                e.dev = dev;
                e.tx = dir == Dir::Tx;
                e.rx = dir == Dir::Rx;
                return true;
            }
            if ok {
                e.set(dir, true);
            }
            // SAFETY: the entry holds its own reference (or none is kept).
            unsafe { bindings::tlsr_dev_put(dev) };
            return ok;
        }
        None => {
            let entry = Entry {
                ctx,
                dev,
                tx: dir == Dir::Tx,
                rx: dir == Dir::Rx,
            };
            // Listed first: a device going down right after the add finds it.
            up && g.0.push(entry, GFP_KERNEL).is_ok() && {
                let ok = add();
                if !ok {
                    g.0.pop();
                }
                ok
            }
        }
    };
    if !done {
        // SAFETY: the caller's reference, not kept.
        unsafe { bindings::tlsr_dev_put(dev) };
    }
    done
}

/// Takes the `dir` key of the socket of `ctx` off its device with `del`
/// (the driver's `tls_dev_del`), if it is there; the socket leaves the
/// list, and `ctx->netdev` is cleared, once no direction is left on the
/// device.
pub(super) fn del(
    ctx: *mut bindings::tls_context,
    dir: Dir,
    del: impl FnOnce(*mut bindings::net_device),
) {
    let mut g = DEVICES.lock();
    let Some(i) = g.0.iter().position(|e| e.ctx == ctx) else {
        return;
    };
    let e = &mut g.0[i];
    if e.has(dir) && !e.dev.is_null() {
        del(e.dev);
    }
    e.set(dir, false);
    if !e.tx && !e.rx {
        if let Ok(e) = g.0.remove(i) {
            if !e.dev.is_null() {
                // SAFETY: the context is live (the caller's); the entry's
                // reference goes after drivers no longer find the device.
                unsafe {
                    bindings::tlsr_ctx_clear_netdev(ctx);
                    bindings::tlsr_dev_put(e.dev);
                }
            }
        }
    }
}

/// Runs `f` with the device holding the `dir` key of the socket of `ctx`
/// (none if it is not on one); the device cannot go down meanwhile.
pub(super) fn with_device<R>(
    ctx: *mut bindings::tls_context,
    dir: Dir,
    f: impl FnOnce(Option<*mut bindings::net_device>) -> R,
) -> R {
    let g = DEVICES.lock();
    let dev =
        g.0.iter()
            .find(|e| e.ctx == ctx && e.has(dir) && !e.dev.is_null())
            .map(|e| e.dev);
    f(dev)
}

/// Takes the sockets on `dev` off it (`only`: one socket's context, or
/// all; `rx_too`: both directions, else TX only): each stops using the
/// device (TX: the software validator; RX: `TLS_RX_DEV_DEGRADED`), then,
/// after `synchronize_net()` lets skbs already validated for it go, its
/// keys leave the device.
pub(super) fn leave(
    dev: *mut bindings::net_device,
    only: Option<*mut bindings::tls_context>,
    rx_too: bool,
) {
    let mut g = DEVICES.lock();
    let on_dev = |e: &Entry| e.dev == dev && only.is_none_or(|c| c == e.ctx);
    let mut any = false;
    for e in g.0.iter().filter(|e| on_dev(e)) {
        // SAFETY: the entry's context and socket are live (entries leave
        // before their context is freed).
        unsafe {
            if e.tx {
                super::tx::to_software_validator(e.ctx);
            }
            if e.rx && rx_too {
                super::rx::degrade(e.ctx);
            }
        }
        any = true;
    }
    if !any {
        return;
    }
    // SAFETY: process context; may sleep.
    unsafe { bindings::synchronize_net() };
    for e in g.0.iter_mut().filter(|e| on_dev(e)) {
        // SAFETY: the keys of the entry's context are on the held device.
        unsafe {
            if e.tx {
                bindings::tlsr_tls_dev_del_tx(dev, e.ctx);
            }
            if e.rx && rx_too {
                bindings::tlsr_tls_dev_del_rx(dev, e.ctx);
            }
        }
        if e.rx && !rx_too {
            // RX stays on the device.
            e.tx = false;
        } else {
            // SAFETY: the entry's reference.
            unsafe { bindings::tlsr_dev_put(dev) };
            e.dev = core::ptr::null_mut();
        }
    }
}
