// SPDX-License-Identifier: GPL-2.0

//! Software TX: plaintext is gathered into the open record, sealed in place
//! under the current key generation and handed to TCP by page reference,
//! all under the socket lock.

use crate::bindings;
use crate::bindings::MSG_SENDPAGE_DECRYPTED;
use crate::context::{Context, Dir, TxHead};
use crate::crypto::KeyState;
use crate::device::{self, DevTx};
use crate::frag::{self, Frag, Piece};
use crate::generations::Log;
use crate::logic::errno::Errno;
use crate::logic::key_update::key_update_message;
use crate::logic::record::{CT_ALERT, CT_APPLICATION_DATA, CT_HANDSHAKE};
use crate::msg::{Msg, MSG_DONTWAIT, MSG_EOR, MSG_MORE, MSG_NOSIGNAL};
use crate::proc::Stat;
use crate::schedule::Schedule;
use crate::sock::{Sock, SockGuard};
use core::ptr::NonNull;
use kernel::prelude::*;

/// TX state of a socket, protected by the context's `tx_lock` and the
/// socket lock.
///
/// `head` comes first: the C write-space callback finds it through
/// `priv_ctx_tx`.
#[repr(C)]
pub(crate) struct Tx {
    head: TxHead,
    /// The current key generation.
    pub(crate) key: KeyState,
    /// The open record (`MSG_MORE`, or not yet full): room for the
    /// prepend, then the plaintext gathered so far.
    open: Option<Frag>,
    /// Content type of the open record.
    open_type: u8,
    /// Sealed records TCP has not taken whole yet, oldest first, in one
    /// piece each (or, framed for a device, several); `sent` bytes of the
    /// first piece were taken.
    pending: KVec<Piece>,
    sent: usize,
    /// Every record handed to TCP and not acknowledged yet, with its key
    /// generation and TCP range.
    log: Log,
    /// Device TX: records go to TCP in plaintext, for the device to seal,
    /// and onto this device TX context's list (its lock taken for that).
    device: Option<NonNull<bindings::tls_offload_context_tx>>,
    /// How many pieces at the front of `pending` are of records framed
    /// for the device rather than sealed (all of them while on the device;
    /// after leaving it, those still waiting for TCP).
    framed: usize,
    /// Device TX after a rekey: once TCP has acknowledged every byte before
    /// this TCP sequence number, an old key generation can leave the
    /// device, or the one waiting for it take its place.
    device_due: Option<u32>,
    /// Records are sealed in software until the device takes the current
    /// key.
    waiting: bool,
    /// The kernel's key schedule (`TLS_TX_SECRET`): KeyUpdates are the
    /// kernel's to send.
    pub(crate) schedule: Option<Schedule>,
    /// A fatal alert was sent (the kernel's schedule found a malformed
    /// KeyUpdate): nothing more is sent.
    failed: bool,
}

impl Tx {
    /// TX state for a first key of `sk`.
    pub(crate) fn new(sk: &Sock, key: KeyState, schedule: Option<Schedule>) -> Result<KBox<Self>> {
        let mut tx = KBox::new(
            Self {
                head: TxHead::new(),
                key,
                open: None,
                open_type: CT_APPLICATION_DATA,
                pending: KVec::new(),
                sent: 0,
                log: Log::new(),
                device: None,
                framed: 0,
                device_due: None,
                waiting: false,
                schedule,
                failed: false,
            },
            GFP_KERNEL,
        )?;
        // SAFETY: the head lives in the box, which the context owns and
        // frees only after `Context::stop_tx_work`.
        unsafe { tx.head.init(sk, tx_work) };
        Ok(tx)
    }

    /// The head the C write-space callback uses.
    pub(crate) fn head_ptr(&mut self) -> *mut bindings::tlsr_tx_head {
        self.head.as_ptr()
    }

