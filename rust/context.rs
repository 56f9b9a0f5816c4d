// SPDX-License-Identifier: GPL-2.0

//! The per-socket ULP state: upstream's C-layout `struct tls_context`, so
//! that diag, `ss -ti` and drivers (`tls_get_ctx()`) keep working.

use crate::bindings;
use crate::device::{DevRx, DevTx};
use crate::logic::cipher::{cipher_desc, InfoHeader, CRYPTO_INFO_HDR_LEN, CRYPTO_INFO_MAX_LEN};
use crate::skb::NetDevice;
use crate::sock::{CallbackGuard, Sock, SockGuard};
use crate::sw_rx::Rx;
use crate::sw_tx::Tx;
use core::mem::size_of;
use core::ptr::{addr_of, addr_of_mut, NonNull};
use kernel::prelude::*;

/// Configuration of one direction (`TLS_BASE`, `TLS_SW`, `TLS_HW` of
/// net/tls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conf {
    /// No key installed: the direction passes through to TCP.
    Base = bindings::TLS_BASE as isize,
    /// Software crypto.
    Sw = bindings::TLS_SW as isize,
    /// Device offload (TX only so far), with software fallback.
    Hw = bindings::TLS_HW as isize,
}

/// Number of [`Conf`] values: the size of each axis of the proto tables.
pub(crate) const NUM_CONF: usize = 3;

impl Conf {
    fn from_bits(bits: u8) -> Self {
        match u32::from(bits) {
            bindings::TLS_SW => Conf::Sw,
            bindings::TLS_HW => Conf::Hw,
            _ => Conf::Base,
        }
    }

    /// The value `TLS_INFO_TXCONF`/`TLS_INFO_RXCONF` report (`TLS_CONF_*`).
    pub(crate) fn uapi(self) -> u16 {
        (match self {
            Conf::Base => bindings::TLS_CONF_BASE,
            Conf::Sw => bindings::TLS_CONF_SW,
            Conf::Hw => bindings::TLS_CONF_HW,
        }) as u16
    }
}

/// A direction of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    /// Transmit.
    Tx,
    /// Receive.
    Rx,
}

impl Dir {
    /// The other direction.
    pub(crate) fn other(self) -> Self {
        match self {
            Dir::Tx => Dir::Rx,
            Dir::Rx => Dir::Tx,
        }
    }
}

const _: () = assert!(size_of::<bindings::tls_crypto_context>() >= CRYPTO_INFO_MAX_LEN);

/// The TLS context of one socket.
///
/// # Invariants
///
/// `self.0` points to a `struct tls_context` made by `tlsr_ctx_create()` and
/// still attached to its socket (or owned by the caller that detached it).
/// Fields are written only with the socket lock held, or before the context
/// is published.
pub(crate) struct Context(NonNull<bindings::tls_context>);

impl Context {
    /// Allocates a context and attaches it to `sk` as its ULP data.
    pub(crate) fn create(sk: &Sock, _cb: &CallbackGuard<'_>) -> Result<Self> {
        // SAFETY: `sk` is valid; `sk_callback_lock` is held as upstream does.
        let ctx = unsafe { bindings::tlsr_ctx_create(sk.as_ptr()) };
        let ctx = NonNull::new(ctx).ok_or(ENOMEM)?;
        let this = Self(ctx);
        this.set_conf(Dir::Tx, Conf::Base);
        this.set_conf(Dir::Rx, Conf::Base);
        this.set_tx_max_payload_len(crate::logic::cipher::TLS_MAX_PAYLOAD_SIZE);
        Ok(this)
    }

    /// The context attached to `sk`, if any.
    pub(crate) fn get(sk: &Sock) -> Option<Self> {
        // SAFETY: `sk` is valid; the ULP data is ours while our proto is set.
        NonNull::new(unsafe { bindings::tlsr_get_ctx(sk.as_ptr()) }).map(Self)
    }

    fn raw(&self) -> *mut bindings::tls_context {
        self.0.as_ptr()
    }

    /// The TCP `struct proto` this context replaced.
    pub(crate) fn sk_proto(&self) -> *mut bindings::proto {
        // SAFETY: valid by the type invariant; written once at creation.
        unsafe { (*self.raw()).sk_proto }
    }

