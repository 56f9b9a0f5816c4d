// SPDX-License-Identifier: GPL-2.0

//! The `tls` TCP ULP: registration, per-socket init and teardown, and the
//! `struct proto` callbacks that do not touch record data.

use crate::bindings;
use crate::context::{Conf, Context, Dir};
use crate::logic::errno::Errno;
use crate::proc::Stat;
use crate::sock::Sock;
use crate::{device, proto, sockopt};
use core::cell::UnsafeCell;
use kernel::ffi::{c_char, c_int, c_long, c_uint};
use kernel::prelude::*;

/// `SOL_TLS` from include/linux/socket.h.
pub(crate) const SOL_TLS: c_int = bindings::SOL_TLS as c_int;

/// Converts a `Result` into the `0`/`-errno` convention of C callbacks.
pub(crate) fn to_ret(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Runs a proto callback with the socket and its TLS context.
///
/// # Safety
///
/// `sk` must be a socket passed to one of our `struct proto` callbacks.
unsafe fn with_ctx<T>(sk: *mut bindings::sock, f: impl FnOnce(&Sock, Context) -> T, none: T) -> T {
    // SAFETY: guaranteed by the caller.
    let Some(sk) = (unsafe { Sock::from_raw(sk) }) else {
        return none;
    };
    match Context::get(&sk) {
        Some(ctx) => f(&sk, ctx),
        None => none,
    }
}

/// `proto.setsockopt`: `SOL_TLS` here, everything else to TCP.
///
/// # Safety
///
/// Called by the socket layer with a valid socket running our proto.
pub(crate) unsafe extern "C" fn setsockopt(
    sk: *mut bindings::sock,
    level: c_int,
    optname: c_int,
    optval: bindings::sockptr_t,
    optlen: c_uint,
) -> c_int {
    // SAFETY: guaranteed by the caller.
    unsafe {
        with_ctx(
            sk,
            |s, ctx| {
                if level != SOL_TLS {
                    // SAFETY: `sk_proto` is TCP's proto, valid while the
                    // socket is; the arguments are passed on unchanged.
                    return match (*ctx.sk_proto()).setsockopt {
                        Some(f) => f(s.as_ptr(), level, optname, optval, optlen),
                        None => -Errno::NoProtoOpt.to_errno(),
                    };
                }
                to_ret(sockopt::set(s, &ctx, optname, optval, optlen))
            },
            -Errno::NotConn.to_errno(),
        )
    }
}

/// `proto.getsockopt`: `SOL_TLS` here, everything else to TCP.
///
/// # Safety
///
/// Called by the socket layer with a valid socket running our proto and
/// user pointers for the option.
pub(crate) unsafe extern "C" fn getsockopt(
    sk: *mut bindings::sock,
    level: c_int,
    optname: c_int,
    optval: *mut c_char,
    optlen: *mut c_int,
) -> c_int {
    // SAFETY: guaranteed by the caller.
    unsafe {
        with_ctx(
            sk,
            |s, ctx| {
                if level != SOL_TLS {
                    // SAFETY: as in `setsockopt`.
                    return match (*ctx.sk_proto()).getsockopt {
                        Some(f) => f(s.as_ptr(), level, optname, optval, optlen),
                        None => -Errno::NoProtoOpt.to_errno(),
                    };
                }
                to_ret(sockopt::get(s, &ctx, optname, optval.cast(), optlen))
            },
            -Errno::NotConn.to_errno(),
        )
    }
}

/// `proto.disconnect`: a TLS socket cannot be reused (as upstream).
///
/// # Safety
///
/// Called by the socket layer; the arguments are not used.
pub(crate) unsafe extern "C" fn disconnect(_sk: *mut bindings::sock, _flags: c_int) -> c_int {
    -Errno::OpNotSupp.to_errno()
}

/// `proto.close`: restores TCP's proto, frees the context, closes.
///
/// # Safety
///
/// Called by the socket layer with a valid socket running our proto.
pub(crate) unsafe extern "C" fn close(sk: *mut bindings::sock, timeout: c_long) {
    // SAFETY: guaranteed by the caller.
    let Some(s) = (unsafe { Sock::from_raw(sk) }) else {
        return;
    };
    let Some(ctx) = Context::get(&s) else {
        return;
    };
    let base = ctx.sk_proto();
    ctx.stop_tx_work();
    // The RX mutex comes before the socket lock (see sw_rx.rs).
    let unread = ctx.rx().is_some_and(|rx| rx.lock().has_unread());
    let detached = {
        let mut lock = s.lock();
        if let Some((tx, g)) = ctx.tx(&mut lock) {
            // Push what is open or pending without blocking, as upstream
            // does on close; TCP delivers what it took.
            let _ = tx.push_on_close(g);
        }
        if unread {
            lock.reset_on_close();
        }
        match ctx.conf(Dir::Tx) {
            Conf::Sw => Stat::CurrTxSw.add(&s, -1),
            Conf::Hw => Stat::CurrTxDevice.add(&s, -1),
            Conf::Base => {}
        }
        if ctx.conf(Dir::Rx) == Conf::Sw {
            Stat::CurrRxSw.add(&s, -1);
        }
        device::rx::cleanup(&s, &ctx);
        let cb = s.callback_write_lock();
        // SAFETY: `base` is the proto the socket ran before us.
        unsafe { s.set_prot(base, core::ptr::null()) };
        if ctx.dev_tx().is_some() || ctx.dev_rx().is_some() {
            // Skbs in flight still need the context (and the device its
            // records), drivers may still look at it: it stays attached
            // until `sk_destruct`, as upstream.
            ctx.restore_write_space(&s, &cb);
            None
        } else {
            Some(ctx.detach(&s, &cb))
        }
    };
    // SAFETY: `base` is TCP's proto; `close` is always set for TCP.
    if let Some(f) = unsafe { (*base).close } {
        // SAFETY: the socket is valid and back on its own proto.
        unsafe { f(sk, timeout) };
    }
    drop(detached);
}

/// `tcp_ulp_ops.init`: attach a context to an established socket.
///
/// # Safety
///
/// Called by the TCP stack with a valid, locked socket.
unsafe extern "C" fn init(sk: *mut bindings::sock) -> c_int {
    // SAFETY: the TCP stack passes a valid, locked socket.
    let Some(s) = (unsafe { Sock::from_raw(sk) }) else {
        return -Errno::Inval.to_errno();
    };
    if !s.is_established() {
        return -Errno::NotConn.to_errno();
    }
    let r = proto::prepare(&s).and_then(|tables| {
        let cb = s.callback_write_lock();
        let ctx = Context::create(&s, &cb)?;
        tables.install(&s, &ctx);
        Ok(())
    });
    to_ret(r)
}

/// `tcp_ulp_ops.release`: frees a context that `close` did not (a socket
/// destroyed without `close`).
///
/// # Safety
///
/// Called by the TCP stack with a valid socket being destroyed.
unsafe extern "C" fn release(sk: *mut bindings::sock) {
    // SAFETY: the TCP stack passes a valid socket being destroyed.
    let Some(s) = (unsafe { Sock::from_raw(sk) }) else {
        return;
    };
    // A device context is freed by the device destructor.
    if let Some(ctx) = Context::get(&s).filter(|c| c.dev_tx().is_none() && c.dev_rx().is_none()) {
        ctx.stop_tx_work();
        let cb = s.callback_write_lock();
        drop(ctx.detach(&s, &cb));
    }
}

/// `tcp_ulp_ops.get_info`: the `INET_ULP_INFO_TLS` nest for `ss -ti`.
///
/// # Safety
///
/// Called by inet diag with a valid socket and message buffer.
unsafe extern "C" fn get_info(
    sk: *mut bindings::sock,
    skb: *mut bindings::sk_buff,
    _admin: bool,
) -> c_int {
    let _rcu = kernel::sync::rcu::read_lock();
    // SAFETY: diag passes a valid socket; the context is freed only after
    // an RCU grace period.
    unsafe {
        with_ctx(
            sk,
            |_, ctx| {
                bindings::tlsr_fill_ulp_info(
                    skb,
                    ctx.version(),
                    ctx.cipher_type(),
                    ctx.conf(Dir::Tx).uapi(),
                    ctx.conf(Dir::Rx).uapi(),
                    false,
                    ctx.rx_no_pad(),
                    ctx.tx_max_payload_len(),
                )
            },
            0,
        )
    }
}

/// `tcp_ulp_ops.get_info_size`.
///
/// # Safety
///
/// Called by inet diag; the arguments are not used.
unsafe extern "C" fn get_info_size(_sk: *const bindings::sock, _admin: bool) -> usize {
    // SAFETY: pure computation in C.
    unsafe { bindings::tlsr_ulp_info_size() }
}

/// The registered `tcp_ulp_ops`; the TCP stack links it into its list.
struct UlpOps(UnsafeCell<bindings::tcp_ulp_ops>);

// SAFETY: written only before registration and by the TCP stack's own
// locking (`tcp_ulp_list_lock`) afterwards.
unsafe impl Sync for UlpOps {}

static ULP_OPS: UlpOps = UlpOps(UnsafeCell::new(bindings::tcp_ulp_ops {
    list: bindings::list_head {
        next: core::ptr::null_mut(),
        prev: core::ptr::null_mut(),
    },
    init: Some(init),
    update: None,
    release: Some(release),
    get_info: Some(get_info),
    get_info_size: Some(get_info_size),
    clone: None,
    name: *b"tls\0\0\0\0\0\0\0\0\0\0\0\0\0",
    owner: core::ptr::null_mut(),
}));

/// The `tls` ULP, registered while this value lives.
pub(crate) struct Registration;

impl Registration {
    /// Registers the ULP; `EEXIST` (tls.ko loaded) gets a clear message.
    pub(crate) fn new(module: &'static ThisModule) -> Result<Self> {
        let ops = ULP_OPS.0.get();
        // SAFETY: not registered yet, so nothing else reads `ops`.
        unsafe { (*ops).owner = module.as_ptr().cast() };
        // SAFETY: `ops` is a static that outlives the registration.
        let r = unsafe { bindings::tcp_register_ulp(ops) };
        if r == -(EEXIST.to_errno().abs()) {
            pr_err!(
                "the TCP ULP \"tls\" is already registered (tls.ko loaded?): unload it first\n"
            );
        }
        kernel::error::to_result(r)?;
        Ok(Self)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered in `new`.
        unsafe { bindings::tcp_unregister_ulp(ULP_OPS.0.get()) };
    }
}