    /// Sends records to the device TX context `device` from now on, or
    /// sealed in software again (`None`).
    pub(crate) fn set_device(&mut self, device: Option<NonNull<bindings::tls_offload_context_tx>>) {
        self.device = device;
    }

    /// Whether records go to TCP for a device to seal.
    pub(crate) fn on_device(&self) -> bool {
        self.device.is_some()
    }

    /// TCP sequence number where the next record will start.
    pub(crate) fn next_record_seq(&self, sk: &SockGuard<'_>) -> u32 {
        let (write_seq, _) = sk.tcp_write_seq_and_una();
        write_seq.wrapping_add(self.pending_bytes() as u32)
    }

    /// Records are sealed in software until the device takes the current
    /// key ([`Self::placed`]).
    pub(crate) fn wait_for_device(&mut self, sk: &SockGuard<'_>) {
        self.seal_in_software(sk);
        self.waiting = true;
    }

    /// The device took the current key: records are framed for it again,
    /// never in an skb with sealed ones (TCP would append them to its
    /// last skb, whose decrypted mark they do not share).
    pub(crate) fn placed(
        &mut self,
        sk: &SockGuard<'_>,
        device: NonNull<bindings::tls_offload_context_tx>,
    ) {
        sk.tcp_write_collapse_fence();
        self.device = Some(device);
        self.waiting = false;
    }

    /// The device did not take the current key: records are sealed in
    /// software for good.
    pub(crate) fn stay_in_software(&mut self, sk: &SockGuard<'_>) {
        self.seal_in_software(sk);
        self.waiting = false;
    }

    /// Records are sealed in software from now on, never in an skb with
    /// framed ones (the framed records still waiting for TCP fence
    /// themselves when sent).
    fn seal_in_software(&mut self, sk: &SockGuard<'_>) {
        if self.framed == 0 {
            sk.tcp_write_collapse_fence();
        }
        self.device = None;
    }

    /// Sets what [`Self::device_due_passed`] waits for.
    pub(crate) fn set_device_due(&mut self, due: Option<u32>) {
        self.device_due = due;
    }

    /// Whether this is a record boundary (no record open or waiting for
    /// TCP) after TCP acknowledged every byte before the device's due
    /// sequence number.
    pub(crate) fn device_due_passed(&self, sk: &SockGuard<'_>) -> bool {
        let Some(due) = self.device_due else {
            return false;
        };
        let (_, una) = sk.tcp_write_seq_and_una();
        self.pending.is_empty() && !self.has_open_record() && una.wrapping_sub(due) as i32 >= 0
    }

    /// Takes the next key generation `key` (`crypto_info` `info`): a
    /// TLS 1.3 rekey, from `TLS_TX` or a KeyUpdate of the kernel's
    /// schedule.
    pub(crate) fn rekey(&mut self, sk: &SockGuard<'_>, ctx: &Context, key: KeyState, info: &[u8]) {
        self.key = key;
        ctx.install(sk, Dir::Tx, info);
        // Drivers read the new key from the context.
        device::tx_rekey::rekey(sk, ctx, self);
    }

    /// Sends a KeyUpdate (`update_requested` if `requested`) under the
    /// current key and moves to the next key of the kernel's schedule
    /// (`TLS_TX_KEY_UPDATE`, or the answer to the peer's request).
    /// `EINVAL` without a schedule; if the next key cannot be made,
    /// nothing is sent.
    pub(crate) fn key_update(
        &mut self,
        sk: &SockGuard<'_>,
        ctx: &Context,
        requested: bool,
    ) -> Result {
        if self.failed {
            return Err(EPIPE);
        }
        let generation = self.key.generation + 1;
        let schedule = self.schedule.as_mut().ok_or(EINVAL)?;
        let next = schedule.next(generation)?;
        let len = schedule.info_len();
        self.send_control(
            sk,
            CT_HANDSHAKE,
            &key_update_message(requested),
            MSG_DONTWAIT,
        )?;
        let (key, info) = self.schedule.as_mut().ok_or(EINVAL)?.advance(next);
        self.rekey(sk, ctx, key, &info.0[..len]);
        Stat::TxRekeyOk.inc(sk);
        Ok(())
    }