    /// The configuration of `dir`.
    pub(crate) fn conf(&self, dir: Dir) -> Conf {
        // SAFETY: valid by the type invariant.
        let c = unsafe { &*self.raw() };
        Conf::from_bits(match dir {
            Dir::Tx => c.tx_conf(),
            Dir::Rx => c.rx_conf(),
        })
    }

    fn set_conf(&self, dir: Dir, conf: Conf) {
        // SAFETY: valid by the type invariant; writers are serialised.
        let c = unsafe { &mut *self.raw() };
        match dir {
            Dir::Tx => c.set_tx_conf(conf as u8),
            Dir::Rx => c.set_rx_conf(conf as u8),
        }
    }

    fn crypto_ptr(&self, dir: Dir) -> *mut u8 {
        let c = self.raw();
        // SAFETY: valid by the type invariant; only the address is taken.
        unsafe {
            match dir {
                Dir::Tx => addr_of_mut!((*c).crypto_send).cast(),
                Dir::Rx => addr_of_mut!((*c).crypto_recv).cast(),
            }
        }
    }

    /// The installed `crypto_info` of `dir`, as the user set it.
    pub(crate) fn crypto_info(&self, dir: Dir) -> &[u8; CRYPTO_INFO_MAX_LEN] {
        // SAFETY: the union is plain bytes, zero-initialised and at least
        // `CRYPTO_INFO_MAX_LEN` long (asserted above).
        unsafe { &*self.crypto_ptr(dir).cast::<[u8; CRYPTO_INFO_MAX_LEN]>() }
    }

    /// Version and cipher of the key installed in `dir` (zero if none).
    pub(crate) fn info_header(&self, dir: Dir) -> InfoHeader {
        let mut hdr = [0u8; CRYPTO_INFO_HDR_LEN];
        hdr.copy_from_slice(&self.crypto_info(dir)[..CRYPTO_INFO_HDR_LEN]);
        InfoHeader::from_bytes(&hdr)
    }

    /// Stores `info` as the key of `dir` (the `crypto_info` getsockopt
    /// and drivers read), before [`Context::install`] configures it.
    pub(crate) fn store_key(&self, _lock: &SockGuard<'_>, dir: Dir, info: &[u8]) {
        let len = info.len().min(CRYPTO_INFO_MAX_LEN);
        let dst = self.crypto_ptr(dir);
        // SAFETY: `dst` is valid for `CRYPTO_INFO_MAX_LEN` bytes and the
        // socket lock serialises writers.
        unsafe {
            bindings::tlsr_memzero_explicit(dst.cast(), CRYPTO_INFO_MAX_LEN);
            core::ptr::copy_nonoverlapping(info.as_ptr(), dst, len);
        }
        let hdr = self.info_header(dir);
        // SAFETY: valid by the type invariant; writers are serialised.
        let p = unsafe { &mut (*self.raw()).prot_info };
        p.version = hdr.version;
        p.cipher_type = hdr.cipher_type;
    }

    /// Sets the record sequence number of the key stored for `dir` (its
    /// `rec_seq`, which drivers read in `tls_dev_add`), for a key that goes
    /// onto a device after records were sealed under it.
    pub(crate) fn set_rec_seq(&self, _lock: &SockGuard<'_>, dir: Dir, seq: u64) {
        let Some(desc) = cipher_desc(self.info_header(dir).cipher_type) else {
            return;
        };
        let seq = seq.to_be_bytes();
        // SAFETY: `rec_seq` lies within the `CRYPTO_INFO_MAX_LEN` bytes at
        // `crypto_ptr` for every cipher; the socket lock serialises writers.
        unsafe {
            core::ptr::copy_nonoverlapping(
                seq.as_ptr(),
                self.crypto_ptr(dir).add(desc.rec_seq_offset()),
                seq.len(),
            )
        };
    }

    /// Stores `info` as the key of `dir` and marks the direction
    /// configured: on the device if its state is there, else in software.
    pub(crate) fn install(&self, lock: &SockGuard<'_>, dir: Dir, info: &[u8]) {
        self.store_key(lock, dir, info);
        if self.conf(dir) != Conf::Hw {
            self.set_conf(dir, Conf::Sw);
        }
    }

