// SPDX-License-Identifier: GPL-2.0

//! `setsockopt`/`getsockopt(SOL_TLS)`: key installation and rekey, and the
//! per-socket options, errno for errno as net/tls/tls_main.c.

use crate::bindings;
use crate::context::{Conf, Context, Dir};
use crate::crypto::KeyState;
use crate::device;
use crate::logic::cipher::{
    self, check_new, check_rekey_allowed, check_update, InfoHeader, CRYPTO_INFO_HDR_LEN,
    CRYPTO_INFO_MAX_LEN, TLS_1_3_VERSION,
};
use crate::logic::errno::Errno;
use crate::proc::Stat;
use crate::proto;
use crate::sock::{Sock, SockGuard};
use crate::sw_rx::{new_rx, RxInner};
use crate::sw_tx::Tx;
use kernel::ffi::c_int;
use kernel::prelude::*;

// The `SOL_TLS` option names of include/uapi/linux/tls.h.
const TLS_TX: c_int = bindings::TLS_TX as c_int;
const TLS_RX: c_int = bindings::TLS_RX as c_int;
const TLS_TX_ZEROCOPY_RO: c_int = bindings::TLS_TX_ZEROCOPY_RO as c_int;
const TLS_RX_EXPECT_NO_PAD: c_int = bindings::TLS_RX_EXPECT_NO_PAD as c_int;
const TLS_TX_MAX_PAYLOAD_LEN: c_int = bindings::TLS_TX_MAX_PAYLOAD_LEN as c_int;

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

/// Key material on the stack, wiped when dropped.
struct KeyBuf([u8; CRYPTO_INFO_MAX_LEN]);

impl Drop for KeyBuf {
    fn drop(&mut self) {
        // SAFETY: the buffer is valid for its whole size.
        unsafe { bindings::tlsr_memzero_explicit(self.0.as_mut_ptr().cast(), self.0.len()) };
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
        TLS_TX | TLS_RX => set_conf(
            sk,
            ctx,
            &opt,
            if optname == TLS_TX { Dir::Tx } else { Dir::Rx },
        ),
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
fn set_conf(sk: &Sock, ctx: &Context, opt: &OptVal, dir: Dir) -> Result {
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
    let r = install_conf(
        sk,
        ctx,
        opt,
        dir,
        current,
        &mut lock,
        rx_guard.as_deref_mut(),
    );
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
    }
    let mut buf = KeyBuf([0; CRYPTO_INFO_MAX_LEN]);
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
    let mut tx_rekeyed = false;
    match dir {
        Dir::Tx => match ctx.tx(lock) {
            Some((tx, _)) => {
                let generation = tx.key.generation + 1;
                tx.key = KeyState::new(hdr.version, desc, info, generation)?;
                tx_rekeyed = true;
            }
            None => {
                let tx = Tx::new(sk, KeyState::new(hdr.version, desc, info, 0)?)?;
                // Drivers read the key from the context: store it first.
                ctx.store_key(lock, dir, info);
                if let Err(tx) = device::tx::offload(lock, ctx, tx) {
                    ctx.set_tx(lock, tx);
                }
                ctx.install_write_space(sk);
            }
        },
        Dir::Rx => match rx_guard {
            Some(g) => {
                let generation = g.key.generation + 1;
                let key = KeyState::new(hdr.version, desc, info, generation)?;
                if ctx.dev_rx().is_some() {
                    g.reserve_rekey()?;
                }
                // A device with several generations reads the new key
                // from the context at once.
                ctx.store_key(lock, dir, info);
                g.rekey(key, lock, ctx);
            }
            None => {
                let rx = new_rx(sk, KeyState::new(hdr.version, desc, info, 0)?)?;
                // Drivers read the key from the context: store it first.
                ctx.store_key(lock, dir, info);
                if let Err(rx) = device::rx::offload(lock, ctx, rx) {
                    ctx.set_rx(lock, rx);
                }
            }
        },
    }
    ctx.install(lock, dir, info);
    if tx_rekeyed {
        // Drivers read the new key from the context.
        if let Some((tx, sk)) = ctx.tx(lock) {
            device::tx_rekey::rekey(sk, ctx, tx);
        }
    }
    if !current.is_ready() {
        proto::current(sk).ok_or(EINVAL)?.install(sk, ctx);
    }
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
    let mut info = KeyBuf(*ctx.crypto_info(dir));
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
