// SPDX-License-Identifier: GPL-2.0

//! Capabilities drivers declare beyond tls.ko's contract
//! (`rust/device/driver.h`), by their `struct tlsdev_ops`, and the
//! device of a socket's route that can take its key.

use crate::bindings;
use crate::bindings::{TLS_CIPHER_AES_GCM_128, TLS_CIPHER_AES_GCM_256};
use crate::context::{Context, Dir};
use crate::logic::cipher::{TLS_1_2_VERSION, TLS_1_3_VERSION};
use crate::sock::SockGuard;
use kernel::prelude::*;
use kernel::sync::global_lock;

/// The device seals TLS 1.3 records (TX).
pub(crate) const TLS13_TX: u32 = bindings::TLS_REKEY_DEV_TLS13_TX;

/// The device opens TLS 1.3 records (RX).
pub(crate) const TLS13_RX: u32 = bindings::TLS_REKEY_DEV_TLS13_RX;

/// Whether keys of this version and cipher may go to `dev`: AES-GCM, TLS
/// 1.2 (what in-tree drivers know) or TLS 1.3 if its driver declared
/// `tls13` ([`TLS13_TX`] or [`TLS13_RX`]).
pub(crate) fn offloadable(
    version: u16,
    cipher: u16,
    dev: *mut bindings::net_device,
    tls13: u32,
) -> bool {
    let cipher = u32::from(cipher);
    if cipher != TLS_CIPHER_AES_GCM_128 && cipher != TLS_CIPHER_AES_GCM_256 {
        return false;
    }
    match version {
        TLS_1_2_VERSION => true,
        TLS_1_3_VERSION => {
            // SAFETY: `dev` is held by the caller.
            let ops = unsafe { bindings::tlsr_netdev_tlsdev_ops(dev) };
            of(ops) & tls13 != 0
        }
        _ => false,
    }
}

/// What a driver declared for its `tlsdev_ops`.
struct Entry {
    ops: usize,
    caps: u32,
    /// Its `struct tls_rekey_gen_ops`, if it declared several generations.
    gens: usize,
}

/// Registered drivers.
struct Caps(KVec<Entry>);

global_lock! {
    // SAFETY: initialised in `init()` before the ULP is registered.
    unsafe(uninit) static CAPS: Mutex<Caps> = Caps(KVec::new());
}

/// Initialises the registry; called once at module load.
pub(crate) fn init() {
    // SAFETY: called exactly once, before any other use of `CAPS`.
    unsafe { CAPS.init() };
}

/// Frees the registry's storage; called once at module unload (a static
/// is never dropped).
pub(crate) fn exit() {
    drop(core::mem::replace(&mut CAPS.lock().0, KVec::new()));
}

/// The capabilities registered for `ops` (0 if none).
pub(crate) fn of(ops: *const bindings::tlsdev_ops) -> u32 {
    CAPS.lock()
        .0
        .iter()
        .find(|e| e.ops == ops as usize)
        .map_or(0, |e| e.caps)
}

/// The device of `sk`'s route if it can take the `dir` key of `ctx`
/// (`NETIF_F_HW_TLS_TX` or `_RX` with the operations tls_rekey calls, and
/// TLS 1.3 only if declared), with a reference.
pub(super) fn route_device(
    sk: &SockGuard<'_>,
    ctx: &Context,
    dir: Dir,
) -> Option<*mut bindings::net_device> {
    // SAFETY: `sk` is locked; the helper takes RCU itself.
    let dev = unsafe { bindings::tlsr_sk_offload_netdev(sk.as_ptr()) };
    if dev.is_null() {
        return None;
    }
    let (capable, tls13) = match dir {
        // SAFETY: `dev` is held.
        Dir::Tx => (unsafe { bindings::tlsr_netdev_can_tls_tx(dev) }, TLS13_TX),
        // SAFETY: `dev` is held.
        Dir::Rx => (unsafe { bindings::tlsr_netdev_can_tls_rx(dev) }, TLS13_RX),
    };
    if capable && offloadable(ctx.version(), ctx.cipher_type(), dev, tls13) {
        return Some(dev);
    }
    // SAFETY: the reference taken above.
    unsafe { bindings::tlsr_dev_put(dev) };
    None
}

/// `enum tls_offload_ctx_dir` of `dir`.
pub(super) fn offload_dir(dir: Dir) -> u32 {
    match dir {
        Dir::Tx => bindings::tls_offload_ctx_dir_TLS_OFFLOAD_CTX_DIR_TX,
        Dir::Rx => bindings::tls_offload_ctx_dir_TLS_OFFLOAD_CTX_DIR_RX,
    }
}

/// The generation operations of `dev`'s driver and how many generations
/// per flow it holds in direction `dir`, if it declared more than one.
pub(crate) fn generations(
    dev: *mut bindings::net_device,
    dir: Dir,
) -> Option<(*const bindings::tls_rekey_gen_ops, usize)> {
    // SAFETY: `dev` is held by the caller.
    let ops = unsafe { bindings::tlsr_netdev_tlsdev_ops(dev) } as usize;
    let g = CAPS.lock();
    let gens = g.0.iter().find(|e| e.ops == ops && e.gens != 0)?.gens;
    let gens = gens as *const bindings::tls_rekey_gen_ops;
    // SAFETY: registered gen ops stay valid until unregistered, which the
    // driver does after its devices are gone.
    let n = unsafe { (*gens).generations[offload_dir(dir) as usize] };
    (n >= 2).then_some((gens, n as usize))
}

/// `tls_rekey_dev_register()`: declares `caps` for the devices of `ops`.
///
/// # Safety
///
/// Called by drivers; `ops` stays valid until unregistered.
#[no_mangle]
unsafe extern "C" fn tls_rekey_dev_register(ops: *const bindings::tlsdev_ops, caps: u32) -> i32 {
    let mut g = CAPS.lock();
    if let Some(e) = g.0.iter_mut().find(|e| e.ops == ops as usize) {
        e.caps = caps;
        return 0;
    }
    let entry = Entry {
        ops: ops as usize,
        caps,
        gens: 0,
    };
    match g.0.push(entry, GFP_KERNEL) {
        Ok(()) => 0,
        Err(_) => ENOMEM.to_errno(),
    }
}

/// `tls_rekey_dev_set_generations()`: declares the generation operations
/// `gen_ops` for the devices of `ops` (registered before).
///
/// # Safety
///
/// Called by drivers; `gen_ops` is valid and stays so until `ops` is
/// unregistered.
#[no_mangle]
unsafe extern "C" fn tls_rekey_dev_set_generations(
    ops: *const bindings::tlsdev_ops,
    gen_ops: *const bindings::tls_rekey_gen_ops,
) -> i32 {
    // SAFETY: valid by the caller's guarantee.
    let n = unsafe { (*gen_ops).generations };
    if n.iter().any(|&n| n > bindings::TLS_REKEY_MAX_GENERATIONS) {
        return EINVAL.to_errno();
    }
    let mut g = CAPS.lock();
    match g.0.iter_mut().find(|e| e.ops == ops as usize) {
        Some(e) => {
            e.gens = gen_ops as usize;
            0
        }
        None => EINVAL.to_errno(),
    }
}

/// `tls_rekey_dev_unregister()`: forgets what `ops` declared.
///
/// # Safety
///
/// Called by drivers.
#[no_mangle]
unsafe extern "C" fn tls_rekey_dev_unregister(ops: *const bindings::tlsdev_ops) {
    let mut g = CAPS.lock();
    if let Some(i) = g.0.iter().position(|e| e.ops == ops as usize) {
        let _ = g.0.remove(i);
    }
}