    /// The TLS version of the configured key(s), zero if none.
    pub(crate) fn version(&self) -> u16 {
        // SAFETY: valid by the type invariant.
        unsafe { (*self.raw()).prot_info.version }
    }

    /// The cipher of the configured key(s), zero if none.
    pub(crate) fn cipher_type(&self) -> u16 {
        // SAFETY: valid by the type invariant.
        unsafe { (*self.raw()).prot_info.cipher_type }
    }

    /// `TLS_TX_ZEROCOPY_RO`.
    pub(crate) fn zerocopy_sendfile(&self) -> bool {
        // SAFETY: valid by the type invariant.
        unsafe { (*self.raw()).zerocopy_sendfile() != 0 }
    }

    /// Sets `TLS_TX_ZEROCOPY_RO`.
    pub(crate) fn set_zerocopy_sendfile(&self, _lock: &SockGuard<'_>, on: bool) {
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).set_zerocopy_sendfile(u8::from(on)) }
    }

    /// `TLS_RX_EXPECT_NO_PAD`.
    pub(crate) fn rx_no_pad(&self) -> bool {
        // SAFETY: valid by the type invariant.
        unsafe { (*self.raw()).rx_no_pad() != 0 }
    }

    /// Sets `TLS_RX_EXPECT_NO_PAD`.
    pub(crate) fn set_rx_no_pad(&self, _lock: &SockGuard<'_>, on: bool) {
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).set_rx_no_pad(u8::from(on)) }
    }

    /// `TLS_TX_MAX_PAYLOAD_LEN`.
    pub(crate) fn tx_max_payload_len(&self) -> u16 {
        // SAFETY: valid by the type invariant.
        unsafe { addr_of!((*self.raw()).tx_max_payload_len).read() }
    }

    fn set_tx_max_payload_len(&self, len: u16) {
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).tx_max_payload_len = len }
    }

    /// Sets `TLS_TX_MAX_PAYLOAD_LEN` under the socket lock.
    pub(crate) fn set_tx_max_payload(&self, _lock: &SockGuard<'_>, len: u16) {
        self.set_tx_max_payload_len(len);
    }

    /// The TX state, once a TX key is installed, and the socket lock
    /// guard again for the TCP calls it makes.
    pub(crate) fn tx<'a, 'g>(
        &'a self,
        lock: &'a mut SockGuard<'g>,
    ) -> Option<(&'a mut Tx, &'a SockGuard<'g>)> {
        if let Some(dev) = self.dev_tx() {
            // SAFETY: the device TX state is live while the context is;
            // the exclusive borrow of the socket lock guard makes this the
            // only reference to its TX state.
            return Some((unsafe { DevTx::tx(dev) }, lock));
        }
        // SAFETY: `priv_ctx_tx` is null or a `KBox<Tx>` owned by the
        // context; the exclusive borrow of the socket lock guard makes this
        // the only reference.
        let tx = unsafe { (*self.raw()).priv_ctx_tx.cast::<Tx>().as_mut() }?;
        Some((tx, lock))
    }

    /// The device TX state, if TX is on a device.
    pub(crate) fn dev_tx(&self) -> Option<*mut DevTx> {
        if self.conf(Dir::Tx) != Conf::Hw {
            return None;
        }
        // SAFETY: valid by the type invariant; with `TLS_HW`, `priv_ctx_tx`
        // is a `DevTx` owned by the context.
        let p = unsafe { (*self.raw()).priv_ctx_tx.cast::<DevTx>() };
        (!p.is_null()).then_some(p)
    }

    /// Puts TX on the device state `dev` (a `KBox<DevTx>` the context owns
    /// from now on).
    pub(crate) fn set_dev_tx(&self, _lock: &SockGuard<'_>, dev: *mut DevTx) {
        self.set_conf(Dir::Tx, Conf::Hw);
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).priv_ctx_tx = dev.cast() };
    }

    /// Takes the device state off again (the device refused the key); the
    /// caller owns it.
    pub(crate) fn clear_dev_tx(&self, _lock: &SockGuard<'_>) {
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).priv_ctx_tx = core::ptr::null_mut() };
        self.set_conf(Dir::Tx, Conf::Base);
    }

    /// The raw context, for the C calls of device offload.
    pub(crate) fn as_ptr(&self) -> *mut bindings::tls_context {
        self.raw()
    }

    /// Hands the TX state to the context.
    pub(crate) fn set_tx(&self, _lock: &SockGuard<'_>, tx: KBox<Tx>) {
        // SAFETY: valid by the type invariant; writers are serialised. Any
        // previous state is freed when the context is.
        unsafe { (*self.raw()).priv_ctx_tx = KBox::into_raw(tx).cast() };
    }

    /// The RX state, once an RX key is installed.
    pub(crate) fn rx(&self) -> Option<Pin<&Rx>> {
        if let Some(dev) = self.dev_rx() {
            // SAFETY: the device RX state is owned by the context and freed
            // only with it, after every socket call returned.
            return Some(unsafe { &*dev }.rx());
        }
        // SAFETY: `priv_ctx_rx` is null or a pinned `KBox<Rx>` owned by the
        // context and freed only with it, after every socket call returned.
        unsafe {
            (*self.raw())
                .priv_ctx_rx
                .cast::<Rx>()
                .as_ref()
                .map(|r| Pin::new_unchecked(r))
        }
    }

    /// Hands the RX state to the context.
    pub(crate) fn set_rx(&self, _lock: &SockGuard<'_>, rx: Pin<KBox<Rx>>) {
        // SAFETY: the box stays pinned: it is only freed, never moved.
        let raw = KBox::into_raw(unsafe { Pin::into_inner_unchecked(rx) });
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).priv_ctx_rx = raw.cast() };
    }

    /// Serialises TX users (`sendmsg`, the deferred push, TX key changes)
    /// across the sleeps in which TCP drops the socket lock; taken before
    /// the socket lock (upstream's `tx_lock`).
    pub(crate) fn tx_lock(&self) -> Result<TxLockGuard<'_>> {
        // SAFETY: the mutex was initialised by `tlsr_ctx_create()`.
        kernel::error::to_result(unsafe { bindings::tlsr_tx_lock(self.raw()) })?;
        Ok(TxLockGuard(self))
    }

    /// Routes TCP's write-space events through the deferred TX push.
    pub(crate) fn install_write_space(&self, sk: &Sock) {
        // SAFETY: both are valid; the helper takes `sk_callback_lock`.
        unsafe { bindings::tlsr_install_write_space(sk.as_ptr(), self.raw()) };
    }

    /// Stops the deferred TX push for good (close): no push runs after.
    pub(crate) fn stop_tx_work(&self) {
        // SAFETY: valid by the type invariant.
        let tx = unsafe { bindings::tlsr_ctx_tx_head(self.raw()) };
        if !tx.is_null() {
            // SAFETY: the head of the live TX state; the helper only uses
            // atomics and the workqueue.
            unsafe { bindings::tlsr_tx_close(tx) };
        }
    }

    /// The device RX state, if RX is on a device (`TLS_HW`).
    pub(crate) fn dev_rx(&self) -> Option<*mut DevRx> {
        if self.conf(Dir::Rx) != Conf::Hw {
            return None;
        }
        // SAFETY: valid by the type invariant; with `TLS_HW` RX,
        // `priv_ctx_rx` is a device RX state.
        let p = unsafe { (*self.raw()).priv_ctx_rx.cast::<DevRx>() };
        (!p.is_null()).then_some(p)
    }

    /// RX goes on a device with the state `dev` (owned by the context).
    pub(crate) fn set_dev_rx(&self, _lock: &SockGuard<'_>, dev: *mut DevRx) {
        self.set_conf(Dir::Rx, Conf::Hw);
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).priv_ctx_rx = dev.cast() };
    }

    /// The device refused the RX key: no RX state yet.
    pub(crate) fn clear_dev_rx(&self, _lock: &SockGuard<'_>) {
        // SAFETY: valid by the type invariant; writers are serialised.
        unsafe { (*self.raw()).priv_ctx_rx = core::ptr::null_mut() };
        self.set_conf(Dir::Rx, Conf::Base);
    }

    /// Sets a bit of the context's `flags` (`enum tls_context_flags`).
    pub(crate) fn set_flag(&self, bit: u32) {
        // SAFETY: valid by the type invariant; the flag word is atomic.
        unsafe { bindings::tlsr_ctx_set_flag(self.raw(), bit as i32) }
    }

    /// Clears a bit of the context's `flags`.
    pub(crate) fn clear_flag(&self, bit: u32) {
        // SAFETY: valid by the type invariant; the flag word is atomic.
        unsafe { bindings::tlsr_ctx_clear_flag(self.raw(), bit as i32) }
    }

    /// Whether a bit of the context's `flags` is set.
    pub(crate) fn test_flag(&self, bit: u32) -> bool {
        // SAFETY: valid by the type invariant; the flag word is atomic.
        unsafe { bindings::tlsr_ctx_test_flag(self.raw(), bit as i32) }
    }

    /// Asks TX for a KeyUpdate (`TLSR_TX_KEY_UPDATE`) or the fatal alert
    /// `alert` (`TLSR_TX_ALERT`) of the kernel's schedule, sent by the TX
    /// work or the next `sendmsg`; `false` if TX is not configured.
    pub(crate) fn request_tx(&self, _lock: &SockGuard<'_>, bit: u32, alert: u8) -> bool {
        // SAFETY: valid by the type invariant; the socket lock keeps the
        // TX state in place.
        unsafe { bindings::tlsr_tx_request(self.raw(), bit, alert) }
    }

    /// Asks for a TX resync of the device (`TLS_TX_SYNC_SCHED`); returns
    /// whether one was already pending.
    pub(crate) fn request_tx_resync(&self) -> bool {
        // SAFETY: valid by the type invariant; the flag word is atomic.
        unsafe {
            bindings::tlsr_ctx_test_and_set_flag(
                self.raw(),
                bindings::tls_context_flags_TLS_TX_SYNC_SCHED as i32,
            )
        }
    }

    /// Whether `dev` is the path of the socket's TX offload: its device, or
    /// a bond, which passes the skb down to it. Called from xmit validation
    /// (RCU-bh).
    pub(crate) fn is_offload_path(&self, dev: &NetDevice) -> bool {
        // SAFETY: valid by the type invariant; the caller is in an RCU-bh
        // section, as `rcu_dereference_bh()` requires.
        let netdev = unsafe { bindings::tlsr_ctx_netdev(self.raw()) };
        dev.as_ptr() == netdev || dev.is_bond_master()
    }

    /// Runs the `sk_destruct` the context saved when it replaced it.
    pub(crate) fn run_saved_sk_destruct(&self, sk: &Sock) {
        // SAFETY: valid by the type invariant; written before the
        // replacement destructor was installed.
        if let Some(f) = unsafe { (*self.raw()).sk_destruct } {
            // SAFETY: `sk` is the socket being destroyed, as `f` expects.
            unsafe { f(sk.as_ptr()) };
        }
    }

    /// Gives `sk` back the write-space callback the context replaced.
    pub(crate) fn restore_write_space(&self, sk: &Sock, _cb: &CallbackGuard<'_>) {
        // SAFETY: `sk` is valid and its callback lock is held.
        unsafe { bindings::tlsr_restore_write_space(sk.as_ptr(), self.raw()) };
    }

    /// Detaches the context from `sk`; the caller then owns it.
    pub(crate) fn detach(self, sk: &Sock, cb: &CallbackGuard<'_>) -> Detached {
        self.restore_write_space(sk, cb);
        // SAFETY: `sk` is valid and its callback lock is held.
        unsafe { bindings::tlsr_clear_ctx(sk.as_ptr()) };
        Detached(self)
    }
}

