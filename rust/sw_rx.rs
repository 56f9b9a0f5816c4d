// SPDX-License-Identifier: GPL-2.0

//! Software RX: the reader frames records in what TCP received, opens them
//! under the current key generation and delivers them. A record TCP holds
//! whole is decrypted straight from TCP's skbs (`rust/rx_queue.rs`);
//! others are copied out of TCP first.
//!
//! Readers are serialised by a mutex taken before the socket lock (TCP's
//! `recvmsg` takes the socket lock itself while the mutex is held).

use crate::bindings;
use crate::bindings::SPLICE_F_NONBLOCK;
use crate::context::{Context, Dir};
use crate::crypto::{KeyState, Payload, ZcOpen};
use crate::device;
use crate::device::rx_rekey::DeviceRekey;
use crate::generations::Log;
use crate::logic::errno::Errno;
use crate::logic::key_update::{parse_handshake, Alert, Handshake};
use crate::logic::record::{
    CT_APPLICATION_DATA, CT_HANDSHAKE, HEADER_LEN, HS_KEY_UPDATE, MAX_PREPEND_LEN, MAX_TAG_LEN,
};
use crate::logic::runs::{self, Cover};
use crate::msg::{Msg, MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL};
use crate::proc::Stat;
use crate::schedule::Schedule;
use crate::sock::{Pipe, Sock, SockGuard};
use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut, Range};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::sync::{lock::mutex::MutexBackend, lock::Guard, new_mutex, Mutex};

/// Most bytes pulled from TCP at once.
const READ_CHUNK: usize = 32 * 1024;

/// Smallest record decrypted straight from TCP's skbs. Smaller ones are
/// copied out, many at a time: mapping TCP's skbs costs a record about as
/// much as copying 2 KiB does (measured under TCG: 256-byte records took
/// 4.3 us more each that way, a copy about 2 ns per byte).
const DIRECT_MIN: usize = 2048;

/// An opened record, decrypted in place in the raw buffer and partly
/// read: its plaintext is `raw[start..end]`.
struct Plain {
    content_type: u8,
    start: usize,
    end: usize,
    /// TCP sequence number just past the record, to retire it from the log.
    tcp_end: u32,
}

/// A whole record at the head of TCP's receive queue, left there.
struct TcpRecord {
    /// Its length, header included.
    len: usize,
    /// Its header and explicit nonce (the layout's prepend).
    prepend: [u8; MAX_PREPEND_LEN],
}

/// What [`RxInner::open_from_tcp`] did.
enum TcpOpen {
    /// The record was opened.
    Opened,
    /// TCP does not hold a whole record.
    NotWhole,
    /// The record is to be copied out of TCP first, with the bytes after
    /// it up to this many.
    Copy(usize),
}

/// RX state of a socket, behind [`Rx`]'s mutex.
pub(crate) struct RxInner {
    /// The current key generation.
    pub(crate) key: KeyState,
    /// Bytes read from TCP, `raw[head..]` not opened yet (records under a
    /// key not installed yet wait here); opened records before `head`.
    raw: KVec<u8>,
    head: usize,
    /// TCP sequence number of `raw[0]`.
    raw_seq: u32,
    /// Opened records, oldest first.
    ready: KVec<Plain>,
    /// Every opened record not consumed yet, with its key generation and
    /// TCP range.
    log: Log,
    /// A KeyUpdate was delivered: nothing more is opened until `TLS_RX`
    /// installs the next key.
    pub(crate) key_update_pending: bool,
    /// A fatal record error stopped parsing (upstream's stopped strparser):
    /// the error is reported once through `sk_err`, later reads find no
    /// records.
    stopped: bool,
    /// On a device RX socket, the ranges of `raw` (sorted, disjoint) that
    /// came in skbs the device decrypted.
    decrypted: KVec<(usize, usize)>,
    /// On a device RX socket, its KeyUpdate state.
    device: DeviceRekey,
    /// TCP held more bytes when the last read ended: the buffers stay for
    /// the next one (see `release_if_empty`).
    more_queued: bool,
    /// The kernel's key schedule (`TLS_RX_SECRET`): KeyUpdates are taken
    /// here, not delivered.
    pub(crate) schedule: Option<Schedule>,
}

/// The RX state of a socket.
#[pin_data]
pub(crate) struct Rx {
    #[pin]
    inner: Mutex<RxInner>,
    /// `RxInner::key_update_pending` as of the last unlock, for `poll`
    /// when another task holds the mutex (upstream reads it locklessly).
    key_update_pending: AtomicBool,
}

/// The RX mutex held; on release it publishes `key_update_pending`.
pub(crate) struct RxGuard<'a> {
    guard: Guard<'a, RxInner, MutexBackend>,
    key_update_pending: &'a AtomicBool,
}

impl Deref for RxGuard<'_> {
    type Target = RxInner;

    fn deref(&self) -> &RxInner {
        &self.guard
    }
}

impl DerefMut for RxGuard<'_> {
    fn deref_mut(&mut self) -> &mut RxInner {
        &mut self.guard
    }
}