    /// Whether the kernel's schedule is to send a KeyUpdate before the
    /// next record: the key sealed `TLS_TX_KEY_UPDATE_RECORDS` records, or
    /// one sequence number is left (for the KeyUpdate).
    fn key_update_due(&self) -> bool {
        self.schedule.as_ref().is_some_and(|s| {
            self.key.seq.wrapping_sub(self.key.first_seq) >= s.records
                || self.key.seq >= u64::MAX - 1
        })
    }

    /// Sends what the kernel's schedule asked for (`Context::request_tx`):
    /// a fatal alert, after which nothing more goes, or the KeyUpdate the
    /// peer requested, once however often it asked.
    fn send_due(&mut self, sk: &SockGuard<'_>, ctx: &Context) -> Result {
        if let Some(alert) = self.head.take(bindings::TLSR_TX_ALERT) {
            if !self.failed {
                self.failed = true;
                // level fatal (2).
                self.send_control(sk, CT_ALERT, &[2, alert], MSG_DONTWAIT)?;
            }
        }
        // With a TX key from `TLS_TX`, answering is the application's.
        if self.head.take(bindings::TLSR_TX_KEY_UPDATE).is_some()
            && !self.failed
            && self.schedule.is_some()
        {
            self.key_update(sk, ctx, false)?;
        }
        Ok(())
    }

    /// Seals `body` into a record of type `content_type` of its own, after
    /// the open record, and hands it to TCP.
    fn send_control(
        &mut self,
        sk: &SockGuard<'_>,
        content_type: u8,
        body: &[u8],
        flags: u32,
    ) -> Result {
        let flags = flags | MSG_NOSIGNAL;
        if self.has_open_record() {
            self.push_open(sk, flags)?;
        }
        self.open_record(sk, body.len(), body.len(), false)?;
        let rec = self.open.as_mut().ok_or(EINVAL)?;
        let at = rec.len();
        rec.resize(at + body.len())?;
        rec.as_mut_slice()[at..].copy_from_slice(body);
        self.open_type = content_type;
        match self.push_open(sk, flags) {
            Err(e) if e == EAGAIN => Ok(()),
            r => r,
        }
    }

    /// Hands pending sealed records to TCP. `EAGAIN` if TCP did not take
    /// all, in which case the write-space callback pushes the rest later.
    fn flush(&mut self, sk: &SockGuard<'_>, flags: u32) -> Result {
        if self.pending.is_empty() {
            return Ok(());
        }
        // Flag first: a write-space event right after TCP refuses must see
        // it, or the rest would wait for the next send.
        self.head.set_pending(true);
        let r = self.try_flush(sk, flags);
        self.head.set_pending(!self.pending.is_empty());
        r
    }

    fn try_flush(&mut self, sk: &SockGuard<'_>, flags: u32) -> Result {
        while let Some(rec) = self.pending.first() {
            // Records framed for the device go marked decrypted.
            let f = if self.framed > 0 {
                flags | MSG_SENDPAGE_DECRYPTED
            } else {
                flags
            };
            self.sent += sk.tcp_send_piece(rec, self.sent, f)?;
            if self.sent >= rec.len() {
                self.pending.remove(0).map_err(|_| EINVAL)?;
                self.sent = 0;
                if self.framed > 0 {
                    self.framed -= 1;
                    if self.framed == 0 && self.device.is_none() {
                        // The socket left its device: TCP must not put the
                        // sealed records that follow into a decrypted skb.
                        sk.tcp_write_collapse_fence();
                    }
                }
            }
        }
        Ok(())
    }

    /// Sealed bytes TCP has not taken yet.
    fn pending_bytes(&self) -> usize {
        self.pending.iter().map(Piece::len).sum::<usize>() - self.sent
    }