/// The head of the TX state, shared with the C write-space callback: the
/// deferred push of sealed bytes TCP did not take (upstream's `tx_work`).
#[repr(transparent)]
pub(crate) struct TxHead(bindings::tlsr_tx_head);

impl TxHead {
    /// A head to be initialised in place with [`TxHead::init`].
    pub(crate) fn new() -> Self {
        Self(bindings::tlsr_tx_head::default())
    }

    /// Sets up the deferred push of `sk`, run by `work`.
    ///
    /// # Safety
    ///
    /// `self` must not move from now on, and must stay alive until
    /// [`Context::stop_tx_work`] ran; `work` gets a pointer to this head.
    pub(crate) unsafe fn init(
        &mut self,
        sk: &Sock,
        work: unsafe extern "C" fn(*mut bindings::work_struct),
    ) {
        // SAFETY: guaranteed by the caller.
        unsafe { bindings::tlsr_tx_head_init(&mut self.0, sk.as_ptr(), Some(work)) };
    }

    /// Marks whether sealed bytes wait for TCP (the write-space callback
    /// then schedules the push).
    pub(crate) fn set_pending(&mut self, pending: bool) {
        // SAFETY: the head is initialised (`init` runs before any send).
        unsafe { bindings::tlsr_tx_set_pending(&mut self.0, pending) };
    }

