// SPDX-License-Identifier: GPL-2.0

//! `setsockopt`/`getsockopt(SOL_TLS)`: key installation and rekey, and the
//! per-socket options, errno for errno as net/tls/tls_main.c.

use crate::bindings;
use crate::context::{Conf, Context, Dir};
use crate::crypto::{KeyState, Wiped};
use crate::device;
use crate::logic::cipher::{
    self, check_new, check_new_secret, check_rekey_allowed, check_update, InfoHeader,
    CRYPTO_INFO_HDR_LEN, CRYPTO_INFO_MAX_LEN, TLS_1_3_VERSION,
};
use crate::logic::errno::Errno;
use crate::proc::Stat;
use crate::proto;
use crate::schedule::Schedule;
use crate::sock::{Sock, SockGuard};
use crate::sw_rx::{new_rx, RxInner};
use crate::sw_tx::{with_locked_tx, Tx};
use kernel::ffi::c_int;
use kernel::prelude::*;

// The `SOL_TLS` option names of include/uapi/linux/tls.h.
const TLS_TX: c_int = bindings::TLS_TX as c_int;
const TLS_RX: c_int = bindings::TLS_RX as c_int;
const TLS_TX_ZEROCOPY_RO: c_int = bindings::TLS_TX_ZEROCOPY_RO as c_int;
const TLS_RX_EXPECT_NO_PAD: c_int = bindings::TLS_RX_EXPECT_NO_PAD as c_int;
const TLS_TX_MAX_PAYLOAD_LEN: c_int = bindings::TLS_TX_MAX_PAYLOAD_LEN as c_int;
// tls_rekey's own (rust/uapi/tls_rekey.h).
const TLS_TX_SECRET: c_int = bindings::TLS_TX_SECRET as c_int;
const TLS_RX_SECRET: c_int = bindings::TLS_RX_SECRET as c_int;
const TLS_TX_KEY_UPDATE: c_int = bindings::TLS_TX_KEY_UPDATE as c_int;
const TLS_KEY_GENERATIONS: c_int = bindings::TLS_KEY_GENERATIONS as c_int;
const TLS_TX_KEY_UPDATE_RECORDS: c_int = bindings::TLS_TX_KEY_UPDATE_RECORDS as c_int;

/// What `TLS_TX`/`TLS_RX` or `TLS_TX_SECRET`/`TLS_RX_SECRET` carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Material {
    /// A `crypto_info`: key and IV (upstream's options).
    Key,
    /// A `struct tls_secret_info`: a traffic secret, the kernel's schedule.
    Secret,
}

/// A user or kernel option buffer (`sockptr_t`) of `len` bytes.
struct OptVal {
    ptr: bindings::sockptr_t,
    len: usize,
}

impl OptVal {
    fn is_null(&self) -> bool {
        // SAFETY: reading either union member as a pointer is valid.
        unsafe { self.ptr.__bindgen_anon_1.kernel.is_null() }
    }

    /// Copies `dst.len()` bytes from `offset`.
    fn read(&self, offset: usize, dst: &mut [u8]) -> Result {
        // SAFETY: `dst` is valid for `dst.len()` bytes; the helper checks
        // the user range.
        let r = unsafe {
            bindings::tlsr_copy_from_sockptr(dst.as_mut_ptr().cast(), self.ptr, offset, dst.len())
        };
        kernel::error::to_result(r)
    }

    fn read_u32(&self) -> Result<u32> {
        let mut b = [0u8; 4];
        self.read(0, &mut b)?;
        Ok(u32::from_ne_bytes(b))
    }

    /// Whether bytes `offset..len` are all zero (`check_zeroed_sockptr`).
    fn rest_is_zero(&self, offset: usize) -> Result<bool> {
        // SAFETY: the helper checks the user range.
        let r = unsafe { bindings::tlsr_check_zeroed_sockptr(self.ptr, offset, self.len - offset) };
        kernel::error::to_result(r.min(0))?;
        Ok(r > 0)
    }
}