    /// Seals the open record and hands it to TCP. The record is committed
    /// once sealed: if TCP takes only part of it, the rest stays pending.
    fn push_open(&mut self, sk: &SockGuard<'_>, flags: u32) -> Result {
        let Some(mut rec) = self.open.take() else {
            return Ok(());
        };
        let l = self.key.layout;
        let plain_len = rec.len() - l.prepend_len();
        let end = rec.len();
        // Room for the tail was kept when the buffer was sized.
        let device = self.device.is_some();
        let sealed = rec.resize(plain_len + l.overhead()).and_then(|()| {
            if device {
                // Framing writes TLS 1.3's content type itself.
                let (prepend, rest) = rec.as_mut_slice().split_at_mut(l.prepend_len());
                return self
                    .key
                    .frame(self.open_type, plain_len, prepend, &mut rest[plain_len..]);
            }
            if l.is_tls13() {
                rec.as_mut_slice()[end] = self.open_type;
            }
            self.key.seal(self.open_type, plain_len, rec.as_mut_slice())
        });
        if let Err(e) = sealed {
            // Nothing was committed: the record stays open as it was.
            let _ = rec.resize(end);
            self.open = Some(rec);
            return Err(e);
        }
        Stat::TxRecordsCopied.inc(sk);
        self.open_type = CT_APPLICATION_DATA;
        self.queue(sk, [Piece::Buf(rec)], flags)
    }

    /// Seals `n` bytes of `msg` into a record of their own straight from
    /// its pages (user memory, or spliced pages), and hands it to TCP.
    /// `false` if the bytes must be copied instead (see
    /// [`KeyState::seal_msg`]); nothing changed then.
    fn push_direct(
        &mut self,
        sk: &SockGuard<'_>,
        msg: &mut Msg,
        n: usize,
        content_type: u8,
        flags: u32,
    ) -> Result<bool> {
        let l = self.key.layout;
        let len = n + l.overhead();
        let Ok(mut rec) = frag::alloc(sk, len, len) else {
            return Ok(false);
        };
        rec.resize(l.prepend_len())?;
        let (prepend, out) = rec.split_spare();
        let out = out.get_mut(..len - l.prepend_len()).ok_or(EINVAL)?;
        match self.key.seal_msg(content_type, msg, n, prepend, out) {
            Err(e) if e == E2BIG => return Ok(false),
            r => r?,
        }
        // SAFETY: sealing wrote every byte after the prepend.
        unsafe { rec.commit(len - l.prepend_len()) };
        Stat::TxRecordsDirect.inc(sk);
        self.queue(sk, [Piece::Buf(rec)], flags)?;
        Ok(true)
    }

    /// Frames a device record around `n` bytes of `msg`'s spliced pages,
    /// which go to TCP and to the device's record as they are
    /// (`TLS_TX_ZEROCOPY_RO`, as upstream's `tls_push_data()` takes them):
    /// a buffer with the prepend, the pages, a buffer with the tail.
    /// `false` if the bytes must be copied instead; nothing changed then.
    fn push_device_pages(
        &mut self,
        sk: &SockGuard<'_>,
        msg: &mut Msg,
        n: usize,
        content_type: u8,
        flags: u32,
    ) -> Result<bool> {
        let l = self.key.layout;
        let (pre, tail) = (l.prepend_len(), l.tail_len() + l.tag_len());
        let mut head = frag::alloc(sk, pre, pre)?;
        let mut end = frag::alloc(sk, tail, tail)?;
        head.resize(pre)?;
        end.resize(tail)?;
        let max = bindings::TLSR_MAX_SKB_FRAGS as usize - 2;
        let mut rec = KVec::with_capacity(max + 2, GFP_KERNEL)?;
        let pages = match msg.splice_pages(n, max) {
            Err(e) if e == E2BIG => return Ok(false),
            r => r?,
        };
        if let Err(e) = self
            .key
            .frame(content_type, n, head.as_mut_slice(), end.as_mut_slice())
        {
            msg.revert(n);
            return Err(e);
        }
        rec.push(Piece::Buf(head), GFP_KERNEL)?;
        for p in pages {
            rec.push(Piece::Page(p), GFP_KERNEL)?;
        }
        rec.push(Piece::Buf(end), GFP_KERNEL)?;
        Stat::TxRecordsDirect.inc(sk);
        self.queue(sk, rec, flags)?;
        Ok(true)
    }