    /// Whether a KeyUpdate or an alert of the kernel's schedule is due
    /// ([`Context::request_tx`]).
    pub(crate) fn due(&self) -> bool {
        // SAFETY: the head is initialised; the flag word is read once.
        unsafe { bindings::tlsr_tx_due(&self.0) }
    }

    /// Takes the request `bit` (`TLSR_TX_KEY_UPDATE`, `TLSR_TX_ALERT`):
    /// `None` if it was not made, else the alert's description (0 for a
    /// KeyUpdate).
    pub(crate) fn take(&mut self, bit: u32) -> Option<u8> {
        // SAFETY: the head is initialised; the flag word is atomic.
        let r = unsafe { bindings::tlsr_tx_take(&mut self.0, bit) };
        u8::try_from(r).ok()
    }

    /// The raw head.
    pub(crate) fn as_ptr(&mut self) -> *mut bindings::tlsr_tx_head {
        &mut self.0
    }

    /// The socket whose deferred push `work` is.
    ///
    /// # Safety
    ///
    /// `work` must be the work of an initialised, live head.
    pub(crate) unsafe fn sock_of(work: *mut bindings::work_struct) -> Option<Sock> {
        // SAFETY: `work` is the first field of the head (`repr(C)`).
        let sk = unsafe { (*work.cast::<bindings::tlsr_tx_head>()).sk };
        // SAFETY: the socket outlives its TX state.
        unsafe { Sock::from_raw(sk) }
    }
}