impl Drop for RxGuard<'_> {
    fn drop(&mut self) {
        // Still under the mutex: the guard field is dropped after this.
        self.guard.release_if_empty();
        self.key_update_pending
            .store(self.guard.key_update_pending, Ordering::Release);
    }
}

impl Rx {
    /// Takes the RX mutex, sleeping if a reader holds it.
    pub(crate) fn lock(&self) -> RxGuard<'_> {
        RxGuard {
            guard: self.inner.lock(),
            key_update_pending: &self.key_update_pending,
        }
    }

    /// Takes the RX mutex if it is free.
    pub(crate) fn try_lock(&self) -> Option<RxGuard<'_>> {
        Some(RxGuard {
            guard: self.inner.try_lock()?,
            key_update_pending: &self.key_update_pending,
        })
    }

    /// Whether a KeyUpdate waited for the next key when the mutex was
    /// last released.
    pub(crate) fn key_update_pending(&self) -> bool {
        self.key_update_pending.load(Ordering::Acquire)
    }
}

/// RX state for a first key of `sk`.
pub(crate) fn new_rx(
    sk: &Sock,
    key: KeyState,
    schedule: Option<Schedule>,
) -> Result<Pin<KBox<Rx>>> {
    let log = Log::new();
    KBox::pin_init(
        pin_init!(Rx {
            key_update_pending: AtomicBool::new(false),
            inner <- new_mutex!(RxInner {
            key,
            raw: KVec::new(),
            head: 0,
            raw_seq: sk.tcp_copied_seq(),
            ready: KVec::new(),
            log,
            key_update_pending: false,
            stopped: false,
            decrypted: KVec::new(),
            device: DeviceRekey::new(),
            more_queued: false,
            schedule,
        }),
        }),
        GFP_KERNEL,
    )
}

impl RxInner {
    /// Ciphertext bytes not opened yet.
    fn unopened(&self) -> usize {
        self.raw.len() - self.head
    }

    /// Total size of the record at the head of `raw`, once its header is in.
    fn head_len(&self) -> Result<Option<usize>> {
        if self.unopened() < HEADER_LEN {
            return Ok(None);
        }
        let mut h = [0u8; HEADER_LEN];
        h.copy_from_slice(&self.raw[self.head..self.head + HEADER_LEN]);
        Ok(Some(self.key.layout.parse_header(&h)?.record_len))
    }

    /// Frees the buffers once everything pulled from TCP was consumed, unless
    /// the last read left more in TCP (a reader keeping up with a stream
    /// reuses them record after record): an idle socket holds none
    /// (upstream leaves records in TCP's skbs).
    fn release_if_empty(&mut self) {
        let keep = core::mem::take(&mut self.more_queued);
        if self.raw.is_empty() && self.raw.capacity() > 0 && !keep {
            self.raw = KVec::new();
            self.ready = KVec::new();
            self.decrypted = KVec::new();
        }
    }

    /// Drops the first `n` bytes of `raw` (opened and consumed).
    fn drop_front(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let rest = self.raw.len() - n;
        self.raw.copy_within(n.., 0);
        self.raw.truncate(rest);
        self.decrypted.retain(|r| r.1 > n);
        for r in self.decrypted.iter_mut() {
            *r = (r.0.saturating_sub(n), r.1 - n);
        }
        self.head -= n;
        for p in self.ready.iter_mut() {
            p.start -= n;
            p.end -= n;
        }
        self.raw_seq = self.raw_seq.wrapping_add(n as u32);
    }

    /// The oldest opened record is consumed.
    fn consume_first(&mut self) -> Result {
        let p = self.ready.remove(0).map_err(|_| EINVAL)?;
        self.log.retire_before(p.tcp_end);
        if self.ready.is_empty() && self.head == self.raw.len() {
            self.drop_front(self.head);
        }
        Ok(())
    }

    /// A malformed header stops parsing for good (upstream's strparser
    /// abort): the error is reported once, through `sk_err`.
    fn stop(&mut self, sk: &Sock, e: Error) -> Error {
        sk.err_abort(e);
        self.stopped = true;
        // Records already opened stay readable; the rest is garbage.
        self.truncate_raw();
        sk.take_error().err().unwrap_or(e)
    }

    /// Drops the bytes of `raw` past the opened records.
    fn truncate_raw(&mut self) {
        let head = self.head;
        self.raw.truncate(head);
        self.decrypted.retain(|r| r.0 < head);
        if let Some(last) = self.decrypted.last_mut() {
            last.1 = last.1.min(head);
        }
    }