    /// Queues the sealed record `rec` (its pieces) behind what TCP has not
    /// taken yet, logs it and hands TCP what it takes.
    fn queue(
        &mut self,
        sk: &SockGuard<'_>,
        rec: impl IntoIterator<Item = Piece>,
        flags: u32,
    ) -> Result {
        // TCP will carry the record right after the bytes still pending
        // (callers flush before taking more plaintext: at most two wait).
        let (write_seq, una) = sk.tcp_write_seq_and_una();
        let start = write_seq.wrapping_add(self.pending_bytes() as u32);
        let pieces = rec.into_iter();
        // Arrays and vectors know their length exactly.
        let n = pieces.size_hint().0;
        let mut info = match self.device {
            Some(_) => Some(KBox::new(bindings::tls_record_info::default(), GFP_KERNEL)?),
            None => None,
        };
        self.pending.reserve(n, GFP_KERNEL)?;
        let mut rec_len = 0;
        for p in pieces {
            if let Some(info) = info.as_mut() {
                match &p {
                    // SAFETY: page-frag memory of that many bytes; the
                    // record takes its own page reference.
                    Piece::Buf(f) => unsafe {
                        bindings::tlsr_record_add_buf(
                            &mut **info,
                            f.as_ptr().cast(),
                            f.len() as u32,
                        )
                    },
                    Piece::Page(pg) => {
                        let (page, off, len) = pg.parts();
                        // SAFETY: the piece holds a reference to the page;
                        // the record takes its own; a record has at most
                        // `TLSR_MAX_SKB_FRAGS` pieces.
                        unsafe { bindings::tlsr_record_add_page(&mut **info, page, off, len) }
                    }
                }
            }
            rec_len += p.len();
            // Room was reserved: this does not allocate.
            self.pending.push(p, GFP_KERNEL)?;
        }
        if let (Some(o), Some(mut info)) = (self.device, info) {
            // On the device's list before TCP can send a byte of it.
            info.end_seq = start.wrapping_add(rec_len as u32);
            info.len = rec_len as i32;
            // SAFETY: the device TX context (first field of its `DevTx`)
            // outlives its TX state; `ctx` was set when it was built.
            let (dev, ctx) = unsafe { (o.as_ptr().cast::<DevTx>(), (*o.as_ptr()).ctx) };
            device::tx::resync_if_requested(sk, ctx, start, self.key.seq - 1);
            // SAFETY: `dev` is live.
            unsafe { DevTx::lock(dev) }.append(info);
            self.framed += n;
        }
        if self.device.is_none() && self.waiting {
            Stat::TxDeviceRekeySwRecords.inc(sk);
            Stat::TxDeviceRekeySwBytes.add(sk, rec_len as i32);
        }
        self.log.retire_before(una);
        if self
            .log
            .log(self.key.generation, self.key.seq - 1, start, rec_len)
            .is_err()
        {
            // Bookkeeping only until offload uses it: the record still goes.
            kernel::pr_warn_once!("TX record log full; record left untracked\n");
        }
        match self.flush(sk, flags) {
            Err(e) if e == EAGAIN || e == ERESTARTSYS || e == EINTR => Ok(()),
            r => r,
        }
    }

    /// Whether a record is open (`TLS_TX_MAX_PAYLOAD_LEN` cannot change).
    pub(crate) fn has_open_record(&self) -> bool {
        self.open_len() > 0
    }

    /// Plaintext bytes in the open record.
    fn open_len(&self) -> usize {
        self.open
            .as_ref()
            .map_or(0, |r| r.len().saturating_sub(self.key.layout.prepend_len()))
    }