/// Holds the context's `tx_lock`.
pub(crate) struct TxLockGuard<'a>(&'a Context);

impl Drop for TxLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: taken in `Context::tx_lock`.
        unsafe { bindings::tlsr_tx_unlock(self.0.raw()) };
    }
}

/// A context no longer reachable from its socket; freed (after an RCU grace
/// period, for diag readers) when dropped.
pub(crate) struct Detached(Context);

impl Detached {
    /// Takes over a context whose socket is gone (device TX sockets keep
    /// theirs attached until `sk_destruct`).
    ///
    /// # Safety
    ///
    /// `ctx` is a live context nothing else refers to any more.
    pub(crate) unsafe fn from_raw(ctx: *mut bindings::tls_context) -> Option<Self> {
        NonNull::new(ctx).map(|c| Self(Context(c)))
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        let c = self.0.raw();
        let dev = self.0.dev_tx();
        // SAFETY: detached, so nothing but RCU readers (which never look at
        // the private state) still sees it; the private pointers are null
        // or boxes owned by the context.
        unsafe {
            if let Some(dev) = dev {
                drop(KBox::from_raw(dev));
            } else {
                let tx = (*c).priv_ctx_tx.cast::<Tx>();
                if !tx.is_null() {
                    drop(KBox::from_raw(tx));
                }
            }
            if let Some(dev) = self.0.dev_rx() {
                drop(KBox::from_raw(dev));
            } else {
                let rx = (*c).priv_ctx_rx.cast::<Rx>();
                if !rx.is_null() {
                    drop(KBox::from_raw(rx));
                }
            }
            bindings::tlsr_ctx_free(c);
        }
    }
}