    /// Opens the record `raw[at..at + len]` in place with the current
    /// key: on a device socket, as `tls_device_decrypted()` does, a record
    /// the device decrypted whole is taken as it is, and one it decrypted
    /// in part has those parts encrypted again before it is opened.
    fn open_at(
        &mut self,
        sk: &Sock,
        at: usize,
        len: usize,
    ) -> Result<(core::ops::Range<usize>, u8)> {
        let outer = self.raw[at];
        let Some(ctx) = Context::get(sk).filter(|c| c.dev_rx().is_some()) else {
            return self.key.open(outer, &mut self.raw[at..at + len]);
        };
        let seq = self.raw_seq.wrapping_add(at as u32);
        self.device
            .before_record(sk, &ctx, seq, self.key.seq, self.schedule.as_mut());
        let new_rec = device::rx::NewRec {
            seq,
            len: len as u32,
            rcd_sn: self.key.seq,
            after: &self.raw[at + len..],
            layout: self.key.layout,
        };
        device::rx::resync_new_rec(sk, &ctx, &new_rec);
        let l = self.key.layout;
        let payload = at + l.prepend_len()..at + len - l.tag_len();
        // The whole record counts, header and tag included: the skb with
        // the end of the tag is marked only if the device verified it.
        let cover = runs::cover(&self.decrypted, at, at + len);
        device::rx::record_cover(sk, &ctx, &new_rec, cover);
        self.device.count(sk, cover);
        let rec = at..at + len;
        // Whose key the device used on what it decrypted of this record:
        // before a KeyUpdate, the current one. After it, an old one (the
        // newest first) until the current key is on the device, and from
        // then on the current one or an old one: before it had the next
        // key, the device may have gone on past the KeyUpdate with an old
        // one (after a resync asked before), and those records may come
        // later. A record it decrypted whole verified under the key of
        // its sequence, the current one.
        let old = self.device.old_keys.len();
        let rejoined = self.device.rejoined();
        let r = match cover {
            Cover::None => self.key.open(outer, &mut self.raw[rec.clone()]),
            Cover::All if old == 0 || rejoined => {
                self.key.open_decrypted(outer, &self.raw[rec.clone()])
            }
            _ if old == 0 => self.reopen(rec.clone(), payload, None),
            _ => {
                let mut saved = KVec::with_capacity(len, GFP_KERNEL)?;
                saved.extend_from_slice(&self.raw[rec.clone()], GFP_KERNEL)?;
                let current = rejoined.then_some(None);
                let keys = Iterator::chain(current.into_iter(), (0..old).rev().map(Some));
                let mut r = Err(Error::from(Errno::BadMsg));
                for (n, key) in keys.enumerate() {
                    if n > 0 {
                        self.raw[rec.clone()].copy_from_slice(&saved);
                    }
                    r = self.reopen(rec.clone(), payload.clone(), key);
                    if !matches!(&r, Err(e) if *e == Error::from(Errno::BadMsg)) {
                        break;
                    }
                }
                r
            }
        };
        if cover != Cover::None {
            // Ciphertext again: a record that fails stays failing.
            self.forget_runs_before(rec.end);
        }
        for dk in self.device.old_keys.iter_mut() {
            dk.skip_record();
        }
        r
    }

    /// Encrypts again what the device decrypted of the record `raw[rec]`
    /// (payload `payload`), with the old key `device.old_keys[i]` if `old` is
    /// `Some(i)`, or else with the current key, and opens it with the
    /// current key.
    fn reopen(
        &mut self,
        rec: Range<usize>,
        payload: Range<usize>,
        old: Option<usize>,
    ) -> Result<(Range<usize>, u8)> {
        let key = match old.and_then(|i| self.device.old_keys.get_mut(i)) {
            Some(dk) => dk,
            None => &mut self.key,
        };
        reencrypt(key, &mut self.raw, &self.decrypted, rec.clone(), payload)?;
        let outer = self.raw[rec.start];
        self.key.open(outer, &mut self.raw[rec])
    }

    /// Forgets what the device decrypted before `pos` (from the head on,
    /// only bytes not opened yet matter).
    fn forget_runs_before(&mut self, pos: usize) {
        self.decrypted.retain(|r| r.1 > pos);
        if let Some(first) = self.decrypted.first_mut() {
            first.0 = first.0.max(pos);
        }
    }

    /// Opens the next record if it is complete: at the head of `raw`, or
    /// whole in TCP's queue with nothing of it pulled out yet (then
    /// decrypted straight from TCP's skbs); `false` if more bytes are
    /// needed or a KeyUpdate stops decryption.
    fn open_one(&mut self, sk: &Sock) -> Result<bool> {
        if self.stopped {
            sk.take_error()?;
            return Ok(false);
        }
        if self.key_update_pending {
            return Ok(false);
        }
        if self.reads_tcp(sk) {
            match self.open_from_tcp(sk)? {
                TcpOpen::Opened => return Ok(true),
                TcpOpen::NotWhole => return Ok(false),
                TcpOpen::Copy(len) => {
                    self.copy_in(sk, len, true)?;
                }
            }
        }
        let len = match self.head_len() {
            Ok(Some(len)) if len <= self.unopened() => len,
            Ok(_) => return Ok(false),
            Err(e) => return Err(self.stop(sk, e)),
        };
        let at = self.head;
        let seq = self.key.seq;
        let (range, content_type) = match self.open_at(sk, at, len) {
            Ok(r) => r,
            Err(e) => return Err(Self::open_failed(sk, e)),
        };
        Stat::RxRecordsCopied.inc(sk);
        self.push_opened(sk, at..at + len, seq, range, content_type)?;
        Ok(true)
    }

