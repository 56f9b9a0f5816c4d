// SPDX-License-Identifier: GPL-2.0

//! Software RX: bytes are pulled from TCP by the reader, framed into
//! records, opened under the current key generation and delivered.
//!
//! Readers are serialised by a mutex taken before the socket lock (TCP's
//! `recvmsg` takes the socket lock itself while the mutex is held).

use crate::bindings;
use crate::bindings::SPLICE_F_NONBLOCK;
use crate::context::Context;
use crate::crypto::{KeyState, ZcOpen};
use crate::device;
use crate::generations::Log;
use crate::logic::errno::Errno;
use crate::logic::record::{CT_APPLICATION_DATA, CT_HANDSHAKE, HEADER_LEN, HS_KEY_UPDATE};
use crate::logic::runs::{self, Cover};
use crate::msg::{Msg, MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL};
use crate::proc::Stat;
use crate::sock::{Pipe, Sock};
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::sync::{lock::mutex::MutexBackend, lock::Guard, new_mutex, Mutex};

/// Most bytes pulled from TCP at once.
const READ_CHUNK: usize = 32 * 1024;

/// An opened record, decrypted in place in the raw buffer and partly
/// read: its plaintext is `raw[start..end]`.
struct Plain {
    content_type: u8,
    start: usize,
    end: usize,
    /// TCP sequence number just past the record, to retire it from the log.
    tcp_end: u32,
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
    /// The key the device decrypted with, kept once a KeyUpdate took RX
    /// off the device: records after the KeyUpdate that went through the
    /// device before it left were transformed with it, at its sequence
    /// (which goes on counting there), and are undone with it.
    device_key: Option<KeyState>,
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
pub(crate) fn new_rx(sk: &Sock, key: KeyState) -> Result<Pin<KBox<Rx>>> {
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
            device_key: None,
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

    /// Frees the buffers once everything pulled from TCP was consumed: an
    /// idle socket holds none (upstream leaves records in TCP's skbs).
    fn release_if_empty(&mut self) {
        if self.raw.is_empty() && self.raw.capacity() > 0 {
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
        let new_rec = device::rx::NewRec {
            seq: self.raw_seq.wrapping_add(at as u32),
            len: len as u32,
            rcd_sn: self.key.seq,
            after: &self.raw[at + len..],
            layout: self.key.layout,
        };
        device::rx::resync_new_rec(sk, &ctx, &new_rec);
        let l = self.key.layout;
        let (start, end) = (at + l.prepend_len(), at + len - l.tag_len());
        // The whole record counts, header and tag included: the skb with
        // the end of the tag is marked only if the device verified it.
        let cover = runs::cover(&self.decrypted, at, at + len);
        device::rx::record_cover(sk, &ctx, &new_rec, cover);
        let rec = at..at + len;
        if let Some(dk) = self.device_key.as_mut() {
            // After a KeyUpdate: whatever the device did to this record,
            // it did with its key and its own count of records.
            if cover != Cover::None {
                reencrypt(dk, &mut self.raw, &self.decrypted, rec.clone(), start..end)?;
                self.forget_runs_before(rec.end);
            }
            let r = self.key.open(outer, &mut self.raw[rec])?;
            if let Some(dk) = self.device_key.as_mut() {
                dk.skip_record();
            }
            return Ok(r);
        }
        match cover {
            Cover::All => self.key.open_decrypted(outer, &self.raw[rec]),
            Cover::None => self.key.open(outer, &mut self.raw[rec]),
            Cover::Part => {
                reencrypt(
                    &mut self.key,
                    &mut self.raw,
                    &self.decrypted,
                    rec.clone(),
                    start..end,
                )?;
                // Ciphertext again: a record that fails stays failing.
                self.forget_runs_before(rec.end);
                self.key.open(outer, &mut self.raw[rec])
            }
        }
    }

    /// Forgets what the device decrypted before `pos` (from the head on,
    /// only bytes not opened yet matter).
    fn forget_runs_before(&mut self, pos: usize) {
        self.decrypted.retain(|r| r.1 > pos);
        if let Some(first) = self.decrypted.first_mut() {
            first.0 = first.0.max(pos);
        }
    }

    /// Opens the record at the head of `raw` if it is complete; `false`
    /// if more bytes are needed or a KeyUpdate stops decryption.
    fn open_one(&mut self, sk: &Sock) -> Result<bool> {
        if self.stopped {
            sk.take_error()?;
            return Ok(false);
        }
        if self.key_update_pending {
            return Ok(false);
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
            Err(e) => {
                // A record that does not open stays at the head: every
                // later read fails on it again, as upstream.
                Stat::DecryptError.inc(sk);
                sk.err_abort(e);
                return Err(e);
            }
        };
        let (start, end) = (at + range.start, at + range.end);
        // As upstream's tls_check_pending_rekey(), whatever the version.
        if content_type == CT_HANDSHAKE && self.raw[start..end].first() == Some(&HS_KEY_UPDATE) {
            self.key_update_pending = true;
            Stat::RxRekeyReceived.inc(sk);
            // The device has only the old key: RX leaves it.
            if let Some(ctx) = Context::get(sk) {
                device::rx::leave_on_key_update(&ctx);
            }
        }
        let tcp_start = self.raw_seq.wrapping_add(at as u32);
        self.ready.push(
            Plain {
                content_type,
                start,
                end,
                tcp_end: tcp_start.wrapping_add(len as u32),
            },
            GFP_KERNEL,
        )?;
        self.head += len;
        if self
            .log
            .log(self.key.generation, seq, tcp_start, len)
            .is_err()
        {
            // Bookkeeping only until offload uses it: the record still goes.
            kernel::pr_warn_once!("RX record log full; record left untracked\n");
        }
        Ok(true)
    }

    /// Zero-copy RX (upstream's `darg->zc`): opens the record at the head
    /// of `raw` straight into `msg` if it is complete, a data record
    /// (TLS 1.3: as `TLS_RX_EXPECT_NO_PAD` lets the reader assume) and fits
    /// in `room` bytes; the bytes given. `None` if it is to be opened in
    /// place instead, as always for a device RX socket; so is a record that
    /// fails to open here (a bad tag is then reported by that path).
    fn open_to_user(&mut self, sk: &Sock, msg: &mut Msg, room: usize) -> Option<usize> {
        if self.stopped || self.key_update_pending || !self.ready.is_empty() {
            return None;
        }
        let len = self.head_len().ok()??;
        let l = self.key.layout;
        let user_len = len.checked_sub(l.overhead())?;
        if len > self.unopened() || user_len == 0 || user_len > room || !msg.pinnable() {
            return None;
        }
        let at = self.head;
        let ctx = Context::get(sk)?;
        let outer = self.raw[at];
        let eligible = if l.is_tls13() {
            ctx.rx_no_pad()
        } else {
            outer == CT_APPLICATION_DATA
        };
        if !eligible || ctx.dev_rx().is_some() {
            return None;
        }
        match self.key.open_msg(outer, &self.raw[at..at + len], msg) {
            Ok(n) => {
                // Consumed at once: nothing for the record log to keep.
                self.head += len;
                if self.head == self.raw.len() {
                    self.drop_front(self.head);
                }
                Some(n)
            }
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

    /// Pulls bytes from TCP; `Ok(0)` at end of stream.
    fn fill(&mut self, sk: &Sock, nonblock: bool) -> Result<usize> {
        let need = match self.head_len() {
            Ok(Some(len)) => len.saturating_sub(self.unopened()),
            _ => HEADER_LEN - self.unopened().min(HEADER_LEN),
        };
        let want = need.max(sk.tcp_inq()).clamp(1, READ_CHUNK);
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
            if self.open_one(sk)? {
                break;
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

    /// Installs the next key generation (`TLS_RX` rekey).
    ///
    /// If the KeyUpdate took RX off its device (`from_device`), the key
    /// the device had is kept to undo what it did to later records.
    pub(crate) fn rekey(&mut self, key: KeyState, from_device: bool) {
        let old = core::mem::replace(&mut self.key, key);
        if from_device && self.device_key.is_none() {
            self.device_key = Some(old);
        }
        self.key_update_pending = false;
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