    /// Plaintext bytes the open record can still take, at most
    /// `max_payload` in all.
    fn room(&self, max_payload: usize) -> usize {
        let l = self.key.layout;
        self.open.as_ref().map_or(0, |r| {
            let cap = r.capacity().saturating_sub(l.overhead()).min(max_payload);
            cap.saturating_sub(r.len() - l.prepend_len())
        })
    }

    /// Makes sure a record is open with room for `want` more plaintext
    /// bytes where memory allows: a fresh record is sized for `want`, or
    /// for `max_payload` if more may follow.
    fn open_record(
        &mut self,
        sk: &SockGuard<'_>,
        want: usize,
        max_payload: usize,
        more: bool,
    ) -> Result {
        if self.has_open_record() || (self.open.is_some() && self.room(max_payload) >= want) {
            return Ok(());
        }
        let l = self.key.layout;
        let payload = if more { max_payload } else { want.max(1) };
        let mut rec = frag::alloc(sk, payload + l.overhead(), 1 + l.overhead())?;
        rec.resize(l.prepend_len())?;
        self.open = Some(rec);
        Ok(())
    }

    /// Pushes whatever is open or pending (`splice_eof`); `flags` may hold
    /// `MSG_DONTWAIT`.
    pub(crate) fn push_all(&mut self, sk: &SockGuard<'_>, flags: u32) -> Result {
        if self.has_open_record() {
            self.push_open(sk, flags | MSG_NOSIGNAL)?;
        }
        self.flush(sk, flags | MSG_NOSIGNAL)
    }

    /// Close: what `sendmsg` took is handed to TCP without waiting, past
    /// the send buffer's limit if need be (at most the open record and two
    /// sealed ones), so TCP delivers it as it delivers its own send queue
    /// after `close()`; a non-blocking sender may close right after a send
    /// that left a record waiting for room.
    pub(crate) fn push_on_close(&mut self, sk: &SockGuard<'_>) -> Result {
        let _lifted = sk.lift_sndbuf();
        self.push_all(sk, MSG_DONTWAIT)
    }