    /// A record that does not open stays at the head: every later read
    /// fails on it again, as upstream.
    fn open_failed(sk: &Sock, e: Error) -> Error {
        Stat::DecryptError.inc(sk);
        sk.err_abort(e);
        e
    }

    /// The record `raw[rec]`, of sequence number `seq`, was opened: its
    /// plaintext is `range` within it.
    fn push_opened(
        &mut self,
        sk: &Sock,
        rec: Range<usize>,
        seq: u64,
        range: Range<usize>,
        content_type: u8,
    ) -> Result {
        let (start, end) = (rec.start + range.start, rec.start + range.end);
        let tcp_start = self.raw_seq.wrapping_add(rec.start as u32);
        if content_type == CT_HANDSHAKE && self.schedule.is_some() {
            match parse_handshake(&self.raw[start..end]) {
                Ok(Handshake::Other) => {}
                Ok(Handshake::KeyUpdate { update_requested }) => {
                    return self.take_key_update(sk, rec, seq, tcp_start, update_requested);
                }
                Err(alert) => return Err(self.refuse_key_update(sk, alert)),
            }
        // As upstream's tls_check_pending_rekey(), whatever the version.
        } else if content_type == CT_HANDSHAKE
            && self.raw[start..end].first() == Some(&HS_KEY_UPDATE)
        {
            self.key_update_pending = true;
            Stat::RxRekeyReceived.inc(sk);
            if let Some(ctx) = Context::get(sk) {
                self.device_key_update(&ctx, tcp_start.wrapping_add(rec.len() as u32));
            }
        }
        self.ready.push(
            Plain {
                content_type,
                start,
                end,
                tcp_end: tcp_start.wrapping_add(rec.len() as u32),
            },
            GFP_KERNEL,
        )?;
        self.head += rec.len();
        if self
            .log
            .log(self.key.generation, seq, tcp_start, rec.len())
            .is_err()
        {
            // Bookkeeping only until offload uses it: the record still goes.
            kernel::pr_warn_once!("RX record log full; record left untracked\n");
        }
        Ok(())
    }

    /// A KeyUpdate whose record ends at TCP sequence number `tcp_end` was
    /// opened: on a device RX socket, whose device has only the old key,
    /// RX leaves it, unless it holds several generations.
    fn device_key_update(&mut self, ctx: &Context, tcp_end: u32) {
        if ctx.dev_rx().is_none() {
            return;
        }
        self.device.key_update(ctx, tcp_end);
    }

    /// A KeyUpdate under the kernel's schedule: the record `raw[rec]`, of
    /// sequence number `seq`, at TCP sequence number `tcp_start`. It is
    /// taken here, not delivered: the next key is installed before the
    /// next record is opened, and TX asked for a KeyUpdate of its own if
    /// the peer requested one. If the next key cannot be made, RX stops
    /// (what follows is under that key).
    fn take_key_update(
        &mut self,
        sk: &Sock,
        rec: Range<usize>,
        seq: u64,
        tcp_start: u32,
        requested: bool,
    ) -> Result {
        Stat::RxRekeyReceived.inc(sk);
        let ctx = Context::get(sk).ok_or(EINVAL)?;
        let generation = self.key.generation + 1;
        let next = match self.schedule.as_mut().map(|s| s.next(generation)) {
            Some(Ok(next)) => next,
            Some(Err(e)) => return Err(self.stop(sk, e)),
            None => return Err(self.stop(sk, EINVAL)),
        };
        if ctx.dev_rx().is_some() {
            if let Err(e) = self.reserve_rekey() {
                return Err(self.stop(sk, e));
            }
        }
        let tcp_end = tcp_start.wrapping_add(rec.len() as u32);
        self.device_key_update(&ctx, tcp_end);
        // Consumed: nothing of the record goes to the reader.
        self.head += rec.len();
        // Bookkeeping only, as for delivered records.
        let _ = self.log.log(self.key.generation, seq, tcp_start, rec.len());
        let Some(schedule) = self.schedule.as_mut() else {
            return Err(self.stop(sk, EINVAL));
        };
        let len = schedule.info_len();
        let (key, info) = schedule.advance(next);
        let lock = sk.lock();
        self.install_next(key, &info.0[..len], &lock, &ctx);
        self.add_ahead(&lock, &ctx);
        if requested {
            // Sent at once by the TX work, or before the next record.
            ctx.request_tx(&lock, bindings::TLSR_TX_KEY_UPDATE, 0);
        }
        drop(lock);
        Stat::RxRekeyOk.inc(sk);
        if self.ready.is_empty() && self.head == self.raw.len() {
            self.log.retire_before(tcp_end);
            self.drop_front(self.head);
        }
        Ok(())
    }