/// `setsockopt(SOL_TLS, optname)`.
pub(crate) fn set(
    sk: &Sock,
    ctx: &Context,
    optname: c_int,
    optval: bindings::sockptr_t,
    optlen: u32,
) -> Result {
    let opt = OptVal {
        ptr: optval,
        len: optlen as usize,
    };
    match optname {
        TLS_TX | TLS_RX | TLS_TX_SECRET | TLS_RX_SECRET => {
            let dir = match optname {
                TLS_TX | TLS_TX_SECRET => Dir::Tx,
                _ => Dir::Rx,
            };
            let material = match optname {
                TLS_TX | TLS_RX => Material::Key,
                _ => Material::Secret,
            };
            set_conf(sk, ctx, &opt, dir, material)
        }
        TLS_TX_KEY_UPDATE => {
            if opt.is_null() || opt.len != 4 {
                return Err(Errno::Inval.into());
            }
            let v = opt.read_u32()?;
            if v > 1 {
                return Err(Errno::Inval.into());
            }
            with_locked_tx(sk, ctx, |tx, lock| tx.key_update(lock, ctx, v == 1))
        }
        TLS_TX_KEY_UPDATE_RECORDS => {
            if opt.is_null() || opt.len != 8 {
                return Err(Errno::Inval.into());
            }
            let mut b = [0u8; 8];
            opt.read(0, &mut b)?;
            let v = u64::from_ne_bytes(b);
            if v == 0 {
                return Err(Errno::Inval.into());
            }
            with_locked_tx(sk, ctx, |tx, _| {
                tx.schedule.as_mut().ok_or(EINVAL)?.records = v;
                Ok(())
            })
        }
        TLS_TX_ZEROCOPY_RO => {
            let lock = sk.lock();
            if opt.is_null() || opt.len != 4 {
                return Err(Errno::Inval.into());
            }
            let v = opt.read_u32()?;
            if v > 1 {
                return Err(Errno::Inval.into());
            }
            ctx.set_zerocopy_sendfile(&lock, v == 1);
            Ok(())
        }
        TLS_RX_EXPECT_NO_PAD => {
            if ctx.version() != TLS_1_3_VERSION || opt.is_null() || opt.len < 4 {
                return Err(Errno::Inval.into());
            }
            let v = opt.read_u32()?;
            if v > 1 || !opt.rest_is_zero(4)? {
                return Err(Errno::Inval.into());
            }
            let lock = sk.lock();
            if ctx.conf(Dir::Rx) == Conf::Base {
                return Err(Errno::Inval.into());
            }
            ctx.set_rx_no_pad(&lock, v == 1);
            Ok(())
        }
        TLS_TX_MAX_PAYLOAD_LEN => {
            let _tx_lock = ctx.tx_lock()?;
            let mut lock = sk.lock();
            if ctx
                .tx(&mut lock)
                .is_some_and(|(tx, _)| tx.has_open_record())
            {
                return Err(Errno::Busy.into());
            }
            if opt.is_null() || opt.len != 2 {
                return Err(Errno::Inval.into());
            }
            let mut b = [0u8; 2];
            opt.read(0, &mut b)?;
            let v = u16::from_ne_bytes(b);
            cipher::check_tx_max_payload_len(v, ctx.version() == TLS_1_3_VERSION)?;
            ctx.set_tx_max_payload(&lock, v);
            Ok(())
        }
        _ => Err(Errno::NoProtoOpt.into()),
    }
}