    /// `sendmsg` on a TX-configured socket; returns the bytes taken.
    /// `zerocopy_ro`: `TLS_TX_ZEROCOPY_RO` is set.
    pub(crate) fn sendmsg(
        &mut self,
        sk: &SockGuard<'_>,
        msg: &mut Msg,
        max_payload: usize,
        zerocopy_ro: bool,
    ) -> Result<usize> {
        let flags = msg.flags();
        let more = flags & MSG_MORE != 0;
        if more && flags & MSG_EOR != 0 {
            return Err(Errno::Inval.into());
        }
        let send_flags = flags & (MSG_DONTWAIT | MSG_NOSIGNAL);
        if self.failed {
            return Err(EPIPE);
        }
        if self.head.due() {
            // What the peer's KeyUpdate asked for goes before this data.
            if let Some(ctx) = Context::get(sk) {
                self.send_due(sk, &ctx)?;
            }
        }
        let rtype = msg.record_type()?;
        if rtype.is_some_and(|t| t != self.open_type) && self.has_open_record() {
            self.push_open(sk, send_flags)?;
        }
        let ctype = rtype.unwrap_or(self.open_type);
        let mut copied = 0;
        let mut left = msg.data_left();
        let result = loop {
            if left == 0 && copied > 0 {
                break Ok(());
            }
            // Backpressure: take plaintext only once TCP took the sealed
            // records and its send buffer has room (blocking, or EAGAIN
            // for non-blocking senders), as upstream waits before each
            // record: TCP alone takes records past its limit into its last
            // skb.
            let ready = self.flush(sk, send_flags).and_then(|()| match left {
                0 => Ok(()),
                _ => sk.wait_sndbuf(send_flags),
            });
            if let Err(e) = ready {
                break Err(e);
            }
            if !self.has_open_record() && self.key_update_due() {
                if let Some(ctx) = Context::get(sk) {
                    if let Err(e) = self.key_update(sk, &ctx, false) {
                        break Err(e);
                    }
                }
            }
            if self.device_due.is_some() {
                // After a rekey on a device: old generations may leave it,
                // or the new one go on it, at this record boundary.
                if let Some(ctx) = Context::get(sk) {
                    device::tx_rekey::at_record_boundary(sk, &ctx, self);
                }
            }
            let want = left.min(max_payload);
            // A record that fills up is pushed now and needs no more room.
            let stays_open = more && want < max_payload;
            // A whole record from this call: sealed from its pages, or on a
            // device under `TLS_TX_ZEROCOPY_RO`, framed around them.
            let whole = !stays_open && want > 0 && !self.has_open_record();
            let pushed = match self.device {
                Some(_) if whole && zerocopy_ro && msg.is_splice() => {
                    self.push_device_pages(sk, msg, want, ctype, send_flags)
                }
                None if whole && msg.pinnable() => {
                    self.push_direct(sk, msg, want, ctype, send_flags)
                }
                _ => Ok(false),
            };
            match pushed {
                Ok(true) => {
                    copied += want;
                    left -= want;
                    continue;
                }
                Ok(false) => {}
                Err(e) => break Err(e),
            }
            if let Err(e) = self.open_record(sk, want, max_payload, stays_open) {
                break Err(e);
            }
            let n = left.min(self.room(max_payload));
            if let Some(rec) = self.open.as_mut() {
                if let Err(e) = msg.copy_from(rec, n) {
                    break Err(e);
                }
            }
            self.open_type = ctype;
            copied += n;
            left -= n;
            let full = self.room(max_payload) == 0;
            if full || (left == 0 && !more) {
                // A send without data pushes nothing (not even an open
                // record), unless it carries a record type: as upstream.
                if n == 0 && rtype.is_none() && !full {
                    break Ok(());
                }
                if let Err(e) = self.push_open(sk, send_flags) {
                    break Err(e);
                }
            }
            if left == 0 {
                break Ok(());
            }
        };
        match result {
            Ok(()) => Ok(copied),
            Err(e) if e.to_errno() == -Errno::BadMsg.to_errno() => {
                // Sequence number exhaustion ends the connection.
                sk.err_abort(e);
                Err(e)
            }
            Err(_) if copied > 0 => Ok(copied),
            Err(e) => Err(e),
        }
    }
}

/// Runs `f` on the TX state of `sk` under the context's `tx_lock` and the
/// socket lock, the order every TX user takes them in. `EINVAL` if no TX
/// key is installed.
pub(crate) fn with_locked_tx<T>(
    sk: &Sock,
    ctx: &Context,
    f: impl FnOnce(&mut Tx, &SockGuard<'_>) -> Result<T>,
) -> Result<T> {
    let _tx_lock = ctx.tx_lock()?;
    let mut lock = sk.lock();
    let (tx, lock) = ctx.tx(&mut lock).ok_or(EINVAL)?;
    f(tx, lock)
}

/// The deferred push: TCP reported room for what it did not take.
///
/// # Safety
///
/// Called by the workqueue with the `work` of a live `Tx`'s head; the TX
/// state outlives the work (`Context::stop_tx_work` before it is freed).
unsafe extern "C" fn tx_work(work: *mut bindings::work_struct) {
    // SAFETY: `work` belongs to a live head, by the caller.
    let Some(s) = (unsafe { TxHead::sock_of(work) }) else {
        return;
    };
    let Some(ctx) = Context::get(&s) else {
        return;
    };
    // What TCP still cannot take waits for the next write space.
    let _ = with_locked_tx(&s, &ctx, |tx, sk| {
        tx.send_due(sk, &ctx)?;
        tx.flush(sk, MSG_DONTWAIT | MSG_NOSIGNAL)
    });
}