    /// A malformed KeyUpdate under the kernel's schedule ends the
    /// connection as RFC 8446 asks (counted in `TlsRxRekeyError`): RX stops
    /// (the reader gets `EPROTO` once, nothing more is opened), then the
    /// fatal alert `alert` goes out if TX is configured.
    fn refuse_key_update(&mut self, sk: &Sock, alert: Alert) -> Error {
        Stat::RxRekeyError.inc(sk);
        let e = self.stop(sk, Errno::Proto.into());
        if let Some(ctx) = Context::get(sk) {
            let lock = sk.lock();
            ctx.request_tx(&lock, bindings::TLSR_TX_ALERT, alert as u8);
        }
        e
    }

    /// Whether the next record is to be read where TCP keeps it: software
    /// RX, none of its bytes pulled out yet.
    fn reads_tcp(&self, sk: &Sock) -> bool {
        self.unopened() == 0
            && !self.stopped
            && Context::get(sk).is_some_and(|c| c.dev_rx().is_none())
    }

    /// Waits (unless `nonblock`) until TCP holds the whole next record,
    /// pulling nothing out; `None` if it is to be copied out instead: it
    /// will not come whole (end of stream, an error, TCP's receive memory
    /// full) or its header is bad (the copy reports that).
    fn tcp_record(&self, sk: &SockGuard<'_>, nonblock: bool) -> Result<Option<TcpRecord>> {
        let l = self.key.layout;
        let mut timeo = sk.rcvtimeo(nonblock);
        let (pre, mut need) = (l.prepend_len(), HEADER_LEN);
        let mut prepend = [0u8; MAX_PREPEND_LEN];
        loop {
            if !sk.tcp_wait_inq(need, &mut timeo)? {
                return Ok(None);
            }
            // The prepend at once where TCP has it (its header at least).
            let got = pre.min(sk.tcp_inq());
            sk.tcp_peek(0, &mut prepend[..got])?;
            let mut h = [0u8; HEADER_LEN];
            h.copy_from_slice(&prepend[..HEADER_LEN]);
            let Ok(header) = l.parse_header(&h) else {
                return Ok(None);
            };
            need = header.record_len;
            if sk.tcp_inq() >= need {
                if got < pre {
                    sk.tcp_peek(0, &mut prepend[..pre])?;
                }
                return Ok(Some(TcpRecord { len: need, prepend }));
            }
        }
    }

    /// Opens the whole record at the head of TCP's queue into `raw`, as
    /// tls_strp hands over a record whose skbs TCP still holds: its
    /// payload is decrypted straight from TCP's skbs, its prepend is
    /// copied, and TCP then frees it. A record smaller than
    /// `DIRECT_MIN` is copied out instead, with what follows it.
    fn open_from_tcp(&mut self, sk: &Sock) -> Result<TcpOpen> {
        let lock = sk.lock();
        let rec = match self.tcp_record(&lock, true) {
            Ok(Some(rec)) => rec,
            Ok(None) => return Ok(TcpOpen::NotWhole),
            Err(e) if e == EAGAIN => return Ok(TcpOpen::NotWhole),
            Err(e) => return Err(e),
        };
        let l = self.key.layout;
        let (len, pre, tag) = (rec.len, l.prepend_len(), l.tag_len());
        if len < DIRECT_MIN {
            return Ok(TcpOpen::Copy(lock.tcp_inq()));
        }
        let outer = rec.prepend[0];
        self.raw.reserve(len, GFP_KERNEL)?;
        let at = self.raw.len();
        let seq = self.key.seq;
        let spare = &mut self.raw.spare_capacity_mut()[..len];
        let plain = &mut spare[pre..len - tag];
        match self
            .key
            .decrypt_tcp(outer, &rec.prepend[..pre], &lock, len - pre, plain)
        {
            Ok(()) => {}
            Err(e) if e == EMSGSIZE => return Ok(TcpOpen::Copy(len)),
            Err(e) => return Err(Self::open_failed(sk, e)),
        }
        copy_to_uninit(&mut spare[..pre], &rec.prepend[..pre]);
        // The tag is never read again: zeros stand for it.
        copy_to_uninit(&mut spare[len - tag..], &[0u8; MAX_TAG_LEN][..tag]);
        // SAFETY: the `len` bytes after the old length were all written:
        // the plaintext by the AEAD, the prepend and the tag's place just
        // now.
        unsafe { self.raw.inc_len(len) };
        lock.tcp_read_done(len);
        self.raw_seq = lock.tcp_copied_seq().wrapping_sub(self.raw.len() as u32);
        drop(lock);
        let (range, content_type) = match self.key.open_decrypted(outer, &self.raw[at..at + len]) {
            Ok(r) => r,
            Err(e) => return Err(Self::open_failed(sk, e)),
        };
        Stat::RxRecordsDirect.inc(sk);
        self.push_opened(sk, at..at + len, seq, range, content_type)?;
        Ok(TcpOpen::Opened)
    }

