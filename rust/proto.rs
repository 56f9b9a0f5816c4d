// SPDX-License-Identifier: GPL-2.0

//! The `struct proto` and `struct proto_ops` tables installed over TCP's,
//! one per (TX, RX) configuration, like `build_protos()` of net/tls.
//!
//! Tables are built once per distinct base (`tcp_prot`, `tcpv6_prot`, ...)
//! and never modified afterwards, so sockets read them without locking.

use crate::bindings;
use crate::context::{Conf, Context, Dir, NUM_CONF};
use crate::sock::Sock;
use crate::{sw, ulp};
use kernel::prelude::*;
use kernel::sync::global_lock;

/// Distinct base protocols served at once (IPv4 and IPv6 TCP, with room).
const NUM_SETS: usize = 4;

/// The tables derived from one base protocol.
struct ProtoSet {
    base_prot: *const bindings::proto,
    base_ops: *const bindings::proto_ops,
    prot: [[bindings::proto; NUM_CONF]; NUM_CONF],
    ops: [[bindings::proto_ops; NUM_CONF]; NUM_CONF],
}

/// All table sets; a set is claimed once and never changed again.
pub(crate) struct ProtoSets {
    used: usize,
    sets: [ProtoSet; NUM_SETS],
}

// SAFETY: the raw pointers are addresses of immutable kernel tables.
unsafe impl Send for ProtoSets {}

impl ProtoSets {
    const fn new() -> Self {
        // SAFETY: all-zero is valid for these C structs (null pointers,
        // `None` callbacks); a set is filled in before it is used.
        unsafe { core::mem::zeroed() }
    }
}

global_lock! {
    // SAFETY: initialised in `init()` before the ULP is registered.
    unsafe(uninit) static PROTO_SETS: Mutex<ProtoSets> = ProtoSets::new();
}

/// Initialises the table lock; called once at module load.
pub(crate) fn init() {
    // SAFETY: called exactly once, before any other use of `PROTO_SETS`.
    unsafe { PROTO_SETS.init() };
}

fn build(set: &mut ProtoSet, base: &bindings::proto, base_ops: &bindings::proto_ops) {
    let mut b = *base;
    b.setsockopt = Some(ulp::setsockopt);
    b.getsockopt = Some(ulp::getsockopt);
    b.disconnect = Some(ulp::disconnect);
    b.close = Some(ulp::close);
    for tx in 0..NUM_CONF {
        for rx in 0..NUM_CONF {
            let mut p = b;
            let mut o = *base_ops;
            // Device TX runs the same record engine as software TX.
            if tx == Conf::Sw as usize || tx == Conf::Hw as usize {
                p.sendmsg = Some(sw::sendmsg);
                p.splice_eof = Some(sw::splice_eof);
                o.splice_eof = Some(sw::splice_eof);
            }
            // Device RX too: its reader opens what the device did not.
            if rx == Conf::Sw as usize || rx == Conf::Hw as usize {
                p.recvmsg = Some(sw::recvmsg);
                o.splice_read = Some(sw::splice_read);
                o.poll = Some(sw::poll);
                o.read_sock = Some(sw::read_sock);
            }
            set.prot[tx][rx] = p;
            set.ops[tx][rx] = o;
        }
    }
}

/// Finds or builds the tables for `sk`, before its ULP data is attached.
pub(crate) fn prepare(sk: &Sock) -> Result<Tables> {
    let prot = sk.prot();
    let ops = sk.socket_ops();
    if prot.is_null() || ops.is_null() {
        return Err(EINVAL);
    }
    let mut g = PROTO_SETS.lock();
    let sets = &mut *g;
    if let Some(i) = sets.sets[..sets.used]
        .iter()
        .position(|s| s.base_prot == prot.cast_const() && s.base_ops == ops)
    {
        return Ok(Tables::of(&mut sets.sets[i]));
    }
    // A socket already running on one of our tables has no fresh base.
    if sets.sets[..sets.used].iter().any(|s| {
        s.prot
            .iter()
            .flatten()
            .any(|p| core::ptr::eq(p, prot.cast_const()))
    }) {
        return Err(EEXIST);
    }
    if sets.used == NUM_SETS {
        return Err(crate::logic::errno::Errno::OpNotSupp.into());
    }
    let i = sets.used;
    // SAFETY: `prot` and `ops` are the socket's live, immutable tables.
    let (base, base_ops) = unsafe { (&*prot, &*ops) };
    let set = &mut sets.sets[i];
    set.base_prot = prot;
    set.base_ops = ops;
    build(set, base, base_ops);
    sets.used += 1;
    Ok(Tables::of(&mut sets.sets[i]))
}

/// The tables of one base protocol, found or built by [`prepare`] or
/// [`current`]; installing them takes no lock, so it may run under
/// `sk_callback_lock`.
///
/// # Invariants
///
/// Both pointers point into a set of `PROTO_SETS` that has been built and
/// is never modified again, for the lifetime of the module.
#[derive(Clone, Copy)]
pub(crate) struct Tables {
    prot: *mut [[bindings::proto; NUM_CONF]; NUM_CONF],
    ops: *const [[bindings::proto_ops; NUM_CONF]; NUM_CONF],
}

impl Tables {
    fn of(set: &mut ProtoSet) -> Self {
        // INVARIANT: `set` lives in the static `PROTO_SETS` and is built.
        Self {
            prot: &raw mut set.prot,
            ops: &raw const set.ops,
        }
    }

    /// Installs the tables that match `ctx`'s configuration on `sk`.
    pub(crate) fn install(self, sk: &Sock, ctx: &Context) {
        let tx = ctx.conf(Dir::Tx) as usize;
        let rx = ctx.conf(Dir::Rx) as usize;
        // SAFETY: by the type invariant the arrays are valid and immutable;
        // only element addresses are computed.
        let (prot, ops) = unsafe {
            (
                (&raw mut (*self.prot)[tx][rx]),
                (&raw const (*self.ops)[tx][rx]),
            )
        };
        // SAFETY: the tables outlive every socket using them (type
        // invariant; the ULP owner reference pins the module).
        unsafe { sk.set_prot(prot, ops) };
    }
}

/// The tables `sk` currently runs on.
pub(crate) fn current(sk: &Sock) -> Option<Tables> {
    let prot = sk.prot().cast_const();
    let mut g = PROTO_SETS.lock();
    let used = g.used;
    g.sets[..used]
        .iter_mut()
        .find(|s| s.prot.iter().flatten().any(|p| core::ptr::eq(p, prot)))
        .map(Tables::of)
}