/// `TLS_TX`/`TLS_RX`: the first key of a direction, or a TLS 1.3 rekey.
///
/// A rekey installs the next key generation; if anything fails (including
/// the transform allocation) the current key stays.
fn set_conf(sk: &Sock, ctx: &Context, opt: &OptVal, dir: Dir, material: Material) -> Result {
    // Readers hold the RX mutex while TCP takes the socket lock: take the
    // mutex first.
    let rx = if dir == Dir::Rx { ctx.rx() } else { None };
    let mut rx_guard = rx.as_ref().map(|r| r.lock());
    let _tx_lock = if dir == Dir::Tx {
        Some(ctx.tx_lock()?)
    } else {
        None
    };
    let mut lock = sk.lock();
    if opt.is_null() || opt.len < CRYPTO_INFO_HDR_LEN {
        return Err(Errno::Inval.into());
    }
    let current = ctx.info_header(dir);
    let update = current.is_ready();
    let r = match material {
        Material::Key => install_conf(
            sk,
            ctx,
            opt,
            dir,
            current,
            &mut lock,
            rx_guard.as_deref_mut(),
        ),
        Material::Secret => install_secret(sk, ctx, opt, dir, current, &mut lock),
    };
    let stat = match (dir, update, r.is_ok()) {
        (Dir::Tx, true, true) => Stat::TxRekeyOk,
        (Dir::Tx, true, false) => Stat::TxRekeyError,
        (Dir::Rx, true, true) => {
            // Wake readers and pollers waiting for the new key once the
            // mutex (and with it the lockless `key_update_pending`) is
            // released.
            drop(rx_guard);
            sk.data_ready();
            Stat::RxRekeyOk
        }
        (Dir::Rx, true, false) => Stat::RxRekeyError,
        (_, false, false) => return r,
        // Device TX counts itself (`TlsTxDevice`).
        (Dir::Tx, false, true) if ctx.conf(Dir::Tx) == Conf::Hw => return r,
        (Dir::Tx, false, true) => {
            Stat::CurrTxSw.inc(sk);
            Stat::TxSw
        }
        // Device RX counts itself (`TlsRxDevice`).
        (Dir::Rx, false, true) if ctx.conf(Dir::Rx) == Conf::Hw => return r,
        (Dir::Rx, false, true) => {
            Stat::CurrRxSw.inc(sk);
            Stat::RxSw
        }
    };
    stat.inc(sk);
    r
}

/// Validates and installs a key once the locks are held.
fn install_conf(
    sk: &Sock,
    ctx: &Context,
    opt: &OptVal,
    dir: Dir,
    current: InfoHeader,
    lock: &mut SockGuard<'_>,
    rx_guard: Option<&mut RxInner>,
) -> Result {
    if current.is_ready() {
        check_rekey_allowed(current)?;
        // The kernel's schedule keys the direction: no key from userspace.
        let scheduled = match dir {
            Dir::Tx => ctx.tx(lock).is_some_and(|(tx, _)| tx.schedule.is_some()),
            Dir::Rx => rx_guard.as_ref().is_some_and(|g| g.schedule.is_some()),
        };
        if scheduled {
            return Err(Errno::Busy.into());
        }
    }
    let mut buf = Wiped([0; CRYPTO_INFO_MAX_LEN]);
    opt.read(0, &mut buf.0[..CRYPTO_INFO_HDR_LEN])?;
    let mut hdr = [0u8; CRYPTO_INFO_HDR_LEN];
    hdr.copy_from_slice(&buf.0[..CRYPTO_INFO_HDR_LEN]);
    let hdr = InfoHeader::from_bytes(&hdr);
    let desc = if current.is_ready() {
        check_update(hdr, current, opt.len)?
    } else {
        check_new(hdr, ctx.info_header(dir.other()), opt.len)?
    };
    let len = desc.crypto_info_len();
    opt.read(CRYPTO_INFO_HDR_LEN, &mut buf.0[CRYPTO_INFO_HDR_LEN..len])?;
    let info = &buf.0[..len];
    if !current.is_ready() {
        let key = KeyState::new(hdr.version, desc, info, 0)?;
        return install_first(sk, ctx, dir, key, info, None, lock);
    }
    match dir {
        Dir::Tx => {
            let (tx, lock) = ctx.tx(lock).ok_or(EINVAL)?;
            let key = KeyState::new(hdr.version, desc, info, tx.key.generation + 1)?;
            tx.rekey(lock, ctx, key, info);
        }
        Dir::Rx => {
            let g = rx_guard.ok_or(EINVAL)?;
            let key = KeyState::new(hdr.version, desc, info, g.key.generation + 1)?;
            if ctx.dev_rx().is_some() {
                g.reserve_rekey()?;
            }
            g.install_next(key, info, lock, ctx);
        }
    }
    Ok(())
}