    /// Zero-copy RX (upstream's `darg->zc`): opens the next record
    /// straight into `msg` if it is complete (at the head of `raw`, or
    /// whole in TCP's queue: read from TCP's skbs, or copied out first with
    /// what follows if smaller than `DIRECT_MIN`), a data record
    /// (TLS 1.3: as `TLS_RX_EXPECT_NO_PAD` lets the reader assume) and fits
    /// in `room` bytes; the bytes given. `None` if it is to be opened in
    /// place instead, as always for a device RX socket; so is a record that
    /// fails to open here (a bad tag is then reported by that path).
    fn open_to_user(&mut self, sk: &Sock, msg: &mut Msg, room: usize) -> Option<usize> {
        if self.stopped || self.key_update_pending || !self.ready.is_empty() {
            return None;
        }
        let ctx = Context::get(sk).filter(|c| c.dev_rx().is_none())?;
        let l = self.key.layout;
        // Nothing to look at if no record could go (TLS 1.3 records may be
        // of any type unless the reader promised otherwise).
        if (l.is_tls13() && !ctx.rx_no_pad()) || !msg.pinnable() {
            return None;
        }
        let pre = l.prepend_len();
        let mut direct = None;
        if self.unopened() == 0 {
            let lock = sk.lock();
            let rec = self.tcp_record(&lock, true).ok()??;
            if rec.len >= DIRECT_MIN {
                let outer = rec.prepend[0];
                self.zc_fits(outer, rec.len, room)?;
                let payload = Payload::Tcp {
                    sk: &lock,
                    off: pre as u32,
                    len: rec.len - pre,
                };
                let r = self.key.open_msg(outer, &rec.prepend[..pre], payload, msg);
                if r.is_ok() {
                    lock.tcp_read_done(rec.len);
                    self.raw_seq = lock.tcp_copied_seq().wrapping_sub(self.raw.len() as u32);
                    Stat::RxRecordsDirect.inc(sk);
                }
                direct = Some(r);
            } else {
                // Small records are copied out, many at a time.
                let inq = lock.tcp_inq();
                drop(lock);
                self.copy_in(sk, inq, true).ok()?;
            }
        }
        let r = match direct {
            Some(r) => r,
            None => {
                let len = self.head_len().ok()??;
                let at = self.head;
                if len > self.unopened() {
                    return None;
                }
                let outer = self.raw[at];
                self.zc_fits(outer, len, room)?;
                let payload = Payload::Buf(&self.raw[at + pre..at + len]);
                let r = self
                    .key
                    .open_msg(outer, &self.raw[at..at + pre], payload, msg);
                if r.is_ok() {
                    // Consumed at once: nothing for the record log to keep.
                    self.head += len;
                    if self.head == self.raw.len() {
                        self.drop_front(self.head);
                    }
                    Stat::RxRecordsCopied.inc(sk);
                }
                r
            }
        };
        match r {
            Ok(n) => Some(n),
            Err(ZcOpen::Retry { padded }) => {
                Stat::DecryptRetry.inc(sk);
                if padded {
                    Stat::RxNoPadViolation.inc(sk);
                }
                None
            }
            Err(ZcOpen::InPlace) => None,
        }
    }

    /// Whether zero-copy RX may take a record of `len` bytes and outer
    /// type `outer` with `room` bytes left (a TLS 1.2 data record, or a
    /// TLS 1.3 record of a reader that expects no padding).
    fn zc_fits(&self, outer: u8, len: usize, room: usize) -> Option<()> {
        let l = self.key.layout;
        let user_len = len.checked_sub(l.overhead())?;
        let data = l.is_tls13() || outer == CT_APPLICATION_DATA;
        (data && user_len > 0 && user_len <= room).then_some(())
    }

    /// Waits for the next record (unless `nonblock`): whole in TCP's
    /// queue if it is to be read there (its length is returned, nothing
    /// pulled), else by pulling bytes from TCP into `raw`; `Ok(0)` at end
    /// of stream.
    fn fill(&mut self, sk: &Sock, nonblock: bool) -> Result<usize> {
        if self.reads_tcp(sk) {
            if let Some(rec) = self.tcp_record(&sk.lock(), nonblock)? {
                return Ok(rec.len);
            }
        }
        let need = match self.head_len() {
            Ok(Some(len)) => len.saturating_sub(self.unopened()),
            _ => HEADER_LEN - self.unopened().min(HEADER_LEN),
        };
        // Software RX copies no more than the record it has to, and reads
        // the next one where TCP keeps it; a device's reader takes all.
        let want = if Context::get(sk).is_some_and(|c| c.dev_rx().is_some()) {
            need.max(sk.tcp_inq())
        } else {
            need
        };
        self.copy_in(sk, want, nonblock)
    }

    /// Pulls up to `want` bytes (at most `READ_CHUNK`) from TCP into
    /// `raw`; `Ok(0)` at end of stream.
    fn copy_in(&mut self, sk: &Sock, want: usize, nonblock: bool) -> Result<usize> {
        let want = want.clamp(1, READ_CHUNK);
        // Consumed bytes are dropped from the front only when the buffer
        // runs out of room, so a partial record moves rarely.
        if self.raw.capacity() - self.raw.len() < want {
            let base = self.ready.first().map_or(self.head, |p| p.start);
            self.drop_front(base);
        }
        self.raw.reserve(want, GFP_KERNEL)?;
        let flags = if nonblock { MSG_DONTWAIT } else { 0 };
        // RX on a device stays `TLS_HW` for good, even once off it.
        let r = if Context::get(sk).is_some_and(|c| c.dev_rx().is_some()) {
            self.fill_device(sk, want, nonblock)?
        } else {
            sk.tcp_recv(&mut self.raw.spare_capacity_mut()[..want], flags)?
        };
        // SAFETY: TCP wrote `r` bytes.
        unsafe { self.raw.inc_len(r) };
        // Only the reader (holding the RX mutex) moves `copied_seq`.
        self.raw_seq = sk.tcp_copied_seq().wrapping_sub(self.raw.len() as u32);
        if self.stopped {
            self.truncate_raw();
        }
        Ok(r)
    }