/// `TLS_TX_SECRET`/`TLS_RX_SECRET`: the first key of a direction from a
/// traffic secret, the direction then keyed by the kernel's schedule.
fn install_secret(
    sk: &Sock,
    ctx: &Context,
    opt: &OptVal,
    dir: Dir,
    current: InfoHeader,
    lock: &mut SockGuard<'_>,
) -> Result {
    // A direction takes its first key once; KeyUpdates move it on.
    if current.is_ready() {
        return Err(Errno::Busy.into());
    }
    let size = core::mem::size_of::<bindings::tls_secret_info>();
    if opt.len < CRYPTO_INFO_HDR_LEN {
        return Err(Errno::Inval.into());
    }
    let mut hdr = [0u8; CRYPTO_INFO_HDR_LEN];
    opt.read(0, &mut hdr)?;
    let hdr = InfoHeader::from_bytes(&hdr);
    let (desc, hash) = check_new_secret(hdr, ctx.info_header(dir.other()), opt.len, size)?;
    // Copied from userspace, wiped when dropped.
    let mut si = Wiped(bindings::tls_secret_info::default());
    // SAFETY: the struct is plain bytes, `size` long.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(core::ptr::from_mut(&mut si.0).cast::<u8>(), size)
    };
    opt.read(0, bytes)?;
    // The secret is one hash long; the rest of the field is zero.
    if si.0.secret[hash.len()..].iter().any(|&b| b != 0) {
        return Err(Errno::Inval.into());
    }
    let (schedule, key, info) = Schedule::new(desc, &si.0.secret, &si.0.rec_seq)?;
    install_first(
        sk,
        ctx,
        dir,
        key,
        &info.0[..desc.crypto_info_len()],
        Some(schedule),
        lock,
    )
}

/// Installs the first key of `dir` (`crypto_info` `info`), with the
/// kernel's schedule if `schedule`, and the ULP's protocol ops.
fn install_first(
    sk: &Sock,
    ctx: &Context,
    dir: Dir,
    key: KeyState,
    info: &[u8],
    schedule: Option<Schedule>,
    lock: &mut SockGuard<'_>,
) -> Result {
    match dir {
        Dir::Tx => {
            let tx = Tx::new(sk, key, schedule)?;
            // Drivers read the key from the context: store it first.
            ctx.store_key(lock, dir, info);
            if let Err(tx) = device::tx::offload(lock, ctx, tx) {
                ctx.set_tx(lock, tx);
            }
            ctx.install_write_space(sk);
        }
        Dir::Rx => {
            let rx = new_rx(sk, key, schedule)?;
            // Drivers read the key from the context: store it first.
            ctx.store_key(lock, dir, info);
            if let Err(rx) = device::rx::offload(lock, ctx, rx) {
                ctx.set_rx(lock, rx);
            }
        }
    }
    ctx.install(lock, dir, info);
    proto::current(sk).ok_or(EINVAL)?.install(sk, ctx);
    Ok(())
}

/// A user buffer for `getsockopt`, with its user-supplied length pointer.
struct UserOut {
    buf: *mut u8,
    len_ptr: *mut c_int,
}

impl UserOut {
    fn len(&self) -> Result<c_int> {
        let mut v = 0;
        // SAFETY: the helper checks the user pointer.
        kernel::error::to_result(unsafe { bindings::tlsr_get_user_int(&mut v, self.len_ptr) })?;
        Ok(v)
    }

    fn set_len(&self, v: c_int) -> Result {
        // SAFETY: the helper checks the user pointer.
        kernel::error::to_result(unsafe { bindings::tlsr_put_user_int(v, self.len_ptr) })
    }

    fn write(&self, src: &[u8]) -> Result {
        // SAFETY: `src` is valid for its length; the helper checks the
        // user range.
        let r =
            unsafe { bindings::tlsr_copy_to_user(self.buf.cast(), src.as_ptr().cast(), src.len()) };
        kernel::error::to_result(r)
    }
}