    /// Device RX: reads up to `want` bytes skb by skb into the spare room
    /// of `raw`, keeping which of them the device decrypted; waits as a
    /// read does (unless `nonblock`) when nothing is queued.
    fn fill_device(&mut self, sk: &Sock, want: usize, nonblock: bool) -> Result<usize> {
        if !sk.tcp_wait_data(nonblock)? {
            return Ok(0);
        }
        let base = self.raw.len();
        let mut runs = [bindings::tlsr_rx_run::default(); 16];
        // Room for every run first: nothing may fail once TCP let go of
        // the bytes.
        self.decrypted.reserve(runs.len(), GFP_KERNEL)?;
        let (n, nruns) = sk.tcp_read_runs(&mut self.raw.spare_capacity_mut()[..want], &mut runs)?;
        if n == 0 {
            return Err(EAGAIN);
        }
        for r in &runs[..nruns] {
            let (s, e) = (base + r.start as usize, base + r.end as usize);
            match self.decrypted.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => self.decrypted.push((s, e), GFP_KERNEL)?,
            }
        }
        Ok(n)
    }

    /// Whether a read would find a record without blocking (for `poll`).
    /// Records are only framed here, never opened: like upstream, a
    /// KeyUpdate takes effect when a read opens it.
    pub(crate) fn readable(&mut self, sk: &Sock) -> bool {
        // As upstream: nothing is readable while a KeyUpdate waits for the
        // next key, not even records already opened.
        if self.key_update_pending {
            return false;
        }
        if !self.ready.is_empty() {
            return true;
        }
        if self.stopped {
            return false;
        }
        loop {
            match self.head_len() {
                // A malformed header is readable: the read reports it.
                Err(_) => return true,
                Ok(Some(len)) if len <= self.unopened() => return true,
                Ok(_) => {}
            }
            if self.reads_tcp(sk) {
                match self.tcp_record(&sk.lock(), true) {
                    Ok(Some(_)) => return true,
                    Ok(None) => {}
                    Err(_) => return false,
                }
            }
            match self.fill(sk, true) {
                Ok(n) if n > 0 => {}
                _ => return false,
            }
        }
    }

    /// Makes sure a record is opened, blocking unless `nonblock`; `false` at
    /// end of stream.
    fn wait_record(&mut self, sk: &Sock, nonblock: bool) -> Result<bool> {
        while self.ready.is_empty() {
            // A KeyUpdate the kernel's schedule took leaves nothing to read.
            if self.open_one(sk)? {
                continue;
            }
            if self.key_update_pending {
                return Err(Errno::KeyExpired.into());
            }
            if self.fill(sk, nonblock)? == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `splice_read`: moves data of one record into `pipe`.
    pub(crate) fn splice(
        &mut self,
        sk: &Sock,
        pipe: &Pipe,
        len: usize,
        flags: u32,
    ) -> Result<usize> {
        if !self.wait_record(sk, flags & SPLICE_F_NONBLOCK != 0)? {
            return Ok(0);
        }
        let Some(rec) = self.ready.first() else {
            return Ok(0);
        };
        // Splice carries no record type: only data records.
        if rec.content_type != CT_APPLICATION_DATA {
            return Err(EINVAL);
        }
        let (start, end) = (rec.start, rec.end.min(rec.start.saturating_add(len)));
        let n = sk.splice_to(pipe, &self.raw[start..end], flags)?;
        self.advance(n)?;
        Ok(n)
    }

    /// `n` bytes of the oldest opened record were read.
    fn advance(&mut self, n: usize) -> Result {
        let Some(rec) = self.ready.first_mut() else {
            return Ok(());
        };
        rec.start += n;
        if rec.start == rec.end {
            self.consume_first()?;
        }
        Ok(())
    }

    /// Whether data the user never read is left (closing then resets the
    /// connection, as TCP does for unread data).
    pub(crate) fn has_unread(&self) -> bool {
        self.unopened() > 0 || !self.ready.is_empty()
    }

    /// Makes room for the key a [`RxInner::rekey`] of a device RX socket
    /// keeps, before anything of the rekey is done.
    pub(crate) fn reserve_rekey(&mut self) -> Result {
        self.device.reserve()
    }

    /// Installs the next key generation `key` (`crypto_info` `info`): a
    /// `TLS_RX` rekey or a KeyUpdate of the kernel's schedule; on a device
    /// RX socket after [`RxInner::reserve_rekey`].
    pub(crate) fn install_next(
        &mut self,
        key: KeyState,
        info: &[u8],
        sk: &SockGuard<'_>,
        ctx: &Context,
    ) {
        // A device with several generations reads the new key from the
        // context at once.
        ctx.store_key(sk, Dir::Rx, info);
        self.rekey(key, sk, ctx);
        ctx.install(sk, Dir::Rx, info);
    }

    /// Under the kernel's schedule, the generations after the current one go
    /// on a device that takes them ahead of their KeyUpdates
    /// (`device::rx_rekey::add_ahead`).
    pub(crate) fn add_ahead(&mut self, sk: &SockGuard<'_>, ctx: &Context) {
        if let Some(schedule) = self.schedule.as_mut() {
            self.device.add_ahead(sk, ctx, schedule);
        }
    }

    /// Takes the next key generation (see [`RxInner::install_next`]); on a
    /// device RX socket the device gets it from the next record on
    /// ([`DeviceRekey::next`]).
    fn rekey(&mut self, key: KeyState, sk: &SockGuard<'_>, ctx: &Context) {
        let old = core::mem::replace(&mut self.key, key);
        self.key_update_pending = false;
        if ctx.dev_rx().is_none() {
            return;
        }
        let start = self.raw_seq.wrapping_add(self.head as u32);
        self.device.next(sk, ctx, old, start, self.key.seq);
    }

    /// `recvmsg` on an RX-configured socket.
    pub(crate) fn recvmsg(
        &mut self,
        sk: &Sock,
        msg: &mut Msg,
        len: usize,
        flags: u32,
    ) -> Result<usize> {
        let peek = flags & MSG_PEEK != 0;
        let target = if flags & MSG_WAITALL != 0 { len } else { 1 };
        let mut copied = 0;
        let mut control: Option<u8> = None;
        let mut peeked = 0;
        while copied < len {
            let idx = if peek { peeked } else { 0 };
            let Some(rec) = self.ready.get(idx) else {
                if !peek && control.is_none_or(|t| t == CT_APPLICATION_DATA) {
                    if let Some(n) = self.open_to_user(sk, msg, len - copied) {
                        if control.is_none() {
                            control = Some(CT_APPLICATION_DATA);
                            // Data goes without its type if there is no room.
                            let _ = msg.put_record_type(CT_APPLICATION_DATA);
                        }
                        copied += n;
                        continue;
                    }
                }
                match self.open_one(sk) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) if copied == 0 => return Err(e),
                    Err(_) => break,
                }
                if self.key_update_pending {
                    if copied > 0 {
                        break;
                    }
                    return Err(Errno::KeyExpired.into());
                }
                let nonblock = flags & MSG_DONTWAIT != 0 || copied >= target;
                match self.fill(sk, nonblock) {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(e) if copied == 0 => return Err(e),
                    Err(_) => break,
                }
            };
            match control {
                None => {
                    control = Some(rec.content_type);
                    let r = msg.put_record_type(rec.content_type);
                    if r.is_err() && rec.content_type != CT_APPLICATION_DATA {
                        return Err(Errno::Io.into());
                    }
                }
                Some(t) if t != rec.content_type => break,
                Some(_) => {}
            }
            let is_data = rec.content_type == CT_APPLICATION_DATA;
            let avail = rec.end - rec.start;
            let n = avail.min(len - copied);
            if msg.copy_to(&self.raw[rec.start..rec.start + n]) != n {
                if copied == 0 {
                    return Err(EFAULT);
                }
                break;
            }
            copied += n;
            if peek {
                if n < avail {
                    break;
                }
                peeked += 1;
            } else {
                self.advance(n)?;
            }
            if !is_data {
                break;
            }
        }
        self.more_queued = sk.tcp_inq() > 0;
        Ok(copied)
    }
}

/// `tls_device_reencrypt()`: the parts of the payload `payload` of the
/// record `raw[rec]` that the device decrypted (`decrypted`) with `key` are
/// made ciphertext again, from a copy run through the key's keystream.
fn reencrypt(
    key: &mut KeyState,
    raw: &mut [u8],
    decrypted: &[(usize, usize)],
    rec: core::ops::Range<usize>,
    payload: core::ops::Range<usize>,
) -> Result {
    let at = rec.start;
    let mut copy = KVec::with_capacity(rec.len(), GFP_KERNEL)?;
    copy.extend_from_slice(&raw[rec], GFP_KERNEL)?;
    key.xor_keystream(raw[at], &mut copy)?;
    runs::each_covered(decrypted, payload.start, payload.end, |s, e| {
        raw[s..e].copy_from_slice(&copy[s - at..e - at]);
    });
    Ok(())
}

/// Copies `src` into the start of `dst`.
fn copy_to_uninit(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        d.write(*s);
    }
}