/// `getsockopt(SOL_TLS, optname)`.
pub(crate) fn get(
    sk: &Sock,
    ctx: &Context,
    optname: c_int,
    optval: *mut u8,
    optlen: *mut c_int,
) -> Result {
    let out = UserOut {
        buf: optval,
        len_ptr: optlen,
    };
    if optname == TLS_KEY_GENERATIONS {
        return get_generations(sk, ctx, &out);
    }
    if optname == TLS_TX_KEY_UPDATE_RECORDS {
        if out.len()? < 8 {
            return Err(Errno::Inval.into());
        }
        let v = with_locked_tx(sk, ctx, |tx, _| {
            Ok(tx.schedule.as_ref().ok_or(EINVAL)?.records)
        })?;
        out.set_len(8)?;
        return out.write(&v.to_ne_bytes());
    }
    // As in `set_conf`: the RX mutex before the socket lock.
    let rx = if optname == TLS_RX { ctx.rx() } else { None };
    let rx_guard = rx.as_ref().map(|r| r.lock());
    let _tx_lock = if optname == TLS_TX {
        Some(ctx.tx_lock()?)
    } else {
        None
    };
    let mut lock = sk.lock();
    match optname {
        TLS_TX => {
            let key = ctx.tx(&mut lock).map(|(t, _)| &t.key);
            get_conf(ctx, &out, Dir::Tx, key)
        }
        TLS_RX => get_conf(ctx, &out, Dir::Rx, rx_guard.as_ref().map(|g| &g.key)),
        TLS_TX_ZEROCOPY_RO => {
            if out.len()? != 4 {
                return Err(Errno::Inval.into());
            }
            out.write(&u32::from(ctx.zerocopy_sendfile()).to_ne_bytes())
        }
        TLS_RX_EXPECT_NO_PAD => {
            if ctx.version() != TLS_1_3_VERSION || out.len()? < 4 || ctx.conf(Dir::Rx) == Conf::Base
            {
                return Err(Errno::Inval.into());
            }
            out.set_len(4)?;
            out.write(&u32::from(ctx.rx_no_pad()).to_ne_bytes())
        }
        TLS_TX_MAX_PAYLOAD_LEN => {
            if out.len()? < 2 {
                return Err(Errno::Inval.into());
            }
            out.set_len(2)?;
            out.write(&ctx.tx_max_payload_len().to_ne_bytes())
        }
        _ => Err(Errno::NoProtoOpt.into()),
    }
}

/// `TLS_KEY_GENERATIONS`: how many keys each direction had after its
/// first (`TLS_TX`/`TLS_RX` rekeys, KeyUpdates of the kernel's schedule).
fn get_generations(sk: &Sock, ctx: &Context, out: &UserOut) -> Result {
    let size = core::mem::size_of::<bindings::tls_key_generations>();
    if out.len()? < size as c_int {
        return Err(Errno::Inval.into());
    }
    let rx = ctx.rx().map_or(0, |r| u64::from(r.lock().key.generation));
    let tx = {
        let _tx_lock = ctx.tx_lock()?;
        let mut lock = sk.lock();
        ctx.tx(&mut lock)
            .map_or(0, |(t, _)| u64::from(t.key.generation))
    };
    let g = bindings::tls_key_generations { tx, rx };
    // SAFETY: the struct is two integers, `size` bytes.
    let bytes = unsafe { core::slice::from_raw_parts(core::ptr::from_ref(&g).cast::<u8>(), size) };
    out.set_len(size as c_int)?;
    out.write(bytes)
}

/// The installed `crypto_info` of `dir` with its current IV and record
/// sequence number, as `do_tls_getsockopt_conf()` reports them.
fn get_conf(ctx: &Context, out: &UserOut, dir: Dir, key: Option<&KeyState>) -> Result {
    let len = out.len()?;
    if out.buf.is_null() || len < CRYPTO_INFO_HDR_LEN as c_int {
        return Err(Errno::Inval.into());
    }
    let hdr = ctx.info_header(dir);
    if !hdr.is_ready() {
        return Err(Errno::Busy.into());
    }
    let mut info = Wiped(*ctx.crypto_info(dir));
    if len == CRYPTO_INFO_HDR_LEN as c_int {
        return out.write(&info.0[..CRYPTO_INFO_HDR_LEN]);
    }
    let d = match cipher::cipher_desc(hdr.cipher_type) {
        Some(d) if d.crypto_info_len() as c_int == len => d,
        _ => return Err(Errno::Inval.into()),
    };
    if let Some(k) = key {
        let iv = k.current_iv(d);
        info.0[d.iv_offset()..d.iv_offset() + d.iv].copy_from_slice(&iv[..d.iv]);
        info.0[d.rec_seq_offset()..d.rec_seq_offset() + 8].copy_from_slice(&k.seq.to_be_bytes());
    }
    out.write(&info.0[..d.crypto_info_len()])
}
